"""/api/backtests: summaries from successful runs, the equity curve, 404 before the first one."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quant_engine import layout
from quant_engine.runs import lookup, store
from quant_engine.runs.manifest import RunManifest


def latest(script: str) -> RunManifest:
    path = lookup.find_manifest(layout.manifests_dir(), f"latest:{script}")
    return store.load_manifest(path)


def output(manifest: RunManifest, name: str) -> Path:
    return layout.data_home() / next(o.path for o in manifest.outputs if o.name == name)


def test_list_has_the_backtest_with_its_settings(populated: Path, client: TestClient) -> None:
    run = latest("run_backtest")
    [summary] = client.get("/api/backtests").json()["data"]
    assert summary["run_id"] == run.run_id
    assert summary["portfolio_rule"] == "top_k"
    assert summary["top_k"] == 2
    assert summary["tickers"] == ["SPX", "COMP", "S0000", "S0001"]
    assert summary["feature_mode"] == run.cli_args["feature_mode"]
    assert summary["cost_bps"] == run.cli_args["cost_bps"]
    report = json.loads(output(run, "metrics").read_text())
    assert summary["metrics"] == report["metrics"]
    assert summary["window"] == [report["period"]["start"], report["period"]["end"]]


def test_latest_has_the_whole_equity_curve(populated: Path, client: TestClient) -> None:
    run = latest("run_backtest")
    detail = client.get("/api/backtests/latest").json()["data"]
    with output(run, "equity_curve").open() as handle:
        rows = list(csv.DictReader(handle))
    curve = detail["equity_curve"]
    assert [p["date"] for p in curve] == [r["date"] for r in rows]
    metrics = detail["summary"]["metrics"]
    assert curve[-1]["equity"] == pytest.approx(1 + metrics["total_return"], rel=1e-9)
    assert max(p["drawdown"] for p in curve) == pytest.approx(metrics["max_drawdown"], rel=1e-9)


def test_detail_has_gross_and_net_the_benchmark_and_ic_by_year(
    populated: Path, client: TestClient
) -> None:
    run = latest("run_backtest")
    detail = client.get("/api/backtests/latest").json()["data"]
    report = json.loads(output(run, "metrics").read_text())
    both = detail["gross_and_net"]
    assert both == report["gross_and_net"]
    assert both["gross"]["mean_return_per_year"] - both["net"]["mean_return_per_year"] == (
        pytest.approx(both["costs_per_year"], rel=1e-9)
    )
    assert detail["benchmark"]["name"] == report["benchmark"]["name"]
    assert detail["benchmark"]["beta"] == report["benchmark"]["beta"]
    assert detail["ic_by_year"] == report.get("ic_by_year", {})
    curve = detail["equity_curve"]
    assert all(p["benchmark"] is not None and p["gross_equity"] is not None for p in curve)
    assert curve[-1]["gross_equity"] >= curve[-1]["equity"]


def test_by_id_and_by_prefix(populated: Path, client: TestClient) -> None:
    run_id = latest("run_backtest").run_id
    by_id = client.get(f"/api/backtests/{run_id}").json()["data"]
    by_prefix = client.get(f"/api/backtests/{run_id[:22]}").json()["data"]
    assert by_id["summary"]["run_id"] == by_prefix["summary"]["run_id"] == run_id


def test_no_backtest_yet_is_404_saying_what_to_run(client: TestClient) -> None:
    for url in ("/api/backtests/latest",):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "no backtest yet: run qe-backtest"
    assert client.get("/api/backtests").json()["data"] == []


def test_a_run_of_another_script_is_not_a_backtest(populated: Path, client: TestClient) -> None:
    run_id = latest("run_train").run_id
    response = client.get(f"/api/backtests/{run_id}")
    assert response.status_code == 404
    assert "is a run_train run, not a backtest" in response.json()["error"]["message"]


def test_a_damaged_equity_curve_is_500_naming_the_file(home_copy: Path, client: TestClient) -> None:
    output(latest("run_backtest"), "equity_curve").write_text("date,equity\nyesterday,abc\n")
    response = client.get("/api/backtests/latest")
    assert response.status_code == 500
    assert "equity_curve.csv" in response.json()["error"]["message"]


def test_the_list_skips_a_damaged_run_with_a_warning(home_copy: Path, client: TestClient) -> None:
    output(latest("run_backtest"), "metrics").unlink()
    body = client.get("/api/backtests").json()
    assert body["data"] == []
    [warning] = body["meta"]["warnings"]
    assert "metrics.json" in warning
