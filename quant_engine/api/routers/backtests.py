"""``/api/backtests``: successful backtest runs, their metrics and equity curves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from quant_engine import config
from quant_engine.api.responses import ERROR_RESPONSES, add_warning, ok
from quant_engine.api.schemas.backtests import BacktestDetail, BacktestList
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.views import backtests, runs

router = APIRouter(prefix="/api/backtests", tags=["backtests"], responses=ERROR_RESPONSES)


@router.get("", summary="Backtest summaries, newest first")
def list_backtests(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=config.API_MAX_LIST_LIMIT)] = config.API_LIST_LIMIT,
) -> ApiResponse[BacktestList]:
    """Every successful backtest run (runs whose files are unusable are listed in warnings)."""
    found, skipped = backtests.list_summaries(limit)
    for line in skipped:
        add_warning(request, line)
    return ok(request, BacktestList(found))


@router.get("/latest", summary="The latest backtest")
def latest_backtest(request: Request) -> ApiResponse[BacktestDetail]:
    """The newest successful backtest with its equity curve; 404 before the first one."""
    return ok(request, backtests.detail(backtests.latest()))


@router.get("/{run_id}", summary="One backtest")
def get_backtest(request: Request, run_id: str) -> ApiResponse[BacktestDetail]:
    """A backtest run by id (or unique prefix) with its equity curve."""
    return ok(request, backtests.detail(runs.get_manifest(run_id)))
