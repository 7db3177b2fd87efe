"""Background compute jobs: each job is an engine process, at most N run at once, state in memory.

A job runs ``python -m quant_engine.run_backtest|run_train <flags> --quiet --output-dir <dir>``
in its own process, so a crash or a leak in the engine cannot take the server down. Its output
and log live in ``layout.api_jobs_dir()/<job id>``; its run manifest is found by that folder.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from quant_engine import cli, layout
from quant_engine.api.config import API_KEY_ENV_VAR, ApiSettings
from quant_engine.api.errors import NotFoundError, TooManyJobsError
from quant_engine.api.schemas.compute import Job, JobKind, JobRequest, JobStatus
from quant_engine.errors import QuantEngineError, UsageError
from quant_engine.runs import store

JobCommand = Callable[[JobRequest, Path], list[str]]

ENGINE_SCRIPTS = {JobKind.BACKTEST: "run_backtest", JobKind.TRAIN: "run_train"}
LOG_NAME = "job.log"
POLL_S = 0.5
TERMINATE_GRACE_S = 10.0
MAX_ERROR_CHARS = 500
JOB_ID_BYTES = 6
JOB_ID_RE = re.compile(rf"^j-[0-9a-f]{{{2 * JOB_ID_BYTES}}}$")
"""Job ids: ``j-`` and 12 random hex digits."""
FINAL = (JobStatus.SUCCEEDED, JobStatus.FAILED)
SHUT_DOWN_QUEUED = "the server shut down before the job started"
SHUT_DOWN_RUNNING = "the server shut down while the job was running"


def engine_argv(request: JobRequest, output_dir: Path) -> list[str]:
    """The engine command line for ``request``; UsageError naming the field it cannot accept."""
    flags: list[str] = []
    if request.tickers is not None:
        try:
            tickers = cli.ticker_list(",".join(request.tickers))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"tickers: {exc}") from None
        flags += ["--tickers", ",".join(tickers)]
    if request.years is not None:
        flags += ["--years", str(request.years)]
    if request.feature_mode is not None:
        flags += ["--feature-mode", request.feature_mode.value]
    if request.model_kind is not None:
        flags += ["--model", request.model_kind.value]
    if request.portfolio_rule is not None:
        if request.kind is not JobKind.BACKTEST:
            raise UsageError("portfolio_rule applies to backtest jobs only")
        flags += ["--rule", request.portfolio_rule.value]
    if request.seed is not None:
        flags += ["--seed", str(request.seed)]
    module = f"quant_engine.{ENGINE_SCRIPTS[request.kind]}"
    return [sys.executable, "-m", module, *flags, "--quiet", "--output-dir", str(output_dir)]


def child_env() -> dict[str, str]:
    """The server's environment without the API key, with this quant_engine importable."""
    env = {k: v for k, v in os.environ.items() if k != API_KEY_ENV_VAR}
    root = str(layout.package_dir().parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def last_line(path: Path) -> str | None:
    """The last non-empty line of a log file (the engine's one-line error), shortened."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    found = next((line.strip() for line in reversed(lines) if line.strip()), None)
    return found[:MAX_ERROR_CHARS] if found else None


def find_run_id(script: str, output_dir: Path, since: datetime) -> str | None:
    """Id of the ``script`` run started at or after ``since`` that writes to ``output_dir``."""
    found = store.scan(layout.manifests_dir(), script=script, since=since, newest_first=False)
    target = str(output_dir)
    return next(
        (m.run_id for _, m in found.entries if m.cli_args.get("output_dir") == target), None
    )


@dataclass
class JobRecord:
    """A job and what the server needs to run it."""

    job: Job
    output_dir: Path
    stop_reason: str | None = None


class JobManager:
    """Queue, run and remember compute jobs; one worker thread per concurrent job, one process each.

    How many run at once, wait, are remembered, and how long one may take come from ``settings``.
    """

    def __init__(self, settings: ApiSettings, *, command: JobCommand = engine_argv) -> None:
        self.settings = settings
        self.command = command
        self.pool = ThreadPoolExecutor(
            max_workers=settings.max_concurrent_jobs, thread_name_prefix="qe-job"
        )
        self.lock = threading.Lock()
        self.records: dict[str, JobRecord] = {}
        self.closed = False

    @property
    def capacity(self) -> int:
        """How many jobs may be running or queued at once."""
        return self.settings.max_concurrent_jobs + self.settings.max_queued_jobs

    def submit(self, request: JobRequest) -> Job:
        """Validate and queue a job; TooManyJobsError when the queue is full."""
        job_id = f"j-{secrets.token_hex(JOB_ID_BYTES)}"
        output_dir = layout.api_jobs_dir() / job_id
        engine_argv(request, output_dir)  # refuses what the engine cannot run, before queueing
        job = Job(
            job_id=job_id,
            kind=request.kind,
            status=JobStatus.QUEUED,
            request=request,
            submitted_at=datetime.now(UTC),
        )
        with self.lock:
            if self.closed:
                raise QuantEngineError("the server is shutting down: job not accepted")
            pending = sum(r.job.status not in FINAL for r in self.records.values())
            if pending >= self.capacity:
                raise TooManyJobsError(
                    f"{pending} jobs are already queued or running (limit "
                    f"{self.capacity}); try again later"
                )
            self.records[job_id] = JobRecord(job, output_dir)
            self.forget_old()
        try:
            self.pool.submit(self.run, job_id)
        except RuntimeError:  # the pool shut down between the check above and here
            self.update_final(job_id, SHUT_DOWN_QUEUED)
            return self.get(job_id)
        return job

    def get(self, job_id: str) -> Job:
        """A job by id; NotFoundError when unknown (or forgotten)."""
        with self.lock:
            record = self.records.get(job_id)
            if record is None:
                raise NotFoundError(f"no job {job_id!r} on this server")
            return record.job

    def jobs(self) -> list[Job]:
        """Every remembered job, newest first."""
        with self.lock:
            return [r.job for r in reversed(self.records.values())]

    def counts(self) -> dict[JobStatus, int]:
        """Number of remembered jobs in each status."""
        with self.lock:
            found = dict.fromkeys(JobStatus, 0)
            for record in self.records.values():
                found[record.job.status] += 1
            return found

    def update(self, job_id: str, **changes: object) -> None:
        """Replace fields of a job's record (under the lock)."""
        with self.lock:
            record = self.records[job_id]
            record.job = record.job.model_copy(update=changes)

    def forget_old(self) -> None:
        """Drop the oldest finished jobs beyond ``history`` (caller holds the lock)."""
        finished = [k for k, r in self.records.items() if r.job.status in FINAL]
        for job_id in finished[: max(0, len(finished) - self.settings.job_history)]:
            del self.records[job_id]

    def run(self, job_id: str) -> None:
        """Worker: start the job's process, wait for it, record the outcome."""
        with self.lock:
            record = self.records[job_id]
            if self.closed:
                record.job = finished(record.job, SHUT_DOWN_QUEUED)
                return
        started = datetime.now(UTC)
        self.update(job_id, status=JobStatus.RUNNING, started_at=started)
        try:
            code = self.execute(record, started)
        except Exception as exc:  # a job must end in a final state whatever happens
            self.update_final(job_id, f"could not run the job: {type(exc).__name__}: {exc}")
            return
        error = record.stop_reason
        if error is None and code != 0:
            error = last_line(record.output_dir / LOG_NAME) or f"exited with code {code}"
        self.update_final(job_id, error)

    def execute(self, record: JobRecord, started: datetime) -> int:
        """Run the process to completion (or timeout / shutdown); its exit code."""
        record.output_dir.mkdir(parents=True, exist_ok=True)
        argv = self.command(record.job.request, record.output_dir)
        script = ENGINE_SCRIPTS[record.job.kind]
        deadline = time.monotonic() + self.settings.job_timeout_s
        with (record.output_dir / LOG_NAME).open("wb") as log_file:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=record.output_dir,
                env=child_env(),
            )
            while True:
                try:
                    code = process.wait(timeout=POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if record.job.run_id is None:
                    self.link_run(record, script, started)
                if self.closed:
                    record.stop_reason = SHUT_DOWN_RUNNING
                    stop(process)
                elif time.monotonic() > deadline:
                    record.stop_reason = f"timed out after {self.settings.job_timeout_s:g} s"
                    stop(process)
        if record.job.run_id is None:
            self.link_run(record, script, started)
        return code

    def link_run(self, record: JobRecord, script: str, started: datetime) -> None:
        """Record the run id once the job's manifest exists."""
        run_id = find_run_id(script, record.output_dir, started.replace(microsecond=0))
        if run_id is not None:
            self.update(record.job.job_id, run_id=run_id)

    def update_final(self, job_id: str, error: str | None) -> None:
        """Mark a job succeeded (no error) or failed with a one-line error."""
        with self.lock:
            record = self.records[job_id]
            record.job = finished(record.job, error)
            self.forget_old()

    def shutdown(self) -> None:
        """Stop accepting jobs, stop running processes, fail queued jobs, join the workers."""
        with self.lock:
            self.closed = True  # each worker stops its process at its next poll
        self.pool.shutdown(wait=True, cancel_futures=True)
        with self.lock:
            for record in self.records.values():
                if record.job.status is JobStatus.QUEUED:
                    record.job = finished(record.job, SHUT_DOWN_QUEUED)


def finished(job: Job, error: str | None) -> Job:
    """``job`` in its final status: succeeded without an error, else failed with it."""
    status = JobStatus.SUCCEEDED if error is None else JobStatus.FAILED
    return job.model_copy(
        update={
            "status": status,
            "finished_at": datetime.now(UTC),
            "progress": 1.0 if error is None else job.progress,
            "error": error,
        }
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the engine records the run as interrupted), then SIGKILL after a grace period."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=TERMINATE_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
