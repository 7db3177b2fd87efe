"""The hygiene gates QE001-QE008 pass on this repository."""

from __future__ import annotations

from scripts.dependencies.extract import default_roots, extract
from scripts.gates.findings import format_findings
from scripts.gates.runner import run_gates


def test_this_repository_passes_the_gates() -> None:
    edges = extract(default_roots(), cache_dir=None).edges
    findings = format_findings(run_gates(edges=edges))
    assert findings == "", (
        "the gates found problems; fix each as its message says, then rerun "
        f"`python scripts/audit.py --gates-only`:\n{findings}"
    )
