"""Shared flags: defaults and choices come from config, bad values are usage errors."""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from quant_engine import cli, config
from quant_engine.data import LocalCache
from quant_engine.errors import ConfigError, UsageError


def _parser() -> argparse.ArgumentParser:
    return cli.engine_parser("qe-test", "test", cli.add_feature_mode)


def test_engine_parser_puts_own_flags_between_the_data_and_run_flags() -> None:
    parser = cli.engine_parser("qe-test", None, cli.add_model_kind, cli.add_costs)
    flags = [a.option_strings[-1] for a in parser._actions if a.option_strings]
    own = ["--model", "--cost-bps", "--slippage-bps"]
    start = flags.index(own[0])
    assert flags[start : start + len(own)] == own
    assert flags.index("--data-source") < start < flags.index("--seed")


def test_defaults_come_from_config() -> None:
    args = _parser().parse_args([])
    assert args.years == config.LOOKBACK_YEARS
    assert args.feature_mode == config.DEFAULT_FEATURE_MODE
    assert args.tickers == config.DEFAULT_UNIVERSE
    assert args.seed == config.DEFAULT_SEED
    assert args.data_source == config.DEFAULT_DATA_SOURCE
    assert args.output_dir is None
    assert (args.verbose, args.quiet) == (0, False)


def test_years_default_can_be_the_predict_window() -> None:
    parser = cli.new_parser("qe-x", "x")
    cli.add_years(parser, default=config.PREDICT_LOOKBACK_YEARS)
    assert parser.parse_args([]).years == config.PREDICT_LOOKBACK_YEARS
    assert parser.parse_args(["--years", "5"]).years == 5


def test_feature_mode_offers_every_mode() -> None:
    action = next(a for a in _parser()._actions if a.dest == "feature_mode")
    assert tuple(action.choices or ()) == config.FEATURE_MODES


def test_tickers_are_normalised() -> None:
    args = _parser().parse_args(["--tickers", "spx, comp,SPX,brk.b"])
    assert args.tickers == ("SPX", "COMP", "BRK.B")


def test_dates_parse() -> None:
    args = _parser().parse_args(["--start", "2010-01-04", "--end", "2012-12-31"])
    assert args.start == dt.date(2010, 1, 4)
    assert args.end == dt.date(2012, 12, 31)


