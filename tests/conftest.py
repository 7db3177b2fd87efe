"""Shared fixtures: every test gets its own data home, so nothing touches the repo's .qe_home."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.data.providers.crsp_fixture import CrspDatabase

_DATABASE_NAMES = itertools.count()


@pytest.fixture(autouse=True)
def root_logging() -> Iterator[None]:
    """Restore the root logger after each test: an entry point run in-process sets its level
    (ERROR with ``--quiet``) and handlers, which would hide later tests' warnings."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


@pytest.fixture(autouse=True)
def qe_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point QE_HOME at a fresh temporary folder for the duration of one test."""
    home = tmp_path / "qe_home"
    home.mkdir()
    monkeypatch.setenv("QE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One real PostgreSQL server for the session (pgserver's binaries; works as root too)."""
    from tests.data.providers.crsp_fixture import SKIP_REASON, shared_server

    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    server = shared_server(tmp_path_factory.getbasetemp())
    yield server
    server.cleanup()


@pytest.fixture
def crsp_db(pg_server: Any, monkeypatch: pytest.MonkeyPatch) -> CrspDatabase:
    """A fresh database with release 1 of the CRSP-like sample; WRDS_* point at it, no password."""
    from tests.data.providers.crsp_fixture import create_database

    database = create_database(pg_server, f"crsp_{next(_DATABASE_NAMES)}")
    for name, value in database.env().items():
        monkeypatch.setenv(name, value)
    for name in ("WRDS_PASSWORD", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return database
