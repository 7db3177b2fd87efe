"""Incremental refresh of the ``wrds`` cache from CRSP: one query per batch, one write per ticker.

Each cached ticker is fetched from its last cached day (that day again, to check the split
factor has not changed; if it has, CRSP re-based its history and the ticker is refetched in
full). A ticker whose sidecar says it was checked through the requested end is fresh and not
queried, so re-running after a failure resumes where it stopped. Each ticker is written
atomically, in order, so a failure leaves every later ticker exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import pandas as pd

from quant_engine.data.local_cache import CacheMeta, LocalCache, write_cache_meta
from quant_engine.data.ohlcv import CANONICAL_COLUMNS
from quant_engine.data.providers.base import merge_bars
from quant_engine.data.providers.crsp import CrspBars, to_ohlcv, total_return_index
from quant_engine.data.providers.wrds import WrdsClient
from quant_engine.errors import CacheCorruptError

__all__ = ["SOURCE", "RefreshReport", "TickerOutcome", "WrdsRefresher"]

logger = logging.getLogger("quant_engine.data")

SOURCE = "wrds"
WRITTEN = ("created", "updated", "refetched")
"""Outcome statuses that wrote new rows."""


@dataclass
class TickerOutcome:
    """What the refresh did for one ticker."""

    ticker: str
    status: str
    """created, updated, refetched, no_new_rows, fresh, not_found or no_data."""
    permno: int | None = None
    rows_added: int = 0
    first_new: str | None = None
    last_new: str | None = None
    fetched_from: str | None = None
    note: str = ""


@dataclass
class RefreshReport:
    """Every ticker's outcome and the refresh window."""

    end: dt.date
    outcomes: list[TickerOutcome] = field(default_factory=list)

    def with_status(self, *statuses: str) -> list[str]:
        """Tickers whose outcome is one of ``statuses``, in request order."""
        return [o.ticker for o in self.outcomes if o.status in statuses]

    @property
    def refreshed(self) -> list[str]:
        """Tickers that received new rows."""
        return self.with_status(*WRITTEN)

    @property
    def rows_added(self) -> int:
        """Rows written across all tickers."""
        return sum(o.rows_added for o in self.outcomes)

    @property
    def start(self) -> dt.date | None:
        """Earliest day queried (None when nothing was queried)."""
        days = [dt.date.fromisoformat(o.fetched_from) for o in self.outcomes if o.fetched_from]
        return min(days) if days else None


@dataclass
class Plan:
    """One ticker to fetch: its permno, first day to query and what is cached."""

    ticker: str
    permno: int
    start: dt.date
    cached: pd.DataFrame | None = None
    meta: CacheMeta | None = None
    note: str = ""


def date_list(old: Any, new: list[str], after: str | None) -> list[str]:
    """Sorted union of a sidecar's date list and the new dates after ``after``."""
    kept = [str(d) for d in old] if isinstance(old, list) else []
    return sorted(set(kept) | {d for d in new if after is None or d > after})


