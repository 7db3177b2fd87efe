"""API server settings: ``QE_API_*`` environment variables over the defaults in quant_engine.config.

The API key is a :class:`~pydantic.SecretStr`: it never appears in a repr, a log or a manifest.
Requests must name the server by one of :attr:`ApiSettings.trusted_hosts` in their ``Host``
header (DNS rebinding cannot reach it under another name).
Without a key the server still answers reads, and refuses every mutating endpoint.
"""

from __future__ import annotations

import socket
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from quant_engine import config
from quant_engine.errors import ConfigError

ENV_PREFIX = "QE_API_"
API_KEY_ENV_VAR = f"{ENV_PREFIX}API_KEY"
ALLOWED_HOSTS_ENV_VAR = f"{ENV_PREFIX}ALLOWED_HOSTS"
LOOPBACK_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
WILDCARD_HOSTS: frozenset[str] = frozenset({"0.0.0.0", "::", "[::]"})
"""Addresses meaning "every interface": not a name a request can carry."""


class ApiSettings(BaseSettings):
    """How the API server listens and what it allows; every field has a ``QE_API_`` variable."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    host: str = config.API_HOST
    port: int = Field(default=config.API_PORT, ge=0, le=65535)
    api_key: SecretStr | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=config.API_MAX_BODY_BYTES, ge=1)
    max_concurrent_jobs: int = Field(default=config.API_MAX_CONCURRENT_JOBS, ge=1)
    max_queued_jobs: int = Field(default=config.API_MAX_QUEUED_JOBS, ge=0)
    job_history: int = Field(default=config.API_JOB_HISTORY, ge=1)
    job_timeout_s: float = Field(default=config.API_JOB_TIMEOUT_S, gt=0)

    @field_validator("api_key", mode="before")
    @classmethod
    def blank_key_is_unset(cls, value: Any) -> Any:
        """An empty or blank key means "no key", not a key anyone can send."""
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            return None
        return value

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def split_list(cls, value: Any) -> Any:
        """``QE_API_CORS_ORIGINS`` and ``QE_API_ALLOWED_HOSTS`` are comma-separated lists."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def trusted_hosts(self) -> list[str]:
        """Host names requests may carry: the bound address, loopback names and any extra
        ``QE_API_ALLOWED_HOSTS``; on a wildcard address also this machine's own names."""
        hosts = [self.host, *LOOPBACK_HOSTS, *self.allowed_hosts]
        if self.host in WILDCARD_HOSTS:
            hosts += [socket.gethostname(), socket.getfqdn()]
        bracketed = [f"[{h}]" if ":" in h and not h.startswith("[") else h for h in hosts]
        return sorted({h.lower() for h in bracketed if h and h not in WILDCARD_HOSTS})

    @property
    def mutations_enabled(self) -> bool:
        """True when an API key is set, so mutating endpoints can be authorised."""
        return self.api_key is not None


def load_settings(**overrides: Any) -> ApiSettings:
    """Settings from the environment and ``overrides``; ConfigError naming the bad variable."""
    try:
        return ApiSettings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        source = f"{ENV_PREFIX}{field.upper()}" if field not in overrides else field
        raise ConfigError(f"{source} is invalid: {first['msg']}") from None
