"""A real qe-server on a free loopback port, for the reliability tests that talk HTTP to it."""

from __future__ import annotations

import contextlib
import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
"""Where the console scripts of this environment live."""
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Server:
    """A running qe-server: its port, its process, and (once stopped) everything it printed."""

    port: int
    process: subprocess.Popen[bytes]
    output: list[bytes] = field(default_factory=list)

    def request(self, method: str, path: str, host: str | None = None) -> tuple[int, bytes]:
        """(status, body) of one request; ``host`` overrides the Host header."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.putrequest(method, path, skip_host=True)
            conn.putheader("Host", f"127.0.0.1:{self.port}" if host is None else host)
            conn.endheaders()
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(env: Mapping[str, str], *flags: str) -> Iterator[Server]:
    """Start qe-server with ``env``, wait until it answers, stop it on exit."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "qe-server"), "--port", str(port), *flags],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Server(port, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                server.request("GET", "/api/system-health")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            out, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        server.output.append(out)
