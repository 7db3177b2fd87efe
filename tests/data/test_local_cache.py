"""LocalCache: atomic Parquet + sidecar writes, and reads that refuse corrupt or unknown files."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from quant_engine import layout
from quant_engine.data import local_cache
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


def legacy_pair(cache: LocalCache, ticker: str, data: bytes, frame: pd.DataFrame) -> Path:
    """A ticker as written before metadata was embedded: bare Parquet bytes plus a sidecar."""
    path = cache.path_for("wrds", ticker)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    index = pd.DatetimeIndex(frame.index)
    payload = {
        "ticker": ticker,
        "source": "wrds",
        "rows": len(frame),
        "first_date": index[0].date().isoformat(),
        "last_date": index[-1].date().isoformat(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "written_at": "2024-01-01T00:00:00+00:00",
        "columns": list(frame.columns),
    }
    meta_path_for(path).write_text(json.dumps(payload))
    return path


def bare_parquet(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame.reset_index(), preserve_index=False), sink)
    return sink.getvalue()


def test_unreadable_parquet_with_a_matching_sidecar_is_corrupt() -> None:
    cache = LocalCache()
    legacy_pair(cache, "JUNK", b"this is not parquet", normalize_ohlcv_columns(bars()))
    with pytest.raises(CacheCorruptError, match=r"JUNK\.parquet.*not a readable.*--tickers JUNK"):
        cache.read("wrds", "JUNK")


def test_file_written_before_metadata_was_embedded_reads_through_its_sidecar() -> None:
    cache = LocalCache()
    frame = normalize_ohlcv_columns(bars())
    path = legacy_pair(cache, "OLD", bare_parquet(frame), frame)
    assert cache.read("wrds", "OLD")[1].rows == 30
    assert cache.read_meta("wrds", "OLD").last_date == "2020-02-11"
    path.write_bytes(bare_parquet(frame.iloc[:10]))
    with pytest.raises(CacheCorruptError, match=r"OLD\.parquet: modified or truncated"):
        cache.read("wrds", "OLD")
    meta_path_for(path).unlink()
    with pytest.raises(CacheCorruptError, match=r"OLD\.meta\.json: metadata sidecar is missing"):
        cache.read("wrds", "OLD")


def test_modified_data_page_is_refused() -> None:
    cache = LocalCache()
    path = cache.write("wrds", "AAPL", bars())
    column = pq.read_metadata(path).row_group(0).column(1)
    spot = column.data_page_offset + column.total_compressed_size - 2
    data = bytearray(path.read_bytes())
    data[spot] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CacheCorruptError, match=r"AAPL\.parquet: modified or truncated"):
        cache.read("wrds", "AAPL")


def test_stale_sidecar_gives_way_to_the_embedded_metadata() -> None:
    cache = LocalCache()
    path = cache.write("wrds", "AAPL", bars())
    sidecar = meta_path_for(path)
    current = sidecar.read_text()
    cache.write("wrds", "AAPL", bars(40), meta={"note": "new"})
    sidecar.write_text(current)  # as if the writer died between its two renames
    meta = cache.read_meta("wrds", "AAPL")
    assert (meta.rows, meta.last_date, meta.extra) == (40, "2020-02-25", {"note": "new"})
    assert meta.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    frame, read = cache.read("wrds", "AAPL")
    assert len(frame) == 40
    assert read == meta
    assert sidecar.read_text() == current  # readers never write
    cache.write("wrds", "AAPL", bars(40))
    assert CacheMeta.from_file(sidecar) == cache.read("wrds", "AAPL")[1]


def test_a_read_between_the_two_writes_sees_the_new_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = LocalCache()
    cache.write("wrds", "AAPL", bars())
    seen: list[tuple[int, int]] = []
    real = local_cache.write_sidecar

    def read_then_write(path: Path, meta: CacheMeta) -> Path:
        frame, read = cache.read("wrds", "AAPL")
        seen.append((len(frame), read.rows))
        return real(path, meta)

    monkeypatch.setattr(local_cache, "write_sidecar", read_then_write)
    cache.write("wrds", "AAPL", bars(40))
    assert seen == [(40, 40)]


def test_a_crash_before_the_sidecar_leaves_the_new_pair_readable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = LocalCache()
    path = cache.write("wrds", "AAPL", bars())

    def killed(path: Path, meta: CacheMeta) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(local_cache, "write_sidecar", killed)
    with pytest.raises(KeyboardInterrupt):
        cache.write("wrds", "AAPL", bars(40))
    monkeypatch.undo()
    assert json.loads(meta_path_for(path).read_text())["rows"] == 30
    assert cache.read("wrds", "AAPL")[1].rows == 40
    assert cache.read_meta("wrds", "AAPL").rows == 40


@pytest.mark.parametrize("sidecar_text", [None, "{not json", '{"ticker": "AAPL"}'])
def test_missing_or_broken_sidecar_gives_way_to_the_data_file(
    sidecar_text: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    cache = LocalCache()
    sidecar = meta_path_for(cache.write("wrds", "AAPL", bars()))
    if sidecar_text is None:
        sidecar.unlink()
    else:
        sidecar.write_text(sidecar_text)
    assert cache.read_meta("wrds", "AAPL").rows == 30
    assert cache.read("wrds", "AAPL")[1].rows == 30
    if sidecar_text is not None:
        assert "AAPL.meta.json" in caplog.text


def test_edited_last_date_is_one_line_naming_the_sidecar_and_the_fix() -> None:
    cache = LocalCache()
    sidecar = meta_path_for(cache.write("wrds", "AAPL", bars()))
    payload = json.loads(sidecar.read_text())
    payload["last_date"] = "2030-01-01"
    sidecar.write_text(json.dumps(payload))
    expected = (
        r"AAPL\.meta\.json: last_date '2030-01-01' does not match the data \('2020-02-11'\); "
        r"re-run qe-wrds-refresh --tickers AAPL --full$"
    )
    with pytest.raises(CacheCorruptError, match=expected):
        cache.read("wrds", "AAPL")
    with pytest.raises(CacheCorruptError, match=expected):
        cache.read_meta("wrds", "AAPL")


@pytest.mark.parametrize("with_sidecar", [True, False])
def test_swapped_pair_is_refused_naming_the_file(with_sidecar: bool) -> None:
    cache = LocalCache()
    aapl = cache.write("wrds", "AAPL", bars())
    msft = cache.write("wrds", "MSFT", bars(40))
    aapl.write_bytes(msft.read_bytes())
    if with_sidecar:
        meta_path_for(aapl).write_bytes(meta_path_for(msft).read_bytes())
    named = r"AAPL\.meta\.json" if with_sidecar else r"AAPL\.parquet"
    with pytest.raises(CacheCorruptError, match=rf"{named}: ticker 'MSFT' does not match"):
        cache.read("wrds", "AAPL")


def test_stray_files_are_skipped_with_a_warning_naming_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = LocalCache()
    cache.write("wrds", "AAPL", bars())
    folder = cache.source_dir("wrds")
    strays = ["..evil.parquet", "notes.txt", "lower.parquet"]
    for name in strays:
        (folder / name).write_bytes(b"x")
    (folder / "sub.parquet").mkdir()
    (folder / ".AAPL.parquet.0123456789abcdef.tmp").write_bytes(b"left by a crash")
    assert cache.tickers("wrds") == ("AAPL",)
    for name in [*strays, "sub.parquet"]:
        assert f"{folder / name}" in caplog.text
    assert "0123456789abcdef" not in caplog.text


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


def test_write_cache_meta_publishes_the_pair_and_refuses_reserved_keys() -> None:
    cache = LocalCache()
    target = cache.path_for("ibkr", "X")
    with pytest.raises(UsageError, match="sha256"):
        write_cache_meta(target, ticker="X", df=bars(), source="ibkr", meta={"sha256": "x"})
    sidecar = write_cache_meta(target, ticker="X", df=bars(), source="ibkr", meta={"note": "ok"})
    meta = CacheMeta.from_file(sidecar)
    assert meta.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert meta.extra == {"note": "ok"}
    assert cache.read("ibkr", "X")[1] == meta


def test_read_meta_needs_no_parquet_read() -> None:
    cache = LocalCache()
    cache.write("wrds", "AAPL", bars())
    assert cache.read_meta("wrds", "AAPL").rows == 30
    with pytest.raises(UnknownTickerError):
        cache.read_meta("wrds", "NOPE")
