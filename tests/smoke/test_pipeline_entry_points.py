"""The data-pipeline entry points and scripts, run as a user would, from outside the repo."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from quant_engine import layout
from tests.data.providers.crsp_fixture import CrspDatabase
from tests.kalshi.kalshi_fixture import SERIES, WINDOW, serve_kalshi

pytestmark = pytest.mark.smoke

Runner = Callable[..., subprocess.CompletedProcess[str]]

WRDS_ARGS = ["--tickers", "SPLT,MIDP,NEWT,DLST", "--start", "2022-01-03", "--crsp-layout", "dsf"]


def only_manifest(home: Path, script: str) -> dict[str, Any]:
    (path,) = sorted((home / "manifests").glob(f"run_manifest_*_{script}_*.json"))
    manifest: dict[str, Any] = json.loads(path.read_text())
    return manifest


def test_wrds_refresh_as_a_file(crsp_db: CrspDatabase, run_cli: Runner, qe_home: Path) -> None:
    script = str(layout.package_dir() / "run_wrds_daily_refresh.py")
    done = run_cli([script, *WRDS_ARGS, "--end", "2023-12-29", "--quiet"])
    assert done.returncode == 0, done.stderr
    manifest = only_manifest(qe_home, "run_wrds_daily_refresh")
    assert manifest["status"] == "success"
    assert (layout.cache_dir("wrds") / "SPLT.parquet").is_file()


def test_wrds_refresh_without_credentials_names_the_variable(
    run_cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WRDS_USERNAME", raising=False)
    done = run_cli(["-m", "quant_engine.run_wrds_daily_refresh", *WRDS_ARGS])
    assert done.returncode == 2
    assert "WRDS_USERNAME" in done.stderr
    assert "Traceback" not in done.stderr


def test_kalshi_pipeline_as_a_file(httpserver: HTTPServer, run_cli: Runner, qe_home: Path) -> None:
    script = str(layout.package_dir() / "run_kalshi_event_pipeline.py")
    base = serve_kalshi(httpserver)
    argv = ["--base-url", base, "--series", SERIES, "--start", WINDOW[0], "--end", WINDOW[1]]
    done = run_cli([script, *argv, "--quiet"])
    assert done.returncode == 0, done.stderr
    assert only_manifest(qe_home, "run_kalshi_event_pipeline")["status"] == "success"


def test_gapfill_dry_run_on_the_embedded_data(run_cli: Runner, qe_home: Path) -> None:
    warm = "from quant_engine.data import load_universe; load_universe(['SPX', 'S0001'], 2)"
    assert run_cli(["-c", warm]).returncode == 0
    script = str(layout.repo_root() / "scripts" / "ibkr_daily_gapfill.py")
    done = run_cli([script, "--dry-run", "--source", "sample"], COLUMNS="200")
    assert done.returncode == 0, done.stderr
    assert "S0001" in done.stdout
    assert only_manifest(qe_home, "ibkr_daily_gapfill")["status"] == "success"
    assert os.listdir(layout.cache_dir("sample"))  # nothing removed by a dry run
