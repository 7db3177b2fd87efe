"""Backtests for the API: summaries and equity curves from successful ``run_backtest`` runs.

A run's figures come from the files it wrote and recorded in its manifest (``metrics.json``,
``equity_curve.csv``); the settings from what the run resolved.
"""

from __future__ import annotations

import csv

from pydantic import ValidationError

from quant_engine.api.schemas.backtests import (
    BacktestDetail,
    BacktestList,
    BacktestMetrics,
    BacktestSummary,
    EquityPoint,
)
from quant_engine.api.views import runs
from quant_engine.errors import DataError
from quant_engine.runs.manifest import RunManifest
from quant_engine.utils.json_form import read_json_object

SCRIPT = "run_backtest"
NO_BACKTEST = "no backtest yet: run qe-backtest"


def summary(manifest: RunManifest) -> BacktestSummary:
    """A successful backtest run as a summary; DataError naming a missing or bad file."""
    runs.require_run(manifest, SCRIPT, "a backtest")
    path = runs.output_path(manifest, "metrics")
    report = read_json_object(path, "backtest output")
    resolved, args = manifest.resolved, manifest.cli_args
    settings = report.get("config") or {}
    period = report.get("period") or {}
    rule = settings.get("rule", resolved.get("effective_rule"))
    try:
        return BacktestSummary.model_validate(
            {
                "run_id": manifest.run_id,
                "created_at": manifest.started_at,
                "model_version": manifest.model_version,
                "model_kind": resolved.get("model_kind", args.get("model")),
                "feature_mode": resolved.get("feature_mode", args.get("feature_mode")),
                "portfolio_rule": rule,
                "top_k": settings.get("top_k") if rule == "top_k" else None,
                "tickers": resolved.get("tickers", args.get("tickers")),
                "window": (period.get("start"), period.get("end")),
                "cost_bps": settings.get("cost_bps", resolved.get("effective_cost_bps")),
                "slippage_bps": settings.get(
                    "slippage_bps", resolved.get("effective_slippage_bps")
                ),
                "metrics": BacktestMetrics.model_validate(report.get("metrics")),
            }
        )
    except ValidationError as exc:
        raise DataError(f"{path}: does not describe a backtest ({first_error(exc)})") from None


def equity_curve(manifest: RunManifest) -> list[EquityPoint]:
    """The run's daily equity curve, oldest first."""
    path = runs.output_path(manifest, "equity_curve")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return [EquityPoint.model_validate(row) for row in csv.DictReader(handle)]
    except OSError as exc:
        raise DataError(f"{path}: unreadable equity curve ({exc})") from None
    except ValidationError as exc:
        raise DataError(f"{path}: bad equity curve row ({first_error(exc)})") from None


def detail(manifest: RunManifest) -> BacktestDetail:
    """Summary, equity curve, gross and net, benchmark and IC by year of one backtest run."""
    head = summary(manifest)
    path = runs.output_path(manifest, "metrics")
    report = read_json_object(path, "backtest output")
    try:
        return BacktestDetail.model_validate(
            {
                "summary": head,
                "equity_curve": equity_curve(manifest),
                "gross_and_net": report.get("gross_and_net"),
                "benchmark": report.get("benchmark"),
                "ic_by_year": report.get("ic_by_year") or {},
            }
        )
    except ValidationError as exc:
        raise DataError(f"{path}: does not describe a backtest ({first_error(exc)})") from None


def latest() -> RunManifest:
    """The newest successful backtest run; 404 with the command to run when there is none."""
    return runs.latest_success(SCRIPT, NO_BACKTEST)


def list_summaries(limit: int) -> tuple[BacktestList, list[str]]:
    """Summaries of successful backtests newest first, and one line per run that was skipped."""
    found: list[BacktestSummary] = []
    skipped: list[str] = []
    for manifest in runs.successful(SCRIPT):
        if len(found) >= limit:
            break
        try:
            found.append(summary(manifest))
        except DataError as exc:
            skipped.append(f"skipped run {manifest.run_id}: {exc}")
    return BacktestList(found), skipped


def first_error(exc: ValidationError) -> str:
    """``field: message`` of a validation error's first problem."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "value"
    return f"{where}: {error['msg']}"
