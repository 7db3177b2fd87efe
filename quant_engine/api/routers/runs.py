"""``/api/runs``: the reproducibility run manifests, newest first, and any one of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from quant_engine import config
from quant_engine.api.deps import RunRefPath
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.schemas.runs import RunList, RunManifest, RunStatus
from quant_engine.api.views import runs

router = APIRouter(prefix="/api/runs", tags=["runs"], responses=ERROR_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=config.API_MAX_LIST_LIMIT, description="Page size.")]


@router.get("", summary="List runs, newest first")
def list_runs(
    request: Request,
    script: Annotated[str | None, Query(max_length=100, description="e.g. run_backtest")] = None,
    status: Annotated[RunStatus | None, Query(description="Final or running status.")] = None,
    limit: Limit = config.API_LIST_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ApiResponse[RunList]:
    """Runs matching the filters; ``unreadable`` names manifest files that failed to parse."""
    return ok(request, runs.list_runs(script=script, status=status, limit=limit, offset=offset))


@router.get("/{ref}", summary="One run manifest")
def get_run(
    request: Request,
    ref: RunRefPath,
) -> ApiResponse[RunManifest]:
    """The complete manifest of a run; 404 when no run matches."""
    return ok(request, runs.get_manifest(ref))
