"""``/api/compute/jobs``: submit a backtest or training job (API key required) and poll it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from quant_engine.api.deps import ApiKeyDep, JobIdPath, JobsDep
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.compute import Job, JobRequest
from quant_engine.api.schemas.envelope import ApiResponse

router = APIRouter(prefix="/api/compute", tags=["compute"], responses=ERROR_RESPONSES)

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: ERROR_RESPONSES[400] | {"description": description}
    for status, description in (
        (401, "The API key header is missing"),
        (403, "The API key is wrong"),
        (429, "Too many jobs are queued"),
        (503, "No API key is configured on the server: mutations are disabled"),
    )
}


@router.post(
    "/jobs",
    status_code=202,
    summary="Submit a job",
    dependencies=[ApiKeyDep],
    responses=AUTH_RESPONSES,
)
def submit_job(request: Request, body: JobRequest, jobs: JobsDep) -> ApiResponse[Job]:
    """Queue a backtest or training run; poll ``GET /api/compute/jobs/{job_id}`` for its end."""
    return ok(request, jobs.submit(body))


@router.get("/jobs", summary="Jobs, newest first")
def list_jobs(request: Request, jobs: JobsDep) -> ApiResponse[list[Job]]:
    """Every job this server remembers (finished ones are forgotten oldest first)."""
    return ok(request, jobs.jobs())


@router.get("/jobs/{job_id}", summary="One job")
def get_job(request: Request, job_id: JobIdPath, jobs: JobsDep) -> ApiResponse[Job]:
    """A job's status, its run id once started, and its one-line error if it failed."""
    return ok(request, jobs.get(job_id))
