"""Run manifests for the API: list with filters, look up one, find the latest successful run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from quant_engine import config, layout
from quant_engine.api.errors import NotFoundError
from quant_engine.api.schemas.runs import RunList, RunManifest, RunStatus, RunSummary
from quant_engine.errors import DataError, UsageError
from quant_engine.runs import index, lookup, store
from quant_engine.runs.index import RunRow

REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,200}$")


def run_summary(row: RunRow) -> RunSummary:
    """The list form of a run's index row."""
    return RunSummary(
        run_id=row.run_id,
        script=row.script,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        duration_s=row.duration_s,
        model_version=row.model_version,
        verify_of=row.verify_of,
        result=row.result,
        error=row.error,
    )


def list_runs(*, script: str | None, status: RunStatus | None, limit: int, offset: int) -> RunList:
    """Runs newest first, filtered by script and status, one page of them (from the run index)."""
    found = index.query(
        layout.manifests_dir(), script=script, status=status, limit=limit, offset=offset
    )
    return RunList(
        runs=[run_summary(row) for row in found.rows],
        total=found.total,
        unreadable=[path.name for path in found.unreadable],
    )


def find_path(ref: str) -> Path:
    """The manifest file of a run id, unique prefix, file name or ``latest[:script]``."""
    if not REF_RE.match(ref):
        raise UsageError(f"not a run reference: {ref!r}")
    ref = ref.removesuffix(".json")  # a file name is matched by its stem, never opened as a path
    try:
        return lookup.find_manifest(layout.manifests_dir(), ref)
    except UsageError as exc:
        if "ambiguous" in str(exc):
            raise
        raise NotFoundError(f"no run matches {ref!r}") from None


def get_manifest(ref: str) -> RunManifest:
    """The manifest a reference names; 404 when none does."""
    return store.load_manifest(find_path(ref))


def latest_success(script: str, missing: str) -> RunManifest:
    """The newest successful, non-verify run of ``script``; NotFoundError(``missing``) if none."""
    path = lookup.latest_success(layout.manifests_dir(), script)
    if path is None:
        raise NotFoundError(missing)
    return store.load_manifest(path)


def successful(script: str) -> Iterator[RunManifest]:
    """Every successful, non-verify run of ``script``, newest first, each read when reached."""
    directory, offset = layout.manifests_dir(), 0
    while True:
        page = index.query(
            directory,
            script=script,
            status=RunStatus.SUCCESS,
            verify=False,
            limit=config.API_LIST_LIMIT,
            offset=offset,
        ).rows
        for row in page:
            try:
                yield store.load_manifest(row.path)
            except DataError:
                continue  # removed since the index was read
        if len(page) < config.API_LIST_LIMIT:
            return
        offset += len(page)


def require_run(manifest: RunManifest, script: str, what: str) -> None:
    """NotFoundError unless ``manifest`` is a successful run of ``script``."""
    if manifest.script != script:
        raise NotFoundError(f"run {manifest.run_id} is a {manifest.script} run, not {what}")
    if manifest.status is not RunStatus.SUCCESS:
        raise NotFoundError(
            f"run {manifest.run_id} ended {manifest.status.value}: it has no {what} results"
        )


def output_path(manifest: RunManifest, name: str) -> Path:
    """The file a run recorded under ``name``; a relative path is inside the data home."""
    for output in manifest.outputs:
        if output.name == name:
            path = Path(output.path)
            return path if path.is_absolute() else layout.data_home() / path
    raise DataError(f"run {manifest.run_id} recorded no {name!r} output")
