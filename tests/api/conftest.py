"""API fixtures: a data home filled by real engine runs (once per session), apps and clients."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quant_engine.api.config import ApiSettings
from quant_engine.api.job_manager import JobManager
from quant_engine.api.main import create_app
from quant_engine.api.schemas.compute import Job
from tests.api.api_support import (
    API_KEY,
    LOCAL_URL,
    TICKERS,
    finished,
    make_jobs,
    quick_command,
    wait_for,
)


@pytest.fixture(scope="session")
def engine_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home after qe-train, qe-backtest, qe-predict and a one-candidate qe-autopilot."""
    from quant_engine import run_autopilot, run_backtest, run_predict, run_train

    home = tmp_path_factory.mktemp("engine_home")
    quick = ["--tickers", TICKERS, "--years", "2", "--quiet"]
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QE_HOME", str(home))
        assert run_train.main(quick) == 0
        assert run_backtest.main([*quick, "--rule", "top_k", "--top-k", "2"]) == 0
        assert run_predict.main(quick) == 0
        grid = ["--feature-modes", "core", "--models", "ridge", "--rules", "long_short"]
        assert run_autopilot.main([*quick, *grid, "--workers", "1"]) == 0
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    return home


@pytest.fixture
def populated(engine_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """QE_HOME pointed at the shared engine home (tests must only read it)."""
    monkeypatch.setenv("QE_HOME", str(engine_home))
    return engine_home


@pytest.fixture
def settings() -> ApiSettings:
    """Settings with an API key and a small body limit."""
    return ApiSettings(api_key=API_KEY, max_body_bytes=4096)


@pytest.fixture
def client(settings: ApiSettings) -> Iterator[TestClient]:
    """A client of an app whose jobs run a trivial process instead of the engine."""
    app = create_app(settings, jobs=make_jobs())
    with TestClient(app, base_url=LOCAL_URL) as test_client:
        yield test_client


@pytest.fixture
def job_manager() -> Iterator[Callable[..., JobManager]]:
    """Factory of job managers (see :func:`make_jobs`); each is shut down after the test."""
    made: list[JobManager] = []

    def factory(code: str = "pass", **limits: Any) -> JobManager:
        jobs = make_jobs(quick_command(code), **limits)
        made.append(jobs)
        return jobs

    yield factory
    for jobs in made:
        jobs.shutdown()


@pytest.fixture
def wait_job() -> Callable[..., Job]:
    """Poll a job until a condition holds (default: finished)."""

    def wait(jobs: JobManager, job_id: str, done: Callable[[Job], bool] = finished) -> Job:
        return wait_for(jobs, job_id, done)

    return wait


@pytest.fixture
def home_copy(engine_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the engine home (QE_HOME points at it), for tests that damage files."""
    import shutil

    home = tmp_path / "home_copy"
    shutil.copytree(engine_home, home, symlinks=True)
    monkeypatch.setenv("QE_HOME", str(home))
    return home
