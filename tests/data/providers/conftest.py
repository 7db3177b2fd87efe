"""Fixtures of the provider tests: a real PostgreSQL with a CRSP-like sample, WRDS_* set."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.data.providers.crsp_fixture import (
    SKIP_REASON,
    CrspDatabase,
    create_database,
    shared_server,
)

_NAMES = itertools.count()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One PostgreSQL server for the session (pgserver's binaries; works as root too)."""
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    server = shared_server(tmp_path_factory.getbasetemp())
    yield server
    server.cleanup()


@pytest.fixture
def crsp_db(pg_server: Any, monkeypatch: pytest.MonkeyPatch) -> CrspDatabase:
    """A fresh database holding release 1 of the sample; WRDS_* point at it, no password set."""
    database = create_database(pg_server, f"crsp_{next(_NAMES)}")
    for name, value in database.env().items():
        monkeypatch.setenv(name, value)
    for name in ("WRDS_PASSWORD", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return database
