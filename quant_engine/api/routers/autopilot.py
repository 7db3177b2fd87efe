"""``/api/autopilot``: the incumbent strategy and the promotion decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from quant_engine import config
from quant_engine.api.responses import ERROR_RESPONSES, add_warning, ok
from quant_engine.api.schemas.autopilot import AutopilotOverview
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.views import autopilot

router = APIRouter(prefix="/api/autopilot", tags=["autopilot"], responses=ERROR_RESPONSES)


@router.get("", summary="Incumbent and decisions, newest first")
def get_autopilot(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=config.API_MAX_LIST_LIMIT)] = config.API_LIST_LIMIT,
) -> ApiResponse[AutopilotOverview]:
    """The strategy in force and why recent runs did or did not replace it."""
    view, skipped = autopilot.overview(limit)
    for line in skipped:
        add_warning(request, line)
    return ok(request, view)
