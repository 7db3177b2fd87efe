"""JSON forms: engine values become plain JSON types; canonical bytes are sorted and compact; a
JSON-object file reads as its object or fails with one line naming the file."""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path

import numpy as np
import pytest

from quant_engine.errors import DataError
from quant_engine.utils.json_form import canonical_json, read_json_object, to_json_safe


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


def test_reads_the_object(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    path.write_text('{"sharpe": 1.5}', encoding="utf-8")
    assert read_json_object(path, "metrics") == {"sharpe": 1.5}


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "unreadable metrics"), ("{broken", "unreadable metrics"), ("[1]", "a JSON object")],
)
def test_names_the_file_when_it_is_not_an_object(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "metrics.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as caught:
        read_json_object(path, "metrics")
    assert str(path) in str(caught.value)
