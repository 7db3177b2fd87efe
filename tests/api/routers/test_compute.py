"""/api/compute/jobs: submit (with the key), poll, list; bad requests are refused up front."""

from __future__ import annotations

from fastapi.testclient import TestClient

from quant_engine.api.config import ApiSettings
from quant_engine.api.main import create_app
from tests.api.api_support import API_KEY, LOCAL_URL, make_jobs, quick_command

URL = "/api/compute/jobs"
AUTH = {"X-API-Key": API_KEY}


def test_submit_then_poll(client: TestClient) -> None:
    body = {"kind": "backtest", "portfolio_rule": "top_k", "tags": ["nightly"]}
    response = client.post(URL, json=body, headers=AUTH)
    assert response.status_code == 202
    job = response.json()["data"]
    assert job["kind"] == "backtest"
    assert job["request"]["tags"] == ["nightly"]
    assert job["request"]["portfolio_rule"] == "top_k"
    polled = client.get(f"{URL}/{job['job_id']}").json()["data"]
    assert polled["job_id"] == job["job_id"]
    assert polled["submitted_at"] == job["submitted_at"]


def test_list_is_newest_first(client: TestClient) -> None:
    ids = [client.post(URL, json={"kind": "train"}, headers=AUTH).json()["data"]["job_id"]]
    ids.append(client.post(URL, json={"kind": "train"}, headers=AUTH).json()["data"]["job_id"])
    assert [j["job_id"] for j in client.get(URL).json()["data"]] == ids[::-1]


def test_unknown_job_is_404(client: TestClient) -> None:
    response = client.get(f"{URL}/j-000000000000")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "no job 'j-000000000000' on this server"


def test_requests_the_engine_cannot_run_are_400(client: TestClient) -> None:
    cases = [
        ({"kind": "train", "portfolio_rule": "top_k"}, "portfolio_rule applies to backtest"),
        ({"kind": "train", "tickers": ["SPX", "not a ticker"]}, "tickers: not a ticker symbol"),
    ]
    for body, text in cases:
        response = client.post(URL, json=body, headers=AUTH)
        assert response.status_code == 400
        assert text in response.json()["error"]["message"]
    assert client.get(URL).json()["data"] == []  # nothing was queued


def test_a_full_queue_is_429() -> None:
    jobs = make_jobs(quick_command("import time; time.sleep(30)"), max_queued_jobs=0)
    app = create_app(ApiSettings(api_key=API_KEY), jobs=jobs)
    with TestClient(app, base_url=LOCAL_URL) as client:
        assert client.post(URL, json={"kind": "train"}, headers=AUTH).status_code == 202
        response = client.post(URL, json={"kind": "train"}, headers=AUTH)
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "too_many_requests"
