"""CRSP daily stock data: the two table layouts and the conversion of raw rows to clean OHLCV.

Layouts (``config.CRSP_LAYOUTS``):

- ``dsf`` (legacy SIZ, frozen at 2024-12-31): ``crsp.dsf`` rows, ticker history in
  ``crsp.dsenames``, delistings in ``crsp.dsedelist``. A negative ``prc`` is a bid/ask midpoint.
- ``dsf_v2`` (CIZ, updated monthly): ``crsp.dsf_v2``, ticker history in
  ``crsp.stksecurityinfohist``; prices are positive and ``dlyprcflg = 'BA'`` marks a midpoint;
  ``dlydelflg = 'Y'`` marks the delisting day (its return is already in ``dlyret``).

Conversion: prices are taken as absolute values (midpoints flagged; a midpoint day has no
trading range, so its open/high/low are the midpoint), a missing open/high/low is filled from
the close and high/low widened to bracket open and close (flagged as repaired),
rows without a price are dropped (listed), and prices are divided by the cumulative price factor
``cfacpr`` and volumes multiplied by ``cfacshr`` so the series is continuous across splits.
``adj_close`` is a total-return index (CRSP ``ret``, dividends reinvested) scaled to an anchor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from quant_engine.errors import UsageError

__all__ = ["LAYOUTS", "CrspBars", "CrspLayout", "get_layout", "to_ohlcv", "total_return_index"]

DAILY_COLUMNS = (
    "permno",
    "date",
    "open",
    "high",
    "low",
    "price",
    "volume",
    "ret",
    "cfacpr",
    "cfacshr",
    "midpoint",
    "delisting_day",
)
"""Aliases every layout's daily query selects, in this order."""

_BATCH_JOIN = (
    "JOIN unnest(%(permnos)s::integer[], %(starts)s::date[]) AS w(permno, first_day) "
    "ON d.permno = w.permno "
)


@dataclass(frozen=True)
class CrspLayout:
    """The SQL of one CRSP layout; every query returns the documented column aliases."""

    name: str
    daily_sql: str
    """DAILY_COLUMNS for permnos ``%(permnos)s`` from per-permno ``%(starts)s`` to ``%(end)s``."""
    names_sql: str
    """``ticker, permno, first_day, last_day`` of every name record of ``%(tickers)s``."""
    history_sql: str
    """``permno, ticker, first_day, last_day`` of every name record of ``%(permnos)s``."""
    delist_sql: str | None
    """``permno, day, code, ret`` of real delistings of ``%(permnos)s`` (None: in the rows)."""


LAYOUTS: dict[str, CrspLayout] = {
    "dsf": CrspLayout(
        name="dsf",
        daily_sql=(
            "SELECT d.permno, d.date, d.openprc, d.askhi, d.bidlo, d.prc, d.vol, d.ret, "
            "d.cfacpr, d.cfacshr, (d.prc < 0), false "
            f"FROM crsp.dsf AS d {_BATCH_JOIN}"
            "WHERE d.date >= w.first_day AND d.date <= %(end)s ORDER BY d.permno, d.date"
        ),
        names_sql=(
            "SELECT ticker, permno, namedt, nameendt FROM crsp.dsenames "
            "WHERE ticker = ANY(%(tickers)s)"
        ),
        history_sql=(
            "SELECT permno, ticker, namedt, nameendt FROM crsp.dsenames "
            "WHERE permno = ANY(%(permnos)s) ORDER BY permno, namedt"
        ),
        delist_sql=(
            "SELECT permno, dlstdt, dlstcd::text, dlret FROM crsp.dsedelist "
            "WHERE permno = ANY(%(permnos)s) AND dlstcd >= 200"
        ),
    ),
    "dsf_v2": CrspLayout(
        name="dsf_v2",
        daily_sql=(
            "SELECT d.permno, d.dlycaldt, d.dlyopen, d.dlyhigh, d.dlylow, d.dlyprc, d.dlyvol, "
            "d.dlyret, d.dlycumfacpr, d.dlycumfacshr, coalesce(d.dlyprcflg = 'BA', false), "
            "coalesce(d.dlydelflg = 'Y', false) "
            f"FROM crsp.dsf_v2 AS d {_BATCH_JOIN}"
            "WHERE d.dlycaldt >= w.first_day AND d.dlycaldt <= %(end)s "
            "ORDER BY d.permno, d.dlycaldt"
        ),
        names_sql=(
            "SELECT ticker, permno, secinfostartdt, secinfoenddt FROM crsp.stksecurityinfohist "
            "WHERE ticker = ANY(%(tickers)s)"
        ),
        history_sql=(
            "SELECT permno, ticker, secinfostartdt, secinfoenddt FROM crsp.stksecurityinfohist "
            "WHERE permno = ANY(%(permnos)s) ORDER BY permno, secinfostartdt"
        ),
        delist_sql=None,
    ),
}


