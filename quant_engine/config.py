"""The one place for defaults, grouped by topic: data, features, models, backtest, autopilot,
runs, pipelines, API and audit.

Values marked *env* can be overridden by an environment variable. A bad value never fails the
import: it is noted, and :func:`check_environment` (which every command calls first) raises
:class:`ConfigError` naming the variable, so the command prints one clear line and exits 2.
Paths are not here: they live in :mod:`quant_engine.layout` (the data home is ``QE_HOME``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from quant_engine import layout
from quant_engine.errors import ConfigError

_T = TypeVar("_T")
_ENV_SETTINGS: list[str] = []
"""Every variable read by :func:`_env`: the project's own settings (see env_setting_names)."""

_PROBLEMS: list[tuple[str, str, str]] = []
"""(variable, raw value, what it must be) of each override that could not be used."""


def shown_value(name: str, raw: str) -> str:
    """``raw`` quoted for an error line, or a placeholder when it may be a secret: the name
    carries a REDACT_NAME_MARKERS word, or the value is a URL with credentials."""
    secret_name = any(marker in name.upper() for marker in REDACT_NAME_MARKERS)
    if secret_name or ("://" in raw and "@" in raw):
        return "(value hidden)"
    return repr(raw)


def _env(name: str, default: _T, parse: Callable[[str], _T], expected: str) -> _T:
    """The override in ``name``, or ``default``; a bad value is noted for :func:`check_environment`
    (importing never fails, so every command can report it as one line)."""
    _ENV_SETTINGS.append(name)
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw.strip())
    except ValueError:
        _PROBLEMS.append((name, raw, expected))
        return default


def check_environment() -> None:
    """ConfigError naming the first bad ``QE_*`` override (and how many more there are).

    Every command calls this before it does anything, ``--help`` included, and
    :func:`snapshot` calls it so no run is ever recorded with a silently ignored override.
    """
    if _PROBLEMS:
        name, raw, expected = _PROBLEMS[0]
        more = f" (and {len(_PROBLEMS) - 1} more)" if len(_PROBLEMS) > 1 else ""
        raise ConfigError(
            f"{name}={shown_value(name, raw)} is invalid: expected {expected}; "
            f"fix or unset it{more}"
        )


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


# --- data: sources an engine run reads, the default universe, history windows ---------------
DATA_SOURCES: tuple[str, ...] = ("sample", "wrds", "ibkr", "alpaca")
"""Cached sources an engine run can read; ``sample`` is the embedded offline data."""
DEFAULT_DATA_SOURCE: str = _env(
    "QE_DATA_SOURCE", "sample", _one_of(DATA_SOURCES), f"one of {', '.join(DATA_SOURCES)}"
)  # env
DATA_SOURCE_KINDS: dict[str, str] = {
    "sample": "embedded",
    "wrds": "database",
    "ibkr": "broker",
    "alpaca": "broker",
}
"""What kind of source each of DATA_SOURCES is (shown by the data explorer)."""
REAL_SAMPLE_TICKERS: tuple[str, ...] = ("SPX", "COMP")
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
LOOKBACK_YEARS: int = _env("QE_LOOKBACK_YEARS", 15, _int_in(1, 100), "an integer 1..100")  # env
"""Years of history for training, backtests, retraining and the autopilot."""
PREDICT_LOOKBACK_YEARS: int = _env(
    "QE_PREDICT_LOOKBACK_YEARS", 2, _int_in(1, 100), "an integer 1..100"
)  # env
"""Years of history loaded to compute features for a prediction."""

# --- features: feature sets and the label the models learn ----------------------------------
FEATURE_MODES: tuple[str, ...] = ("minimal", "core", "full")
"""Feature sets, each a superset of the one before."""
DEFAULT_FEATURE_MODE: str = _env(
    "QE_FEATURE_MODE", "core", _one_of(FEATURE_MODES), f"one of {', '.join(FEATURE_MODES)}"
)  # env
LABEL_HORIZON_DAYS: int = 5
"""Forward-return horizon (trading days) the models learn to predict."""

