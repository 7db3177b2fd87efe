"""Serve the dashboard's HTTP API on loopback; compute jobs are enabled by QE_API_API_KEY."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if not __package__:  # run as a file: put the package's parent on sys.path, never its folder
    sys.path[:] = [str(Path(__file__).resolve().parents[1])] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
    ]

from quant_engine import cli, config
from quant_engine.entrypoint import RunReport, run_entry_point

if TYPE_CHECKING:
    from quant_engine.api.config import ApiSettings
    from quant_engine.runs.recorder import RunRecorder

APP_FACTORY = "quant_engine.api.main:create_app"
MAX_PORT = 65535


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1..65535."""
    value = cli.positive_int(text)
    if value > MAX_PORT:
        raise argparse.ArgumentTypeError(f"expected a port 1..{MAX_PORT}, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Flags: where to listen, auto-reload for development, and verbosity."""
    parser = cli.new_parser("qe-server", __doc__)
    parser.add_argument(
        "--host",
        default=None,
        help=f"interface to listen on (default: QE_API_HOST, else {config.API_HOST})",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=None,
        help=f"TCP port (default: QE_API_PORT, else {config.API_PORT})",
    )
    parser.add_argument(
        "--reload", action="store_true", help="restart when the code changes (development only)"
    )
    cli.add_verbosity(parser)
    return parser


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def log_level(args: argparse.Namespace) -> str:
    """uvicorn's log level for ``-q`` / default / ``-v``."""
    return "warning" if args.quiet else ("debug" if args.verbose else "info")


def warn_about(settings: ApiSettings, quiet: bool) -> None:
    """Say (on stderr) what a user should know before the server starts; never the key."""
    from quant_engine.api.config import API_KEY_ENV_VAR

    if not is_loopback(settings.host):
        print(
            f"qe-server: warning: listening on {settings.host} exposes the API beyond this "
            "machine; use a firewall or a reverse proxy with TLS",
            file=sys.stderr,
        )
    if not settings.mutations_enabled and not quiet:
        print(
            f"qe-server: compute jobs are disabled: set {API_KEY_ENV_VAR} to enable them",
            file=sys.stderr,
        )


def serve(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Run uvicorn until SIGINT/SIGTERM (the run then ends ``interrupted``)."""
    import os

    from quant_engine.errors import QuantEngineError
    from quant_engine.extras import requires_extra

    with requires_extra("server", "the API server"):
        import uvicorn

        from quant_engine.api.config import ENV_PREFIX, load_settings
        from quant_engine.api.main import create_app

    overrides = {name: value for name, value in (("host", args.host), ("port", args.port)) if value}
    settings = load_settings(**overrides)
    address = f"http://{settings.host}:{settings.port}"
    run.resolve(
        host=settings.host,
        port=settings.port,
        reload=args.reload,
        mutations_enabled=settings.mutations_enabled,
        cors_origins=settings.cors_origins,
        max_body_bytes=settings.max_body_bytes,
        max_concurrent_jobs=settings.max_concurrent_jobs,
        app=APP_FACTORY,
    )
    warn_about(settings, args.quiet)
    try:
        if args.reload:  # the reloader's worker process rebuilds the app from the environment
            os.environ[f"{ENV_PREFIX}HOST"] = settings.host
            os.environ[f"{ENV_PREFIX}PORT"] = str(settings.port)
            uvicorn.run(
                APP_FACTORY,
                factory=True,
                host=settings.host,
                port=settings.port,
                reload=True,
                reload_dirs=[str(Path(__file__).resolve().parent)],
                log_level=log_level(args),
            )
        else:
            app = create_app(settings)
            uvicorn_config = uvicorn.Config(
                app, host=settings.host, port=settings.port, log_level=log_level(args)
            )
            uvicorn.Server(uvicorn_config).run()
    except SystemExit as exc:  # uvicorn exits when it cannot bind or start up
        raise QuantEngineError(
            f"the server could not start on {address} (exit {exc.code}; see the log above)"
        ) from None
    return RunReport(title="server stopped", rows={"address": address})


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-server``."""
    return run_entry_point("run_server", build_parser, argv, serve)


if __name__ == "__main__":
    raise SystemExit(main())
