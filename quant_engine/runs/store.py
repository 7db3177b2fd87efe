"""The manifest folder: unique atomic writes, forward-only latest pointers, listing, prune.

Names: ``run_manifest_<UTC µs timestamp>_<script>_<short id>.json``, created exclusively (a
collision is an error). A run's manifest is written ``running`` at start and rewritten in place
(atomic ``os.replace`` under the same name, only ever by the run it belongs to) when it ends.
``run_manifest_latest.json`` and ``run_manifest_latest_<script>.json`` designate the newest
finished successful run (of any script / of that script): symlinks swapped by rename (an atomic
copy where symlinks fail) that only move to a successful run with a larger run id (a later
start), under an ``flock`` on ``.run_manifest.lock``, so runs finishing out of order cannot move
them back.

Reading a ``running`` manifest whose process is gone gives status ``dead`` (see
:mod:`quant_engine.runs.liveness`); the file itself is left as its run wrote it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from quant_engine import config, layout
from quant_engine.errors import DataError, UsageError, error_line
from quant_engine.runs import liveness
from quant_engine.runs.manifest import FINISHED, ModelRole, RunManifest, RunStatus
from quant_engine.runs.redaction import scrub_secret_values, secret_env_values
from quant_engine.utils import atomic

MANIFEST_PREFIX = "run_manifest_"
LATEST_NAME = "run_manifest_latest.json"
LOCK_NAME = ".run_manifest.lock"
_LATEST_RE = re.compile(r"^run_manifest_latest(_.+)?\.json$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")
_THREAD_LOCK = threading.Lock()


def latest_name(script: str | None = None) -> str:
    """File name of the global latest pointer, or of one script's."""
    return LATEST_NAME if script is None else f"run_manifest_latest_{safe_name(script)}.json"


def is_latest_name(name: str) -> bool:
    """True for the names of latest pointers."""
    return bool(_LATEST_RE.match(name))


def safe_name(text: str) -> str:
    """``text`` reduced to characters safe in a file name."""
    return _UNSAFE.sub("_", text).strip("._") or "run"


def manifest_filename(manifest: RunManifest) -> str:
    """``run_manifest_<timestamp>_<script>_<short id>.json`` from the run id."""
    timestamp, _, rest = manifest.run_id.partition("-")
    short = rest.rpartition("-")[2]
    return f"{MANIFEST_PREFIX}{timestamp}_{safe_name(manifest.script)}_{short}.json"