# --- models: estimators, walk-forward scoring, training size, threads, retrain triggers -----
MODEL_KINDS: tuple[str, ...] = ("ridge", "gbm")
DEFAULT_MODEL_KIND: str = "ridge"
WALK_FORWARD_FOLDS: int = 4
EMBARGO_DAYS: int = LABEL_HORIZON_DAYS
"""Days dropped after each test fold so overlapping labels cannot leak."""
DEFAULT_SEED: int = _env("QE_SEED", 42, _int_in(0, 2**32 - 1), "an integer 0..4294967295")  # env
MIN_TRAIN_ROWS: int = 200
"""Fewest complete (features + label) rows a model is trained on; fewer is a DataError."""
MODEL_THREADS: int = 1
"""Native (OpenMP/BLAS) threads per model fit or predict: 1 keeps parallel candidate runs from
oversubscribing the cores (busy-waiting OpenMP threads slow down many-fold) and makes results
independent of the machine's core count."""
RETRAIN_MAX_AGE_DAYS: int = 30
RETRAIN_MIN_IC: float = 0.0
RETRAIN_IC_DECAY: float = 0.5
"""Retrain when recent IC falls below this fraction of the training IC."""
RETRAIN_MAX_DRIFT: float = 0.5
"""Retrain when mean absolute standardised feature shift exceeds this."""
RETRAIN_MIN_OBS: int = 100
"""Fewest new rows after a model's training window before a rule is judged: labelled rows for
IC decay, feature rows for drift (drift needs no labels)."""
RETRAIN_IC_ALPHA: float = 0.05
"""IC decay fires only when the recent IC is below its floor at this significance (one-sided
t-test with Newey-West errors), so a model with no decay fires in at most this share of checks."""
RETRAIN_MIN_IC_DATES: int = 20
"""Fewest dates with a cross-sectional IC before IC decay is judged (the test needs a series)."""

# --- backtest: portfolio rules, trading costs, execution timing -----------------------------
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
EXECUTION_LAG_BARS: int = 1
"""Bars between a signal's close and the close its trade executes at (>= 1: never same-bar)."""
REBALANCE_EVERY_BARS: int = LABEL_HORIZON_DAYS
"""Bars between rebalances of top_k/long_short; the label horizon, so a position is held for
the return its score predicted (weights drift with prices in between)."""
MAX_DROPS: int | None = None
"""Most names a rebalance may drop from each side of the book (Qlib's top-k dropout); None: no
limit."""
BENCHMARKS: tuple[str, ...] = ("equal_weight", MARKET_PROXY)
"""What a backtest is measured against: the equal-weight universe, or an index's closes."""
DEFAULT_BENCHMARK: str = "equal_weight"

# --- autopilot: promotion guards and the executors that run candidates ----------------------
PROMOTION_MARGIN_SHARPE: float = _env(
    "QE_PROMOTION_MARGIN_SHARPE", 0.10, _float_in(0.0, 10.0), "a number 0..10"
)  # env
"""Annualised Sharpe a candidate must add over the incumbent to replace it."""
MIN_TRADES: int = _env("QE_MIN_TRADES", 50, _int_in(0, 10**9), "an integer >= 0")  # env
"""Fewest position changes a candidate needs over its backtest."""
MAX_DRAWDOWN: float = _env("QE_MAX_DRAWDOWN", 0.35, _float_in(0.0, 1.0), "a fraction 0..1")  # env
"""Largest peak-to-trough loss a candidate may have (0.35 = 35%)."""
MIN_DEFLATED_SHARPE: float = _env(
    "QE_MIN_DEFLATED_SHARPE", 0.90, _float_in(0.0, 1.0), "a probability 0..1"
)  # env
"""Lowest deflated Sharpe ratio (a probability) a candidate needs."""
MAX_PBO: float = _env("QE_MAX_PBO", 0.50, _float_in(0.0, 1.0), "a probability 0..1")  # env
"""Highest probability of backtest overfitting (CSCV) at which the autopilot still promotes."""
CSCV_BLOCKS: int = 16
"""Blocks the selection window is cut into for CSCV (Bailey et al. 2016): C(16, 8) splits."""
HOLDOUT_FRACTION: float = _env(
    "QE_HOLDOUT_FRACTION", 0.20, _float_in(0.0, 0.9), "a fraction 0..0.9"
)  # env
"""End share of the common window the selection never sees; promotion is decided on it."""
EXECUTORS: tuple[str, ...] = ("local", "dask")
DEFAULT_EXECUTOR: str = "local"
AUTOPILOT_WORKERS: int = 2
"""Processes the local executor uses by default (both cores of the reference machine)."""
DASK_CONNECT_TIMEOUT_S: float = 10.0
"""Seconds to wait for a Dask scheduler before giving up with a clear error."""

