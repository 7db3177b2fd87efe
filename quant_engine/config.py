"""The one place for defaults: lookback windows, feature modes, universe, costs, seeds, guards.

Values marked *env* can be overridden by an environment variable; a bad value raises
:class:`ConfigError` naming the variable, so an entry point can print one clear line and exit 2.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

from quant_engine.errors import ConfigError

_T = TypeVar("_T")


def _env(name: str, default: _T, parse: Callable[[str], _T], expected: str) -> _T:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is invalid: expected {expected}") from None


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def _float_in(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return parse


# --- lookback windows ----------------------------------------------------------------------
LOOKBACK_YEARS: int = _env("QE_LOOKBACK_YEARS", 15, _int_in(1, 100), "an integer 1..100")  # env
"""Years of history for training, backtests, retraining and the autopilot."""
PREDICT_LOOKBACK_YEARS: int = _env(
    "QE_PREDICT_LOOKBACK_YEARS", 2, _int_in(1, 100), "an integer 1..100"
)  # env
"""Years of history loaded to compute features for a prediction."""

# --- features ------------------------------------------------------------------------------
FEATURE_MODES: tuple[str, ...] = ("minimal", "core", "full")
"""Feature sets, each a superset of the one before."""
DEFAULT_FEATURE_MODE: str = _env(
    "QE_FEATURE_MODE", "core", _one_of(FEATURE_MODES), f"one of {', '.join(FEATURE_MODES)}"
)  # env
LABEL_HORIZON_DAYS: int = 5
"""Forward-return horizon (trading days) the models learn to predict."""

# --- data ----------------------------------------------------------------------------------
DATA_SOURCES: tuple[str, ...] = ("sample", "wrds", "ibkr", "alpaca")
"""Cached sources an engine run can read; ``sample`` is the embedded offline data."""
DEFAULT_DATA_SOURCE: str = _env(
    "QE_DATA_SOURCE", "sample", _one_of(DATA_SOURCES), f"one of {', '.join(DATA_SOURCES)}"
)  # env
REAL_SAMPLE_TICKERS: tuple[str, ...] = ("SPX", "NDX")
"""Real index OHLCV shipped by the ``arch`` package (1999-2018)."""
SAMPLE_START: str = "1999-01-04"
SAMPLE_END: str = "2018-12-31"
"""Session range of the embedded sample data (matches the real series)."""
SYNTHETIC_TICKER_COUNT: int = 1000
"""Synthetic tickers the sample source can generate (``S0000`` .. ``S0999``)."""
DEFAULT_UNIVERSE: tuple[str, ...] = (
    *REAL_SAMPLE_TICKERS,
    *(f"S{i:04d}" for i in range(24)),
)
"""Tickers used when ``--tickers`` is not given: the two real indices and 24 synthetic names."""
MARKET_PROXY: str = "SPX"
"""Ticker used for market-relative features."""

# --- models --------------------------------------------------------------------------------
MODEL_KINDS: tuple[str, ...] = ("ridge", "gbm")
DEFAULT_MODEL_KIND: str = "ridge"
WALK_FORWARD_FOLDS: int = 4
EMBARGO_DAYS: int = LABEL_HORIZON_DAYS
"""Days dropped after each test fold so overlapping labels cannot leak."""
DEFAULT_SEED: int = _env("QE_SEED", 42, _int_in(0, 2**32 - 1), "an integer 0..4294967295")  # env

# --- portfolio and costs -------------------------------------------------------------------
PORTFOLIO_RULES: tuple[str, ...] = ("top_k", "long_short")
DEFAULT_PORTFOLIO_RULE: str = "long_short"
TOP_K: int = 5
LONG_SHORT_QUANTILE: float = 0.2
ENTRY_THRESHOLD: float = 0.0
"""Minimum predicted forward return for a long position (top_k rule)."""
COST_BPS: float = _env("QE_COST_BPS", 5.0, _float_in(0.0, 1000.0), "a number 0..1000")  # env
SLIPPAGE_BPS: float = _env(
    "QE_SLIPPAGE_BPS", 2.0, _float_in(0.0, 1000.0), "a number 0..1000"
)  # env
TRADING_DAYS_PER_YEAR: int = 252

# --- backtest execution (added for quant_engine.backtest) ----------------------------------
EXECUTION_LAG_BARS: int = 1
"""Bars between a signal's close and the close its trade executes at (>= 1: never same-bar)."""

