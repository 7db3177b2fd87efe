"""qe-runs run as a user would (subprocesses from outside the repo) on real runs: list with its
filters, show, diff, plot and prune.

One data home is filled once by the smallest real runs (train, two backtests, predict on three
tickers); each test works on its own copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

Runner = Callable[..., subprocess.CompletedProcess[str]]
DATA = ("--tickers", "S0000,S0001,S0002", "--years", "3")
RUNS = ("-m", "quant_engine.utils.reproducibility")
RAW_FLOAT = re.compile(r"\d\.\d{7,}")


@pytest.fixture(scope="session")
def runs_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """train; backtest top_k (default results folder); backtest long_short (results/ls);
    predict: oldest first."""
    home = tmp_path_factory.mktemp("runs_home")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"QE_HOME": str(home)}
    for argv in (
        ["quant_engine.run_train", *DATA],
        ["quant_engine.run_backtest", *DATA, "--rule", "top_k", "--top-k", "1"],
        ["quant_engine.run_backtest", *DATA, "--output-dir", str(home / "results" / "ls")],
        ["quant_engine.run_predict", "--tickers", DATA[1]],
    ):
        done = subprocess.run(
            [sys.executable, "-m", *argv, "-q"],
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
def home(runs_home: Path, qe_home: Path) -> Path:
    """This test's QE_HOME: a copy of the filled data home."""
    shutil.copytree(runs_home, qe_home, dirs_exist_ok=True, symlinks=True)
    return qe_home


def records(run_cli: Runner, *argv: str) -> list[dict[str, object]]:
    done = run_cli([*RUNS, "list", "--json", *argv])
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def backtest_ids(run_cli: Runner) -> tuple[str, str]:
    """Short ids of the long_short (newer) and top_k (older) backtests."""
    found = records(run_cli, "--script", "backtest")
    return str(found[0]["short_id"]), str(found[1]["short_id"])


def assert_readable(text: str) -> None:
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 100
    assert not RAW_FLOAT.search(text), RAW_FLOAT.search(text)
    assert "['" not in text


def test_list_fits_100_columns_with_short_ids_and_readable_figures(
    home: Path, run_cli: Runner
) -> None:
    done = run_cli([*RUNS, "list"], COLUMNS="100")
    assert done.returncode == 0, done.stderr
    assert_readable(done.stdout)
    found = records(run_cli)
    assert [r["script"] for r in found] == [
        "run_predict",
        "run_backtest",
        "run_backtest",
        "run_train",
    ]
    for r in found:
        assert str(r["run_id"]).startswith(str(r["short_id"]))
        assert len(str(r["short_id"])) < len(str(r["run_id"]))
        assert f"{r['short_id']} " in done.stdout
    assert "%" in done.stdout


@pytest.mark.parametrize("name", ["backtest", "qe-backtest", "run_backtest"])
def test_list_of_backtests_has_their_own_columns(home: Path, run_cli: Runner, name: str) -> None:
    done = run_cli([*RUNS, "list", "--script", name], COLUMNS="100")
    assert done.returncode == 0, done.stderr
    assert_readable(done.stdout)
    header = next(line for line in done.stdout.splitlines() if "Sharpe" in line).split()
    assert header == [
        "run", "id", "status", "started", "rule", "model", "mode", "Sharpe", "CAGR", "max",
        "DD", "turnover",
    ]  # fmt: skip
    rows = [line.split() for line in done.stdout.splitlines() if "success" in line]
    assert [row[4:7] for row in rows] == [
        ["long_short", "ridge", "core"],
        ["top_k", "ridge", "core"],
    ]
    assert all(row[8].endswith("%") and row[9].startswith("-") for row in rows)


def test_train_and_predict_lists_show_their_figures(home: Path, run_cli: Runner) -> None:
    train = run_cli([*RUNS, "list", "--script", "qe-train"], COLUMNS="100").stdout
    assert "rank IC" in train
    assert_readable(train)
    predict = run_cli([*RUNS, "list", "--script", "predict"], COLUMNS="100").stdout
    assert "as of" in predict
    assert "2018-12-31" in predict


def test_unknown_script_is_exit_2_listing_the_choices(home: Path, run_cli: Runner) -> None:
    done = run_cli([*RUNS, "list", "--script", "backtst"])
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "'backtst' is not a known script" in done.stderr
    assert "run_backtest" in done.stderr


def test_where_sort_limit_since_and_status(home: Path, run_cli: Runner) -> None:
    every = records(run_cli, "--where", "sharpe>-1000", "--sort", "-sharpe")
    sharpes = [r["metrics"]["sharpe"] for r in every]  # type: ignore[index]
    assert len(sharpes) == 2
    assert sharpes == sorted(sharpes, reverse=True)
    assert isinstance(every[0]["settings"], dict)
    assert every[0]["settings"]["effective_rule"] in ("top_k", "long_short")
    assert len(records(run_cli, "--where", "rule=top_k")) == 1
    assert records(run_cli, "--where", f"sharpe>{max(sharpes)}") == []
    assert len(records(run_cli, "--since", "1d")) == 4
    assert records(run_cli, "--since", "2999-01-01") == []
    assert records(run_cli, "--status", "failed") == []
    limited = run_cli([*RUNS, "list", "--limit", "1"])
    assert "showing 1 of 4 runs; --limit 0 for all" in limited.stdout
    assert len(records(run_cli, "--limit", "0")) == 4


