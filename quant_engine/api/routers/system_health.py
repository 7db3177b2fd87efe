"""``GET /api/system-health``: the server and each component it depends on."""

from __future__ import annotations

from fastapi import APIRouter, Request

from quant_engine.api.deps import JobsDep
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.schemas.system_health import SystemHealth
from quant_engine.api.views import system_health

router = APIRouter(prefix="/api", tags=["system health"], responses=ERROR_RESPONSES)


@router.get("/system-health", summary="Health of the server and its components")
def get_system_health(request: Request, jobs: JobsDep) -> ApiResponse[SystemHealth]:
    """Status is the worst component's: ``degraded`` still serves, ``down`` cannot write data."""
    return ok(request, system_health.system_health(jobs, request.app.state.started))
