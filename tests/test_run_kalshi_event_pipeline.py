"""qe-kalshi-pipeline end to end against a Kalshi-shaped loopback server: manifest and cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from quant_engine import layout, run_kalshi_event_pipeline
from quant_engine.data.calendar import nyse_sessions
from tests.kalshi.kalshi_fixture import PREFIX, SERIES, WINDOW, serve_kalshi

SCRIPT = "run_kalshi_event_pipeline"


def manifests(home: Path) -> list[dict[str, Any]]:
    found = sorted((home / "manifests").glob(f"run_manifest_*_{SCRIPT}_*.json"))
    return [json.loads(p.read_text()) for p in found]


def argv(base: str) -> list[str]:
    return ["--base-url", base, "--series", SERIES, "--start", WINDOW[0], "--end", WINDOW[1]]


def test_run_writes_cache_and_manifest_with_counts(
    httpserver: HTTPServer, qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_kalshi_event_pipeline.main(argv(serve_kalshi(httpserver))) == 0
    assert "2 events, 6 markets" in capsys.readouterr().out
    (manifest,) = manifests(qe_home)
    assert manifest["status"] == "success"
    result = manifest["result"]
    assert (result["series"], result["events"], result["markets"]) == (1, 2, 6)
    assert result["candles"] > 1000
    # every session up to the March decision day (decided 18:00 UTC, before that day's close)
    assert result["sessions_with_features"] == len(nyse_sessions(WINDOW[0], "2024-03-19"))
    names = {o["name"] for o in manifest["outputs"]}
    assert f"{SERIES}:features" in names
    assert all(o["exists"] and o["sha256"] for o in manifest["outputs"])
    assert (layout.kalshi_cache_dir() / "features" / f"{SERIES}.parquet").is_file()


def test_malformed_response_exits_1_and_writes_nothing(
    httpserver: HTTPServer, qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_oneshot_request(f"{PREFIX}/historical/markets").respond_with_json(
        {"markets": "nope"}
    )
    assert run_kalshi_event_pipeline.main([*argv(serve_kalshi(httpserver)), "-q"]) == 1
    assert "malformed response" in capsys.readouterr().err
    (manifest,) = manifests(qe_home)
    assert manifest["status"] == "failed"
    assert not layout.kalshi_cache_dir().exists()


def test_bad_series_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_kalshi_event_pipeline.main(["--series", "bad series!"]) == 2
    assert "--series" in capsys.readouterr().err


def test_help_names_only_its_own_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_kalshi_event_pipeline.build_parser().parse_args(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--years" not in out  # --start is not said to override a flag it does not have
    assert "--seed" not in out
    assert "days before --end" in out
    assert "(default: KXFED,KXCPI)" in out
