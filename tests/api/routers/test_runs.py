"""/api/runs: manifests newest first with filters and paging, and lookup by reference."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from subprocess import PIPE

from fastapi.testclient import TestClient

from quant_engine import layout
from quant_engine.runs import lookup, store

SCRIPTS = {"run_train", "run_backtest", "run_predict", "run_autopilot"}


def test_list_is_newest_first(populated: Path, client: TestClient) -> None:
    data = client.get("/api/runs").json()["data"]
    entries = store.scan(layout.manifests_dir()).entries
    assert data["total"] == len(entries) == 4
    assert [r["run_id"] for r in data["runs"]] == [m.run_id for _, m in entries]
    assert [r["started_at"] for r in data["runs"]] == sorted(
        (r["started_at"] for r in data["runs"]), reverse=True
    )
    assert {r["script"] for r in data["runs"]} == SCRIPTS
    assert {r["status"] for r in data["runs"]} == {"success"}
    assert data["unreadable"] == []


def test_filters_and_paging(populated: Path, client: TestClient) -> None:
    only = client.get("/api/runs", params={"script": "run_backtest"}).json()["data"]
    assert [r["script"] for r in only["runs"]] == ["run_backtest"]
    assert only["runs"][0]["result"]["n_trades"] > 0
    failed = client.get("/api/runs", params={"status": "failed"}).json()["data"]
    assert failed == {"runs": [], "total": 0, "unreadable": []}
    everything = client.get("/api/runs").json()["data"]["runs"]
    page = client.get("/api/runs", params={"limit": 2, "offset": 1}).json()["data"]
    assert page["runs"] == everything[1:3]
    assert page["total"] == 4
    assert client.get("/api/runs", params={"status": "done"}).status_code == 422


def test_one_run_by_reference(populated: Path, client: TestClient) -> None:
    pointer = lookup.find_manifest(layout.manifests_dir(), "latest:run_train")
    manifest = store.load_manifest(pointer)
    refs = [manifest.run_id, manifest.run_id[:24], "latest:run_train", pointer.name]
    for ref in refs:
        response = client.get(f"/api/runs/{ref}")
        assert response.status_code == 200, ref
        assert response.json()["data"]["run_id"] == manifest.run_id


def test_bad_references(populated: Path, client: TestClient) -> None:
    cases = {
        "19990101T000000": (404, "no run matches"),
        "2": (400, "ambiguous"),
        "~root.json": (422, "path.ref"),
    }
    for ref, (status, text) in cases.items():
        response = client.get(f"/api/runs/{ref}")
        assert response.status_code == status, ref
        assert text in response.json()["error"]["message"], ref


def test_an_unreadable_manifest_is_named_not_fatal(client: TestClient, qe_home: Path) -> None:
    layout.manifests_dir().mkdir(parents=True)
    (layout.manifests_dir() / "run_manifest_broken.json").write_text("{")
    data = client.get("/api/runs").json()["data"]
    assert data["runs"] == []
    assert data["unreadable"] == ["run_manifest_broken.json"]


CONCURRENT_RUNS = 20
ONE_RUN = textwrap.dedent(
    """
    import time
    from quant_engine import layout
    from quant_engine.runs import index
    from quant_engine.utils.reproducibility import record_run

    with record_run({"seed": 1}, "run_backtest") as run:
        for _ in range(3):  # readers see it running (and list runs, as qe-runs list would)
            index.query(layout.manifests_dir(), limit=5)
            time.sleep(0.05)
        run.set_result(metrics={"sharpe": 0.5})
    index.query(layout.manifests_dir(), limit=5)
    """
)


def test_twenty_runs_writing_while_the_api_reads_lose_no_row(
    client: TestClient, qe_home: Path
) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", ONE_RUN], env=dict(os.environ), stderr=PIPE)
        for _ in range(CONCURRENT_RUNS)
    ]
    seen: set[str] = set()
    reads = 0
    while any(w.poll() is None for w in writers) or reads < 5:
        for url in ("/api/runs", "/api/system-health", "/api/backtests"):
            response = client.get(url, params={"limit": 1000} if url == "/api/runs" else None)
            assert response.status_code == 200, response.text
            assert response.json()["meta"]["warnings"] == [] or url == "/api/backtests"
        data = client.get("/api/runs", params={"limit": 1000}).json()["data"]
        assert data["unreadable"] == []
        listed = {r["run_id"] for r in data["runs"]}
        assert seen <= listed, "a run listed earlier went missing"
        seen |= listed
        reads += 1
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0] * CONCURRENT_RUNS
    assert errors == [b""] * CONCURRENT_RUNS
    data = client.get("/api/runs", params={"limit": 1000}).json()["data"]
    assert data["total"] == CONCURRENT_RUNS
    assert {r["status"] for r in data["runs"]} == {"success"}
    assert {r["run_id"] for r in data["runs"]} == {
        m.run_id for _, m in store.scan(layout.manifests_dir()).entries
    }
    assert reads >= 5
