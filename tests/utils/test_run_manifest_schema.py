"""The RunManifest wire type: JSON round trip, and importable without the engine."""

from __future__ import annotations

import json
import subprocess
import sys

from quant_engine.api.schemas.runs import RunManifest, RunStatus
from quant_engine.utils.reproducibility import build_run_manifest


def test_manifest_round_trips_through_json() -> None:
    manifest = build_run_manifest({"years": 2}, "run_train", threshold=0.5)
    text = manifest.model_dump_json()
    assert RunManifest.model_validate_json(text) == manifest
    raw = json.loads(text)
    assert raw["status"] == "success"
    assert raw["started_at"].endswith("Z")


def test_status_values_are_the_documented_lifecycle() -> None:
    assert [s.value for s in RunStatus] == ["running", "success", "failed", "interrupted"]


def test_schema_imports_nothing_of_the_engine_and_utils_nothing_heavy() -> None:
    code = (
        "import json, sys, quant_engine.api.schemas.runs as r;"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('quant_engine'))));"
        "import quant_engine.utils.reproducibility;"
        "print([m for m in ('numpy', 'pandas', 'rich') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    loaded = json.loads(out[0])
    engine = [m for m in loaded if not m.startswith("quant_engine.api.schemas")]
    assert engine == ["quant_engine", "quant_engine.api"]
    assert out[1] == "[]"
