"""Make values safe to record: JSON-safe, and with every secret replaced by a marker.

A value is secret when its name (flag, key, variable) contains one of
``config.REDACT_NAME_MARKERS`` in any case; passwords inside URLs (``scheme://user:pw@host``) are
always hidden; and :func:`scrub_secret_values` removes the literal values of secret-named
environment variables from every string of a record, whatever field they slipped into.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from quant_engine import config
from quant_engine.utils.json_form import to_json_safe

REDACTED = "***REDACTED***"
MIN_SCRUBBED_LENGTH = 6
"""Shorter environment values are not scrubbed from text (too likely to be ordinary words)."""

_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+@")


def is_secret_name(name: str) -> bool:
    """True when ``name`` looks like it holds a secret (PASSWORD, TOKEN, SECRET, KEY ...)."""
    upper = name.upper()
    return any(marker in upper for marker in config.REDACT_NAME_MARKERS)


def redact_text(text: str) -> str:
    """``text`` with passwords inside URLs replaced by the marker."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{REDACTED}@", text)


def redact(value: Any) -> Any:
    """A JSON-safe copy of ``value`` with secret-named keys and URL passwords redacted."""
    value = to_json_safe(value)
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_name(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_mapping(values: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`redact` for a mapping of named values (CLI args, resolved settings, results)."""
    redacted: dict[str, Any] = redact(dict(values))
    return redacted


def redact_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` with values of secret flags hidden: ``--api-key V`` and ``--api-key=V``."""
    out: list[str] = []
    hide_next = False
    for token in argv:
        if hide_next and not token.startswith("--"):
            out.append(REDACTED)
            hide_next = False
            continue
        hide_next = False
        name, eq, _ = token.partition("=")
        if is_secret_name(name.lstrip("-")):
            if eq:
                out.append(f"{name}={REDACTED}")
                continue
            if token.startswith("-"):
                hide_next = True
        out.append(redact_text(token))
    return out


def secret_env_values(environ: Mapping[str, str]) -> list[str]:
    """Values of secret-named environment variables worth scrubbing, longest first."""
    values = {v for k, v in environ.items() if is_secret_name(k) and len(v) >= MIN_SCRUBBED_LENGTH}
    return sorted(values, key=len, reverse=True)


def scrub_secret_values(value: Any, secrets: Sequence[str]) -> Any:
    """A copy of JSON value ``value`` with every occurrence of each secret in its strings
    (keys included) replaced by the marker."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {
            scrub_secret_values(k, secrets): scrub_secret_values(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_secret_values(v, secrets) for v in value]
    return value
