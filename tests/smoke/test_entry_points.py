"""Every entry point, run as a user would: from outside the repo, as a file, module or script."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from quant_engine import layout

pytestmark = pytest.mark.smoke

Runner = Callable[..., subprocess.CompletedProcess[str]]
SMALL_UNIVERSE = "SPX,COMP,S0000,S0001,S0002,S0003,S0004,S0005"

ENGINE_SCRIPTS = ("run_train", "run_predict", "run_backtest", "run_retrain", "run_autopilot")
QUICK = ("--tickers", SMALL_UNIVERSE, "--years", "4", "--quiet")


def _manifests(home: Path, script: str) -> list[dict[str, object]]:
    found = sorted((home / "manifests").glob(f"run_manifest_*_{script}_*.json"))
    return [json.loads(p.read_text()) for p in found]


def script_path(name: str) -> str:
    """Absolute path of an entry point's file."""
    return str(layout.package_dir() / f"{name}.py")


def _date(text: object) -> dt.date:
    return dt.date.fromisoformat(str(text))


def _as_file(script: str) -> list[str]:
    return [script_path(script)]


def _as_module(script: str) -> list[str]:
    return ["-m", f"quant_engine.{script}"]


@pytest.mark.parametrize("script", ENGINE_SCRIPTS)
def test_help_imports_nothing_heavy(script: str, run_cli: Runner) -> None:
    code = (
        "import sys\n"
        f"import quant_engine.{script} as m\n"
        "assert m.main(['--help']) == 0\n"
        "print(sorted(x for x in ('pandas', 'numpy', 'sklearn') if x in sys.modules))\n"
    )
    done = run_cli(["-c", code])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("script", ENGINE_SCRIPTS)
@pytest.mark.parametrize("launch", [_as_file, _as_module])
def test_bad_flag_exits_2(script: str, launch: object, run_cli: Runner) -> None:
    done = run_cli([*launch(script), "--years", "zero"])  # type: ignore[operator]
    assert done.returncode == 2
    assert "--years" in done.stderr


def test_running_a_file_hides_the_package_folder(run_cli: Runner) -> None:
    """Running run_x.py as a file must not make `import config` find the package's config.py."""
    code = (
        "import importlib.util, runpy, sys\n"
        f"path = {script_path('run_train')!r}\n"
        "sys.path[0] = path.rsplit('/', 1)[0]\n"
        "sys.argv = [path, '--help']\n"
        "try:\n"
        "    runpy.run_path(path, run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(importlib.util.find_spec('config'), importlib.util.find_spec('cli'))\n"
    )
    done = run_cli(["-c", code])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "None None"


def test_full_pipeline_from_outside_the_repo(run_cli: Runner, qe_home: Path) -> None:
    """train → predict → backtest → retrain → autopilot, each launched a different way."""
    steps = [
        (_as_file("run_train"), ()),
        (_as_module("run_predict"), ()),
        (_as_file("run_backtest"), ()),
        (_as_module("run_retrain"), ("--dry-run",)),
        (_as_file("run_autopilot"), ("--models", "ridge", "--workers", "1")),
    ]
    for (launch, flags), script in zip(steps, ENGINE_SCRIPTS, strict=True):
        done = run_cli([*launch, *QUICK, *flags])
        assert done.returncode == 0, f"{script}: {done.stderr}"
        manifests = _manifests(qe_home, script)
        assert len(manifests) == 1, script
        assert manifests[0]["status"] == "success"
        assert manifests[0]["outputs"], f"{script} recorded no outputs"


def test_console_script_runs(run_cli: Runner) -> None:
    scripts_dir = Path(sys.executable).parent
    exe = scripts_dir / "qe-backtest"
    if not exe.exists():
        pytest.skip("package not installed as console scripts in this interpreter")
    done = run_cli(
        ["-c", f"import subprocess, sys; sys.exit(subprocess.call([{str(exe)!r}, '--help']))"]
    )
    assert done.returncode == 0, done.stderr


