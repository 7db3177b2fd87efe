"""The envelope every API response uses: ``ApiResponse[T]`` with ok, data, error and meta."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ApiError(BaseModel):
    """Why a request failed: a stable code for programs and one line for people."""

    code: str = Field(description="Stable machine-readable code, e.g. `validation_error`.")
    message: str = Field(description="One human-readable line; never a stack trace or a secret.")
    details: dict[str, Any] | None = Field(
        default=None, description="Structured context, e.g. the fields that failed validation."
    )


class ResponseMeta(BaseModel):
    """Facts about the response itself, for logs and support requests."""

    request_id: str = Field(description="Echoed in the server log line of this request.")
    generated_at: dt.datetime
    version: str = Field(description="Version of quant_engine that served the response.")
    elapsed_ms: float | None = Field(default=None, ge=0)
    warnings: list[str] = Field(default_factory=list)


class ApiResponse(BaseModel, Generic[T]):
    """Every API response: ``ok`` with ``data``, or not ``ok`` with an ``error``."""

    ok: bool
    data: T | None = None
    error: ApiError | None = None
    meta: ResponseMeta
