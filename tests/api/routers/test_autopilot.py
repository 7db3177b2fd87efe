"""/api/autopilot: the incumbent and the decision log joined with each decision's file."""

from __future__ import annotations

import math
from pathlib import Path

from fastapi.testclient import TestClient

from quant_engine.autopilot import AutopilotState
from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.selection import IncumbentRecord


def test_the_logged_decision_is_shown(populated: Path, client: TestClient) -> None:
    data = client.get("/api/autopilot").json()["data"]
    [record] = AutopilotState().read_log()
    assert data["total_decisions"] == 1
    [decision] = data["decisions"]
    assert decision["promoted"] == record["promoted"]
    assert decision["decided_at"].startswith(record["decided_at"][:19])
    assert decision["reasons"]
    assert decision["window"][1] == "2018-12-31"
    assert (data["incumbent"] is not None) == record["promoted"]


def test_incumbent_with_undefined_metrics(client: TestClient) -> None:
    incumbent = IncumbentRecord(
        candidate=CandidateSpec("core", "ridge", "top_k"),
        metrics={"sharpe": 1.25, "sortino": math.nan},
        decided_at="2024-01-02T09:30:00+00:00",
        decision_id="0123456789abcdef",
    )
    AutopilotState().save_incumbent(incumbent)
    data = client.get("/api/autopilot").json()["data"]
    assert data["incumbent"]["candidate"]["candidate_id"] == "core-ridge-top_k"
    assert data["incumbent"]["candidate"]["portfolio_rule"] == "top_k"
    assert data["incumbent"]["metrics"] == {"sharpe": 1.25, "sortino": None}
    assert data["decisions"] == []


def test_a_missing_decision_file_is_skipped_with_a_warning(
    home_copy: Path, client: TestClient
) -> None:
    state = AutopilotState()
    [record] = state.read_log()
    state.decision_path(record["decision_id"]).unlink()
    body = client.get("/api/autopilot").json()
    assert body["data"]["decisions"] == []
    assert body["data"]["total_decisions"] == 1
    [warning] = body["meta"]["warnings"]
    assert record["decision_id"] in warning
