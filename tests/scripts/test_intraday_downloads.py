"""The intraday download scripts: a stand-in source, merging, manifests, and Alpaca on loopback."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from quant_engine.data.intraday import intraday_path, read_intraday
from scripts import alpaca_intraday_download, ibkr_intraday_download

WINDOW = ["--end", "2024-01-03", "--days", "2", "--minutes", "5", "-q"]


class StandInIntraday:
    """Five-minute regular-hours bars for every requested day; one broken bar per day."""

    name = "ibkr"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dt.datetime, dt.datetime, int]] = []

    def fetch_intraday(
        self, ticker: str, start: dt.datetime, end: dt.datetime, minutes: int
    ) -> pd.DataFrame:
        self.calls.append((ticker, start, end, minutes))
        stamps = [
            t
            for day in pd.date_range(start.date(), end.date() - dt.timedelta(days=1), freq="D")
            for t in pd.date_range(
                f"{day.date()} 14:30", f"{day.date()} 20:55", freq="5min", tz="UTC"
            )
        ]
        frame = pd.DataFrame(
            {
                "timestamp": stamps,
                "open": 10.0,
                "high": 11.0,
                "low": 9.0,
                "close": 10.5,
                "volume": 5,
            }
        )
        frame.loc[frame.index[::78], "low"] = 12.0  # low above high: must be dropped
        return frame


def manifests(home: Path, script: str) -> list[dict[str, object]]:
    found = sorted((home / "manifests").glob(f"run_manifest_*Z_{script}_*.json"))
    return [json.loads(p.read_text()) for p in found]


def test_ibkr_download_writes_merges_and_records(qe_home: Path) -> None:
    source = StandInIntraday()
    assert ibkr_intraday_download.main(["--tickers", "AAA,BBB", *WINDOW], source=source) == 0
    bars = read_intraday("ibkr", "AAA", 5)
    assert len(bars) == 2 * 78 - 2  # two days of 78 bars, one broken bar each
    assert str(bars.index.tz) == "UTC"
    assert source.calls[0][1] == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)

    again = ["--tickers", "AAA", "--end", "2024-01-04", "--days", "2", "--minutes", "5", "-q"]
    assert ibkr_intraday_download.main(again, source=StandInIntraday()) == 0
    assert len(read_intraday("ibkr", "AAA", 5)) == 3 * 77  # one new day merged in
    first, second = manifests(qe_home, "ibkr_intraday_download")
    assert first["result"]["bars_dropped"] == 4
    assert second["result"]["bars_added"] == 77


def test_corrupt_intraday_file_fails_clearly(
    qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ibkr_intraday_download.main(["--tickers", "AAA", *WINDOW], source=StandInIntraday()) == 0
    intraday_path("ibkr", "AAA", 5).write_bytes(b"garbage")
    assert ibkr_intraday_download.main(["--tickers", "AAA", *WINDOW], source=StandInIntraday()) == 1
    assert "modified or truncated" in capsys.readouterr().err


def test_alpaca_download_end_to_end_on_loopback(
    httpserver: HTTPServer, qe_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = [
        {
            "bars": [{"t": "2024-01-03T14:30:00Z", "o": 1, "h": 2, "l": 0.5, "c": 1.5, "v": 9}],
            "next_page_token": "next",
        },
        {
            "bars": [{"t": "2024-01-03T14:35:00Z", "o": 1, "h": 2, "l": 0.5, "c": 1.6, "v": 9}],
            "next_page_token": None,
        },
    ]
    httpserver.expect_request("/v2/stocks/AAPL/bars").respond_with_handler(
        lambda request: Response(
            json.dumps(pages[1 if request.args.get("page_token") == "next" else 0]),
            mimetype="application/json",
        )
    )
    monkeypatch.setenv("APCA_API_KEY_ID", "key")
    monkeypatch.setenv("APCA_API_SECRET_KEY", "secret")
    argv = ["--tickers", "AAPL", "--base-url", httpserver.url_for("/"), *WINDOW]
    assert alpaca_intraday_download.main(argv) == 0
    assert list(read_intraday("alpaca", "AAPL", 5)["close"]) == [1.5, 1.6]


def test_alpaca_without_keys_exits_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("APCA_API_KEY_ID", raising=False)
    assert alpaca_intraday_download.main(["--tickers", "AAPL", *WINDOW]) == 2
    assert "APCA_API_KEY_ID" in capsys.readouterr().err


def test_tickers_are_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert ibkr_intraday_download.main(["--minutes", "5"]) == 2
    assert "--tickers" in capsys.readouterr().err
