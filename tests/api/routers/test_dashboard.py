"""GET /api/dashboard: the landing page in one call; a broken part is a warning, not a failure."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from quant_engine import config, layout
from quant_engine.models.registry import ModelRegistry
from quant_engine.runs import lookup, store

URL = "/api/dashboard"


def latest_run_id(script: str) -> str:
    path = lookup.find_manifest(layout.manifests_dir(), f"latest:{script}")
    return store.load_manifest(path).run_id


def test_populated_dashboard(populated: Path, client: TestClient) -> None:
    body = client.get(URL).json()
    data = body["data"]
    assert body["meta"]["warnings"] == []
    assert data["as_of"] == config.SAMPLE_END
    assert data["health"] == "ok"
    assert data["active_model"]["version_id"] == ModelRegistry().current_version()
    assert data["active_model"]["active"] is True
    assert data["latest_backtest"]["run_id"] == latest_run_id("run_backtest")
    ranks = [row["rank"] for row in data["top_signals"]]
    assert ranks == list(range(1, min(4, config.API_TOP_SIGNALS) + 1))
    assert data["last_promotion"] is not None
    assert data["cached_tickers"] == 4
    assert data["running_jobs"] == 0


def test_empty_home_gives_an_empty_dashboard(client: TestClient) -> None:
    body = client.get(URL).json()
    assert body["ok"] is True
    assert body["meta"]["warnings"] == []
    data = body["data"]
    assert data["as_of"] is None
    assert data["active_model"] is None
    assert data["latest_backtest"] is None
    assert data["top_signals"] == []
    assert data["last_promotion"] is None
    assert data["cached_tickers"] == 0


def test_a_corrupt_backtest_is_a_warning(home_copy: Path, client: TestClient) -> None:
    manifest = store.load_manifest(
        lookup.find_manifest(layout.manifests_dir(), "latest:run_backtest")
    )
    metrics = next(o for o in manifest.outputs if o.name == "metrics")
    (home_copy / metrics.path).write_text("{not json")
    body = client.get(URL).json()
    assert body["ok"] is True
    assert body["data"]["latest_backtest"] is None
    assert body["data"]["active_model"] is not None  # the other parts are still there
    [warning] = body["meta"]["warnings"]
    assert warning.startswith("backtest: ")
    assert "metrics.json" in warning
