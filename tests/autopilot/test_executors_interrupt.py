"""Stopping a run mid-grid: pool workers end with the parent, and only one line is printed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.autopilot.process_support import alive, descendants, needs_proc, wait_for_grandchildren

pytestmark = needs_proc

SLEEPING_GRID = textwrap.dedent(
    """
    import signal, sys, time
    from quant_engine.autopilot.executors import LocalExecutor
    from quant_engine.runs.lifecycle import SignalGuard

    SignalGuard().install(signal.SIGTERM)  # as in every recorded run: SIGTERM interrupts
    try:
        LocalExecutor(2, preload=()).map(time.sleep, [60, 60, 60, 60])
    except KeyboardInterrupt as exc:
        print("interrupted", file=sys.stderr)
        raise SystemExit(getattr(exc, "exit_code", 130))
    """
)

GRACE_S = 1.0
"""How long after the parent ends every worker must be gone."""
EXIT_WITHIN_S = 20.0
"""How long the parent may take to end after the signal (the sleeping tasks take a minute)."""


def stop_mid_grid(argv: list[str], signum: int, *, group: bool, env: dict[str, str]) -> str:
    """Start ``argv``, signal it once two workers run, assert they end with it; its stderr."""
    environ = {**os.environ, **env}
    environ.pop("PYTHONPATH", None)
    proc = subprocess.Popen(
        argv,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=environ,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C would see it
    )
    try:
        wait_for_grandchildren(proc.pid, 2, timeout=120)
        time.sleep(0.3)  # the tasks are running now
        tree = descendants(proc.pid)
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        _, err = proc.communicate(timeout=EXIT_WITHIN_S)
        ended = time.monotonic()
        while any(alive(pid) for pid in tree) and time.monotonic() - ended < GRACE_S:
            time.sleep(0.05)
        left = [pid for pid in tree if alive(pid)]
        assert left == [], f"still running {GRACE_S} s after the parent ended: {left}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 128 + signum
    return err


@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGINT, False)],
    ids=["ctrl-c-to-the-group", "sigterm-to-the-parent", "sigint-to-the-parent"],
)
def test_a_stopped_pool_takes_its_workers_along_silently(signum: int, group: bool) -> None:
    err = stop_mid_grid([sys.executable, "-c", SLEEPING_GRID], signum, group=group, env={})
    assert err == "interrupted\n"


def test_ctrl_c_on_qe_autopilot_mid_grid_ends_every_worker(qe_home: Path) -> None:
    argv = [sys.executable, "-m", "quant_engine.run_autopilot", "--tickers", "SPX,COMP,S0000"]
    argv += ["--years", "3", "--feature-modes", "minimal", "--models", "ridge,gbm"]
    argv += ["--rules", "top_k,long_short", "--workers", "2", "--quiet"]
    err = stop_mid_grid(argv, signal.SIGINT, group=True, env={"QE_HOME": str(qe_home)})
    assert err == "qe-autopilot: interrupted\n"
