"""The app as a client sees it: the envelope everywhere, clear errors, body limit, CORS, OpenAPI."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quant_engine.api.config import ApiSettings, load_settings
from quant_engine.api.main import create_app
from quant_engine.errors import DataError, UsageError
from tests.api.api_support import API_KEY, LOCAL_URL, make_jobs

JOBS = "/api/compute/jobs"
AUTH = {"X-API-Key": API_KEY}


def assert_error(response: object, status: int, code: str) -> dict[str, object]:
    """The response is an error envelope with ``status`` and ``code``; returns the error."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["ok"] is False
    assert body["data"] is None
    assert body["error"]["code"] == code
    assert "Traceback" not in response.text  # type: ignore[attr-defined]
    return body["error"]  # type: ignore[no-any-return]


def test_success_envelope_and_request_id(client: TestClient) -> None:
    response = client.get(JOBS)
    body = response.json()
    assert body["ok"] is True
    assert body["error"] is None
    assert body["data"] == []
    assert body["meta"]["request_id"] == response.headers["X-Request-ID"]
    assert body["meta"]["version"]
    assert body["meta"]["elapsed_ms"] >= 0


def test_request_ids_are_unique(client: TestClient) -> None:
    ids = {client.get(JOBS).headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_unknown_route_is_an_enveloped_404(client: TestClient) -> None:
    error = assert_error(client.get("/api/no-such-thing"), 404, "not_found")
    assert error["message"] == "no such endpoint: GET /api/no-such-thing"


def test_wrong_method_is_an_enveloped_405(client: TestClient) -> None:
    assert_error(client.delete(JOBS), 405, "method_not_allowed")


def test_malformed_json_is_422_without_a_stack_trace(client: TestClient) -> None:
    response = client.post(
        JOBS, content=b'{"kind": "backtest",', headers={**AUTH, "Content-Type": "application/json"}
    )
    error = assert_error(response, 422, "validation_error")
    assert "json" in str(error["message"]).lower()
    assert 'File "' not in response.text


def test_invalid_fields_are_listed(client: TestClient) -> None:
    response = client.post(JOBS, json={"kind": "optimise", "years": 0}, headers=AUTH)
    error = assert_error(response, 422, "validation_error")
    locations = {".".join(e["loc"]) for e in error["details"]["errors"]}  # type: ignore[index]
    assert locations == {"body.kind", "body.years"}
    assert "body.kind" in str(error["message"])


def test_unknown_fields_are_refused(client: TestClient) -> None:
    response = client.post(JOBS, json={"kind": "train", "shell": "rm -rf /"}, headers=AUTH)
    error = assert_error(response, 422, "validation_error")
    assert "rm -rf" not in str(error["details"])


def test_body_over_the_limit_by_content_length_is_413(client: TestClient) -> None:
    payload = {"kind": "train", "tags": ["x" * 100] * 100}
    error = assert_error(client.post(JOBS, json=payload, headers=AUTH), 413, "payload_too_large")
    assert "4096 bytes" in str(error["message"])


def test_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> object:
        yield b'{"kind": "train", "tags": ['
        for _ in range(100):
            yield b'"' + b"x" * 100 + b'",'
        yield b'"y"]}'

    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post(JOBS, content=chunks(), headers=headers)  # type: ignore[arg-type]
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_error(response, 413, "payload_too_large")


def test_body_within_the_limit_is_accepted(client: TestClient) -> None:
    assert client.post(JOBS, json={"kind": "train"}, headers=AUTH).status_code == 202


def app_raising(exc: Exception) -> TestClient:
    app = create_app(ApiSettings(), jobs=make_jobs())

    def fail() -> None:
        raise exc

    app.add_api_route("/api/test-failure", fail)
    return TestClient(app, raise_server_exceptions=False, base_url=LOCAL_URL)


def test_unexpected_error_is_500_with_request_id_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="quant_engine.api"):
        response = app_raising(RuntimeError("secret internals at 0xdeadbeef")).get(
            "/api/test-failure"
        )
    error = assert_error(response, 500, "internal_error")
    assert "0xdeadbeef" not in response.text
    assert response.json()["meta"]["request_id"] in str(error["message"])
    assert "0xdeadbeef" in caplog.text  # the server log keeps the details


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (UsageError("bad --years\nsecond line"), 400, "bad_request"),
        (DataError("/data/x.parquet: corrupt"), 500, "internal_error"),
    ],
)
def test_engine_errors_keep_their_one_line_message(exc: Exception, status: int, code: str) -> None:
    response = app_raising(exc).get("/api/test-failure")
    error = assert_error(response, status, code)
    assert error["message"] == str(exc).splitlines()[0]


