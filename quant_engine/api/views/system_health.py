"""System health: one check per component, each ok, degraded (still serving) or down.

Empty states (no data cached, no model trained, no runs yet) are ``ok`` with a note: nothing is
broken. ``degraded`` means something that should work does not (a latest run that failed or
died, a model pointer to a missing version, unreadable manifests, a full job queue); ``down``
that the data home cannot be written.
"""

from __future__ import annotations

import contextlib
import functools
import platform
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import quant_engine
from quant_engine import config, layout
from quant_engine.api.job_manager import JobManager
from quant_engine.api.schemas.compute import JobStatus
from quant_engine.api.schemas.system_health import ComponentHealth, HealthStatus, SystemHealth
from quant_engine.errors import QuantEngineError, error_line
from quant_engine.runs import index
from quant_engine.runs.manifest import RunStatus

Check = Callable[[], tuple[HealthStatus, str]]
SEVERITY = {HealthStatus.OK: 0, HealthStatus.DEGRADED: 1, HealthStatus.DOWN: 2}
RUNTIME_PACKAGES = ("fastapi", "pydantic", "uvicorn")


def worst(statuses: list[HealthStatus]) -> HealthStatus:
    """The most severe status (ok when there is none)."""
    return max(statuses, key=SEVERITY.__getitem__, default=HealthStatus.OK)


@functools.cache
def check_runtime() -> tuple[HealthStatus, str]:
    """Versions of the interpreter, the engine and the server libraries (read once)."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"quant_engine {quant_engine.__version__}", f"python {platform.python_version()}"]
    for name in RUNTIME_PACKAGES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} missing")
    return HealthStatus.OK, ", ".join(parts)


def check_data_home() -> tuple[HealthStatus, str]:
    """The data home exists (or can be created) and accepts a new file."""
    home = layout.data_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as exc:
        return HealthStatus.DOWN, f"data home {home} is not writable ({exc.strerror or exc})"
    return HealthStatus.OK, f"{home} is writable"


def check_cache() -> tuple[HealthStatus, str]:
    """Tickers cached per source."""
    from quant_engine.data.local_cache import LocalCache

    store = LocalCache()
    counts = {name: len(store.tickers(name)) for name in config.DATA_SOURCES}
    listed = ", ".join(f"{name} {count}" for name, count in counts.items())
    note = "" if any(counts.values()) else " (empty: engine runs fill it on first use)"
    return HealthStatus.OK, f"tickers cached: {listed}{note}"


Fingerprint = tuple[tuple[str, int, int, int], ...]
"""``(path, inode, mtime_ns, size)`` of every file in the model registry's top two levels."""


@dataclass
class VerifiedModels:
    """The last model check and the registry files it saw: a check is redone only when they
    change, so requests do not re-hash model files that nobody touched."""

    fingerprint: Fingerprint | None = None
    outcome: tuple[HealthStatus, str] = (HealthStatus.OK, "")
    lock: threading.Lock = field(default_factory=threading.Lock)


MODEL_CHECK = VerifiedModels()


def registry_fingerprint(root: Path) -> Fingerprint:
    """Stat of the registry's pointers and version files (a changed file changes it)."""
    if not root.is_dir():
        return ()
    found = []
    for path in sorted([*root.iterdir(), *root.glob("*/*")]):
        with contextlib.suppress(OSError):
            stat = path.stat()
            found.append((str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def verify_models() -> tuple[HealthStatus, str]:
    """The registry's current versions exist and their files match their ids (re-hashed)."""
    from quant_engine.models.registry import ModelRegistry

    registry = ModelRegistry()
    known = registry.known_ids()
    current = registry.current_version()
    if current is None:
        return HealthStatus.OK, f"no model trained yet ({len(known)} versions): run qe-train"
    if current not in known:
        return HealthStatus.DEGRADED, f"current model {current} is missing from the registry"
    for version in sorted({current, *registry.currents().values()}):
        try:
            registry.load(version)
        except QuantEngineError as exc:
            return HealthStatus.DEGRADED, error_line(exc)
    return HealthStatus.OK, f"current model {current} ({len(known)} versions, files verified)"


def check_models() -> tuple[HealthStatus, str]:
    """:func:`verify_models`, redone only when a file of the registry changed."""
    fingerprint = registry_fingerprint(layout.models_dir())
    with MODEL_CHECK.lock:
        if MODEL_CHECK.fingerprint != fingerprint:
            MODEL_CHECK.outcome = verify_models()
            MODEL_CHECK.fingerprint = fingerprint
        return MODEL_CHECK.outcome


def check_runs() -> tuple[HealthStatus, str]:
    """The newest run of each script; degraded if it failed or died, or a manifest is unreadable.

    Rejected invocations (bad usage, nothing ran) and verify re-runs are not counted.
    """
    found = index.latest_by_script(layout.manifests_dir())
    newest = found.rows
    parts = [f"{row.script} {row.status.value} ({row.run_id})" for row in newest]
    bad = [row for row in newest if row.status in (RunStatus.FAILED, RunStatus.DEAD)]
    if found.unreadable:
        parts.append(f"{len(found.unreadable)} unreadable manifest(s)")
    status = HealthStatus.DEGRADED if bad or found.unreadable else HealthStatus.OK
    return status, "; ".join(parts) if parts else "no runs recorded yet"


def job_check(jobs: JobManager) -> Check:
    """Queue depth of the job manager; degraded when no job can be accepted."""

    def check() -> tuple[HealthStatus, str]:
        counts = jobs.counts()
        running, queued = counts[JobStatus.RUNNING], counts[JobStatus.QUEUED]
        full = running + queued >= jobs.capacity
        at_once = jobs.settings.max_concurrent_jobs
        detail = f"{running} running, {queued} queued (at most {at_once} at once)"
        return (HealthStatus.DEGRADED if full else HealthStatus.OK), detail

    return check


def component(name: str, check: Check) -> ComponentHealth:
    """Run one check, timing it; an engine error makes the component degraded."""
    started = time.perf_counter()
    try:
        status, detail = check()
    except QuantEngineError as exc:
        status, detail = HealthStatus.DEGRADED, error_line(exc)
    except OSError as exc:
        status, detail = HealthStatus.DEGRADED, f"{type(exc).__name__}: {exc.strerror or exc}"
    elapsed = round((time.perf_counter() - started) * 1000, 3)
    return ComponentHealth(
        name=name,
        status=status,
        detail=detail,
        latency_ms=elapsed,
        checked_at=datetime.now(UTC),
    )


def system_health(jobs: JobManager, started: float) -> SystemHealth:
    """Every component's health; the overall status is the worst of them."""
    checks: dict[str, Check] = {
        "runtime": check_runtime,
        "data_home": check_data_home,
        "cache": check_cache,
        "model_registry": check_models,
        "runs": check_runs,
        "jobs": job_check(jobs),
    }
    components = [component(name, check) for name, check in checks.items()]
    return SystemHealth(
        status=worst([c.status for c in components]),
        version=quant_engine.__version__,
        uptime_s=max(0.0, time.monotonic() - started),
        components=components,
        checked_at=datetime.now(UTC),
    )
