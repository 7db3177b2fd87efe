"""Autopilot for the API: the incumbent, the decision log joined with each decision's file, and
the newest decision's leaderboard.

Decision files of older versions lack the table rows' ``guards``, ``candidate``,
``holdout_sharpe`` and ``beats_incumbent``: the guards are rebuilt from ``failed_guards`` (no
words), the candidate from its id, the holdout Sharpe from the search context, and the margin
verdict is left unknown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from quant_engine.api.schemas.autopilot import (
    AutopilotCycle,
    AutopilotOverview,
    Candidate,
    CandidateResult,
    GuardThresholds,
    GuardVerdict,
    Incumbent,
    PromotionDecision,
)
from quant_engine.errors import DataError, error_line
from quant_engine.utils.json_form import read_json_object

if TYPE_CHECKING:
    from quant_engine.autopilot import AutopilotState
    from quant_engine.autopilot.candidates import CandidateSpec
    from quant_engine.autopilot.selection import IncumbentRecord

DECISION_ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
SPEC_FIELDS = ("feature_mode", "model_kind", "rule")


def state() -> AutopilotState:
    """The autopilot state of the data home."""
    from quant_engine.autopilot import AutopilotState

    return AutopilotState()


def finite(value: Any) -> float | None:
    """A finite float, or None for missing, NaN and infinite values."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def candidate(engine: CandidateSpec) -> Candidate:
    """An engine candidate as the wire type."""
    return Candidate.model_validate(
        {
            "candidate_id": engine.candidate_id,
            "feature_mode": engine.feature_mode,
            "model_kind": engine.model_kind,
            "portfolio_rule": engine.rule,
        }
    )


def incumbent(engine: IncumbentRecord) -> Incumbent:
    """The engine's incumbent record as the wire type."""
    return Incumbent.model_validate(
        {
            "candidate": candidate(engine.candidate),
            "metrics": {name: finite(value) for name, value in engine.metrics.items()},
            "decided_at": engine.decided_at,
            "decision_id": engine.decision_id,
        }
    )


def read_decision_file(store: AutopilotState, decision_id: str) -> dict[str, Any]:
    """The full decision a log line refers to; DataError naming the file when unusable."""
    if not DECISION_ID_RE.match(decision_id):
        raise DataError(f"{store.log_path}: bad decision id {decision_id!r}")
    return read_json_object(store.decision_path(decision_id), "decision file")


def decision(record: Mapping[str, Any], content: Mapping[str, Any]) -> PromotionDecision:
    """One decision: the log line (when, what) joined with its file (why, on which window)."""
    verdict = content.get("decision") or {}
    data = (content.get("inputs") or {}).get("data") or {}
    best = verdict.get("best") or {}
    best_id = record.get("best")
    passed = any(
        row.get("candidate_id") == best_id and row.get("passed")
        for row in verdict.get("table") or []
    )
    best_sharpe = finite((best.get("metrics") or {}).get("sharpe"))
    incumbent_sharpe = finite(verdict.get("incumbent_sharpe"))
    margin = (
        best_sharpe - incumbent_sharpe
        if best_sharpe is not None and incumbent_sharpe is not None
        else None
    )
    return PromotionDecision.model_validate(
        {
            "promoted": bool(record.get("promoted")),
            "demoted": bool(record.get("demoted")),
            "reasons": [str(reason) for reason in verdict.get("reasons") or []],
            "candidate_id": best_id if passed else None,
            "incumbent_id": record.get("incumbent_before"),
            "window": (data.get("start"), data.get("end")),
            "sharpe_margin": margin,
            "decided_at": record.get("decided_at"),
        }
    )


def candidate_of(row: Mapping[str, Any]) -> Candidate:
    """The row's candidate: its recorded spec, else the spec spelled by its id."""
    candidate_id = str(row.get("candidate_id"))
    spec = row.get("candidate") or dict(zip(SPEC_FIELDS, candidate_id.split("-", 2), strict=False))
    return Candidate.model_validate(
        {
            "candidate_id": candidate_id,
            "feature_mode": spec.get("feature_mode"),
            "model_kind": spec.get("model_kind"),
            "portfolio_rule": spec.get("rule"),
        }
    )


def guards_of(row: Mapping[str, Any]) -> list[GuardVerdict]:
    """Every guard's verdict: as recorded, else every candidate guard passed unless it failed."""
    recorded = row.get("guards")
    if recorded is not None:
        return [GuardVerdict.model_validate(guard) for guard in recorded]
    from quant_engine.autopilot.selection import CANDIDATE_GUARDS

    failed = [str(name) for name in row.get("failed_guards") or []]
    names = [*CANDIDATE_GUARDS, *(name for name in failed if name not in CANDIDATE_GUARDS)]
    return [GuardVerdict(name=name, passed=name not in failed, detail=None) for name in names]


