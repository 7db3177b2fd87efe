"""Helpers shared by the API tests: the test key, fast job managers, polling a job."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quant_engine.api.config import ApiSettings
from quant_engine.api.job_manager import JobCommand, JobManager
from quant_engine.api.schemas.compute import Job, JobRequest, JobStatus

API_KEY = "test-key-5f1c9d2e"
LOCAL_URL = "http://127.0.0.1:8000"
"""Base URL of test clients: a Host the server trusts (it refuses any other name)."""
TICKERS = "SPX,COMP,S0000,S0001"


def quick_command(code: str) -> JobCommand:
    """A job command that runs ``code`` in a Python subprocess instead of the engine."""

    def command(request: JobRequest, output_dir: Path) -> list[str]:
        return [sys.executable, "-c", code, str(output_dir)]

    return command


TEST_JOB_LIMITS: dict[str, Any] = {
    "max_concurrent_jobs": 1,
    "max_queued_jobs": 4,
    "job_history": 50,
    "job_timeout_s": 60.0,
}
"""Job limits of the test managers: one job at a time, a short queue."""


def make_jobs(command: JobCommand | None = None, **limits: Any) -> JobManager:
    """A job manager running ``command`` (default: a process that exits 0 at once).

    ``limits`` are ``ApiSettings`` job fields over :data:`TEST_JOB_LIMITS`.
    """
    settings = ApiSettings(**(TEST_JOB_LIMITS | limits))
    return JobManager(settings, command=command or quick_command("pass"))


def wait_for(
    jobs: JobManager, job_id: str, done: Callable[[Job], bool], timeout: float = 60.0
) -> Job:
    """Poll a job until ``done(job)``; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        job = jobs.get(job_id)
        if done(job):
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} stuck in {job.status}")
        time.sleep(0.05)


def finished(job: Job) -> bool:
    """True once a job reached a final status."""
    return job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
