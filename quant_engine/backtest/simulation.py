"""Portfolio simulation on [days, tickers] arrays: target books, rebalancing, drift, costs.

Target books are vectorised: one in-place ``partition`` (top_k) or ``sort`` (long_short) along
the ticker axis, over blocks of rows small enough to stay in CPU cache, for the rebalance
signal days only. Holding is one NumPy pass per holding period (no loop over days): weights
drift with returns between rebalances, and turnover is measured against the drifted book.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from quant_engine import config
from quant_engine.errors import UsageError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

BLOCK_BYTES = 1 << 20
"""Size of one float64 block of rows: temporaries stay in cache, call overhead is amortised."""
_ROUNDING_SLACK = 1e-9
"""Added before flooring ``quantile * names`` so that 0.29 * 100 counts as 29, not 28."""


@dataclass(frozen=True)
class TargetBook:
    """Targets decided at each signal day: ``weight[t, n] = signs[t, n] * unit[t]``.

    ``signs`` is bool (long-only) or int8 in {-1, 0, 1}; ``count[t]`` is the names held.
    """

    signs: BoolArray | npt.NDArray[np.int8]
    unit: FloatArray
    count: IntArray


@dataclass(frozen=True)
class SimulationOutput:
    """Per-day results; ``weights[t]`` is the book held over day t's close-to-close return.

    ``turnover[t]``/``trades[t]``/``costs[t]`` belong to the trades executed at day t's close;
    ``exposure[t]`` is the gross exposure ``sum |weights[t]|`` (1.0 invested, 0.0 in cash).
    """

    weights: FloatArray
    gross: FloatArray
    costs: FloatArray
    net: FloatArray
    turnover: FloatArray
    trades: IntArray
    exposure: FloatArray


def finite_scores(scores: FloatArray) -> FloatArray:
    """``scores`` itself when it has no ±inf, else a copy with ±inf set to NaN (not tradable).

    NaN is then the only marker of a name without a score: every comparison with it is False.
    """
    if np.isinf(scores).any():
        return np.where(np.isinf(scores), np.nan, scores)
    return scores


def _keep_first(mask: BoolArray, need: IntArray) -> BoolArray:
    """Per row, the first ``need[row]`` True entries of ``mask`` in column order."""
    result: BoolArray = mask & (np.cumsum(mask, axis=1) <= need[:, None])
    return result


def _keep_last(mask: BoolArray, need: IntArray) -> BoolArray:
    """Per row, the last ``need[row]`` True entries of ``mask`` in column order."""
    return _keep_first(mask[:, ::-1], need)[:, ::-1]


def top_k_book(scores: FloatArray, top_k: int, entry_threshold: float) -> TargetBook:
    """Long-only, equal weight over the ``top_k`` highest scores above ``entry_threshold``.

    Ties at the k-th score go to the earlier column.
    """
    clean = finite_scores(scores)
    days, names = clean.shape
    selected = clean > entry_threshold
    if top_k < names:
        ranked = np.fmax(clean, -np.inf)  # NaN would rank as largest: make it smallest
        ranked.partition(names - top_k, axis=1)
        kth = ranked[:, names - top_k, None]
        del ranked
        selected &= clean >= kth
        tied = np.flatnonzero(np.count_nonzero(selected, axis=1) > top_k)
        if tied.size:  # rare for continuous scores: settle ties by column order
            rows, cut = clean[tied], kth[tied]
            strictly = rows > cut
            need = top_k - np.count_nonzero(strictly, axis=1)
            selected[tied] = strictly | _keep_first(rows == cut, need)
    count = np.count_nonzero(selected, axis=1).astype(np.int64)
    unit = np.divide(1.0, count, out=np.zeros(days), where=count > 0)
    return TargetBook(signs=selected, unit=unit, count=count)


def long_short_book(scores: FloatArray, quantile: float) -> TargetBook:
    """Long the top ``quantile`` of valid scores and short the bottom, 0.5 gross per side.

    Names are ranked by score, ties by column order (earlier column ranks higher); each side
    holds ``max(1, floor(quantile * valid))`` names, at most ``valid // 2``.
    """
    clean = finite_scores(scores)
    days, names = clean.shape
    n_valid = names - np.count_nonzero(np.isnan(clean), axis=1)
    per_side = np.floor(quantile * n_valid + _ROUNDING_SLACK).astype(np.int64)
    per_side = np.minimum(np.maximum(per_side, 1), n_valid // 2)
    held = per_side > 0
    ordered = np.sort(clean, axis=1)  # ascending, NaN last: valid names fill [0, n_valid)
    rows = np.arange(days)
    high = np.where(held, ordered[rows, np.minimum(n_valid - per_side, names - 1)], np.inf)[:, None]
    low = np.where(held, ordered[rows, np.maximum(per_side - 1, 0)], -np.inf)[:, None]
    del ordered
    longs = clean >= high
    shorts = clean <= low
    for side, cut, top in ((longs, high, True), (shorts, low, False)):
        tied = np.flatnonzero(np.count_nonzero(side, axis=1) > per_side)
        if tied.size:  # rare for continuous scores: settle ties by column order
            sub, sub_cut = clean[tied], cut[tied]
            strictly = (sub > sub_cut) if top else (sub < sub_cut)
            need = per_side[tied] - np.count_nonzero(strictly, axis=1)
            keep = _keep_first if top else _keep_last
            side[tied] = strictly | keep(sub == sub_cut, need)
    signs = longs.view(np.int8) - shorts.view(np.int8)
    unit = np.divide(0.5, per_side, out=np.zeros(days), where=held)
    return TargetBook(signs=signs, unit=unit, count=2 * per_side)


def block_rows(names: int) -> int:
    """Rows per block for ``names`` columns (at least 16)."""
    return max(16, BLOCK_BYTES // (8 * max(names, 1)))


def build_book(
    scores: FloatArray, *, rule: str, top_k: int, quantile: float, entry_threshold: float
) -> TargetBook:
    """The target book of every signal day, computed block by block."""
    days, names = scores.shape
    kind = np.bool_ if rule == "top_k" else np.int8
    signs: BoolArray | npt.NDArray[np.int8] = np.zeros((days, names), dtype=kind)
    unit, count = np.zeros(days), np.zeros(days, dtype=np.int64)
    step = block_rows(names)
    for start in range(0, days, step):
        rows = slice(start, start + step)
        if rule == "top_k":
            part = top_k_book(scores[rows], top_k, entry_threshold)
        else:
            part = long_short_book(scores[rows], quantile)
        signs[rows], unit[rows], count[rows] = part.signs, part.unit, part.count
    return TargetBook(signs=signs, unit=unit, count=count)


def earned_returns(returns: FloatArray) -> FloatArray:
    """``returns`` with NaN as 0 (a missing return earns nothing); ±inf is a ValueError."""
    if np.isinf(returns).any():
        raise ValueError("returns contain ±inf: check for zero or missing-as-zero prices")
    earned: FloatArray = np.where(np.isnan(returns), 0.0, returns)
    return earned


def _ranked_first(mask: BoolArray, key: FloatArray, need: int) -> BoolArray:
    """The ``need`` entries of ``mask`` with the highest ``key`` (ties: earlier column first)."""
    chosen = np.zeros(mask.shape, dtype=np.bool_)
    if need > 0:
        candidates = np.flatnonzero(mask)
        order = np.lexsort((candidates, -key[candidates]))
        chosen[candidates[order[:need]]] = True
    return chosen


def limit_drops(
    held: npt.NDArray[np.int8], wanted: npt.NDArray[np.int8], scores: FloatArray, max_drops: int
) -> npt.NDArray[np.int8]:
    """``wanted`` signs with at most ``max_drops`` names leaving each side of ``held``.

    Past the limit, the best-scored dropped names (highest for longs, lowest for shorts) are
    kept and as many of the worst-scored newcomers of that side stay out, so the side keeps its
    size when it can. A name without a finite score (no price) cannot be kept: it always exits.
    """
    signs = wanted.copy()
    for side in (1, -1):
        was, want = held == side, wanted == side
        dropped = was & ~want
        excess = int(np.count_nonzero(dropped)) - max_drops
        if excess <= 0:
            continue
        key = side * np.where(np.isfinite(scores), scores, 0.0)
        keepable = dropped & np.isfinite(scores) & (wanted == 0)
        kept = _ranked_first(keepable, key, excess)
        newcomers = want & ~was
        # worst newcomers: lowest key, ties to the later column
        evicted = _ranked_first(newcomers[::-1], -key[::-1], int(np.count_nonzero(kept)))[::-1]
        signs[kept] = side
        signs[evicted] = 0
    return signs


def signed_weights(signs: npt.NDArray[np.int8], long_only: bool) -> FloatArray:
    """Equal weights from signs: 1/n over longs (top_k), or 0.5/n per side (long_short)."""
    weights = np.zeros(signs.shape)
    gross = 1.0 if long_only else 0.5
    for side in (1, -1):
        on = signs == side
        count = int(np.count_nonzero(on))
        if count:
            weights[on] = side * (gross / count)
    return weights


def trade(
    book: TargetBook, scores: FloatArray, returns: FloatArray, cfg: BacktestConfig
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """Weights held over each day, gross returns, turnover and trades of a drifting book.

    Row ``k`` of ``book`` is the target of signal day ``k * every``; it is traded at the close
    of day ``k * every + lag`` and held until the next rebalance, its weights drifting with
    the names' returns (value ``w * prod(1 + r)`` over the portfolio's value, cash and short
    proceeds included). Turnover is ``sum |target - drifted|`` at each trade.
    """
    days, names = returns.shape
    every, lag = int(cfg.rebalance_every), int(cfg.execution_lag)
    earned_returns(returns[: lag + 1])  # validates the days before the first position
    weights = np.zeros((days, names))
    gross = np.zeros(days)
    turnover = np.zeros(days)
    trades = np.zeros(days, dtype=np.int64)
    drifted = np.zeros(names)
    previous = np.zeros(names)
    long_only = cfg.rule == "top_k"
    for k, trade_day in enumerate(range(lag, days, every)):
        signal = trade_day - lag
        if cfg.max_drops is None:
            target = np.multiply(book.signs[k], book.unit[k], dtype=np.float64)
        else:
            held = np.sign(previous).astype(np.int8)
            signs = limit_drops(held, book.signs[k].view(np.int8), scores[signal], cfg.max_drops)
            target = signed_weights(signs, long_only)
        turnover[trade_day] = np.abs(target - drifted).sum()
        trades[trade_day] = np.count_nonzero(target != previous)
        previous = target
        first, stop = trade_day + 1, min(trade_day + every, days - 1) + 1
        if first >= stop:
            break
        earned = earned_returns(returns[first:stop])
        held_weights = weights[first:stop]
        held_weights[0] = target
        cash = 1.0 - float(target.sum())  # cash and short proceeds, constant until the next trade
        value = target * (1.0 + earned[0])
        for row in range(1, stop - first):  # value of each position, drifting day by day
            nav = cash + float(value.sum())
            if nav > 0.0:
                np.divide(value, nav, out=held_weights[row])
            value *= 1.0 + earned[row]
        nav = cash + float(value.sum())
        drifted = value / nav if nav > 0.0 else np.zeros(names)
        gross[first:stop] = np.einsum("ij,ij->i", held_weights, earned)
    return weights, gross, turnover, trades


class BacktestInputError(UsageError, ValueError):
    """Inputs the caller must fix: misaligned frames, an unknown rule, a lag below 1, ..."""


@dataclass(frozen=True)
class BacktestConfig:
    """How scores become positions and what trading costs; defaults from quant_engine.config.

    Checked when built, so a simulation never starts with a setting it cannot use.
    """

    rule: str = config.DEFAULT_PORTFOLIO_RULE
    top_k: int = config.TOP_K
    quantile: float = config.LONG_SHORT_QUANTILE
    entry_threshold: float = config.ENTRY_THRESHOLD
    cost_bps: float = config.COST_BPS
    slippage_bps: float = config.SLIPPAGE_BPS
    execution_lag: int = config.EXECUTION_LAG_BARS
    rebalance_every: int = config.REBALANCE_EVERY_BARS
    max_drops: int | None = config.MAX_DROPS

    def __post_init__(self) -> None:
        try:
            self.check()
        except ValueError as exc:
            raise BacktestInputError(f"backtest config: {exc}") from None

    def check(self) -> None:
        """Raise ValueError naming the first setting a simulation cannot use."""
        if self.rule not in config.PORTFOLIO_RULES:
            expected = config.PORTFOLIO_RULES
            raise ValueError(f"rule={self.rule!r} is unknown: expected one of {expected}")
        counts: tuple[tuple[str, object], ...] = (
            ("top_k", self.top_k),
            ("execution_lag", self.execution_lag),
            ("rebalance_every", self.rebalance_every),
        )
        for name, value in counts:  # callers may pass anything (API, YAML): check the runtime type
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name}={value!r} must be an integer >= 1")
        drops: object = self.max_drops  # runtime type unknown (API, YAML)
        if drops is not None and (
            isinstance(drops, bool) or not isinstance(drops, int | np.integer) or drops < 0
        ):
            raise ValueError(f"max_drops={drops!r} must be an integer >= 0 (or None: no limit)")
        if not 0.0 < self.quantile <= 0.5:
            raise ValueError(f"quantile={self.quantile!r} must be in (0, 0.5]")
        if math.isnan(self.entry_threshold):
            raise ValueError("entry_threshold must be a number, not NaN")
        for name, bps in (("cost_bps", self.cost_bps), ("slippage_bps", self.slippage_bps)):
            if not (math.isfinite(bps) and bps >= 0.0):
                raise ValueError(f"{name}={bps!r} must be a finite number >= 0")

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain values, for reports and run manifests."""
        return asdict(self)


