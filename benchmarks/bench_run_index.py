"""The run index at 10,000 manifests: API first page, ``qe-runs list``, rebuild, freshness, health.

The manifests are copies of one real recorded backtest run (new run ids, three scripts), so each
file is as large and as nested as a real one. The peer is the file scan the index replaced
(:func:`quant_engine.runs.index.query_files`), measured once on the same folder.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.harness import Result, temporary_home

MANIFESTS = 10_000
SCRIPTS = ("run_backtest", "run_train", "run_predict")
PAGE_GOAL_MS = 50.0
HEALTH_GOAL_MS = 50.0
LIST_GOAL_S = 0.5
REBUILD_GOAL_S = 10.0
REQUESTS = 30
TICKERS = "S0000,S0001,S0002,S0003"


def record_one() -> Path:
    """A real backtest run recorded in the current data home; its manifest's path."""
    from quant_engine import run_backtest, run_train

    quick = ["--tickers", TICKERS, "--years", "2", "--quiet"]
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    assert run_train.main(quick) == 0
    assert run_backtest.main(quick) == 0
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    from quant_engine import layout
    from quant_engine.runs import store

    found = store.latest_success(layout.manifests_dir(), "run_backtest")
    assert found is not None
    return found


def fill(directory: Path, template: Path, count: int) -> None:
    """``count`` manifests like ``template``, one second apart, ending before now."""
    from quant_engine.runs.manifest import RunManifest
    from quant_engine.runs.store import manifest_filename

    data = json.loads(template.read_bytes())
    start = datetime.now(UTC) - timedelta(seconds=count + 60)
    for i in range(count):
        started = start + timedelta(seconds=i)
        data["run_id"] = f"{started:%Y%m%dT%H%M%S.%fZ}-{1000 + i % 30000}-{i:06x}"
        data["script"] = SCRIPTS[i % len(SCRIPTS)]
        data["started_at"] = started.isoformat()
        data["finished_at"] = (started + timedelta(seconds=2)).isoformat()
        name = manifest_filename(RunManifest.model_construct(**data))
        (directory / name).write_text(json.dumps(data, indent=2))


def median_ms(call: Callable[[], object], repeat: int = REQUESTS) -> float:
    """Median wall time of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run() -> Iterator[Result]:
    import subprocess

    from fastapi.testclient import TestClient

    from quant_engine import layout
    from quant_engine.api.main import create_app
    from quant_engine.runs import index
    from quant_engine.runs.manifest import RunStatus
    from quant_engine.runs.record import new_manifest
    from quant_engine.runs.store import write_new

    with temporary_home("qe_bench_index_"):
        directory = layout.manifests_dir()
        fill(directory, record_one(), MANIFESTS)
        total = len(list(directory.glob("run_manifest_2*.json")))

        started = time.perf_counter()
        rows = index.rebuild(directory)
        seconds = time.perf_counter() - started
        yield Result.under(
            f"run index: rebuild from {total:,} manifests",
            seconds,
            "s",
            REBUILD_GOAL_S,
            note=f"{rows:,} rows",
        )

        client = TestClient(create_app(), base_url="http://127.0.0.1:8000")
        assert client.get("/api/runs").status_code == 200
        page_ms = median_ms(lambda: client.get("/api/runs").raise_for_status())
        started = time.perf_counter()
        index.query_files(directory, limit=50)
        scan_ms = (time.perf_counter() - started) * 1000
        yield Result.under(
            f"/api/runs first page, {total:,} manifests (p50 warm)",
            page_ms,
            "ms",
            PAGE_GOAL_MS,
            note=f"file scan (peer): {scan_ms:,.0f} ms, {scan_ms / page_ms:,.0f}x slower",
        )

        fresh = new_manifest(None, "run_backtest", status=RunStatus.SUCCESS)
        write_new(fresh, directory)
        started = time.perf_counter()
        first = client.get("/api/runs", params={"limit": 1}).json()["data"]["runs"][0]
        next_ms = (time.perf_counter() - started) * 1000
        visible = first["run_id"] == fresh.run_id
        yield Result(
            "/api/runs: a new run on the next request",
            next_ms,
            "ms",
            goal="visible",
            met=visible,
            note="listed first" if visible else "NOT listed",
        )

        client.get("/api/system-health").raise_for_status()
        health_ms = median_ms(lambda: client.get("/api/system-health").raise_for_status())
        yield Result.under(
            f"/api/system-health, {total:,} manifests, model verified (p50 warm)",
            health_ms,
            "ms",
            HEALTH_GOAL_MS,
        )

        qe_runs = [str(Path(sys.executable).parent / "qe-runs"), "list"]
        times = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(qe_runs, check=True, capture_output=True, cwd="/")
            times.append(time.perf_counter() - started)
        yield Result.under(
            f"qe-runs list, {total:,} manifests (subprocess)",
            min(times),
            "s",
            LIST_GOAL_S,
            note="best of 5, end to end",
        )
