"""Inline suppression: a reasoned ``# noqa: QExxx`` holds its finding back and is listed; one
without a reason is itself a finding."""

from __future__ import annotations

from scripts.gates.findings import Finding
from scripts.gates.suppressions import Suppression, apply_suppressions, noqa_comments

SOURCE = """\
text = "# noqa: QE002 inside a string is no comment"
a = other._x  # noqa: QE002 the vendored client offers no public accessor
b = other._y  # noqa: QE002
c = other._z  # noqa: QE006 wrong code for this finding
"""


def finding(line: int, code: str = "QE002") -> Finding:
    return Finding("m.py", line, code, "uses private attribute", "fix")


def test_reasoned_noqa_suppresses_its_finding_and_is_listed() -> None:
    comments = noqa_comments(SOURCE, "m.py")
    assert [(c.line, c.code) for c in comments] == [(2, "QE002"), (3, "QE002"), (4, "QE006")]
    kept, used = apply_suppressions([finding(2), finding(3), finding(4)], comments)
    assert used == [
        Suppression("m.py", 2, "QE002", "the vendored client offers no public accessor")
    ]
    assert [(f.line, f.code) for f in kept] == [
        (3, "QE002"),
        (3, "QE002"),
        (4, "QE002"),
        (4, "QE006"),
    ]
    assert any("without a reason" in f.message for f in kept)
    assert kept[-1].message == "# noqa: QE006 suppresses nothing here"
    _, quiet = apply_suppressions([finding(2)], comments[:1], frozenset({"QE002"}))
    assert quiet == [comments[0]]
    kept, _ = apply_suppressions([], comments[:1], frozenset({"QE002"}))
    assert kept == []  # its gate did not run: no verdict on the comment
