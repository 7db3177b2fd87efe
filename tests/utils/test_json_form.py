"""JSON forms: engine values become plain JSON types; canonical bytes are sorted and compact."""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path

import numpy as np

from quant_engine.utils.json_form import canonical_json, to_json_safe


class Mode(enum.Enum):
    CORE = "core"


def test_to_json_safe_handles_engine_types() -> None:
    value = {
        "path": Path("/x/y"),
        "date": dt.date(2024, 1, 2),
        "tickers": ("A", "B"),
        "set": {2, 1},
        "mode": Mode.CORE,
        "np_int": np.int64(3),
        "np_float": np.float64(0.5),
        "nan": float("nan"),
        "array": np.array([1, 2]),
    }
    safe = to_json_safe(value)
    assert safe == {
        "path": "/x/y",
        "date": "2024-01-02",
        "tickers": ["A", "B"],
        "set": [1, 2],
        "mode": "core",
        "np_int": 3,
        "np_float": 0.5,
        "nan": "nan",
        "array": [1, 2],
    }
    json.dumps(safe)


def test_to_json_safe_writes_non_finite_floats_as_null_when_asked() -> None:
    safe = to_json_safe({"nan": float("nan"), "inf": (float("inf"), 1.5)}, non_finite_as_null=True)
    assert safe == {"nan": None, "inf": [None, 1.5]}


def test_canonical_json_is_sorted_and_compact() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'
