"""``/api/backtests``: successful backtest runs, their metrics and equity curves."""

from __future__ import annotations

from fastapi import APIRouter, Request

from quant_engine.api.deps import ListLimitDep, RunRefPath
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.backtests import BacktestDetail, BacktestList
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.views import backtests, runs

router = APIRouter(prefix="/api/backtests", tags=["backtests"], responses=ERROR_RESPONSES)


@router.get("", summary="Backtest summaries, newest first")
def list_backtests(request: Request, limit: ListLimitDep) -> ApiResponse[BacktestList]:
    """Every successful backtest run (runs whose files are unusable are listed in warnings)."""
    return ok(request, *backtests.list_summaries(limit))


@router.get("/latest", summary="The latest backtest")
def latest_backtest(request: Request) -> ApiResponse[BacktestDetail]:
    """The newest successful backtest with its equity curve; 404 before the first one."""
    return ok(request, backtests.detail(backtests.latest()))


@router.get("/{run_id}", summary="One backtest")
def get_backtest(request: Request, run_id: RunRefPath) -> ApiResponse[BacktestDetail]:
    """A backtest run by id (or unique prefix) with its equity curve."""
    return ok(request, backtests.detail(runs.get_manifest(run_id)))
