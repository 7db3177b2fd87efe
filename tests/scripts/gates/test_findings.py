"""Findings print as text, JSON or GitHub annotations."""

from __future__ import annotations

import json

from scripts.gates.findings import Finding, format_findings

# --- output formats ----------------------------------------------------------------------------

FINDINGS = [
    Finding("quant_engine/a.py", 3, "QE001", "imports private name '_x'", "make 'x' public"),
    Finding("odd,name.py", 7, "QE006", "100% bad\nsecond line", "use layout"),
]


def test_text_format_is_path_line_code_message_fix() -> None:
    lines = format_findings(FINDINGS, "text").splitlines()
    assert lines[0] == "quant_engine/a.py:3: QE001 imports private name '_x' (fix: make 'x' public)"


def test_json_format_is_machine_readable() -> None:
    document = json.loads(format_findings(FINDINGS, "json"))
    assert document["count"] == 2
    assert document["findings"][0] == {
        "path": "quant_engine/a.py",
        "line": 3,
        "code": "QE001",
        "message": "imports private name '_x'",
        "fix": "make 'x' public",
    }


def test_github_format_emits_escaped_error_annotations() -> None:
    lines = format_findings(FINDINGS, "github").splitlines()
    assert lines[0] == (
        "::error file=quant_engine/a.py,line=3,title=QE001::"
        "QE001 imports private name '_x' (fix: make 'x' public)"
    )
    assert lines[1].startswith("::error file=odd%2Cname.py,line=7,title=QE006::")
    assert "100%25 bad%0Asecond line" in lines[1]
    assert len(lines) == 2
