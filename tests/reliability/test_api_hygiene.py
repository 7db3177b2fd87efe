"""A real qe-server on loopback against hostile requests: foreign Host names, HEAD, fuzzed paths.

Also: a Kalshi base URL that cannot work fails at once (one line, exit 2), not after retries.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.reliability.server_support import BIN, Server, running_server

FOREIGN_HOSTS = (
    "attacker.example",
    "127.0.0.1.attacker.example",
    "localhost.attacker.example",
    "rebind.example:8000",
    "10.0.0.1",
    "[::2]",
    "0.0.0.0",
    "",
    "local host",
    "xn--80ak6aa92e.com",
)
OWN_HOSTS = ("127.0.0.1", "localhost", "[::1]", "LOCALHOST", "qe.lan")
"""``qe.lan`` is allowed by QE_API_ALLOWED_HOSTS in this campaign."""
HOSTILE_SEGMENTS = (
    "..",
    "%2e%2e%2fetc%2fpasswd",
    "a" * 300,
    "S0001\x00",
    "$(id)",
    "spx;rm",
    "<script>",
    "ünïcode",
    " ",
    "-lead",
    ".hidden",
    "latest:../../x",
)

VALID = {
    "source": "sample",
    "ticker": "SPX",
    "ref": "latest",
    "run_id": "latest",
    "version_id": "m-000000000000",
    "job_id": "j-000000000000",
}
"""A value each path parameter accepts, kept while another parameter of the path is fuzzed."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """qe-server on a free loopback port over an empty data home, allowing ``qe.lan``."""
    env = {
        **os.environ,
        "QE_HOME": str(tmp_path_factory.mktemp("hygiene_home")),
        "QE_API_ALLOWED_HOSTS": "qe.lan",
    }
    with running_server(env, "-q") as found:
        yield found


@pytest.fixture(scope="module")
def document(server: Server) -> dict[str, dict[str, dict[str, object]]]:
    status, body = server.request("GET", "/api/openapi.json")
    assert status == 200
    paths: dict[str, dict[str, dict[str, object]]] = json.loads(body)["paths"]
    return paths


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_a_foreign_host_name_is_refused(server: Server, host: str) -> None:
    for path in ("/api/runs", "/api/system-health", "/api/openapi.json"):
        status, body = server.request("GET", path, host=host)
        assert status == 400, (host, path)
        assert b"run_id" not in body


@pytest.mark.parametrize("host", OWN_HOSTS)
def test_the_servers_own_names_are_answered(server: Server, host: str) -> None:
    assert server.request("GET", "/api/runs", host=host)[0] == 200


def test_head_answers_every_get_route_without_a_body(
    server: Server, document: dict[str, dict[str, dict[str, object]]]
) -> None:
    plain = [path for path, ops in document.items() if "get" in ops and "{" not in path]
    assert len(plain) >= 8
    for path in plain:
        got, _ = server.request("GET", path)
        head, body = server.request("HEAD", path)
        assert (head, body) == (got, b""), path


def test_path_values_outside_the_schema_are_422_and_never_500(
    server: Server, document: dict[str, dict[str, dict[str, object]]]
) -> None:
    templated = [path for path, ops in document.items() if "get" in ops and "{" in path]
    assert len(templated) >= 7
    tried = 0
    for path in templated:
        names = re.findall(r"\{(\w+)\}", path)
        for fuzzed in names:
            for segment in HOSTILE_SEGMENTS:
                values = {name: VALID[name] for name in names} | {fuzzed: segment}
                url = path.format(**{k: quote(v, safe="") for k, v in values.items()})
                status, _ = server.request("GET", url)
                tried += 1
                assert status in (404, 422), (url, status)
    assert tried >= len(templated) * len(HOSTILE_SEGMENTS)


def test_a_kalshi_url_that_cannot_work_fails_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "qe-kalshi-pipeline"), "--base-url", "ftp://127.0.0.1/trade-api/v2"],
        env={**os.environ, "QE_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert time.monotonic() - started < 15  # the retry schedule alone would take 15.5 s
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "must be http:// or https://" in lines[0]
