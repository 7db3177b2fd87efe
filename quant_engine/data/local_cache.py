"""Per-ticker daily OHLCV cache: Parquet files with JSON metadata sidecars, written atomically.

Layout: ``layout.cache_dir(source)/<TICKER>.parquet`` next to ``<TICKER>.meta.json``, which
records row count, date range, column list and the sha256 of the Parquet bytes, so a modified
or truncated file is detected on read instead of silently feeding a model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from quant_engine import layout
from quant_engine.cli import check_ticker
from quant_engine.data.ohlcv import (
    REQUIRED_COLUMNS,
    Rejection,
    normalize_ohlcv_columns,
    validate_ohlcv,
)
from quant_engine.errors import (
    CacheCorruptError,
    OHLCVValidationError,
    UnknownTickerError,
    UsageError,
)
from quant_engine.utils.atomic import write_bytes_atomic

__all__ = [
    "CacheMeta",
    "LocalCache",
    "Rejection",
    "normalize_ohlcv_columns",
    "validate_ohlcv",
    "write_cache_meta",
]

PARQUET_SUFFIX = ".parquet"
META_SUFFIX = ".meta.json"
LISTED_TICKERS_IN_ERRORS = 20
"""How many available tickers an UnknownTickerError message lists before truncating."""

_SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,31}$")
_CORE_META_KEYS = (
    "ticker",
    "source",
    "rows",
    "first_date",
    "last_date",
    "sha256",
    "written_at",
    "columns",
)


@dataclass(frozen=True)
class CacheMeta:
    """The sidecar of one cached ticker: what was written, when, and its content hash."""

    ticker: str
    source: str
    rows: int
    first_date: str
    last_date: str
    sha256: str
    written_at: str
    columns: tuple[str, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> CacheMeta:
        """Parse a sidecar; anything unreadable or incomplete is a CacheCorruptError."""
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            core = {key: payload.pop(key) for key in _CORE_META_KEYS}
            return cls(
                ticker=str(core["ticker"]),
                source=str(core["source"]),
                rows=int(core["rows"]),
                first_date=str(core["first_date"]),
                last_date=str(core["last_date"]),
                sha256=str(core["sha256"]),
                written_at=str(core["written_at"]),
                columns=tuple(str(c) for c in core["columns"]),
                extra=payload,
            )
        except FileNotFoundError:
            raise CacheCorruptError(f"{path}: metadata sidecar is missing") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CacheCorruptError(f"{path}: unreadable metadata sidecar ({exc})") from None


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def meta_path_for(parquet_path: Path) -> Path:
    """The sidecar path of a cached Parquet file."""
    return parquet_path.with_name(parquet_path.name.removesuffix(PARQUET_SUFFIX) + META_SUFFIX)


def write_cache_meta(
    path: Path,
    *,
    ticker: str,
    df: pd.DataFrame,
    source: str,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write the sidecar of the Parquet file at ``path`` (hashing its bytes); return its path."""
    if not path.is_file():
        raise UsageError(f"{path}: no such Parquet file to describe")
    extra = dict(meta or {})
    clash = sorted(set(extra) & set(_CORE_META_KEYS))
    if clash:
        raise UsageError(f"cache metadata for {ticker}: reserved key(s) {', '.join(clash)}")
    index = pd.DatetimeIndex(df.index)
    payload: dict[str, Any] = {
        "ticker": ticker,
        "source": source,
        "rows": len(df),
        "first_date": index[0].date().isoformat() if len(index) else "",
        "last_date": index[-1].date().isoformat() if len(index) else "",
        "sha256": sha256_bytes(path.read_bytes()),
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "columns": [str(c) for c in df.columns],
        **extra,
    }
    sidecar = meta_path_for(path)
    text = json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n"
    write_bytes_atomic(sidecar, text.encode("utf-8"))
    return sidecar


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """Serialise a normalised OHLCV frame to Parquet bytes, its ``date`` index as a column.

    Dictionary encoding and statistics are off: prices rarely repeat, and skipping them makes
    reads several times faster.
    """
    table = pa.Table.from_pandas(df.reset_index(), preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy", use_dictionary=False, write_statistics=False)
    return sink.getvalue()


@lru_cache(maxsize=64)
def column_index(names: tuple[str, ...]) -> pd.Index:
    """Shared column labels for frames read from the cache (built once per column set)."""
    return pd.Index(names)


def frame_from_parquet(data: bytes) -> pd.DataFrame:
    """Deserialise Parquet bytes written by :func:`parquet_bytes` (the fast path of every read)."""
    table = pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False)
    missing = [c for c in ("date", *REQUIRED_COLUMNS) if c not in table.column_names]
    if missing:
        raise ValueError(f"missing column {missing[0]!r}")
    names = tuple(name for name in table.column_names if name != "date")
    values = np.column_stack([table.column(name).to_numpy() for name in names]).astype("float64")
    index = pd.DatetimeIndex(table.column("date").to_numpy(), name="date").as_unit("ns")
    return pd.DataFrame(values, index=index, columns=column_index(names), copy=False)


