"""Code health for the API: the committed hotspot data of the audit, read as it is."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from quant_engine import layout
from quant_engine.api.schemas.code_health import CodeHealth, HotspotFile, ImportCycle
from quant_engine.errors import DataError, error_line
from quant_engine.utils.json_form import read_json_object

TOP_FILES = 50


def window_text(window: Any) -> str:
    """The window as the audit states it ("119 commits over 11 days")."""
    if isinstance(window, dict):
        return str(window.get("text") or ", ".join(f"{v} {k}" for k, v in window.items() if v))
    return str(window or "")


def cycle_of(entry: Any) -> ImportCycle:
    """A cycle from the audit data: its modules and the imports suggested to break it."""
    if not isinstance(entry, dict):
        return ImportCycle(modules=[str(m) for m in entry])
    breaks = [f"{b['importer']} -> {b['imported']}" for b in entry.get("break") or []]
    return ImportCycle(
        modules=[str(m) for m in entry.get("modules") or []],
        suggested_break=", ".join(breaks) or None,
    )


def code_health() -> CodeHealth:
    """The hotspots and cycles of the last `make audit`; unavailable when never run here."""
    path = layout.hotspots_json_path()
    if not path.is_file():
        return CodeHealth(available=False, window="", formula="", files=[], cycles=[])
    data = read_json_object(path, "hotspot data")
    try:
        files = [HotspotFile.model_validate(f) for f in data.get("files", [])[:TOP_FILES]]
        cycles = [cycle_of(c) for c in data.get("cycles", [])]
    except ValidationError as exc:
        raise DataError(f"{path}: unexpected hotspot data ({error_line(exc)})") from None
    return CodeHealth(
        available=True,
        window=window_text(data.get("window")),
        formula=str(data.get("formula", "")),
        files=files,
        cycles=cycles,
    )
