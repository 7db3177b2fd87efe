"""The WRDS refresh against a real PostgreSQL: splits, midpoints, ticker changes, delistings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from quant_engine.data import LocalCache
from quant_engine.data.providers.crsp import get_layout
from quant_engine.data.providers.wrds import WrdsClient, WrdsSettings
from quant_engine.errors import DataError, MissingCredentialError
from quant_engine.pipelines.wrds_refresh import SOURCE, RefreshReport, WrdsRefresher
from tests.data.cache_faults import fail_cache_writes
from tests.data.providers.crsp_fixture import CrspDatabase

TICKERS = ["SPLT", "MIDP", "NEWT", "OLDT", "DLST", "NOPE"]
START = dt.date(2022, 1, 3)
END = dt.date(2023, 12, 29)


def refresh(
    cache: LocalCache, layout: str = "dsf", end: dt.date = END, spy: list[int] | None = None
) -> RefreshReport:
    with WrdsClient.connect(WrdsSettings.from_env(), get_layout(layout)) as client:
        if spy is not None:
            real = client.daily_rows

            def counting(starts: Any, last: dt.date) -> pd.DataFrame:
                rows = real(starts, last)
                spy.append(len(rows))
                return rows

            client.daily_rows = counting  # type: ignore[method-assign]
        refresher = WrdsRefresher(client, cache, end=end, default_start=START)
        return refresher.run(TICKERS, batch_size=4)


def status(report: RefreshReport) -> dict[str, str]:
    return {o.ticker: o.status for o in report.outcomes}


def file_bytes(cache: LocalCache, ticker: str) -> bytes:
    return cache.path_for(SOURCE, ticker).read_bytes()


@pytest.mark.parametrize("layout", ["dsf", "dsf_v2"])
def test_first_refresh_builds_clean_series(crsp_db: CrspDatabase, layout: str) -> None:
    cache = LocalCache()
    report = refresh(cache, layout)
    assert status(report) == {
        "SPLT": "created",
        "MIDP": "created",
        "NEWT": "created",
        "OLDT": "created",
        "DLST": "created",
        "NOPE": "not_found",
    }
    split, meta = cache.read(SOURCE, "SPLT")
    jumps = split["close"].pct_change().abs().max()
    assert jumps < 0.05  # the 2:1 split on 2023-02-15 is adjusted away
    assert split["volume"].nunique() == 1
    assert meta.extra["crsp_layout"] == layout
    assert meta.extra["permno"] == 10001

    midp = cache.read_meta(SOURCE, "MIDP").extra
    assert "2023-01-06" in midp["midpoint_dates"]
    assert midp["no_price_dates"] == ["2023-01-18"]
    assert "2023-01-20" in midp["repaired_dates"]  # askhi below the price
    assert pd.Timestamp("2023-01-18") not in cache.read(SOURCE, "MIDP")[0].index

    newt, newt_meta = cache.read(SOURCE, "NEWT")
    assert newt.index[0] == pd.Timestamp("2023-01-03")  # history from its OLDT days
    assert [n["ticker"] for n in newt_meta.extra["ticker_history"]] == ["OLDT", "NEWT"]
    assert cache.read_meta(SOURCE, "OLDT").extra["permno"] == 10005  # the symbol's reuse

    delisted, delisted_meta = cache.read(SOURCE, "DLST")
    assert delisted.index[-1] == pd.Timestamp("2023-02-28")
    assert delisted_meta.extra["delisting"]["date"] == "2023-02-28"


def test_both_layouts_give_the_same_prices(crsp_db: CrspDatabase, tmp_path: Path) -> None:
    v1, v2 = LocalCache(tmp_path / "v1"), LocalCache(tmp_path / "v2")
    refresh(v1, "dsf")
    refresh(v2, "dsf_v2")
    for ticker in ("SPLT", "MIDP", "NEWT"):
        pd.testing.assert_frame_equal(v1.read(SOURCE, ticker)[0], v2.read(SOURCE, ticker)[0])


def test_second_refresh_fetches_only_new_rows(crsp_db: CrspDatabase) -> None:
    cache = LocalCache()
    refresh(cache)
    before = {t: cache.read(SOURCE, t)[0] for t in ("SPLT", "MIDP", "NEWT", "OLDT")}
    crsp_db.load_release(2)
    fetched: list[int] = []
    report = refresh(cache, end=END + dt.timedelta(days=1), spy=fetched)

    april = 19  # sessions 2023-04-03 .. 2023-04-28 (Good Friday closed)
    outcomes = {o.ticker: o for o in report.outcomes}
    for ticker in ("SPLT", "MIDP", "NEWT", "OLDT"):
        assert outcomes[ticker].status == "updated"
        assert outcomes[ticker].fetched_from == "2023-03-31"
        assert outcomes[ticker].first_new == "2023-04-03"
        after = cache.read(SOURCE, ticker)[0]
        pd.testing.assert_frame_equal(after.loc[: before[ticker].index[-1]], before[ticker])
    assert outcomes["SPLT"].rows_added == april
    assert outcomes["DLST"].status == "no_new_rows"
    assert sum(fetched) == 4 * (april + 1) + 1  # new rows plus one overlap day per ticker


def test_unchanged_rerun_skips_fresh_tickers_without_querying(crsp_db: CrspDatabase) -> None:
    cache = LocalCache()
    refresh(cache)
    snapshot = {t: file_bytes(cache, t) for t in cache.tickers(SOURCE)}
    fetched: list[int] = []
    report = refresh(cache, spy=fetched)
    assert set(status(report).values()) == {"fresh", "not_found"}
    assert fetched == []
    assert {t: file_bytes(cache, t) for t in cache.tickers(SOURCE)} == snapshot


def test_a_new_split_rebases_history_and_refetches(crsp_db: CrspDatabase) -> None:
    cache = LocalCache()
    refresh(cache)
    old_close = cache.read(SOURCE, "SPLT")[0]["close"]
    crsp_db.load_release(3)  # a second 2:1 split on 2023-05-15 re-bases every factor
    report = refresh(cache, end=END + dt.timedelta(days=1))
    assert status(report)["SPLT"] == "refetched"
    assert status(report)["MIDP"] == "updated"
    close = cache.read(SOURCE, "SPLT")[0]["close"]
    assert close.pct_change().abs().max() < 0.05
    np.testing.assert_allclose(close[old_close.index].to_numpy(), old_close.to_numpy() / 2)


def test_failure_leaves_later_tickers_untouched_and_rerun_resumes(
    crsp_db: CrspDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = LocalCache()
    refresh(cache)
    crsp_db.load_release(2)
    before = {t: file_bytes(cache, t) for t in cache.tickers(SOURCE)}
    real_write = LocalCache.write
    fail_cache_writes(monkeypatch, "MIDP")
    later = END + dt.timedelta(days=1)
    with pytest.raises(OSError, match="disk full"):
        refresh(cache, end=later)
    assert file_bytes(cache, "SPLT") != before["SPLT"]  # done before the failure
    for ticker in ("MIDP", "NEWT", "OLDT"):
        assert file_bytes(cache, ticker) == before[ticker]

    monkeypatch.setattr(LocalCache, "write", real_write)
    report = refresh(cache, end=later)
    assert status(report)["SPLT"] == "fresh"
    assert status(report)["MIDP"] == "updated"


def test_missing_username_names_the_variable(
    crsp_db: CrspDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WRDS_USERNAME")
    with pytest.raises(MissingCredentialError, match="WRDS_USERNAME"):
        WrdsSettings.from_env()


def test_password_is_required_never_prompted_never_shown(
    crsp_db: CrspDatabase, pg_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cret-Pa55"
    crsp_db.execute("DROP ROLE IF EXISTS wrds_locked")
    crsp_db.execute(f"CREATE ROLE wrds_locked LOGIN PASSWORD '{secret}'")
    crsp_db.execute("GRANT USAGE ON SCHEMA crsp TO wrds_locked")
    crsp_db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA crsp TO wrds_locked")
    hba = Path(pg_server.pgdata) / "pg_hba.conf"
    rule = "local all wrds_locked scram-sha-256\n"
    if rule not in hba.read_text():
        hba.write_text(rule + hba.read_text())
        crsp_db.execute("SELECT pg_reload_conf()")
    monkeypatch.setenv("WRDS_USERNAME", "wrds_locked")
    monkeypatch.setenv("PGPASSFILE", str(Path(pg_server.pgdata) / "no-such-pgpass"))
    layout = get_layout("dsf")
    with pytest.raises(MissingCredentialError, match="WRDS_PASSWORD") as missing:
        WrdsClient.connect(WrdsSettings.from_env(), layout)
    monkeypatch.setenv("WRDS_PASSWORD", "wrong-" + secret)
    with pytest.raises(MissingCredentialError) as wrong:
        WrdsClient.connect(WrdsSettings.from_env(), layout)
    assert secret not in str(wrong.value)
    assert secret not in str(missing.value)
    monkeypatch.setenv("WRDS_PASSWORD", secret)
    settings = WrdsSettings.from_env()
    assert secret not in repr(settings)
    assert secret not in settings.describe()
    with WrdsClient.connect(settings, layout) as client:
        assert client.resolve(["SPLT"]) == {"SPLT": 10001}


def test_unreachable_server_is_a_data_error_naming_it(
    crsp_db: CrspDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WRDS_PGHOST", str(tmp_path))
    with pytest.raises(DataError, match=str(tmp_path)):
        WrdsClient.connect(WrdsSettings.from_env(), get_layout("dsf"))
