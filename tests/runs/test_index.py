"""The run index: rows follow the manifest files however they change, and the files always win."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from quant_engine import config
from quant_engine.errors import UsageError
from quant_engine.runs import index, lookup, store
from quant_engine.runs.index import flatten_scalars, query
from quant_engine.runs.manifest import RunManifest, RunStatus
from quant_engine.runs.record import new_manifest


def test_flatten_scalars_joins_scalar_lists_and_drops_nested_lists() -> None:
    flat = flatten_scalars({"a": {"b": 1, "c": [1, 2]}, "d": [{"x": 1}], "e": None})
    assert flat == {"a.b": 1, "a.c": "1,2", "e": None}


def write_run(
    directory: Path, script: str = "run_backtest", status: RunStatus = RunStatus.SUCCESS
) -> tuple[Path, RunManifest]:
    """One manifest as a run would leave it, with a Sharpe in its result."""
    manifest = new_manifest(None, script, status=status, resolved={"model_kind": "ridge"})
    manifest = manifest.model_copy(update={"result": {"metrics": {"sharpe": 0.5}}})
    return store.write_new(manifest, directory), manifest


def run_ids(directory: Path, **filters: object) -> list[str]:
    return [row.run_id for row in query(directory, **filters).rows]  # type: ignore[arg-type]


def test_rows_carry_settings_and_metrics_and_the_index_is_a_hidden_file(
    manifest_dir: Path,
) -> None:
    path, manifest = write_run(manifest_dir)
    (row,) = query(manifest_dir).rows
    assert (row.path, row.run_id, row.status) == (path, manifest.run_id, RunStatus.SUCCESS)
    assert row.settings == {"model_kind": "ridge"}
    assert row.metrics == {"metrics.sharpe": 0.5}
    assert index.index_path(manifest_dir).is_file()
    assert index.index_path(manifest_dir).relative_to(manifest_dir).parts[0].startswith(".")
    assert store.list_folder(manifest_dir).manifests == [path]


def test_files_copied_in_removed_and_rewritten_by_hand_are_followed(
    manifest_dir: Path, tmp_path: Path
) -> None:
    first, one = write_run(manifest_dir)
    elsewhere = tmp_path / "elsewhere"
    other_path, other = write_run(elsewhere, "run_train")
    assert run_ids(manifest_dir) == [one.run_id]

    shutil.copy2(other_path, manifest_dir / other_path.name)  # copied in by hand
    assert run_ids(manifest_dir) == [other.run_id, one.run_id]
    assert run_ids(manifest_dir, script="run_train") == [other.run_id]

    first.unlink()  # deleted by hand
    assert run_ids(manifest_dir) == [other.run_id]

    running = new_manifest(None, "run_predict", status=RunStatus.RUNNING)
    path = store.write_new(running, manifest_dir)
    assert query(manifest_dir, status=RunStatus.RUNNING).rows[0].run_id == running.run_id
    done = running.model_copy(update={"status": RunStatus.SUCCESS, "result": {"rows": 3}})
    store.rewrite(done, path)  # the run ends: same name, new content
    (row,) = query(manifest_dir, script="run_predict").rows
    assert (row.status, row.metrics) == (RunStatus.SUCCESS, {"rows": 3})
    assert query(manifest_dir, status=RunStatus.RUNNING).rows == []


def test_a_file_corrupted_by_hand_is_reported_unreadable_then_read_again_when_fixed(
    manifest_dir: Path,
) -> None:
    path, manifest = write_run(manifest_dir)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    found = query(manifest_dir)
    assert (found.rows, found.unreadable) == ([], [path])
    path.write_bytes(good)
    found = query(manifest_dir)
    assert ([r.run_id for r in found.rows], found.unreadable) == ([manifest.run_id], [])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other_schema", "wrong_rows"])
def test_a_damaged_index_is_rebuilt_from_the_files(manifest_dir: Path, damage: str) -> None:
    _, one = write_run(manifest_dir)
    _, two = write_run(manifest_dir, "run_train")
    assert run_ids(manifest_dir) == [two.run_id, one.run_id]
    db_path = index.index_path(manifest_dir)
    if damage == "garbage":
        db_path.write_bytes(os.urandom(8192))
    elif damage == "truncated":
        with sqlite3.connect(db_path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db_path.write_bytes(db_path.read_bytes()[:1500])
    elif damage == "other_schema":
        with sqlite3.connect(db_path) as db:
            db.execute("PRAGMA user_version = 999")
    else:  # rows of another folder under this folder's stats: gone files are dropped
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE runs SET size = size + 1")
            db.execute(
                "INSERT INTO runs (name, mtime_ns, size, readable) VALUES ('x.json', 1, 1, 0)"
            )
    found = query(manifest_dir)
    assert [row.run_id for row in found.rows] == [two.run_id, one.run_id]
    assert found.unreadable == []
    assert query(manifest_dir, script="run_train").total == 1
    with contextlib.closing(sqlite3.connect(db_path)) as db:  # rebuilt, not just bypassed
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        assert db.execute("PRAGMA user_version").fetchone() == (index.SCHEMA_VERSION,)


def test_deleting_the_index_is_safe_and_rebuild_counts_the_runs(manifest_dir: Path) -> None:
    _, one = write_run(manifest_dir)
    query(manifest_dir)
    index.remove_index(index.index_path(manifest_dir))
    assert run_ids(manifest_dir) == [one.run_id]
    assert index.rebuild(manifest_dir) == 1


def test_a_running_row_whose_process_is_gone_reads_dead(manifest_dir: Path) -> None:
    running = new_manifest(None, "run_backtest", status=RunStatus.RUNNING)
    gone = running.environment.model_copy(update={"pid": 2**22 + 7})  # as after a SIGKILL
    store.write_new(running.model_copy(update={"environment": gone}), manifest_dir)
    alive = new_manifest(None, "run_backtest", status=RunStatus.RUNNING)  # this process
    store.write_new(alive, manifest_dir)
    assert run_ids(manifest_dir, status=RunStatus.DEAD) == [running.run_id]
    assert run_ids(manifest_dir, status=RunStatus.RUNNING) == [alive.run_id]
    assert [r.status for r in query(manifest_dir).rows] == [RunStatus.RUNNING, RunStatus.DEAD]


def test_pages_count_every_match_and_verify_reruns_can_be_left_out(
    manifest_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [write_run(manifest_dir)[1].run_id for _ in range(5)]
    monkeypatch.setenv("QE_VERIFY_OF", made[0])
    rerun = write_run(manifest_dir)[1]
    assert rerun.verify_of == made[0]
    page = query(manifest_dir, limit=2, offset=1)
    assert ([r.run_id for r in page.rows], page.total) == ([made[4], made[3]], 6)
    assert run_ids(manifest_dir, verify=False) == made[::-1]
    assert run_ids(manifest_dir, newest_first=False, limit=1) == [made[0]]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_home_is_read_from_the_files(manifest_dir: Path) -> None:
    _, one = write_run(manifest_dir)
    manifest_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert run_ids(manifest_dir) == [one.run_id]
        assert not index.index_path(manifest_dir).exists()
    finally:
        manifest_dir.chmod(stat.S_IRWXU)


def test_an_index_that_cannot_be_opened_falls_back_to_the_files(manifest_dir: Path) -> None:
    _, one = write_run(manifest_dir)
    index.index_path(manifest_dir).mkdir(parents=True)  # in the way: sqlite cannot open it
    found = query(manifest_dir)
    assert ([r.run_id for r in found.rows], found.total) == ([one.run_id], 1)
    assert lookup.find_manifest(manifest_dir, one.run_id[:20]).is_file()
    assert index.latest_by_script(manifest_dir).rows[0].run_id == one.run_id


def test_a_quiet_folder_skips_the_listing_until_the_recheck_but_never_misses_a_new_run(
    manifest_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "RUN_INDEX_RECHECK_S", 0.5)
    path, one = write_run(manifest_dir)

    def quiet_listing() -> None:  # the folder last changed 10 s ago, then one full listing
        os.utime(manifest_dir, (time.time() - 10, time.time() - 10))
        query(manifest_dir)

    quiet_listing()
    _, two = write_run(manifest_dir)  # a new file changes the folder: seen at once
    assert run_ids(manifest_dir) == [two.run_id, one.run_id]
    quiet_listing()
    path.write_bytes(b"{")  # edited in place: the folder's mtime does not move
    assert query(manifest_dir).unreadable == []  # trusted until the recheck
    time.sleep(0.6)
    assert query(manifest_dir).unreadable == [path]


def test_run_ids_lists_every_run_of_a_script_newest_first(manifest_dir: Path) -> None:
    made = [write_run(manifest_dir, script)[1] for script in ("run_train", "run_backtest") * 2]
    assert index.run_ids(manifest_dir) == [m.run_id for m in made[::-1]]
    assert index.run_ids(manifest_dir, "run_train") == [made[2].run_id, made[0].run_id]
    assert query(manifest_dir, limit=1).rows[0].result == {"metrics": {"sharpe": 0.5}}


def sharpe_runs(directory: Path) -> dict[float | None, str]:
    """Backtests with Sharpe 1.2, -0.3, 0.7 and one train run without a Sharpe."""
    made: dict[float | None, str] = {}
    for sharpe in (1.2, -0.3, 0.7, None):
        script = "run_backtest" if sharpe is not None else "run_train"
        manifest = new_manifest(None, script, status=RunStatus.SUCCESS, resolved={"rule": "top_k"})
        result = {"metrics": {"sharpe": sharpe}} if sharpe is not None else {"ic": 0.1}
        store.write_new(manifest.model_copy(update={"result": result}), directory)
        made[sharpe] = manifest.run_id
    return made


@pytest.mark.parametrize("source", ["index", "files"])
def test_where_and_order_by_filter_and_sort_on_metrics_and_settings(
    manifest_dir: Path, source: str
) -> None:
    made = sharpe_runs(manifest_dir)
    if source == "files":
        index.index_path(manifest_dir).mkdir(parents=True)  # the index cannot be opened

    def ids(**options: object) -> list[str]:
        return [r.run_id for r in query(manifest_dir, **options).rows]  # type: ignore[arg-type]

    assert ids(where=[("metrics.sharpe", ">", 0.5)], order_by="-metrics.sharpe") == [
        made[1.2],
        made[0.7],
    ]
    assert ids(order_by="metrics.sharpe") == [made[-0.3], made[0.7], made[1.2], made[None]]
    assert ids(order_by="-metrics.sharpe", limit=1) == [made[1.2]]
    assert ids(where=[("rule", "=", "top_k"), ("script", "=", "run_train")]) == [made[None]]
    assert ids(where=[("metrics.sharpe", "<", "a")]) == []  # text never matches a number
    found = query(manifest_dir, where=[("metrics.sharpe", "<", 1.0)], limit=1)
    assert (found.total, [r.run_id for r in found.rows]) == (2, [made[0.7]])
    with pytest.raises(UsageError, match="operator"):
        query(manifest_dir, where=[("metrics.sharpe", "~", 1)])
