"""The API application: ``create_app(settings)`` wires settings, jobs, middleware and routers.

Requests whose ``Host`` header is not one of the server's own names are refused with 400 (a
DNS-rebinding page cannot read the API); ``HEAD`` is answered wherever ``GET`` is.
Building the app is cheap and starts nothing: worker threads start with the first job, and the
job manager is shut down (running jobs stopped, queued ones failed) when the app's lifespan ends.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

import quant_engine
from quant_engine import config, layout
from quant_engine.api.config import ApiSettings, load_settings
from quant_engine.api.docs import install_docs
from quant_engine.api.errors import install_error_handlers
from quant_engine.api.job_manager import JobManager
from quant_engine.api.middleware import (
    REQUEST_ID_HEADER,
    BodySizeLimit,
    HeadAsGet,
    RequestContext,
)
from quant_engine.api.routers import ROUTERS

TITLE = "quant_engine API"
DESCRIPTION = (
    "Read-only views of the engine's data, models, runs and autopilot, and compute jobs. "
    "Every response is an `ApiResponse` envelope. Mutating endpoints require the "
    f"`{config.API_KEY_HEADER}` header."
)


def create_app(settings: ApiSettings | None = None, jobs: JobManager | None = None) -> FastAPI:
    """The FastAPI app for ``settings`` (default: from ``QE_API_*``); ``jobs`` for tests."""
    settings = settings if settings is not None else load_settings()
    manager = jobs if jobs is not None else JobManager(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        manager.shutdown()

    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version=quant_engine.__version__,
        lifespan=lifespan,
        docs_url=None,  # served by install_docs with local assets
        redoc_url=None,
        openapi_url=f"/api/{layout.OPENAPI_NAME}",
    )
    app.state.settings = settings
    app.state.jobs = manager
    app.state.started = time.monotonic()
    install_error_handlers(app)
    install_docs(app, f"/api/{layout.OPENAPI_NAME}")
    for router in ROUTERS:
        app.include_router(router)
    mount_dashboard(app)
    # added last = outermost: CORS, request ids, the Host check, HEAD, then the body limit
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.add_middleware(RequestContext)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=[config.API_KEY_HEADER, "Content-Type"],
            expose_headers=[REQUEST_ID_HEADER],
        )
    return app


def mount_dashboard(app: FastAPI) -> None:
    """Serve the built dashboard: its page at ``/`` and its files under ``/assets``; every
    other path stays the API's (unknown ones get the enveloped 404)."""
    folder = layout.dashboard_dir()
    index = folder / "index.html"
    if not index.is_file():
        return
    app.mount("/assets", StaticFiles(directory=folder / "assets"), name="dashboard-assets")

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
