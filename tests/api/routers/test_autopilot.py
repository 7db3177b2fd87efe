"""/api/autopilot: the incumbent, the decision log joined with each decision's file, and the
newest decision's leaderboard."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

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
    assert data["latest_cycle"] is None


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


def newest_decision_file() -> tuple[str, Path, dict[str, Any]]:
    """(id, path, content) of the newest logged decision."""
    state = AutopilotState()
    decision_id = state.read_log()[-1]["decision_id"]
    path = state.decision_path(decision_id)
    return decision_id, path, json.loads(path.read_text())


def test_the_newest_decision_leaderboard_has_every_guards_verdict(
    populated: Path, client: TestClient
) -> None:
    decision_id, _, content = newest_decision_file()
    cycle = client.get("/api/autopilot").json()["data"]["latest_cycle"]
    table = content["decision"]["table"]
    assert cycle["decision_id"] == decision_id
    assert cycle["decision"]["reasons"] == content["decision"]["reasons"]
    assert cycle["guards"]["min_trades"] == content["decision"]["guards"]["min_trades"]
    assert cycle["n_trials"] == content["decision"]["n_trials"]
    assert cycle["holdout_days"] == content["decision"]["context"]["holdout_days"] > 0
    assert [r["candidate"]["candidate_id"] for r in cycle["results"]] == ["core-ridge-long_short"]
    [row], [written] = cycle["results"], table
    assert row["candidate"]["portfolio_rule"] == "long_short"
    assert row["entries_exits"] == written["n_entries_exits"]
    assert row["holdout_sharpe"] == written["holdout_sharpe"]
    assert row["passed_guards"] == written["passed"]
    assert [(g["name"], g["passed"]) for g in row["guards"]] == [
        ("min_trades", "min_trades" not in written["failed_guards"]),
        ("max_drawdown", "max_drawdown" not in written["failed_guards"]),
        ("min_deflated_sharpe", "min_deflated_sharpe" not in written["failed_guards"]),
    ]
    assert all(g["detail"] and " vs " in g["detail"] for g in row["guards"])


def test_a_decision_file_of_an_older_version_is_still_served(
    home_copy: Path, client: TestClient
) -> None:
    _, path, content = newest_decision_file()
    for row in content["decision"]["table"]:
        for key in ("guards", "candidate", "holdout_sharpe", "beats_incumbent"):
            del row[key]
        row["failed_guards"] = ["max_drawdown"]
        row["passed"] = False
        row["sharpe"] = None
    path.write_text(json.dumps(content))
    body = client.get("/api/autopilot").json()
    assert body["meta"]["warnings"] == []
    [row] = body["data"]["latest_cycle"]["results"]
    assert row["candidate"]["model_kind"] == "ridge"
    assert row["candidate"]["feature_mode"] == "core"
    assert row["sharpe"] is None
    holdout = content["decision"]["context"]["holdout_sharpe"]["core-ridge-long_short"]
    assert row["holdout_sharpe"] == holdout
    assert row["beats_incumbent"] is None
    assert [(g["name"], g["passed"], g["detail"]) for g in row["guards"]] == [
        ("min_trades", True, None),
        ("max_drawdown", False, None),
        ("min_deflated_sharpe", True, None),
    ]


def test_a_corrupt_newest_decision_file_is_skipped_with_a_warning(
    home_copy: Path, client: TestClient
) -> None:
    decision_id, path, _ = newest_decision_file()
    path.write_text('{"decision": {"table": [')
    response = client.get("/api/autopilot")
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["latest_cycle"] is None
    [warning] = body["meta"]["warnings"]
    assert decision_id in warning
    assert "unreadable decision file" in warning


def test_a_malformed_leaderboard_is_skipped_but_the_decision_is_served(
    home_copy: Path, client: TestClient
) -> None:
    decision_id, path, content = newest_decision_file()
    content["decision"]["table"][0]["guards"] = "all passed"
    path.write_text(json.dumps(content))
    response = client.get("/api/autopilot")
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["latest_cycle"] is None
    assert len(body["data"]["decisions"]) == 1
    [warning] = body["meta"]["warnings"]
    assert f"skipped the leaderboard of decision {decision_id}" in warning


def test_a_logged_demotion_is_served_as_demoted(home_copy: Path, client: TestClient) -> None:
    state = AutopilotState()
    [record] = state.read_log()
    assert client.get("/api/autopilot").json()["data"]["decisions"][0]["demoted"] is False
    demotion = {**record, "promoted": False, "incumbent_before": "full-gbm-top_k"}
    state.log_path.write_text(json.dumps({**demotion, "demoted": "full-gbm-top_k"}) + "\n")
    [decision] = client.get("/api/autopilot").json()["data"]["decisions"]
    assert decision["demoted"] is True
    assert decision["incumbent_id"] == "full-gbm-top_k"
