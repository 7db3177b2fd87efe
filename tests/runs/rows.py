"""Summary rows built in memory, as :func:`quant_engine.runs.index.query` returns them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from quant_engine.runs.index import RunRow, Scalar
from quant_engine.runs.manifest import RunStatus

START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def make_row(
    minute: int,
    script: str = "run_backtest",
    status: RunStatus = RunStatus.SUCCESS,
    settings: dict[str, Scalar] | None = None,
    metrics: dict[str, Scalar] | None = None,
) -> RunRow:
    """A run started ``minute`` minutes after START, its id sorting by that time."""
    started = START + timedelta(minutes=minute)
    run_id = f"{started:%Y%m%dT%H%M%S}.000000Z-100-{minute:06x}"
    return RunRow(
        path=Path(f"/runs/{run_id}.json"),
        run_id=run_id,
        script=script,
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=5),
        duration_s=5.0,
        git_commit=None,
        model_version=None,
        data_digest=None,
        settings=settings or {},
        metrics=metrics or {},
    )


def backtest(minute: int, rule: str, sharpe: float, cagr: float = 0.1) -> RunRow:
    """A backtest row with the keys a real backtest records."""
    return make_row(
        minute,
        settings={"effective_rule": rule, "model_kind": "ridge", "feature_mode": "core"},
        metrics={
            "sharpe": sharpe,
            "annual_return": cagr,
            "max_drawdown": 0.322431398087327,
            "turnover": 0.6537949400798935,
        },
    )
