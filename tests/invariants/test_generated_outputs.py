"""Committed generated files are fresh: the dashboard's types and OpenAPI, and the audit data."""

from __future__ import annotations

import json
import subprocess

from quant_engine import layout
from scripts.contracts.build import build_contracts
from scripts.dependencies.extract import default_roots, extract
from scripts.gates.findings import format_findings
from scripts.gates.freshness import check_freshness
from scripts.typegen.outputs import plan_outputs, stale_diff
from tests.scripts.typegen.compiler import typescript_compiler


def test_the_committed_types_and_openapi_are_fresh() -> None:
    stale = [str(output.path) for output in plan_outputs(quiet=True) if stale_diff(output)]
    assert stale == [], f"stale generated files; run `nox -s types` and commit: {stale}"


def test_the_committed_types_compile_with_the_repo_tsconfig() -> None:
    tsc = typescript_compiler()
    config = layout.repo_root() / "tsconfig.json"
    result = subprocess.run(
        [str(tsc), "-p", str(config)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (
        "the dashboard does not compile against the committed types; run `nox -s types`, "
        f"then fix the TypeScript that uses them:\n{result.stdout}{result.stderr}"
    )


def test_the_committed_audit_data_is_fresh() -> None:
    result = extract(default_roots(), cache_dir=None)
    contracts, _ = build_contracts(default_roots(), result.edges)
    findings = check_freshness(json.loads(result.to_json()), contracts)
    assert findings == [], (
        "the audit data is stale; run `make audit` (python scripts/audit.py) and commit "
        f"the audit data folder:\n{format_findings(findings)}"
    )
