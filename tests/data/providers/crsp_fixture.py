"""A real PostgreSQL (pgserver's binaries) holding a small CRSP-like schema, for the WRDS tests.

The sample has four securities and three "releases" (CRSP re-publishes its whole history):

- permno 10001 ``SPLT``: a 2:1 split on 2023-02-15; release 3 adds another on 2023-05-15,
  which re-bases every earlier cumulative factor (as CRSP does);
- permno 10002 ``MIDP``: negative prices (bid/ask midpoints), a day without a price, a day whose
  askhi is below the price, missing opens;
- permno 10003 ``NEWT``: traded as ``OLDT`` until 2023-02-01, then renamed; permno 10005 took
  the ``OLDT`` symbol from 2023-03-01 (ticker reuse);
- permno 10004 ``DLST``: delisted on 2023-02-28 (code 500, delisting return -30%).

Release 1 ends 2023-03-31, release 2 adds April, release 3 adds May (and the new split).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from quant_engine.data.calendar import nyse_sessions

with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR when importing
    warnings.simplefilter("ignore")
    try:
        import psycopg
        from pgserver.postgres_server import get_server

        SKIP_REASON = ""
    except ImportError as exc:  # pragma: no cover - reported as a skip
        SKIP_REASON = f"no local PostgreSQL for the WRDS tests: {exc} (pip install pgserver)"

RELEASE_END = {1: "2023-03-31", 2: "2023-04-28", 3: "2023-05-31"}
FIRST_DAY = "2023-01-03"
SPLITS = {1: ("2023-02-15",), 2: ("2023-02-15",), 3: ("2023-02-15", "2023-05-15")}
DELIST_DAY = "2023-02-28"
REUSE_DAY = "2023-03-01"
PERMNOS = {"SPLT": 10001, "MIDP": 10002, "NEWT": 10003, "DLST": 10004, "OLDT": 10005}

DDL = """
CREATE SCHEMA crsp;
CREATE TABLE crsp.dsf (permno integer, date date, openprc double precision,
  askhi double precision, bidlo double precision, prc double precision, vol double precision,
  ret double precision, retx double precision, shrout double precision,
  cfacpr double precision, cfacshr double precision, PRIMARY KEY (permno, date));
CREATE TABLE crsp.dsenames (permno integer, namedt date, nameendt date, ticker text,
  comnam text, shrcd integer, exchcd integer);
CREATE TABLE crsp.dsedelist (permno integer, dlstdt date, dlstcd integer,
  dlret double precision);
CREATE TABLE crsp.dsf_v2 (permno integer, dlycaldt date, dlyopen double precision,
  dlyhigh double precision, dlylow double precision, dlyprc double precision,
  dlyprcflg text, dlyvol double precision, dlyret double precision, dlyretx double precision,
  dlycumfacpr double precision, dlycumfacshr double precision, dlydelflg text,
  shrout bigint, PRIMARY KEY (permno, dlycaldt));
CREATE TABLE crsp.stksecurityinfohist (permno integer, secinfostartdt date,
  secinfoenddt date, ticker text, primaryexch text);
"""


def shared_server(base: Path) -> Any:
    """One pgserver per pytest session (same folder -> same running server)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_server(base / "pgserver", cleanup_mode="delete")


def level(permno: int, i: int) -> float:
    """Pre-split price level of ``permno`` on session number ``i`` (deterministic, smooth)."""
    return 40.0 * (1 + (permno % 10)) * (1.0 + 0.002 * i + 0.02 * math.sin(i / 3.0))


def security_rows(permno: int, release: int) -> list[dict[str, Any]]:
    """Raw daily rows of one security in the given release (v1 conventions)."""
    end = RELEASE_END[release]
    first = REUSE_DAY if permno == 10005 else FIRST_DAY
    last = DELIST_DAY if permno == 10004 else end
    splits = [pd.Timestamp(d) for d in SPLITS[release]] if permno == 10001 else []
    rows = []
    for i, day in enumerate(nyse_sessions(FIRST_DAY, end)):
        if not pd.Timestamp(first) <= day <= pd.Timestamp(last):
            continue
        done = sum(day >= s for s in splits)
        factor = 2.0 ** (len(splits) - done)  # cumulative factor, 1 on the release's last day
        raw = level(permno, i) / 2.0**done
        previous = level(permno, i - 1)
        row = {
            "permno": permno,
            "date": day.date(),
            "openprc": raw * 0.995,
            "askhi": raw * 1.01,
            "bidlo": raw * 0.985,
            "prc": raw,
            "vol": 1000.0 * 2.0**done,
            "ret": level(permno, i) / previous - 1 if day > pd.Timestamp(first) else -66.0,
            "cfacpr": factor,
            "cfacshr": factor,
        }
        if permno == 10002 and i % 7 == 3:  # no trade: negative midpoint, quotes in askhi/bidlo
            row.update(prc=-raw, openprc=None, askhi=raw * 1.002, bidlo=raw * 0.998)
        if permno == 10002 and i == 10:
            row.update(prc=None, ret=None)
        if permno == 10002 and i == 12:
            row.update(askhi=raw * 0.99)  # inconsistent high: repaired, flagged
        rows.append(row)
    return rows


