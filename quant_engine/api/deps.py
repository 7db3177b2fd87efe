"""Request dependencies: the app's settings and job manager, and the API-key check.

The key is compared in constant time (``hmac.compare_digest`` on bytes) and is never logged or
echoed. Without a configured key, mutating endpoints answer 503 saying how to enable them.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import APIKeyHeader

from quant_engine import config
from quant_engine.api.config import API_KEY_ENV_VAR, ApiSettings
from quant_engine.api.job_manager import JobManager

api_key_header = APIKeyHeader(
    name=config.API_KEY_HEADER,
    auto_error=False,
    description="Required by mutating endpoints; the server's key is set by QE_API_API_KEY.",
)


def get_settings(request: Request) -> ApiSettings:
    """The settings the app was created with."""
    settings: ApiSettings = request.app.state.settings
    return settings


def get_jobs(request: Request) -> JobManager:
    """The app's background job manager."""
    jobs: JobManager = request.app.state.jobs
    return jobs


def require_api_key(
    settings: Annotated[ApiSettings, Depends(get_settings)],
    supplied: Annotated[str | None, Depends(api_key_header)],
) -> None:
    """Allow the request only with the configured key: 503 unset, 401 missing, 403 wrong."""
    if settings.api_key is None:
        raise HTTPException(
            503,
            f"mutating endpoints are disabled: set {API_KEY_ENV_VAR} on the server to enable them",
        )
    if not supplied:
        raise HTTPException(
            401,
            f"this endpoint requires the API key in the {config.API_KEY_HEADER} header",
            headers={"WWW-Authenticate": config.API_KEY_HEADER},
        )
    expected = settings.api_key.get_secret_value().encode()
    if not hmac.compare_digest(supplied.encode(), expected):
        raise HTTPException(403, f"the {config.API_KEY_HEADER} header does not hold a valid key")


def list_limit(
    limit: Annotated[int, Query(ge=1, le=config.API_MAX_LIST_LIMIT)] = config.API_LIST_LIMIT,
) -> int:
    """The ``limit`` query parameter of the list endpoints: how many items, capped by config."""
    return limit


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
ApiKeyDep = Depends(require_api_key)
ListLimitDep = Annotated[int, Depends(list_limit)]
