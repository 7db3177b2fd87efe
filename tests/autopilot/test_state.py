"""Autopilot state: incumbent round trip, crash-safe replacement, append-only log, decision ids."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from quant_engine import layout
from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.selection import IncumbentRecord
from quant_engine.autopilot.state import AutopilotState, state_file_text
from quant_engine.errors import DataError


def incumbent(rule: str = "top_k", decision_id: str = "d1") -> IncumbentRecord:
    return IncumbentRecord(
        CandidateSpec("core", "ridge", rule),
        {"sharpe": 1.25, "n_trades": 120, "max_drawdown": 0.2},
        "2024-01-02T03:04:05+00:00",
        decision_id,
    )


def test_default_folder_is_the_layout_autopilot_dir(qe_home: Path) -> None:
    state = AutopilotState()
    assert state.directory == layout.autopilot_dir()
    assert state.directory.is_relative_to(qe_home)


def test_no_incumbent_before_the_first_promotion(tmp_path: Path) -> None:
    assert AutopilotState(tmp_path).load_incumbent() is None


def test_incumbent_round_trips(tmp_path: Path) -> None:
    state = AutopilotState(tmp_path)
    state.save_incumbent(incumbent())
    assert state.load_incumbent() == incumbent()


def test_corrupt_incumbent_is_a_data_error_naming_the_file(tmp_path: Path) -> None:
    state = AutopilotState(tmp_path)
    state.incumbent_path.write_text('{"candidate": {"feature_mode": "core"')
    with pytest.raises(DataError, match=r"incumbent\.json"):
        state.load_incumbent()


def test_crash_mid_write_leaves_the_previous_incumbent_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = AutopilotState(tmp_path / "autopilot")
    state.save_incumbent(incumbent("top_k", "d1"))
    before = state.incumbent_path.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("simulated power cut before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        state.save_incumbent(incumbent("long_short", "d2"))
    monkeypatch.undo()

    assert state.incumbent_path.read_bytes() == before
    assert state.load_incumbent() == incumbent("top_k", "d1")
    assert sorted(p.name for p in state.directory.iterdir()) == ["incumbent.json"]


def test_decision_files_are_named_by_their_content(tmp_path: Path) -> None:
    state = AutopilotState(tmp_path)
    first_id, first = state.write_decision({"b": 1.0, "a": [1, 2]})
    again_id, again = state.write_decision({"a": (1, 2), "b": 1.0})
    other_id, _ = state.write_decision({"a": [1, 2], "b": 2.0})
    assert (first_id, first) == (again_id, again)
    assert other_id != first_id
    assert first.read_text() == state_file_text({"a": [1, 2], "b": 1.0})


def test_non_finite_numbers_are_written_as_null() -> None:
    assert state_file_text({"x": float("nan"), "y": float("inf")}) == (
        '{\n  "x": null,\n  "y": null\n}\n'
    )


def test_log_appends_in_order_and_survives_a_torn_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = AutopilotState(tmp_path)
    state.append_log({"decision_id": "d1"})
    with state.log_path.open("a") as handle:
        handle.write('{"decision_id": "d2", "prom')  # a crash mid-append
    state.append_log({"decision_id": "d3"})
    with caplog.at_level(logging.WARNING):
        records = state.read_log()
    assert [r["decision_id"] for r in records] == ["d1", "d3"]
    assert "decisions.jsonl:2" in caplog.text
    assert state.log_path.read_text().count("\n") == 3


def test_lock_is_released_after_each_use(tmp_path: Path) -> None:
    state = AutopilotState(tmp_path)
    with state.locked():
        state.append_log({"decision_id": "d1"})
    with state.locked():
        state.append_log({"decision_id": "d2"})
    assert len(state.read_log()) == 2
