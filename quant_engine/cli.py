"""Shared command-line flags: every entry point builds its parser from these builders.

Defaults and choices come from :mod:`quant_engine.config`, never literals, so two entry points
cannot drift. Importing this module stays cheap (argparse + config): it is on the ``--help`` path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, Protocol

from quant_engine import config, layout
from quant_engine.errors import (
    ConfigError,
    QuantEngineError,
    UsageError,
    error_line,
    first_line,
    os_error_line,
)

TICKER_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9.\-]{0,14}")
"""A ticker symbol as every source here spells it (SPX, S0001, BRK.B, BF-B): upper-case letters,
digits, dots and dashes, up to 15 characters, starting with a letter or digit. The rule doubles as
the cache's file-name guard: no ``/``, no leading ``.``, nothing but those characters."""


def check_ticker(ticker: str) -> str:
    """``ticker`` if it is a ticker symbol (:data:`TICKER_PATTERN`), else UsageError naming it."""
    if not TICKER_PATTERN.fullmatch(ticker):
        raise UsageError(f"not a ticker symbol: {ticker!r}")
    return ticker


def run_command(prog: str, body: Callable[[], int]) -> int:
    """Run a command's ``body`` after the environment check; return its exit code.

    A bad ``QE_*`` value, a QuantEngineError or an OSError becomes one line on stderr (exit 2 for
    usage and configuration, the error's code otherwise, 1 for an OSError); argparse's own exits
    (0 for ``--help``, 2 for a bad flag) pass through.
    """
    try:
        config.check_environment()
        return body()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except QuantEngineError as exc:
        print(f"{prog}: error: {error_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"{prog}: error: {os_error_line(exc)}", file=sys.stderr)
        return 1


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Appends a flag's default to its help, unless it is None, a switch, or already said."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        unset = action.default in (None, argparse.SUPPRESS) or action.nargs == 0  # switches
        if unset or not action.option_strings or "default" in text:
            return text
        if isinstance(action.default, (tuple, list)):  # as typed on the command line: A,B
            shown = ",".join(str(v) for v in action.default).replace("%", "%%")
            return f"{text} (default: {shown})"
        return f"{text} (default: %(default)s)"


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line naming the flag, then exit 2 (the full
    usage is one ``--help`` away); its subcommand parsers behave the same."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message> (see --help)`` on stderr and exit 2."""
        self.exit(2, f"{self.prog}: error: {first_line(message)} (see {self.prog} --help)\n")


def new_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """A parser with the house formatting and one-line errors; ``prog`` is the command's name.

    ``description`` is usually the entry point's ``__doc__`` (None under ``python -OO``).
    """
    return OneLineErrorParser(prog=prog, description=description, formatter_class=HelpFormatter)


def int_at_least(minimum: int, expected: str) -> Callable[[str], int]:
    """argparse type builder: an integer >= ``minimum``; the error says it expected ``expected``."""

    def parse(text: str) -> int:
        try:
            value: int | None = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


positive_int = int_at_least(1, "a positive integer")
"""argparse type: an integer >= 1."""
non_negative_int = int_at_least(0, "an integer >= 0")
"""argparse type: an integer >= 0."""


EARLIEST_DATE: dt.date = (dt.datetime(1970, 1, 1) - dt.timedelta(microseconds=2**63 // 1000)).date()
"""The first whole day pandas can hold (nanoseconds since 1970 in a signed 64-bit integer)."""
LATEST_DATE: dt.date = (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=2**63 // 1000)).date()
"""The last whole day pandas can hold."""


MAX_YEARS: int = (dt.date(1970, 1, 1) - EARLIEST_DATE).days * 4 // 1461
"""The longest ``--years`` lookback pandas can represent from any window ending after 1970 (the
lookback counts back from the data's last day, which may be years before today)."""


def years_back(text: str) -> int:
    """argparse type: a lookback of 1 .. :data:`MAX_YEARS` years."""
    top = MAX_YEARS
    try:
        value: int | None = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= top:
        raise argparse.ArgumentTypeError(
            f"expected a number of years 1..{top} (pandas holds dates from {EARLIEST_DATE}; "
            f"to start on a given day use --start YYYY-MM-DD), got {text!r}"
        )
    return value


def iso_date(text: str) -> dt.date:
    """argparse type: a calendar date written YYYY-MM-DD, within the dates pandas can hold."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None
    if not EARLIEST_DATE < day < LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"expected a date after {EARLIEST_DATE} and before {LATEST_DATE}, got {text!r}"
        )
    return day


def check_data_home(*, writable: bool) -> Path:
    """The data home, made if missing when ``writable``; ConfigError naming ``QE_HOME`` and the
    path when it is a file, sits under a file, or (``writable``) cannot be written."""
    import tempfile

    home = layout.data_home()
    var = layout.HOME_ENV_VAR
    fix = f"set {var} to a writable folder"
    in_the_way = file_in_the_way(home)
    if in_the_way:
        raise ConfigError(f"{var}: {home} {in_the_way}; {fix}")
    if not writable:
        return home
    try:
        home.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=home).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{var}: {home} cannot be written ({reason}); {fix}") from None
    return home


def file_path(text: str) -> Path:
    """argparse type: a file to write; it may not exist yet, but it is not a folder and its
    folder is not a file."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: expected a file name")
    folder_path(str(path.parent))
    return path


def folder_path(text: str) -> Path:
    """argparse type: a folder to write into; it may not exist yet, but it is not a file and
    does not sit under one."""
    path = Path(text).expanduser()
    in_the_way = file_in_the_way(path)
    if in_the_way:
        raise argparse.ArgumentTypeError(f"{text} {in_the_way}: expected a folder")
    return path


def file_in_the_way(folder: Path) -> str | None:
    """Why ``folder`` cannot be a folder (``is a file``, ``is under a file (X)``), or None."""
    blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if blocker is None or blocker.is_dir():
        return None
    return "is a file" if blocker == folder else f"is under a file ({blocker})"


def check_date_window(
    start: dt.date | None, end: dt.date | None, names: tuple[str, str] = ("--start", "--end")
) -> None:
    """UsageError when both days are given and ``start`` is after ``end``, naming both."""
    if start is not None and end is not None and start > end:
        raise UsageError(f"{names[0]} {start} is after {names[1]} {end}")


def ticker_list(text: str) -> tuple[str, ...]:
    """argparse type: comma-separated tickers, upper-cased, de-duplicated in order."""
    tickers: list[str] = []
    for raw in text.split(","):
        ticker = raw.strip().upper()
        if not ticker:
            continue
        try:
            check_ticker(ticker)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if ticker not in tickers:
            tickers.append(ticker)
    if not tickers:
        raise argparse.ArgumentTypeError("expected at least one ticker")
    return tuple(tickers)


def choice_list(choices: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """argparse type builder: a comma-separated, de-duplicated subset of ``choices``."""

    def parse(text: str) -> tuple[str, ...]:
        picked = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        unknown = [p for p in picked if p not in choices]
        if unknown or not picked:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated subset of {', '.join(choices)}, got {text!r}"
            )
        return picked

    return parse


class FlagTarget(Protocol):
    """What flags are added to: a parser or one of its argument groups."""

    def add_argument(self, *name_or_flags: str, **kwargs: Any) -> argparse.Action:
        """argparse's ``add_argument``."""
        ...


CHOICES: Mapping[str, tuple[tuple[str, ...], str]] = {
    "--feature-mode": (config.FEATURE_MODES, config.DEFAULT_FEATURE_MODE),
    "--data-source": (config.DATA_SOURCES, config.DEFAULT_DATA_SOURCE),
    "--model": (config.MODEL_KINDS, config.DEFAULT_MODEL_KIND),
    "--rule": (config.PORTFOLIO_RULES, config.DEFAULT_PORTFOLIO_RULE),
    "--crsp-layout": (config.CRSP_LAYOUTS, config.DEFAULT_CRSP_LAYOUT),
    "--executor": (config.EXECUTORS, config.DEFAULT_EXECUTOR),
    "--benchmark": (config.BENCHMARKS, config.DEFAULT_BENCHMARK),
}
"""Every flag that takes one value of a list: its choices and its default, both from config."""


def add_choice(parser: FlagTarget, flag: str, text: str) -> None:
    """``flag`` (a key of :data:`CHOICES`): one of its choices, its config default if absent."""
    choices, default = CHOICES[flag]
    parser.add_argument(flag, choices=choices, default=default, help=text)


def add_years(parser: argparse.ArgumentParser, *, default: int = config.LOOKBACK_YEARS) -> None:
    """``--years``: lookback window; entry points pick LOOKBACK_YEARS or PREDICT_LOOKBACK_YEARS."""
    parser.add_argument(
        "--years", type=years_back, default=default, help="years of history to load"
    )


def add_feature_mode(parser: argparse.ArgumentParser) -> None:
    """``--feature-mode``: one of config.FEATURE_MODES."""
    add_choice(parser, "--feature-mode", "feature set (each mode is a superset of the one before)")


def add_tickers(
    parser: argparse.ArgumentParser,
    *,
    default: tuple[str, ...] | None = config.DEFAULT_UNIVERSE,
    default_text: str = "SPX, COMP and S0000-S0023 of the embedded data",
) -> None:
    """``--tickers``: comma-separated universe; ``default`` (described by ``default_text``)."""
    parser.add_argument(
        "--tickers",
        type=ticker_list,
        default=default,
        metavar="T1,T2,...",
        help=f"comma-separated tickers (default: {default_text})",
    )


def add_date_range(
    parser: argparse.ArgumentParser,
    *,
    start_default: str = "--years before --end (given, it overrides --years)",
    end_default: str = "latest data",
) -> None:
    """``--start`` / ``--end``: optional ISO dates bounding the data, defaults as described."""
    parser.add_argument(
        "--start",
        type=iso_date,
        default=None,
        help=f"first date (YYYY-MM-DD); default: {start_default}",
    )
    parser.add_argument(
        "--end", type=iso_date, default=None, help=f"last date (YYYY-MM-DD); default: {end_default}"
    )


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """``-v/--verbose`` (repeatable) and ``-q/--quiet`` (for schedulers)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail; -vv for debug"
    )
    group.add_argument("-q", "--quiet", action="store_true", help="only errors")


def add_model_kind(parser: argparse.ArgumentParser) -> None:
    """``--model``: estimator kind, one of config.MODEL_KINDS."""
    add_choice(parser, "--model", "estimator")


def add_portfolio_rule(parser: argparse.ArgumentParser) -> None:
    """``--rule``, ``--top-k``, ``--quantile``: how scores become positions."""
    add_choice(parser, "--rule", "portfolio construction rule")
    parser.add_argument(
        "--top-k", type=positive_int, default=config.TOP_K, help="names held by top_k"
    )
    parser.add_argument(
        "--quantile",
        type=float,
        default=config.LONG_SHORT_QUANTILE,
        help="fraction held long (and short) by long_short",
    )


def add_turnover_control(parser: argparse.ArgumentParser) -> None:
    """``--rebalance-every`` and ``--max-drops``: how often and how much the book may change."""
    parser.add_argument(
        "--rebalance-every",
        type=positive_int,
        default=config.REBALANCE_EVERY_BARS,
        metavar="N",
        help="bars between rebalances, weights drifting with prices in between "
        "(default: %(default)s, the label horizon)",
    )
    parser.add_argument(
        "--max-drops",
        type=non_negative_int,
        default=config.MAX_DROPS,
        metavar="N",
        help="most names a rebalance drops from each side of the book (default: no limit)",
    )


def add_costs(parser: argparse.ArgumentParser) -> None:
    """``--cost-bps`` and ``--slippage-bps``: trading frictions per unit of turnover."""
    parser.add_argument("--cost-bps", type=float, default=config.COST_BPS, help="commission bps")
    parser.add_argument(
        "--slippage-bps", type=float, default=config.SLIPPAGE_BPS, help="slippage bps"
    )


def add_data_flags(
    parser: argparse.ArgumentParser, *, years_default: int = config.LOOKBACK_YEARS
) -> None:
    """The data-selection flags every engine entry point shares: tickers, window, and
    ``--data-source`` (which cached source to read; the embedded sample by default)."""
    add_tickers(parser)
    add_years(parser, default=years_default)
    add_date_range(parser)
    add_choice(parser, "--data-source", "market data source")


def add_run_flags(parser: argparse.ArgumentParser, *, seed: bool = True) -> None:
    """The run-control flags every entry point shares: seed, output dir, verbosity.

    ``--output-dir`` defaults to the script's results folder in the data home. ``seed=False``
    is for commands with nothing random to seed (downloads), so they offer no ``--seed``.
    """
    if seed:
        parser.add_argument(
            "--seed",
            type=non_negative_int,
            default=config.DEFAULT_SEED,
            help="random seed of the gbm estimator (the features each split samples); ridge and "
            "prediction are deterministic and do not use it",
        )
    parser.add_argument(
        "--output-dir",
        type=folder_path,
        default=None,
        help="where to write results (default: $QE_HOME/results/<script>)",
    )
    add_verbosity(parser)


FlagAdder = Callable[[argparse.ArgumentParser], None]
"""One ``add_*`` builder: adds its flags to the parser it is given."""


def engine_parser(
    prog: str,
    description: str | None,
    *own_flags: FlagAdder,
    years_default: int = config.LOOKBACK_YEARS,
) -> argparse.ArgumentParser:
    """An engine entry point's parser: the data flags, then ``own_flags`` in order, then the
    run flags, so each entry point states only the flags that are its own."""
    parser = new_parser(prog, description)
    add_data_flags(parser, years_default=years_default)
    for add in own_flags:
        add(parser)
    add_run_flags(parser)
    return parser


def add_intraday_flags(parser: argparse.ArgumentParser) -> None:
    """Tickers, bar size, window and verbosity shared by the intraday download commands."""
    parser.add_argument(
        "--tickers", type=ticker_list, required=True, metavar="T1,T2,...", help="tickers"
    )
    parser.add_argument(
        "--minutes",
        type=int,
        choices=config.INTRADAY_BAR_MINUTES,
        default=config.DEFAULT_INTRADAY_BAR_MINUTES,
        help="bar size in minutes",
    )
    parser.add_argument(
        "--days",
        type=positive_int,
        default=config.INTRADAY_LOOKBACK_DAYS,
        help="calendar days back from --end",
    )
    parser.add_argument(
        "--end", type=iso_date, default=None, help="last day (YYYY-MM-DD); default today"
    )
    add_verbosity(parser)
