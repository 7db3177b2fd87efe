"""Find a run's manifest from what a user types: a path, ``latest[:script]``, a run id or a
unique prefix of one.

Sits above both the manifest folder (:mod:`~quant_engine.runs.store`) and the run index
(:mod:`~quant_engine.runs.index`, built on the folder), so a lookup can trust the latest
pointers and otherwise ask the index.
"""

from __future__ import annotations

from pathlib import Path

from quant_engine.errors import DataError, UsageError
from quant_engine.runs import index, store
from quant_engine.runs.manifest import RunStatus


def find_manifest(directory: Path, ref: str) -> Path:
    """The manifest named by ``ref``: a path, ``latest[:script]``, a run id or a unique prefix."""
    as_path = Path(ref).expanduser()
    if as_path.suffix == ".json" and as_path.is_file():
        return as_path
    if ref == "latest" or ref.startswith("latest:"):
        script = ref.partition(":")[2] or None
        found = latest_success(directory, script)
        if found is None:
            of = f" of {script}" if script else ""
            raise UsageError(f"no finished successful run{of} in {directory}")
        return found
    matches = index.run_paths(directory, ref)
    if not matches:
        raise UsageError(f"no run matches {ref!r} in {directory}")
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches[:3])
        raise UsageError(f"{ref!r} is ambiguous: {len(matches)} runs match ({names}, ...)")
    return matches[0]


def latest_success(directory: Path, script: str | None = None) -> Path | None:
    """The manifest of the newest successful (non-verify) run, of ``script`` if given.

    The latest pointer when it designates such a run (it normally does), else the run index's
    newest, so a pointer left on another run by an older version of the engine is not trusted.
    """
    pointer = directory / store.latest_name(script)
    try:
        manifest = store.load_manifest(pointer)
    except DataError:
        manifest = None
    if manifest is not None and manifest.status is RunStatus.SUCCESS and not manifest.verify_of:
        return pointer.resolve()
    rows = index.query(directory, script=script, status=RunStatus.SUCCESS, verify=False, limit=1)
    return rows.rows[0].path if rows.rows else None