def test_bad_where_is_exit_2_naming_the_keys(home: Path, run_cli: Runner) -> None:
    unknown = run_cli([*RUNS, "list", "--where", "sharp>0.5"])
    assert unknown.returncode == 2
    assert "no run has a key 'sharp'; keys:" in unknown.stderr
    assert "sharpe" in unknown.stderr
    bad = run_cli([*RUNS, "list", "--where", "sharpe>>0.5"])
    assert bad.returncode == 2
    assert "not KEY OP VALUE" in bad.stderr


def test_list_csv_has_a_header_and_full_precision(home: Path, run_cli: Runner) -> None:
    done = run_cli([*RUNS, "list", "--csv", "--script", "backtest"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("run_id,short_id,script,status,")
    assert "metrics.sharpe" in lines[0]
    assert len(lines) == 3


def test_show_by_short_id_as_table_json_and_csv(home: Path, run_cli: Runner) -> None:
    newer, _ = backtest_ids(run_cli)
    table = run_cli([*RUNS, "show", newer])
    assert table.returncode == 0, table.stderr
    assert "long_short" in table.stdout
    assert re.search(r"annual_return +│ -?\d+\.\d\d%", table.stdout)
    assert not RAW_FLOAT.search(table.stdout), RAW_FLOAT.search(table.stdout)
    shown = json.loads(run_cli([*RUNS, "show", newer, "--json"]).stdout)
    assert shown["result"]["sharpe"] == pytest.approx(shown["result"]["sharpe"])
    assert shown["run_id"].startswith(newer)
    rows = run_cli([*RUNS, "show", newer, "--csv"]).stdout.splitlines()
    assert rows[0] == "section,key,value"
    assert any(r.startswith("metrics,sharpe,") for r in rows)


def test_diff_puts_settings_and_metrics_first_with_a_delta(home: Path, run_cli: Runner) -> None:
    newer, older = backtest_ids(run_cli)
    done = run_cli([*RUNS, "diff", older, newer], COLUMNS="100")
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "B - A" in out
    assert out.index("settings.effective_rule") < out.index("metrics.sharpe")
    assert out.index("metrics.sharpe") < out.index("other differences")
    assert re.search(r"metrics\.annual_return .* [+-]\d+\.\d\d pp", out)
    assert "same (3 inputs)" in out
    assert "market_data:" not in out
    found = json.loads(run_cli([*RUNS, "diff", older, newer, "--json"]).stdout)
    sharpe = next(m for m in found["metrics"] if m["key"] == "sharpe")
    assert sharpe["delta"] == pytest.approx(sharpe["b"] - sharpe["a"])
    assert found["data"]["differ"] == []
    csv_rows = run_cli([*RUNS, "diff", older, newer, "--csv"]).stdout.splitlines()
    assert csv_rows[0] == "section,key,a,b,delta"
    same = run_cli([*RUNS, "diff", newer, newer])
    assert same.returncode == 0
    assert "no differences" in same.stdout
    assert "1 when they differ" in run_cli([*RUNS, "diff", "--help"]).stdout


def test_plot_overlays_backtests_in_one_png(home: Path, run_cli: Runner, outside_dir: Path) -> None:
    newer, older = backtest_ids(run_cli)
    done = run_cli([*RUNS, "plot", older, newer, "--out", "plots/cmp.png"])
    assert done.returncode == 0, done.stderr
    png = outside_dir / "plots" / "cmp.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "2 equity curve(s)" in done.stdout


def test_plot_of_a_run_without_an_equity_curve_says_so(home: Path, run_cli: Runner) -> None:
    done = run_cli([*RUNS, "plot", "latest:run_train"])
    assert done.returncode == 2
    assert "has no equity curve" in done.stderr
    assert done.stderr.count("\n") == 1


def older_backtest_results(home: Path, run_cli: Runner) -> Path:
    """The folder the top_k backtest (the one --keep 0 prunes) wrote by default."""
    older = records(run_cli, "--script", "backtest")[1]
    return home / "results" / "run_backtest" / str(older["run_id"])


def test_prune_dry_run_then_prune_takes_the_results_along(home: Path, run_cli: Runner) -> None:
    results = older_backtest_results(home, run_cli)
    manifests = sorted((home / "manifests").glob("run_manifest_2*.json"))
    dry = run_cli([*RUNS, "prune", "--keep", "0", "--dry-run"])
    assert dry.returncode == 0, dry.stderr
    assert "would remove 1 manifest(s) and 3 result file(s)" in dry.stdout
    assert f"results/run_backtest/{results.name}/equity_curve.csv" in dry.stdout
    assert re.search(r"\d+\.\d kB", dry.stdout)
    assert sorted((home / "manifests").glob("run_manifest_2*.json")) == manifests
    assert (results / "equity_curve.csv").is_file()
    done = run_cli([*RUNS, "prune", "--keep", "0"])
    assert done.returncode == 0, done.stderr
    assert "removed 1 manifest(s) and 3 result file(s)" in done.stdout
    assert not results.exists()
    assert (home / "results" / "ls" / "equity_curve.csv").is_file()  # the latest backtest's
    assert len(records(run_cli)) == 3


def test_prune_keep_results_leaves_the_files(home: Path, run_cli: Runner) -> None:
    results = older_backtest_results(home, run_cli)
    done = run_cli([*RUNS, "prune", "--keep", "0", "--keep-results"])
    assert done.returncode == 0, done.stderr
    assert "removed 1 manifest(s) and 0 result file(s)" in done.stdout
    assert (results / "equity_curve.csv").is_file()
    assert len(records(run_cli)) == 3
