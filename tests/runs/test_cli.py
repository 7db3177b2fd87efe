"""qe-runs via main([...]): list, show, diff, prune, and clear errors with the right exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quant_engine.runs import store
from quant_engine.runs.manifest import RunStatus
from quant_engine.runs.record import new_manifest
from quant_engine.utils.reproducibility import main, record_run


@pytest.fixture
def three_runs(manifest_dir: Path) -> list[str]:
    """train (success), backtest (success, 12 trades), backtest (failed); oldest first."""
    ids = []
    with record_run({"years": 2}, "run_train") as run:
        run.set_result(ic=0.05)
    ids.append(run.run_id)
    with record_run({"years": 2}, "run_backtest") as run:
        run.set_result(total_trades=12)
    ids.append(run.run_id)
    with pytest.raises(RuntimeError), record_run({"years": 3}, "run_backtest") as run:
        raise RuntimeError("simulated crash")
    ids.append(run.run_id)
    return ids


def test_list_shows_newest_first(three_runs: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["run_id"] for r in rows] == three_runs[::-1]
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(r["short_id"] + " ") for r in rows]
    assert positions == sorted(positions)
    assert "total_trades 12" in out


def test_list_filters_by_script_and_status(
    three_runs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--script", "run_backtest", "--status", "success", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["run_id"] for r in rows] == [three_runs[1]]
    assert rows[0]["status"] == "success"
    assert Path(rows[0]["path"]).is_file()


def test_show_by_prefix_prints_a_readable_view(
    three_runs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", three_runs[2][:24]]) == 0
    out = capsys.readouterr().out
    assert three_runs[2] in out
    assert "failed" in out
    assert "RuntimeError: simulated crash" in out
    assert "Traceback" in out


def test_show_json_of_latest_is_the_manifest(
    three_runs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "latest:run_train", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run_id"] == three_runs[0]
    assert shown["result"] == {"ic": 0.05}


def test_bad_run_id_is_one_clear_line_and_exit_2(
    three_runs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "nonexistent"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no run matches 'nonexistent'" in err


def test_unreadable_path_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[]")
    assert main(["show", str(bad)]) == 2
    assert "not a readable run manifest" in capsys.readouterr().err


def test_diff_reports_changes_and_exit_codes(
    three_runs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", three_runs[1], three_runs[2]]) == 1
    out = capsys.readouterr().out
    assert "cli_args" in out
    assert "years" in out
    assert "failed" in out
    assert main(["diff", three_runs[1], three_runs[1]]) == 0
    assert "no differences" in capsys.readouterr().out


def test_prune_via_main_keeps_the_latest_successes(
    three_runs: list[str], manifest_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prune", "--keep", "0", "--dry-run"]) == 0
    assert "would remove 1 manifest(s)" in capsys.readouterr().out
    assert main(["prune", "--keep", "0"]) == 0
    left = {m.run_id: m.status for _, m in store.scan(manifest_dir).entries}
    assert left == {three_runs[0]: RunStatus.SUCCESS, three_runs[1]: RunStatus.SUCCESS}


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prune"]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["--help"]) == 0


def test_module_entry_point_runs(three_runs: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "quant_engine.utils.reproducibility", "list", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 3


@pytest.fixture
def dead_run(manifest_dir: Path) -> str:
    """A ``running`` record whose process is gone (as after a SIGKILL)."""
    running = new_manifest({"years": 2}, "run_train", status=RunStatus.RUNNING)
    gone = running.environment.model_copy(update={"pid": 2**22 + 7})
    store.write_new(running.model_copy(update={"environment": gone}), manifest_dir)
    return running.run_id


def test_list_and_show_say_dead_for_a_run_whose_process_is_gone(
    three_runs: list[str], dead_run: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--json"]) == 0
    rows = {
        r["run_id"]: r["status"] for r in map(json.loads, capsys.readouterr().out.split("\n")[:-1])
    }
    assert rows[dead_run] == "dead"
    assert "running" not in rows.values()
    assert main(["list", "--status", "running", "--json"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["show", dead_run]) == 0
    assert "dead" in capsys.readouterr().out
    assert main(["show", dead_run, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "dead"
    assert main(["show", "latest:run_train", "--json"]) == 0  # the success, not the newer dead run
    assert json.loads(capsys.readouterr().out)["run_id"] == three_runs[0]


def test_prune_keep_1_removes_the_dead_run_not_the_only_success(
    three_runs: list[str], dead_run: str, manifest_dir: Path
) -> None:
    assert main(["prune", "--keep", "1", "--script", "qe-train"]) == 0
    left = {m.run_id for _, m in store.scan(manifest_dir, script="run_train").entries}
    assert left == {three_runs[0]}


def test_table_shows_the_newest_20_and_says_how_many_matched(
    manifest_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for sharpe in range(22):
        with record_run({}, "run_backtest") as run:
            run.set_result(sharpe=sharpe / 10)
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "showing 20 of 22 runs; --limit 0 for all" in out
    assert main(["list", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 22
    assert main(["list", "--json", "--limit", "3", "--sort", "-sharpe"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(x)["metrics"]["sharpe"] for x in captured.out.splitlines()] == [
        2.1,
        2.0,
        1.9,
    ]
    assert "showing 3 of 22 runs" in captured.err
