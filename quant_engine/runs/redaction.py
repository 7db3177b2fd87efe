"""Make values safe to record: JSON-safe, and with every secret replaced by a marker.

Environment variables are recorded by allow-list: values only for the project's own settings and
a few harmless variables (:func:`is_recorded_env_name`), names only for any other ``QE_*``
variable. A flag or key whose name contains one of ``config.REDACT_NAME_MARKERS`` is redacted;
in every URL, wherever it appears, the user info (``scheme://user:pw@host``) and secret query
parameters (``?token=...``, see ``config.REDACT_QUERY_PARAMS``) are hidden; and
:func:`scrub_secret_values` removes the literal values of hidden variables from every string.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from quant_engine import config
from quant_engine.utils.json_form import to_json_safe

REDACTED = "***REDACTED***"
MIN_SCRUBBED_LENGTH = 6
"""Shorter environment values are not scrubbed from text (too likely to be ordinary words)."""
BLAS_THREAD_VARS: tuple[str, ...] = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "BLIS_NUM_THREADS",
)
"""Thread-count variables (they change float results), always recorded with their values."""

_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
_QUERY_PARAM = re.compile(r"(?P<sep>[?&;#])(?P<name>[^=&;#?/]+)=(?P<value>[^&;#\s]*)")
_WORD_SPLIT = re.compile(r"[_\-.]")


def is_secret_name(name: str) -> bool:
    """True when ``name`` looks like it holds a secret (PASSWORD, TOKEN, SECRET, KEY ...)."""
    upper = name.upper()
    return any(marker in upper for marker in config.REDACT_NAME_MARKERS)


def is_recorded_env_name(name: str) -> bool:
    """True when the value of variable ``name`` may be recorded: a project setting, or one of
    the listed harmless variables."""
    return (
        name in config.env_setting_names()
        or name in config.MANIFEST_ENV_NAMES
        or name in BLAS_THREAD_VARS
    )


def is_hidden_env_name(name: str) -> bool:
    """True when the value of variable ``name`` must never be recorded, printed or served."""
    if is_recorded_env_name(name):
        return False
    return name.startswith(config.MANIFEST_ENV_PREFIXES) or is_secret_name(name)


def recorded_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables a manifest records, sorted by name: allow-listed ones with their values,
    other ``QE_*`` ones with the marker in place of the value."""
    out: dict[str, str] = {}
    for name in sorted(environ):
        if is_recorded_env_name(name):
            out[name] = environ[name]
        elif name.startswith(config.MANIFEST_ENV_PREFIXES):
            out[name] = REDACTED
    return out


def is_secret_param(name: str) -> bool:
    """True when URL query parameter ``name`` carries a credential (token, sig, api_key ...)."""
    lower = name.lower()
    words = {lower, *_WORD_SPLIT.split(lower)}
    return is_secret_name(name) or any(word in config.REDACT_QUERY_PARAMS for word in words)


def redact_url(url: str) -> str:
    """``url`` with its user info and the values of secret query parameters replaced."""
    scheme, _, rest = url.partition("://")
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        authority = f"{user}:{REDACTED}@{host}" if colon else f"{REDACTED}@{host}"

    def hide(m: re.Match[str]) -> str:
        if not is_secret_param(m.group("name")):
            return m.group(0)
        return f"{m.group('sep')}{m.group('name')}={REDACTED}"

    return f"{scheme}://{authority}{_QUERY_PARAM.sub(hide, tail)}"


def redact_text(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by the marker."""
    if "://" not in text:
        return text
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


def redact(value: Any) -> Any:
    """A JSON-safe copy of ``value`` with secret-named keys and URL credentials redacted."""
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
    """``argv`` with values of secret flags hidden (``--api-key V``, ``--api-key=V``) and URL
    credentials hidden in every token."""
    out: list[str] = []
    hide_next = False
    for token in argv:
        if hide_next and not token.startswith("--"):
            out.append(REDACTED)
            hide_next = False
            continue
        hide_next = False
        name, eq, _ = token.partition("=")
        if "://" not in name and is_secret_name(name.lstrip("-")):
            if eq:
                out.append(f"{name}={REDACTED}")
                continue
            if token.startswith("-"):
                hide_next = True
        out.append(redact_text(token))
    return out


def secret_env_values(environ: Mapping[str, str]) -> list[str]:
    """Values of hidden variables (see :func:`is_hidden_env_name`) worth scrubbing from text,
    longest first."""
    values = {
        v for k, v in environ.items() if is_hidden_env_name(k) and len(v) >= MIN_SCRUBBED_LENGTH
    }
    return sorted(values, key=len, reverse=True)


def scrub_secret_values(value: Any, secrets: Sequence[str]) -> Any:
    """A copy of JSON value ``value`` whose strings (keys included) have every occurrence of
    each secret replaced by the marker, and every URL's credentials hidden: the last pass
    over a whole record before it is written or served."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return redact_text(value)
    if isinstance(value, dict):
        return {
            scrub_secret_values(k, secrets): scrub_secret_values(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_secret_values(v, secrets) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """A log filter that hides URL credentials in every record it passes (an HTTP library's
    request log carries the full URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record``'s message with credentials hidden; never drops a record."""
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
