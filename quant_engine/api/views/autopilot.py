"""Autopilot for the API: the incumbent and the decision log, joined with each decision's file."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from quant_engine.api.schemas.autopilot import (
    AutopilotOverview,
    Candidate,
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
            "reasons": [str(reason) for reason in verdict.get("reasons") or []],
            "candidate_id": best_id if passed else None,
            "incumbent_id": record.get("incumbent_before"),
            "window": (data.get("start"), data.get("end")),
            "sharpe_margin": margin,
            "decided_at": record.get("decided_at"),
        }
    )


def decisions(limit: int) -> tuple[list[PromotionDecision], int, list[str]]:
    """The newest ``limit`` decisions, the number logged, and one line per decision skipped."""
    store = state()
    log = store.read_log()
    found: list[PromotionDecision] = []
    skipped: list[str] = []
    for record in reversed(log):
        if len(found) >= limit:
            break
        decision_id = str(record.get("decision_id"))
        try:
            found.append(decision(record, read_decision_file(store, decision_id)))
        except DataError as exc:
            skipped.append(f"skipped decision {decision_id}: {exc}")
        except ValidationError as exc:
            first = error_line(exc)
            skipped.append(f"skipped decision {decision_id}: not a decision ({first})")
    return found, len(log), skipped


def overview(limit: int) -> tuple[AutopilotOverview, list[str]]:
    """The incumbent and the newest decisions, and warnings about records that were skipped."""
    engine = state().load_incumbent()
    found, total, skipped = decisions(limit)
    view = AutopilotOverview(
        incumbent=incumbent(engine) if engine is not None else None,
        decisions=found,
        total_decisions=total,
    )
    return view, skipped
