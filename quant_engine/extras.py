"""Optional extras: the modules each one brings, and the one-line error when one is missing.

Code that needs an extra imports it inside ``with requires_extra("server", "qe-server"):``; a
missing module of that extra becomes a :class:`MissingExtraError` (exit 2) with the exact
install command, any other import failure propagates unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from quant_engine.errors import UsageError

EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "server": ("fastapi", "starlette", "uvicorn", "pydantic_settings", "httpx"),
    "wrds": ("psycopg",),
    "ibkr": ("ib_async",),
    "alpaca": ("httpx",),
    "kalshi": ("httpx",),
    "dask": ("dask", "distributed"),
    "audit": ("networkx", "grimp", "radon", "importlinter"),
}
"""Top-level modules each optional extra of the package installs (pyproject.toml)."""


class MissingExtraError(UsageError):
    """A command needs an optional extra that is not installed; the message says what to run."""


def install_command(extra: str) -> str:
    """The command that installs ``extra``, e.g. ``pip install 'quant_engine[server]'``."""
    return f"pip install 'quant_engine[{extra}]'"


@contextmanager
def requires_extra(extra: str, what: str) -> Iterator[None]:
    """Turn a missing module of ``extra`` into one line: ``what`` needs it, and how to install."""
    modules = EXTRA_MODULES[extra]
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in modules:
            raise
        raise MissingExtraError(
            f"{what} needs the optional '{extra}' extra ({missing} is not installed): "
            f"{install_command(extra)}"
        ) from None
