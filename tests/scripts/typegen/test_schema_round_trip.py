"""Contract round trip: models regenerated from the emitted JSON Schema agree with the originals.

datamodel-code-generator turns the generator's JSON Schema document (``--schema-out``) back into
Pydantic models; sample payloads (valid and invalid) must validate the same way under both.
Payloads are complete responses as the server sends them: the contract makes a response's
defaulted fields required (the server always sends them), which one test pins down on purpose.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from quant_engine.api.schemas import (
    autopilot,
    backtests,
    compute,
    dashboard,
    data_explorer,
    envelope,
    model_lab,
    signals,
    system_health,
)
from scripts.typegen.defaults import DEFAULT_PACKAGE
from scripts.typegen.outputs import render_typescript

METRICS = {
    "total_return": 0.12,
    "annual_return": 0.05,
    "volatility": 0.15,
    "sharpe": 0.8,
    "sortino": None,
    "max_drawdown": 0.2,
    "turnover": 0.1,
    "hit_rate": 0.52,
    "n_trades": 120,
    "n_days": 500,
    "exposure": 1,
}
SUMMARY = {
    "run_id": "20240102T093000123456-42-ab12",
    "created_at": "2024-01-02T09:30:00",
    "model_kind": "ridge",
    "feature_mode": "core",
    "portfolio_rule": "top_k",
    "top_k": 5,
    "tickers": ["SPX", "COMP"],
    "window": ["2020-01-02", "2020-12-31"],
    "cost_bps": 5,
    "slippage_bps": 2.0,
    "metrics": METRICS,
}
VERSION = {
    "version_id": "v0003",
    "created_at": "2024-01-02T09:30:00+00:00",
    "feature_mode": "full",
    "model_kind": "gbm",
    "train_start": "2015-01-02",
    "train_end": "2023-12-29",
    "oos": {"ic": 0.03, "rank_ic": 0.04, "hit_rate": 0.51, "n_obs": 10000},
    "data_digest": "ab" * 32,
    "seed": 42,
    "tickers": ["SPX"],
}
REQUEST = {"kind": "backtest", "years": 5, "feature_mode": "minimal"}
JOB = {
    "job_id": "j-1",
    "kind": "backtest",
    "status": "running",
    "request": REQUEST,
    "submitted_at": "2024-01-02T09:30:00Z",
    "started_at": "2024-01-02T09:30:01Z",
}
HEALTH = {
    "status": "degraded",
    "version": "0.1.0",
    "uptime_s": 12.5,
    "components": [{"name": "cache", "status": "ok", "checked_at": "2024-01-02T09:30:00Z"}],
    "checked_at": "2024-01-02T09:30:00Z",
}
SIGNALS = {
    "as_of": "2024-01-02",
    "model_version": "v0003",
    "feature_mode": "core",
    "horizon_days": 5,
    "rows": [{"date": "2024-01-02", "ticker": "SPX", "score": 0.01, "rank": 1}],
}
DECISION = {
    "promoted": False,
    "reasons": ["sharpe margin below 0.10"],
    "candidate_id": "c-1",
    "incumbent_id": None,
    "window": ["2020-01-02", "2020-12-31"],
    "decided_at": "2024-01-02T09:30:00Z",
}
CYCLE = {
    "decision_id": "0123456789abcdef",
    "decision": DECISION,
    "guards": {"min_trades": 50, "max_drawdown": 0.35, "min_deflated_sharpe": 0.9},
    "n_trials": 3,
    "prior_trials": 0,
    "effective_trials": 2.0,
    "pbo": None,
    "holdout_days": 120,
    "results": [
        {
            "candidate": {
                "candidate_id": "core-ridge-top_k",
                "feature_mode": "core",
                "model_kind": "ridge",
                "portfolio_rule": "top_k",
            },
            "rank": 1,
            "sharpe": 1.2,
            "deflated_sharpe": None,
            "max_drawdown": 0.15,
            "total_return": 0.5,
            "entries_exits": 395,
            "holdout_sharpe": -0.5,
            "passed_guards": False,
            "guards": [{"name": "min_trades", "passed": True, "detail": None}],
            "beats_incumbent": None,
        }
    ],
}
SOURCE = {"name": "sample", "kind": "embedded", "description": "offline", "available": True}
DASHBOARD = {"as_of": None, "health": "ok", "top_signals": SIGNALS["rows"]}
ERROR = {"code": "not_found", "message": "no backtest b-1"}
META = {"request_id": "r-1", "generated_at": "2024-01-02T09:30:00Z", "version": "0.1.0"}

Edit = Callable[[dict[str, Any]], None]


def edited(payload: dict[str, Any], edit: Edit) -> dict[str, Any]:
    """A deep copy of ``payload`` changed by ``edit``."""
    result = copy.deepcopy(payload)
    edit(result)
    return result


def setter(*path: Any, value: Any) -> Edit:
    """An edit that sets the item at ``path``."""

    def edit(payload: dict[str, Any]) -> None:
        target: Any = payload
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def dropper(key: str) -> Edit:
    """An edit that removes a top-level key."""
    return lambda payload: payload.pop(key)


# (original model, sample payload (partial: completed from the original), invalid edits)
CASES: list[tuple[type[BaseModel], dict[str, Any], list[Edit]]] = [
    (
        backtests.BacktestSummary,
        SUMMARY,
        [
            setter("window", value=["2020-01-02", "2020-06-30", "2020-12-31"]),
            setter("window", value=["2020-13-01", "2020-12-31"]),
            setter("portfolio_rule", value="momentum"),
            setter("metrics", "hit_rate", value=1.5),
            setter("top_k", value=0),
            setter("tickers", value="SPX"),
            dropper("run_id"),
            dropper("metrics"),
        ],
    ),
    (model_lab.ModelVersion, VERSION, [setter("feature_mode", value="huge"), dropper("oos")]),
    (compute.Job, JOB, [setter("progress", value=2), setter("status", value="done")]),
    (system_health.SystemHealth, HEALTH, [setter("components", 0, "latency_ms", value=-1)]),
    (signals.SignalSet, SIGNALS, [setter("rows", 0, "rank", value=0), dropper("as_of")]),
    (autopilot.PromotionDecision, DECISION, [setter("window", value=["2020-01-02"])]),
    (
        autopilot.AutopilotCycle,
        CYCLE,
        [
            setter("results", 0, "rank", value=0),
            setter("results", 0, "guards", 0, "passed", value="maybe"),
            setter("holdout_days", value=-1),
            dropper("results"),
        ],
    ),
    (data_explorer.DataSourceInfo, SOURCE, [setter("kind", value="cloud")]),
    (dashboard.DashboardSummary, DASHBOARD, [setter("health", value="meh")]),
    (envelope.ApiError, ERROR, [setter("details", value=[1, 2])]),
    (envelope.ResponseMeta, META, [setter("elapsed_ms", value=-1.0)]),
]


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """Pydantic models regenerated by datamodel-code-generator from ``--schema-out``."""
    import datamodel_code_generator as dcg

    folder = tmp_path_factory.mktemp("contract")
    _, schema = render_typescript(DEFAULT_PACKAGE, quiet=True)
    code = dcg.generate(
        schema,
        input_file_type=dcg.InputFileType.JsonSchema,
        output_model_type=dcg.DataModelType.PydanticV2BaseModel,
        output_datetime_class=dcg.DatetimeClassType.Datetime,
        strict_nullable=True,
        formatters=[dcg.Formatter.BUILTIN],
        disable_timestamp=True,
    )
    assert isinstance(code, str)
    module_path = folder / "wire_contract_models.py"
    module_path.write_text(code)
    spec = importlib.util.spec_from_file_location("wire_contract_models", module_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def validates(model: Any, payload: Any) -> bool:
    """True when ``model`` accepts ``payload``."""
    try:
        model.model_validate(payload)
    except ValidationError:
        return False
    return True


def complete(model: type[BaseModel], payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the server sends it: every field present (defaults filled in)."""
    return model.model_validate(payload).model_dump(mode="json", by_alias=True)


