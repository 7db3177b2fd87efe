"""End to end: evaluate a small grid, decide, persist; repeat runs; determinism; concurrency."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from quant_engine.autopilot.candidates import CandidateSpec, build_grid
from quant_engine.autopilot.executors import Executor, LocalExecutor, TaskBatch
from quant_engine.autopilot.runner import AutopilotOutcome, run_autopilot, write_run_outputs
from quant_engine.autopilot.selection import Guards, IncumbentRecord, decide
from quant_engine.autopilot.state import AutopilotState
from quant_engine.data.market_data import MarketData
from quant_engine.errors import QuantEngineError, UsageError

GRID = build_grid(["minimal"], ["ridge"], None)
LENIENT = Guards(
    min_trades=1,
    max_drawdown=1.0,
    min_deflated_sharpe=0.0,
    margin_sharpe=0.1,
    max_pbo=1.0,
    holdout_fraction=0.0,
)


def run(
    data: MarketData, state_dir: Path, *, guards: Guards = LENIENT, **kwargs: Any
) -> AutopilotOutcome:
    return run_autopilot(
        data,
        grid=kwargs.pop("grid", GRID),
        executor=kwargs.pop("executor", LocalExecutor(1)),
        seed=5,
        guards=guards,
        state=AutopilotState(state_dir),
        **kwargs,
    )


@dataclass(frozen=True)
class FirstRun:
    """One autopilot run on an empty state folder, with the progress it reported."""

    outcome: AutopilotOutcome
    progress: list[tuple[int, int]]
    state_dir: Path


@pytest.fixture(scope="module")
def first_run(autopilot_data: MarketData, tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    """The autopilot run once on an empty state folder, shared by the tests of its results."""
    root = tmp_path_factory.mktemp("first_run")
    progress: list[tuple[int, int]] = []
    outcome = run(
        autopilot_data,
        root / "state",
        out_dir=root / "run",
        on_progress=lambda d, t: progress.append((d, t)),
    )
    return FirstRun(outcome=outcome, progress=progress, state_dir=root / "state")


def decision_record(first_run: FirstRun) -> dict[str, Any]:
    """The decision record the first run wrote to its output folder."""
    record: dict[str, Any] = json.loads(
        first_run.outcome.outputs["autopilot_decision_record"].read_text()
    )
    return record


def test_first_run_promotes_the_best_candidate(first_run: FirstRun) -> None:
    outcome = first_run.outcome
    assert outcome.decision.promoted
    assert outcome.decision.best_id == max(outcome.results, key=lambda r: r.sharpe).candidate_id


def test_first_run_reports_progress_to_the_end(first_run: FirstRun) -> None:
    assert first_run.progress[-1] == (2, 2)


def test_first_run_evaluates_the_grid_in_order(first_run: FirstRun) -> None:
    ids = [r.candidate_id for r in first_run.outcome.results]
    assert ids == [c.candidate_id for c in GRID]


def test_first_run_goes_from_no_incumbent_to_the_decided_one(first_run: FirstRun) -> None:
    outcome = first_run.outcome
    assert outcome.incumbent_before is None
    assert outcome.incumbent_after is not None
    assert outcome.incumbent_after.decision_id == outcome.decision_id


def test_first_run_writes_every_output_file(first_run: FirstRun) -> None:
    outputs = first_run.outcome.outputs
    assert set(outputs) == {
        "autopilot_decision_record",
        "autopilot_decision_log",
        "autopilot_incumbent",
        "autopilot_decision",
        "autopilot_candidates",
    }
    assert all(path.is_file() for path in outputs.values())


def test_first_run_decision_record_names_its_inputs(
    first_run: FirstRun, autopilot_data: MarketData
) -> None:
    record = decision_record(first_run)
    assert record["decision"]["promoted"] is True
    assert record["inputs"]["grid"] == [c.candidate_id for c in GRID]
    assert record["inputs"]["settings"]["seed"] == 5
    assert record["inputs"]["data"]["digest"] == autopilot_data.digest


def test_first_run_decision_file_equals_the_run_record(first_run: FirstRun) -> None:
    outputs = first_run.outcome.outputs
    assert outputs["autopilot_decision"].read_bytes() == (
        outputs["autopilot_decision_record"].read_bytes()
    )


def test_first_run_candidates_csv_has_a_ranked_row_per_candidate(first_run: FirstRun) -> None:
    csv_lines = first_run.outcome.outputs["autopilot_candidates"].read_text().splitlines()
    assert csv_lines[0].startswith("rank,candidate_id,sharpe,deflated_sharpe")
    assert len(csv_lines) == 1 + len(GRID)


def test_candidates_csv_is_flat_with_a_verdict_column_per_guard(
    first_run: FirstRun, tmp_path: Path
) -> None:
    results = [row.result for row in first_run.outcome.decision.table]
    strict = decide(results, None, replace(LENIENT, min_trades=10**6))
    record = first_run.outcome.outputs["autopilot_decision_record"]
    outputs = write_run_outputs(tmp_path, record, strict)
    table = pd.read_csv(outputs["autopilot_candidates"], keep_default_na=False)
    assert len(table) == len(GRID)
    for row in strict.table:
        [line] = table[table["candidate_id"] == row.result.candidate_id].to_dict("records")
        assert line["guard_min_trades"] == "fail"
        assert line["guard_max_drawdown"] == "pass"
        assert line["failed_guards"] == "min_trades"
        assert line["model_kind"] == row.result.candidate.model_kind
        assert line["beats_incumbent"] == ""  # no incumbent to beat
    assert not any(str(cell).startswith(("[", "{")) for cell in table.to_numpy().ravel())


def test_first_run_saves_the_incumbent(first_run: FirstRun) -> None:
    state = AutopilotState(first_run.state_dir)
    assert state.load_incumbent() == first_run.outcome.incumbent_after


def test_first_run_logs_one_promotion(first_run: FirstRun) -> None:
    (line,) = AutopilotState(first_run.state_dir).read_log()
    assert line["decision_id"] == first_run.outcome.decision_id
    assert line["promoted"] is True
    assert line["incumbent_after"] == first_run.outcome.decision.best_id


def test_second_run_keeps_the_incumbent_and_appends_to_the_log(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    first = run(autopilot_data, tmp_path)
    incumbent_bytes = (tmp_path / "incumbent.json").read_bytes()
    second = run(autopilot_data, tmp_path)
    assert not second.decision.promoted
    assert any("already the incumbent" in r for r in second.decision.reasons)
    assert second.incumbent_after == first.incumbent_after
    assert (tmp_path / "incumbent.json").read_bytes() == incumbent_bytes
    log = AutopilotState(tmp_path).read_log()
    assert [r["decision_id"] for r in log] == [first.decision_id, second.decision_id]
    assert second.decision_id != first.decision_id  # the incumbent before differs


def test_an_incumbent_outside_the_grid_is_re_evaluated_and_re_checked(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    state = AutopilotState(tmp_path)
    champion = IncumbentRecord(
        CandidateSpec("minimal", "gbm", "top_k"), {"sharpe": 9.0}, "t0", "champ"
    )
    state.save_incumbent(champion)
    outcome = run(autopilot_data, tmp_path)
    decision = outcome.decision
    assert [r.candidate_id for r in outcome.results] == [c.candidate_id for c in GRID]
    assert decision.incumbent_sharpe != 9.0  # its Sharpe on this data, not the recorded one
    assert any("minimal-gbm-top_k: still passes every guard" in r for r in decision.reasons)
    assert decision.n_trials == len(GRID) + 1  # the re-check is a trial on this data too
    assert outcome.outputs["autopilot_incumbent"] == state.incumbent_path


def test_same_inputs_give_byte_identical_decision_files(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    a = run(autopilot_data, tmp_path / "a", out_dir=tmp_path / "ra")
    b = run(autopilot_data, tmp_path / "b", out_dir=tmp_path / "rb", executor=LocalExecutor(2))
    assert a.decision_id == b.decision_id
    for name in ("autopilot_decision_record", "autopilot_decision", "autopilot_candidates"):
        assert a.outputs[name].read_bytes() == b.outputs[name].read_bytes()
    other_seed = run_autopilot(
        autopilot_data,
        grid=GRID,
        executor=LocalExecutor(1),
        seed=6,
        state=AutopilotState(tmp_path / "c"),
    )
    assert other_seed.decision_id != a.decision_id


def test_default_guards_verdict_follows_the_guards(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    outcome = run(autopilot_data, tmp_path, guards=Guards(), cost_bps=20.0)
    decision = outcome.decision
    chosen = next(row for row in decision.table if row.result.candidate_id == decision.best_id)
    assert decision.promoted == chosen.passed
    assert (
        sum(
            r.startswith(("trades:", "max drawdown:", "deflated Sharpe:")) for r in decision.reasons
        )
        == 3
    )
    record = json.loads(outcome.outputs["autopilot_decision_record"].read_text())
    assert record["inputs"]["settings"]["portfolio"]["cost_bps"] == 20.0


class IncumbentThief(Executor):
    """Runs inline, but another run promotes something while the grid is evaluated."""

    kind = "thief"

    def __init__(self, state: AutopilotState) -> None:
        self.state = state

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def run_tasks(self, batch: TaskBatch[Any]) -> list[Any]:
        other = IncumbentRecord(
            CandidateSpec("core", "gbm", "top_k"), {"sharpe": 1.0}, "t1", "other"
        )
        self.state.save_incumbent(other)
        return batch.run_inline()


def test_incumbent_changed_during_the_run_is_not_overwritten(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    state = AutopilotState(tmp_path)
    with pytest.raises(QuantEngineError, match="changed while this run was evaluating"):
        run(autopilot_data, tmp_path, executor=IncumbentThief(state))
    incumbent = state.load_incumbent()
    assert incumbent is not None
    assert incumbent.decision_id == "other"
    assert state.read_log() == []


@pytest.mark.parametrize(
    ("grid", "message"),
    [((), "grid is empty"), ((GRID[0], GRID[0]), "appears twice")],
)
def test_bad_grids_are_usage_errors(
    autopilot_data: MarketData, tmp_path: Path, grid: tuple[CandidateSpec, ...], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        run(autopilot_data, tmp_path, grid=grid)


def test_an_incumbent_that_fails_the_guards_now_is_demoted(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    first = run(autopilot_data, tmp_path)
    assert first.incumbent_after is not None
    strict = Guards(min_trades=10**9, max_pbo=1.0, holdout_fraction=0.0)
    second = run(autopilot_data, tmp_path, guards=strict)
    decision = second.decision
    assert decision.demoted
    assert not decision.promoted
    assert decision.headline == (
        f"incumbent demoted: {first.incumbent_after.candidate_id} fails the guards; "
        "nothing promoted"
    )
    assert second.incumbent_after is None
    assert AutopilotState(tmp_path).load_incumbent() is None
    assert AutopilotState(tmp_path).read_log()[-1]["demoted"] == first.incumbent_after.candidate_id
