"""``/api/code-health``: hotspots and import cycles from the committed audit data."""

from __future__ import annotations

from fastapi import APIRouter, Request

from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.code_health import CodeHealth
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.views import code_health

router = APIRouter(prefix="/api", tags=["code health"], responses=ERROR_RESPONSES)


@router.get("/code-health", summary="Hotspots and import cycles of the last audit")
def get_code_health(request: Request) -> ApiResponse[CodeHealth]:
    """The top hotspot files and every import cycle; ``available`` false before `make audit`."""
    return ok(request, code_health.code_health())
