"""Exception types that entry points map to exit codes: usage errors exit 2, run failures exit 1."""

from __future__ import annotations


class QuantEngineError(Exception):
    """Base of every error the engine raises on purpose; its message is one clear line."""

    exit_code = 1


class UsageError(QuantEngineError):
    """The caller asked for something impossible (bad ticker, missing credential): exit 2."""

    exit_code = 2


class ConfigError(UsageError):
    """An environment override has a value we cannot use; the message names the variable."""


class DataError(QuantEngineError):
    """Stored or fetched data is unusable (corrupt file, failed validation): exit 1."""


class CacheCorruptError(DataError):
    """A cache file cannot be read or does not match its metadata; the message names the file."""


class OHLCVValidationError(DataError):
    """OHLCV rows failed validation (high < low, non-positive prices, NaN closes)."""


class UnknownTickerError(UsageError):
    """A requested ticker is not available from the chosen source; the message lists what is."""


class MissingCredentialError(UsageError):
    """A provider needs an environment variable that is not set; the message names it."""


class ModelNotFoundError(UsageError):
    """No model version matches (none trained yet, or an unknown version id)."""


def first_line(text: str, fallback: str = "") -> str:
    """The first non-blank line of ``text``, stripped; ``fallback`` when there is none."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return fallback


def error_line(exc: BaseException) -> str:
    """What went wrong in one line: the message's first line, or the exception's type name."""
    return first_line(str(exc), type(exc).__name__)


def os_error_line(exc: OSError) -> str:
    """An OSError in one line naming its path: ``<path>: <reason>`` (the reason alone if none)."""
    reason = exc.strerror or error_line(exc)
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason
