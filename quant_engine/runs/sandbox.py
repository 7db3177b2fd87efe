"""The isolated data home a verify re-run writes to, seeded from the live home.

The sandbox gets copies of what the run read (each recorded input file with its sidecars, the
model versions it read, with the registry's ``CURRENT`` pointing at them, and the autopilot
incumbent as it stood before the run), so the re-run sees the run's world while every write it
makes (models, results, the decision log, its manifest) lands in the sandbox. The live home is
only read.

The run-records layer sits below the model registry and the autopilot, so it cannot import
them; the few file names and fields it relies on are named here and a test pins them to theirs.
Shared state a run appends to or replaces (the autopilot's decision log and incumbent) is
compared by the run's own entry, not by the whole file's hash.
"""

from __future__ import annotations

import glob
import json
import re
import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from quant_engine import layout
from quant_engine.runs.hashing import home_path
from quant_engine.runs.manifest import ModelRole, RunManifest

MODEL_CURRENT_FILE = "CURRENT"
"""The model registry's pointer file: one line holding the current version id."""
MODEL_VERSION_RE = re.compile(r"^m-[0-9a-f]{12}$")
"""A model version id, as the registry names its folders."""
MODEL_CREATED_FILE = "created.json"
"""A model version's first-saved time; seeded so a re-saved version keeps the same bytes."""
AUTOPILOT_LOG_FILE = "decisions.jsonl"
"""The autopilot's append-only decision log (one JSON object a line)."""
AUTOPILOT_INCUMBENT_FILE = "incumbent.json"
"""The autopilot's promoted strategy, replaced on promotion."""
AUTOPILOT_DECISIONS_DIR = "decisions"
LOG_TIME_FIELD = "decided_at"
"""The wall-clock field of a log entry and the incumbent; never compared."""


def sandbox_path(sandbox_home: Path, recorded: str) -> Path | None:
    """Where a home-relative recorded path lives in the sandbox (None for an absolute path)."""
    relative = PurePosixPath(recorded)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    return sandbox_home.joinpath(*relative.parts)


def copy_inputs(manifest: RunManifest, sandbox_home: Path) -> None:
    """Copy each recorded input under the live home, with its sidecars (``<name>.*``)."""
    for record in manifest.data:
        if record.path is None:
            continue
        target = sandbox_path(sandbox_home, record.path)
        source = home_path(record.path)
        if target is None or not source.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        stem = source.name.split(".", 1)[0]
        for sibling in source.parent.glob(f"{glob.escape(stem)}.*"):
            if sibling.is_file() and sibling.name.split(".", 1)[0] == stem:
                shutil.copy2(sibling, target.parent / sibling.name)


def pin_models(manifest: RunManifest, sandbox_home: Path) -> list[str]:
    """Copy the model versions the run read and point the sandbox's ``CURRENT`` at the last one.

    For versions the run wrote, only their first-saved time is copied, so a re-run that saves
    the same model writes the same bytes; the model itself must be produced again.
    """
    live, models = layout.models_dir(), sandbox_home / "models"
    read = [m.version_id for m in manifest.models if m.role is ModelRole.READ]
    written = [m.version_id for m in manifest.models if m.role is ModelRole.WRITTEN]
    for version in read:
        if not (live / version).is_dir():
            return [f"model {version} the run read is no longer in {live}"]
        shutil.copytree(live / version, models / version, dirs_exist_ok=True)
    for version in written:
        created = live / version / MODEL_CREATED_FILE
        if created.is_file() and not (models / version).exists():
            (models / version).mkdir(parents=True)
            shutil.copy2(created, models / version / MODEL_CREATED_FILE)
    if read:
        models.mkdir(parents=True, exist_ok=True)
        (models / MODEL_CURRENT_FILE).write_text(f"{read[-1]}\n", encoding="utf-8")
    return []