def test_cors_only_for_configured_origins() -> None:
    origin = "http://localhost:5173"
    preflight = {"Origin": origin, "Access-Control-Request-Method": "GET"}
    allowed = TestClient(
        create_app(ApiSettings(cors_origins=[origin]), jobs=make_jobs()), base_url=LOCAL_URL
    )
    answer = allowed.options(JOBS, headers=preflight)
    assert answer.headers["access-control-allow-origin"] == origin
    closed = TestClient(create_app(ApiSettings(), jobs=make_jobs()), base_url=LOCAL_URL)
    assert "access-control-allow-origin" not in closed.get(JOBS, headers={"Origin": origin}).headers


def test_lifespan_end_shuts_the_job_manager_down() -> None:
    jobs = make_jobs()
    with TestClient(create_app(ApiSettings(), jobs=jobs), base_url=LOCAL_URL):
        assert not jobs.closed
    assert jobs.closed


def test_every_route_answers_with_the_envelope() -> None:
    document = create_app(ApiSettings(), jobs=make_jobs()).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].startswith("#/components/schemas/ApiResponse"), (
                    method,
                    path,
                    status,
                )


@pytest.mark.parametrize(
    ("bound", "host", "status"),
    [
        ("127.0.0.1", "127.0.0.1:8000", 200),
        ("127.0.0.1", "localhost:8000", 200),
        ("127.0.0.1", "[::1]:8000", 200),
        ("127.0.0.1", "rebind.attacker.example", 400),
        ("127.0.0.1", "127.0.0.1.attacker.example:8000", 400),
        ("10.1.2.3", "10.1.2.3:8000", 200),
        ("10.1.2.3", "qe.lan", 400),
    ],
)
def test_requests_must_name_the_server_in_their_host_header(
    bound: str, host: str, status: int
) -> None:
    client = TestClient(create_app(ApiSettings(host=bound), jobs=make_jobs()), base_url=LOCAL_URL)
    assert client.get("/api/runs", headers={"Host": host}).status_code == status


def test_another_host_name_is_allowed_by_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QE_API_ALLOWED_HOSTS", "qe.lan, dash.example")
    client = TestClient(create_app(load_settings(), jobs=make_jobs()), base_url=LOCAL_URL)
    for host in ("qe.lan", "dash.example:8000"):
        assert client.get("/api/runs", headers={"Host": host}).status_code == 200
    assert client.get("/api/runs", headers={"Host": "other.example"}).status_code == 400


def test_head_is_answered_wherever_get_is(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    plain = [p for p, ops in document["paths"].items() if "get" in ops and "{" not in p]
    assert len(plain) >= 8
    for path in plain:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
    assert client.head(JOBS).status_code == 200


def test_path_parameters_declare_what_the_server_accepts() -> None:
    document = create_app(ApiSettings(), jobs=make_jobs()).openapi()
    params = {
        (path, p["name"]): p["schema"].get("pattern")
        for path, operations in document["paths"].items()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if p["in"] == "path"
    }
    assert params, "no path parameters found"
    assert all(pattern for pattern in params.values()), params


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_path_value_the_schema_allows_is_never_a_validation_error(
    populated: Path, client: TestClient, data: st.DataObject
) -> None:
    document = client.get("/api/openapi.json").json()
    templated = sorted(p for p, ops in document["paths"].items() if "get" in ops and "{" in p)
    path = data.draw(st.sampled_from(templated))
    parameters = document["paths"][path]["get"]["parameters"]
    for param in (p for p in parameters if p["in"] == "path"):
        value = data.draw(st.from_regex(param["schema"]["pattern"], fullmatch=True))
        path = path.replace("{" + param["name"] + "}", quote(value, safe=""))
    response = client.get(path)
    message = response.json()["error"]["message"] if response.status_code >= 400 else ""
    assert response.status_code in (200, 404) or "ambiguous" in message, (path, message)


def test_the_dashboard_is_served_at_the_root_and_the_api_keeps_its_paths(
    client: TestClient,
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<div id="app">' in page.text
    script = page.text.split('src="', 1)[1].split('"', 1)[0]
    assert script.startswith("/assets/")
    asset = client.get(script)
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]
    assert_error(client.get("/no-such-page"), 404, "not_found")
    assert client.get("/api/openapi.json").json()["paths"]["/api/code-health"]
    assert "/" not in client.get("/api/openapi.json").json()["paths"]