def result_of(row: Mapping[str, Any], holdout: Mapping[str, Any] | None) -> CandidateResult:
    """One decision-table row as a leaderboard row; ``holdout`` maps ids to holdout Sharpe."""
    candidate_id = row.get("candidate_id")
    if "holdout_sharpe" in row:
        holdout_sharpe = finite(row["holdout_sharpe"])
    else:
        holdout_sharpe = finite(holdout.get(str(candidate_id))) if holdout is not None else None
    trades = row.get("n_entries_exits", row.get("n_trades"))
    return CandidateResult(
        candidate=candidate_of(row),
        rank=row.get("rank"),
        sharpe=finite(row.get("sharpe")),
        deflated_sharpe=finite(row.get("deflated_sharpe")),
        max_drawdown=finite(row.get("max_drawdown")),
        total_return=finite(row.get("total_return")),
        entries_exits=int(finite(trades) or 0),
        holdout_sharpe=holdout_sharpe,
        passed_guards=bool(row.get("passed")),
        guards=guards_of(row),
        beats_incumbent=row.get("beats_incumbent"),
    )


def cycle(
    decision_id: str, decision: PromotionDecision, content: Mapping[str, Any]
) -> AutopilotCycle:
    """The leaderboard of the decision file ``content``; ValidationError/TypeError if malformed."""
    verdict = content.get("decision") or {}
    context = verdict.get("context") or {}
    holdout_days = int(context.get("holdout_days") or 0)
    holdout = (context.get("holdout_sharpe") or {}) if holdout_days else None
    table = sorted(verdict.get("table") or [], key=lambda row: row.get("rank") or 0)
    return AutopilotCycle(
        decision_id=decision_id,
        decision=decision,
        guards=GuardThresholds.model_validate(
            {name: finite(value) for name, value in (verdict.get("guards") or {}).items()}
        ),
        n_trials=int(verdict.get("n_trials") or context.get("n_trials") or len(table)),
        prior_trials=int(context.get("prior_trials") or 0),
        effective_trials=finite(context.get("effective_trials")),
        pbo=finite(context.get("pbo")),
        holdout_days=holdout_days,
        results=[result_of(row, holdout) for row in table],
    )


Loaded = tuple[str, dict[str, Any], PromotionDecision]
"""A logged decision that could be read: (decision id, file content, the decision)."""


def load_decisions(limit: int) -> tuple[list[Loaded], int, list[str]]:
    """The newest ``limit`` readable decisions, the number logged, and a line per one skipped."""
    store = state()
    log = store.read_log()
    found: list[Loaded] = []
    skipped: list[str] = []
    for record in reversed(log):
        if len(found) >= limit:
            break
        decision_id = str(record.get("decision_id"))
        try:
            content = read_decision_file(store, decision_id)
            found.append((decision_id, content, decision(record, content)))
        except DataError as exc:
            skipped.append(f"skipped decision {decision_id}: {exc}")
        except ValidationError as exc:
            first = error_line(exc)
            skipped.append(f"skipped decision {decision_id}: not a decision ({first})")
    return found, len(log), skipped


def decisions(limit: int) -> tuple[list[PromotionDecision], int, list[str]]:
    """The newest ``limit`` decisions, the number logged, and one line per decision skipped."""
    found, total, skipped = load_decisions(limit)
    return [loaded[2] for loaded in found], total, skipped


def latest_cycle(found: list[Loaded]) -> tuple[AutopilotCycle | None, list[str]]:
    """The leaderboard of the newest readable decision (None without one), and a line if its
    table is malformed."""
    if not found:
        return None, []
    decision_id, content, verdict = found[0]
    try:
        return cycle(decision_id, verdict, content), []
    except (TypeError, ValueError, AttributeError) as exc:  # pydantic's ValidationError too
        reason = f"malformed table ({error_line(exc)})"
        return None, [f"skipped the leaderboard of decision {decision_id}: {reason}"]


def overview(limit: int) -> tuple[AutopilotOverview, list[str]]:
    """The incumbent, the newest decisions and the newest one's leaderboard, and warnings about
    records that were skipped."""
    engine = state().load_incumbent()
    found, total, skipped = load_decisions(limit)
    leaderboard, malformed = latest_cycle(found)
    view = AutopilotOverview(
        incumbent=incumbent(engine) if engine is not None else None,
        decisions=[loaded[2] for loaded in found],
        total_decisions=total,
        latest_cycle=leaderboard,
    )
    return view, [*skipped, *malformed]
