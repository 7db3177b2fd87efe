"""qe-models, and the model choice of qe-predict and qe-retrain, run as a user would.

Each test copies one registry trained by subprocesses (core ridge, then core gbm, then minimal
ridge) into its own QE_HOME and runs commands from a folder outside the repo.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

Runner = Callable[..., subprocess.CompletedProcess[str]]
DATA = ("--tickers", "SPX,COMP,S0000,S0001,S0002,S0003", "--years", "4")
MODELS = ("-m", "quant_engine.models.cli")


@pytest.fixture(scope="module")
def trained_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home whose registry holds core ridge, core gbm (current) and minimal ridge."""
    home = tmp_path_factory.mktemp("models_home")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"QE_HOME": str(home)}
    for mode, kind in (("core", "ridge"), ("core", "gbm"), ("minimal", "ridge")):
        argv = ["-m", "quant_engine.run_train", *DATA, "--feature-mode", mode, "--model", kind]
        done = subprocess.run(
            [sys.executable, *argv, "-q"],
            cwd=home,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return home


@pytest.fixture
def home(trained_home: Path, qe_home: Path) -> Path:
    """This test's QE_HOME, holding a copy of the trained registry and data cache."""
    shutil.copytree(trained_home, qe_home, dirs_exist_ok=True)
    return qe_home


def listing(run_cli: Runner) -> list[dict[str, object]]:
    done = run_cli([*MODELS, "list", "--json"])
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def version_of(run_cli: Runner, mode: str, kind: str) -> str:
    [found] = [
        r["version_id"]
        for r in listing(run_cli)
        if (r["feature_mode"], r["model_kind"]) == (mode, kind)
    ]
    return str(found)


def test_list_shows_each_version_and_the_current_of_each_mode(home: Path, run_cli: Runner) -> None:
    records = listing(run_cli)
    assert sorted((r["feature_mode"], r["model_kind"], r["current"]) for r in records) == [
        ("core", "gbm", True),
        ("core", "ridge", False),
        ("minimal", "ridge", True),
    ]
    done = run_cli([*MODELS, "list"], COLUMNS="100")
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 100
    table = run_cli([*MODELS, "list", "--csv"]).stdout.splitlines()
    assert table[0].startswith("version_id,feature_mode,model_kind,train_start,train_end,ic")
    assert len(table) == 4


def test_show_takes_a_prefix_and_an_ambiguous_one_exits_2(home: Path, run_cli: Runner) -> None:
    gbm = version_of(run_cli, "core", "gbm")
    done = run_cli([*MODELS, "show", gbm[:7]])
    assert done.returncode == 0, done.stderr
    assert f"model {gbm}" in done.stdout
    assert "yes, for feature mode core" in done.stdout
    done = run_cli([*MODELS, "show", "m-"])
    assert done.returncode == 2
    assert gbm in done.stderr
    assert "Traceback" not in done.stderr


def test_use_then_remove_the_former_current(home: Path, run_cli: Runner) -> None:
    ridge, gbm = version_of(run_cli, "core", "ridge"), version_of(run_cli, "core", "gbm")
    refused = run_cli([*MODELS, "remove", gbm])
    assert refused.returncode == 2
    assert "current model of feature mode 'core'" in refused.stderr
    done = run_cli([*MODELS, "use", ridge[2:8]])
    assert done.returncode == 0, done.stderr
    assert f"now the current core model (was {gbm})" in done.stdout
    [manifest] = (home / "manifests").glob("run_manifest_*_models_use_*.json")
    recorded = json.loads(manifest.read_text())
    assert (recorded["status"], recorded["result"]["current"]) == ("success", ridge)
    done = run_cli([*MODELS, "remove", gbm])
    assert done.returncode == 0, done.stderr
    assert sorted(str(r["version_id"]) for r in listing(run_cli)) == sorted(
        [ridge, version_of(run_cli, "minimal", "ridge")]
    )


def test_predict_uses_the_current_model_of_the_mode_asked_for(home: Path, run_cli: Runner) -> None:
    ridge = version_of(run_cli, "core", "ridge")
    assert run_cli([*MODELS, "use", ridge]).returncode == 0
    done = run_cli(["-m", "quant_engine.run_predict", *DATA[:2], "--feature-mode", "core"])
    assert done.returncode == 0, done.stderr
    assert f"from model {ridge} (ridge, feature mode core)" in done.stdout


def test_retrain_force_keeps_the_estimator_and_says_forced(home: Path, run_cli: Runner) -> None:
    argv = ["-m", "quant_engine.run_retrain", *DATA, "--feature-mode", "core", "--force"]
    done = run_cli(argv)
    assert done.returncode == 0, done.stderr
    assert "retraining forced" in done.stdout
    assert "not due" not in done.stdout
    [path] = (home / "manifests").glob("run_manifest_*_run_retrain_*.json")
    manifest = json.loads(path.read_text())
    assert manifest["resolved"]["model_kind"] == "gbm"
    assert (manifest["resolved"]["forced"], manifest["result"]["forced"]) == (True, True)
    current = [r for r in listing(run_cli) if r["current"] and r["feature_mode"] == "core"]
    assert [r["model_kind"] for r in current] == ["gbm"]


def test_a_registry_from_before_per_mode_pointers_keeps_working(
    home: Path, run_cli: Runner
) -> None:
    minimal = version_of(run_cli, "minimal", "ridge")
    for pointer in (home / "models").glob("CURRENT-*"):
        pointer.unlink()
    assert [r["version_id"] for r in listing(run_cli) if r["current"]] == [minimal]
    done = run_cli(["-m", "quant_engine.run_predict", *DATA[:2], "--feature-mode", "minimal"])
    assert done.returncode == 0, done.stderr
    assert f"from model {minimal} (ridge" in done.stdout
    refused = run_cli([*MODELS, "remove", minimal])
    assert refused.returncode == 2


def test_the_console_script_is_installed(run_cli: Runner) -> None:
    exe = Path(sys.executable).parent / "qe-models"
    if not exe.exists():
        pytest.skip("package not installed as console scripts in this interpreter")
    code = f"import subprocess, sys; sys.exit(subprocess.call([{str(exe)!r}, 'list']))"
    done = run_cli(["-c", code])
    assert done.returncode == 0, done.stderr