def names_v1(release: int) -> list[tuple[Any, ...]]:
    """dsenames: (permno, namedt, nameendt, ticker)."""
    end = RELEASE_END[release]
    return [
        (10001, "2010-01-04", end, "SPLT"),
        (10002, "2012-05-01", end, "MIDP"),
        (10003, "2019-06-03", "2023-02-01", "OLDT"),
        (10003, "2023-02-02", end, "NEWT"),
        (10004, "2015-01-02", DELIST_DAY, "DLST"),
        (10005, REUSE_DAY, end, "OLDT"),
    ]


@dataclass
class CrspDatabase:
    """One database on the shared server, loaded with a release of the sample."""

    host: str
    dbname: str

    @property
    def conninfo(self) -> str:
        return f"host={self.host} dbname={self.dbname} user=postgres"

    def env(self, user: str = "postgres") -> dict[str, str]:
        """WRDS_* variables that point the provider at this database."""
        return {
            "WRDS_USERNAME": user,
            "WRDS_PGHOST": self.host,
            "WRDS_PGPORT": "5432",
            "WRDS_PGDATABASE": self.dbname,
            "WRDS_PGSSLMODE": "disable",
        }

    def execute(self, sql: str, params: Any = None) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(sql, params)

    def load_release(self, release: int) -> None:
        """Replace every table's content with ``release`` of the sample."""
        rows = [r for p in sorted(set(PERMNOS.values())) for r in security_rows(p, release)]
        with psycopg.connect(self.conninfo, autocommit=False) as conn, conn.cursor() as cur:
            for table in ("dsf", "dsenames", "dsedelist", "dsf_v2", "stksecurityinfohist"):
                cur.execute(f"TRUNCATE crsp.{table}")
            cur.executemany(
                "INSERT INTO crsp.dsf VALUES (%(permno)s, %(date)s, %(openprc)s, %(askhi)s, "
                "%(bidlo)s, %(prc)s, %(vol)s, %(ret)s, %(ret)s, 1000, %(cfacpr)s, %(cfacshr)s)",
                rows,
            )
            cur.executemany(
                "INSERT INTO crsp.dsf_v2 VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, 1000000)",
                [v2_row(r) for r in rows],
            )
            names = names_v1(release)
            cur.executemany("INSERT INTO crsp.dsenames VALUES (%s, %s, %s, %s, 'X', 11, 1)", names)
            cur.executemany(
                "INSERT INTO crsp.stksecurityinfohist VALUES (%s, %s, %s, %s, 'N')",
                [n for n in names if n[0] != 10003]
                + [  # NEWT's name split by an exchange change: merged by the provider
                    (10003, "2019-06-03", "2023-02-01", "OLDT"),
                    (10003, "2023-02-02", "2023-03-15", "NEWT"),
                    (10003, "2023-03-16", RELEASE_END[release], "NEWT"),
                ],
            )
            cur.executemany(
                "INSERT INTO crsp.dsedelist VALUES (%s, %s, %s, %s)",
                [(10004, DELIST_DAY, 500, -0.3), (10001, RELEASE_END[release], 100, None)],
            )
            conn.commit()


def v2_row(row: dict[str, Any]) -> tuple[Any, ...]:
    """The dsf_v2 form of a v1 row: positive prices, flags instead of signs and sentinels."""
    midpoint = row["prc"] is not None and row["prc"] < 0
    price = abs(row["prc"]) if row["prc"] is not None else None
    ret = row["ret"] if row["ret"] is not None and row["ret"] > -1 else None
    return (
        row["permno"],
        row["date"],
        row["openprc"],
        None if midpoint else row["askhi"],
        None if midpoint else row["bidlo"],
        price,
        "BA" if midpoint else ("TR" if price is not None else "MP"),
        row["vol"],
        ret,
        ret,
        row["cfacpr"],
        row["cfacshr"],
        "Y" if row["permno"] == 10004 and str(row["date"]) == DELIST_DAY else "N",
    )


def create_database(server: Any, name: str, release: int = 1) -> CrspDatabase:
    """A fresh database ``name`` with the CRSP schema and ``release`` loaded."""
    host = server.get_uri().split("host=")[-1]
    admin = f"host={host} dbname=postgres user=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    database = CrspDatabase(host=host, dbname=name)
    database.execute(DDL)
    database.load_release(release)
    return database
