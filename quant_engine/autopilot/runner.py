"""One autopilot run: evaluate the grid on an executor, decide, persist, report what was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from quant_engine import config
from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.evaluation import (
    CandidateEvaluation,
    EvaluationSettings,
    evaluate_candidate,
)
from quant_engine.autopilot.executors import Executor
from quant_engine.autopilot.overfitting import effective_trials, probability_of_backtest_overfitting
from quant_engine.autopilot.selection import (
    Guards,
    IncumbentRecord,
    PromotionVerdict,
    SearchContext,
    decide,
)
from quant_engine.autopilot.state import AutopilotState
from quant_engine.autopilot.trials import TrialHistory, history_from_log, settings_digest, trial_key
from quant_engine.autopilot.windows import (
    Window,
    common_window,
    on_window,
    return_matrix,
    split_holdout,
)
from quant_engine.data.market_data import MarketData
from quant_engine.errors import QuantEngineError, UsageError
from quant_engine.utils.atomic import write_text_atomic
from quant_engine.utils.progress import ProgressCallback

DECISION_NAME = "decision.json"
TABLE_NAME = "candidates.csv"


@dataclass(frozen=True)
class AutopilotOutcome:
    """What an entry point prints and lists in its manifest after a run."""

    decision: PromotionVerdict
    decision_id: str
    decided_at: str
    results: tuple[CandidateEvaluation, ...]
    """One per grid candidate, in grid order, on the selection window."""
    incumbent_before: IncumbentRecord | None
    incumbent_after: IncumbentRecord | None
    executor: dict[str, Any]
    outputs: dict[str, Path]
    """Logical name → path of every file written or updated (see :func:`run_autopilot`)."""


def run_autopilot(
    data: MarketData,
    *,
    grid: Sequence[CandidateSpec],
    executor: Executor,
    seed: int,
    settings: EvaluationSettings | None = None,
    cost_bps: float | None = None,
    slippage_bps: float | None = None,
    guards: Guards | None = None,
    state: AutopilotState | None = None,
    out_dir: Path | None = None,
    on_progress: ProgressCallback | None = None,
) -> AutopilotOutcome:
    """Evaluate every candidate walk-forward, decide on promotion, and record the decision.

    ``cost_bps``/``slippage_bps`` override ``settings``. Outputs: ``autopilot_decision_record``
    (the decision file in the state folder), ``autopilot_decision_log``, ``autopilot_incumbent``
    (once anything was promoted) and, with ``out_dir``, ``autopilot_decision`` (a copy of the
    decision file) and ``autopilot_candidates`` (the table as CSV). Same data + grid + settings
    + seed + incumbent ⇒ byte-identical decision files and CSV; timestamps live in the log and
    the incumbent only.
    """
    check_grid(grid)
    settings = replace(settings or EvaluationSettings(), seed=seed)
    portfolio = settings.portfolio
    portfolio = replace(
        portfolio,
        cost_bps=portfolio.cost_bps if cost_bps is None else cost_bps,
        slippage_bps=portfolio.slippage_bps if slippage_bps is None else slippage_bps,
    )
    settings = replace(settings, portfolio=portfolio)
    state = state or AutopilotState()
    guards = guards or Guards()
    before = state.load_incumbent()
    tasks = list(grid)
    if before is not None and before.candidate not in grid:
        tasks.append(before.candidate)  # re-checked against the guards every cycle
    evaluated = executor.map(
        evaluate_candidate, tasks, shared=(data, settings), progress=on_progress
    )
    common = common_window(evaluated)
    selection, holdout = split_holdout(
        common, pd.DatetimeIndex(evaluated[0].daily_returns.index), guards.holdout_fraction
    )
    on_selection = [on_window(r, selection) for r in evaluated]
    results = tuple(on_selection[: len(grid)])
    incumbent_result = on_selection[len(grid)] if len(tasks) > len(grid) else None
    history = history_from_log(state.read_log(), data.digest)
    context, trials = search_context(
        on_selection, evaluated, history=history, settings=settings, holdout=holdout
    )
    decision = decide(results, before, guards, context=context, incumbent_result=incumbent_result)
    content = {
        "inputs": {
            **decision_inputs(data, grid, settings, before),
            "windows": {
                "common": common.to_dict(),
                "selection": selection.to_dict(),
                "holdout": None if holdout is None else holdout.to_dict(),
            },
        },
        "decision": decision.to_dict(),
    }
    decision_id, decision_path, decided_at, after = apply_decision(
        state, content, decision, before, {"data_digest": data.digest, "trials": trials}
    )
    outputs = {
        "autopilot_decision_record": decision_path,
        "autopilot_decision_log": state.log_path,
    }
    if after is not None or before is not None:
        outputs["autopilot_incumbent"] = state.incumbent_path
    if out_dir is not None:
        outputs.update(write_run_outputs(out_dir, decision_path, decision))
    return AutopilotOutcome(
        decision=decision,
        decision_id=decision_id,
        decided_at=decided_at,
        results=results,
        incumbent_before=before,
        incumbent_after=after,
        executor=executor.describe(),
        outputs=outputs,
    )


def search_context(
    on_selection: Sequence[CandidateEvaluation],
    evaluated: Sequence[CandidateEvaluation],
    *,
    history: TrialHistory,
    settings: EvaluationSettings,
    holdout: Window | None,
) -> tuple[SearchContext, dict[str, float]]:
    """The search's trial count (with the logged history), effective trials, PBO and holdout
    Sharpe ratios; and this run's trials (key -> per-period Sharpe) for the log.

    ``on_selection`` are ``evaluated`` (whole spans) cut to the selection window.
    """
    key = settings_digest(settings.to_dict())
    trials = {trial_key(r.candidate_id, key): r.returns.sharpe for r in on_selection}
    everything = history.with_trials(trials)
    matrix = return_matrix(on_selection)
    holdout_sharpe: dict[str, float] = {}
    holdout_days = 0
    if holdout is not None:
        for result in evaluated:
            held = on_window(result, holdout)
            holdout_sharpe[result.candidate_id] = held.sharpe
            holdout_days = held.returns.n
    context = SearchContext(
        n_trials=everything.count,
        sharpe_variance=everything.sharpe_variance(),
        prior_trials=everything.count - len(trials),
        effective_trials=effective_trials(matrix),
        pbo=probability_of_backtest_overfitting(matrix, config.CSCV_BLOCKS),
        holdout_sharpe=holdout_sharpe,
        holdout_days=holdout_days,
    )
    return context, trials


def apply_decision(
    state: AutopilotState,
    content: dict[str, Any],
    decision: PromotionVerdict,
    before: IncumbentRecord | None,
    trials: dict[str, Any] | None = None,
) -> tuple[str, Path, str, IncumbentRecord | None]:
    """Write the decision file, log it, promote if decided: (id, path, decided_at, incumbent).

    Under the state lock, and only if no other run changed the incumbent meanwhile. The log
    line is written before the incumbent, so every incumbent change has a logged decision.
    """
    decided_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with state.locked():
        if incumbent_key(state.load_incumbent()) != incumbent_key(before):
            raise QuantEngineError(
                f"{state.incumbent_path} changed while this run was evaluating "
                "(another autopilot run?): decision not applied; run again"
            )
        decision_id, decision_path = state.write_decision(content)
        after = None if decision.demoted else before
        if decision.promoted:
            best = decision.best
            after = IncumbentRecord(best.candidate, best.metrics, decided_at, decision_id)
        state.append_log(
            {
                "decided_at": decided_at,
                "decision_id": decision_id,
                "decision_file": decision_path.relative_to(state.directory).as_posix(),
                "promoted": decision.promoted,
                "best": decision.best_id,
                "incumbent_before": before.candidate_id if before else None,
                "incumbent_after": after.candidate_id if after else None,
                "demoted": before.candidate_id if decision.demoted and before else None,
                **(trials or {}),
            }
        )
        if after is not None and after is not before:
            state.save_incumbent(after)
        elif after is None and before is not None:
            state.remove_incumbent()
    return decision_id, decision_path, decided_at, after


def write_run_outputs(
    out_dir: Path, decision_path: Path, decision: PromotionVerdict
) -> dict[str, Path]:
    """The run's own copies: the decision file and the candidate table as CSV."""
    out_dir.mkdir(parents=True, exist_ok=True)
    decision_copy = write_text_atomic(out_dir / DECISION_NAME, decision_path.read_text())
    rows = [flat_row(row) for row in decision.rows()]
    table = pd.DataFrame(rows).to_csv(index=False, float_format="%.10g", lineterminator="\n")
    return {
        "autopilot_decision": decision_copy,
        "autopilot_candidates": write_text_atomic(out_dir / TABLE_NAME, table),
    }


