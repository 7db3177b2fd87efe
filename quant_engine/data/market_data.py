"""MarketData: the loaded universe (per-ticker OHLCV frames) with provenance for manifests."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd


@dataclass(frozen=True)
class InputRecord:
    """Provenance of one ticker's data as loaded: where from, how much, and its content hash."""

    ticker: str
    source: str
    path: str
    rows: int
    first: str
    last: str
    sha256: str


@dataclass(frozen=True)
class MarketData:
    """Daily OHLCV for a set of tickers, each frame normalised (see ``normalize_ohlcv_columns``).

    ``bars[ticker]`` has a sorted ``DatetimeIndex`` named ``date`` and lower-case columns
    ``open high low close volume`` (+ ``adj_close`` when present). ``events``, when cached, holds
    market-wide event features (Kalshi) indexed by session; the ``full`` feature mode uses them.
    """

    bars: Mapping[str, pd.DataFrame]
    source: str
    inputs: tuple[InputRecord, ...] = field(default=())
    events: pd.DataFrame | None = field(default=None, compare=False)
    delisting_returns: Mapping[str, float] = field(default_factory=dict, compare=False)
    """Delisting return per ticker where the source records one (CRSP ``dlret``)."""
    dropped: tuple[str, ...] = field(default=())
    """Requested tickers with no rows in the window (not loaded), in request order."""

    @property
    def tickers(self) -> tuple[str, ...]:
        """Tickers in load order."""
        return tuple(self.bars)

    @cached_property
    def sessions(self) -> pd.DatetimeIndex:
        """Union of every ticker's dates, sorted."""
        index = pd.DatetimeIndex([], name="date")
        for frame in self.bars.values():
            index = index.union(pd.DatetimeIndex(frame.index))
        return index.rename("date")

    @property
    def start(self) -> pd.Timestamp:
        """First date in the data."""
        return self.sessions[0]

    @property
    def end(self) -> pd.Timestamp:
        """Last date in the data."""
        return self.sessions[-1]

    @property
    def rows(self) -> int:
        """Total ticker-days loaded."""
        return sum(len(frame) for frame in self.bars.values())

    def field(self, name: str) -> pd.DataFrame:
        """One column as a wide frame, dates x tickers, NaN where a ticker has no bar."""
        columns = {ticker: frame[name] for ticker, frame in self.bars.items()}
        wide = pd.DataFrame(columns, index=self.sessions)
        wide.columns.name = "ticker"
        return wide

    @cached_property
    def digest(self) -> str:
        """sha256 over every input's content hash, in ticker order: identical data, same digest."""
        h = hashlib.sha256()
        for record in sorted(self.inputs, key=lambda r: r.ticker):
            h.update(f"{record.source}:{record.ticker}:{record.sha256}\n".encode())
        return h.hexdigest()
