"""Event features from Kalshi prices, one row per NYSE session, with no look-ahead.

At each session we take every market's last candle that ended at or before that session's close
(16:00 New York, 13:00 on early closes). A market's implied probability is the bid/ask mid
(the last trade when quotes are missing). For each event the markets form a distribution:

- mutually exclusive buckets (``between`` with open-ended ``less``/``greater`` tails, e.g. CPI
  or Fed-rate ranges): probabilities renormalised to sum to one;
- threshold ladders (``greater`` strikes, "above 3.0%", "above 3.1%" ...): differenced into
  buckets after forcing the survival curve to be non-increasing;
- a single binary market: its probability.

Per session the series' next unresolved event gives ``ev`` (distribution-implied expected value),
``sd``, ``top_prob``, ``ev_change_<k>s`` (change over k sessions, same event) and
``sessions_to_event``; columns are prefixed ``kalshi_<series>_``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from quant_engine import config
from quant_engine.data.calendar import early_closes, nyse_sessions
from quant_engine.data.events import EVENT_COLUMN_PREFIX

__all__ = [
    "distribution",
    "event_table",
    "implied_probability",
    "series_features",
    "session_closes",
    "snapshot_at_closes",
]

NEW_YORK = "America/New_York"
UPPER = ("greater", "greater_or_equal")
LOWER = ("less", "less_or_equal")
FEATURES = ("ev", "sd", "top_prob", "ev_change", "sessions_to_event")


def session_closes(start: object, end: object) -> pd.Series:
    """UTC close time of every NYSE session in ``[start, end]``, indexed by session date."""
    sessions = nyse_sessions(start, end)  # type: ignore[arg-type]
    early = sessions.isin(early_closes(start, end))  # type: ignore[arg-type]
    hours = np.where(early, 13, 16)
    local = (sessions + pd.to_timedelta(hours, unit="h")).tz_localize(NEW_YORK)
    return pd.Series(local.tz_convert("UTC").as_unit("ns"), index=sessions, name="close_utc")


def implied_probability(candles: pd.DataFrame) -> pd.Series:
    """Bid/ask mid where both quotes exist and are ordered, else the last price; in [0, 1]."""
    bid, ask, price = candles["bid"], candles["ask"], candles["price"]
    mid = (bid + ask) / 2
    usable = bid.notna() & ask.notna() & (ask >= bid)
    return mid.where(usable, price).clip(0.0, 1.0).rename("prob")


def snapshot_at_closes(candles: pd.DataFrame, closes: pd.Series) -> pd.DataFrame:
    """``date, ticker, prob``: each market's last probability at or before each session close."""
    frame = candles.assign(
        prob=implied_probability(candles),
        end_ts=pd.to_datetime(candles["end_ts"], utc=True).dt.as_unit("ns"),
    ).dropna(subset=["prob"])
    frame = frame.sort_values("end_ts", kind="stable")
    close_utc = pd.to_datetime(closes, utc=True).dt.as_unit("ns")
    grid = pd.DataFrame({"date": closes.index, "close_utc": close_utc.to_numpy()})
    parts = []
    for ticker, rows in frame.groupby("ticker", sort=True):
        joined = pd.merge_asof(
            grid, rows[["end_ts", "prob"]], left_on="close_utc", right_on="end_ts"
        )
        parts.append(joined.assign(ticker=ticker).dropna(subset=["prob"]))
    if not parts:
        return pd.DataFrame({"date": [], "ticker": [], "prob": []})
    return pd.concat(parts, ignore_index=True)[["date", "ticker", "prob"]]


def bucket_width(markets: pd.DataFrame) -> float:
    """Typical bucket width (median of ``between`` widths, else of strike spacing), 0 if none."""
    between = markets[markets["strike_type"] == "between"]
    widths = (between["cap_strike"] - between["floor_strike"]).dropna()
    if widths.empty:
        values = markets[["floor_strike", "cap_strike"]].to_numpy(dtype="float64").ravel()
        strikes = np.unique(values[~np.isnan(values)])
        widths = pd.Series(np.diff(strikes))
    return float(widths.median()) if len(widths) else 0.0


def summary(values: np.ndarray, probs: np.ndarray) -> tuple[float, float, float]:
    """(mean, standard deviation, largest probability) of a discrete distribution."""
    total = probs.sum()
    if not total > 0:
        return math.nan, math.nan, math.nan
    p = probs / total
    mean = float((p * values).sum())
    return mean, float(math.sqrt(max(float((p * (values - mean) ** 2).sum()), 0.0))), float(p.max())


