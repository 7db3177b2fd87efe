"""``GET /api/dashboard``: the landing page in one call.

Each part is read on its own: a part that fails (a corrupt file, say) is left empty and named in
``meta.warnings``, so one bad record never blanks the whole page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request

from quant_engine import config
from quant_engine.api.deps import JobsDep
from quant_engine.api.errors import NotFoundError
from quant_engine.api.responses import ERROR_RESPONSES, add_warning, ok
from quant_engine.api.schemas.compute import JobStatus
from quant_engine.api.schemas.dashboard import DashboardSummary
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.schemas.signals import SignalRow
from quant_engine.api.views import (
    autopilot,
    backtests,
    data_explorer,
    model_lab,
    signals,
    system_health,
)
from quant_engine.errors import QuantEngineError, error_line

router = APIRouter(prefix="/api", tags=["dashboard"], responses=ERROR_RESPONSES)

T = TypeVar("T")


def part(request: Request, name: str, read: Callable[[], T], empty: T) -> T:
    """``read()``, or ``empty`` when there is nothing yet (404) or it failed (a warning)."""
    try:
        return read()
    except NotFoundError:
        return empty
    except (QuantEngineError, OSError) as exc:
        add_warning(request, f"{name}: {error_line(exc)}")
        return empty


@router.get("/dashboard", summary="Everything the landing page shows")
def get_dashboard(request: Request, jobs: JobsDep) -> ApiResponse[DashboardSummary]:
    """Health, the active model, the latest backtest and signal, and the last promotion."""
    no_signals: list[SignalRow] = []
    latest_signals = part(
        request,
        "signals",
        lambda: signals.signal_set(signals.latest(), config.API_TOP_SIGNALS).rows,
        no_signals,
    )
    summary = DashboardSummary(
        as_of=part(request, "cache", data_explorer.latest_session, None),
        health=system_health.system_health(jobs, request.app.state.started).status,
        active_model=part(request, "model", model_lab.active, None),
        latest_backtest=part(
            request, "backtest", lambda: backtests.summary(backtests.latest()), None
        ),
        top_signals=latest_signals,
        last_promotion=part(
            request, "autopilot", lambda: next(iter(autopilot.decisions(1)[0]), None), None
        ),
        running_jobs=jobs.counts()[JobStatus.RUNNING],
        cached_tickers=part(request, "cache", data_explorer.cached_count, 0),
    )
    return ok(request, summary)
