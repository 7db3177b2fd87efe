"""Cached Kalshi event features ride along with loaded market data, hashed like any input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from quant_engine.data.events import event_features_dir, read_event_features
from quant_engine.data.loader import load_universe
from quant_engine.errors import CacheCorruptError


def write_series(name: str, start: str, periods: int) -> Path:
    dates = pd.bdate_range(start, periods=periods, name="date")
    frame = pd.DataFrame(
        {f"kalshi_{name.lower()}_ev": range(periods), "not_a_feature": 0.0}, index=dates
    )
    folder = event_features_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.parquet"
    frame.to_parquet(path)
    return path


def test_nothing_cached_means_no_events() -> None:
    events, records = read_event_features(pd.Timestamp("2018-01-01"), pd.Timestamp("2018-12-31"))
    assert events is None
    assert records == ()


def test_series_are_sliced_joined_and_recorded() -> None:
    write_series("KXFED", "2018-06-01", 200)
    write_series("KXCPI", "2018-09-03", 50)
    events, records = read_event_features(pd.Timestamp("2018-07-02"), pd.Timestamp("2018-12-31"))
    assert events is not None
    assert list(events.columns) == ["kalshi_kxcpi_ev", "kalshi_kxfed_ev"]
    assert events.index[0] == pd.Timestamp("2018-07-02")
    assert events.index[-1] <= pd.Timestamp("2018-12-31")
    assert {r.ticker for r in records} == {"KXFED", "KXCPI"}
    assert all(r.source == "kalshi" and len(r.sha256) == 64 for r in records)


def test_corrupt_file_is_named() -> None:
    path = write_series("KXFED", "2018-06-01", 20)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(CacheCorruptError, match=r"KXFED\.parquet"):
        read_event_features(pd.Timestamp("2018-01-01"), pd.Timestamp("2018-12-31"))


def test_load_universe_attaches_events_and_they_change_the_digest() -> None:
    plain = load_universe(["SPX", "S0001"], 1)
    assert plain.events is None
    write_series("KXFED", "2018-06-01", 150)
    with_events = load_universe(["SPX", "S0001"], 1)
    assert with_events.events is not None
    assert with_events.events.index.max() <= with_events.end
    assert with_events.digest != plain.digest
    assert any(r.source == "kalshi" for r in with_events.inputs)
