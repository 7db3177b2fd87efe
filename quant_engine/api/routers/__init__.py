"""The API's routers, one per dashboard page; ``ROUTERS`` is what the app mounts, in order."""

from __future__ import annotations

from fastapi import APIRouter

from quant_engine.api.routers import (
    autopilot,
    backtests,
    code_health,
    compute,
    dashboard,
    data_explorer,
    model_lab,
    runs,
    signals,
    system_health,
)

ROUTERS: tuple[APIRouter, ...] = (
    system_health.router,
    dashboard.router,
    runs.router,
    backtests.router,
    signals.router,
    model_lab.router,
    data_explorer.router,
    autopilot.router,
    code_health.router,
    compute.router,
)
