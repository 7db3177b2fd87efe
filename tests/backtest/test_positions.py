"""Entries and exits: opened and closed positions count, resizes do not."""

from __future__ import annotations

import pandas as pd

from quant_engine.backtest.positions import entries_and_exits


def test_entries_exits_and_flips_count_but_resizes_do_not() -> None:
    days = pd.bdate_range("2020-01-01", periods=6)
    weights = pd.DataFrame(
        {
            "A": [0.0, 1.0, 0.5, 0.25, -0.5, -0.5],  # enter, resize, resize, flip, hold
            "B": [0.0, 0.0, 0.5, 0.75, 0.0, 0.0],  # enter, resize, exit
        },
        index=days,
    )
    counts = entries_and_exits(weights)
    assert counts.tolist() == [0, 1, 1, 0, 3, 0]
    assert counts.index.equals(days)


def test_a_book_held_from_the_first_day_counts_its_entries() -> None:
    days = pd.bdate_range("2020-01-01", periods=3)
    weights = pd.DataFrame({"A": [0.5, 0.5, 0.4], "B": [0.5, 0.5, 0.6]}, index=days)
    assert entries_and_exits(weights).tolist() == [2, 0, 0]
