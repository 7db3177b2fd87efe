"""Background jobs: engine command lines, bounded concurrency, outcomes, limits and shutdown."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quant_engine import layout
from quant_engine.api.config import ApiSettings
from quant_engine.api.errors import NotFoundError, TooManyJobsError
from quant_engine.api.job_manager import LOG_NAME, JobManager, engine_argv
from quant_engine.api.main import create_app
from quant_engine.api.schemas.compute import Job, JobKind, JobRequest, JobStatus
from quant_engine.errors import UsageError
from quant_engine.runs import lookup, store
from tests.api.api_support import API_KEY, LOCAL_URL, TICKERS

Factory = Callable[..., JobManager]
Wait = Callable[..., Job]
BLOCK_UNTIL_GO = (
    "import pathlib, sys, time\n"
    "go = pathlib.Path(sys.argv[1]).parent / 'go'\n"
    "while not go.exists():\n"
    "    time.sleep(0.02)\n"
)


def test_engine_argv_passes_each_field_as_a_flag(tmp_path: Path) -> None:
    request = JobRequest.model_validate(
        {
            "kind": "backtest",
            "tickers": ["spx", "COMP"],
            "years": 3,
            "feature_mode": "minimal",
            "model_kind": "gbm",
            "portfolio_rule": "top_k",
            "seed": 7,
            "tags": ["nightly"],
        }
    )
    argv = engine_argv(request, tmp_path)
    assert argv[:3] == [sys.executable, "-m", "quant_engine.run_backtest"]
    assert argv[3:] == [
        "--tickers", "SPX,COMP", "--years", "3", "--feature-mode", "minimal", "--model", "gbm",
        "--rule", "top_k", "--seed", "7", "--quiet", "--output-dir", str(tmp_path),
    ]  # fmt: skip


def test_engine_argv_defaults_leave_flags_to_the_engine(tmp_path: Path) -> None:
    argv = engine_argv(JobRequest(kind=JobKind.TRAIN), tmp_path)
    assert argv[2:] == ["quant_engine.run_train", "--quiet", "--output-dir", str(tmp_path)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "train", "portfolio_rule": "top_k"}, "backtest jobs only"),
        ({"kind": "train", "tickers": ["--rm"]}, "tickers: not a ticker symbol"),
        ({"kind": "train", "tickers": []}, "tickers: expected at least one ticker"),
    ],
)
def test_engine_argv_refuses_what_the_engine_cannot_take(
    fields: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=message):
        engine_argv(JobRequest.model_validate(fields), tmp_path)


def test_a_job_runs_to_success(job_manager: Factory, wait_job: Wait) -> None:
    jobs = job_manager("pass")
    job = jobs.submit(JobRequest(kind=JobKind.TRAIN))
    assert job.status is JobStatus.QUEUED
    done = wait_job(jobs, job.job_id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.progress == 1.0
    assert done.error is None
    assert done.started_at is not None
    assert done.finished_at is not None
    assert done.submitted_at <= done.started_at <= done.finished_at


def test_a_failed_job_keeps_the_last_line_of_its_output(
    job_manager: Factory, wait_job: Wait
) -> None:
    code = "import sys; print('progress...'); sys.exit('qe-train: error: no data for ZZZ')"
    jobs = job_manager(code)
    done = wait_job(jobs, jobs.submit(JobRequest(kind=JobKind.TRAIN)).job_id)
    assert done.status is JobStatus.FAILED
    assert done.error == "qe-train: error: no data for ZZZ"


def test_at_most_max_concurrent_jobs_run(
    job_manager: Factory, wait_job: Wait, qe_home: Path
) -> None:
    jobs = job_manager(BLOCK_UNTIL_GO, max_concurrent_jobs=1, max_queued_jobs=4)
    first = jobs.submit(JobRequest(kind=JobKind.TRAIN))
    second = jobs.submit(JobRequest(kind=JobKind.TRAIN))
    wait_job(jobs, first.job_id, lambda j: j.status is JobStatus.RUNNING)
    assert jobs.get(second.job_id).status is JobStatus.QUEUED
    assert jobs.counts()[JobStatus.RUNNING] == 1
    layout.api_jobs_dir().mkdir(parents=True, exist_ok=True)
    (layout.api_jobs_dir() / "go").touch()
    assert wait_job(jobs, first.job_id).status is JobStatus.SUCCEEDED
    assert wait_job(jobs, second.job_id).status is JobStatus.SUCCEEDED


def test_a_full_queue_refuses_new_jobs(job_manager: Factory, qe_home: Path) -> None:
    jobs = job_manager(BLOCK_UNTIL_GO, max_concurrent_jobs=1, max_queued_jobs=1)
    jobs.submit(JobRequest(kind=JobKind.TRAIN))
    jobs.submit(JobRequest(kind=JobKind.TRAIN))
    with pytest.raises(TooManyJobsError, match="limit 2"):
        jobs.submit(JobRequest(kind=JobKind.TRAIN))
    layout.api_jobs_dir().mkdir(parents=True, exist_ok=True)
    (layout.api_jobs_dir() / "go").touch()


def test_a_job_over_its_time_limit_is_stopped(job_manager: Factory, wait_job: Wait) -> None:
    jobs = job_manager("import time; time.sleep(60)", job_timeout_s=0.5)
    done = wait_job(jobs, jobs.submit(JobRequest(kind=JobKind.TRAIN)).job_id)
    assert done.status is JobStatus.FAILED
    assert done.error == "timed out after 0.5 s"


def test_shutdown_stops_running_and_fails_queued_jobs(job_manager: Factory, wait_job: Wait) -> None:
    jobs = job_manager(BLOCK_UNTIL_GO, max_concurrent_jobs=1)
    running = jobs.submit(JobRequest(kind=JobKind.TRAIN))
    queued = jobs.submit(JobRequest(kind=JobKind.TRAIN))
    wait_job(jobs, running.job_id, lambda j: j.status is JobStatus.RUNNING)
    jobs.shutdown()
    assert jobs.get(running.job_id).error == "the server shut down while the job was running"
    assert jobs.get(queued.job_id).error == "the server shut down before the job started"
    assert {j.status for j in jobs.jobs()} == {JobStatus.FAILED}
    with pytest.raises(Exception, match="shutting down"):
        jobs.submit(JobRequest(kind=JobKind.TRAIN))


def test_old_finished_jobs_are_forgotten(job_manager: Factory, wait_job: Wait) -> None:
    jobs = job_manager("pass", job_history=1)
    first = jobs.submit(JobRequest(kind=JobKind.TRAIN))
    wait_job(jobs, first.job_id)
    second = jobs.submit(JobRequest(kind=JobKind.TRAIN))
    wait_job(jobs, second.job_id)
    assert [j.job_id for j in jobs.jobs()] == [second.job_id]
    with pytest.raises(NotFoundError, match=first.job_id):
        jobs.get(first.job_id)


def test_the_job_links_the_manifest_of_its_run(job_manager: Factory, wait_job: Wait) -> None:
    code = (
        "import argparse, sys\n"
        "from quant_engine.utils.reproducibility import record_run\n"
        "args = argparse.Namespace(output_dir=sys.argv[1])\n"
        "with record_run(args, 'run_train'):\n"
        "    pass\n"
    )
    jobs = job_manager(code)
    done = wait_job(jobs, jobs.submit(JobRequest(kind=JobKind.TRAIN)).job_id)
    assert done.status is JobStatus.SUCCEEDED, done.error
    manifest = store.load_manifest(
        lookup.find_manifest(layout.manifests_dir(), done.run_id or "none")
    )
    assert manifest.cli_args["output_dir"] == str(layout.api_jobs_dir() / done.job_id)


def test_the_job_process_does_not_see_the_api_key(
    job_manager: Factory, wait_job: Wait, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QE_API_API_KEY", API_KEY)
    code = (
        "import json, os, pathlib, sys\n"
        "env = {k: v for k, v in os.environ.items() if k.startswith('QE_')}\n"
        "pathlib.Path(sys.argv[1], 'env.json').write_text(json.dumps(env))\n"
    )
    jobs = job_manager(code)
    done = wait_job(jobs, jobs.submit(JobRequest(kind=JobKind.TRAIN)).job_id)
    env = json.loads((layout.api_jobs_dir() / done.job_id / "env.json").read_text())
    assert "QE_API_API_KEY" not in env
    assert env["QE_HOME"] == str(layout.data_home())
    assert (layout.api_jobs_dir() / done.job_id / LOG_NAME).is_file()


@pytest.mark.slow
def test_a_real_training_job_end_to_end(settings: ApiSettings, wait_job: Wait) -> None:
    """POST a train job, poll it to success, then follow its run id to the manifest."""
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL_URL) as client:
        body = {"kind": "train", "tickers": TICKERS.split(","), "years": 2, "seed": 3}
        submitted = client.post("/api/compute/jobs", json=body, headers={"X-API-Key": API_KEY})
        assert submitted.status_code == 202
        job_id = submitted.json()["data"]["job_id"]
        done = wait_job(app.state.jobs, job_id)
        assert done.status is JobStatus.SUCCEEDED, done.error
        polled = client.get(f"/api/compute/jobs/{job_id}").json()["data"]
        assert polled["status"] == "succeeded"
        assert polled["run_id"] == done.run_id is not None
        run = client.get(f"/api/runs/{done.run_id}").json()["data"]
        assert run["script"] == "run_train"
        assert run["status"] == "success"
        assert run["seeds"]["seed"] == 3
        models = client.get("/api/models").json()["data"]
        assert models["active_version_id"] == run["model_version"]
