"""One summary row per run, kept in a SQLite index beside the manifests: what lists and tables show.

A row holds what a run list needs without the whole manifest: script, status, times, commit,
model, data digest and the scalar leaves of ``resolved`` (settings) and ``result`` (metrics),
flattened to dotted keys.

The manifest files stay the source of truth. The index (``config.RUN_INDEX_NAME`` in the manifest
folder, SQLite in WAL mode) remembers each file's name, ``mtime_ns`` and size with its row; every
:func:`query` first lists the folder and re-reads only the files that appeared or changed, and
drops the rows of files that went. An index that is corrupt or of another schema is deleted and
rebuilt; one that cannot be opened or written (a read-only data home) is bypassed and the files
are read directly. Deleting the index is always safe.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import JsonValue, ValidationError

from quant_engine import config
from quant_engine.errors import UsageError, first_line
from quant_engine.runs import liveness, store
from quant_engine.runs.manifest import RunManifest, RunStatus

__all__ = [
    "Condition",
    "RowQuery",
    "RunRow",
    "Scalar",
    "flatten_scalars",
    "index_path",
    "latest_by_script",
    "query",
    "query_files",
    "rebuild",
    "row_of",
    "run_ids",
    "run_paths",
]

Scalar = str | int | float | bool | None
"""A leaf value of a run's settings or metrics."""

SCHEMA_VERSION = 2
"""Bumped whenever the table changes: an index of another version is rebuilt from the files."""

