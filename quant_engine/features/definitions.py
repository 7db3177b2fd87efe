"""Feature definitions on wide (dates x tickers) frames, grouped so each mode is a list of groups.

Every feature at day t is built from bars up to and including t: only backward-looking
operations (``diff``, ``shift`` forward in time, trailing ``rolling``, same-day ranks and
same-day cross-sectional means). Closes are forward-filled (a causal fill) so a ticker's
return after a gap is the move since its last bar; outputs are masked to days with a bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from quant_engine import config

Frames = dict[str, pd.DataFrame]

RETURN_WINDOWS_SHORT: tuple[int, ...] = (1, 5, 21, 63)
RETURN_WINDOWS_LONG: tuple[int, ...] = (126, 252)
MOMENTUM_SKIP_SHORT = 5
"""Short momentum skips the last week, which is dominated by short-term reversal."""
MOMENTUM_SKIP_LONG = 21
"""Long (6-12 month) momentum skips the last month, the classic 12-1 construction."""
VOL_WINDOWS_SHORT: tuple[int, ...] = (21, 63)
VOLUME_WINDOW = 63
MEAN_REVERSION_WINDOW = 21
RANKED_FEATURES: tuple[str, ...] = ("ret_5d", "ret_21d", "ret_63d", "vol_21d", "volz_63d")
"""Features also given as a same-day cross-sectional percentile rank (``xrank_<name>``)."""
EXCESS_WINDOWS: tuple[int, ...] = (1, 21, 63)
BETA_WINDOWS: tuple[int, ...] = (63, 252)
MIN_PERIODS_FRACTION = 0.8
"""Rolling statistics need this share of the window present (tolerates a few missing bars)."""


def min_periods(window: int) -> int:
    """Observations a trailing window of ``window`` days needs before it yields a value."""
    return max(2, math.ceil(MIN_PERIODS_FRACTION * window))


@dataclass(frozen=True)
class Panel:
    """The wide inputs every feature group reads: closes, volumes, and which bars exist."""

    close: pd.DataFrame
    volume: pd.DataFrame
    market_proxy: str = config.MARKET_PROXY
    computed: dict[Hashable, pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    """Windowed frames already computed: a feature two groups share is computed once."""

    def remembered(self, key: Hashable, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame computed for ``key``, computing it on first use."""
        if key not in self.computed:
            self.computed[key] = compute()
        return self.computed[key]

    @cached_property
    def present(self) -> pd.DataFrame:
        """True where the ticker has a bar that day."""
        return self.close.notna()

    @cached_property
    def filled_close(self) -> pd.DataFrame:
        """The close carried forward over days without a bar (a fill that uses only the past)."""
        return self.close.ffill()

    @cached_property
    def log_close(self) -> pd.DataFrame:
        """Log of the forward-filled close."""
        return pd.DataFrame(np.log(self.filled_close), index=self.close.index)

    @cached_property
    def daily_return(self) -> pd.DataFrame:
        """One-day log return, NaN on days without a bar."""
        return self.log_close.diff().where(self.present)

    def log_return(self, window: int) -> pd.DataFrame:
        """Log return over the last ``window`` sessions (to the last bar at or before t-window)."""
        return self.remembered(("log_return", window), lambda: self.log_close.diff(window))

    def volatility(self, window: int) -> pd.DataFrame:
        """Annualised standard deviation of daily log returns over a trailing window."""

        def compute() -> pd.DataFrame:
            rolling = self.daily_return.rolling(window, min_periods=min_periods(window))
            return rolling.std() * math.sqrt(config.TRADING_DAYS_PER_YEAR)

        return self.remembered(("volatility", window), compute)

    def volume_zscore(self, window: int) -> pd.DataFrame:
        """Log volume's z-score against its own trailing mean and std.

        A zero-volume bar (flagged when loaded) says nothing about trading activity: it is
        treated as a missing volume, so it neither gets a z-score nor distorts later windows.
        """

        def compute() -> pd.DataFrame:
            traded = self.volume.where(self.present & (self.volume > 0))
            log_volume = pd.DataFrame(np.log1p(traded))
            rolling = log_volume.rolling(window, min_periods=min_periods(window))
            return finite((log_volume - rolling.mean()) / rolling.std())

        return self.remembered(("volume_zscore", window), compute)

    @cached_property
    def uses_proxy(self) -> bool:
        """True when ``market_proxy`` is in the data; else the market is the equal-weight mean."""
        return self.market_proxy in self.close.columns

    @cached_property
    def market_log_level(self) -> pd.Series:
        """A log price level of the market, whose differences are market log returns.

        The proxy's forward-filled log close when the proxy is in the data, otherwise the
        cumulative equal-weight mean of the day's log returns over tickers with a bar that day.
        """
        if self.uses_proxy:
            return self.log_close[self.market_proxy]
        return self.daily_return.mean(axis=1).fillna(0.0).cumsum()