def test_predict_years_really_loads_that_many_years(run_cli: Runner, qe_home: Path) -> None:
    assert run_cli([*_as_module("run_train"), *QUICK]).returncode == 0
    done = run_cli([*_as_module("run_predict"), *QUICK[:2], "--years", "5", "--quiet"])
    assert done.returncode == 0, done.stderr
    resolved = _manifests(qe_home, "run_predict")[0]["resolved"]
    assert isinstance(resolved, dict)
    span_days = (_date(resolved["end"]) - _date(resolved["start"])).days
    assert 5 * 365 - 7 <= span_days <= 5 * 366


def test_feature_mode_minimal_end_to_end(run_cli: Runner) -> None:
    minimal = ("--feature-mode", "minimal")
    for script, extra in (("run_train", ()), ("run_predict", ()), ("run_retrain", ("--force",))):
        done = run_cli([*_as_module(script), *QUICK, *minimal, *extra])
        assert done.returncode == 0, f"{script}: {done.stderr}"


def test_predict_without_a_model_says_what_to_run(run_cli: Runner) -> None:
    done = run_cli([*_as_module("run_predict"), *QUICK])
    assert done.returncode == 2
    assert "qe-train" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_ticker_is_one_line_exit_2(run_cli: Runner) -> None:
    done = run_cli([*_as_module("run_backtest"), "--tickers", "SPX,NOPE", "--years", "2"])
    assert done.returncode == 2
    assert "NOPE" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_backtest_twice_is_byte_identical(run_cli: Runner, tmp_path: Path) -> None:
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        done = run_cli([*_as_module("run_backtest"), *QUICK, "--output-dir", str(out)])
        assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in outs[0].iterdir())
    assert files
    assert files == sorted(p.name for p in outs[1].iterdir())
    for name in files:  # the plot is titled with its run id, so only a re-run of it matches
        if name != "equity.png":
            assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    verify = ["-m", "quant_engine.utils.reproducibility", "verify", "latest:run_backtest"]
    verified = run_cli(verify)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "3 output(s) identical" in verified.stdout


@pytest.mark.parametrize("script", ENGINE_SCRIPTS)
def test_bad_environment_value_is_one_line_exit_2(script: str, run_cli: Runner) -> None:
    done = run_cli([*_as_module(script), "--help"], QE_LOOKBACK_YEARS="abc")
    assert done.returncode == 2
    assert "QE_LOOKBACK_YEARS" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_backtest_against_spx_outside_the_universe(
    run_cli: Runner, tmp_path: Path, qe_home: Path
) -> None:
    tickers = ",".join(f"S{i:04d}" for i in range(8))
    flags = ("--tickers", tickers, "--years", "4", "--quiet", "--rebalance-every", "3")
    done = run_cli(
        [*_as_module("run_backtest"), *flags, "--benchmark", "SPX", "--output-dir", str(tmp_path)]
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads((tmp_path / "metrics.json").read_text())
    assert payload["benchmark"]["name"] == "SPX"
    assert payload["config"]["rebalance_every"] == 3
    assert {"excess_return", "tracking_error", "information_ratio", "beta"} <= set(
        payload["benchmark"]
    )
    assert payload["gross_and_net"]["gross"]["sharpe"] >= payload["metrics"]["sharpe"]
    assert payload["ic_by_year"]
    (manifest,) = _manifests(qe_home, "run_backtest")
    result = manifest["result"]
    assert isinstance(result, dict)
    assert result["gross_sharpe"] == payload["gross_and_net"]["gross"]["sharpe"]
    assert result["beta"] == payload["benchmark"]["beta"]


def test_bad_turnover_flags_exit_2(run_cli: Runner) -> None:
    for flag in (("--rebalance-every", "0"), ("--max-drops", "-1"), ("--benchmark", "DAX")):
        done = run_cli([*_as_module("run_backtest"), *QUICK, *flag])
        assert done.returncode == 2, flag
        assert flag[0] in done.stderr
