"""Reading a JSON object file: the object, or one error line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from quant_engine.errors import DataError
from quant_engine.utils.json_object import read_json_object


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
