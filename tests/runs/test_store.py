"""The manifest folder under concurrency and crashes: unique complete files, forward-only latest."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pytest

from quant_engine.runs import store
from quant_engine.runs.manifest import ModelRef, ModelRole, RunManifest, RunStatus
from quant_engine.utils import atomic
from quant_engine.utils.reproducibility import record_run, write_run_manifest
from tests.runs.manifests import make, running_as

RUNS = 20


def one_run(directory: str, barrier: threading.Barrier | None = None) -> None:
    """One recorded run that starts when every other one is ready."""
    if barrier is not None:
        barrier.wait()
    with record_run({"worker": os.getpid()}, "concurrent", output_dir=Path(directory)) as run:
        run.set_result(thread=threading.get_ident())
        if barrier is not None:
            barrier.wait()  # every run has started: they all finish at once too


def assert_complete_with_latest_at_newest(directory: Path) -> None:
    files = sorted(directory.glob("run_manifest_2*.json"))
    manifests = [store.load_manifest(p) for p in files]
    assert len(files) == RUNS
    assert len({m.run_id for m in manifests}) == RUNS
    assert all(m.status is RunStatus.SUCCESS for m in manifests)
    newest = max(m.run_id for m in manifests)
    for name in ("run_manifest_latest.json", "run_manifest_latest_concurrent.json"):
        pointer = directory / name
        assert pointer.is_symlink()
        assert store.load_manifest(pointer).run_id == newest


class Worker(Protocol):
    """A thread or a process: started, then joined."""

    def start(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


def simultaneous_runs(kind: str, directory: Path) -> list[Worker]:
    """Twenty threads or forked processes that each record one run once all are ready."""
    if kind == "threads":
        barrier = threading.Barrier(RUNS)
        worker: Callable[..., Worker] = threading.Thread
    else:
        ctx = multiprocessing.get_context("fork")
        barrier, worker = ctx.Barrier(RUNS), ctx.Process
    return [worker(target=one_run, args=(str(directory), barrier)) for _ in range(RUNS)]


def racing_pointer_moves(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Line the runs up at their pointer updates: every run reads the pointer together (a
    barrier), then moves it 2 ms later per newer manifest in the folder, so older runs move
    last. Under the folder lock only one run reaches the barrier, which soon gives up, and the
    pointers stay right; without the lock, an older run moves a pointer back."""
    import time

    ctx = multiprocessing.get_context("fork")
    lineup = threading.Barrier(RUNS) if kind == "threads" else ctx.Barrier(RUNS)
    real_read, real_point = store.pointer_run_id, store.point

    def slow_read(pointer: Path) -> str | None:
        run_id = real_read(pointer)
        with contextlib.suppress(threading.BrokenBarrierError):
            lineup.wait(timeout=0.5)
        return run_id

    def slow_point(pointer: Path, path: Path) -> None:
        newer = sum(p.name > path.name for p in path.parent.glob("run_manifest_2*.json"))
        time.sleep(0.002 * newer)
        real_point(pointer, path)

    monkeypatch.setattr(store, "pointer_run_id", slow_read)
    monkeypatch.setattr(store, "point", slow_point)


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_twenty_runs_at_once_write_twenty_complete_manifests(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    racing_pointer_moves(monkeypatch, kind)  # inherited by the forked processes
    workers = simultaneous_runs(kind, tmp_path)
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [getattr(w, "exitcode", 0) for w in workers] == [0] * RUNS
    assert_complete_with_latest_at_newest(tmp_path)


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from quant_engine.utils import atomic
    from quant_engine.utils.reproducibility import (
        build_run_manifest, record_run, write_run_manifest,
    )

    folder, phase = Path(sys.argv[1]), sys.argv[2]
    write_run_manifest(build_run_manifest(None, "writer"), folder)
    real_fsync = os.fsync

    def stalled_fsync(fd):
        print("in-write", flush=True)
        time.sleep(60)

    big = {"payload": ["x" * 1000] * 5000}
    if phase == "create":
        atomic.os.fsync = stalled_fsync
        write_run_manifest(build_run_manifest(None, "writer", **big), folder)
    else:
        with record_run(None, "writer", output_dir=folder) as run:
            run.resolve(**big)
            atomic.os.fsync = stalled_fsync
    """
)


@pytest.mark.parametrize("phase", ["create", "rewrite"])
def test_sigkill_mid_write_leaves_no_partial_manifest(tmp_path: Path, phase: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(tmp_path), phase],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "in-write"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()

    temps = [p for p in tmp_path.iterdir() if atomic.is_temp_name(p.name)]
    assert temps, "the kill should have landed mid-write"
    assert any(p.stat().st_size > 1_000_000 for p in temps)
    finals = sorted(tmp_path.glob("run_manifest_*.json"))
    manifests = [store.load_manifest(p) for p in finals]  # every one parses
    runs = {m.run_id: m for m in manifests}
    assert len(runs) == (1 if phase == "create" else 2)
    if phase == "rewrite":  # the killed run's "running" record reads as dead
        assert sorted(m.status.value for m in runs.values()) == ["dead", "success"]


def test_latest_only_moves_forward_when_runs_finish_out_of_order(tmp_path: Path) -> None:
    older = make("bt", "20260101T000000.000001Z")
    newer = make("bt", "20260101T000000.000002Z")
    newer_path = write_run_manifest(newer, tmp_path)
    older_path = write_run_manifest(older, tmp_path)
    latest = tmp_path / "run_manifest_latest.json"
    assert latest.resolve() == newer_path
    store.rewrite(older.model_copy(update={"status": RunStatus.FAILED}), older_path)
    store.update_latest(tmp_path, older_path, older)
    assert latest.resolve() == newer_path
    assert (tmp_path / "run_manifest_latest_bt.json").resolve() == newer_path


def test_latest_falls_back_to_an_atomic_copy_without_symlinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_symlinks(link: Path, target: str) -> None:
        raise OSError("symlinks are not supported here")

    monkeypatch.setattr(store.atomic, "replace_symlink", no_symlinks)
    latest = tmp_path / "run_manifest_latest.json"
    with record_run(None, "bt", output_dir=tmp_path) as run:
        assert not latest.exists()  # a running run is not the latest success
    assert not latest.is_symlink()
    copy = store.load_manifest(latest)
    assert copy.run_id == run.run_id
    assert copy.status is RunStatus.SUCCESS


def test_rewrite_refuses_another_runs_file(tmp_path: Path) -> None:
    path = write_run_manifest(make("a", "20260101T000000.000001Z"), tmp_path)
    with pytest.raises(FileExistsError, match="belongs to run"):
        store.rewrite(make("a", "20260101T000000.000002Z"), path)


def test_scan_skips_pointers_temp_files_and_reports_unreadable(tmp_path: Path) -> None:
    write_run_manifest(make("a", "20260101T000000.000001Z"), tmp_path)
    (tmp_path / "run_manifest_broken.json").write_text("{not json")
    (tmp_path / ".run_manifest_x.json.0123456789abcdef.tmp").write_text("partial")
    found = store.scan(tmp_path)
    assert [m.script for _, m in found.entries] == ["a"]
    assert [p.name for p in found.unreadable] == ["run_manifest_broken.json"]


def test_scan_filters_by_script_status_and_start_and_orders_either_way(tmp_path: Path) -> None:
    for stamp, script in (
        ("20260101T000001", "a"),
        ("20260101T000002", "b"),
        ("20260101T000003", "a"),
    ):
        write_run_manifest(make(script, f"{stamp}.000000Z"), tmp_path)
    since = datetime(2026, 1, 1, 0, 0, 2, 500000, tzinfo=UTC)  # whole seconds count
    newest = store.scan(tmp_path, script="a")
    assert [m.run_id[:15] for _, m in newest.entries] == ["20260101T000003", "20260101T000001"]
    oldest = store.scan(tmp_path, since=since, newest_first=False)
    assert [m.script for _, m in oldest.entries] == ["b", "a"]
    assert store.scan(tmp_path, status=RunStatus.FAILED).entries == []
    listing = store.list_folder(tmp_path)
    assert [p.name for p in listing.pointers] == [
        "run_manifest_latest.json",
        "run_manifest_latest_a.json",
        "run_manifest_latest_b.json",
    ]
    assert len(listing.manifests) == 3


def test_prune_keeps_newest_per_script_and_every_latest_target(tmp_path: Path) -> None:
    paths = {}
    for i in range(5):
        paths[f"a{i}"] = write_run_manifest(make("a", f"20260101T00000{i}.000000Z"), tmp_path)
    for i in range(3):
        paths[f"b{i}"] = write_run_manifest(make("b", f"20260102T00000{i}.000000Z"), tmp_path)
    removed = store.prune(tmp_path, 2, dry_run=True)
    assert sorted(removed) == sorted([paths["a0"], paths["a1"], paths["a2"], paths["b0"]])
    assert all(p.exists() for p in paths.values())

    store.prune(tmp_path, 0)
    left = sorted(p.name for p in tmp_path.glob("run_manifest_2*.json"))
    assert left == sorted([paths["a4"].name, paths["b2"].name])  # the latest targets
    for pointer in tmp_path.glob("run_manifest_latest*.json"):
        store.load_manifest(pointer)


def test_prune_global_and_single_script(tmp_path: Path) -> None:
    for i in range(3):
        write_run_manifest(make("a", f"20260101T00000{i}.000000Z"), tmp_path)
        write_run_manifest(make("b", f"20260102T00000{i}.000000Z"), tmp_path)
    removed = store.prune(tmp_path, 1, script="a")
    assert [p.name.split("_")[3] for p in removed] == ["a", "a"]
    removed = store.prune(tmp_path, 1, per_script=False)
    assert [p.name.split("_")[3] for p in removed] == ["b", "b"]
    left = [m.script for _, m in store.scan(tmp_path).entries]
    assert left == ["b", "a"]  # the newest overall, and a's latest target


def test_prune_spares_live_running_runs_and_removes_stale_temp_files(tmp_path: Path) -> None:
    live = make("srv", "20260101T000000.000001Z").model_copy(update={"status": RunStatus.RUNNING})
    store.write_new(live, tmp_path)
    dead_pid = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dead = make("srv", "20260101T000000.000002Z")
    env = dead.environment.model_copy(update={"pid": int(dead_pid)})
    dead = dead.model_copy(update={"status": RunStatus.RUNNING, "environment": env})
    dead_path = store.write_new(dead, tmp_path)
    stale = tmp_path / ".run_manifest_x.json.0123456789abcdef.tmp"
    stale.write_text("partial")
    os.utime(stale, (1, 1))
    (tmp_path / "run_manifest_latest.json").unlink(missing_ok=True)
    assert sorted(store.prune(tmp_path, 0)) == sorted([dead_path, stale])


HELD_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from quant_engine.utils.reproducibility import record_run

    with record_run(None, "held", output_dir=Path(sys.argv[1])) as run:
        print(run.manifest_path, flush=True)
        time.sleep(120)
    """
)


