"""The dashboard: bundle size, and in Chromium over 10,000 runs the overview's time to
interactive, the runs table's sort and scroll.

The browser figures need Debian's Chromium (``/usr/bin/chromium``) and ``npm ci``; without them
only the bundle size is reported. The data home holds one real training run and one real
backtest, plus 9,998 copies of the training run's manifest with their own ids and metrics.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from benchmarks.harness import Result, temporary_home
from quant_engine import layout

RUNS = 10_000
GOAL_BUNDLE_KB = 250.0
GOAL_OVERVIEW_MS = 1000.0
GOAL_SORT_MS = 100.0
GOAL_FRAME_MS = 34.0
"""p95 frame time while scrolling: 30 frames per second or better."""
GOAL_DOM_ROWS = 100


def bundle_kb() -> float:
    """Gzipped size of the built dashboard's scripts and styles, in KB."""
    assets = layout.dashboard_dir() / "assets"
    return sum(len(gzip.compress(p.read_bytes(), 9)) for p in assets.iterdir()) / 1024


def fill_runs(count: int) -> None:
    """One real train and backtest run in QE_HOME, then copies of the train manifest."""
    for command in ("run_train", "run_backtest"):
        subprocess.run([sys.executable, "-m", f"quant_engine.run_{command[4:]}", "-q"], check=True)
    folder = layout.manifests_dir()
    [train] = list(folder.glob("run_manifest_*_run_train_*.json"))
    template = json.loads(train.read_text())
    rng = random.Random(7)
    for i in range(count - 2):
        manifest = dict(template)
        stamp = f"20250101T{i // 3600 % 24:02d}{i // 60 % 60:02d}{i % 60:02d}.{i:06d}Z"
        manifest["run_id"] = f"{stamp}-{100000 + i}-{i:06x}"
        manifest["result"] = {**template["result"], "ic": rng.uniform(-0.05, 0.1)}
        name = f"run_manifest_{stamp}_run_train_{i:06x}.json"
        (folder / name).write_text(json.dumps(manifest))


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int) -> Iterator[str]:
    """qe-server on ``port`` until the generator is closed; yields its URL once it answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "quant_engine.run_server", "--port", str(port), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/api/system-health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def browser_figures(url: str) -> dict[str, float]:
    """Run the Chromium measurements against ``url``; their JSON figures."""
    root = layout.repo_root()
    config = root / "frontend" / "e2e" / "measure.config.ts"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        env = {**os.environ, "QE_BENCH_URL": url, "QE_BENCH_OUT": str(out)}
        vitest = root / "node_modules" / ".bin" / "vitest"
        cmd = [str(vitest), "run", "--config", str(config)]
        subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
        figures: dict[str, float] = json.loads(out.read_text())
    return figures


def run() -> Iterator[Result]:
    """Bundle size always; the browser figures when Chromium and the Node tools are here."""
    yield Result.under("dashboard bundle (js + css, gzipped)", bundle_kb(), "KB", GOAL_BUNDLE_KB)
    chromium = Path(os.environ.get("QE_CHROMIUM", "/usr/bin/chromium"))
    vitest = layout.repo_root() / "node_modules" / ".bin" / "vitest"
    if not chromium.exists() or not vitest.exists() or shutil.which("node") is None:
        yield Result(
            "dashboard in Chromium", 0, "", note="skipped: needs /usr/bin/chromium and npm ci"
        )
        return
    with temporary_home("qe_bench_dashboard_"):
        fill_runs(RUNS)
        server = serve(free_port())
        url = next(server)
        try:
            figures = browser_figures(url)
        finally:
            server.close()
    rows = f"{int(figures['runs_rows']):,} runs"
    yield Result.under(
        "overview interactive", figures["overview_interactive_ms"], "ms", GOAL_OVERVIEW_MS, rows
    )
    yield Result("runs page, every run loaded", figures["runs_loaded_ms"], "ms", note=rows)
    yield Result.under("runs table sort by IC", figures["runs_sort_ms"], "ms", GOAL_SORT_MS, rows)
    yield Result.under(
        "runs table scroll, p95 frame", figures["scroll_frame_p95_ms"], "ms", GOAL_FRAME_MS, rows
    )
    yield Result.under(
        "runs table rows in the DOM while scrolling",
        figures["scroll_dom_rows"],
        "rows",
        GOAL_DOM_ROWS,
        f"virtualised; {rows}",
    )
