"""An error is shown as one line: the first line of its message, or its type when it has none."""

from __future__ import annotations

import pytest

from quant_engine.errors import DataError, error_line, first_line, os_error_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cannot read x.parquet", "cannot read x.parquet"),
        ("\n  \n  first problem  \nsecond line\n", "first problem"),
        ("", "fallback"),
        (" \n\t\n", "fallback"),
    ],
)
def test_first_line_is_the_first_non_blank_line(text: str, expected: str) -> None:
    assert first_line(text, "fallback") == expected


def test_error_line_names_the_type_when_the_message_is_empty() -> None:
    assert error_line(KeyError()) == "KeyError"
    assert error_line(DataError("bad bar\nTraceback ...")) == "bad bar"


def test_os_error_line_names_the_path() -> None:
    assert os_error_line(OSError(28, "No space left on device", "/d/x")) == (
        "/d/x: No space left on device"
    )
    assert os_error_line(OSError(28, "No space left on device")) == "No space left on device"
