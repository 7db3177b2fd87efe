"""GET /api/system-health: every component, empty states ok, real problems degraded or down."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quant_engine import layout
from quant_engine.models.registry import LoadedModel, ModelRegistry
from quant_engine.runs import store
from quant_engine.runs.manifest import RunStatus
from quant_engine.runs.record import new_manifest
from quant_engine.utils.reproducibility import record_run

URL = "/api/system-health"
COMPONENTS = ["runtime", "data_home", "cache", "model_registry", "runs", "jobs"]


def components(client: TestClient) -> tuple[str, dict[str, dict[str, str]]]:
    response = client.get(URL)
    assert response.status_code == 200
    data = response.json()["data"]
    return data["status"], {c["name"]: c for c in data["components"]}


def test_populated_home_is_ok(populated: Path, client: TestClient) -> None:
    status, found = components(client)
    assert status == "ok"
    assert list(found) == COMPONENTS
    assert ModelRegistry().current_version() in found["model_registry"]["detail"]
    assert "sample 4" in found["cache"]["detail"]
    for script in ("run_train", "run_backtest", "run_predict", "run_autopilot"):
        assert f"{script} success" in found["runs"]["detail"]
    assert found["jobs"]["detail"].startswith("0 running, 0 queued")
    assert "quant_engine" in found["runtime"]["detail"]


def test_fresh_home_is_ok_and_says_what_to_run(client: TestClient) -> None:
    status, found = components(client)
    assert status == "ok"
    assert "run qe-train" in found["model_registry"]["detail"]
    assert found["runs"]["detail"] == "no runs recorded yet"


def test_a_failed_latest_run_degrades(client: TestClient) -> None:
    with pytest.raises(RuntimeError), record_run(None, "run_backtest"):
        raise RuntimeError("boom")
    status, found = components(client)
    assert status == "degraded"
    assert found["runs"]["status"] == "degraded"
    assert "run_backtest failed" in found["runs"]["detail"]


def test_model_pointer_to_a_missing_version_degrades(client: TestClient, qe_home: Path) -> None:
    registry = ModelRegistry()
    registry.root.mkdir(parents=True)
    (registry.root / "CURRENT").write_text("m-0123456789ab\n")
    status, found = components(client)
    assert status == "degraded"
    assert "m-0123456789ab is missing" in found["model_registry"]["detail"]


def test_unwritable_data_home_is_down(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "a_file"
    not_a_folder.write_text("x")
    monkeypatch.setenv("QE_HOME", str(not_a_folder))
    status, found = components(client)
    assert status == "down"
    assert found["data_home"]["status"] == "down"
    assert str(not_a_folder) in found["data_home"]["detail"]


def test_a_dead_latest_run_degrades_and_reads_dead_everywhere(client: TestClient) -> None:
    running = new_manifest(None, "run_backtest", status=RunStatus.RUNNING)
    gone = running.environment.model_copy(update={"pid": 2**22 + 7})  # as after a SIGKILL
    store.write_new(running.model_copy(update={"environment": gone}), layout.manifests_dir())
    status, found = components(client)
    assert status == "degraded"
    assert f"run_backtest dead ({running.run_id})" in found["runs"]["detail"]
    listed = client.get("/api/runs").json()["data"]["runs"]
    assert [r["status"] for r in listed] == ["dead"]
    assert client.get(f"/api/runs/{running.run_id}").json()["data"]["status"] == "dead"


def test_a_rejected_invocation_is_recorded_without_traceback_and_health_stays_ok(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    from quant_engine.run_backtest import main

    assert main(["--tickers", "SPX,NOPE", "--years", "2", "--quiet"]) == 2
    assert "NOPE" in capsys.readouterr().err
    ((_, rejected),) = store.scan(layout.manifests_dir()).entries
    assert rejected.status is RunStatus.REJECTED
    assert rejected.error is not None
    assert rejected.error.traceback is None
    assert "NOPE" in rejected.error.message
    status, found = components(client)
    assert status == "ok"
    assert found["runs"]["detail"] == "no runs recorded yet"


def test_model_files_are_verified_once_per_change(
    populated: Path, client: TestClient, qe_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QE_HOME", str(qe_home))
    shutil.copytree(populated / "models", qe_home / "models")
    loads: list[str] = []
    real_load = ModelRegistry.load

    def counting_load(self: ModelRegistry, version: str | None = None) -> LoadedModel:
        loads.append(str(version))
        return real_load(self, version)

    monkeypatch.setattr(ModelRegistry, "load", counting_load)
    assert components(client)[1]["model_registry"]["status"] == "ok"
    verified = len(loads)
    assert verified >= 1
    assert components(client)[1]["model_registry"]["status"] == "ok"
    assert len(loads) == verified  # nothing changed: not re-verified

    model = ModelRegistry().paths(str(ModelRegistry().current_version()))["model"]
    original = model.read_bytes()
    model.write_bytes(original + b"tampered")
    found = components(client)[1]["model_registry"]
    assert found["status"] == "degraded"
    assert "modified or is corrupt" in found["detail"]
    assert len(loads) > verified

    model.write_bytes(original)
    assert components(client)[1]["model_registry"]["status"] == "ok"
