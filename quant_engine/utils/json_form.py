"""JSON forms of values: plain JSON types for any engine value, canonical bytes for hashing, and
reading a JSON file that must hold an object (failing with one line that names the file)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import json
import math
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from quant_engine.errors import DataError

_PLAIN_TYPES = (
    type(None),
    bool,
    int,
    float,
    str,
    dt.date,
    dt.time,
    PurePath,
    Mapping,
    list,
    tuple,
    set,
    frozenset,
)


def to_json_safe(value: Any, *, non_finite_as_null: bool = False) -> Any:
    """``value`` as plain JSON types: paths and dates as strings, tuples and sets as lists.

    Non-finite floats become their text (``"nan"``, ``"inf"``), or ``None`` with
    ``non_finite_as_null`` for strict JSON; anything else unknown becomes its ``str``.
    """
    convert = functools.partial(to_json_safe, non_finite_as_null=non_finite_as_null)
    value = _unwrap(value)
    match value:
        case Mapping():
            return {str(k): convert(v) for k, v in value.items()}
        case list() | tuple():
            return [convert(v) for v in value]
        case set() | frozenset():
            return sorted((convert(v) for v in value), key=repr)
    return _scalar_json(value, non_finite_as_null=non_finite_as_null)


def _unwrap(value: Any) -> Any:
    """Enum members as their values, dataclasses as dicts, numpy and pandas values as Python's."""
    if isinstance(value, enum.Enum):
        return _unwrap(value.value)
    if isinstance(value, _PLAIN_TYPES):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    tolist = getattr(value, "tolist", None)  # numpy and pandas values, without importing them
    return tolist() if callable(tolist) else value


def _scalar_json(value: Any, *, non_finite_as_null: bool) -> Any:
    """A scalar as JSON: numbers and text as they are, dates in ISO form, the rest as text."""
    match value:
        case None | bool() | int() | str():
            return value
        case float():
            if math.isfinite(value):
                return float(value)
            return None if non_finite_as_null else str(value)
        case dt.date() | dt.time():
            return value.isoformat()
    return str(value)


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """Sorted-key, compact JSON bytes: the form that is hashed, so equal content hashes equal."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in ``path``; DataError naming the file (and ``what`` it is) otherwise."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: unreadable {what} ({exc})") from None
    if not isinstance(content, dict):
        raise DataError(f"{path}: expected a JSON object")
    return content
