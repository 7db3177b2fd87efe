"""Per-ticker daily OHLCV cache: Parquet files that carry their own metadata, plus JSON sidecars.

Layout: ``layout.cache_dir(source)/<TICKER>.parquet`` next to ``<TICKER>.meta.json``. The
metadata (ticker, source, row count, date range, columns, a write id and any extras) is embedded
in the Parquet file's key-value metadata, so one atomic rename publishes data and metadata
together: a reader sees the old pair or the new one, and a crash leaves one of them. The sidecar
is a derived copy (the embedded metadata plus the sha256 of the Parquet bytes), written second.
A reader trusts the sidecar only when it matches the bytes read (sha256, or the write id for a
metadata-only read); otherwise (a write in progress, or a crash between the two writes) it uses
the embedded copy. Readers never write; the next write of the ticker replaces a stale sidecar.
Pages carry CRC checksums, so modified data is refused, and the metadata is checked against the
data (ticker, source, rows, dates, columns): a swapped or edited pair is one line naming the
file and how to re-fetch it. Files written before metadata was embedded are read through their
sidecar alone, whose sha256 must match.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
import re
import secrets
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
from quant_engine.cli import TICKER_PATTERN, check_ticker
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
from quant_engine.utils.atomic import is_temp_name, write_bytes_atomic

__all__ = [
    "CacheMeta",
    "LocalCache",
    "Rejection",
    "normalize_ohlcv_columns",
    "validate_ohlcv",
    "write_cache_meta",
]

logger = logging.getLogger("quant_engine.data")

PARQUET_SUFFIX = ".parquet"
META_SUFFIX = ".meta.json"
EMBEDDED_META_KEY = b"quant_engine.cache_meta"
"""Key of the authoritative metadata in each cached Parquet file's key-value metadata."""
LISTED_TICKERS_IN_ERRORS = 20
"""How many available tickers an UnknownTickerError message lists before truncating."""
REFETCH_HINTS: dict[str, str] = {
    "sample": "delete {file} (the sample is regenerated on next use)",
    "wrds": "re-run qe-wrds-refresh --tickers {ticker} --full",
    "ibkr": "delete {file} and re-run scripts/ibkr_daily_gapfill.py --tickers {ticker} --start DAY",
    "alpaca": "delete {file} and re-run scripts/ibkr_daily_gapfill.py --provider alpaca "
    "--tickers {ticker} --start DAY",
}
"""How to replace a bad cached ticker of each source (the end of every cache error line)."""

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
    "write_id",
)
_DESCRIBED_KEYS = ("ticker", "source", "rows", "first_date", "last_date", "columns")
_warned_strays: set[Path] = set()


