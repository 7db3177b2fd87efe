"""Inline suppression of one gate finding: ``# noqa: QE002 <reason>`` on the finding's line.

The reason is required: a ``# noqa: QExxx`` without one suppresses nothing and is itself a
finding. Every suppression in force is listed in the audit report, so none goes unseen.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scripts.gates.findings import Finding

NOQA = re.compile(r"#\s*noqa:\s*(?P<code>QE\d{3})\b(?P<reason>.*)$")
REASON = re.compile(r"[A-Za-z]{2,}")
"""A reason says something: at least one word."""


@dataclass(frozen=True, order=True)
class Suppression:
    """A ``# noqa: CODE reason`` comment at ``path:line``."""

    path: str
    line: int
    code: str
    reason: str

    def text(self) -> str:
        """``path:line: CODE suppressed: reason``."""
        return f"{self.path}:{self.line}: {self.code} suppressed: {self.reason}"


def noqa_comments(source: bytes | str, path: str) -> list[Suppression]:
    """Every ``# noqa: QExxx ...`` comment of a source (comments only, never strings); the
    reason is empty when none is given. A source that does not tokenize has none."""
    data = source.encode() if isinstance(source, str) else source
    if b"noqa" not in data:  # most files: no need to tokenize
        return []
    found = []
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type != tokenize.COMMENT:
                continue
            match = NOQA.search(token.string)
            if match is not None:
                reason = match["reason"].strip()
                if reason.startswith("(") and reason.endswith(")"):
                    reason = reason[1:-1]
                reason = reason.lstrip("-—: ").strip()
                found.append(Suppression(path, token.start[0], match["code"], reason))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return []
    return found


def apply_suppressions(
    findings: Iterable[Finding],
    comments: Sequence[Suppression],
    unchecked: frozenset[str] = frozenset(),
) -> tuple[list[Finding], list[Suppression]]:
    """The findings left after the reasoned comments suppress theirs (same path, line and
    code), plus one finding per comment without a reason and one per reasoned comment that
    suppresses nothing (a stale one; not for the ``unchecked`` codes, whose gates did not
    run); and the suppressions in force."""
    reasoned = {(c.path, c.line, c.code): c for c in comments if REASON.search(c.reason)}
    kept: list[Finding] = []
    used: set[Suppression] = set()
    for finding in findings:
        comment = reasoned.get((finding.path, finding.line, finding.code))
        if comment is None:
            kept.append(finding)
        else:
            used.add(comment)
    kept += [
        Finding(
            c.path,
            c.line,
            c.code,
            f"# noqa: {c.code} without a reason suppresses nothing",
            f"write why after the code: # noqa: {c.code} <reason>",
        )
        for c in comments
        if not REASON.search(c.reason)
    ]
    kept += [
        Finding(
            c.path,
            c.line,
            c.code,
            f"# noqa: {c.code} suppresses nothing here",
            "remove the comment (or move it to the line the finding names)",
        )
        for c in reasoned.values()
        if c not in used and c.code not in unchecked
    ]
    return sorted(set(kept)), sorted(used)
