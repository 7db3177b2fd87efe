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
    """The window as the audit states it (a dict of figures, or text)."""
    if isinstance(window, dict):
        return ", ".join(f"{value} {key}" for key, value in window.items())
    return str(window or "")


def cycle_of(entry: Any) -> ImportCycle:
    """A cycle from the audit data: a list of modules, or an object with its suggestion."""
    if isinstance(entry, dict):
        modules = [str(m) for m in entry.get("modules") or entry.get("cycle") or []]
        suggestion = entry.get("suggested_break", entry.get("break"))
        return ImportCycle(modules=modules, suggested_break=str(suggestion) if suggestion else None)
    return ImportCycle(modules=[str(m) for m in entry])


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
