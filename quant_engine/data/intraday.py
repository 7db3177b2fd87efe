"""Intraday bars in the cache: one Parquet file per (source, ticker, bar size), merged on write.

Layout: ``layout.intraday_cache_dir(source)/<TICKER>_<N>min.parquet`` beside a JSON sidecar
(rows, first/last timestamp, sha256). Timestamps are tz-aware UTC bar starts. Rows that break
an OHLC rule are dropped and counted, never kept silently. Writes are atomic.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from quant_engine import layout
from quant_engine.data.ohlcv import REQUIRED_COLUMNS, alias_key
from quant_engine.errors import CacheCorruptError, OHLCVValidationError
from quant_engine.utils.atomic import write_bytes_atomic

__all__ = ["intraday_path", "normalize_intraday", "read_intraday", "write_intraday"]


def intraday_path(source: str, ticker: str, minutes: int) -> Path:
    """The Parquet file of one ticker's ``minutes`` bars from ``source``."""
    return layout.intraday_cache_dir(source) / f"{ticker}_{minutes}min.parquet"


def normalize_intraday(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, int]:
    """Canonical intraday bars (UTC ``timestamp`` index, float OHLCV) and the rows dropped."""
    renamed = frame.rename(columns={c: alias_key(c) for c in frame.columns})
    if "timestamp" not in renamed.columns:
        raise OHLCVValidationError(f"{name}: intraday bars need a 'timestamp' column")
    missing = [c for c in REQUIRED_COLUMNS if c not in renamed.columns]
    if missing:
        raise OHLCVValidationError(f"{name}: missing required column {missing[0]!r}")
    stamps = pd.DatetimeIndex(pd.to_datetime(renamed["timestamp"], utc=True, errors="coerce"))
    values = renamed[list(REQUIRED_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    clean = pd.DataFrame(values.to_numpy(dtype="float64"), columns=list(REQUIRED_COLUMNS))
    clean.index = stamps.as_unit("ns").rename("timestamp")
    o, h, lo, c, v = (clean[col].to_numpy() for col in REQUIRED_COLUMNS)
    with np.errstate(invalid="ignore"):
        good = stamps.notna() & (lo > 0) & (h >= np.fmax(o, c)) & (lo <= np.fmin(o, c)) & (v >= 0)
    kept = clean[good]
    kept = kept[~kept.index.duplicated(keep="last")].sort_index()
    return kept, int((~good).sum())


def read_intraday(source: str, ticker: str, minutes: int) -> pd.DataFrame:
    """Cached bars (empty when none); a file not matching its sidecar is CacheCorruptError."""
    path = intraday_path(source, ticker, minutes)
    if not path.is_file():
        return pd.DataFrame(columns=list(REQUIRED_COLUMNS), index=pd.DatetimeIndex([], tz="UTC"))
    data = path.read_bytes()
    sidecar = path.with_suffix(".meta.json")
    try:
        expected = json.loads(sidecar.read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError) as exc:
        raise CacheCorruptError(f"{sidecar}: unreadable sidecar ({exc})") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise CacheCorruptError(f"{path}: modified or truncated (sha256 does not match)")
    return pd.read_parquet(io.BytesIO(data))


def write_intraday(source: str, ticker: str, minutes: int, bars: pd.DataFrame) -> Path:
    """Store ``bars`` (canonical) atomically with its sidecar; return the Parquet path."""
    path = intraday_path(source, ticker, minutes)
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = io.BytesIO()
    bars.to_parquet(sink)
    data = sink.getvalue()
    write_bytes_atomic(path, data)
    meta = {
        "ticker": ticker,
        "source": source,
        "minutes": minutes,
        "rows": len(bars),
        "first": bars.index[0].isoformat() if len(bars) else "",
        "last": bars.index[-1].isoformat() if len(bars) else "",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    write_bytes_atomic(path.with_suffix(".meta.json"), text.encode())
    return path
