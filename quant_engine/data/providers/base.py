"""What every market-data provider shares: the bars interfaces, credentials, pacing, merging.

A provider returns raw bars in any column spelling that ``normalize_ohlcv_columns`` accepts;
the pipelines normalise, validate and cache them. Credentials come only from environment
variables: a missing one is a :class:`MissingCredentialError` naming the variable (exit 2),
never a prompt, and its value never reaches a log, an error or a manifest.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import pandas as pd

from quant_engine.errors import ConfigError, MissingCredentialError

__all__ = [
    "DailyBarsSource",
    "IntradayBarsSource",
    "RateLimiter",
    "env_int",
    "env_text",
    "merge_bars",
    "parse_retry_after",
    "require_env",
]


@runtime_checkable
class DailyBarsSource(Protocol):
    """Daily OHLCV bars per ticker; rows dated within ``[start, end]`` inclusive."""

    name: str

    def fetch_daily(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Bars with a date column or index and open/high/low/close/volume (any spelling)."""
        ...


@runtime_checkable
class IntradayBarsSource(Protocol):
    """Intraday OHLCV bars per ticker, timestamps tz-aware UTC at the bar's start."""

    name: str

    def fetch_intraday(
        self, ticker: str, start: dt.datetime, end: dt.datetime, minutes: int
    ) -> pd.DataFrame:
        """Bars in ``[start, end)`` with a ``timestamp`` column or index and OHLCV columns."""
        ...


def require_env(name: str, purpose: str) -> str:
    """The value of environment variable ``name``; MissingCredentialError naming it if unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingCredentialError(f"{name} is not set: it is needed for {purpose}")
    return value


def env_text(name: str, default: str) -> str:
    """A non-secret setting from the environment, or ``default``."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment, or ``default``; a bad value is a usage error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is invalid: expected an integer") from None


class RateLimiter:
    """At most ``max_requests`` calls of :meth:`wait` per sliding ``window_s`` seconds.

    Thread-safe; ``clock`` and ``sleep`` are injectable so pacing can be tested without waiting.
    """

    def __init__(
        self,
        max_requests: int,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_requests < 1 or window_s <= 0:
            raise ValueError("a rate limit needs max_requests >= 1 and window_s > 0")
        self.max_requests = max_requests
        self.window_s = window_s
        self.clock = clock
        self.sleep = sleep
        self.sent: deque[float] = deque()
        self.lock = threading.Lock()

    def wait(self) -> float:
        """Block until one more request fits the window; return the seconds waited."""
        waited = 0.0
        with self.lock:
            while True:
                now = self.clock()
                while self.sent and now - self.sent[0] >= self.window_s:
                    self.sent.popleft()
                if len(self.sent) < self.max_requests:
                    self.sent.append(now)
                    return waited
                pause = self.window_s - (now - self.sent[0])
                self.sleep(pause)
                waited += pause


def merge_bars(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Rows of both frames on one sorted date index; where both have a date, ``new`` wins."""
    if old.empty:
        return new.sort_index()
    if new.empty:
        return old.sort_index()
    combined = pd.concat([old[~old.index.isin(new.index)], new])
    return combined.sort_index(kind="stable")


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
