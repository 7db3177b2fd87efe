"""The shared runner maps outcomes to exit codes, one-line errors and a manifest per run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from quant_engine import cli
from quant_engine.entrypoint import RunReport, run_entry_point
from quant_engine.errors import ConfigError, DataError, UnknownTickerError
from quant_engine.utils.reproducibility import RunRecorder
from tests.reliability.test_bad_inputs import CONSOLE_SCRIPTS


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


@pytest.mark.parametrize("command", CONSOLE_SCRIPTS)
def test_bad_environment_value_exits_2_from_the_installed_command(
    command: str, qe_home: Path, tmp_path: Path
) -> None:
    """The real console script, even for --help: one line naming the variable, exit 2."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QE_HOME": str(qe_home), "QE_LOOKBACK_YEARS": "lots"}
    done = subprocess.run(
        [str(Path(sys.executable).with_name(command)), "--help"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{command}: error: QE_LOOKBACK_YEARS='lots' is invalid: expected an integer 1..100; "
        "fix or unset it"
    ]
    assert list(qe_home.iterdir()) == []


def disk_full_except(folder: str, writes: int) -> object:
    """An ``os.fsync`` that fails with ENOSPC except for the first ``writes`` files under
    ``folder``: the disk fills up as the run goes."""
    import errno
    import os

    real_fsync = os.fsync
    allowed = [writes]

    def fsync(fd: int) -> None:
        if allowed[0] <= 0 or not os.readlink(f"/proc/self/fd/{fd}").startswith(folder):
            raise OSError(errno.ENOSPC, "No space left on device")
        allowed[0] -= 1
        real_fsync(fd)

    return fsync


def _write_output(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    from quant_engine.entrypoint import output_dir
    from quant_engine.utils.atomic import write_text_atomic

    write_text_atomic(output_dir(args, run) / "result.csv", "a,b\n")
    return RunReport(title="never")


def test_full_disk_names_the_file_and_the_manifest_holds_the_traceback(
    qe_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from quant_engine.utils import atomic

    monkeypatch.setattr(atomic.os, "fsync", disk_full_except(str(qe_home / "manifests"), 9))
    assert run_entry_point("run_fake", _parser, [], _write_output) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "result.csv: No space left on device" in line
    assert "it is also in the run manifest" in line
    (manifest,) = _manifests(qe_home)
    assert "No space left" in str(manifest["error"])


@pytest.mark.parametrize("manifest_writes", [0, 1], ids=["none", "only-the-first"])
def test_full_disk_does_not_claim_a_manifest_it_could_not_write(
    qe_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    manifest_writes: int,
) -> None:
    from quant_engine.utils import atomic

    manifests = qe_home / "manifests"
    monkeypatch.setattr(atomic.os, "fsync", disk_full_except(str(manifests), manifest_writes))
    assert run_entry_point("run_fake", _parser, [], _write_output) == 1
    (line,) = capsys.readouterr().err.splitlines()
    named = manifests if manifest_writes == 0 else qe_home / "results"
    assert f"error: {named}" in line
    assert line.endswith("No space left on device" + (" (-v for the traceback)" * manifest_writes))
    assert [m["status"] for m in _manifests(qe_home)] == ["running"] * manifest_writes


@pytest.mark.parametrize(
    ("script", "prefix"),
    [("run_train", "qe-train: error: "), ("run_fake", "python -m quant_engine.run_fake: error: ")],
)
def test_an_error_before_the_parser_exists_names_the_command_typed(
    script: str, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_parser() -> argparse.ArgumentParser:
        raise ConfigError("QE_X='y' is invalid")

    assert run_entry_point(script, broken_parser, [], lambda a, r: RunReport("x")) == 2
    assert capsys.readouterr().err.startswith(prefix)
