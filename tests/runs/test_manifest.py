"""The RunManifest model: JSON round trip, and importable without the engine."""

from __future__ import annotations

import json
import subprocess
import sys

from quant_engine.runs.manifest import RunManifest, RunStatus
from quant_engine.utils.reproducibility import build_run_manifest


def test_manifest_round_trips_through_json() -> None:
    manifest = build_run_manifest({"years": 2}, "run_train", threshold=0.5)
    text = manifest.model_dump_json()
    assert RunManifest.model_validate_json(text) == manifest
    raw = json.loads(text)
    assert raw["status"] == "success"
    assert raw["started_at"].endswith("Z")


def test_status_values_are_the_documented_lifecycle() -> None:
    assert [s.value for s in RunStatus] == [
        "running",
        "success",
        "failed",
        "interrupted",
        "rejected",
        "dead",
    ]


def test_manifest_model_imports_nothing_else_of_ours() -> None:
    code = (
        "import json, sys, quant_engine.runs.manifest;"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('quant_engine'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [
        "quant_engine",
        "quant_engine.runs",
        "quant_engine.runs.manifest",
    ]


def test_reproducibility_facade_imports_nothing_heavy() -> None:
    code = (
        "import sys, quant_engine.utils.reproducibility;"
        "print([m for m in ('numpy', 'pandas', 'rich') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
