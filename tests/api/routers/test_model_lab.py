"""/api/models: registry versions as the model lab shows them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from quant_engine.models.registry import ModelRegistry


def test_versions_match_the_registry(populated: Path, client: TestClient) -> None:
    data = client.get("/api/models").json()["data"]
    registry = ModelRegistry()
    [meta] = registry.versions()
    [version] = data["versions"]
    assert data["active_version_id"] == registry.current_version() == meta.version_id
    assert version["version_id"] == meta.version_id
    assert version["active"] is True
    assert version["feature_mode"] == meta.feature_mode
    assert version["train_start"] == meta.train_start
    assert version["tickers"] == meta.tickers
    assert version["oos"]["n_obs"] == meta.metrics.n_obs > 0
    assert version["oos"]["ic"] == meta.metrics.ic
    assert version["data_digest"] == meta.data_digest


def test_one_version_by_id(populated: Path, client: TestClient) -> None:
    version_id = ModelRegistry().current_version()
    data = client.get(f"/api/models/{version_id}").json()["data"]
    assert data["version_id"] == version_id


def test_unknown_version_is_404_listing_the_known_ones(populated: Path, client: TestClient) -> None:
    response = client.get("/api/models/m-000000000000")
    assert response.status_code == 404
    assert ModelRegistry().current_version() in response.json()["error"]["message"]


def test_a_path_that_is_not_a_version_id_is_422_naming_it(client: TestClient) -> None:
    response = client.get("/api/models/latest")
    assert response.status_code == 422
    assert "path.version_id" in response.json()["error"]["message"]


def test_empty_registry(client: TestClient) -> None:
    assert client.get("/api/models").json()["data"] == {"versions": [], "active_version_id": None}
