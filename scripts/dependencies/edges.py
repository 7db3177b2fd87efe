"""Reading the committed dependency edges back, for the tools that consume them.

A missing file is an error naming the command that creates it; the legacy location next to the
audit data folder is still read, with a DeprecationWarning.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from quant_engine import layout
from quant_engine.errors import DataError

COMMAND = "python scripts/extract_dependencies.py"


class MissingAuditDataError(DataError, FileNotFoundError):
    """A generated audit file does not exist; the message names the command that creates it."""

    def __init__(self, path: Path, command: str = COMMAND) -> None:
        super().__init__(f"{path} not found: run `{command}` or `make audit` to create it")
        self.filename = str(path)

    def __str__(self) -> str:
        return str(self.args[0])


def load_edges(path: Path | None = None) -> list[dict[str, Any]]:
    """The edges of the canonical file (or ``path``); the legacy location still works, warned."""
    if path is None:
        path = layout.dependency_edges_path()
        legacy = layout.legacy_dependency_edges_path()
        if not path.is_file() and legacy.is_file():
            warnings.warn(
                f"{legacy} is the deprecated location of the dependency edges; "
                f"run `{COMMAND}` to write {path}",
                DeprecationWarning,
                stacklevel=2,
            )
            path = legacy
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise MissingAuditDataError(path) from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError as exc:
        raise DataError(f"{path}: not valid JSON ({exc}); regenerate it with `{COMMAND}`") from None
    edges = data.get("edges") if isinstance(data, dict) else None
    if not isinstance(edges, list) or not all(
        isinstance(e, dict) and "importer" in e and "imported" in e for e in edges
    ):
        raise DataError(f"{path}: no list of edges with importer/imported; regenerate it")
    return edges
