"""``qe-runs verify`` leaves the live data home as it was and never runs a manifest's own code.

Every entry point that records a run on the embedded data runs for real in a temporary
``QE_HOME``; each run is then verified as a user would, with every file of the home hashed before
and after: only the verify's own manifest may appear. Hostile manifests (a foreign module, or
PYTHONPATH / LD_PRELOAD in the recorded environment) are refused with exit 2, one line naming
the field, and the code they plant never runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quant_engine import config
from quant_engine.runs import store

pytestmark = pytest.mark.smoke

SMALL = ["-q", "--tickers", "SPX,S0000,S0001", "--years", "2"]
RUNS: list[tuple[str, list[str]]] = [
    ("train", ["run_train", *SMALL, "--feature-mode", "minimal"]),
    ("predict", ["run_predict", *SMALL, "--feature-mode", "minimal"]),
    ("backtest", ["run_backtest", *SMALL, "--feature-mode", "minimal"]),
    ("retrain", ["run_retrain", *SMALL, "--feature-mode", "minimal", "--model", "gbm", "--force"]),
    (
        "autopilot",
        [
            *("run_autopilot", *SMALL, "--feature-modes", "minimal", "--models", "ridge"),
            *("--rules", "top_k", "--workers", "1"),
        ],
    ),
]
"""Every entry point that records a run and works offline (the WRDS refresh and the Kalshi
pipeline need their remote services). The forced retrain reads the trained model and makes a
new one current, so verifying the train and the predict runs needs the older model pinned,
and verifying the train once moved the live ``models/CURRENT`` back."""
TIMEOUT_S = 120


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a Python module of the project as a subprocess (outside the repo)."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=env["QE_HOME"],
        timeout=TIMEOUT_S,
        check=False,
    )


def home_state(home: Path) -> dict[str, str]:
    """Every stored file of the home: sha256, or the target of a symlink. The run index is left
    out: a cache of the manifests that any read brings up to date, never trusted over them."""
    state = {}
    index_folder = Path(config.RUN_INDEX_NAME).parts[0]
    for path in sorted(home.rglob("*")):
        key = path.relative_to(home).as_posix()
        if index_folder in path.relative_to(home).parts:
            continue
        if path.is_symlink():
            state[key] = "-> " + os.readlink(path)
        elif path.is_file():
            state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


class LiveHome:
    """A data home with one real run of each entry point, and the verify command."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {**os.environ, "QE_HOME": str(home)}
        self.env.pop("PYTHONPATH", None)
        self.run_ids: dict[str, str] = {}

    def record(self, name: str, args: list[str]) -> None:
        done = run([f"quant_engine.{args[0]}", *args[1:]], self.env)
        assert done.returncode == 0, done.stderr
        latest = self.home / "manifests" / store.latest_name(args[0])
        self.run_ids[name] = store.load_manifest(latest).run_id

    def verify(
        self, ref: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        args = ["quant_engine.utils.reproducibility", "verify", ref, "--timeout", "100"]
        return run(args, env or self.env)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> LiveHome:
    """One run of every entry point, in a home shared by this module's tests."""
    home = LiveHome(tmp_path_factory.mktemp("live_home"))
    for name, args in RUNS:
        home.record(name, args)
    return home


@pytest.mark.parametrize("name", [name for name, _ in RUNS])
def test_verify_reproduces_and_leaves_the_live_home_unchanged(live: LiveHome, name: str) -> None:
    before = home_state(live.home)
    done = live.verify(live.run_ids[name])
    after = home_state(live.home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced" in done.stdout
    assert "NOT reproduced" not in done.stdout
    added = sorted(set(after) - set(before))
    assert len(added) == 1, added
    assert added[0].startswith("manifests/"), added
    assert store.load_manifest(live.home / added[0]).verify_of == live.run_ids[name]
    del after[added[0]]
    assert after == before  # nothing else written, moved or removed


PLANTED_MODULE = "qe_planted_{tag}"
MARKER_CODE = "from pathlib import Path\nPath({marker!r}).write_text('ran')\n"


def hostile_cases(
    plant: Path, marker: Path
) -> dict[str, tuple[Callable[[dict[str, Any]], None], str]]:
    """Edits of a real manifest that must be refused, and the field each refusal names."""

    def module(data: dict[str, Any]) -> None:
        data["command"]["module"] = PLANTED_MODULE.format(tag="module")

    def package_module(data: dict[str, Any]) -> None:
        data["command"]["module"] = "quant_engine.utils.reproducibility"

    def pythonpath(data: dict[str, Any]) -> None:
        data["environment"]["env"]["PYTHONPATH"] = str(plant / "site")

    def ld_preload(data: dict[str, Any]) -> None:
        data["environment"]["env"]["LD_PRELOAD"] = str(plant / "evil.so")

    def other_setting(data: dict[str, Any]) -> None:
        data["environment"]["env"]["PYTHONSTARTUP"] = str(plant / "site" / "sitecustomize.py")

    def blas(data: dict[str, Any]) -> None:
        data["environment"]["blas_threads"]["PYTHONINSPECT"] = "1"

    def scheduler(data: dict[str, Any]) -> None:
        data["command"]["argv"] += ["--scheduler", "tcp://127.0.0.1:9"]

    def model_path(data: dict[str, Any]) -> None:
        data["models"] = [{"version_id": f"../../../{plant.name}", "role": "read"}]

    return {
        "planted module": (module, "command.module"),
        "model version that is a path": (model_path, "models[0].version_id"),
        "package module not an entry point": (package_module, "command.module"),
        "PYTHONPATH": (pythonpath, "environment.env.PYTHONPATH"),
        "LD_PRELOAD": (ld_preload, "environment.env.LD_PRELOAD"),
        "PYTHONSTARTUP": (other_setting, "environment.env.PYTHONSTARTUP"),
        "blas_threads entry": (blas, "environment.blas_threads.PYTHONINSPECT"),
        "remote scheduler": (scheduler, "command.argv"),
    }


def test_hostile_manifests_are_refused_and_never_run(live: LiveHome, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    plant = tmp_path / "plant"
    (plant / "site").mkdir(parents=True)
    code = MARKER_CODE.format(marker=str(marker))
    (plant / f"{PLANTED_MODULE.format(tag='module')}.py").write_text(code)
    (plant / "site" / "sitecustomize.py").write_text(code)
    env = {**live.env, "PYTHONPATH": str(plant)}  # the planted module is importable
    original = live.home / "manifests" / store.latest_name("run_autopilot")
    before = home_state(live.home)
    for case, (edit, field) in hostile_cases(plant, marker).items():
        data = json.loads(original.read_text())
        edit(data)
        sent = tmp_path / f"sent-{case.replace(' ', '_')}.json"
        sent.write_text(json.dumps(data))
        done = live.verify(str(sent), env)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, (case, done.stdout, done.stderr)
        assert len(lines) == 1, (case, lines)
        assert lines[0].startswith(f"qe-runs: error: {field}:"), (case, lines)
        assert "Traceback" not in done.stderr
        assert not marker.exists(), case
    assert home_state(live.home) == before
