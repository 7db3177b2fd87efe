"""verify re-runs a recorded run and compares outputs; diff names what changed between runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quant_engine import layout
from quant_engine.runs import store, verify
from quant_engine.runs.manifest import CommandInfo, OutputFile
from quant_engine.utils.reproducibility import build_run_manifest, main


def record(fake_entry: Any, *argv: str) -> str:
    """Run the fake entry point and return its run id (from the latest pointer)."""
    done = fake_entry.run(*argv)
    assert done.returncode == 0, done.stderr
    return store.load_manifest(layout.manifests_dir() / "run_manifest_latest.json").run_id


def test_a_deterministic_run_reproduces(
    fake_entry: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = record(fake_entry, "--seed", "5")
    assert main(["verify", run_id]) == 0
    assert "reproduced" in capsys.readouterr().out
    reruns = [m for _, m in store.scan(layout.manifests_dir()).entries if m.verify_of]
    assert [m.verify_of for m in reruns] == [run_id]
    assert reruns[0].outputs[0].path.endswith("outputs/summary.txt")
    latest = store.load_manifest(layout.manifests_dir() / "run_manifest_latest.json")
    assert latest.run_id == run_id  # a verify re-run does not move the latest pointer


def test_a_changed_input_is_reported_without_rerunning(
    fake_entry: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = record(fake_entry)
    fake_entry.input_path.write_text("date,close\n2024-01-02,999.0\n")
    assert main(["verify", run_id]) == 1
    out = capsys.readouterr().out
    assert "input 'prices' changed" in out
    assert "NOT reproduced" in out
    assert len(store.scan(layout.manifests_dir()).entries) == 1  # nothing re-ran


def test_a_missing_input_is_reported(fake_entry: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run_id = record(fake_entry)
    fake_entry.input_path.unlink()
    assert main(["verify", run_id]) == 1
    assert "input 'prices' is missing" in capsys.readouterr().out


def test_a_nondeterministic_output_is_named(
    fake_entry: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = record(fake_entry, "--noise")
    assert main(["verify", run_id]) == 1
    out = capsys.readouterr().out
    assert "output 'summary' differs" in out
    assert "NOT reproduced" in out


def test_a_run_without_a_command_cannot_be_verified(
    manifest_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from quant_engine.utils.reproducibility import write_run_manifest

    path = write_run_manifest(build_run_manifest(None, "legacy"), manifest_dir)
    assert main(["verify", str(path)]) == 2
    assert "recorded no command" in capsys.readouterr().err


def test_a_failed_run_cannot_be_verified(
    fake_entry: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fake_entry.run("--fail").returncode == 1
    assert main(["verify", "latest"]) == 2  # latest is the newest success: there is none
    assert "no finished successful run" in capsys.readouterr().err
    ((_, failed),) = store.scan(layout.manifests_dir()).entries
    assert main(["verify", failed.run_id]) == 2
    assert "is failed; only successes verify" in capsys.readouterr().err


def test_rerun_argv_replaces_the_output_dir() -> None:
    base = build_run_manifest(None, "x")
    for argv in (["--output-dir", "/old", "--years", "2"], ["--output-dir=/old", "--years", "2"]):
        command = CommandInfo(module="m", argv=argv, cwd="/", python="py")
        got = verify.rerun_argv(base.model_copy(update={"command": command}), Path("/new"))
        assert got == ["--years", "2", "--output-dir", "/new"]


def test_rerun_env_restores_recorded_settings_and_keeps_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QE_LOOKBACK_YEARS", "4")
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    recorded = build_run_manifest(None, "x")
    environ = {"QE_SEED": "9", "QE_WRDS_PASSWORD": "pw", "PATH": "/bin", "QE_HOME": "/h"}
    env = verify.rerun_env(recorded, environ)
    assert env["QE_LOOKBACK_YEARS"] == "4"
    assert env["PYTHONHASHSEED"] == "0"
    assert "QE_SEED" not in env  # not set when the run was recorded
    assert env["QE_WRDS_PASSWORD"] == "pw"
    assert env["PATH"] == "/bin"
    assert env["QE_HOME"] == str(layout.data_home())
    assert env["QE_VERIFY_OF"] == recorded.run_id


def test_diff_names_each_changed_section() -> None:
    a = build_run_manifest({"years": 2}, "run_backtest", threshold=0.1)
    b = build_run_manifest({"years": 3}, "run_backtest", threshold=0.1)
    out_a = OutputFile(name="trades", path="r/t.csv", size=10, sha256="a" * 64)
    out_b = OutputFile(name="trades", path="r/t.csv", size=11, sha256="b" * 64)
    config_b = {**b.config, "COST_BPS": 99.0}
    a = a.model_copy(update={"outputs": [out_a], "result": {"total_trades": 5}})
    b = b.model_copy(update={"outputs": [out_b], "result": {"total_trades": 6}, "config": config_b})
    changes = {(c.section, c.key): (c.a, c.b) for c in verify.diff_manifests(a, b)}
    assert changes[("cli_args", "years")] == ("2", "3")
    assert changes[("result", "total_trades")] == ("5", "6")
    assert changes[("config", "COST_BPS")][1] == "99.0"
    assert changes[("outputs", "trades")][0].startswith("a" * 12)
    assert ("resolved", "threshold") not in changes
    assert verify.diff_manifests(a, a) == []
