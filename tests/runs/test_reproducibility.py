"""record_run / build_run_manifest: every field, status on success, failure and interruption."""

from __future__ import annotations

import argparse
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

from quant_engine import config, layout
from quant_engine.data.market_data import InputRecord, MarketData
from quant_engine.runs import store
from quant_engine.runs.manifest import ModelRole, RunManifest, RunStatus
from quant_engine.runs.redaction import redact_mapping
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
    for ticker in ("SPX", "NDX"):
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


def test_every_field_is_recorded(qe_home: Path, tmp_path: Path) -> None:
    args = argparse.Namespace(
        years=3,
        feature_mode="core",
        tickers=("SPX", "NDX"),
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

    m = load(run.manifest_path)
    assert RUN_ID_RE.match(m.run_id)
    assert m.run_id == run.run_id
    assert NAME_RE.match(run.manifest_path.name)  # type: ignore[union-attr]
    assert run.manifest_path.parent == layout.manifests_dir()  # type: ignore[union-attr]
    assert m.script == "run_backtest"
    assert m.status is RunStatus.SUCCESS
    assert m.started_at.tzinfo is not None
    assert m.started_at.utcoffset() == dt.timedelta(0)
    assert m.finished_at is not None
    assert m.finished_at >= m.started_at
    assert m.duration_s is not None
    assert m.duration_s >= 0
    assert m.error is None
    assert m.verify_of is None
    assert m.command is not None
    assert m.command.module == "quant_engine.run_backtest"
    assert m.command.argv == argv
    assert m.command.python == sys.executable
    assert m.data_home == str(layout.data_home())
    assert m.cli_args == {
        "years": 3,
        "feature_mode": "core",
        "tickers": ["SPX", "NDX"],
        "start": "2020-01-02",
        "output_dir": None,
        "seed": 7,
    }
    assert m.resolved == {
        "years": 3,
        "effective_entry_threshold": 0.01,
        "effective_confidence": 0.6,
    }
    assert m.result == {"total_trades": 42}
    assert m.config == redact_mapping(config.snapshot())  # e.g. API_KEY_HEADER is redacted
    assert m.config_sha256 == config.snapshot_sha256()
    assert m.seeds == {"seed": 7, "model": 11}

    head = subprocess.run(
        ["git", "-C", str(layout.repo_root()), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    assert m.code.commit == head
    assert m.code.package_version
    assert m.code.dirty is not None
    assert m.environment.pid == os.getpid()
    assert m.environment.packages["pandas"] == pd.__version__
    assert m.environment.env["QE_HOME"] == str(qe_home)

    by_name = {d.name: d for d in m.data}
    spx = by_name["market_data:SPX"]
    assert (spx.source, spx.tickers, spx.rows) == ("sample", ["SPX"], 3)
    assert (spx.start, spx.end, spx.path) == (
        "2024-01-02",
        "2024-01-04",
        "cache/sample/SPX.parquet",
    )
    assert spx.sha256 == spx.file_sha256 == sha(b"bytes of SPX")
    assert by_name["universe"].file_sha256 == sha(extra_input.read_bytes())
    assert m.data_digests == {"market_data": data.digest}
    assert m.data_digest is not None
    assert len(m.data_digest) == 64

    assert [(x.version_id, x.role) for x in m.models] == [
        ("v0001", ModelRole.READ),
        ("v0002", ModelRole.WRITTEN),
    ]
    assert m.model_version == "v0002"
    outs = {o.name: o for o in m.outputs}
    assert list(outs) == ["trades", "equity", "summary", "charts"]
    for name, path in outputs.items():
        assert outs[name].path == f"results/bt/{name}.csv"
        assert outs[name].size == path.stat().st_size
        assert outs[name].sha256 == sha(path.read_bytes())
    assert outs["charts"].files == 1
    assert outs["charts"].size == 3


def test_running_manifest_is_written_at_start_then_completed(manifest_dir: Path) -> None:
    with record_run(None, "run_train") as run:
        during = load(run.manifest_path)
        assert during.status is RunStatus.RUNNING
        assert during.finished_at is None
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
    assert len(files) == 5  # two runs, the global latest pointer and two per-script pointers
    for path in files:
        text = path.read_text()
        leaked = [v for v in values if v in text]
        assert leaked == [], f"{path.name} leaks {leaked}"
    (failed,) = [p for p in files if "wrds" in p.name and not p.is_symlink()]
    m = load(failed)
    assert m.status is RunStatus.FAILED
    assert not any(name in m.environment.env for name in secrets)
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
    m = load(layout.manifests_dir() / "run_manifest_latest_fake_entry.json")
    assert m.status is RunStatus.FAILED
    assert m.error is not None
    assert "RuntimeError: fake failure" in m.error.traceback
    assert [d.name for d in m.data] == ["prices"]
