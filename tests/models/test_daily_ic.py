"""Daily IC, rank IC and hit rate on series built to correlate perfectly, backwards, or not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant_engine.models.daily_ic import (
    daily_correlations,
    daily_ic,
    hit_rate,
    information_coefficient,
)


def long_series(values: np.ndarray, dates: pd.DatetimeIndex) -> pd.Series:
    """A dates x tickers array as a (date, ticker) series, NaN cells dropped."""
    tickers = pd.Index([f"T{i}" for i in range(values.shape[1])], name="ticker")
    return pd.DataFrame(values, index=dates.rename("date"), columns=tickers).stack().dropna()


def test_ic_and_hit_rate_on_known_series() -> None:
    index = pd.MultiIndex.from_product(
        [pd.bdate_range("2020-01-01", periods=3), ["A", "B", "C", "D"]], names=["date", "ticker"]
    )
    label = pd.Series(np.tile([0.03, -0.01, 0.02, -0.04], 3), index=index)
    assert information_coefficient(label * 2, label) == pytest.approx(1.0)
    assert information_coefficient(-label, label, rank=True) == pytest.approx(-1.0)
    assert information_coefficient(label.pow(3), label, rank=True) == pytest.approx(1.0)
    assert hit_rate(label, label) == 1.0
    assert hit_rate(pd.Series(1.0, index=index), label) == 0.5
    assert information_coefficient(pd.Series(1.0, index=index), label) is None


def test_each_day_matches_pandas_own_correlation_over_the_names_both_know() -> None:
    rng = np.random.default_rng(11)
    dates = pd.bdate_range("2022-03-01", periods=40)
    pred = rng.normal(size=(40, 30))
    label = 0.3 * pred + rng.normal(size=(40, 30))
    pred[rng.random(pred.shape) < 0.2] = np.nan  # names missing a score
    label[rng.random(label.shape) < 0.2] = np.nan  # names missing a label
    label[:, 7] = np.round(label[:, 7], 0)  # ties for the ranks
    pred_long, label_long = long_series(pred, dates), long_series(label, dates)
    for rank in (False, True):
        got = daily_correlations(pred_long, label_long, rank=rank)
        method = "spearman" if rank else "pearson"
        pairs = zip(pred, label, strict=True)
        expected = pd.Series(
            [pd.Series(p).corr(pd.Series(q), method=method) for p, q in pairs], index=dates
        )
        pd.testing.assert_series_equal(got, expected, check_names=False, check_freq=False)


def test_a_day_with_one_name_or_no_spread_has_no_ic() -> None:
    dates = pd.bdate_range("2024-01-01", periods=3)
    pred = np.array([[1.0, 2.0, 3.0], [1.0, np.nan, np.nan], [2.0, 2.0, 2.0]])
    label = np.array([[1.0, 3.0, 2.0], [5.0, 1.0, 2.0], [1.0, 2.0, 3.0]])
    table = daily_ic(long_series(pred, dates), long_series(label, dates))
    assert table.index.tolist() == list(dates)
    assert table.loc[dates[0], "rank_ic"] == pytest.approx(0.5)
    assert table.iloc[1:].isna().all().all()
