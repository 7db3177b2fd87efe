"""The shared runner maps outcomes to exit codes, one-line errors and a manifest per run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from quant_engine import cli
from quant_engine.entrypoint import RunReport, run_entry_point
from quant_engine.errors import DataError, UnknownTickerError
from quant_engine.utils.reproducibility import RunRecorder


def _parser() -> argparse.ArgumentParser:
    parser = cli.new_parser("qe-fake", "a fake entry point")
    cli.add_run_flags(parser)
    return parser


def _manifests(home: Path) -> list[dict[str, object]]:
    return [
        json.loads(p.read_text())
        for p in sorted((home / "manifests").glob("run_manifest_2*_run_fake_*.json"))
    ]


def _ok(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    run.resolve(answer=42)
    return RunReport(title="fake done", rows={"answer": 42})


def test_success_prints_summary_and_records_manifest(
    qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_entry_point("run_fake", _parser, [], _ok) == 0
    out = capsys.readouterr().out
    assert "fake done" in out
    assert "manifest" in out
    (manifest,) = _manifests(qe_home)
    assert manifest["status"] == "success"
    assert manifest["resolved"] == {"answer": 42}


def test_quiet_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_entry_point("run_fake", _parser, ["--quiet"], _ok) == 0
    assert capsys.readouterr().out == ""


def _boom(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    raise ZeroDivisionError("the model diverged\nsecond line")


def test_unexpected_failure_is_one_line_and_exit_1(
    qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_entry_point("run_fake", _parser, [], _boom) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "ZeroDivisionError: the model diverged" in err
    assert "-v for the traceback" in err
    assert "Traceback" not in err
    (manifest,) = _manifests(qe_home)
    assert manifest["status"] == "failed"
    error = manifest["error"]
    assert isinstance(error, dict)
    assert "Traceback" in str(error["traceback"])


def test_verbose_failure_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_entry_point("run_fake", _parser, ["-v"], _boom) == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("error", "code"),
    [(UnknownTickerError("unknown ticker 'NOPE'"), 2), (DataError("cache file x is corrupt"), 1)],
)
def test_engine_errors_map_to_their_exit_code(
    error: Exception, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    def job(args: argparse.Namespace, run: RunRecorder) -> RunReport:
        raise error

    assert run_entry_point("run_fake", _parser, [], job) == code
    err = capsys.readouterr().err
    assert str(error) in err
    assert "-v for the traceback" not in err  # a deliberate error needs no traceback hint
    assert len(err.strip().splitlines()) == 1


def test_interrupt_exits_130_and_records_it(qe_home: Path) -> None:
    def job(args: argparse.Namespace, run: RunRecorder) -> RunReport:
        raise KeyboardInterrupt

    assert run_entry_point("run_fake", _parser, [], job) == 130
    (manifest,) = _manifests(qe_home)
    assert manifest["status"] == "interrupted"


def test_bad_environment_value_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from quant_engine.errors import ConfigError

    def broken_parser() -> argparse.ArgumentParser:
        raise ConfigError("QE_LOOKBACK_YEARS='x' is invalid: expected an integer 1..100")

    assert run_entry_point("run_fake", broken_parser, [], _ok) == 2
    assert "QE_LOOKBACK_YEARS" in capsys.readouterr().err