def finite(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with infinities (division by a zero volatility) turned into NaN."""
    return frame.replace([np.inf, -np.inf], np.nan)


def trailing_mean(frame: pd.DataFrame, window: int) -> pd.DataFrame:
    """Mean over a trailing window, tolerating a few missing days."""
    return frame.rolling(window, min_periods=min_periods(window)).mean()


def returns_and_momentum(panel: Panel, windows: tuple[int, ...], skip: int) -> Frames:
    """``ret_{k}d`` log returns, and ``mom_{k}d`` log returns from t-k to t-skip."""
    out: Frames = {f"ret_{k}d": panel.log_return(k) for k in windows}
    for k in windows:
        if k > skip:
            out[f"mom_{k}d"] = panel.log_close.shift(skip) - panel.log_close.shift(k)
    return out


def minimal_group(panel: Panel) -> Frames:
    """Returns over 1, 5, 21, 63 days and skip-week momentum over 21 and 63 days."""
    return returns_and_momentum(panel, RETURN_WINDOWS_SHORT, MOMENTUM_SKIP_SHORT)


def volatility_volume_reversion_group(panel: Panel) -> Frames:
    """Realised volatility, log-volume z-score and distance from the moving average."""
    out: Frames = {f"vol_{w}d": panel.volatility(w) for w in VOL_WINDOWS_SHORT}
    out[f"volz_{VOLUME_WINDOW}d"] = panel.volume_zscore(VOLUME_WINDOW)
    w = MEAN_REVERSION_WINDOW
    close = panel.filled_close
    moving_average = close.rolling(w, min_periods=w).mean()
    daily_vol = panel.daily_return.rolling(w, min_periods=min_periods(w)).std()
    out[f"mr_{w}d"] = finite((close / moving_average - 1.0) / daily_vol)
    return out


def cross_sectional_rank_group(panel: Panel) -> Frames:
    """Percentile rank (0, 1] of RANKED_FEATURES among the tickers with a bar that day.

    Ties share their average rank; a ticker without a bar neither gets nor affects a rank.
    """
    sources = {
        "ret_5d": panel.log_return(5),
        "ret_21d": panel.log_return(21),
        "ret_63d": panel.log_return(63),
        "vol_21d": panel.volatility(21),
        "volz_63d": panel.volume_zscore(63),
    }
    return {
        f"xrank_{name}": sources[name].where(panel.present).rank(axis=1, pct=True)
        for name in RANKED_FEATURES
    }


def long_window_group(panel: Panel) -> Frames:
    """Six- and twelve-month returns, 12-1 style momentum and long-window volatility."""
    out = returns_and_momentum(panel, RETURN_WINDOWS_LONG, MOMENTUM_SKIP_LONG)
    out.update({f"vol_{w}d": panel.volatility(w) for w in RETURN_WINDOWS_LONG})
    return out


def market_relative_group(panel: Panel) -> Frames:
    """Log return in excess of the market's, and rolling beta to the market.

    The market is ``config.MARKET_PROXY`` when that ticker is in the data; when it is absent,
    the equal-weight cross-sectional mean daily log return of the tickers trading that day.
    """
    level = panel.market_log_level
    out: Frames = {
        f"excess_ret_{k}d": panel.log_return(k).sub(level.diff(k), axis=0) for k in EXCESS_WINDOWS
    }
    stock = panel.daily_return
    market = pd.DataFrame(
        np.broadcast_to(level.diff().to_numpy()[:, None], stock.shape),
        index=stock.index,
        columns=stock.columns,
    ).where(stock.notna())
    stock = stock.where(market.notna())
    for w in BETA_WINDOWS:
        covariance = trailing_mean(stock * market, w) - trailing_mean(stock, w) * trailing_mean(
            market, w
        )
        variance = trailing_mean(market * market, w) - trailing_mean(market, w) ** 2
        out[f"beta_{w}d"] = finite(covariance / variance)
    return out


def calendar_group(panel: Panel) -> Frames:
    """Day of week and month of year as points on a circle (sin, cos), so Dec sits next to Jan."""
    index = pd.DatetimeIndex(panel.close.index)
    angles = {
        "dow": 2.0 * np.pi * index.day_of_week.to_numpy() / 7.0,
        "moy": 2.0 * np.pi * (index.month.to_numpy() - 1) / 12.0,
    }
    out: Frames = {}
    for name, angle in angles.items():
        for func_name, func in (("sin", np.sin), ("cos", np.cos)):
            values = np.broadcast_to(func(angle)[:, None], panel.close.shape)
            out[f"{name}_{func_name}"] = pd.DataFrame(
                values, index=panel.close.index, columns=panel.close.columns
            )
    return out


@dataclass(frozen=True)
class FeatureGroup:
    """A named set of features computed together; ``names`` fixes their order."""

    name: str
    names: tuple[str, ...]
    compute: Callable[[Panel], Frames]


def windows_names(prefix: str, windows: tuple[int, ...]) -> tuple[str, ...]:
    """``prefix_{w}d`` for each window."""
    return tuple(f"{prefix}_{w}d" for w in windows)


def momentum_names(windows: tuple[int, ...], skip: int) -> tuple[str, ...]:
    """``mom_{k}d`` for the windows longer than the skipped days."""
    return windows_names("mom", tuple(k for k in windows if k > skip))


GROUPS: Mapping[str, FeatureGroup] = {
    group.name: group
    for group in (
        FeatureGroup(
            "returns_momentum",
            windows_names("ret", RETURN_WINDOWS_SHORT)
            + momentum_names(RETURN_WINDOWS_SHORT, MOMENTUM_SKIP_SHORT),
            minimal_group,
        ),
        FeatureGroup(
            "volatility_volume_reversion",
            (
                *windows_names("vol", VOL_WINDOWS_SHORT),
                f"volz_{VOLUME_WINDOW}d",
                f"mr_{MEAN_REVERSION_WINDOW}d",
            ),
            volatility_volume_reversion_group,
        ),
        FeatureGroup(
            "cross_sectional_ranks",
            tuple(f"xrank_{name}" for name in RANKED_FEATURES),
            cross_sectional_rank_group,
        ),
        FeatureGroup(
            "long_windows",
            windows_names("ret", RETURN_WINDOWS_LONG)
            + momentum_names(RETURN_WINDOWS_LONG, MOMENTUM_SKIP_LONG)
            + windows_names("vol", RETURN_WINDOWS_LONG),
            long_window_group,
        ),
        FeatureGroup(
            "market_relative",
            windows_names("excess_ret", EXCESS_WINDOWS) + windows_names("beta", BETA_WINDOWS),
            market_relative_group,
        ),
        FeatureGroup("calendar", ("dow_sin", "dow_cos", "moy_sin", "moy_cos"), calendar_group),
    )
}
"""Every feature group by name, in the order their columns appear."""

MODE_GROUPS: Mapping[str, tuple[str, ...]] = {
    "minimal": ("returns_momentum",),
    "core": ("returns_momentum", "volatility_volume_reversion", "cross_sectional_ranks"),
    "full": (
        "returns_momentum",
        "volatility_volume_reversion",
        "cross_sectional_ranks",
        "long_windows",
        "market_relative",
        "calendar",
    ),
}
"""The groups of each feature mode; each mode's list extends the previous one."""