class AutopilotRecord:
    """The autopilot state files a run touched, and the run's own entry in the live log."""

    def __init__(self, manifest: RunManifest) -> None:
        self.manifest = manifest
        self.state_dir = layout.relative_to_home(layout.autopilot_dir())
        self.log_path = f"{self.state_dir}/{AUTOPILOT_LOG_FILE}"
        self.incumbent_path = f"{self.state_dir}/{AUTOPILOT_INCUMBENT_FILE}"
        prefix = f"{self.state_dir}/{AUTOPILOT_DECISIONS_DIR}/"
        decisions = [o.path for o in manifest.outputs if o.path.startswith(prefix)]
        self.decision_id = PurePosixPath(decisions[0]).stem if decisions else None

    def is_state_output(self, recorded_path: str) -> bool:
        """True for the shared log and incumbent, which are compared by the run's own entry."""
        return self.decision_id is not None and recorded_path in (
            self.log_path,
            self.incumbent_path,
        )

    def live_entries(self) -> list[dict[str, Any]]:
        """Every readable entry of the live decision log, oldest first."""
        return read_log(layout.data_home() / self.log_path)

    def own_index(self, entries: list[dict[str, Any]]) -> int | None:
        """Index of the run's own entry: its decision id, decided while the run ran."""
        start = self.manifest.started_at.replace(microsecond=0)
        end = self.manifest.finished_at or self.manifest.started_at
        for index, entry in enumerate(entries):
            if entry.get("decision_id") != self.decision_id:
                continue
            try:
                decided = datetime.fromisoformat(str(entry.get(LOG_TIME_FIELD)))
            except ValueError:
                continue
            if start <= decided <= end:
                return index
        return None

    def incumbent_after(self, entries: list[dict[str, Any]], index: int) -> dict[str, Any] | None:
        """The incumbent in force after log entry ``index`` (-1: before any), rebuilt from the log.

        It is the best candidate of the last promoting decision up to there, with that
        decision's time and id, as the autopilot writes it on promotion.
        """
        for entry in reversed(entries[: index + 1]):
            if not entry.get("promoted"):
                continue
            decision_file = layout.autopilot_dir() / str(entry["decision_file"])
            best = json.loads(decision_file.read_text(encoding="utf-8"))["decision"]["best"]
            return {
                "candidate_id": best["candidate_id"],
                "candidate": best["candidate"],
                "metrics": best["metrics"],
                LOG_TIME_FIELD: entry[LOG_TIME_FIELD],
                "decision_id": entry["decision_id"],
            }
        return None

    def seed(self, sandbox_home: Path) -> list[str]:
        """Write the incumbent the run started from into the sandbox; problems if unknowable."""
        if self.decision_id is None:
            return []
        entries = self.live_entries()
        index = self.own_index(entries)
        if index is None:
            return [f"decision {self.decision_id} of the run is not in the live decision log"]
        try:
            before = self.incumbent_after(entries, index - 1)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return [f"cannot rebuild the incumbent the run started from: {exc}"]
        expected = entries[index].get("incumbent_before")
        if (before or {}).get("candidate_id") != expected:
            return [f"cannot rebuild the incumbent the run started from ({expected})"]
        if before is not None:
            target = sandbox_home.joinpath(*PurePosixPath(self.incumbent_path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(before, sort_keys=True, indent=2) + "\n", "utf-8")
        return []

    def compare(self, sandbox_home: Path) -> list[str]:
        """How the re-run's log entry and incumbent differ from the run's (timestamps aside)."""
        entries = self.live_entries()
        index = self.own_index(entries)
        if index is None:
            return [f"decision {self.decision_id} of the run is not in the live decision log"]
        problems = []
        sandbox = sandbox_home.joinpath(*PurePosixPath(self.state_dir).parts)
        again = [without_time(e) for e in read_log(sandbox / AUTOPILOT_LOG_FILE)]
        if again != [without_time(entries[index])]:
            problems.append("the re-run's decision log entry differs from the run's own entry")
        expected = self.incumbent_after(entries, index)
        try:
            raw = (sandbox / AUTOPILOT_INCUMBENT_FILE).read_text(encoding="utf-8")
            got: dict[str, Any] | None = json.loads(raw)
        except FileNotFoundError:
            got = None
        if without_time(got) != without_time(expected):
            problems.append("the re-run's incumbent differs from the one the run left")
        return problems


def without_time(entry: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An entry minus its wall-clock field."""
    return None if entry is None else {k: v for k, v in entry.items() if k != LOG_TIME_FIELD}


def read_log(path: Path) -> list[dict[str, Any]]:
    """The JSON-object lines of a log, oldest first; torn lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            entries.append(value)
    return entries


def prepare(manifest: RunManifest, sandbox_home: Path) -> list[str]:
    """Seed ``sandbox_home`` for a re-run of ``manifest``; problems that prevent a fair re-run."""
    sandbox_home.mkdir(parents=True, exist_ok=True)
    copy_inputs(manifest, sandbox_home)
    return pin_models(manifest, sandbox_home) + AutopilotRecord(manifest).seed(sandbox_home)