def flat_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A decision-table row as flat CSV cells: the spec's fields as ``feature_mode``,
    ``model_kind``, ``rule``, failed guards joined by ``;``, one ``guard_<name>`` pass/fail
    column per guard (their words are in the decision file), margin as pass/fail or empty."""
    flat = {key: value for key, value in row.items() if key not in ("candidate", "guards")}
    flat.update(row["candidate"])
    flat["failed_guards"] = ";".join(row["failed_guards"])
    beats = row["beats_incumbent"]
    flat["beats_incumbent"] = "" if beats is None else ("pass" if beats else "fail")
    for guard in row["guards"]:
        flat[f"guard_{guard['name']}"] = "pass" if guard["passed"] else "fail"
    return flat


def check_grid(grid: Sequence[CandidateSpec]) -> None:
    """A grid is non-empty and names each candidate once (a repeat would inflate the trials)."""
    if not grid:
        raise UsageError("the autopilot grid is empty: select at least one candidate")
    seen: set[CandidateSpec] = set()
    for candidate in grid:
        if candidate in seen:
            raise UsageError(f"candidate {candidate.candidate_id} appears twice in the grid")
        seen.add(candidate)


def incumbent_key(incumbent: IncumbentRecord | None) -> str | None:
    """What identifies an incumbent version: the decision that promoted it."""
    return incumbent.decision_id if incumbent else None


def decision_inputs(
    data: MarketData,
    grid: Sequence[CandidateSpec],
    settings: EvaluationSettings,
    before: IncumbentRecord | None,
) -> dict[str, Any]:
    """Everything the decision depended on, minus wall-clock time."""
    return {
        "data": {
            "digest": data.digest,
            "source": data.source,
            "tickers": list(data.tickers),
            "start": data.start.date().isoformat(),
            "end": data.end.date().isoformat(),
            "rows": data.rows,
        },
        "grid": [candidate.candidate_id for candidate in grid],
        "settings": settings.to_dict(),
        "incumbent_before": None
        if before is None
        else {
            "candidate_id": before.candidate_id,
            "decision_id": before.decision_id,
            "sharpe": before.sharpe,
        },
    }
