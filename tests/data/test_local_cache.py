"""LocalCache: atomic Parquet + sidecar writes, and reads that refuse corrupt or unknown files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quant_engine import layout
from quant_engine.data.local_cache import (
    CacheMeta,
    LocalCache,
    meta_path_for,
    normalize_ohlcv_columns,
    write_cache_meta,
)
from quant_engine.errors import (
    CacheCorruptError,
    OHLCVValidationError,
    UnknownTickerError,
    UsageError,
)


def bars(n: int = 30) -> pd.DataFrame:
    close = 50.0 + np.cumsum(np.linspace(-1, 1, n))
    return pd.DataFrame(
        {
            "Open": close,
            "High": close + 1,
            "Low": close - 1,
            "Close": close,
            "Volume": np.arange(n) * 10,
        },
        index=pd.DatetimeIndex(pd.bdate_range("2020-01-01", periods=n), name="Date"),
    )


def test_write_then_read_round_trips_normalised_bars() -> None:
    cache = LocalCache()
    path = cache.write("wrds", "AAPL", bars(), meta={"permno": 14593})
    assert path == layout.cache_dir("wrds") / "AAPL.parquet"
    frame, meta = cache.read("wrds", "AAPL")
    pd.testing.assert_frame_equal(frame, normalize_ohlcv_columns(bars()), check_freq=False)
    assert meta.rows == 30
    assert (meta.first_date, meta.last_date) == ("2020-01-01", "2020-02-11")
    assert meta.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta.columns == ("open", "high", "low", "close", "volume")
    assert meta.extra == {"permno": 14593}
    assert cache.tickers("wrds") == ("AAPL",)


def test_sidecar_is_json_next_to_the_parquet_file() -> None:
    path = LocalCache().write("ibkr", "MSFT", bars(5))
    sidecar = path.with_name("MSFT.meta.json")
    payload = json.loads(sidecar.read_text())
    assert payload["ticker"] == "MSFT"
    assert payload["source"] == "ibkr"
    assert payload["written_at"].endswith("+00:00")


def test_truncated_parquet_is_reported_as_corrupt_naming_the_file() -> None:
    cache = LocalCache()
    path = cache.write("wrds", "AAPL", bars())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CacheCorruptError, match=r"AAPL\.parquet.*modified or truncated"):
        cache.read("wrds", "AAPL")


def test_unreadable_parquet_with_a_matching_sidecar_is_corrupt() -> None:
    cache = LocalCache()
    path = cache.path_for("wrds", "JUNK")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not parquet")
    write_cache_meta(path, ticker="JUNK", df=normalize_ohlcv_columns(bars()), source="wrds")
    with pytest.raises(CacheCorruptError, match=r"JUNK\.parquet.*not a readable"):
        cache.read("wrds", "JUNK")


def test_sidecar_hash_mismatch_is_corrupt() -> None:
    cache = LocalCache()
    path = cache.write("wrds", "AAPL", bars())
    sidecar = meta_path_for(path)
    payload = json.loads(sidecar.read_text())
    payload["sha256"] = "0" * 64
    sidecar.write_text(json.dumps(payload))
    with pytest.raises(CacheCorruptError, match=r"AAPL\.parquet"):
        cache.read("wrds", "AAPL")


@pytest.mark.parametrize("sidecar_text", [None, "{not json", '{"ticker": "AAPL"}'])
def test_missing_or_broken_sidecar_is_corrupt(sidecar_text: str | None) -> None:
    cache = LocalCache()
    sidecar = meta_path_for(cache.write("wrds", "AAPL", bars()))
    if sidecar_text is None:
        sidecar.unlink()
    else:
        sidecar.write_text(sidecar_text)
    with pytest.raises(CacheCorruptError, match=r"AAPL\.meta\.json"):
        cache.read("wrds", "AAPL")


def test_unknown_ticker_lists_what_is_available() -> None:
    cache = LocalCache()
    cache.write("wrds", "AAPL", bars())
    cache.write("wrds", "MSFT", bars())
    with pytest.raises(UnknownTickerError, match=r"'IBM'.*available: AAPL, MSFT"):
        cache.read("wrds", "IBM")


def test_many_available_tickers_are_truncated_in_the_message(tmp_path: Path) -> None:
    cache = LocalCache(tmp_path / "cache")
    folder = cache.source_dir("wrds")
    folder.mkdir(parents=True)
    for i in range(30):
        (folder / f"T{i:02d}.parquet").write_bytes(b"")
    with pytest.raises(UnknownTickerError, match=r"T19 \.\.\. \(\+10 more\)"):
        cache.read("wrds", "ZZZ")


def test_path_traversal_and_bad_names_are_refused() -> None:
    cache = LocalCache()
    with pytest.raises(UsageError, match="ticker"):
        cache.path_for("wrds", "../etc")
    with pytest.raises(UsageError, match="source"):
        cache.path_for("../x", "AAPL")


def test_unknown_source_has_no_tickers() -> None:
    assert LocalCache().tickers("alpaca") == ()


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_atomic_write_leaves_no_temp_files() -> None:
    cache = LocalCache()
    cache.write("wrds", "AAPL", bars())
    cache.write("wrds", "AAPL", bars(40))
    folder = cache.source_dir("wrds")
    assert temp_files(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == ["AAPL.meta.json", "AAPL.parquet"]
    assert cache.read("wrds", "AAPL")[1].rows == 40


def test_crash_mid_write_keeps_the_old_file_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = LocalCache()
    path = cache.write("wrds", "AAPL", bars())
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        cache.write("wrds", "AAPL", bars(40))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert temp_files(path.parent) == []
    assert cache.read("wrds", "AAPL")[1].rows == 30


def test_frame_with_no_valid_rows_is_not_cached() -> None:
    cache = LocalCache()
    broken = bars(3).assign(High=1.0)
    with pytest.raises(OHLCVValidationError, match="no valid OHLCV rows"):
        cache.write("wrds", "BAD", broken)
    assert cache.tickers("wrds") == ()


def test_write_cache_meta_refuses_reserved_keys_and_missing_files(tmp_path: Path) -> None:
    frame = normalize_ohlcv_columns(bars())
    target = tmp_path / "X.parquet"
    with pytest.raises(UsageError, match=r"X\.parquet"):
        write_cache_meta(target, ticker="X", df=frame, source="ibkr")
    target.write_bytes(b"data")
    with pytest.raises(UsageError, match="sha256"):
        write_cache_meta(target, ticker="X", df=frame, source="ibkr", meta={"sha256": "x"})
    sidecar = write_cache_meta(target, ticker="X", df=frame, source="ibkr", meta={"note": "ok"})
    meta = CacheMeta.from_file(sidecar)
    assert meta.sha256 == hashlib.sha256(b"data").hexdigest()
    assert meta.extra == {"note": "ok"}


def test_read_meta_needs_no_parquet_read() -> None:
    cache = LocalCache()
    cache.write("wrds", "AAPL", bars())
    assert cache.read_meta("wrds", "AAPL").rows == 30
    with pytest.raises(UnknownTickerError):
        cache.read_meta("wrds", "NOPE")
