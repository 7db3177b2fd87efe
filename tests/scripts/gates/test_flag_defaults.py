"""QE005 in the source: a shared flag's literal default is flagged even when it equals config."""

from __future__ import annotations

import ast
import textwrap

from quant_engine import config
from scripts.gates.flag_defaults import check_literal_flag_defaults

SHARED = frozenset({"--years", "--tickers", "--verbose", "--end"})


def test_literal_default_equal_to_todays_config_value_is_flagged() -> None:
    source = textwrap.dedent(
        f"""
        from quant_engine import cli, config

        def build_parser(parser):
            parser.add_argument("--years", type=int, default={config.LOOKBACK_YEARS})
            cli.add_years(parser, default={config.LOOKBACK_YEARS})
            cli.engine_parser("qe-x", "doc", years_default={config.PREDICT_LOOKBACK_YEARS})
            parser.add_argument("--tickers", nargs="+", default=("AAPL", "MSFT"))
            parser.add_argument("--years", default=config.LOOKBACK_YEARS)
            cli.add_years(parser, default=config.PREDICT_LOOKBACK_YEARS)
            parser.add_argument("-v", "--verbose", action="count", default=0)
            parser.add_argument("--end", default=None)
            parser.add_argument("--own", default=3)
            cli.add_date_range(parser, end_default="today")
            field(default=3)
        """
    )
    findings = check_literal_flag_defaults(ast.parse(source), "run_x.py", SHARED)
    assert [(f.code, f.line) for f in findings] == [
        ("QE005", 5),
        ("QE005", 6),
        ("QE005", 7),
        ("QE005", 8),
    ]
    assert "name the config setting" in findings[0].message
    assert "add_years(default=)" in findings[1].message