def truncated_list(
    names: list[str] | tuple[str, ...], limit: int = LISTED_TICKERS_IN_ERRORS
) -> str:
    """``"A, B, C ... (+N more)"`` for error messages that list what is available."""
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return f"{shown} ... (+{rest} more)" if rest > 0 else shown


class LocalCache:
    """Reads and writes the per-ticker OHLCV cache under ``root`` (default: the data home's)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root).resolve() if root is not None else layout.cache_dir()

    def source_dir(self, source: str) -> Path:
        """Folder of one source's cached tickers."""
        if not _SOURCE_RE.match(source):
            raise UsageError(f"not a data source name: {source!r}")
        return self.root / source

    def path_for(self, source: str, ticker: str) -> Path:
        """Parquet path of ``ticker`` in ``source`` (the file may not exist yet)."""
        return self.source_dir(source) / f"{check_ticker(ticker)}{PARQUET_SUFFIX}"

    def tickers(self, source: str) -> tuple[str, ...]:
        """Sorted tickers cached for ``source`` (empty when nothing is)."""
        folder = self.source_dir(source)
        if not folder.is_dir():
            return ()
        return tuple(sorted(p.name.removesuffix(PARQUET_SUFFIX) for p in folder.glob("*.parquet")))

    def has(self, source: str, ticker: str) -> bool:
        """True when both the Parquet file and its sidecar exist."""
        path = self.path_for(source, ticker)
        return path.is_file() and meta_path_for(path).is_file()

    def write(
        self,
        source: str,
        ticker: str,
        df: pd.DataFrame,
        meta: Mapping[str, Any] | None = None,
    ) -> Path:
        """Normalise ``df`` and store it atomically, then its sidecar; return the Parquet path."""
        path = self.path_for(source, ticker)
        frame = normalize_ohlcv_columns(df, name=f"{source}:{ticker}")
        if frame.empty:
            raise OHLCVValidationError(f"{source}:{ticker}: no valid OHLCV rows to cache")
        write_bytes_atomic(path, parquet_bytes(frame))
        write_cache_meta(path, ticker=ticker, df=frame, source=source, meta=meta)
        return path

    def read_meta(self, source: str, ticker: str) -> CacheMeta:
        """The sidecar of a cached ticker (UnknownTickerError when it is not cached)."""
        return CacheMeta.from_file(meta_path_for(self.existing_path(source, ticker)))

    def existing_path(self, source: str, ticker: str) -> Path:
        """Parquet path of a cached ticker; UnknownTickerError listing the cached ones if absent."""
        path = self.path_for(source, ticker)
        if not path.is_file():
            available = truncated_list(self.tickers(source))
            raise UnknownTickerError(
                f"ticker {ticker!r} is not cached for source {source!r}; available: {available}"
            )
        return path

    def read(self, source: str, ticker: str) -> tuple[pd.DataFrame, CacheMeta]:
        """Load one ticker, verifying its bytes against the sidecar's sha256."""
        path = self.existing_path(source, ticker)
        meta = CacheMeta.from_file(meta_path_for(path))
        data = path.read_bytes()
        if sha256_bytes(data) != meta.sha256:
            raise CacheCorruptError(
                f"{path}: modified or truncated (sha256 does not match {meta_path_for(path).name})"
            )
        try:
            frame = frame_from_parquet(data)
        except (pa.ArrowException, ValueError, OSError) as exc:
            raise CacheCorruptError(f"{path}: not a readable OHLCV Parquet file ({exc})") from None
        return frame, meta
