"""Choosing and ordering rows: script aliases, --since, --where, --sort."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import pytest

from quant_engine.errors import UsageError
from quant_engine.runs.manifest import RunStatus
from quant_engine.runs.select import (
    filter_rows,
    parse_where,
    resolve_script,
    since_time,
    sort_rows,
    value_of,
)
from tests.runs.rows import START, backtest, make_row


@pytest.mark.parametrize("name", ["backtest", "qe-backtest", "run_backtest"])
def test_every_name_of_the_backtest_means_run_backtest(name: str) -> None:
    assert resolve_script(name, set()) == "run_backtest"


def test_a_script_seen_in_the_folder_is_accepted_by_both_names() -> None:
    assert resolve_script("models_use", {"models_use"}) == "models_use"
    assert resolve_script("fake_entry", {"run_fake_entry"}) == "run_fake_entry"


def test_an_unknown_script_lists_the_choices() -> None:
    with pytest.raises(UsageError, match="'backtst' is not a known script") as caught:
        resolve_script("backtst", {"models_use"})
    assert "run_backtest" in str(caught.value)
    assert "models_use" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_since_accepts_dates_times_and_ages() -> None:
    assert since_time("2026-01-31") == datetime(2026, 1, 31, tzinfo=UTC)
    assert since_time("2026-01-31T10:00:00+01:00").hour == 10
    now = datetime(2026, 2, 1, tzinfo=UTC)
    assert since_time("7d", now=now) == now - timedelta(days=7)
    assert since_time("12h", now=now) == now - timedelta(hours=12)
    with pytest.raises(argparse.ArgumentTypeError, match="7d"):
        since_time("last week")


def test_where_compares_numbers_as_numbers_and_text_as_text() -> None:
    rows = [backtest(1, "top_k", 0.8), backtest(2, "long_short", 0.2), backtest(3, "top_k", 1e-3)]
    assert [r.run_id for r in filter_rows(rows, where=["sharpe>0.5"])] == [rows[0].run_id]
    assert filter_rows(rows, where=["rule=top_k"]) == [rows[0], rows[2]]
    assert filter_rows(rows, where=["effective_rule!=top_k", "sharpe>=0.2"]) == [rows[1]]
    assert filter_rows(rows, where=["metrics.sharpe<0.01"]) == [rows[2]]
    ten, nine = backtest(4, "top_k", 10.0), backtest(5, "top_k", 9.0)
    assert filter_rows([ten, nine], where=["sharpe>9.5"]) == [ten]  # not "10.0" < "9.5"


def test_where_without_the_value_drops_the_row() -> None:
    rows = [backtest(1, "top_k", 0.8), make_row(2, "run_train", metrics={"ic": 0.05})]
    assert filter_rows(rows, where=["sharpe>0"]) == [rows[0]]


def test_bad_where_expression_and_unknown_key_are_usage_errors() -> None:
    rows = [backtest(1, "top_k", 0.8)]
    with pytest.raises(UsageError, match="not KEY OP VALUE"):
        parse_where("sharpe>>0.5")
    with pytest.raises(UsageError, match="not KEY OP VALUE"):
        filter_rows(rows, where=["sharpe"])
    with pytest.raises(UsageError, match=r"no run has a key 'sharp'; keys: .*sharpe"):
        filter_rows(rows, where=["sharp>0"])


def test_status_script_and_since_filters() -> None:
    rows = [
        make_row(1, "run_train"),
        make_row(2, "run_backtest", status=RunStatus.FAILED),
        make_row(3, "run_backtest"),
    ]
    assert filter_rows(rows, script="run_backtest", status="success") == [rows[2]]
    assert filter_rows(rows, since=START + timedelta(minutes=2)) == rows[1:]


def test_sort_by_a_metric_either_way_missing_values_last() -> None:
    rows = [
        backtest(1, "top_k", 0.8),
        backtest(2, "top_k", -0.3),
        make_row(3, "run_train"),
        backtest(4, "top_k", 1.5),
    ]
    best_first = sort_rows(rows, "-sharpe")
    assert [value_of(r, "sharpe") for r in best_first] == [1.5, 0.8, -0.3, None]
    worst_first = sort_rows(rows, "sharpe")
    assert [value_of(r, "sharpe") for r in worst_first] == [-0.3, 0.8, 1.5, None]
    assert sort_rows(rows, None) == rows[::-1]
    with pytest.raises(UsageError, match="--sort: no run has a key 'sharp'"):
        sort_rows(rows, "-sharp")
