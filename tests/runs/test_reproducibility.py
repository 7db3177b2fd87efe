"""record_run / build_run_manifest: every field, status on success, failure and interruption."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import quant_engine
from quant_engine import config, layout
from quant_engine.data.market_data import InputRecord, MarketData
from quant_engine.runs import store
from quant_engine.runs.manifest import ModelRole, RunManifest, RunStatus
from quant_engine.runs.redaction import REDACTED, redact_mapping
from quant_engine.utils.reproducibility import (
    RunTerminated,
    build_run_manifest,
    record_run,
    write_run_manifest,
)

RUN_ID_RE = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-\d+-[0-9a-f]{6}$")
NAME_RE = re.compile(r"^run_manifest_\d{8}T\d{6}\.\d{6}Z_[\w.-]+_[0-9a-f]{6}\.json$")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(path: Path | None) -> RunManifest:
    assert path is not None
    return store.load_manifest(path)


def market_data() -> MarketData:
    """Two cached tickers with provenance, as the loader builds them."""
    inputs = []
    for ticker in ("SPX", "COMP"):
        path = layout.cache_dir("sample") / f"{ticker}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"bytes of {ticker}".encode())
        record = InputRecord(
            ticker=ticker,
            source="sample",
            path=path.relative_to(layout.data_home()).as_posix(),
            rows=3,
            first="2024-01-02",
            last="2024-01-04",
            sha256=sha(path.read_bytes()),
        )
        inputs.append(record)
    bars = {r.ticker: pd.DataFrame() for r in inputs}
    return MarketData(bars=bars, source="sample", inputs=tuple(inputs))


@dataclasses.dataclass(frozen=True)
class RecordedBacktest:
    """A finished backtest run recorded with every kind of field, and what it was given."""

    run: Any
    manifest: RunManifest
    argv: list[str]
    data: MarketData
    extra_input: Path
    outputs: dict[str, Path]


@pytest.fixture
def recorded(tmp_path: Path) -> RecordedBacktest:
    args = argparse.Namespace(
        years=3,
        feature_mode="core",
        tickers=("SPX", "COMP"),
        start=dt.date(2020, 1, 2),
        output_dir=None,
        seed=7,
    )
    data = market_data()
    extra_input = tmp_path / "universe.csv"
    extra_input.write_text("SPX\nNDX\n")
    results = layout.results_dir() / "bt"
    results.mkdir(parents=True)
    outputs = {name: results / f"{name}.csv" for name in ("trades", "equity", "summary")}
    for i, path in enumerate(outputs.values()):
        path.write_bytes(os.urandom(1000 + i))
    (results / "charts").mkdir()
    (results / "charts" / "a.png").write_bytes(b"png")

    argv = ["--years", "3", "--seed", "7"]
    with record_run(args, "run_backtest", module="quant_engine.run_backtest", argv=argv) as run:
        run.resolve(years=3, effective_entry_threshold=0.01, effective_confidence=0.6)
        run.add_seed("model", 11)
        run.add_market_data(data)
        run.add_input("universe", extra_input)
        run.add_model("v0001", role="read")
        run.add_model("v0002", role=ModelRole.WRITTEN)
        for name, path in outputs.items():
            run.add_output(name, path)
        run.add_output("charts", results / "charts")
        run.set_result(total_trades=42)
    return RecordedBacktest(run, load(run.manifest_path), argv, data, extra_input, outputs)


def test_run_id_is_time_pid_and_random_suffix(recorded: RecordedBacktest) -> None:
    assert RUN_ID_RE.match(recorded.manifest.run_id)


def test_manifest_carries_the_runs_id(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.run_id == recorded.run.run_id


def test_manifest_file_is_named_by_time_script_and_id(recorded: RecordedBacktest) -> None:
    assert NAME_RE.match(recorded.run.manifest_path.name)


def test_manifest_file_is_in_the_manifests_dir(recorded: RecordedBacktest) -> None:
    assert recorded.run.manifest_path.parent == layout.manifests_dir()


def test_script_name_is_recorded(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.script == "run_backtest"


def test_finished_run_is_a_success(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.status is RunStatus.SUCCESS


def test_start_time_is_utc(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.started_at.utcoffset() == dt.timedelta(0)


def test_finish_time_is_not_before_the_start(recorded: RecordedBacktest) -> None:
    m = recorded.manifest
    assert m.finished_at is not None
    assert m.finished_at >= m.started_at


def test_duration_is_non_negative(recorded: RecordedBacktest) -> None:
    assert (recorded.manifest.duration_s or -1) >= 0


def test_successful_run_has_no_error(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.error is None


def test_ordinary_run_is_not_a_verification(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.verify_of is None


def test_command_records_module_argv_and_interpreter(recorded: RecordedBacktest) -> None:
    command = recorded.manifest.command
    assert command is not None
    assert (command.module, command.argv, command.python) == (
        "quant_engine.run_backtest",
        recorded.argv,
        sys.executable,
    )


def test_data_home_is_recorded(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.data_home == str(layout.data_home())


def test_cli_args_are_recorded_as_plain_json(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.cli_args == {
        "years": 3,
        "feature_mode": "core",
        "tickers": ["SPX", "COMP"],
        "start": "2020-01-02",
        "output_dir": None,
        "seed": 7,
    }


def test_resolved_settings_are_recorded(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.resolved == {
        "years": 3,
        "effective_entry_threshold": 0.01,
        "effective_confidence": 0.6,
    }


def test_result_is_recorded(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.result == {"total_trades": 42}


def test_config_is_recorded_with_secrets_redacted(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.config == redact_mapping(config.snapshot())


def test_config_digest_is_recorded(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.config_sha256 == config.snapshot_sha256()


def test_cli_seed_and_added_seeds_are_recorded(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.seeds == {"seed": 7, "model": 11}


def test_code_commit_is_the_checkouts_head(recorded: RecordedBacktest) -> None:
    head = subprocess.run(
        ["git", "-C", str(layout.repo_root()), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    assert recorded.manifest.code.commit == head


def test_code_records_the_package_version(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.code.package_version == quant_engine.__version__


def test_code_records_whether_the_checkout_is_dirty(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.code.dirty is not None


def test_environment_records_the_process_id(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.environment.pid == os.getpid()


def test_environment_records_package_versions(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.environment.packages["pandas"] == pd.__version__


def test_environment_records_the_data_home_variable(
    recorded: RecordedBacktest, qe_home: Path
) -> None:
    assert recorded.manifest.environment.env["QE_HOME"] == str(qe_home)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("source", "sample"),
        ("tickers", ["SPX"]),
        ("rows", 3),
        ("start", "2024-01-02"),
        ("end", "2024-01-04"),
        ("path", "cache/sample/SPX.parquet"),
        ("sha256", sha(b"bytes of SPX")),
        ("file_sha256", sha(b"bytes of SPX")),
    ],
)
def test_market_data_input_is_recorded(
    recorded: RecordedBacktest, field: str, expected: object
) -> None:
    spx = {d.name: d for d in recorded.manifest.data}["market_data:SPX"]
    assert getattr(spx, field) == expected


def test_extra_input_file_is_hashed(recorded: RecordedBacktest) -> None:
    universe = {d.name: d for d in recorded.manifest.data}["universe"]
    assert universe.file_sha256 == sha(recorded.extra_input.read_bytes())


def test_market_data_digest_is_recorded(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.data_digests == {"market_data": recorded.data.digest}


def test_overall_data_digest_is_a_sha256(recorded: RecordedBacktest) -> None:
    assert len(recorded.manifest.data_digest or "") == 64


def test_models_are_recorded_with_their_roles(recorded: RecordedBacktest) -> None:
    assert [(x.version_id, x.role) for x in recorded.manifest.models] == [
        ("v0001", ModelRole.READ),
        ("v0002", ModelRole.WRITTEN),
    ]


def test_model_version_is_the_model_written(recorded: RecordedBacktest) -> None:
    assert recorded.manifest.model_version == "v0002"


def test_outputs_keep_the_order_they_were_added(recorded: RecordedBacktest) -> None:
    assert [o.name for o in recorded.manifest.outputs] == ["trades", "equity", "summary", "charts"]


@pytest.mark.parametrize("name", ["trades", "equity", "summary"])
def test_output_file_path_is_relative_to_the_data_home(
    recorded: RecordedBacktest, name: str
) -> None:
    output = {o.name: o for o in recorded.manifest.outputs}[name]
    assert output.path == f"results/bt/{name}.csv"


@pytest.mark.parametrize("name", ["trades", "equity", "summary"])
def test_output_file_size_and_hash_are_recorded(recorded: RecordedBacktest, name: str) -> None:
    output = {o.name: o for o in recorded.manifest.outputs}[name]
    path = recorded.outputs[name]
    assert (output.size, output.sha256) == (path.stat().st_size, sha(path.read_bytes()))


def test_output_folder_records_file_count_and_total_size(recorded: RecordedBacktest) -> None:
    charts = {o.name: o for o in recorded.manifest.outputs}["charts"]
    assert (charts.files, charts.size) == (1, 3)


def test_running_manifest_is_written_at_start_then_completed(manifest_dir: Path) -> None:
    with record_run(None, "run_train") as run:
        during = load(run.manifest_path)
        assert during.status is RunStatus.RUNNING
        assert during.finished_at is None
        assert not (manifest_dir / "run_manifest_latest.json").exists()  # only successes
    assert (manifest_dir / "run_manifest_latest.json").resolve() == run.manifest_path
    after = load(run.manifest_path)
    assert after.status is RunStatus.SUCCESS
    assert after.run_id == during.run_id
    assert len(list(manifest_dir.glob("run_manifest_2*.json"))) == 1


def test_failing_run_records_failed_with_traceback_and_reraises(manifest_dir: Path) -> None:
    def train() -> None:
        raise ValueError("no rows left after filtering")

    with pytest.raises(ValueError, match="no rows"), record_run(None, "run_train") as run:
        train()
    m = load(run.manifest_path)
    assert m.status is RunStatus.FAILED
    assert m.error is not None
    assert m.error.type == "ValueError"
    assert m.error.message == "no rows left after filtering"
    assert "in train" in m.error.traceback
    assert "ValueError" in m.error.traceback
    assert m.finished_at is not None


def test_keyboard_interrupt_records_interrupted(manifest_dir: Path) -> None:
    with pytest.raises(KeyboardInterrupt), record_run(None, "run_autopilot") as run:
        raise KeyboardInterrupt
    assert load(run.manifest_path).status is RunStatus.INTERRUPTED


def test_sys_exit_zero_is_success(manifest_dir: Path) -> None:
    with pytest.raises(SystemExit), record_run(None, "run_server") as run:
        sys.exit(0)
    assert load(run.manifest_path).status is RunStatus.SUCCESS


def test_sigterm_to_a_running_process_records_interrupted(manifest_dir: Path) -> None:
    code = textwrap.dedent(
        """
        import sys, time
        from quant_engine.utils.reproducibility import RunTerminated, record_run
        try:
            with record_run(None, "run_retrain") as run:
                print(run.manifest_path, flush=True)
                time.sleep(60)
        except RunTerminated as exc:
            sys.exit(exc.exit_code)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    path = Path(proc.stdout.readline().strip())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    proc.stdout.close()
    m = load(path)
    assert m.status is RunStatus.INTERRUPTED
    assert m.error is not None
    assert m.error.type.endswith("RunTerminated")
    assert "SIGTERM" in m.error.message


