"""Autopilot state on disk: the incumbent, an append-only decision log, and decision files.

Layout under :func:`quant_engine.layout.autopilot_dir`::

    incumbent.json              the promoted strategy (replaced atomically on promotion)
    decisions.jsonl             one line per decision, append-only; holds the timestamps
    decisions/<decision_id>.json  the full decision: no timestamps, named by its content hash

A decision file depends only on its inputs (data, grid, settings, the incumbent before), so
the same inputs give byte-identical files; wall-clock time lives in the log and the incumbent.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from quant_engine import layout
from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.selection import IncumbentRecord
from quant_engine.errors import DataError, QuantEngineError
from quant_engine.utils.atomic import write_text_atomic
from quant_engine.utils.json_form import to_json_safe

INCUMBENT_NAME = "incumbent.json"
LOG_NAME = "decisions.jsonl"
DECISIONS_DIR_NAME = "decisions"
LOCK_NAME = ".lock"
DECISION_ID_CHARS = 16

log = logging.getLogger(__name__)


def state_file_text(value: Any) -> str:
    """Sorted-key, indented, strict JSON with a final newline: stable bytes for stable input.

    Non-finite floats are written as ``null`` so the files stay strict JSON.
    """
    safe = to_json_safe(value, non_finite_as_null=True)
    return json.dumps(safe, sort_keys=True, indent=2, allow_nan=False) + "\n"


def incumbent_to_dict(incumbent: IncumbentRecord) -> dict[str, Any]:
    """JSON form of an incumbent record."""
    return {
        "candidate_id": incumbent.candidate_id,
        "candidate": incumbent.candidate.to_dict(),
        "metrics": dict(incumbent.metrics),
        "decided_at": incumbent.decided_at,
        "decision_id": incumbent.decision_id,
    }


def incumbent_from_dict(raw: Mapping[str, Any]) -> IncumbentRecord:
    """Inverse of :func:`incumbent_to_dict`; ``KeyError``/``TypeError`` on a malformed record."""
    metrics = {str(k): math.nan if v is None else float(v) for k, v in raw["metrics"].items()}
    return IncumbentRecord(
        candidate=CandidateSpec.from_dict(raw["candidate"]),
        metrics=metrics,
        decided_at=str(raw["decided_at"]),
        decision_id=str(raw["decision_id"]),
    )


class AutopilotState:
    """The autopilot folder: read and write the incumbent, the log and decision files."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else layout.autopilot_dir()

    @property
    def incumbent_path(self) -> Path:
        """``incumbent.json``."""
        return self.directory / INCUMBENT_NAME

    @property
    def log_path(self) -> Path:
        """``decisions.jsonl``."""
        return self.directory / LOG_NAME

    def decision_path(self, decision_id: str) -> Path:
        """``decisions/<decision_id>.json``."""
        return self.directory / DECISIONS_DIR_NAME / f"{decision_id}.json"

    def load_incumbent(self) -> IncumbentRecord | None:
        """The current incumbent, ``None`` before the first promotion; corrupt → ``DataError``."""
        path = self.incumbent_path
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return incumbent_from_dict(raw)
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, QuantEngineError) as exc:
            raise DataError(f"{path}: not a valid incumbent record ({exc})") from None

    def save_incumbent(self, incumbent: IncumbentRecord) -> Path:
        """Replace the incumbent atomically; returns its path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.incumbent_path, state_file_text(incumbent_to_dict(incumbent)))
        return self.incumbent_path

    def remove_incumbent(self) -> None:
        """Demote the incumbent: no strategy is in place until the next promotion."""
        self.incumbent_path.unlink(missing_ok=True)

    def write_decision(self, content: Mapping[str, Any]) -> tuple[str, Path]:
        """Write a decision file named by the hash of its canonical JSON: (decision id, path)."""
        text = state_file_text(content)
        decision_id = hashlib.sha256(text.encode()).hexdigest()[:DECISION_ID_CHARS]
        path = self.decision_path(decision_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text)
        return decision_id, path

    def append_log(self, record: Mapping[str, Any]) -> Path:
        """Append one JSON line (fsynced); a torn last line from a crash is left on its own line."""
        self.directory.mkdir(parents=True, exist_ok=True)
        line = (
            json.dumps(
                to_json_safe(record, non_finite_as_null=True), sort_keys=True, allow_nan=False
            )
            + "\n"
        )
        with self.log_path.open("a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    line = "\n" + line
            handle.write(line.encode())
            handle.flush()
            os.fsync(handle.fileno())
        return self.log_path

    def read_log(self) -> list[dict[str, Any]]:
        """Every logged decision, oldest first; torn lines (a crash mid-append) are skipped."""
        try:
            lines = self.log_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError:
                log.warning("%s:%d: skipping a torn or corrupt log line", self.log_path, number)
        return records

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive lock on the folder, so two runs cannot interleave their writes."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / LOCK_NAME).open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