COLUMNS = (
    "name",
    "mtime_ns",
    "size",
    "readable",
    "run_id",
    "script",
    "status",
    "started_at",
    "finished_at",
    "duration_s",
    "git_commit",
    "model_version",
    "data_digest",
    "verify_of",
    "error",
    "pid",
    "hostname",
    "process_start",
    "settings",
    "metrics",
    "result",
)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS runs (
    name TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
    readable INTEGER NOT NULL, run_id TEXT, script TEXT, status TEXT, started_at TEXT,
    finished_at TEXT, duration_s REAL, git_commit TEXT, model_version TEXT, data_digest TEXT,
    verify_of TEXT, error TEXT, pid INTEGER, hostname TEXT, process_start TEXT,
    settings TEXT, metrics TEXT, result TEXT
);
CREATE TABLE IF NOT EXISTS folder (
    id INTEGER PRIMARY KEY CHECK (id = 1), mtime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,
    listed_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_id ON runs (readable, run_id);
CREATE INDEX IF NOT EXISTS runs_by_script ON runs (script, readable, run_id);
PRAGMA user_version = {SCHEMA_VERSION};
"""
INSERT = (
    f"INSERT OR REPLACE INTO runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
)
ROW_COLUMNS = ", ".join(COLUMNS[4:])

QUIET_NS = 1_000_000_000
"""A folder changed less than this before it was listed may change again unseen within the same
timestamp tick: the next read lists it again rather than trusting its mtime."""

Stat = tuple[int, int]
"""``(mtime_ns, size)`` of a manifest file: a change in either means it is read again."""


@dataclass(frozen=True)
class RunRow:
    """The summary of one run: identity, times, provenance, flattened settings and metrics."""

    path: Path
    run_id: str
    script: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    git_commit: str | None
    model_version: str | None
    data_digest: str | None
    settings: dict[str, Scalar] = field(default_factory=dict)
    metrics: dict[str, Scalar] = field(default_factory=dict)
    verify_of: str | None = None
    error: str | None = None
    result_json: str = field(default="{}", repr=False)

    @property
    def result(self) -> dict[str, JsonValue]:
        """The run's ``result`` as its manifest nests it (decoded when asked for)."""
        found: dict[str, JsonValue] = json.loads(self.result_json)
        return found


@dataclass
class RowQuery:
    """Rows matching a query, newest first unless asked otherwise, and unreadable files.

    ``total`` counts the matching runs before ``offset`` and ``limit`` took their page.
    """

    rows: list[RunRow] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    total: int = 0


def flatten_scalars(value: JsonValue, prefix: str = "") -> dict[str, Scalar]:
    """Scalar leaves of nested dicts as ``{"a.b": leaf}``; a list of scalars becomes one
    ``,``-joined string (one table cell), a list holding containers is left out."""
    if isinstance(value, dict):
        flat: dict[str, Scalar] = {}
        for key, item in value.items():
            flat.update(flatten_scalars(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        if all(isinstance(item, str | int | float | bool) for item in value):
            return {prefix: ",".join(str(item) for item in value)}
        return {}
    return {prefix: value}


def error_of(manifest: RunManifest) -> str | None:
    """The run's error as one line, None when it did not fail."""
    error = manifest.error
    return first_line(error.message, error.type) if error else None


def row_of(path: Path, manifest: RunManifest) -> RunRow:
    """The summary row of one manifest read from ``path``."""
    return RunRow(
        path=path,
        run_id=manifest.run_id,
        script=manifest.script,
        status=manifest.status,
        started_at=manifest.started_at,
        finished_at=manifest.finished_at,
        duration_s=manifest.duration_s,
        git_commit=manifest.code.commit,
        model_version=manifest.model_version,
        data_digest=manifest.data_digest,
        settings=flatten_scalars(dict(manifest.resolved)),
        metrics=flatten_scalars(dict(manifest.result)),
        verify_of=manifest.verify_of,
        error=error_of(manifest),
        result_json=json.dumps(manifest.result),
    )


def index_path(directory: Path) -> Path:
    """Where the index of the manifest folder ``directory`` lives."""
    return directory / config.RUN_INDEX_NAME


def listing(directory: Path) -> dict[str, Stat]:
    """``{name: (mtime_ns, size)}`` of the manifest files of ``directory`` (no file is read)."""
    found: dict[str, Stat] = {}
    try:
        entries = os.scandir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return found
    with entries:
        for entry in entries:
            name = entry.name
            if not name.endswith(".json") or name.startswith(".") or store.is_latest_name(name):
                continue
            try:
                if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            found[name] = (stat.st_mtime_ns, stat.st_size)
    return found


def record(directory: Path, name: str, stat: Stat) -> tuple[Any, ...]:
    """The index record of one manifest file; an unreadable file is recorded as such."""
    try:
        manifest = RunManifest.model_validate_json((directory / name).read_bytes())
    except (OSError, ValidationError, ValueError):
        return (name, *stat, 0, *([None] * (len(COLUMNS) - 4)))
    environment = manifest.environment
    return (
        name,
        *stat,
        1,
        manifest.run_id,
        manifest.script,
        manifest.status.value,
        manifest.started_at.isoformat(),
        manifest.finished_at.isoformat() if manifest.finished_at else None,
        manifest.duration_s,
        manifest.code.commit,
        manifest.model_version,
        manifest.data_digest,
        manifest.verify_of,
        error_of(manifest),
        environment.pid,
        environment.hostname,
        manifest.process_start,
        json.dumps(flatten_scalars(dict(manifest.resolved))),
        json.dumps(flatten_scalars(dict(manifest.result))),
        json.dumps(manifest.result),
    )


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index at ``path``; DatabaseError when it is not one of ours."""
    try:
        path.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise sqlite3.OperationalError(f"{path.parent}: cannot create ({exc})") from None
    db = sqlite3.connect(
        path, timeout=config.RUN_INDEX_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    try:
        db.execute("PRAGMA journal_mode=WAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE name='runs'").fetchone()[0]
        if tables and version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"{path}: index schema {version}, not {SCHEMA_VERSION}")
        if not tables:
            db.execute("BEGIN IMMEDIATE")
            db.executescript(SCHEMA)  # commits
    except BaseException:
        db.close()
        raise
    return db


def remove_index(path: Path) -> None:
    """Delete the index and its WAL side files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def opened(directory: Path) -> Iterator[sqlite3.Connection]:
    """The folder's index; one of another schema is deleted and created anew."""
    path = index_path(directory)
    try:
        db = connect(path)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:
        remove_index(path)
        db = connect(path)
    try:
        yield db
    finally:
        db.close()


T = TypeVar("T")


def with_index(directory: Path, read: Callable[[sqlite3.Connection], T]) -> T:
    """``read`` on the synced index of ``directory`` (one consistent snapshot of the files).

    A corrupt index is deleted and rebuilt once; sqlite3.Error or OSError when the index cannot
    be used at all (callers then read the files).
    """
    for attempt in (1, 2):
        try:
            with opened(directory) as db:
                sync(db, directory)
                found = read(db)
                db.execute("COMMIT")
                return found
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:  # "malformed", "not a database": never trusted
            if attempt == 2:
                raise
            remove_index(index_path(directory))
    raise AssertionError("unreachable")


def stored(db: sqlite3.Connection) -> dict[str, Stat]:
    """``{name: (mtime_ns, size)}`` of every file the index holds."""
    return {
        name: (mtime, size)
        for name, mtime, size in db.execute("SELECT name, mtime_ns, size FROM runs")
    }


def folder_stat(directory: Path) -> Stat:
    """``(mtime_ns, inode)`` of the folder: creating, replacing or deleting a file changes it."""
    stat = directory.stat()
    return stat.st_mtime_ns, stat.st_ino


def unchanged(db: sqlite3.Connection, directory: Path) -> bool:
    """True when the folder is as the last full listing saw it: same mtime and inode, quiet
    for a while before that listing, and that listing younger than the recheck interval."""
    seen = db.execute("SELECT mtime_ns, ino, listed_ns FROM folder").fetchone()
    if seen is None:
        return False
    mtime_ns, ino, listed_ns = seen
    recheck_ns = config.RUN_INDEX_RECHECK_S * 1e9
    return (
        (mtime_ns, ino) == folder_stat(directory)
        and mtime_ns < listed_ns - QUIET_NS
        and time.time_ns() - listed_ns < recheck_ns
    )


def sync(db: sqlite3.Connection, directory: Path) -> None:
    """Bring the index in line with the files, leaving a transaction open on the result.

    A folder unchanged since the last full listing is trusted as is (files replaced, added or
    removed change the folder's mtime; a file edited in place is seen at the next full listing,
    at most ``config.RUN_INDEX_RECHECK_S`` later). Otherwise, under the write lock, the folder
    is listed and only new or changed files are read.
    """
    db.execute("BEGIN")
    if unchanged(db, directory):
        return
    db.execute("ROLLBACK")
    db.execute("BEGIN IMMEDIATE")
    listed_ns, here = time.time_ns(), folder_stat(directory)  # before listing: a later change shows
    files = listing(directory)
    known = stored(db)
    gone = [(name,) for name in known.keys() - files.keys()]
    if gone:
        db.executemany("DELETE FROM runs WHERE name = ?", gone)
    fresh = [
        record(directory, name, stat) for name, stat in files.items() if known.get(name) != stat
    ]
    if fresh:
        db.executemany(INSERT, fresh)
    db.execute("INSERT OR REPLACE INTO folder VALUES (1, ?, ?, ?)", (*here, listed_ns))


def rebuild(directory: Path) -> int:
    """Delete the folder's index and build it again from the files; the number of rows."""
    remove_index(index_path(directory))
    return with_index(
        directory, lambda db: int(db.execute("SELECT count(*) FROM runs").fetchone()[0])
    )


def status_of(
    raw: str, pid: int | None, hostname: str | None, process_start: str | None
) -> RunStatus:
    """The status readers see: ``running`` reads ``dead`` once its process is gone."""
    status = RunStatus(raw)
    if status is RunStatus.RUNNING and not liveness.is_alive(
        pid or 0, hostname or "", process_start
    ):
        return RunStatus.DEAD
    return status


def to_row(directory: Path, values: tuple[Any, ...]) -> RunRow:
    """A :class:`RunRow` from the index columns after ``readable``."""
    (
        run_id,
        script,
        status,
        started,
        finished,
        duration,
        commit,
        model,
        digest,
        verify_of,
        error,
        pid,
        hostname,
        process_start,
        settings,
        metrics,
        result,
        name,
    ) = values
    return RunRow(
        path=directory / name,
        run_id=run_id,
        script=script,
        status=status_of(status, pid, hostname, process_start),
        started_at=datetime.fromisoformat(started),
        finished_at=datetime.fromisoformat(finished) if finished else None,
        duration_s=duration,
        git_commit=commit,
        model_version=model,
        data_digest=digest,
        settings=json.loads(settings),
        metrics=json.loads(metrics),
        verify_of=verify_of,
        error=error,
        result_json=result,
    )


Condition = tuple[str, str, Scalar]
"""``(key, operator, value)`` of a ``where`` filter: ``("metrics.sharpe", ">", 0.5)``."""

OPERATORS = ("<", "<=", ">", ">=", "=", "!=")
ROW_KEYS = ("run_id", "script", "status", "started_at", "finished_at", "duration_s")
"""Keys that name a row's own column; any other key is a settings or metrics key."""


def key_sql(key: str) -> tuple[str, list[Scalar]]:
    """SQL for a key's value: the row's column, else the metric, else the setting of that name."""
    if key in ROW_KEYS:
        return key, []
    path = '$."' + key + '"'
    return "coalesce(json_extract(metrics, ?), json_extract(settings, ?))", [path, path]


def condition_sql(condition: Condition) -> tuple[str, list[Scalar]]:
    """SQL for one condition; numbers compare with numbers, text with text, as in Python."""
    key, op, value = condition
    if op not in OPERATORS:
        raise UsageError(f"where: operator {op!r} is not one of {', '.join(OPERATORS)}")
    expr, args = key_sql(key)
    kinds = "'integer', 'real'" if isinstance(value, int | float) else "'text'"
    return f"(typeof({expr}) IN ({kinds}) AND {expr} {op} ?)", [*args, *args, value]


def value_of(row: RunRow, key: str) -> Scalar:
    """A row's value for ``key`` (see :func:`key_sql`), the Python side of the same rule."""
    if key in ROW_KEYS:
        found = getattr(row, key)
        if isinstance(found, datetime):
            return found.isoformat()
        return found.value if isinstance(found, RunStatus) else found
    return row.metrics.get(key, row.settings.get(key))


def matches(row: RunRow, condition: Condition) -> bool:
    """True when the row meets one condition (no match across numbers and text)."""
    key, op, value = condition
    found = value_of(row, key)
    numbers = isinstance(found, int | float) and isinstance(value, int | float)
    if not (numbers or (isinstance(found, str) and isinstance(value, str))):
        return False
    compare: Callable[[Any, Any], bool] = {
        "<": operator.lt,
        "<=": operator.le,
        ">": operator.gt,
        ">=": operator.ge,
        "=": operator.eq,
        "!=": operator.ne,
    }[op]
    return bool(compare(found, value))


def order_sql(order_by: str | None, newest_first: bool) -> tuple[str, list[Scalar]]:
    """ORDER BY for ``order_by`` (a key, ``-key`` descending; missing values last), run id
    breaking ties; by run id alone without one."""
    by_id = "run_id DESC" if newest_first else "run_id ASC"
    if not order_by:
        return by_id, []
    key = order_by.removeprefix("-")
    expr, args = key_sql(key)
    way = "DESC" if order_by.startswith("-") else "ASC"
    return f"{expr} IS NULL, {expr} {way}, {by_id}", [*args, *args]


def sort_key(row: RunRow, key: str) -> tuple[bool, int, float | str]:
    """Sort key of one row for :func:`order_sql`'s order in Python (numbers before text)."""
    found = value_of(row, key)
    if isinstance(found, int | float):
        return (False, 0, float(found))
    return (found is None, 1, "" if found is None else str(found))


def ordered(rows: list[RunRow], order_by: str | None) -> list[RunRow]:
    """``rows`` (already by run id) sorted by ``order_by`` as :func:`order_sql` would."""
    if not order_by:
        return rows
    key = order_by.removeprefix("-")
    present = [r for r in rows if value_of(r, key) is not None]
    missing = [r for r in rows if value_of(r, key) is None]
    present.sort(key=lambda r: sort_key(r, key), reverse=order_by.startswith("-"))
    return present + missing


def select(
    db: sqlite3.Connection,
    directory: Path,
    *,
    script: str | None,
    status: RunStatus | None,
    since: datetime | None,
    newest_first: bool,
    limit: int | None,
    offset: int,
    verify: bool | None,
    where: Sequence[Condition],
    order_by: str | None,
) -> RowQuery:
    """The query against a synced index."""
    clauses: list[str] = ["readable = 1"]
    args: list[Scalar] = []
    if script is not None:
        clauses.append("script = ?")
        args.append(script)
    if since is not None:
        clauses.append("name >= ?")
        args.append(store.name_stamp(since))
    if verify is not None:
        clauses.append("verify_of IS NOT NULL" if verify else "verify_of IS NULL")
    live = status in (RunStatus.RUNNING, RunStatus.DEAD)  # decided per row, from the process
    if status is not None:
        clauses.append("status = ?")
        args.append(RunStatus.RUNNING.value if live else status.value)
    for condition in where:
        sql_condition, condition_args = condition_sql(condition)
        clauses.append(sql_condition)
        args.extend(condition_args)
    clause = " AND ".join(clauses)
    order, order_args = order_sql(order_by, newest_first)
    sql = f"SELECT {ROW_COLUMNS}, name FROM runs WHERE {clause} ORDER BY {order}"
    args_sorted = [*args, *order_args]
    unreadable = [
        directory / name
        for (name,) in db.execute("SELECT name FROM runs WHERE readable = 0 ORDER BY name")
    ]
    if live:
        rows = [to_row(directory, values) for values in db.execute(sql, args_sorted)]
        rows = [row for row in rows if row.status is status]
        end = None if limit is None else offset + limit
        return RowQuery(rows=rows[offset:end], unreadable=unreadable, total=len(rows))
    total = int(db.execute(f"SELECT count(*) FROM runs WHERE {clause}", args).fetchone()[0])
    page = f"{sql} LIMIT ? OFFSET ?"
    values = db.execute(page, [*args_sorted, -1 if limit is None else limit, offset])
    return RowQuery(
        rows=[to_row(directory, found) for found in values], unreadable=unreadable, total=total
    )


def query_files(
    directory: Path,
    *,
    script: str | None = None,
    status: RunStatus | None = None,
    since: datetime | None = None,
    newest_first: bool = True,
    limit: int | None = None,
    offset: int = 0,
    verify: bool | None = None,
    where: Sequence[Condition] = (),
    order_by: str | None = None,
) -> RowQuery:
    """The query answered by reading every manifest, for when the index cannot be used."""
    for _, op, _ in where:
        if op not in OPERATORS:
            raise UsageError(f"where: operator {op!r} is not one of {', '.join(OPERATORS)}")
    found = store.scan(
        directory, script=script, status=status, since=since, newest_first=newest_first
    )
    rows = [
        row_of(path, manifest)
        for path, manifest in found.entries
        if verify is None or (manifest.verify_of is not None) is verify
    ]
    rows = ordered([r for r in rows if all(matches(r, c) for c in where)], order_by)
    end = None if limit is None else offset + limit
    return RowQuery(rows=rows[offset:end], unreadable=found.unreadable, total=len(rows))


def query(
    directory: Path,
    *,
    script: str | None = None,
    status: RunStatus | None = None,
    since: datetime | None = None,
    newest_first: bool = True,
    limit: int | None = None,
    offset: int = 0,
    verify: bool | None = None,
    where: Sequence[Condition] = (),
    order_by: str | None = None,
) -> RowQuery:
    """Rows of the runs in ``directory`` matching ``script``/``status``/``since``, up to ``limit``.

    Status is as readers see it: a ``running`` run whose process is gone reads ``dead``.
    ``offset`` skips that many matching rows; ``verify`` False leaves out verify re-runs, True
    keeps only them. ``where`` keeps rows meeting every ``(key, op, value)`` (a key is a row
    column of ``ROW_KEYS``, else a metrics key, else a settings key; numbers compare with
    numbers and text with text); ``order_by`` sorts by a key (``-key`` descending, rows without
    it last) instead of by run id. UsageError for an unknown operator. The index is synced from
    the files first (see the module docstring).
    """
    options = {
        "script": script,
        "status": status,
        "since": since,
        "newest_first": newest_first,
        "limit": limit,
        "offset": offset,
        "verify": verify,
        "where": where,
        "order_by": order_by,
    }
    if not directory.is_dir():
        return RowQuery()
    try:
        return with_index(directory, lambda db: select(db, directory, **options))  # type: ignore[arg-type]
    except (sqlite3.Error, OSError):  # read-only data home, a full disk, a lock held too long
        return query_files(directory, **options)  # type: ignore[arg-type]


def newest_rows(db: sqlite3.Connection, directory: Path) -> RowQuery:
    """The newest row of each script (no rejected runs, no verify re-runs) from a synced index."""
    scripts = [script for (script,) in db.execute("SELECT DISTINCT script FROM runs")]
    sql = (
        f"SELECT {ROW_COLUMNS}, name FROM runs WHERE script = ? AND readable = 1 "
        "AND status != ? AND verify_of IS NULL ORDER BY run_id DESC LIMIT 1"
    )
    rejected = RunStatus.REJECTED.value
    rows = [
        to_row(directory, found)
        for script in scripts
        if script is not None
        for found in db.execute(sql, [script, rejected])
    ]
    rows.sort(key=lambda row: row.run_id, reverse=True)
    unreadable = [directory / n for (n,) in db.execute("SELECT name FROM runs WHERE readable = 0")]
    return RowQuery(rows=rows, unreadable=unreadable, total=len(rows))


def latest_by_script(directory: Path) -> RowQuery:
    """The newest run of each script, leaving out rejected invocations and verify re-runs."""
    if not directory.is_dir():
        return RowQuery()
    try:
        return with_index(directory, lambda db: newest_rows(db, directory))
    except (sqlite3.Error, OSError):
        everything = query_files(directory, verify=False)
        newest: dict[str, RunRow] = {}
        for row in everything.rows:
            if row.status is not RunStatus.REJECTED:
                newest.setdefault(row.script, row)
        return RowQuery(list(newest.values()), everything.unreadable, len(newest))


def matching_ids(db: sqlite3.Connection, directory: Path, ref: str) -> list[Path]:
    """Paths of the synced index's runs that ``ref`` names (see :func:`run_paths`)."""
    pairs = db.execute(
        "SELECT run_id, name FROM runs WHERE readable = 1 ORDER BY run_id"
    ).fetchall()
    exact = [name for run_id, name in pairs if ref in (run_id, name, name.removesuffix(".json"))]
    return [
        directory / name
        for name in exact
        or [n for run_id, n in pairs if run_id.startswith(ref) or run_id.endswith(f"-{ref}")]
    ]


def ids_of(db: sqlite3.Connection, script: str | None) -> list[str]:
    """Run ids of the synced index, of ``script`` if given, newest first."""
    where, args = ("AND script = ?", [script]) if script is not None else ("", [])
    sql = f"SELECT run_id FROM runs WHERE readable = 1 {where} ORDER BY run_id DESC"
    return [run_id for (run_id,) in db.execute(sql, args)]


def run_ids(directory: Path, script: str | None = None) -> list[str]:
    """Every run id (of ``script`` if given), newest first, without building rows: for shortest
    unique prefixes and name checks over the whole folder."""
    if not directory.is_dir():
        return []
    try:
        return with_index(directory, lambda db: ids_of(db, script))
    except (sqlite3.Error, OSError):
        return [row.run_id for row in query_files(directory, script=script).rows]


def run_paths(directory: Path, ref: str) -> list[Path]:
    """Manifests whose run id, file name or stem is ``ref``, else those whose run id starts
    with it or ends with ``-ref`` (the short id). Several paths mean ``ref`` is ambiguous."""
    if not directory.is_dir():
        return []
    try:
        return with_index(directory, lambda db: matching_ids(db, directory, ref))
    except (sqlite3.Error, OSError):
        rows = query_files(directory).rows
        exact = [r.path for r in rows if ref in (r.run_id, r.path.name, r.path.stem)]
        return exact or [
            r.path for r in rows if r.run_id.startswith(ref) or r.run_id.endswith(f"-{ref}")
        ]
