"""OHLCV normalisation and validation: many input spellings in, one canonical frame out.

Canonical form: lower-case float64 ``open high low close volume`` (+ ``adj_close``) on a sorted,
unique, tz-naive ``DatetimeIndex`` named ``date``. Rows that break a rule are dropped and
reported (logged and listed in ``attrs["rejected_rows"]``), never silently kept.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quant_engine.errors import OHLCVValidationError

logger = logging.getLogger("quant_engine.data")

PRICE_COLUMNS = ("open", "high", "low", "close")
REQUIRED_COLUMNS = (*PRICE_COLUMNS, "volume")
CANONICAL_COLUMNS = (*REQUIRED_COLUMNS, "adj_close")
OHLC_REL_TOLERANCE = 1e-6
"""Relative slack allowed when checking high >= max(open, close) and low <= min(open, close)."""
LOGGED_REJECTIONS = 5
"""How many rejected dates a warning or error message names before summarising."""

_ALIASES: dict[str, str] = {
    **dict.fromkeys(("open", "o", "openprice"), "open"),
    **dict.fromkeys(("high", "h", "highprice"), "high"),
    **dict.fromkeys(("low", "l", "lowprice"), "low"),
    **dict.fromkeys(("close", "c", "closeprice"), "close"),
    **dict.fromkeys(("adjclose", "adjustedclose", "adjcloseprice"), "adj_close"),
    **dict.fromkeys(("volume", "vol", "v"), "volume"),
    **dict.fromkeys(("date", "datetime", "timestamp", "time"), "date"),
}


@dataclass(frozen=True)
class Rejection:
    """One input row that normalisation dropped, and why."""

    date: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """JSON-friendly form stored in ``attrs["rejected_rows"]``."""
        return {"date": self.date, "reason": self.reason}


def alias_key(name: object) -> str:
    """Spelling-insensitive key of a column name: ``"Adj Close"`` -> ``"adjclose"``."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def canonical_renames(columns: pd.Index, label: str) -> dict[Any, str]:
    """Map recognised input columns to canonical names; two spellings of one column is an error."""
    renames: dict[Any, str] = {}
    seen: dict[str, Any] = {}
    for column in columns:
        canonical = _ALIASES.get(alias_key(column))
        if canonical is None:
            continue
        if canonical in seen:
            raise OHLCVValidationError(
                f"{label}: columns {seen[canonical]!r} and {column!r} both mean {canonical!r}"
            )
        seen[canonical] = column
        renames[column] = canonical
    return renames


def to_naive_dates(values: Any) -> pd.DatetimeIndex:
    """Parse dates (bad ones -> NaT); tz-aware values become naive UTC; times drop to midnight."""
    with warnings.catch_warnings():  # "could not infer format": per-element parsing is intended
        warnings.simplefilter("ignore", UserWarning)
        parsed = pd.DatetimeIndex(pd.to_datetime(values, errors="coerce", utc=True))
    return parsed.tz_localize(None).normalize().as_unit("ns").rename("date")


def raw_dates(df: pd.DataFrame, label: str) -> pd.Index:
    """The frame's unparsed dates, from a ``date`` column or a date-like index."""
    if "date" in df.columns:
        column: pd.Index = pd.Index(df["date"].to_numpy())
        return column
    if isinstance(df.index, pd.DatetimeIndex) or _ALIASES.get(alias_key(df.index.name)) == "date":
        return df.index
    raise OHLCVValidationError(f"{label}: missing required column 'date' (or a date index)")


def validate_ohlcv(df: pd.DataFrame) -> list[Rejection]:
    """Rows of a canonical OHLCV frame that break a price or volume rule, with every reason."""
    o, h, lo, c, v = (df[name].to_numpy(dtype="float64") for name in REQUIRED_COLUMNS)
    tol = OHLC_REL_TOLERANCE * np.fmax(np.abs(h), np.abs(lo))
    with np.errstate(invalid="ignore"):
        checks = [
            ("close is NaN", np.isnan(c)),
            ("price missing or not > 0", ~((o > 0) & (h > 0) & (lo > 0) & (c > 0))),
            ("high < low", h < lo - tol),
            ("high < max(open, close)", h < np.fmax(o, c) - tol),
            ("low > min(open, close)", lo > np.fmin(o, c) + tol),
            ("volume missing or < 0", ~(v >= 0)),
        ]
    bad = np.logical_or.reduce([mask for _, mask in checks])
    dates = pd.DatetimeIndex(df.index)
    return [
        Rejection(dates[int(i)].date().isoformat(), "; ".join(r for r, m in checks if m[i]))
        for i in np.flatnonzero(bad)
    ]


def describe_rejections(rejections: list[Rejection]) -> str:
    """``"2018-01-02 (high < low), ... (+N more)"`` for one-line messages."""
    shown = ", ".join(f"{r.date} ({r.reason})" for r in rejections[:LOGGED_REJECTIONS])
    rest = len(rejections) - LOGGED_REJECTIONS
    return f"{shown} ... (+{rest} more)" if rest > 0 else shown


def normalize_ohlcv_columns(
    df: pd.DataFrame, *, strict: bool = False, name: str = "OHLCV"
) -> pd.DataFrame:
    """Canonical OHLCV: lower-case float64 columns, sorted unique ``date`` index, bad rows dropped.

    Dropped rows are logged and listed in ``result.attrs["rejected_rows"]``; with ``strict`` any
    dropped row raises OHLCVValidationError instead. ``name`` labels messages (e.g. the ticker).
    """
    frame = df.rename(columns=canonical_renames(df.columns, name))
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise OHLCVValidationError(f"{name}: missing required column {missing[0]!r}")
    raw = raw_dates(frame, name)
    dates = to_naive_dates(raw)
    keep = [column for column in CANONICAL_COLUMNS if column in frame.columns]
    frame = pd.DataFrame(
        {col: pd.to_numeric(frame[col].to_numpy(), errors="coerce") for col in keep},
        index=dates,
    ).astype("float64")
    parsed = np.asarray(dates.notna())
    rejected = [Rejection(str(value), "unparseable date") for value in raw[~parsed]]
    frame = frame[parsed].sort_index(kind="stable")
    duplicated = frame.index.duplicated(keep="last")
    rejected += [
        Rejection(d.date().isoformat(), "duplicate date (kept the last row)")
        for d in frame.index[duplicated]
    ]
    frame = frame[~duplicated]
    invalid = validate_ohlcv(frame)
    if invalid:
        frame = frame.drop(index=pd.DatetimeIndex([r.date for r in invalid]))
    rejected += invalid
    if rejected:
        detail = f"{name}: {len(rejected)} invalid OHLCV row(s): {describe_rejections(rejected)}"
        if strict:
            raise OHLCVValidationError(detail)
        logger.warning("%s; dropped them", detail)
    frame.attrs["rejected_rows"] = [r.as_dict() for r in rejected]
    return frame