def distribution(markets: pd.DataFrame, mutually_exclusive: bool) -> tuple[float, float, float]:
    """(expected value, sd, top probability) implied by one event's markets (with ``prob``)."""
    if len(markets) == 1:
        p = float(markets["prob"].iloc[0])
        return p, math.sqrt(p * (1 - p)), p
    kinds = set(markets["strike_type"].dropna())
    width = bucket_width(markets)
    if mutually_exclusive or "between" in kinds:
        floor, cap = markets["floor_strike"], markets["cap_strike"]
        values = np.select(
            [markets["strike_type"] == "between", markets["strike_type"].isin(LOWER)],
            [(floor + cap) / 2, cap - width / 2],
            floor + width / 2,
        )
        return summary(values.astype("float64"), markets["prob"].to_numpy(dtype="float64"))
    if kinds <= set(UPPER) or kinds <= set(LOWER):
        column = "floor_strike" if kinds <= set(UPPER) else "cap_strike"
        ladder = markets.sort_values(column)
        strikes = ladder[column].to_numpy(dtype="float64")
        prob = ladder["prob"].to_numpy(dtype="float64")
        above = (
            np.minimum.accumulate(prob) if kinds <= set(UPPER) else 1 - np.maximum.accumulate(prob)
        )
        edges = np.concatenate([[1.0], above, [0.0]])
        mids = (strikes[1:] + strikes[:-1]) / 2
        values = np.concatenate([[strikes[0] - width / 2], mids, [strikes[-1] + width / 2]])
        return summary(values, np.clip(edges[:-1] - edges[1:], 0.0, 1.0))
    return math.nan, math.nan, float(markets["prob"].max())


def event_table(
    snapshots: pd.DataFrame, markets: pd.DataFrame, events: pd.DataFrame
) -> pd.DataFrame:
    """``date, event_ticker, ev, sd, top_prob`` for every session an event had prices."""
    joined = snapshots.merge(markets, on="ticker", how="inner")
    exclusive = events.set_index("event_ticker")["mutually_exclusive"].to_dict()
    rows = []
    for (day, event), group in joined.groupby(["date", "event_ticker"], sort=True):
        ev, sd, top = distribution(group, bool(exclusive.get(event, False)))
        rows.append((day, event, ev, sd, top))
    return pd.DataFrame(rows, columns=["date", "event_ticker", "ev", "sd", "top_prob"])


def series_features(
    series: str,
    events: pd.DataFrame,
    markets: pd.DataFrame,
    candles: pd.DataFrame,
    sessions: pd.DatetimeIndex,
    *,
    change_sessions: int = config.KALSHI_CHANGE_SESSIONS,
) -> pd.DataFrame:
    """Session-indexed features of the series' next unresolved event (NaN where none)."""
    days = pd.DatetimeIndex(sessions)
    prefix = f"{EVENT_COLUMN_PREFIX}{series.lower()}_"
    names = [f"{prefix}{n}" for n in FEATURES]
    names[3] = f"{prefix}ev_change_{change_sessions}s"
    out = pd.DataFrame(np.nan, index=days.rename("date"), columns=names)
    if days.empty or candles.empty or markets.empty:
        return out
    closes = session_closes(days[0], days[-1]).reindex(days)
    table = event_table(snapshot_at_closes(candles, closes), markets, events)
    if table.empty:
        return out
    table = table.sort_values(["event_ticker", "date"], kind="stable")
    table["ev_change"] = table.groupby("event_ticker")["ev"].diff(change_sessions)
    resolves = markets.groupby("event_ticker")["close_time"].max()
    table["resolves"] = table["event_ticker"].map(resolves)
    table["close_utc"] = table["date"].map(closes)
    live = table[table["resolves"] > table["close_utc"]]
    nearest = live.sort_values(["date", "resolves"], kind="stable").groupby("date").head(1)
    if nearest.empty:
        return out
    sessions_all = nyse_sessions(days[0], max(nearest["resolves"].max(), closes.iloc[-1]))
    resolve_day = nearest["resolves"].dt.tz_convert(NEW_YORK).dt.tz_localize(None).dt.normalize()
    nearest = nearest.assign(
        sessions_to_event=sessions_all.searchsorted(resolve_day.to_numpy(), side="right")
        - sessions_all.searchsorted(nearest["date"].to_numpy(), side="right")
    ).set_index("date")
    for name, column in zip(FEATURES, names, strict=True):
        out.loc[nearest.index, column] = nearest[name].to_numpy(dtype="float64")
    return out