@dataclass(frozen=True)
class CacheMeta:
    """The metadata of one cached ticker: what was written, when, and its content hash."""

    ticker: str
    source: str
    rows: int
    first_date: str
    last_date: str
    sha256: str
    written_at: str
    columns: tuple[str, ...]
    write_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], where: Path) -> CacheMeta:
        """Parse a metadata mapping; anything incomplete is a CacheCorruptError naming ``where``."""
        try:
            rest = dict(payload)
            core = {key: rest.pop(key) for key in _CORE_META_KEYS if key in rest}
            return cls(
                ticker=str(core["ticker"]),
                source=str(core["source"]),
                rows=int(core["rows"]),
                first_date=str(core["first_date"]),
                last_date=str(core["last_date"]),
                sha256=str(core["sha256"]),
                written_at=str(core["written_at"]),
                columns=tuple(str(c) for c in core["columns"]),
                write_id=str(core.get("write_id", "")),
                extra=rest,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CacheCorruptError(f"{where}: incomplete cache metadata ({exc})") from None

    @classmethod
    def from_file(cls, path: Path) -> CacheMeta:
        """Parse a sidecar; anything unreadable or incomplete is a CacheCorruptError."""
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CacheCorruptError(f"{path}: metadata sidecar is missing") from None
        except (OSError, ValueError) as exc:
            raise CacheCorruptError(f"{path}: unreadable metadata sidecar ({exc})") from None
        if not isinstance(payload, dict):
            raise CacheCorruptError(f"{path}: unreadable metadata sidecar (not a JSON object)")
        return cls.from_payload(payload, path)

    def payload(self) -> dict[str, Any]:
        """The sidecar's JSON object."""
        core = {key: getattr(self, key) for key in _CORE_META_KEYS}
        return {**core, "columns": list(self.columns), **self.extra}


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def meta_path_for(parquet_path: Path) -> Path:
    """The sidecar path of a cached Parquet file."""
    return parquet_path.with_name(parquet_path.name.removesuffix(PARQUET_SUFFIX) + META_SUFFIX)


def refetch_hint(path: Path) -> str:
    """How to replace the cached ticker stored at ``path`` (its folder names the source)."""
    ticker = path.name.removesuffix(PARQUET_SUFFIX).removesuffix(META_SUFFIX)
    template = REFETCH_HINTS.get(path.parent.name, "delete {file} and re-fetch {ticker}")
    return template.format(file=path.with_name(ticker + PARQUET_SUFFIX), ticker=ticker)


def write_cache_meta(
    path: Path,
    *,
    ticker: str,
    df: pd.DataFrame,
    source: str,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Publish ``df`` at ``path`` with its metadata embedded, then its sidecar; return the sidecar.

    The Parquet file is replaced in one atomic rename, so data and metadata change together; the
    sidecar written after it is a derived copy (readers fall back to the embedded one while it
    is stale, and the next write of the ticker replaces it).
    """
    extra = dict(meta or {})
    clash = sorted(set(extra) & set(_CORE_META_KEYS))
    if clash:
        raise UsageError(f"cache metadata for {ticker}: reserved key(s) {', '.join(clash)}")
    frame = normalize_ohlcv_columns(df, name=f"{source}:{ticker}")
    if frame.empty:
        raise OHLCVValidationError(f"{source}:{ticker}: no valid OHLCV rows to cache")
    index = pd.DatetimeIndex(frame.index)
    described = CacheMeta(
        ticker=ticker,
        source=source,
        rows=len(frame),
        first_date=index[0].date().isoformat(),
        last_date=index[-1].date().isoformat(),
        sha256="",
        written_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        columns=tuple(str(c) for c in frame.columns),
        write_id=secrets.token_hex(8),
        extra=extra,
    )
    embedded = {k: v for k, v in described.payload().items() if k != "sha256"}
    data = parquet_bytes(frame, embedded)
    write_bytes_atomic(path, data)
    return write_sidecar(path, dataclasses.replace(described, sha256=sha256_bytes(data)))


def write_sidecar(path: Path, meta: CacheMeta) -> Path:
    """Write the sidecar of the Parquet file at ``path`` from ``meta``; return its path."""
    sidecar = meta_path_for(path)
    text = json.dumps(meta.payload(), indent=2, sort_keys=True, default=str) + "\n"
    write_bytes_atomic(sidecar, text.encode("utf-8"))
    return sidecar


def parquet_bytes(df: pd.DataFrame, meta: Mapping[str, Any]) -> bytes:
    """Serialise a normalised OHLCV frame to Parquet bytes, ``meta`` embedded, ``date`` a column.

    Dictionary encoding and statistics are off: prices rarely repeat, and skipping them makes
    reads several times faster. Page checksums let a read refuse modified data.
    """
    table = pa.Table.from_pandas(df.reset_index(), preserve_index=False)
    encoded = json.dumps(dict(meta), sort_keys=True, default=str).encode("utf-8")
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), EMBEDDED_META_KEY: encoded}
    )
    sink = io.BytesIO()
    pq.write_table(
        table,
        sink,
        compression="snappy",
        use_dictionary=False,
        write_statistics=False,
        write_page_checksum=True,
    )
    return sink.getvalue()


@lru_cache(maxsize=64)
def column_index(names: tuple[str, ...]) -> pd.Index:
    """Shared column labels for frames read from the cache (built once per column set)."""
    return pd.Index(names)


def frame_from_parquet(data: bytes) -> tuple[pd.DataFrame, dict[bytes, bytes]]:
    """Deserialise Parquet bytes written by :func:`parquet_bytes`: the frame and key-value metadata.

    This is the fast path of every read; page checksums are verified when present.
    """
    parquet = pq.ParquetFile(pa.BufferReader(data), page_checksum_verification=True)
    table = parquet.read(use_threads=False)
    missing = [c for c in ("date", *REQUIRED_COLUMNS) if c not in table.column_names]
    if missing:
        raise ValueError(f"missing column {missing[0]!r}")
    names = tuple(name for name in table.column_names if name != "date")
    values = np.column_stack([table.column(name).to_numpy() for name in names]).astype("float64")
    index = pd.DatetimeIndex(table.column("date").to_numpy(), name="date").as_unit("ns")
    frame = pd.DataFrame(values, index=index, columns=column_index(names), copy=False)
    return frame, dict(parquet.metadata.metadata or {})


def embedded_meta(key_values: Mapping[bytes, bytes], path: Path, sha256: str) -> CacheMeta | None:
    """The metadata embedded in a cached Parquet file (None for files written before it was)."""
    encoded = key_values.get(EMBEDDED_META_KEY)
    if encoded is None:
        return None
    try:
        payload = json.loads(encoded)
    except ValueError as exc:
        raise CacheCorruptError(f"{path}: unreadable embedded metadata ({exc})") from None
    if not isinstance(payload, dict):
        raise CacheCorruptError(f"{path}: unreadable embedded metadata (not a JSON object)")
    return CacheMeta.from_payload({**payload, "sha256": sha256}, path)


def names_of(data_path: Path) -> dict[str, Any]:
    """The ticker and source a cached file's name and folder say it holds."""
    return {"ticker": data_path.name.removesuffix(PARQUET_SUFFIX), "source": data_path.parent.name}


def check_names(meta: CacheMeta, described: Path, data_path: Path) -> None:
    """DataError unless ``meta`` names the ticker and source of its file's name and folder."""
    mismatch(meta, names_of(data_path), described, data_path)


def check_against_data(
    meta: CacheMeta, frame: pd.DataFrame, described: Path, data_path: Path
) -> None:
    """DataError unless ``meta`` describes ``frame`` (ticker, source, rows, dates, columns)."""
    index = pd.DatetimeIndex(frame.index)
    expected = {
        **names_of(data_path),
        "rows": len(frame),
        "first_date": index[0].date().isoformat() if len(index) else "",
        "last_date": index[-1].date().isoformat() if len(index) else "",
        "columns": tuple(str(c) for c in frame.columns),
    }
    mismatch(meta, expected, described, data_path)


def mismatch(
    meta: CacheMeta, expected: Mapping[str, Any], described: Path, data_path: Path
) -> None:
    """One-line CacheCorruptError for the first field of ``meta`` that differs from ``expected``."""
    for key in _DESCRIBED_KEYS:
        if key in expected and getattr(meta, key) != expected[key]:
            raise CacheCorruptError(
                f"{described}: {key} {getattr(meta, key)!r} does not match the data "
                f"({expected[key]!r}); {refetch_hint(data_path)}"
            )


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
        """Sorted tickers cached for ``source`` (empty when nothing is); stray files are skipped.

        A file that is neither ``<TICKER>.parquet`` nor its sidecar (nor a temp file a crash
        left) is logged once with a warning naming it, instead of failing the whole source.
        """
        folder = self.source_dir(source)
        if not folder.is_dir():
            return ()
        found = []
        for entry in folder.iterdir():
            stem = entry.name.removesuffix(PARQUET_SUFFIX)
            if stem != entry.name and TICKER_PATTERN.fullmatch(stem) and entry.is_file():
                found.append(stem)
            elif not (is_temp_name(entry.name) or is_sidecar_name(entry.name)):
                warn_stray(entry)
        return tuple(sorted(found))

    def has(self, source: str, ticker: str) -> bool:
        """True when the Parquet file exists (it carries its own metadata)."""
        return self.path_for(source, ticker).is_file()

    def write(
        self,
        source: str,
        ticker: str,
        df: pd.DataFrame,
        meta: Mapping[str, Any] | None = None,
    ) -> Path:
        """Normalise ``df`` and publish it with its metadata; return the Parquet path."""
        path = self.path_for(source, ticker)
        write_cache_meta(path, ticker=ticker, df=df, source=source, meta=meta)
        return path

    def existing_path(self, source: str, ticker: str) -> Path:
        """Parquet path of a cached ticker; UnknownTickerError listing the cached ones if absent."""
        path = self.path_for(source, ticker)
        if not path.is_file():
            available = truncated_list(self.tickers(source))
            raise UnknownTickerError(
                f"ticker {ticker!r} is not cached for source {source!r}; available: {available}"
            )
        return path

    def read_meta(self, source: str, ticker: str) -> CacheMeta:
        """The metadata of a cached ticker, from its sidecar when that is current.

        Only the Parquet footer is read to confirm it; a stale or missing sidecar (a write in
        progress, or a crash between the two writes) gives way to the embedded copy.
        """
        path = self.existing_path(source, ticker)
        sidecar = self.sidecar(path)
        with path.open("rb") as handle:
            try:
                key_values = dict(pq.read_metadata(handle).metadata or {})
            except (pa.ArrowException, OSError) as exc:
                raise CacheCorruptError(
                    f"{path}: not a readable Parquet file ({exc}); {refetch_hint(path)}"
                ) from None
            embedded = embedded_meta(key_values, path, "")
            if embedded is None:
                return self.legacy_meta(path, sidecar)
            if sidecar is not None and sidecar.write_id == embedded.write_id:
                described = {key: getattr(embedded, key) for key in _DESCRIBED_KEYS}
                mismatch(sidecar, described, meta_path_for(path), path)
                return sidecar
            handle.seek(0)
            meta = dataclasses.replace(embedded, sha256=sha256_bytes(handle.read()))
        check_names(meta, path, path)
        return meta

    def read(self, source: str, ticker: str) -> tuple[pd.DataFrame, CacheMeta]:
        """Load one ticker with the metadata of the very bytes read, checked against the data."""
        path = self.existing_path(source, ticker)
        sidecar = self.sidecar(path)
        data = path.read_bytes()
        digest = sha256_bytes(data)
        current = sidecar is not None and sidecar.sha256 == digest
        try:
            frame, key_values = frame_from_parquet(data)
        except (pa.ArrowException, ValueError, OSError) as exc:
            problem = "not a readable OHLCV Parquet file" if current else "modified or truncated"
            raise CacheCorruptError(f"{path}: {problem} ({exc}); {refetch_hint(path)}") from None
        if current and sidecar is not None:
            check_against_data(sidecar, frame, meta_path_for(path), path)
            return frame, sidecar
        meta = embedded_meta(key_values, path, digest) or self.legacy_meta(path, sidecar, digest)
        check_against_data(meta, frame, path, path)
        return frame, meta

    def sidecar(self, path: Path) -> CacheMeta | None:
        """The sidecar of ``path`` if present and readable (warned otherwise: it is derived).

        A sidecar naming another ticker or source is a swapped pair: CacheCorruptError.
        """
        sidecar_path = meta_path_for(path)
        if not sidecar_path.exists():
            return None
        try:
            meta = CacheMeta.from_file(sidecar_path)
        except CacheCorruptError as exc:
            logger.warning("%s", exc)
            return None
        check_names(meta, sidecar_path, path)
        return meta

    @staticmethod
    def legacy_meta(path: Path, sidecar: CacheMeta | None, digest: str | None = None) -> CacheMeta:
        """The sidecar of a file without embedded metadata; it must match ``digest`` if given."""
        if sidecar is None:
            raise CacheCorruptError(
                f"{meta_path_for(path)}: metadata sidecar is missing or unreadable; "
                f"{refetch_hint(path)}"
            )
        if digest is not None and sidecar.sha256 != digest:
            raise CacheCorruptError(
                f"{path}: modified or truncated (sha256 does not match "
                f"{meta_path_for(path).name}); {refetch_hint(path)}"
            )
        return sidecar


def is_sidecar_name(name: str) -> bool:
    """True for ``<TICKER>.meta.json``."""
    stem = name.removesuffix(META_SUFFIX)
    return stem != name and bool(TICKER_PATTERN.fullmatch(stem))


def warn_stray(entry: Path) -> None:
    """Log, once per process, a file in a cache folder that is not a cached ticker."""
    if entry not in _warned_strays:
        _warned_strays.add(entry)
        logger.warning(
            "skipping %s: not a cached ticker (<TICKER>%s); move it out of the cache folder",
            entry,
            PARQUET_SUFFIX,
        )
