"""Read a JSON file that must hold an object, failing with one line that names the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quant_engine.errors import DataError


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in ``path``; DataError naming the file (and ``what`` it is) otherwise."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: unreadable {what} ({exc})") from None
    if not isinstance(content, dict):
        raise DataError(f"{path}: expected a JSON object")
    return content
