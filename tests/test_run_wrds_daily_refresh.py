"""qe-wrds-refresh end to end against a real PostgreSQL: manifest, report, resume, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from quant_engine import run_wrds_daily_refresh
from quant_engine.data import LocalCache
from tests.data.cache_faults import fail_cache_writes
from tests.data.providers.crsp_fixture import (
    CrspDatabase,
)

SCRIPT = "run_wrds_daily_refresh"
ARGS = ["--tickers", "SPLT,MIDP,NEWT,DLST", "--start", "2022-01-03", "--crsp-layout", "dsf"]


def manifests(home: Path) -> list[dict[str, Any]]:
    found = sorted((home / "manifests").glob(f"run_manifest_*_{SCRIPT}_*.json"))
    return [json.loads(p.read_text()) for p in found]


def test_two_refreshes_leave_manifests_with_range_and_counts(
    crsp_db: CrspDatabase, qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_wrds_daily_refresh.main([*ARGS, "--end", "2023-12-29", "-q"]) == 0
    crsp_db.load_release(2)
    assert run_wrds_daily_refresh.main([*ARGS, "--end", "2023-12-30", "-q"]) == 0
    first, second = sorted(manifests(qe_home), key=lambda m: m["started_at"])
    assert first["status"] == second["status"] == "success"
    assert first["result"]["tickers_refreshed"] == 4
    assert first["result"]["refresh_start"] == "2022-01-03"
    assert first["result"]["refresh_end"] == "2023-12-29"
    assert second["result"]["tickers_refreshed"] == 3  # DLST delisted: nothing new
    assert second["result"]["rows_added"] == 3 * 19
    assert second["result"]["refresh_start"] == "2023-02-28"  # DLST's last day, then 03-31
    report = next(o for o in second["outputs"] if o["name"] == "refresh_report")
    table = pd.read_csv(qe_home / report["path"])
    assert table.set_index("ticker").loc["SPLT", "fetched_from"] == "2023-03-31"
    assert set(LocalCache().tickers("wrds")) == {"SPLT", "MIDP", "NEWT", "DLST"}


def test_all_cached_and_resume_skip_fresh_tickers(crsp_db: CrspDatabase, qe_home: Path) -> None:
    assert run_wrds_daily_refresh.main([*ARGS, "--end", "2023-12-29", "-q"]) == 0
    assert (
        run_wrds_daily_refresh.main(
            ["--all-cached", "--end", "2023-12-29", "-q", "--crsp-layout", "dsf"]
        )
        == 0
    )
    latest = max(manifests(qe_home), key=lambda m: m["started_at"])
    assert latest["result"]["fresh"] == 4
    assert latest["result"]["rows_added"] == 0


def test_missing_username_exits_2_naming_it(
    crsp_db: CrspDatabase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WRDS_USERNAME")
    assert run_wrds_daily_refresh.main([*ARGS, "-q"]) == 2
    err = capsys.readouterr().err
    assert "WRDS_USERNAME" in err
    assert "Traceback" not in err


def test_password_never_reaches_output_or_manifest(
    crsp_db: CrspDatabase,
    qe_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "hunter2-very-secret"
    monkeypatch.setenv("WRDS_PASSWORD", secret)  # trust auth accepts it; it must stay hidden
    assert run_wrds_daily_refresh.main([*ARGS, "--end", "2023-12-29", "-vv"]) == 0
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
    for path in (qe_home / "manifests").rglob("*.json"):
        assert secret not in path.read_text()


def test_unknown_tickers_only_exit_2(
    crsp_db: CrspDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_wrds_daily_refresh.main(["--tickers", "NOPE,NADA", "--crsp-layout", "dsf"]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_failure_exits_1_with_partial_counts_in_the_manifest(
    crsp_db: CrspDatabase, qe_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_cache_writes(monkeypatch, "NEWT")
    assert run_wrds_daily_refresh.main([*ARGS, "--end", "2023-12-29", "-q"]) == 1
    (manifest,) = manifests(qe_home)
    assert manifest["status"] == "failed"
    assert manifest["result"]["tickers_refreshed"] == 2  # SPLT and MIDP were written
    assert not LocalCache().has("wrds", "NEWT")


def test_without_tickers_or_a_cache_exits_2_naming_tickers(
    qe_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_wrds_daily_refresh.main(["-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qe-wrds-refresh: error: ")
    assert "--tickers" in err
    assert not (qe_home / "cache" / "wrds").exists()


def test_without_tickers_the_cached_ones_are_refreshed(
    crsp_db: CrspDatabase, qe_home: Path
) -> None:
    assert run_wrds_daily_refresh.main([*ARGS, "--end", "2023-12-29", "-q"]) == 0
    assert run_wrds_daily_refresh.main(["--end", "2023-12-29", "-q", "--crsp-layout", "dsf"]) == 0
    latest = max(manifests(qe_home), key=lambda m: m["started_at"])
    assert sorted(latest["resolved"]["tickers"]) == ["DLST", "MIDP", "NEWT", "SPLT"]


def test_help_offers_no_seed_and_no_synthetic_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_wrds_daily_refresh.build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    assert "--seed" not in out
    assert "S0000" not in out
