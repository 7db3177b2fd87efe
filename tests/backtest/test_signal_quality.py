"""IC and rank IC by year, on scores built to rank the labels perfectly, backwards, or not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant_engine.backtest.signal_quality import ic_by_year, ic_rows
from quant_engine.models.daily_ic import daily_ic


def stacked(values: np.ndarray, dates: pd.DatetimeIndex) -> pd.Series:
    tickers = [f"T{i}" for i in range(values.shape[1])]
    wide = pd.DataFrame(
        values, index=dates.rename("date"), columns=pd.Index(tickers, name="ticker")
    )
    return wide.stack()


def test_perfect_then_reversed_scores_give_ic_one_then_minus_one() -> None:
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2021-12-20", "2022-01-14")
    labels = rng.normal(size=(len(dates), 6))
    scores = np.where((dates.year == 2021)[:, None], labels, -(labels**3))
    table = ic_by_year(daily_ic(stacked(scores, dates), stacked(labels, dates)))
    assert table.index.tolist() == [2021, 2022]
    assert table.loc[2021, "ic"] == pytest.approx(1.0)
    assert table.loc[2022, "rank_ic"] == pytest.approx(-1.0)  # monotone: ranks fully reversed
    assert -1.0 < table.loc[2022, "ic"] < -0.5  # cubed: not linear, so Pearson is not -1
    assert table["days"].tolist() == [
        int((dates.year == 2021).sum()),
        int((dates.year == 2022).sum()),
    ]


def test_missing_labels_are_ignored_and_rows_are_json_ready() -> None:
    dates = pd.bdate_range("2023-01-02", periods=4)
    labels = np.array([[1.0, 2.0, 3.0]] * 4)
    labels[0] = np.nan  # a day without labels is not scored
    table = ic_by_year(daily_ic(stacked(labels, dates), stacked(labels, dates)))
    assert ic_rows(table) == {"2023": {"ic": 1.0, "rank_ic": 1.0, "days": 3}}