@pytest.mark.parametrize(("model", "sample", "edits"), CASES, ids=[c[0].__name__ for c in CASES])
def test_payloads_validate_the_same_under_both(
    contract: ModuleType, model: type[BaseModel], sample: dict[str, Any], edits: list[Edit]
) -> None:
    regenerated = getattr(contract, model.__name__)
    payload = complete(model, sample)
    assert validates(model, payload)
    assert validates(regenerated, payload)
    for edit in edits:
        bad = edited(payload, edit)
        assert not validates(model, bad), f"sample should be invalid: {bad}"
        assert not validates(regenerated, bad), f"contract accepts what the model rejects: {bad}"


def test_request_defaults_stay_optional_in_the_contract(contract: ModuleType) -> None:
    regenerated = contract.JobRequest
    for payload in ({"kind": "train"}, REQUEST, {"kind": "train", "tags": ["a"], "seed": None}):
        assert validates(compute.JobRequest, payload)
        assert validates(regenerated, payload)
    for bad in (
        {"kind": "optimise"},
        {"kind": "train", "years": 0},
        {"kind": "train", "tags": None},
        {"kind": "train", "surprise": 1},
        {},
    ):
        assert not validates(compute.JobRequest, bad)
        assert not validates(regenerated, bad)


def test_root_model_round_trips(contract: ModuleType) -> None:
    payload = [complete(backtests.BacktestSummary, SUMMARY)]
    assert validates(backtests.BacktestList, payload)
    assert validates(contract.BacktestList, payload)
    assert not validates(backtests.BacktestList, [{}])
    assert not validates(contract.BacktestList, [{}])


def test_response_defaults_are_required_by_the_contract(contract: ModuleType) -> None:
    """The one intended difference: the server always sends a defaulted response field."""
    payload = edited(complete(compute.Job, JOB), dropper("progress"))
    assert validates(compute.Job, payload)
    assert not validates(contract.Job, payload)
