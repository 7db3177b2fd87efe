"""run_server.py as a user runs it: a real process started from outside the repo, on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from quant_engine import layout

pytestmark = pytest.mark.smoke

STARTUP_TIMEOUT_S = 90.0


@dataclass
class Server:
    """A started server process and where it listens."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(qe_home: Path) -> dict[str, str]:
    env = {**os.environ, "QE_HOME": str(qe_home)}
    for name in ("PYTHONPATH", "QE_API_API_KEY", "QE_API_HOST", "QE_API_PORT"):
        env.pop(name, None)
    return env


def start(argv: list[str], cwd: Path, qe_home: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, str(layout.package_dir() / "run_server.py"), *argv],
            cwd=cwd,
            env=server_env(qe_home),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def wait_until_serving(server: Server) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited {server.process.returncode}:\n{server.log.read_text()}")
        try:
            return httpx.get(f"{server.url}/api/system-health", timeout=30)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"server did not answer in {STARTUP_TIMEOUT_S} s:\n{server.log.read_text()}")


@pytest.fixture
def server(outside_dir: Path, qe_home: Path, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log = tmp_path / "server.log"
    process = start(["--port", str(port)], outside_dir, qe_home, log)
    try:
        yield Server(process, port, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def server_manifests(qe_home: Path) -> list[dict[str, object]]:
    found = sorted((qe_home / "manifests").glob("run_manifest_*_run_server_*.json"))
    return [json.loads(path.read_text()) for path in found]


def test_serves_system_health_then_stops_cleanly_on_sigterm(server: Server, qe_home: Path) -> None:
    response = wait_until_serving(server)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["data"]["status"] in ("ok", "degraded")
    assert response.headers["X-Request-ID"] == body["meta"]["request_id"]

    [manifest] = server_manifests(qe_home)  # written at start-up
    assert manifest["status"] == "running"
    assert manifest["cli_args"]["port"] == server.port  # type: ignore[index]

    refused = httpx.post(f"{server.url}/api/compute/jobs", json={"kind": "train"}, timeout=30)
    assert refused.status_code == 503
    assert "QE_API_API_KEY" in refused.json()["error"]["message"]

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 128 + signal.SIGTERM  # the shell convention
    [manifest] = server_manifests(qe_home)
    assert manifest["status"] == "interrupted"
    assert manifest["resolved"]["host"] == "127.0.0.1"  # type: ignore[index]
    assert manifest["resolved"]["port"] == server.port  # type: ignore[index]
    assert "SIGTERM" in manifest["error"]["message"]  # type: ignore[index]
    log = server.log.read_text()
    assert "Application shutdown complete" in log
    assert "Traceback" not in log


def test_a_busy_port_is_one_clear_line_and_exit_1(
    outside_dir: Path, qe_home: Path, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = tmp_path / "busy.log"
        process = start(["--port", str(port), "-q"], outside_dir, qe_home, log)
        try:
            assert process.wait(timeout=STARTUP_TIMEOUT_S) == 1
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text()
    assert f"could not start on http://127.0.0.1:{port}" in text
    assert "Traceback" not in text
    [manifest] = server_manifests(qe_home)
    assert manifest["status"] == "failed"


def test_help_imports_no_server_libraries(run_cli: object) -> None:
    code = (
        "import sys\n"
        "import quant_engine.run_server as m\n"
        "assert m.main(['--help']) == 0\n"
        "heavy = ('fastapi', 'uvicorn', 'starlette', 'pydantic_settings', 'pandas')\n"
        "print(sorted(x for x in heavy if x in sys.modules))\n"
    )
    done = run_cli(["-c", code])  # type: ignore[operator]
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
