"""Data-pipeline figures: WRDS refresh from a local PostgreSQL, and the gap-fill's gap detection.

The WRDS figure loads a CRSP-like ``crsp.dsf`` with 500 tickers x 1 year into a real PostgreSQL
(pgserver's binaries, the same as the tests), then times a cold refresh into an empty cache and
an incremental refresh after one more month. Everything runs in a temporary ``QE_HOME``.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.harness import Result, best_of, temporary_home

WRDS_TICKERS = 500
WRDS_GOAL_S = 10.0
GAP_TICKERS = 1_000
GAP_GOAL_S = 1.0
FIRST_DAY, LAST_DAY, NEXT_DAY = "2023-01-03", "2023-12-29", "2024-01-31"


def crsp_rows(sessions: pd.DatetimeIndex, permnos: np.ndarray) -> pd.DataFrame:
    """Random-walk CRSP rows for every permno on every session (v1 layout)."""
    rng = np.random.default_rng(6)
    steps = rng.normal(0, 0.02, (len(permnos), len(sessions)))
    price = 50 * np.exp(np.cumsum(steps, axis=1))
    return pd.DataFrame(
        {
            "permno": np.repeat(permnos, len(sessions)),
            "date": np.tile(sessions.date, len(permnos)),
            "openprc": (price * 0.999).ravel(),
            "askhi": (price * 1.01).ravel(),
            "bidlo": (price * 0.99).ravel(),
            "prc": price.ravel(),
            "vol": 1e5,
            "ret": np.concatenate([np.zeros((len(permnos), 1)), np.expm1(steps[:, 1:])], 1).ravel(),
            "retx": 0.0,
            "shrout": 1e3,
            "cfacpr": 1.0,
            "cfacshr": 1.0,
        }
    )


def load_dsf(conninfo: str, frame: pd.DataFrame) -> None:
    """COPY rows into ``crsp.dsf``."""
    import psycopg

    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy("COPY crsp.dsf FROM STDIN") as copy:
            for row in frame.itertuples(index=False):
                copy.write_row(row)
        conn.commit()


def bench_wrds_refresh() -> list[Result]:
    """Cold refresh of 500 tickers x 1 year, then the incremental refresh of one more month."""
    try:
        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from tests.data.providers.crsp_fixture import DDL, SKIP_REASON, shared_server
        if SKIP_REASON:
            raise ImportError(SKIP_REASON)
    except ImportError as exc:
        return [Result("WRDS refresh", float("nan"), "s", note=f"skipped: {exc}")]
    from quant_engine.data import LocalCache
    from quant_engine.data.calendar import nyse_sessions
    from quant_engine.data.providers.crsp import get_layout
    from quant_engine.data.providers.wrds import WrdsClient, WrdsSettings
    from quant_engine.pipelines.wrds_refresh import WrdsRefresher

    logging.getLogger("quant_engine").setLevel(logging.ERROR)
    permnos = np.arange(20_000, 20_000 + WRDS_TICKERS)
    tickers = [f"T{p}" for p in permnos]
    with tempfile.TemporaryDirectory(prefix="qe_bench_pg_") as folder, temporary_home():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = shared_server(Path(folder))
        try:
            host = server.get_uri().split("host=")[-1]
            conninfo = f"host={host} dbname=postgres user=postgres"
            import psycopg

            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(DDL)
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO crsp.dsenames VALUES (%s, '2000-01-03', NULL, %s, 'X', 11, 1)",
                        list(zip(permnos.tolist(), tickers, strict=True)),
                    )
            load_dsf(conninfo, crsp_rows(nyse_sessions(FIRST_DAY, LAST_DAY), permnos))
            settings = WrdsSettings(
                user="postgres", host=host, port=5432, dbname="postgres", sslmode="disable"
            )

            def refresh(cache: LocalCache, end: str) -> int:
                with WrdsClient.connect(settings, get_layout("dsf")) as client:
                    refresher = WrdsRefresher(
                        client,
                        cache,
                        end=dt.date.fromisoformat(end),
                        default_start=dt.date.fromisoformat(FIRST_DAY),
                    )
                    return refresher.run(tickers, batch_size=100).rows_added

            caches = iter(LocalCache(Path(folder) / f"cache{i}") for i in range(3))
            cold = best_of(lambda: refresh(next(caches), LAST_DAY), repeat=2)
            cache = LocalCache(Path(folder) / "incremental")
            rows = refresh(cache, LAST_DAY)
            month = crsp_rows(nyse_sessions(FIRST_DAY, NEXT_DAY), permnos)
            load_dsf(conninfo, month[pd.to_datetime(month["date"]) > pd.Timestamp(LAST_DAY)])
            start = time.perf_counter()
            added = refresh(cache, NEXT_DAY)
            incremental = time.perf_counter() - start
        finally:
            server.cleanup()
    return [
        Result.under(
            f"WRDS refresh {WRDS_TICKERS} tickers x 1 year, cold (local PostgreSQL)",
            cold,
            "s",
            WRDS_GOAL_S,
            note=f"best of 2; {rows:,} rows, 5 queries of 100 tickers, atomic per-ticker writes",
        ),
        Result(
            f"WRDS refresh {WRDS_TICKERS} tickers, incremental (+1 month)",
            incremental,
            "s",
            note=f"{added:,} new rows merged into the cache",
        ),
    ]


def bench_gap_detection() -> list[Result]:
    """find_gaps + gap_ranges over 1,000 tickers x 15 years (in memory), and a cached dry run."""
    from quant_engine.data.calendar import nyse_sessions
    from quant_engine.data.gaps import find_gaps, gap_ranges

    sessions = nyse_sessions("2004-01-02", "2018-12-31")
    rng = np.random.default_rng(11)
    indexes = [sessions.delete(rng.integers(0, len(sessions), 5)) for _ in range(GAP_TICKERS)]
    find_gaps(indexes[0])  # build the calendar once, outside the timing

    def detect() -> int:
        return sum(len(gap_ranges(find_gaps(index))) for index in indexes)

    seconds = best_of(detect, repeat=5)
    return [
        Result.under(
            f"gap-fill detection {GAP_TICKERS:,} tickers x 15 years",
            seconds,
            "s",
            GAP_GOAL_S,
            note=f"best of 5; {detect():,} gap ranges found (find_gaps + gap_ranges)",
        )
    ]


def run() -> Iterator[Result]:
    """Every figure of this module, each group as it is measured."""
    yield from bench_gap_detection()
    yield from bench_wrds_refresh()
