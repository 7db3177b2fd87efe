"""Autopilot: evaluate a grid of strategies walk-forward and promote the best one, with reasons.

Modules: ``candidates`` (the grid), ``evaluation`` (one candidate's OOS backtest), ``executors``
(inline / process pool / Dask), ``windows`` (the common window and its holdout), ``trials``
(every trial on the same data, from the decision log), ``overfitting`` (effective trials, PBO),
``selection`` (deflated Sharpe, guards, the decision), ``state`` (incumbent, decision log,
decision files) and ``runner`` (one run, end to end).

The names an entry point needs are re-exported here lazily (PEP 562): importing the package, or
a light module such as ``executors`` in a worker process, does not pull in pandas or sklearn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quant_engine.autopilot.candidates import CandidateSpec, build_grid
    from quant_engine.autopilot.evaluation import (
        CandidateEvaluation,
        EvaluationSettings,
        evaluate_candidate,
    )
    from quant_engine.autopilot.executors import (
        DaskExecutor,
        Executor,
        LocalExecutor,
        make_executor,
    )
    from quant_engine.autopilot.runner import AutopilotOutcome, run_autopilot
    from quant_engine.autopilot.selection import (
        Guards,
        IncumbentRecord,
        PromotionVerdict,
        decide,
        deflated_sharpe_ratio,
    )
    from quant_engine.autopilot.state import AutopilotState

EXPORTS = {
    "CandidateSpec": "candidates",
    "build_grid": "candidates",
    "CandidateEvaluation": "evaluation",
    "EvaluationSettings": "evaluation",
    "evaluate_candidate": "evaluation",
    "DaskExecutor": "executors",
    "Executor": "executors",
    "LocalExecutor": "executors",
    "make_executor": "executors",
    "AutopilotOutcome": "runner",
    "run_autopilot": "runner",
    "Guards": "selection",
    "IncumbentRecord": "selection",
    "PromotionVerdict": "selection",
    "decide": "selection",
    "deflated_sharpe_ratio": "selection",
    "AutopilotState": "state",
}

__all__ = [
    "AutopilotOutcome",
    "AutopilotState",
    "CandidateEvaluation",
    "CandidateSpec",
    "DaskExecutor",
    "EvaluationSettings",
    "Executor",
    "Guards",
    "IncumbentRecord",
    "LocalExecutor",
    "PromotionVerdict",
    "build_grid",
    "decide",
    "deflated_sharpe_ratio",
    "evaluate_candidate",
    "make_executor",
    "run_autopilot",
]


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` on first use."""
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)