def test_a_sigkilled_run_reads_dead_while_a_live_one_reads_running(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HELD_RUN, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    path = Path(proc.stdout.readline().strip())
    try:
        assert store.load_manifest(path).status is RunStatus.RUNNING
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert store.load_manifest(path).status is RunStatus.DEAD
    assert [m.status for _, m in store.scan(tmp_path, status=RunStatus.DEAD).entries] == [
        RunStatus.DEAD
    ]
    assert '"status": "running"' in path.read_text()  # derived on reading, never rewritten


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({}, RunStatus.RUNNING),
        ({"process_start": "another-boot:123"}, RunStatus.DEAD),  # the pid was reused
        ({"pid": 2**22 + 7}, RunStatus.DEAD),  # no such process
        ({"hostname": "elsewhere.example"}, RunStatus.RUNNING),  # cannot check: not ours
    ],
    ids=["same-process", "reused-pid", "gone", "other-host"],
)
def test_liveness_uses_pid_host_and_process_start(
    tmp_path: Path, change: dict[str, object], status: RunStatus
) -> None:
    assert store.load_manifest(running_as(tmp_path, **change)).status is status


def wrote_model(tmp_path: Path, version: str, stamp: str, status: RunStatus) -> RunManifest:
    """A finished train run that wrote model ``version``."""
    manifest = make("run_train", stamp).model_copy(
        update={
            "status": status,
            "models": [ModelRef(version_id=version, role=ModelRole.WRITTEN)],
        }
    )
    write_run_manifest(manifest, tmp_path)
    return manifest


@pytest.mark.parametrize("pointer", ["CURRENT", "CURRENT-core"])
def test_prune_counts_finished_runs_and_keeps_the_current_models_record(
    tmp_path: Path, qe_home: Path, pointer: str
) -> None:
    (qe_home / "models").mkdir()
    (qe_home / "models" / pointer).write_text("m-inuse\n")
    in_use = wrote_model(tmp_path, "m-inuse", "20260101T000000.000001Z", RunStatus.SUCCESS)
    old = wrote_model(tmp_path, "m-old", "20260101T000000.000002Z", RunStatus.SUCCESS)
    latest = wrote_model(tmp_path, "m-last", "20260101T000000.000003Z", RunStatus.SUCCESS)
    new = wrote_model(tmp_path, "m-new", "20260101T000000.000004Z", RunStatus.FAILED)
    dead = running_as(tmp_path, process_start="another-boot:1")
    live = running_as(tmp_path)
    removed = store.prune(tmp_path, 1, per_script=False)
    kept = {m.run_id for _, m in store.scan(tmp_path).entries}
    assert dead in removed
    assert live.exists()
    assert {in_use.run_id, latest.run_id, new.run_id} <= kept  # model in use, latest, newest
    assert old.run_id not in kept
