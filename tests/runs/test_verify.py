"""verify re-runs only this project's entry points in a sandbox and compares outputs; diff too."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quant_engine import config, layout, run_backtest
from quant_engine.autopilot import state as autopilot_state
from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.selection import IncumbentRecord
from quant_engine.models import registry
from quant_engine.runs import sandbox, store, verify
from quant_engine.runs.manifest import (
    CommandInfo,
    ModelRef,
    ModelRole,
    OutputFile,
    RunManifest,
    RunStatus,
)
from quant_engine.runs.redaction import REDACTED
from quant_engine.utils.reproducibility import build_run_manifest, main, write_run_manifest

BACKTEST = ["-q", "--tickers", "SPX,S0000", "--years", "2", "--feature-mode", "minimal"]


def backtest_run() -> tuple[Path, RunManifest]:
    """Run qe-backtest for real (in this process) and return its manifest."""
    assert run_backtest.main(BACKTEST) == 0
    path = layout.manifests_dir() / store.latest_name("run_backtest")
    return path.resolve(), store.load_manifest(path)


def with_command(manifest: RunManifest, module: str, argv: list[str]) -> RunManifest:
    command = CommandInfo(module=module, argv=argv, cwd="/", python="py")
    return manifest.model_copy(update={"command": command})


def with_env(manifest: RunManifest, **env: str) -> RunManifest:
    environment = manifest.environment.model_copy(update={"env": env})
    return manifest.model_copy(update={"environment": environment})


def test_a_backtest_reproduces_in_a_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    path, original = backtest_run()
    before = sorted(p.name for p in layout.results_dir().rglob("*"))
    assert main(["verify", original.run_id]) == 0
    assert "reproduced" in capsys.readouterr().out
    reruns = [m for _, m in store.scan(layout.manifests_dir()).entries if m.verify_of]
    assert [m.verify_of for m in reruns] == [original.run_id]
    assert reruns[0].data_home != str(layout.data_home())  # it ran in the sandbox
    assert sorted(p.name for p in layout.results_dir().rglob("*")) == before
    assert store.load_manifest(path.parent / store.latest_name()).run_id == original.run_id


def test_progress_counts_each_input_then_sandbox_rerun_and_compare() -> None:
    path, original = backtest_run()
    seen: list[tuple[int, int]] = []
    report = verify.verify_run(path, progress=lambda done, total: seen.append((done, total)))
    assert report.reproduced
    total = len(original.data) + verify.VERIFY_STEPS_AFTER_INPUTS
    assert seen == [(done, total) for done in range(total + 1)]


def test_a_changed_input_is_reported_without_rerunning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, original = backtest_run()
    with (layout.cache_dir("sample") / "SPX.parquet").open("ab") as handle:
        handle.write(b"x")
    assert main(["verify", original.run_id]) == 1
    out = capsys.readouterr().out
    assert "input 'market_data:SPX' changed" in out
    assert "NOT reproduced" in out
    assert len(store.scan(layout.manifests_dir()).entries) == 1  # nothing re-ran


def test_a_missing_input_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    _, original = backtest_run()
    (layout.cache_dir("sample") / "S0000.parquet").unlink()
    assert main(["verify", original.run_id]) == 1
    assert "input 'market_data:S0000' is missing" in capsys.readouterr().out


def test_a_differing_or_missing_output_is_named() -> None:
    base = build_run_manifest(None, "x")
    out = OutputFile(name="metrics", path="r/m.json", size=10, sha256="a" * 64)
    other = OutputFile(name="metrics", path="r/m.json", size=11, sha256="b" * 64)
    original = base.model_copy(update={"outputs": [out]})
    for rerun, expected in (
        (base.model_copy(update={"outputs": [other]}), "output 'metrics' differs"),
        (base, "output 'metrics' was not written by the re-run"),
    ):
        report = verify.VerifyReport(run_id=original.run_id)
        verify.compare_rerun(original, rerun, report, Path("/nonexistent"))
        assert any(expected in p for p in report.problems), report.problems


def test_a_run_without_a_command_cannot_be_verified(
    manifest_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_run_manifest(build_run_manifest(None, "legacy"), manifest_dir)
    assert main(["verify", str(path)]) == 2
    assert "recorded no command" in capsys.readouterr().err


def test_a_failed_run_cannot_be_verified(
    manifest_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = build_run_manifest(None, "run_train").model_copy(update={"status": RunStatus.FAILED})
    path = write_run_manifest(with_command(failed, "quant_engine.run_train", []), manifest_dir)
    assert main(["verify", str(path)]) == 2
    assert "is failed; only successes verify" in capsys.readouterr().err


@pytest.mark.parametrize(
    "case",
    [
        ("evil", [], {}, "command.module: 'evil' is not a quant_engine entry point"),
        ("quant_engine.runs.cli", [], {}, "command.module: 'quant_engine.runs.cli'"),
        ("quant_engine.run_train", [], {"PYTHONPATH": "/x"}, "environment.env.PYTHONPATH:"),
        ("quant_engine.run_train", [], {"LD_PRELOAD": "/x.so"}, "environment.env.LD_PRELOAD:"),
        ("quant_engine.run_train", [], {"QE_PLUGIN": "x"}, "environment.env.QE_PLUGIN:"),
        ("quant_engine.run_autopilot", ["--scheduler=tcp://h:1"], {}, "command.argv: --scheduler"),
    ],
)
def test_a_manifest_asking_for_more_than_a_replay_is_refused(
    manifest_dir: Path,
    capsys: pytest.CaptureFixture[str],
    case: tuple[str, list[str], dict[str, str], str],
) -> None:
    module, argv, env, field = case
    sent = with_env(with_command(build_run_manifest(None, "x"), module, argv), **env)
    path = write_run_manifest(sent, manifest_dir)
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"qe-runs: error: {field}")


def test_a_model_version_that_is_a_path_is_refused(
    manifest_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    escape = [ModelRef(version_id="../../outside", role=ModelRole.READ)]
    sent = with_command(build_run_manifest(None, "x"), "quant_engine.run_predict", [])
    path = write_run_manifest(sent.model_copy(update={"models": escape}), manifest_dir)
    assert main(["verify", str(path)]) == 2
    assert "models[0].version_id: '../../outside'" in capsys.readouterr().err


def test_replay_allows_the_projects_own_settings_and_notes_redacted_ones() -> None:
    recorded = with_env(
        with_command(build_run_manifest(None, "x"), "quant_engine.run_train", []),
        QE_SEED="7",
        QE_HOME="/elsewhere",
        QE_DB_PASS=REDACTED,
        PYTHONHASHSEED="0",
        OMP_NUM_THREADS="1",
    )
    notes = verify.replay_notes(recorded)
    assert notes == ["environment.env.QE_DB_PASS is redacted in the record: not restored"]
    assert {"quant_engine.run_train", "quant_engine.run_autopilot"} <= verify.entry_point_modules()
    assert {"QE_SEED", "QE_DATA_SOURCE", "QE_COST_BPS"} <= config.env_setting_names()


def test_rerun_argv_replaces_the_output_dir() -> None:
    base = build_run_manifest(None, "x")
    for argv in (["--output-dir", "/old", "--years", "2"], ["--output-dir=/old", "--years", "2"]):
        got = verify.rerun_argv(with_command(base, "m", argv), Path("/new"))
        assert got == ["--years", "2", "--output-dir", "/new"]


def test_rerun_env_restores_only_recorded_settings_and_keeps_credentials() -> None:
    recorded = with_env(build_run_manifest(None, "x"), QE_LOOKBACK_YEARS="4", QE_X=REDACTED)
    environ = {
        "QE_SEED": "9",
        "QE_WRDS_PASSWORD": "pw",
        "PATH": "/bin",
        "QE_HOME": "/live",
        "PYTHONHASHSEED": "3",
    }
    env = verify.rerun_env(recorded, environ, Path("/sandbox"))
    assert env["QE_LOOKBACK_YEARS"] == "4"
    assert "QE_SEED" not in env  # the verifier's own setting, not the run's
    assert "PYTHONHASHSEED" not in env
    assert "QE_X" not in env
    assert env["QE_WRDS_PASSWORD"] == "pw"
    assert env["PATH"] == "/bin"
    assert env["QE_HOME"] == "/sandbox"
    assert env["QE_VERIFY_OF"] == recorded.run_id


def test_sandbox_names_match_the_registry_and_autopilot_state() -> None:
    assert sandbox.MODEL_CURRENT_FILE == registry.CURRENT_FILE
    assert sandbox.MODEL_VERSION_RE.pattern == registry.VERSION_RE.pattern
    assert sandbox.MODEL_CREATED_FILE == registry.CREATED_FILE
    assert sandbox.AUTOPILOT_LOG_FILE == autopilot_state.LOG_NAME
    assert sandbox.AUTOPILOT_INCUMBENT_FILE == autopilot_state.INCUMBENT_NAME
    assert sandbox.AUTOPILOT_DECISIONS_DIR == autopilot_state.DECISIONS_DIR_NAME


def test_the_sandbox_pins_read_models_and_never_writes_the_live_registry(
    tmp_path: Path,
) -> None:
    live = layout.models_dir()
    for version in ("m-000000000001", "m-000000000002"):
        (live / version).mkdir(parents=True)
        (live / version / registry.METADATA_FILE).write_text("{}")
        (live / version / registry.CREATED_FILE).write_text('{"created_at": "then"}')
    (live / registry.CURRENT_FILE).write_text("m-000000000002\n")
    models = [
        ModelRef(version_id="m-000000000001", role=ModelRole.READ),
        ModelRef(version_id="m-000000000002", role=ModelRole.WRITTEN),
    ]
    manifest = build_run_manifest(None, "x").model_copy(update={"models": models})
    home = tmp_path / "sandbox"
    assert sandbox.prepare(manifest, home) == []
    pinned = registry.ModelRegistry(home / "models")
    assert pinned.current_version() == "m-000000000001"
    assert pinned.known_ids() == ["m-000000000001"]
    assert pinned.read_created("m-000000000002") == "then"
    assert (live / registry.CURRENT_FILE).read_text() == "m-000000000002\n"


def test_the_sandbox_starts_autopilot_from_the_incumbent_the_run_saw(tmp_path: Path) -> None:
    live = autopilot_state.AutopilotState()
    spec = CandidateSpec("core", "ridge", "top_k")
    best = {
        "candidate_id": spec.candidate_id,
        "candidate": spec.to_dict(),
        "metrics": {"sharpe": 1.5},
    }
    first_id, first_path = live.write_decision({"decision": {"best": best}})
    decided = "2024-01-02T03:04:05+00:00"
    live.append_log(
        {
            "decided_at": decided,
            "decision_id": first_id,
            "promoted": True,
            "decision_file": first_path.relative_to(live.directory).as_posix(),
            "incumbent_before": None,
            "incumbent_after": spec.candidate_id,
        }
    )
    live.save_incumbent(IncumbentRecord(spec, {"sharpe": 1.5}, decided, first_id))
    second_id, second_path = live.write_decision({"decision": {"best": best, "n": 2}})
    started = datetime.now(UTC)
    live.append_log(
        {
            "decided_at": started.isoformat(timespec="seconds"),
            "decision_id": second_id,
            "promoted": False,
            "decision_file": second_path.relative_to(live.directory).as_posix(),
            "incumbent_before": spec.candidate_id,
            "incumbent_after": spec.candidate_id,
        }
    )
    record = OutputFile(name="autopilot_decision_record", path=layout.relative_to_home(second_path))
    manifest = build_run_manifest(None, "run_autopilot").model_copy(
        update={
            "outputs": [record],
            "started_at": started,
            "finished_at": started + timedelta(seconds=2),
        }
    )
    home = tmp_path / "sandbox"
    assert sandbox.prepare(manifest, home) == []
    rebuilt = home / layout.autopilot_dir().relative_to(layout.data_home()) / "incumbent.json"
    assert rebuilt.read_bytes() == live.incumbent_path.read_bytes()


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


def test_a_verify_of_a_sent_manifest_reads_nothing_from_it(tmp_path: Path) -> None:
    sent = tmp_path / "sent.json"
    sent.write_text(json.dumps({"not": "a manifest"}))
    assert main(["verify", str(sent)]) == 2