# --- runs: what every run manifest records and what it redacts ------------------------------
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
"""Variables recorded in manifests by name; their value only when it is a project setting
(see :func:`env_setting_names`), else the redaction marker."""
MANIFEST_ENV_NAMES: tuple[str, ...] = (
    "PYTHONHASHSEED",
    "TZ",
    "QE_VERIFY_OF",
    "QE_API_HOST",
    "QE_API_PORT",
    "QE_API_CORS_ORIGINS",
    "QE_API_ALLOWED_HOSTS",
    "QE_API_MAX_BODY_BYTES",
    "QE_API_MAX_CONCURRENT_JOBS",
    "QE_API_MAX_QUEUED_JOBS",
    "QE_API_JOB_HISTORY",
    "QE_API_JOB_TIMEOUT_S",
)
"""Other harmless variables whose values manifests record: hash seed, time zone, the verify
marker and the API server's settings except its key (BLAS thread variables are always added)."""
REDACT_NAME_MARKERS: tuple[str, ...] = (
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "SECRET",
    "KEY",
    "CREDENTIAL",
)
"""A flag or key whose name contains one of these (any case) has its value redacted."""
REDACT_QUERY_PARAMS: tuple[str, ...] = (
    "access_token",
    "api_key",
    "apikey",
    "auth",
    "key",
    "pass",
    "password",
    "pwd",
    "secret",
    "session",
    "sig",
    "signature",
    "token",
)
"""URL query parameters whose values are redacted wherever a URL is recorded, printed or served
(also any parameter one of whose ``_``/``-`` separated words is in this list)."""
MANIFEST_STALE_TEMP_S: float = 3600.0
"""``prune`` deletes temp files of interrupted manifest writes older than this."""
RUNS_LIST_LIMIT: int = 20
"""Runs ``qe-runs list`` shows unless ``--limit`` says otherwise (0: all)."""
RUNS_PLOT_FILE: str = "qe_runs_equity.png"
"""Where ``qe-runs plot`` writes its PNG unless ``--out`` says otherwise (in the current folder)."""

# --- pipelines: the commands that fill the local cache from live sources --------------------

# WRDS / CRSP: the daily refresh over PostgreSQL
WRDS_HOST: str = "wrds-pgdata.wharton.upenn.edu"
WRDS_PORT: int = 9737
WRDS_DATABASE: str = "wrds"
WRDS_SSLMODE: str = "require"
"""WRDS PostgreSQL endpoint; the WRDS_PG* environment variables override each (e.g. tests)."""
WRDS_CONNECT_TIMEOUT_S: int = 30
WRDS_BATCH_SIZE: int = 100
"""Tickers per CRSP query of the WRDS refresh (one round trip per batch)."""
CRSP_LAYOUTS: tuple[str, ...] = ("dsf_v2", "dsf")
"""CRSP daily layouts: ``dsf_v2`` (CIZ, updated) and the legacy ``dsf`` (SIZ, frozen end 2024)."""
DEFAULT_CRSP_LAYOUT: str = "dsf_v2"

# IBKR: the TWS / IB Gateway connection and its historical-data pacing
IBKR_HOST: str = "127.0.0.1"
IBKR_PORT: int = 7497
IBKR_CLIENT_ID: int = 17
IBKR_PACING_REQUESTS: int = 60
IBKR_PACING_WINDOW_S: float = 600.0
"""IBKR historical-data pacing: at most this many requests per window (their documented limit)."""
IBKR_MAX_DAYS_PER_REQUEST: int = 365

# Alpaca: the market-data REST API
ALPACA_DATA_URL: str = "https://data.alpaca.markets"
ALPACA_FEED: str = "iex"
"""Alpaca market-data feed: ``iex`` works on free accounts, ``sip`` needs a subscription."""
ALPACA_PAGE_LIMIT: int = 10_000
ALPACA_ADJUSTMENT: str = "split"
"""Alpaca bar adjustment: ``raw``, ``split``, ``dividend`` or ``all``."""
ALPACA_MAX_RETRIES: int = 5
ALPACA_TIMEOUT_S: float = 30.0

# Kalshi: the event-market API and the event features built from its candles
KALSHI_BASE_URL: str = "https://api.elections.kalshi.com/trade-api/v2"
KALSHI_SERIES: tuple[str, ...] = ("KXFED", "KXCPI")
"""Kalshi series the event pipeline fetches by default (Fed-rate and CPI range markets)."""
KALSHI_PAGE_LIMIT: int = 200
KALSHI_TIMEOUT_S: float = 30.0
KALSHI_MAX_RETRIES: int = 5
"""Retries of a Kalshi request after a 429, a 5xx or a network error (then the run fails)."""
KALSHI_BACKOFF_BASE_S: float = 0.5
KALSHI_BACKOFF_MAX_S: float = 30.0
KALSHI_LOOKBACK_DAYS: int = 365
KALSHI_CANDLE_MINUTES: int = 60
"""Candle period the pipeline fetches; features take the last candle at or before the close."""
KALSHI_CHANGE_SESSIONS: int = 5
"""Sessions over which event features measure the change of the implied distribution."""

