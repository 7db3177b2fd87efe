"""WRDS / CRSP over PostgreSQL with psycopg: connection settings from the environment, queries.

We talk to WRDS's PostgreSQL directly rather than through the ``wrds`` package, which pins old
pandas and prompts for a password when a connection fails. Settings: ``WRDS_USERNAME``
(required), ``WRDS_PASSWORD`` (else libpq's ``PGPASSWORD`` or a ``~/.pgpass`` entry), and
``WRDS_PGHOST`` / ``WRDS_PGPORT`` / ``WRDS_PGDATABASE`` / ``WRDS_PGSSLMODE`` overriding the config
defaults (a local server in tests). Nothing ever prompts, and the password is never logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from quant_engine import config
from quant_engine.data.providers.base import env_int, env_text, require_env
from quant_engine.data.providers.crsp import DAILY_COLUMNS, CrspLayout
from quant_engine.errors import DataError, MissingCredentialError, error_line
from quant_engine.extras import requires_extra
from quant_engine.utils.closing import ClosesOnExit

__all__ = ["ENV_PASSWORD", "ENV_USERNAME", "WrdsClient", "WrdsSettings", "compact_names"]

logger = logging.getLogger("quant_engine.data")

ENV_USERNAME = "WRDS_USERNAME"
ENV_PASSWORD = "WRDS_PASSWORD"
ENV_HOST, ENV_PORT, ENV_DATABASE, ENV_SSLMODE = (
    "WRDS_PGHOST",
    "WRDS_PGPORT",
    "WRDS_PGDATABASE",
    "WRDS_PGSSLMODE",
)
_NO_PASSWORD_MARKERS = ("no password supplied", "password authentication failed")


@dataclass(frozen=True)
class WrdsSettings:
    """Where and as whom to connect; ``password`` is excluded from repr and every message."""

    user: str
    host: str = config.WRDS_HOST
    port: int = config.WRDS_PORT
    dbname: str = config.WRDS_DATABASE
    sslmode: str = config.WRDS_SSLMODE
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> WrdsSettings:
        """Read the settings; MissingCredentialError (exit 2) naming WRDS_USERNAME if unset."""
        return cls(
            user=require_env(ENV_USERNAME, "the WRDS refresh (your WRDS account name)"),
            host=env_text(ENV_HOST, config.WRDS_HOST),
            port=env_int(ENV_PORT, config.WRDS_PORT),
            dbname=env_text(ENV_DATABASE, config.WRDS_DATABASE),
            sslmode=env_text(ENV_SSLMODE, config.WRDS_SSLMODE),
            password=os.environ.get(ENV_PASSWORD) or None,
        )

    def describe(self) -> str:
        """``user@host:port/dbname`` for logs and manifests (never the password)."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


def scrub(text: str, secret: str | None) -> str:
    """``text`` with any occurrence of ``secret`` masked."""
    return text.replace(secret, "***") if secret else text


def compact_names(records: Iterable[tuple[str, Any, Any]]) -> list[dict[str, str]]:
    """Merge consecutive (ticker, first, last) name records with the same ticker."""
    merged: list[dict[str, str]] = []
    for ticker, first, last in records:
        first_text = str(first) if first is not None else ""
        last_text = str(last) if last is not None else ""
        if merged and merged[-1]["ticker"] == ticker:
            merged[-1]["last"] = max(merged[-1]["last"], last_text)
        else:
            merged.append({"ticker": ticker, "first": first_text, "last": last_text})
    return merged


class WrdsClient(ClosesOnExit):
    """Read-only CRSP queries on one connection; use as a context manager."""

    def __init__(self, connection: Any, layout: CrspLayout) -> None:
        self.connection = connection
        self.layout = layout

    @classmethod
    def connect(cls, settings: WrdsSettings, layout: CrspLayout) -> WrdsClient:
        """Open a read-only session; a clear one-line error (never a prompt) when that fails."""
        with requires_extra("wrds", "the WRDS refresh"):
            import psycopg
        try:
            connection = psycopg.connect(
                host=settings.host,
                port=settings.port,
                dbname=settings.dbname,
                user=settings.user,
                password=settings.password,
                sslmode=settings.sslmode,
                connect_timeout=config.WRDS_CONNECT_TIMEOUT_S,
                application_name="quant_engine",
            )
        except psycopg.OperationalError as exc:
            text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            detail = scrub(text or type(exc).__name__, settings.password)
            if any(marker in detail for marker in _NO_PASSWORD_MARKERS):
                raise MissingCredentialError(
                    f"{ENV_PASSWORD} is not set or wrong (nor PGPASSWORD or a ~/.pgpass entry) "
                    f"for {settings.describe()}"
                ) from None
            raise DataError(f"cannot connect to WRDS at {settings.describe()}: {detail}") from None
        connection.read_only = True
        connection.autocommit = True
        logger.info("connected to %s (CRSP layout %s)", settings.describe(), layout.name)
        return cls(connection, layout)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def query(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run one parameterised query; a database error names the layout and the table."""
        import psycopg

        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        except psycopg.Error as exc:
            first = error_line(exc)
            raise DataError(f"CRSP query failed (layout {self.layout.name}): {first}") from None

    def resolve(self, tickers: Sequence[str]) -> dict[str, int]:
        """Ticker -> the permno that carried it most recently (tickers CRSP lacks are absent)."""
        rows = self.query(self.layout.names_sql, {"tickers": list(tickers)})
        latest: dict[str, tuple[dt.date, dt.date, int]] = {}
        far = dt.date.max
        for ticker, permno, first, last in rows:
            key = (last or far, first or dt.date.min, int(permno))
            if ticker not in latest or key > latest[ticker]:
                latest[ticker] = key
        return {ticker: key[2] for ticker, key in latest.items()}

    def ticker_history(self, permnos: Sequence[int]) -> dict[int, list[dict[str, str]]]:
        """Each permno's tickers over time, consecutive records of one ticker merged."""
        rows = self.query(self.layout.history_sql, {"permnos": list(permnos)})
        grouped: dict[int, list[tuple[str, Any, Any]]] = {}
        for permno, ticker, first, last in rows:
            grouped.setdefault(int(permno), []).append((str(ticker), first, last))
        return {permno: compact_names(records) for permno, records in grouped.items()}

    def daily_rows(self, starts: Mapping[int, dt.date], end: dt.date) -> pd.DataFrame:
        """Raw daily rows (``crsp.DAILY_COLUMNS``) of each permno from its start to ``end``."""
        permnos = sorted(starts)
        params = {"permnos": permnos, "starts": [starts[p] for p in permnos], "end": end}
        rows = self.query(self.layout.daily_sql, params) if permnos else []
        return pd.DataFrame.from_records(rows, columns=list(DAILY_COLUMNS))

    def delistings(self, permnos: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Real delistings (date, code, return) of ``permnos``, where the layout has a table."""
        if self.layout.delist_sql is None or not permnos:
            return {}
        rows = self.query(self.layout.delist_sql, {"permnos": list(permnos)})
        return {
            int(permno): {
                "date": str(day),
                "code": code,
                "ret": float(ret) if ret is not None else None,
            }
            for permno, day, code, ret in rows
        }
