"""Request dependencies: the API key (needed to mutate, never echoed) and the list limit."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from quant_engine import config
from quant_engine.api import deps
from quant_engine.api.config import ApiSettings
from quant_engine.api.main import create_app
from tests.api.api_support import API_KEY, LOCAL_URL, make_jobs

JOBS = "/api/compute/jobs"
BODY = {"kind": "train"}


def test_without_a_configured_key_mutations_are_disabled() -> None:
    with TestClient(create_app(ApiSettings(), jobs=make_jobs()), base_url=LOCAL_URL) as client:
        response = client.post(JOBS, json=BODY, headers={"X-API-Key": "anything"})
        assert response.status_code == 503
        assert "QE_API_API_KEY" in response.json()["error"]["message"]
        assert client.get(JOBS).status_code == 200  # reads stay open


def test_missing_key_is_401(client: TestClient) -> None:
    response = client.post(JOBS, json=BODY)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert "X-API-Key" in response.json()["error"]["message"]


@pytest.mark.parametrize("wrong", ["nope", API_KEY[:-1], API_KEY + "x", API_KEY.upper()])
def test_wrong_key_is_403_and_never_echoed(wrong: str, client: TestClient) -> None:
    response = client.post(JOBS, json=BODY, headers={"X-API-Key": wrong})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert wrong not in response.text
    assert API_KEY not in response.text


def test_right_key_is_accepted(client: TestClient) -> None:
    response = client.post(JOBS, json=BODY, headers={"X-API-Key": API_KEY})
    assert response.status_code == 202
    assert response.json()["data"]["status"] in ("queued", "running", "succeeded")


def test_auth_is_checked_before_the_fields(client: TestClient) -> None:
    response = client.post(JOBS, json={"kind": "optimise", "years": -1})
    assert response.status_code == 401


def test_comparison_is_constant_time(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = deps.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(deps.hmac, "compare_digest", spy)
    client.post(JOBS, json=BODY, headers={"X-API-Key": "guess"})
    assert calls == [(b"guess", API_KEY.encode())]


def test_key_never_reaches_the_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client.post(JOBS, json=BODY, headers={"X-API-Key": API_KEY})
        client.post(JOBS, json=BODY, headers={"X-API-Key": "wrong-key-123"})
    assert caplog.records  # the request log lines were captured
    assert API_KEY not in caplog.text
    assert "wrong-key-123" not in caplog.text


@pytest.mark.parametrize("url", ["/api/backtests", "/api/autopilot"])
@pytest.mark.parametrize("limit", [0, config.API_MAX_LIST_LIMIT + 1])
def test_a_list_limit_outside_its_range_is_422_naming_it(
    client: TestClient, url: str, limit: int
) -> None:
    response = client.get(url, params={"limit": limit})
    assert response.status_code == 422
    assert "limit" in response.text