def get_layout(name: str) -> CrspLayout:
    """The layout called ``name``; UsageError listing the supported ones otherwise."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise UsageError(
            f"unknown CRSP layout {name!r}; supported: {', '.join(sorted(LAYOUTS))}"
        ) from None


@dataclass
class CrspBars:
    """One permno's converted rows and what the conversion had to flag."""

    frame: pd.DataFrame
    """open high low close volume (split-adjusted), ret, cfacpr; DatetimeIndex ``date``."""
    midpoint_dates: list[str] = field(default_factory=list)
    repaired_dates: list[str] = field(default_factory=list)
    no_price_dates: list[str] = field(default_factory=list)
    delisting_date: str | None = None


def iso_dates(index: pd.Index) -> list[str]:
    """ISO date strings of a DatetimeIndex."""
    return [d.date().isoformat() for d in pd.DatetimeIndex(index)]


def positive(values: pd.Series) -> np.ndarray:
    """Absolute values, with zero and missing as NaN (CRSP writes 0 or NULL for no price)."""
    out: np.ndarray = np.abs(pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64"))
    out[~(out > 0)] = np.nan
    return out


def factor(values: pd.Series) -> np.ndarray:
    """A cumulative adjustment factor with gaps (NULL or 0) carried forward, else 1."""
    raw = pd.to_numeric(values, errors="coerce").astype("float64")
    raw[~(raw > 0)] = np.nan
    filled: np.ndarray = raw.ffill().bfill().fillna(1.0).to_numpy(dtype="float64")
    return filled


def to_ohlcv(rows: pd.DataFrame) -> CrspBars:
    """Convert one permno's raw rows (DAILY_COLUMNS, any order) to split-adjusted OHLCV."""
    rows = rows.sort_values("date", kind="stable")
    dates = pd.DatetimeIndex(pd.to_datetime(rows["date"]), name="date").as_unit("ns")
    signed = pd.to_numeric(rows["price"], errors="coerce").to_numpy(dtype="float64")
    flagged = rows["midpoint"].fillna(False).to_numpy(dtype=bool) | (signed < 0)
    price = positive(rows["price"])
    has_price = ~np.isnan(price)
    no_price = iso_dates(dates[~has_price])
    rows, dates, price = rows[has_price], dates[has_price], price[has_price]
    midpoint = flagged[has_price]
    raw_open, raw_high, raw_low = (positive(rows[c]) for c in ("open", "high", "low"))
    for raw in (raw_open, raw_high, raw_low):  # no trade: v1's askhi/bidlo are quotes, no range
        raw[midpoint] = np.nan
    opened = np.where(np.isnan(raw_open), price, raw_open)
    high = np.fmax(np.where(np.isnan(raw_high), -np.inf, raw_high), np.fmax(opened, price))
    low = np.fmin(np.where(np.isnan(raw_low), np.inf, raw_low), np.fmin(opened, price))
    repaired = (opened != raw_open) | (high != raw_high) | (low != raw_low)
    volume = pd.to_numeric(rows["volume"], errors="coerce").to_numpy(dtype="float64")
    repaired |= ~(volume >= 0)
    volume = np.where(volume >= 0, volume, 0.0)
    price_factor, share_factor = factor(rows["cfacpr"]), factor(rows["cfacshr"])
    frame = pd.DataFrame(
        {
            "open": opened / price_factor,
            "high": high / price_factor,
            "low": low / price_factor,
            "close": price / price_factor,
            "volume": volume * share_factor,
            "ret": pd.to_numeric(rows["ret"], errors="coerce").to_numpy(dtype="float64"),
            "cfacpr": price_factor,
        },
        index=dates,
    )
    delisting = rows["delisting_day"].fillna(False).to_numpy(dtype=bool)
    return CrspBars(
        frame=frame,
        midpoint_dates=iso_dates(dates[midpoint]),
        repaired_dates=iso_dates(dates[repaired]),
        no_price_dates=no_price,
        delisting_date=iso_dates(dates[delisting])[-1] if delisting.any() else None,
    )


def total_return_index(
    frame: pd.DataFrame, anchor: tuple[dt.date, float] | None = None
) -> pd.Series:
    """Total-return index of ``frame`` (close + CRSP ret), equal to ``anchor`` on its date.

    Without an anchor the index starts at the first close. A missing or sentinel return (v1
    codes below -1) falls back to the split-adjusted close-to-close change.
    """
    close = frame["close"].to_numpy(dtype="float64")
    ret = frame["ret"].to_numpy(dtype="float64")
    price_change = np.ones_like(close)
    price_change[1:] = close[1:] / close[:-1]
    gross = np.where(np.isfinite(ret) & (ret > -1.0), 1.0 + ret, price_change)
    gross[0] = 1.0
    level = np.cumprod(gross)
    if anchor is None:
        scale = close[0] if close.size else 1.0
    else:
        matches = np.flatnonzero(frame.index == pd.Timestamp(anchor[0]))
        if matches.size == 0:
            raise ValueError(f"anchor date {anchor[0]} is not in the frame")
        position = int(matches[0])
        scale = anchor[1] / level[position]
    return pd.Series(level * scale, index=frame.index, name="adj_close")
