"""Event features: session closes (early closes too), implied distributions, no look-ahead."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.calendar import nyse_sessions
from quant_engine.kalshi.features import (
    distribution,
    series_features,
    session_closes,
    snapshot_at_closes,
)


def candles(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """(ticker, UTC time, probability) -> a candles table with a 2-cent spread."""
    frame = pd.DataFrame(rows, columns=["ticker", "end_ts", "p"])
    return pd.DataFrame(
        {
            "ticker": frame["ticker"],
            "end_ts": pd.to_datetime(frame["end_ts"], utc=True),
            "bid": frame["p"] - 0.01,
            "ask": frame["p"] + 0.01,
            "price": frame["p"],
            "volume": 1.0,
            "open_interest": 1.0,
        }
    )


def buckets(
    probs: list[float], kinds: list[str], floors: list[float | None], caps: list[float | None]
) -> pd.DataFrame:
    return pd.DataFrame(
        {"prob": probs, "strike_type": kinds, "floor_strike": floors, "cap_strike": caps},
        dtype=object,
    ).astype({"prob": float, "floor_strike": float, "cap_strike": float})


def test_early_close_is_13_00_new_york() -> None:
    closes = session_closes("2023-11-22", "2023-11-24")
    assert closes[pd.Timestamp("2023-11-22")] == pd.Timestamp("2023-11-22 21:00", tz="UTC")
    assert pd.Timestamp("2023-11-23") not in closes.index  # Thanksgiving: no session
    assert closes[pd.Timestamp("2023-11-24")] == pd.Timestamp("2023-11-24 18:00", tz="UTC")


def test_snapshot_uses_only_candles_before_the_close() -> None:
    table = candles(
        [
            ("A", "2023-11-24 17:00", 0.30),
            ("A", "2023-11-24 19:00", 0.90),  # after the 13:00 early close
            ("A", "2023-11-27 20:00", 0.50),
        ]
    )
    snap = snapshot_at_closes(table, session_closes("2023-11-24", "2023-11-27")).set_index("date")
    assert snap.loc[pd.Timestamp("2023-11-24"), "prob"] == pytest.approx(0.30)
    assert snap.loc[pd.Timestamp("2023-11-27"), "prob"] == pytest.approx(0.50)


def test_mutually_exclusive_buckets_give_expected_value() -> None:
    table = buckets(
        [0.2, 0.5, 0.2], ["less", "between", "greater"], [None, 5.0, 5.25], [5.0, 5.25, None]
    )
    ev, sd, top = distribution(table, mutually_exclusive=True)
    assert ev == pytest.approx((0.2 * 4.875 + 0.5 * 5.125 + 0.2 * 5.375) / 0.9)
    assert top == pytest.approx(0.5 / 0.9)
    assert 0 < sd < 0.25


def test_threshold_ladder_is_differenced_into_buckets() -> None:
    # P(X > 3.0) = 0.8, P(X > 3.1) = 0.5, P(X > 3.2) = 0.55 (inconsistent: capped at 0.5)
    table = buckets([0.8, 0.5, 0.55], ["greater"] * 3, [3.0, 3.1, 3.2], [None] * 3)
    ev, _, top = distribution(table, mutually_exclusive=False)
    probs = np.array([0.2, 0.3, 0.0, 0.5])
    values = np.array([2.95, 3.05, 3.15, 3.25])
    assert ev == pytest.approx(float((probs * values).sum()))
    assert top == pytest.approx(0.5)


def test_single_binary_market_is_its_probability() -> None:
    ev, sd, top = distribution(buckets([0.3], ["greater"], [1.0], [None]), False)
    assert (ev, top) == (pytest.approx(0.3), pytest.approx(0.3))
    assert sd == pytest.approx(math.sqrt(0.21))


def test_features_never_use_later_prices() -> None:
    sessions = nyse_sessions("2024-01-02", "2024-01-31")
    markets = pd.DataFrame(
        {
            "ticker": ["E-LO", "E-HI"],
            "event_ticker": ["E", "E"],
            "strike_type": ["less", "greater"],
            "floor_strike": [np.nan, 5.0],
            "cap_strike": [5.0, np.nan],
            "close_time": pd.to_datetime(["2024-02-01 19:00"] * 2, utc=True),
        }
    )
    events = pd.DataFrame({"event_ticker": ["E"], "mutually_exclusive": [True]})
    hours = pd.date_range("2024-01-02", "2024-01-31 23:00", freq="h", tz="UTC")
    rng = np.random.default_rng(7)
    p = np.clip(0.5 + np.cumsum(rng.normal(0, 0.01, len(hours))), 0.05, 0.95)
    table = pd.concat(
        [
            candles([("E-LO", str(t), x) for t, x in zip(hours, p, strict=True)]),
            candles([("E-HI", str(t), 1 - x) for t, x in zip(hours, p, strict=True)]),
        ]
    )
    full = series_features("E", events, markets, table, sessions)
    cut = pd.Timestamp("2024-01-17 21:00", tz="UTC")  # that session's close
    partial = series_features("E", events, markets, table[table["end_ts"] <= cut], sessions)
    pd.testing.assert_frame_equal(full.loc[:"2024-01-17"], partial.loc[:"2024-01-17"])
    assert full.loc["2024-01-18":].notna().all().all()
