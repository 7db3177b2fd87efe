"""Backtest metrics against closed forms and hand-computed series."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from quant_engine import config
from quant_engine.backtest import metrics as m

YEAR = config.TRADING_DAYS_PER_YEAR
HAND = [0.02, -0.01, 0.03, -0.02]  # mean 0.005


def test_constant_return_compounds_in_closed_form() -> None:
    r = 0.001
    year, two_years = np.full(YEAR, r), np.full(2 * YEAR, r)
    assert m.total_return(year) == pytest.approx((1 + r) ** YEAR - 1, rel=1e-12)
    assert m.total_return(two_years) == pytest.approx((1 + r) ** (2 * YEAR) - 1, rel=1e-12)
    assert m.annual_return(year) == pytest.approx((1 + r) ** YEAR - 1, rel=1e-12)
    assert m.annual_return(two_years) == pytest.approx((1 + r) ** YEAR - 1, rel=1e-12)
    assert m.annual_return(np.full(YEAR // 2, r)) == pytest.approx((1 + r) ** YEAR - 1, rel=1e-9)


def test_a_series_without_variation_has_zero_vol_sharpe_and_sortino() -> None:
    flat = np.full(100, 0.001)
    assert m.volatility(flat) == 0.0
    assert m.sharpe(flat) == 0.0  # undefined ratios are reported as 0.0, never nan/inf
    assert m.sortino(flat) == 0.0
    assert m.max_drawdown(flat) == 0.0
    assert m.sharpe(np.full(5, -0.002)) == 0.0
    assert m.sharpe([0.01]) == 0.0


def test_sharpe_and_volatility_by_hand() -> None:
    sample_std = math.sqrt((2 * 0.015**2 + 2 * 0.025**2) / 3)
    assert m.volatility(HAND) == pytest.approx(sample_std * math.sqrt(YEAR), rel=1e-12)
    assert m.sharpe(HAND) == pytest.approx(0.005 / sample_std * math.sqrt(YEAR), rel=1e-12)


def test_sortino_by_hand() -> None:
    downside = math.sqrt((0.01**2 + 0.02**2) / 4)
    assert m.sortino(HAND) == pytest.approx(0.005 / downside * math.sqrt(YEAR), rel=1e-12)
    assert m.sortino([0.01, 0.02, 0.0]) == 0.0  # no losing day


def test_known_drawdown_path() -> None:
    returns = [0.1, -0.5, 0.2, 1.0, -0.25]
    # equity 1.1, 0.55, 0.66, 1.32, 0.99 -> peaks 1.1, 1.1, 1.1, 1.32, 1.32
    np.testing.assert_allclose(m.equity_curve(returns), [1.1, 0.55, 0.66, 1.32, 0.99])
    np.testing.assert_allclose(m.drawdown(returns), [0.0, 0.5, 0.4, 0.0, 0.25], atol=1e-15)
    assert m.max_drawdown(returns) == pytest.approx(0.5)


def test_a_first_day_loss_is_a_drawdown_from_the_starting_capital() -> None:
    assert m.max_drawdown([-0.2, 0.1]) == pytest.approx(0.2)


def test_wiped_out_equity_has_cagr_minus_one() -> None:
    assert m.annual_return([0.5, -1.0, 0.1]) == -1.0
    assert m.max_drawdown([0.5, -1.0]) == pytest.approx(1.0)


def test_hit_rate_counts_only_days_with_a_position() -> None:
    assert m.hit_rate([0.01, -0.01, 0.0, 0.02], [1.0, 1.0, 1.0, 0.0]) == pytest.approx(1 / 3)
    assert m.hit_rate([0.01, 0.02], [0.0, 0.0]) == 0.0


def test_compute_metrics_gathers_everything_as_plain_numbers() -> None:
    returns = np.array([0.0, 0.01, -0.02, 0.03])
    result = m.compute_metrics(
        returns,
        turnover=np.array([0.0, 1.0, 0.5, 0.5]),
        trades=np.array([0, 3, 2, 1]),
        exposure=np.array([0.0, 1.0, 1.0, 1.0]),
    )
    assert result.n_trades == 6
    assert result.n_days == 4
    assert result.turnover == pytest.approx(0.5)
    assert result.exposure == pytest.approx(0.75)
    assert result.hit_rate == pytest.approx(2 / 3)
    assert result.total_return == pytest.approx(1.01 * 0.98 * 1.03 - 1)
    as_dict = result.to_dict()
    assert list(as_dict) == [
        "total_return",
        "annual_return",
        "volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "turnover",
        "hit_rate",
        "n_trades",
        "n_days",
        "exposure",
    ]
    assert json.loads(json.dumps(as_dict, allow_nan=False)) == as_dict
    assert all(type(v) in (int, float) for v in as_dict.values())


def test_bad_series_are_rejected() -> None:
    with pytest.raises(ValueError, match="NaN"):
        m.sharpe([0.01, math.nan])
    with pytest.raises(ValueError, match="1-D"):
        m.total_return(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="turnover"):
        m.compute_metrics([0.0, 0.1], turnover=[0.0], trades=[0, 0], exposure=[0.0, 0.0])


@given(arrays(np.float64, st.integers(1, 300), elements=st.floats(-0.99, 1.0)))
def test_metric_ranges_and_consistency(returns: np.ndarray) -> None:
    dd = m.max_drawdown(returns)
    assert 0.0 <= dd <= 1.0
    assert m.total_return(returns) == pytest.approx(m.equity_curve(returns)[-1] - 1, rel=1e-9)
    assert m.volatility(returns) >= 0.0
    values = [m.sharpe(returns), m.sortino(returns), m.annual_return(returns)]
    assert all(math.isfinite(v) for v in values)
    if returns.min() >= 0.0:
        assert dd == 0.0


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("sharpe", 1.2345, "1.23"),
        ("annual_return", 0.123, "12.30%"),
        ("max_drawdown", 0.5996, "-59.96%"),
        ("turnover", 0.8228, "82.28%"),
        ("n_trades", 20970, "20,970"),
        ("sortino", math.nan, "n/a"),
    ],
)
def test_metrics_are_formatted_as_people_read_them(name: str, value: float, shown: str) -> None:
    assert m.format_metric(name, value) == shown


def test_metric_rows_label_every_metric() -> None:
    ones = [1.0, 1.0, 1.0]
    metrics = m.compute_metrics([0.01, -0.02, 0.03], turnover=ones, trades=[2, 0, 0], exposure=ones)
    rows = m.metric_rows(metrics)
    assert list(rows)[:3] == ["Sharpe", "Sortino", "CAGR"]
    assert len(rows) == len(metrics.to_dict())
