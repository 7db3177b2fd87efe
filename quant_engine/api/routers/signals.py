"""``/api/signals``: the ranked scores of prediction runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from quant_engine.api.deps import RunRefPath
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.schemas.signals import SignalSet
from quant_engine.api.views import runs, signals

router = APIRouter(prefix="/api/signals", tags=["signals"], responses=ERROR_RESPONSES)

Top = Annotated[int | None, Query(ge=1, description="Only the best `limit` rows.")]


@router.get("/latest", summary="The latest signal")
def latest_signals(request: Request, limit: Top = None) -> ApiResponse[SignalSet]:
    """Scores of the newest successful prediction run, best first; 404 before the first one."""
    return ok(request, signals.signal_set(signals.latest(), limit))


@router.get("/{run_id}", summary="The signal of one prediction run")
def get_signals(request: Request, run_id: RunRefPath, limit: Top = None) -> ApiResponse[SignalSet]:
    """Scores of a prediction run by id (or unique prefix), best first."""
    return ok(request, signals.signal_set(runs.get_manifest(run_id), limit))