def dump_manifest(manifest: RunManifest) -> bytes:
    """The manifest's JSON, with hidden variables' values and URL credentials scrubbed."""
    data = scrub_secret_values(manifest.model_dump(mode="json"), secret_env_values(os.environ))
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def load_manifest(path: Path) -> RunManifest:
    """Read and validate one manifest, ``dead`` if it is running in a process that is gone.

    DataError naming the file when it is not a manifest.
    """
    try:
        manifest = RunManifest.model_validate_json(Path(path).read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        first = error_line(exc)
        raise DataError(f"{path}: not a readable run manifest ({first})") from None
    if manifest.status is RunStatus.RUNNING and not is_alive(manifest):
        return manifest.model_copy(update={"status": RunStatus.DEAD})
    return manifest


def is_alive(manifest: RunManifest) -> bool:
    """True while the process that records a ``running`` manifest still runs."""
    environment = manifest.environment
    return manifest.status is RunStatus.RUNNING and liveness.is_alive(
        environment.pid, environment.hostname, manifest.process_start
    )


@contextlib.contextmanager
def directory_lock(directory: Path) -> Iterator[None]:
    """Exclusive lock over a manifest folder (flock on a lock file; threads and processes)."""
    with _THREAD_LOCK:
        if sys.platform == "win32":
            yield
            return
        import fcntl

        fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def write_new(
    manifest: RunManifest, directory: Path, filename: str | None = None, *, durable: bool = True
) -> Path:
    """Create the manifest's file atomically and exclusively; FileExistsError on a collision."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (filename or manifest_filename(manifest))
    return atomic.create_exclusive(path, dump_manifest(manifest), durable=durable)


def publish(
    manifest: RunManifest, directory: Path, filename: str | None = None, *, durable: bool = True
) -> Path:
    """Write a new manifest and, for a successful run, move the latest pointers to it."""
    path = write_new(manifest, directory, filename, durable=durable)
    update_latest(directory, path, manifest)
    return path


def rewrite(manifest: RunManifest, path: Path) -> None:
    """Atomically replace a run's own manifest; refuses a file that belongs to another run."""
    try:
        current = json.loads(path.read_bytes()).get("run_id")
    except FileNotFoundError:
        atomic.create_exclusive(path, dump_manifest(manifest))
        return
    except (OSError, ValueError, AttributeError):
        current = None
    if current != manifest.run_id:
        raise FileExistsError(f"{path} belongs to run {current!r}, not {manifest.run_id!r}")
    atomic.write_bytes_atomic(path, dump_manifest(manifest))


def pointer_run_id(pointer: Path) -> str | None:
    """Run id a latest pointer designates, or None when missing, dangling or unreadable."""
    try:
        run_id = json.loads(pointer.read_bytes()).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return run_id if isinstance(run_id, str) else None


def point(pointer: Path, path: Path) -> None:
    """Make ``pointer`` designate ``path`` (same folder): symlink swap, else an atomic copy."""
    try:
        atomic.replace_symlink(pointer, path.name)
    except (OSError, NotImplementedError):
        atomic.write_bytes_atomic(pointer, path.read_bytes())


def update_latest(directory: Path, path: Path, manifest: RunManifest) -> None:
    """Move the global and the script's latest pointer to a successful run's ``path``.

    Nothing moves for other statuses, for verify re-runs, or past a newer run a pointer shows.
    """
    if manifest.status is not RunStatus.SUCCESS or manifest.verify_of is not None:
        return
    with directory_lock(directory):
        for name in (latest_name(), latest_name(manifest.script)):
            pointer = directory / name
            current = pointer_run_id(pointer)
            if current is not None and current > manifest.run_id:
                continue
            if pointer.is_symlink() and os.readlink(pointer) == path.name:
                continue  # already there; the symlink shows the rewritten content
            point(pointer, path)


@dataclass
class Scan:
    """The manifests of a folder in run-id order, and the files that failed to parse."""

    entries: list[tuple[Path, RunManifest]] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Listing:
    """The JSON files of a manifest folder by kind, each sorted by name; nothing is read."""

    manifests: list[Path]
    pointers: list[Path]


def list_folder(directory: Path) -> Listing:
    """Manifest files and latest pointers of ``directory`` (other symlinks, temp files left out)."""
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    pointers = [path for path in paths if is_latest_name(path.name)]
    manifests = [
        path
        for path in paths
        if not (is_latest_name(path.name) or path.is_symlink() or path.name.startswith("."))
    ]
    return Listing(manifests=manifests, pointers=pointers)


def name_stamp(since: datetime) -> str:
    """The file-name prefix of manifests of runs started in the second of ``since``."""
    return f"{MANIFEST_PREFIX}{since:%Y%m%dT%H%M%S}"


def scan(
    directory: Path,
    *,
    script: str | None = None,
    status: RunStatus | None = None,
    since: datetime | None = None,
    newest_first: bool = True,
) -> Scan:
    """Load the manifests of ``directory`` (pointers and temp files excluded), newest first.

    ``script`` and ``status`` keep the runs of that script / in that status; ``since`` keeps the
    files named for runs started at or after it (whole seconds) without reading the others.
    """
    result = Scan()
    stamp = name_stamp(since) if since is not None else ""
    for path in list_folder(directory).manifests:
        if path.name < stamp:
            continue
        try:
            manifest = load_manifest(path)
        except DataError:
            result.unreadable.append(path)
            continue
        if (script is None or manifest.script == script) and (
            status is None or manifest.status is status
        ):
            result.entries.append((path, manifest))
    result.entries.sort(key=lambda entry: entry[1].run_id, reverse=newest_first)
    return result


def protected_run_ids(directory: Path) -> set[str]:
    """Run ids that latest pointers designate: prune never removes them."""
    pointers = list_folder(directory).pointers
    return {run_id for p in pointers if (run_id := pointer_run_id(p)) is not None}


def models_in_use() -> set[str]:
    """Model versions the registry serves: the ids its current-model pointers name (one per
    feature mode, and the one made current last).

    Read as files because the registry's code sits in a layer above run records.
    """
    versions = set()
    for pointer in layout.model_pointer_paths():
        try:
            text = pointer.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if text:
            versions.add(text)
    return versions


def writes_model(manifest: RunManifest, versions: set[str]) -> bool:
    """True when the run wrote one of the model ``versions``."""
    return any(m.role is ModelRole.WRITTEN and m.version_id in versions for m in manifest.models)


def prune(
    directory: Path,
    keep: int,
    *,
    script: str | None = None,
    per_script: bool = True,
    dry_run: bool = False,
) -> list[Path]:
    """Remove all but the newest ``keep`` finished runs of each script (or overall); return them.

    Only finished runs (success, failed, interrupted) count towards ``keep``; dead and rejected
    runs beyond them go. Never removed: a ``running`` run whose process is alive, targets of
    latest pointers, and the run that wrote a model version the registry serves. Temp files of
    interrupted writes older than ``config.MANIFEST_STALE_TEMP_S`` go too.
    """
    if keep < 0:
        raise UsageError(f"--keep must be >= 0, got {keep}")
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    with directory_lock(directory):
        protected = protected_run_ids(directory)
        in_use = models_in_use()
        seen: dict[str, int] = {}
        for path, manifest in scan(directory, script=script).entries:
            if manifest.status is RunStatus.RUNNING:  # alive: load_manifest says dead otherwise
                continue
            if manifest.status in FINISHED:
                group = manifest.script if per_script else ""
                seen[group] = seen.get(group, 0) + 1
                if seen[group] <= keep:
                    continue
            if manifest.run_id in protected or writes_model(manifest, in_use):
                continue
            removed.append(path)
        cutoff = time.time() - config.MANIFEST_STALE_TEMP_S
        for tmp in directory.glob(".*.tmp"):
            if atomic.is_temp_name(tmp.name) and tmp.lstat().st_mtime < cutoff:
                removed.append(tmp)
        if not dry_run:
            for path in removed:
                path.unlink(missing_ok=True)
    return removed