@dataclass(frozen=True, eq=False)
class WrdsRefresher:
    """Refreshes tickers of the ``wrds`` cache through a :class:`WrdsClient`."""

    client: WrdsClient
    cache: LocalCache
    _: KW_ONLY
    end: dt.date
    default_start: dt.date
    full: bool = False
    on_ticker: Callable[[TickerOutcome], None] | None = None

    @property
    def layout(self) -> str:
        """The name of the CRSP layout the client queries, recorded with every refresh."""
        return self.client.layout.name

    def run(self, tickers: Sequence[str], batch_size: int) -> RefreshReport:
        """Refresh ``tickers`` in batches of ``batch_size``; return every outcome."""
        report = RefreshReport(end=self.end)
        pending = []
        for ticker in tickers:
            meta = self.cached_meta(ticker)
            if meta is not None and not self.full and self.is_fresh(meta):
                self.record(report, TickerOutcome(ticker, "fresh", meta.extra.get("permno")))
            else:
                pending.append(ticker)
        for offset in range(0, len(pending), batch_size):
            self.refresh_batch(pending[offset : offset + batch_size], report)
        return report

    def record(self, report: RefreshReport, outcome: TickerOutcome) -> None:
        report.outcomes.append(outcome)
        if self.on_ticker is not None:
            self.on_ticker(outcome)

    def cached_meta(self, ticker: str) -> CacheMeta | None:
        if not self.cache.has(SOURCE, ticker):
            return None
        try:
            return self.cache.read_meta(SOURCE, ticker)
        except CacheCorruptError as exc:
            logger.warning("%s; it will be refetched", exc)
            return None

    def is_fresh(self, meta: CacheMeta) -> bool:
        """Checked through this refresh's end with the same layout."""
        checked = str(meta.extra.get("checked_through", ""))
        return meta.extra.get("crsp_layout") == self.layout and checked >= self.end.isoformat()

    def plan(self, ticker: str, permno: int) -> Plan:
        """Where to start: the last cached day (incremental) or the default start (full)."""
        if self.full or not self.cache.has(SOURCE, ticker):
            return Plan(ticker, permno, self.default_start)
        try:
            frame, meta = self.cache.read(SOURCE, ticker)
        except CacheCorruptError as exc:
            logger.warning("%s; refetching %s in full", exc, ticker)
            return Plan(ticker, permno, self.default_start, note="cache was corrupt; refetched")
        first = min(self.default_start, frame.index[0].date())
        if meta.extra.get("crsp_layout") != self.layout:
            return Plan(ticker, permno, first, note="cached from another layout; refetched")
        if meta.extra.get("permno") != permno:
            note = f"now permno {permno} (was {meta.extra.get('permno')}); refetched"
            logger.warning("%s: %s", ticker, note)
            return Plan(ticker, permno, first, note=note)
        return Plan(ticker, permno, frame.index[-1].date(), cached=frame, meta=meta)

    def refresh_batch(self, tickers: list[str], report: RefreshReport) -> None:
        """Resolve, query and write one batch (one daily-rows query, plus one for refetches)."""
        resolved = self.client.resolve(tickers)
        plans = [self.plan(t, resolved[t]) for t in tickers if t in resolved]
        permnos = sorted({p.permno for p in plans})
        history = self.client.ticker_history(permnos) if permnos else {}
        delistings = self.client.delistings(permnos)
        refetch: list[Plan] = []
        for ticker in tickers:
            if ticker not in resolved:
                self.record(report, TickerOutcome(ticker, "not_found", note="not in CRSP"))
        for plan, raw in self.fetch(plans):
            outcome = self.apply(plan, raw, history, delistings)
            if outcome is None:
                first = min(self.default_start, pd.Timestamp(plan.start).date())
                if plan.cached is not None:
                    first = min(first, plan.cached.index[0].date())
                refetch.append(Plan(plan.ticker, plan.permno, first, note=plan.note))
            else:
                self.record(report, outcome)
        for plan, raw in self.fetch(refetch):
            outcome = self.apply(plan, raw, history, delistings)
            if outcome is not None:
                self.record(report, outcome)

    def fetch(self, plans: list[Plan]) -> list[tuple[Plan, pd.DataFrame]]:
        """One query for all ``plans``; each plan's rows from its own start."""
        if not plans:
            return []
        starts: dict[int, dt.date] = {}
        for plan in plans:
            starts[plan.permno] = min(plan.start, starts.get(plan.permno, plan.start))
        rows = self.client.daily_rows(starts, self.end)
        rows["date"] = pd.to_datetime(rows["date"])
        groups = {int(str(p)): g for p, g in rows.groupby("permno", sort=False)}
        selected = []
        for plan in plans:
            group = groups.get(plan.permno, rows.iloc[0:0])
            selected.append((plan, group[group["date"] >= pd.Timestamp(plan.start)]))
        return selected

    def apply(
        self,
        plan: Plan,
        raw: pd.DataFrame,
        history: dict[int, list[dict[str, str]]],
        delistings: dict[int, dict[str, Any]],
    ) -> TickerOutcome | None:
        """Write one ticker's new rows; None when its split factor changed (refetch needed)."""
        bars = to_ohlcv(raw)
        frame = bars.frame
        outcome = TickerOutcome(
            plan.ticker, "created", plan.permno, fetched_from=plan.start.isoformat(), note=plan.note
        )
        extras: dict[str, Any] = {
            "provider": "wrds",
            "crsp_layout": self.layout,
            "permno": plan.permno,
            "ticker_history": history.get(plan.permno, []),
            "checked_through": self.end.isoformat(),
            "delisting": delistings.get(plan.permno) or self.row_delisting(bars),
        }
        old = plan.meta.extra if plan.meta is not None else {}
        last: str | None = None
        if plan.cached is not None:
            last = plan.cached.index[-1].date().isoformat()
            overlap = frame.index == pd.Timestamp(last)
            factor = old.get("cfacpr_last")
            if not overlap.any() or not math.isclose(
                float(frame["cfacpr"].to_numpy()[overlap][0]),
                float(factor or math.nan),
                rel_tol=1e-9,
            ):
                plan.note = f"adjustment factor changed after {last}; refetched in full"
                logger.info("%s: %s", plan.ticker, plan.note)
                return None
            extras["delisting"] = extras["delisting"] or old.get("delisting")
            new = frame[frame.index > pd.Timestamp(last)]
            if new.empty:
                self.touch(plan, {**old, **extras, "rows_added": 0})
                outcome.status = "no_new_rows"
                return outcome
            anchor_column = "adj_close" if "adj_close" in plan.cached else "close"
            anchor = (pd.Timestamp(last).date(), float(plan.cached[anchor_column].iloc[-1]))
            adj = total_return_index(frame, anchor)
            new = new.assign(adj_close=adj[new.index])
            merged = merge_bars(plan.cached, new[list(CANONICAL_COLUMNS)])
            outcome.status = "updated"
        elif frame.empty:
            outcome.status = "no_data"
            outcome.note = outcome.note or f"no CRSP rows from {plan.start} to {self.end}"
            return outcome
        else:
            new = frame.assign(adj_close=total_return_index(frame))
            merged = new[list(CANONICAL_COLUMNS)]
            outcome.status = "refetched" if plan.note else "created"
        extras.update(
            cfacpr_last=float(frame["cfacpr"].iloc[-1]),
            midpoint_dates=date_list(old.get("midpoint_dates"), bars.midpoint_dates, last),
            repaired_dates=date_list(old.get("repaired_dates"), bars.repaired_dates, last),
            no_price_dates=date_list(old.get("no_price_dates"), bars.no_price_dates, last),
            rows_added=len(new),
        )
        self.cache.write(SOURCE, plan.ticker, merged, meta=extras)
        outcome.rows_added = len(new)
        outcome.first_new = new.index[0].date().isoformat()
        outcome.last_new = new.index[-1].date().isoformat()
        return outcome

    @staticmethod
    def row_delisting(bars: CrspBars) -> dict[str, Any] | None:
        """A delisting flagged in the rows themselves (dsf_v2), else None."""
        return {"date": bars.delisting_date} if bars.delisting_date else None

    def touch(self, plan: Plan, extras: dict[str, Any]) -> None:
        """Record the new ``checked_through`` without rewriting the unchanged data file."""
        assert plan.cached is not None
        path = self.cache.path_for(SOURCE, plan.ticker)
        write_cache_meta(path, ticker=plan.ticker, df=plan.cached, source=SOURCE, meta=extras)
