"""Request dependencies: the app's settings and job manager, the API-key check, and the path
parameters' constraints (declared, so the OpenAPI schema accepts exactly what the server does).

The key is compared in constant time (``hmac.compare_digest`` on bytes) and is never logged or
echoed. Without a configured key, mutating endpoints answer 503 saying how to enable them.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import APIKeyHeader

from quant_engine import config
from quant_engine.api.config import API_KEY_ENV_VAR, ApiSettings
from quant_engine.api.job_manager import JOB_ID_RE, JobManager
from quant_engine.api.views.runs import REF_RE
from quant_engine.cli import TICKER_PATTERN
from quant_engine.models.registry import VERSION_RE

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
RunRefPath = Annotated[
    str,
    Path(
        pattern=REF_RE.pattern, description="Run id, unique prefix, file name or latest[:script]."
    ),
]
SourcePath = Annotated[
    str,
    Path(
        pattern=f"^({'|'.join(config.DATA_SOURCES)})$",
        description=f"A data source: one of {', '.join(config.DATA_SOURCES)}.",
    ),
]
TICKER_PATH_PATTERN = f"^{TICKER_PATTERN.pattern.replace('A-Z', 'A-Za-z')}$"
"""A ticker in a path, any case (the server upper-cases it)."""
TickerPath = Annotated[
    str, Path(pattern=TICKER_PATH_PATTERN, description="A ticker symbol, e.g. SPX or BRK.B.")
]
ModelVersionPath = Annotated[
    str, Path(pattern=VERSION_RE.pattern, description="A model version id, e.g. m-0123456789ab.")
]
JobIdPath = Annotated[
    str, Path(pattern=JOB_ID_RE.pattern, description="A job id, e.g. j-0123456789ab.")
]