def simulate(
    scores: npt.ArrayLike, returns: npt.ArrayLike, cfg: BacktestConfig
) -> SimulationOutput:
    """Simulate the book: scores of a rebalance day t set the target traded at t+lag's close.

    Rebalances happen on signal days 0, every, 2*every, ... (``cfg.rebalance_every``); between
    them the weights drift with returns. ``returns[t] = close[t] / close[t-1] - 1``; a NaN
    return earns 0. Trades executed at day t's close pay
    ``(cost_bps + slippage_bps) / 1e4 * turnover[t]`` out of day t's return, with turnover
    ``sum |target - drifted weights|``.
    """
    score_arr = np.asarray(scores, dtype=np.float64)
    return_arr = np.asarray(returns, dtype=np.float64)
    if score_arr.ndim != 2 or score_arr.shape != return_arr.shape:
        raise ValueError(
            f"scores {score_arr.shape} and returns {return_arr.shape} must be 2-D, same shape"
        )
    if score_arr.shape[1] == 0:
        raise ValueError("scores and returns have no tickers (no columns)")
    days = score_arr.shape[0]
    signal_rows = np.arange(0, max(days - int(cfg.execution_lag), 0), int(cfg.rebalance_every))
    book = build_book(
        score_arr[signal_rows],
        rule=cfg.rule,
        top_k=int(cfg.top_k),
        quantile=float(cfg.quantile),
        entry_threshold=float(cfg.entry_threshold),
    )
    # Day t holds the book traded at day t-1's close, which is the signal of day t-1-lag.
    weights, gross, turnover, trades = trade(book, finite_scores(score_arr), return_arr, cfg)
    exposure = np.abs(weights).sum(axis=1)
    costs = (cfg.cost_bps + cfg.slippage_bps) / 1e4 * turnover
    return SimulationOutput(
        weights=weights,
        gross=gross,
        costs=costs,
        net=gross - costs,
        turnover=turnover,
        trades=trades,
        exposure=exposure,
    )
