"""scripts/ibkr_daily_gapfill.py with a stand-in bars source: gaps, fills, dry runs, failures."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quant_engine import layout
from quant_engine.data import LocalCache
from quant_engine.data.calendar import nyse_sessions
from quant_engine.pipelines.gapfill import GapfillRequest, gapfill
from scripts import ibkr_daily_gapfill

SCRIPT = layout.scripts_dir() / "ibkr_daily_gapfill.py"
HOLES = ("2023-11-24", "2023-12-26", "2023-12-27", "2023-12-28")  # 11-24 is an early close


def bars(days: pd.DatetimeIndex, base: float = 100.0) -> pd.DataFrame:
    close = base + np.arange(len(days), dtype=float) * 0.1
    return pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 1e6},
        index=pd.DatetimeIndex(days, name="date"),
    )


def cached_frame() -> pd.DataFrame:
    sessions = nyse_sessions("2023-11-01", "2024-01-31")
    frame = bars(sessions[~sessions.isin(pd.DatetimeIndex(HOLES))])
    frame.loc[pd.Timestamp("2024-01-10"), "volume"] = 0.0
    saturday = bars(pd.DatetimeIndex(["2023-12-02"]), base=105.0)
    return pd.concat([frame, saturday]).sort_index()


class StandInBars:
    """Answers like IBKR: bars for every calendar day asked, nothing for a halted day,
    and a broken bar (high < low) on another."""

    name = "standin"

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[tuple[str, dt.date, dt.date]] = []
        self.fail_on = fail_on

    def fetch_daily(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        if ticker == self.fail_on:
            raise ConnectionError("IBKR went away")
        self.calls.append((ticker, start, end))
        frame = bars(pd.date_range(start, end, freq="D"), base=200.0)
        frame = frame.drop(index=pd.Timestamp("2023-12-27"), errors="ignore")
        if pd.Timestamp("2023-12-28") in frame.index:
            frame.loc[pd.Timestamp("2023-12-28"), "high"] = 1.0
        return frame.reset_index()


class NoCalls:
    name = "none"

    def fetch_daily(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        raise AssertionError("a dry run must not fetch")


@pytest.fixture
def cache() -> LocalCache:
    store = LocalCache()
    for ticker in ("AAA", "BBB"):
        store.write("ibkr", ticker, cached_frame())
    return store


def file_bytes(cache: LocalCache, ticker: str) -> bytes:
    return cache.path_for("ibkr", ticker).read_bytes()


def test_dry_run_lists_gaps_without_fetching_or_writing(
    cache: LocalCache, capsys: pytest.CaptureFixture[str]
) -> None:
    before = file_bytes(cache, "AAA")
    assert ibkr_daily_gapfill.main(["--dry-run", "--tickers", "AAA"], bars=NoCalls()) == 0
    out = capsys.readouterr().out
    assert "AAA gap 2023-12-26..2023-12-28 (3 sessions)" in out
    assert "AAA gap 2023-11-24 (1 session)" in out
    assert "2023-12-02: not an NYSE session" in out
    assert "2024-01-10: zero volume" in out
    assert file_bytes(cache, "AAA") == before


def test_gap_detection_ignores_holidays_and_keeps_early_closes(cache: LocalCache) -> None:
    request = GapfillRequest("ibkr", "ibkr", tickers=("AAA",), dry_run=True)
    (report,) = gapfill(request, NoCalls(), cache)
    assert [(str(g.start), str(g.end), g.sessions) for g in report.gaps] == [
        ("2023-11-24", "2023-11-24", 1),
        ("2023-12-26", "2023-12-28", 3),
    ]  # Thanksgiving, Christmas, New Year and MLK day are holidays, not gaps


def test_fill_fetches_only_gap_ranges_and_remembers_empty_sessions(cache: LocalCache) -> None:
    source = StandInBars()
    assert ibkr_daily_gapfill.main(["--tickers", "AAA", "-q"], bars=source) == 0
    assert source.calls == [
        ("AAA", dt.date(2023, 11, 24), dt.date(2023, 11, 24)),
        ("AAA", dt.date(2023, 12, 26), dt.date(2023, 12, 28)),
    ]
    frame, meta = cache.read("ibkr", "AAA")
    assert pd.Timestamp("2023-11-24") in frame.index
    assert frame.loc["2023-12-26", "close"] == pytest.approx(200.0)
    assert pd.Timestamp("2023-12-27") not in frame.index  # the source had nothing
    assert pd.Timestamp("2023-12-28") not in frame.index  # its bar was invalid
    assert pd.Timestamp("2023-12-24") not in frame.index  # fetched Sunday rows are not gaps
    assert meta.extra["unfillable_sessions"] == ["2023-12-27", "2023-12-28"]

    again = StandInBars()
    assert ibkr_daily_gapfill.main(["--tickers", "AAA", "-q"], bars=again) == 0
    assert again.calls == []  # known-empty sessions are not asked again


def test_end_extends_the_check_past_the_last_bar(cache: LocalCache) -> None:
    request = GapfillRequest(
        "ibkr", "ibkr", tickers=("AAA",), end=dt.date(2024, 2, 2), dry_run=True
    )
    (report,) = gapfill(request, NoCalls(), cache)
    assert (str(report.gaps[-1].start), report.gaps[-1].sessions) == ("2024-02-01", 2)


def test_failure_keeps_earlier_fills_and_later_tickers_untouched(
    cache: LocalCache, qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = file_bytes(cache, "BBB")
    assert ibkr_daily_gapfill.main(["-q"], bars=StandInBars(fail_on="BBB")) == 1
    assert "IBKR went away" in capsys.readouterr().err
    assert pd.Timestamp("2023-11-24") in cache.read("ibkr", "AAA")[0].index
    assert file_bytes(cache, "BBB") == before
    (manifest,) = (qe_home / "manifests").glob("run_manifest_*Z_ibkr_daily_gapfill_*.json")
    assert json.loads(manifest.read_text())["status"] == "failed"


def test_nothing_cached_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert ibkr_daily_gapfill.main(["--dry-run"]) == 2
    assert "nothing is cached for source 'ibkr'" in capsys.readouterr().err


def test_runs_as_a_file_from_anywhere_on_the_embedded_data(tmp_path: Path, qe_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--source", "sample", "--tickers", "SPX", "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"QE_HOME": str(qe_home), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "SPX" in done.stdout


def test_new_tickers_are_backfilled_from_start(cache: LocalCache) -> None:
    source = StandInBars()
    argv = ["--tickers", "NEW", "--start", "2024-01-02", "--end", "2024-01-12", "-q"]
    assert ibkr_daily_gapfill.main(argv, bars=source) == 0
    assert source.calls == [("NEW", dt.date(2024, 1, 2), dt.date(2024, 1, 12))]
    frame, meta = cache.read("ibkr", "NEW")
    assert list(frame.index) == list(nyse_sessions("2024-01-02", "2024-01-12"))
    assert meta.extra["filled_by"] == "standin"


def test_uncached_ticker_without_start_is_a_usage_error(
    cache: LocalCache, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ibkr_daily_gapfill.main(["--tickers", "NEW"], bars=NoCalls()) == 2
    assert "NEW not cached for 'ibkr': pass --start" in capsys.readouterr().err


def test_alpaca_provider_needs_its_keys(
    cache: LocalCache, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("APCA_API_KEY_ID", raising=False)
    argv = ["--provider", "alpaca", "--source", "ibkr", "--tickers", "AAA", "-q"]
    assert ibkr_daily_gapfill.main(argv) == 2
    assert "APCA_API_KEY_ID" in capsys.readouterr().err
