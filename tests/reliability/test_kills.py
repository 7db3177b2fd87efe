"""SIGKILL at random moments of qe-train, qe-backtest and a cache fill: nothing half-written,
nothing left reading as live, and the next run of the same command succeeds."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from quant_engine.api.config import ApiSettings
from quant_engine.api.main import create_app
from quant_engine.models.registry import ModelRegistry
from quant_engine.runs import liveness, lookup, store
from quant_engine.runs.manifest import RunStatus
from quant_engine.utils import atomic
from quant_engine.utils.reproducibility import main as qe_runs
from tests.api.api_support import LOCAL_URL

LAUNCHER = textwrap.dedent(
    """
    import importlib, os, sys
    for name in PRELOAD:
        importlib.import_module(name)
    print("ready", flush=True)
    for line in sys.stdin:
        verb, *rest = line.split()
        if verb == "wait":
            _, status = os.waitpid(int(rest[0]), 0)
            print(os.waitstatus_to_exitcode(status), flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # answers only on this pipe
            os._exit(importlib.import_module(verb).main(rest))
        print(pid, flush=True)
    """
)
PRELOAD = (
    "quant_engine.run_train",
    "quant_engine.run_backtest",
    "quant_engine.runs.record",
    "quant_engine.data.loader",
    "quant_engine.models.registry",
    "quant_engine.models.walk_forward",
    "quant_engine.backtest",
    "rich.console",
    "rich.logging",
)
"""A launcher imports the engine once and forks one process per run: the kills, not the imports,
take the time. Each run is its own process (own pid and start time), like a fresh command."""

SEED = 20261205
KILLS_PER_LANE = 7
QUICK = ("--tickers", "SPX,COMP,S0000", "--years", "2", "--quiet")


@dataclass(frozen=True)
class Lane:
    """One command killed again and again in its own data home."""

    name: str
    module: str
    max_delay_s: float
    """Kills land uniformly in [0, max_delay_s] after the run's manifest appears."""
    refill: bool = False
    """Empty the cache before every other kill, so the kill lands in a cache fill."""


LANES = (
    Lane("train", "quant_engine.run_train", 2.0),
    Lane("backtest", "quant_engine.run_backtest", 2.0),
    Lane("cache-fill", "quant_engine.run_backtest", 0.8, refill=True),
)


@dataclass
class LaneResult:
    """What happened in one lane: kills, where they landed, and the final run."""

    home: Path
    kills: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    final_rc: int | None = None


class Launcher:
    """A Python process with the engine imported that forks runs of an entry point on demand."""

    def __init__(self, home: Path) -> None:
        environ = {**os.environ, "QE_HOME": str(home)}
        environ.pop("PYTHONPATH", None)
        code = f"PRELOAD = {PRELOAD!r}\n{LAUNCHER}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            env=environ,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.ask("") == "ready"

    def ask(self, line: str) -> str:
        """Send one request (none for the first answer) and read the answer line."""
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        if line:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def start(self, module: str) -> int:
        """Fork a run of ``module`` with the quick flags; its pid."""
        return int(self.ask(" ".join((module, *QUICK))))

    def wait(self, pid: int) -> int:
        """The run's exit code (negative: killed by that signal)."""
        return int(self.ask(f"wait {pid}"))

    def close(self) -> None:
        """End the launcher."""
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


def wait_for_new_manifest(folder: Path, before: set[Path], pid: int) -> bool:
    """Wait until run ``pid`` has written its ``running`` manifest (False if it ended first)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and liveness.pid_exists(pid):
        if set(folder.glob("run_manifest_2*.json")) - before:
            return True
        time.sleep(0.01)
    return False


def run_lane(lane: Lane, home: Path, rng: random.Random) -> LaneResult:
    """Start the command, kill it at a random moment, repeat; then run it once to the end."""
    result = LaneResult(home)
    folder = home / "manifests"
    launcher = Launcher(home)
    try:
        for attempt in range(KILLS_PER_LANE):
            if lane.refill and attempt % 2 == 0:
                shutil.rmtree(home / "cache", ignore_errors=True)
            before = set(folder.glob("run_manifest_2*.json"))
            delay = rng.uniform(0.0, lane.max_delay_s)
            pid = launcher.start(lane.module)
            if wait_for_new_manifest(folder, before, pid):
                time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
            result.outcomes["killed" if launcher.wait(pid) == -signal.SIGKILL else "ended"] += 1
            result.kills += 1
        result.final_rc = launcher.wait(launcher.start(lane.module))
    finally:
        launcher.close()
    return result


def final_files(home: Path, suffix: str) -> list[Path]:
    """Files under their final names (temp files of interrupted atomic writes left out)."""
    return [
        path
        for path in home.rglob(f"*{suffix}")
        if not atomic.is_temp_name(path.name) and not path.name.startswith(".")
    ]


def assert_nothing_half_written(home: Path) -> int:
    """Every parquet, JSON file, manifest and model under a final name reads; the count."""
    checked = 0
    for path in final_files(home, ".parquet"):
        pd.read_parquet(path)
        checked += 1
    for path in final_files(home, ".json"):
        json.loads(path.read_text())
        checked += 1
    registry = ModelRegistry(home / "models")
    for version in registry.known_ids():
        registry.load(version)
        checked += 1
    current = registry.current_version()
    assert current is None or current in registry.known_ids()
    return checked


def assert_no_run_reads_live(home: Path, capsys: pytest.CaptureFixture[str]) -> Counter[str]:
    """qe-runs list/show and the API agree: no run of the campaign is running; statuses seen."""
    folder = home / "manifests"
    assert qe_runs(["--dir", str(folder), "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    statuses = Counter(row["status"] for row in listed)
    assert statuses["running"] == 0, statuses
    for row in listed:
        if row["status"] == "dead":
            assert qe_runs(["--dir", str(folder), "show", row["run_id"], "--json"]) == 0
            assert json.loads(capsys.readouterr().out)["status"] == "dead"
    with TestClient(create_app(ApiSettings()), base_url=LOCAL_URL) as client:
        runs = client.get("/api/runs", params={"limit": 100}).json()["data"]["runs"]
        assert sorted(r["status"] for r in runs) == sorted(row["status"] for row in listed)
        for row in listed:
            shown = client.get(f"/api/runs/{row['run_id']}").json()["data"]
            assert shown["status"] == row["status"]
        health = client.get("/api/system-health").json()["data"]
        runs_health = {c["name"]: c for c in health["components"]}["runs"]
        assert "running" not in runs_health["detail"]
    return statuses


def test_sigkill_campaign_leaves_no_partial_file_no_live_run_and_the_next_run_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    plans = [(lane, tmp_path / lane.name, random.Random(rng.random())) for lane in LANES]
    results: dict[str, LaneResult] = {}

    def work(lane: Lane, home: Path, lane_rng: random.Random) -> None:
        results[lane.name] = run_lane(lane, home, lane_rng)

    threads = [threading.Thread(target=work, args=plan) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = Counter[str]()
    for lane, home, _ in plans:
        result = results[lane.name]
        assert result.final_rc == 0, f"{lane.name}: the run after the kills failed"
        monkeypatch.setenv("QE_HOME", str(home))
        total["files checked"] += assert_nothing_half_written(home)
        statuses = assert_no_run_reads_live(home, capsys)
        total.update({f"runs {status}": count for status, count in statuses.items()})
        total["kills"] += result.kills
        total.update(result.outcomes)
        latest = store.load_manifest(lookup.find_manifest(home / "manifests", "latest"))
        assert latest.status is RunStatus.SUCCESS
    assert total["kills"] >= 20
    with capsys.disabled():
        print(f"\nSIGKILL campaign: {dict(total)}")
