"""A gate finding (``path:line: CODE message (fix: ...)``) and its output formats.

Formats: ``text`` (one line per finding), ``json`` (``{"count", "findings"}``) and ``github``
(workflow ``::error`` annotations, escaped as GitHub requires).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

FORMATS = ("text", "json", "github")


@dataclass(frozen=True, order=True)
class Finding:
    """One gate violation at ``path:line`` with its code, what is wrong and how to fix it."""

    path: str
    line: int
    code: str
    message: str
    fix: str

    def text(self) -> str:
        """``path:line: CODE message (fix: ...)``."""
        return f"{self.path}:{self.line}: {self.code} {self.message} (fix: {self.fix})"


def github_escape(text: str, *, property_value: bool = False) -> str:
    """Escape text for a GitHub workflow command (``%``, newlines; ``:`` and ``,`` in values)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def format_findings(findings: Sequence[Finding], fmt: str = "text") -> str:
    """Findings as text lines, a JSON document, or GitHub ``::error`` annotation lines."""
    if fmt == "json":
        return json.dumps(
            {"count": len(findings), "findings": [asdict(f) for f in findings]}, indent=2
        )
    if fmt == "github":
        return "\n".join(
            f"::error file={github_escape(f.path, property_value=True)},line={f.line},"
            f"title={github_escape(f.code, property_value=True)}::"
            f"{github_escape(f'{f.code} {f.message} (fix: {f.fix})')}"
            for f in findings
        )
    return "\n".join(f.text() for f in findings)