@pytest.mark.parametrize(
    "argv",
    [
        ["--years", "0"],
        ["--years", "ten"],
        ["--years", "2018"],
        ["--years", "100000"],
        ["--start", "1500-01-01"],
        ["--end", "9999-12-31"],
        ["--feature-mode", "huge"],
        ["--tickers", "$$$"],
        ["--tickers", ","],
        ["--start", "2020-13-01"],
        ["--seed", "-3"],
        ["--data-source", "bloomberg"],
        ["-v", "--quiet"],
    ],
)
def test_bad_flags_exit_2_naming_the_flag(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as excinfo:
        _parser().parse_args(argv)
    assert excinfo.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert argv[0] in line


def test_the_longest_lookback_is_one_pandas_can_hold() -> None:
    import pandas as pd

    args = _parser().parse_args(["--years", str(cli.MAX_YEARS)])
    start = pd.Timestamp("1970-01-01") - pd.DateOffset(years=args.years)
    assert start >= pd.Timestamp.min
    with pytest.raises(SystemExit):
        _parser().parse_args(["--years", str(cli.MAX_YEARS + 1)])
    assert pd.Timestamp(cli.EARLIEST_DATE + dt.timedelta(days=1)) > pd.Timestamp.min
    assert pd.Timestamp(cli.LATEST_DATE) < pd.Timestamp.max


def test_output_dir_may_be_new_but_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert _parser().parse_args(["--output-dir", str(tmp_path / "new")]).output_dir.name == "new"
    for bad in (afile, afile / "below"):
        with pytest.raises(SystemExit):
            _parser().parse_args(["--output-dir", str(bad)])
        (line,) = capsys.readouterr().err.splitlines()
        assert "--output-dir" in line
        assert str(afile) in line


def test_file_flags_refuse_a_folder(tmp_path: Path) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is a folder"):
        cli.file_path(str(tmp_path))
    assert cli.file_path(str(tmp_path / "out.ts")) == tmp_path / "out.ts"


def test_run_command_turns_errors_into_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full_disk() -> int:
        raise OSError(28, "No space left on device", "/data/x.json")

    def bad_usage() -> int:
        raise UsageError("no such ticker: NOPE\nsecond line")

    assert cli.run_command("tool", full_disk) == 1
    assert capsys.readouterr().err == "tool: error: /data/x.json: No space left on device\n"
    assert cli.run_command("tool", bad_usage) == 2
    assert capsys.readouterr().err == "tool: error: no such ticker: NOPE\n"
    monkeypatch.setattr(config, "_PROBLEMS", [("QE_SEED", "x", "an integer")])
    assert cli.run_command("tool", lambda: 0) == 2
    assert "QE_SEED='x'" in capsys.readouterr().err


def test_importing_cli_does_not_import_pandas() -> None:
    code = "import sys, quant_engine.cli; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_choice_list_accepts_subsets_and_rejects_strangers() -> None:
    parse = cli.choice_list(config.FEATURE_MODES)
    assert parse("full, minimal,full") == ("full", "minimal")
    with pytest.raises(argparse.ArgumentTypeError, match="huge"):
        parse("core,huge")
    with pytest.raises(argparse.ArgumentTypeError):
        parse(" , ")


def test_help_shows_real_defaults_and_no_none_noise(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default: {config.LOOKBACK_YEARS})" in text
    assert f"(default: {config.DEFAULT_SEED})" in text
    assert "(default: None)" not in text
    assert "(default: False)" not in text


REAL_TICKERS = ["SPX", "COMP", "S0000", "S0999", "AAPL", "BRK.B", "BF-B", "BRK-B", "A", "3M"]
NOT_TICKERS = ["", ".HIDDEN", "-X", "A/B", "../etc", "BRK B", "A$B", "brk.b", "AAPL\n", "X" * 16]


@pytest.mark.parametrize("ticker", [*REAL_TICKERS, *config.DEFAULT_UNIVERSE])
def test_every_ticker_the_sources_use_is_accepted(ticker: str) -> None:
    assert cli.check_ticker(ticker) == ticker
    assert LocalCache().path_for("sample", ticker).name == f"{ticker}.parquet"


@pytest.mark.parametrize("ticker", NOT_TICKERS)
def test_a_non_ticker_is_refused_naming_it(ticker: str) -> None:
    with pytest.raises(UsageError) as excinfo:
        cli.check_ticker(ticker)
    assert str(excinfo.value) == f"not a ticker symbol: {ticker!r}"
    with pytest.raises(UsageError, match="not a ticker symbol"):
        LocalCache().path_for("sample", ticker)


def test_ticker_flag_names_the_bad_ticker(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["--tickers", "SPX,A/B"])
    assert "not a ticker symbol: 'A/B'" in capsys.readouterr().err


def test_a_window_ending_before_it_starts_is_a_usage_error_naming_both_days() -> None:
    cli.check_date_window(dt.date(2020, 1, 2), dt.date(2020, 1, 2))
    cli.check_date_window(None, dt.date(2020, 1, 1))
    with pytest.raises(UsageError, match=r"^--start 2020-01-03 is after --end 2020-01-02$"):
        cli.check_date_window(dt.date(2020, 1, 3), dt.date(2020, 1, 2))
    with pytest.raises(UsageError, match=r"^start 2020-01-03 is after end 2020-01-02$"):
        cli.check_date_window(dt.date(2020, 1, 3), dt.date(2020, 1, 2), ("start", "end"))


def test_a_data_home_on_a_file_is_a_config_error_naming_qe_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    for home in (afile, afile / "below"):
        monkeypatch.setenv("QE_HOME", str(home))
        for writable in (False, True):
            with pytest.raises(ConfigError, match=r"^QE_HOME: .*afile") as excinfo:
                cli.check_data_home(writable=writable)
            assert "\n" not in str(excinfo.value)
    assert afile.read_text() == "x"


def test_an_unwritable_data_home_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QE_HOME", "/proc/qe_home")  # nobody, root included, can create it
    assert cli.check_data_home(writable=False) == Path("/proc/qe_home")
    with pytest.raises(ConfigError, match=r"^QE_HOME: /proc/qe_home cannot be written"):
        cli.check_data_home(writable=True)


def test_a_writable_data_home_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QE_HOME", str(tmp_path / "new" / "home"))
    home = cli.check_data_home(writable=True)
    assert home.is_dir()
    assert list(home.iterdir()) == []  # the write probe leaves nothing behind


def test_seed_help_says_which_estimators_use_it() -> None:
    parser = argparse.ArgumentParser()
    cli.add_run_flags(parser)
    text = " ".join(parser.format_help().split())
    assert "random seed of the gbm estimator" in text
    assert "ridge and prediction are deterministic" in text
