"""The run list's cells: short ids, per-script figures, full-precision records."""

from __future__ import annotations

from quant_engine.runs.table import (
    csv_fields,
    figure_columns,
    flat_record,
    record,
    summary_text,
    unique_prefixes,
)
from tests.runs.rows import backtest, make_row


def test_prefixes_are_the_shortest_that_name_one_run() -> None:
    ids = [
        "20260105T093000.000000Z-100-aaaaaa",
        "20260105T093000.500000Z-100-bbbbbb",
        "20260105T100000.000000Z-100-cccccc",
    ]
    short = unique_prefixes(ids)
    assert short[ids[0]] == "20260105T093000.0"
    assert short[ids[1]] == "20260105T093000.5"
    assert short[ids[2]] == "20260105T1"
    for run_id, prefix in short.items():
        assert [i for i in ids if i.startswith(prefix)] == [run_id]
    assert unique_prefixes(ids[:1]) == {ids[0]: "20260105"}


def test_backtest_columns_read_as_people_read_them() -> None:
    row = backtest(1, "long_short", -0.7973091999892923, cagr=-0.2686436117810421)
    cells = {c.header: c.text(row) for c in figure_columns("run_backtest")}
    assert cells == {
        "rule": "long_short",
        "model": "ridge",
        "mode": "core",
        "Sharpe": "-0.797",
        "CAGR": "-26.86%",
        "max DD": "-32.24%",
        "turnover": "65.38%",
    }


def test_train_and_predict_columns() -> None:
    train = make_row(1, "run_train", metrics={"ic": -0.03265607195218436, "rank_ic": 0.0294})
    assert {c.header: c.text(train) for c in figure_columns("run_train")}["IC"] == "-0.0327"
    predict = make_row(2, "run_predict", metrics={"as_of": "2018-12-31", "model_kind": "gbm"})
    cells = {c.header: c.text(predict) for c in figure_columns("run_predict")}
    assert cells["as of"] == "2018-12-31"
    assert cells["model"] == "gbm"


def test_summary_of_a_mixed_list_never_shows_raw_floats() -> None:
    text = summary_text(backtest(1, "top_k", 0.00816338504878433))
    assert text.startswith("top_k · ridge · core · Sharpe 0.00816")
    assert "0.00816338" not in text
    other = make_row(2, "run_autopilot", metrics={"candidates": 12, "best_sharpe": 1.23456789})
    assert summary_text(other) == "candidates 12 · best_sharpe 1.235"


def test_records_keep_full_precision_and_flatten_for_csv() -> None:
    rows = [backtest(1, "top_k", 0.00816338504878433), make_row(2, "run_train")]
    full = record(rows[0], "20260105")
    assert full["metrics"]["sharpe"] == 0.00816338504878433
    assert full["short_id"] == "20260105"
    flats = [flat_record(record(r)) for r in rows]
    fields = csv_fields(flats)
    assert fields[0] == "run_id"
    assert "metrics.sharpe" in fields
    assert "settings.effective_rule" in fields
