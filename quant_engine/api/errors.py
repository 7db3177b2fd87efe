"""Every failure becomes the envelope: a status, a stable code and one line, never a traceback.

Engine errors keep their meaning: a usage error (bad ticker, unknown model) is 400 or 404, any
other :class:`~quant_engine.errors.QuantEngineError` 500 with its one-line message. Unexpected
exceptions are logged with their traceback and answered with a generic line and the request id.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from quant_engine.api.responses import error_response, request_id
from quant_engine.errors import (
    ModelNotFoundError,
    QuantEngineError,
    UnknownTickerError,
    UsageError,
    error_line,
    first_line,
)

log = logging.getLogger("quant_engine.api")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "too_many_requests",
    503: "unavailable",
}
SHOWN_VALIDATION_ERRORS = 3
DEFAULT_DETAILS = {404: "Not Found", 405: "Method Not Allowed"}
ROUTING_MESSAGES = {404: "no such endpoint", 405: "method not allowed"}


class NotFoundError(UsageError):
    """The thing a request names does not exist (no such run, job, or no result yet): 404."""


class TooManyJobsError(UsageError):
    """The job queue is full: 429."""


class BodyTooLarge(StarletteHTTPException):
    """The request body exceeded the configured limit: 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the limit of {limit} bytes")


def status_for(exc: QuantEngineError) -> int:
    """HTTP status of an engine error: 404 for missing things, 400 for usage, else 500."""
    if isinstance(exc, NotFoundError | UnknownTickerError | ModelNotFoundError):
        return 404
    if isinstance(exc, TooManyJobsError):
        return 429
    if isinstance(exc, UsageError):
        return 400
    return 500


def code_for(status: int) -> str:
    """Stable machine-readable code of an HTTP status."""
    return HTTP_CODES.get(status, "internal_error" if status >= 500 else "error")


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Each failed field's location, message and type (never the submitted input)."""
    return [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 listing the fields that failed (body, query or path)."""
    assert isinstance(exc, RequestValidationError)
    errors = validation_details(exc)
    shown = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:SHOWN_VALIDATION_ERRORS])
    hidden = len(errors) - SHOWN_VALIDATION_ERRORS
    more = f" (+{hidden} more)" if hidden > 0 else ""
    message = f"invalid request: {shown}{more}" if errors else "invalid request"
    return error_response(request, 422, "validation_error", message, details={"errors": errors})


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    """Framework errors (404 route, 405, 413, auth) with their status and detail line."""
    assert isinstance(exc, StarletteHTTPException)
    message = first_line(str(exc.detail), f"HTTP {exc.status_code}")
    if exc.status_code in ROUTING_MESSAGES and message == DEFAULT_DETAILS[exc.status_code]:
        message = f"{ROUTING_MESSAGES[exc.status_code]}: {request.method} {request.url.path}"
    return error_response(
        request, exc.status_code, code_for(exc.status_code), message, headers=exc.headers
    )


async def on_engine_error(request: Request, exc: Exception) -> JSONResponse:
    """An engine error's one-line message with the status its kind implies."""
    assert isinstance(exc, QuantEngineError)
    status = status_for(exc)
    if status >= 500:
        log.error("request %s failed: %s", request_id(request), error_line(exc))
    message = error_line(exc)
    return error_response(request, status, code_for(status), message)


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """500 with a generic line; the traceback goes to the server log under the request id."""
    rid = request_id(request)
    log.error("request %s failed", rid, exc_info=exc)
    message = f"internal server error (request {rid}); the details are in the server log"
    return error_response(request, 500, "internal_error", message)


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of failure to its envelope handler."""
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(QuantEngineError, on_engine_error)
    app.add_exception_handler(Exception, on_unexpected_error)
