"""/api/signals: the ranked scores of prediction runs, best first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

from quant_engine import config, layout
from quant_engine.runs import lookup, store


def latest_predict() -> store.RunManifest:
    path = lookup.find_manifest(layout.manifests_dir(), "latest:run_predict")
    return store.load_manifest(path)


def test_latest_signal_matches_the_predictions_file(populated: Path, client: TestClient) -> None:
    run = latest_predict()
    data = client.get("/api/signals/latest").json()["data"]
    parquet = next(o.path for o in run.outputs if o.name == "predictions_parquet")
    expected = pd.read_parquet(layout.data_home() / parquet).sort_values("rank")
    assert [r["ticker"] for r in data["rows"]] == expected["ticker"].tolist()
    assert [r["rank"] for r in data["rows"]] == [1, 2, 3, 4]
    scores = [r["score"] for r in data["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert data["model_version"] == run.model_version
    assert data["run_id"] == run.run_id
    assert data["as_of"] == config.SAMPLE_END
    assert data["horizon_days"] == config.LABEL_HORIZON_DAYS
    assert data["feature_mode"] == run.cli_args["feature_mode"]


def test_limit_keeps_the_best_rows(populated: Path, client: TestClient) -> None:
    rows = client.get("/api/signals/latest", params={"limit": 2}).json()["data"]["rows"]
    assert [r["rank"] for r in rows] == [1, 2]
    assert client.get("/api/signals/latest", params={"limit": 0}).status_code == 422


def test_by_run_id(populated: Path, client: TestClient) -> None:
    run_id = latest_predict().run_id
    assert client.get(f"/api/signals/{run_id}").json()["data"]["run_id"] == run_id


def test_no_signals_yet_is_404_saying_what_to_run(client: TestClient) -> None:
    response = client.get("/api/signals/latest")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "no signals yet: run qe-predict"