# --- retraining ----------------------------------------------------------------------------
RETRAIN_MAX_AGE_DAYS: int = 30
RETRAIN_MIN_IC: float = 0.0
RETRAIN_IC_DECAY: float = 0.5
"""Retrain when recent IC falls below this fraction of the training IC."""
RETRAIN_MAX_DRIFT: float = 0.5
"""Retrain when mean absolute standardised feature shift exceeds this."""

# --- model training and retrain guards (added for quant_engine.models) ---------------------
MIN_TRAIN_ROWS: int = 200
"""Fewest complete (features + label) rows a model is trained on; fewer is a DataError."""
RETRAIN_MIN_OBS: int = 100
"""Fewest labelled rows after a model's training window before its recent IC is judged."""
MODEL_THREADS: int = 1
"""Native (OpenMP/BLAS) threads per model fit or predict: 1 keeps parallel candidate runs from
oversubscribing the cores (busy-waiting OpenMP threads slow down many-fold) and makes results
independent of the machine's core count."""

# --- autopilot guards ----------------------------------------------------------------------
PROMOTION_MARGIN_SHARPE: float = 0.10
MIN_TRADES: int = 50
MAX_DRAWDOWN: float = 0.35
MIN_DEFLATED_SHARPE: float = 0.90
EXECUTORS: tuple[str, ...] = ("local", "dask")
DEFAULT_EXECUTOR: str = "local"

# --- autopilot execution (added for quant_engine.autopilot) --------------------------------
AUTOPILOT_WORKERS: int = 2
"""Processes the local executor uses by default (both cores of the reference machine)."""
DASK_CONNECT_TIMEOUT_S: float = 10.0
"""Seconds to wait for a Dask scheduler before giving up with a clear error."""

# --- run manifests (added for quant_engine.utils.reproducibility) --------------------------
MANIFEST_GIT_TIMEOUT_S: float = 2.0
"""Longest wait for git while recording code provenance; past it the commit is recorded unknown."""
MANIFEST_PACKAGES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scikit-learn",
    "pyarrow",
    "pydantic",
    "exchange-calendars",
    "arch",
    "matplotlib",
)
"""Distributions whose versions every run manifest records."""
MANIFEST_ENV_PREFIXES: tuple[str, ...] = ("QE_",)
MANIFEST_ENV_NAMES: tuple[str, ...] = ("PYTHONHASHSEED", "TZ")
"""Environment allow-list for manifests (BLAS thread variables are always added); names
matching REDACT_NAME_MARKERS are never captured."""
REDACT_NAME_MARKERS: tuple[str, ...] = (
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "SECRET",
    "KEY",
    "CREDENTIAL",
)
"""A flag, value or variable whose name contains one of these (any case) is redacted."""
MANIFEST_STALE_TEMP_S: float = 3600.0
"""``prune`` deletes temp files of interrupted manifest writes older than this."""

# --- audit tooling (added for scripts/hotspot_scoring.py and scripts/audit_gates.py) -------
AUDIT_CHURN_SINCE: str = "12 months"
"""Git history window for hotspot churn (anything ``git log --since`` accepts)."""
AUDIT_TOP_N: int = 20
"""Hotspots shown in the readable table and the chart."""
COUPLING_MIN_REVISIONS: int = 2
"""Temporal coupling: each file of a pair needs at least this many revisions."""
COUPLING_MIN_SHARED_REVISIONS: int = 1
"""Temporal coupling: a pair must change together in at least this many commits."""
COUPLING_MAX_CHANGESET_SIZE: int = 30
"""Temporal coupling ignores commits touching more files than this (code-maat's default)."""


def snapshot() -> dict[str, Any]:
    """Every public UPPER_CASE setting, JSON-safe, for run manifests."""
    out: dict[str, Any] = {}
    for name, value in sorted(globals().items()):
        if name.isupper() and not name.startswith("_"):
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def snapshot_sha256() -> str:
    """sha256 of the canonical JSON of :func:`snapshot`."""
    canonical = json.dumps(snapshot(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