# Intraday: bar sizes and history of the intraday downloads
INTRADAY_BAR_MINUTES: tuple[int, ...] = (1, 5, 15, 30, 60)
DEFAULT_INTRADAY_BAR_MINUTES: int = 5
INTRADAY_LOOKBACK_DAYS: int = 30

# Gap-fill: the live sources that fill missing daily bars and the checks on what they return
GAPFILL_PROVIDERS: tuple[str, ...] = ("ibkr", "alpaca")
"""Live sources that can fill daily gaps."""
GAPFILL_MAX_MOVE: float = 0.5
"""Gap-fill reports a close-to-close move larger than this (50%) as suspicious (a missed split?)."""
GAPFILL_LOW_VOLUME_RATIO: float = 0.05
GAPFILL_VOLUME_WINDOW: int = 20
"""Volume under LOW_VOLUME_RATIO x the median of the previous WINDOW sessions is suspicious
(early-close sessions are exempt: they trade less by design)."""

# --- API: the dashboard's server, its limits and its job queue ------------------------------
API_HOST: str = "127.0.0.1"
"""Interface the API server binds to by default: loopback only (QE_API_HOST overrides)."""
API_PORT: int = 8000
API_KEY_HEADER: str = "X-API-Key"
"""Request header carrying the API key that mutating endpoints require."""
API_MAX_BODY_BYTES: int = 1_048_576
"""Largest request body the API reads; a larger one is refused with 413."""
API_MAX_CONCURRENT_JOBS: int = 1
"""Compute jobs running at once; each is an engine process, so more wait ``queued``."""
API_MAX_QUEUED_JOBS: int = 16
"""Jobs allowed to wait; a submission beyond it is refused with 429."""
API_JOB_HISTORY: int = 200
"""Finished jobs kept in memory for polling; the oldest are forgotten first."""
API_JOB_TIMEOUT_S: float = 3600.0
"""A job still running after this long is killed and marked failed."""
API_LIST_LIMIT: int = 50
API_MAX_LIST_LIMIT: int = 1000
"""Default and largest page size of list endpoints (runs, backtests, decisions)."""
API_TOP_SIGNALS: int = 10
"""Signals shown on the dashboard."""

# --- audit: hotspot scoring and temporal coupling of the code-health report -----------------
AUDIT_CHURN_SINCE: str = ""
"""Git history window for hotspot churn: empty = every commit up to HEAD (reproducible from the
committed tree); otherwise anything ``git log --since`` accepts."""
AUDIT_TOP_N: int = 20
"""Hotspots shown in the readable table and the chart."""
COUPLING_MIN_REVISIONS: int = 5
"""Temporal coupling: the pair's average revisions must reach this (code-maat's default)."""
COUPLING_MIN_SHARED_REVISIONS: int = 5
"""Temporal coupling: a pair must change together in at least this many commits (code-maat)."""
COUPLING_MIN_DEGREE_PERCENT: int = 30
"""Temporal coupling: the pair's degree must reach this percentage (code-maat's default)."""
COUPLING_MAX_CHANGESET_SIZE: int = 30
"""Temporal coupling ignores commits touching more files than this (code-maat's default)."""


def env_setting_names() -> frozenset[str]:
    """The ``QE_*`` variables this project defines and reads: the only ones whose values are
    safe to record (the data home's variable included)."""
    return frozenset((*_ENV_SETTINGS, layout.HOME_ENV_VAR))


def snapshot() -> dict[str, Any]:
    """Every public UPPER_CASE setting, JSON-safe, for run manifests; ConfigError when an
    override was bad (see :func:`check_environment`)."""
    check_environment()
    out: dict[str, Any] = {}
    for name, value in sorted(globals().items()):
        if name.isupper() and not name.startswith("_"):
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def snapshot_sha256() -> str:
    """sha256 of the canonical JSON of :func:`snapshot` (keys sorted, so declaration order
    does not change it)."""
    import hashlib  # here, not at the top: config is on every --help path
    import json

    canonical = json.dumps(snapshot(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


RUN_INDEX_NAME: str = ".run_index/runs.sqlite"
"""The run index inside the manifest folder (a dot-folder, so listings skip it and its journal
files do not touch the manifest folder's mtime); safe to delete."""
RUN_INDEX_BUSY_TIMEOUT_S: float = 60.0
"""How long a reader waits for another process's index sync before giving up on the index."""
RUN_INDEX_RECHECK_S: float = 2.0
"""How often the run index lists every manifest even when the folder looks unchanged (a file
edited in place, not replaced, changes only its own mtime)."""
