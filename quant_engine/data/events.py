"""Cached event features (Kalshi) for the engine: read from the cache, never fetched here.

``qe-kalshi-pipeline`` writes one session-indexed Parquet file per series into
:func:`event_features_dir`; :func:`read_event_features` slices them to a load window so
``MarketData`` carries them (and their hashes) to every consumer, including remote workers.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd

from quant_engine import layout
from quant_engine.data.market_data import InputRecord
from quant_engine.errors import CacheCorruptError

EVENT_SOURCE = "kalshi"
EVENT_COLUMN_PREFIX = "kalshi_"
"""Every event feature column starts with this; market-data feature columns never do."""
FEATURES_FOLDER = "features"


def event_features_dir(kalshi_root: Path | None = None) -> Path:
    """Where the Kalshi pipeline keeps session-aligned features (one Parquet file per series)."""
    root = kalshi_root if kalshi_root is not None else layout.kalshi_cache_dir()
    return root / FEATURES_FOLDER


def is_event_column(name: str) -> bool:
    """True for an event feature column (as opposed to a market-data feature)."""
    return name.startswith(EVENT_COLUMN_PREFIX)


def read_event_features(
    start: pd.Timestamp, end: pd.Timestamp, folder: Path | None = None
) -> tuple[pd.DataFrame | None, tuple[InputRecord, ...]]:
    """Event features of every cached series between ``start`` and ``end``, with provenance.

    Returns ``(None, ())`` when nothing is cached. A file that is not a readable, date-indexed
    Parquet table raises CacheCorruptError naming it.
    """
    source_dir = folder if folder is not None else event_features_dir()
    files = sorted(source_dir.glob("*.parquet")) if source_dir.is_dir() else []
    frames: list[pd.DataFrame] = []
    records: list[InputRecord] = []
    for path in files:
        raw = path.read_bytes()
        frame = parse_event_file(path, raw).loc[start:end]
        columns = [c for c in frame.columns if is_event_column(str(c))]
        frames.append(frame[columns])
        index = pd.DatetimeIndex(frame.index)
        records.append(
            InputRecord(
                ticker=path.stem,
                source=EVENT_SOURCE,
                path=layout.relative_to_home(path),
                rows=len(frame),
                first=index[0].date().isoformat() if len(index) else "",
                last=index[-1].date().isoformat() if len(index) else "",
                sha256=hashlib.sha256(raw).hexdigest(),
            )
        )
    if not frames:
        return None, ()
    events = pd.concat(frames, axis=1, join="outer", sort=True)
    return events.astype("float64"), tuple(records)


def parse_event_file(path: Path, raw: bytes) -> pd.DataFrame:
    """A cached event-feature table with a sorted DatetimeIndex; CacheCorruptError otherwise."""
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as exc:
        raise CacheCorruptError(f"{path}: unreadable event features ({exc})") from None
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise CacheCorruptError(f"{path}: event features are not indexed by date")
    return frame.sort_index()
