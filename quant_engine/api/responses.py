"""Build the ``ApiResponse`` envelope: success bodies, error bodies and their ``meta``.

The request id and start time come from :class:`~quant_engine.api.middleware.RequestContext`,
which stores them in the request's state.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse

import quant_engine
from quant_engine.api.schemas.envelope import ApiError, ApiResponse, ResponseMeta

T = TypeVar("T")

REQUEST_ID_KEY = "request_id"
STARTED_KEY = "started"
WARNINGS_KEY = "warnings"
UNKNOWN_REQUEST_ID = "-"

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ApiResponse[None], "description": description}
    for status, description in (
        (400, "Bad request: the envelope's error says what to change"),
        (404, "Not found: the envelope's error names what is missing"),
        (422, "Validation error: the envelope's error details list the fields"),
        (500, "Server error: one line, the details are in the server log"),
    )
}
"""Documented error responses of every route (all of them carry the envelope)."""


def request_id(request: Request) -> str:
    """The id assigned to this request by the middleware."""
    return str(request.scope.get("state", {}).get(REQUEST_ID_KEY, UNKNOWN_REQUEST_ID))


def add_warning(request: Request, text: str) -> None:
    """Attach a one-line warning to this request's ``meta.warnings``."""
    request.scope.setdefault("state", {}).setdefault(WARNINGS_KEY, []).append(text)


def meta(request: Request) -> ResponseMeta:
    """Facts about this response: request id, time, server version, elapsed, warnings."""
    state = request.scope.get("state", {})
    started = state.get(STARTED_KEY)
    elapsed = None if started is None else round((time.perf_counter() - started) * 1000, 3)
    return ResponseMeta(
        request_id=request_id(request),
        generated_at=datetime.now(UTC),
        version=quant_engine.__version__,
        elapsed_ms=elapsed,
        warnings=list(state.get(WARNINGS_KEY, [])),
    )


def ok(request: Request, data: T, warnings: Iterable[str] = ()) -> ApiResponse[T]:
    """A successful envelope around ``data``, with ``warnings`` added to ``meta.warnings``."""
    for text in warnings:
        add_warning(request, text)
    return ApiResponse(ok=True, data=data, meta=meta(request))


def error_response(
    request: Request,
    status_code: int,
    code: str,
    message: str,
    *,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error envelope as a JSON response with ``status_code``."""
    body: ApiResponse[None] = ApiResponse(
        ok=False,
        error=ApiError(code=code, message=message, details=details),
        meta=meta(request),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)