def test_run_terminated_is_a_keyboard_interrupt_with_exit_code() -> None:
    exc = RunTerminated(signal.SIGTERM)
    assert isinstance(exc, KeyboardInterrupt)
    assert exc.exit_code == 143


def test_signal_handler_is_restored_after_the_run(manifest_dir: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with record_run(None, "run_predict"):
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_secrets_never_reach_any_manifest_file(
    manifest_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = {
        "QE_API_TOKEN": "tok-5f1e2d3c4b",
        "QE_WRDS_PASSWORD": "wrds-pw-998877",
        "KALSHI_API_KEY": "kalshi-key-123456",
        "MY_SECRET": "shh-its-secret",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    args = argparse.Namespace(api_key="cli-key-24680", db_password="cli-pw-13579", years=2)
    argv = ["--api-key", "cli-key-24680", "--db-password=cli-pw-13579", "--years", "2"]
    url = "postgresql://analyst:url-pw-55555@wrds:9737/wrds"

    def refresh() -> None:
        with record_run(args, "run_wrds_daily_refresh", module="m", argv=argv) as run:
            run.resolve(dsn=url, auth_token="resolved-tok-777", tickers=["SPX"])
            run.set_result(client_secret="result-secret-888")
            raise RuntimeError(f"login failed with {secrets['QE_WRDS_PASSWORD']} at {url}")

    with pytest.raises(RuntimeError, match="login failed"):
        refresh()
    build = build_run_manifest(args, "run_kalshi_event_pipeline", api_token="extra-tok-999")
    write_run_manifest(build, manifest_dir)

    values = [*secrets.values(), "cli-key-24680", "cli-pw-13579", "url-pw-55555"]
    values += ["resolved-tok-777", "result-secret-888", "extra-tok-999"]
    files = [p for p in manifest_dir.iterdir() if p.suffix == ".json"]
    assert len(files) == 4  # two runs, and the latest pointers (global, script) of the success
    for path in files:
        text = path.read_text()
        leaked = [v for v in values if v in text]
        assert leaked == [], f"{path.name} leaks {leaked}"
    (failed,) = [p for p in files if "wrds" in p.name and not p.is_symlink()]
    m = load(failed)
    assert m.status is RunStatus.FAILED
    assert all(m.environment.env.get(name, REDACTED) == REDACTED for name in secrets)
    assert m.resolved["tickers"] == ["SPX"]
    assert m.cli_args["years"] == 2
    assert "***REDACTED***" in m.command.argv  # type: ignore[union-attr]


def test_verify_rerun_is_marked_and_does_not_move_latest(
    manifest_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with record_run(None, "run_backtest") as first:
        pass
    monkeypatch.setenv("QE_VERIFY_OF", first.run_id)
    with record_run(None, "run_backtest") as rerun:
        pass
    assert load(rerun.manifest_path).verify_of == first.run_id
    assert (manifest_dir / "run_manifest_latest.json").resolve() == first.manifest_path


def test_build_and_write_keep_the_spec_signatures(tmp_path: Path) -> None:
    manifest = build_run_manifest(
        argparse.Namespace(years=15), "run_backtest", result_total_trades=12
    )
    assert manifest.resolved == {"result_total_trades": 12}
    assert manifest.status is RunStatus.SUCCESS
    path = write_run_manifest(manifest, tmp_path / "out")
    assert NAME_RE.match(path.name)
    assert load(path) == manifest
    with pytest.raises(FileExistsError):
        write_run_manifest(manifest, tmp_path / "out")
    custom = write_run_manifest(build_run_manifest(None, "x"), tmp_path / "out", "custom.json")
    assert custom.name == "custom.json"
    assert (tmp_path / "out" / "run_manifest_latest.json").resolve() == custom


def test_output_names_are_unique_and_missing_outputs_are_flagged(manifest_dir: Path) -> None:
    with record_run(None, "run_predict") as run:
        run.add_output("predictions", layout.results_dir() / "never_written.csv")
        with pytest.raises(ValueError, match="predictions"):
            run.add_output("predictions", layout.results_dir() / "other.csv")
    (out,) = load(run.manifest_path).outputs
    assert out.exists is False
    assert out.sha256 is None


def test_missing_input_is_a_clear_error(manifest_dir: Path, tmp_path: Path) -> None:
    with record_run(None, "run_predict") as run, pytest.raises(FileNotFoundError, match="prices"):
        run.add_input("prices", tmp_path / "nope.csv")


def test_custom_manifest_folder(tmp_path: Path) -> None:
    with record_run(None, "run_train", output_dir=tmp_path / "elsewhere") as run:
        pass
    assert run.manifest_path is not None
    assert run.manifest_path.parent == tmp_path / "elsewhere"
    assert not layout.manifests_dir().exists()


def test_failing_entry_point_exits_1_and_records_the_traceback(fake_entry: Any) -> None:
    done = fake_entry.run("--fail")
    assert done.returncode == 1
    assert "fake failure" in done.stderr
    ((_, m),) = store.scan(layout.manifests_dir(), script="fake_entry").entries
    assert m.status is RunStatus.FAILED
    assert m.error is not None
    assert "RuntimeError: fake failure" in m.error.traceback
    assert [d.name for d in m.data] == ["prices"]
