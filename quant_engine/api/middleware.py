"""ASGI middleware: a request id and a log line per request, and the request-body size limit.

Both are plain ASGI (no BaseHTTPMiddleware), so streaming and background tasks are unaffected.
Log lines carry method, path, status and time only: never headers, query values or bodies.
"""

from __future__ import annotations

import logging
import secrets
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quant_engine.api.errors import BodyTooLarge
from quant_engine.api.responses import REQUEST_ID_KEY, STARTED_KEY, error_response

log = logging.getLogger("quant_engine.api")

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContext:
    """Assign each request an id (echoed as ``X-Request-ID``) and log one line when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(8)
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        state[REQUEST_ID_KEY] = rid
        state[STARTED_KEY] = started
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            method, path = scope.get("method", "?"), scope.get("path", "?")
            log.info("%s %s %s -> %d (%.1f ms)", rid, method, path, status, elapsed)


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413: by Content-Length, or while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            too_large = BodyTooLarge(self.max_bytes)
            response = error_response(
                Request(scope), too_large.status_code, "payload_too_large", str(too_large.detail)
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)


class HeadAsGet:
    """Answer ``HEAD`` wherever ``GET`` is answered: run the GET, send its headers, no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
