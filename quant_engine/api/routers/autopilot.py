"""``/api/autopilot``: the incumbent strategy and the promotion decisions."""

from __future__ import annotations

from fastapi import APIRouter, Request

from quant_engine.api.deps import ListLimitDep
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.autopilot import AutopilotOverview
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.views import autopilot

router = APIRouter(prefix="/api/autopilot", tags=["autopilot"], responses=ERROR_RESPONSES)


@router.get("", summary="Incumbent and decisions, newest first")
def get_autopilot(request: Request, limit: ListLimitDep) -> ApiResponse[AutopilotOverview]:
    """The strategy in force and why recent runs did or did not replace it."""
    return ok(request, *autopilot.overview(limit))
