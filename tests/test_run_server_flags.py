"""run_server.py without starting a server: its flags, loopback detection and start-up notes."""

from __future__ import annotations

import pytest

from quant_engine import run_server
from quant_engine.api.config import ApiSettings


def test_flags_default_to_the_settings() -> None:
    args = run_server.build_parser().parse_args([])
    assert (args.host, args.port, args.reload, args.quiet) == (None, None, False, False)
    args = run_server.build_parser().parse_args(["--host", "::1", "--port", "8123", "--reload"])
    assert (args.host, args.port, args.reload) == ("::1", 8123, True)


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_bad_port_is_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_server.main(["--port", port]) == 2
    assert "--port" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
     ("0.0.0.0", False), ("192.168.1.5", False), ("example.com", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert run_server.is_loopback(host) is loopback


def test_public_host_warns_even_when_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    run_server.warn_about(ApiSettings(host="0.0.0.0", api_key="k-123456"), quiet=True)
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0" in err
    assert "k-123456" not in err


def test_loopback_without_a_key_notes_how_to_enable_jobs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_server.warn_about(ApiSettings(), quiet=False)
    err = capsys.readouterr().err
    assert "warning" not in err
    assert "set QE_API_API_KEY" in err
    run_server.warn_about(ApiSettings(), quiet=True)
    assert capsys.readouterr().err == ""
