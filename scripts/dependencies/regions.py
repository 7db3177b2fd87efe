"""Find an import's records by parsing only the region around it, not the whole file.

Given the line where an import statement starts and its text (found by a real parser, see
:mod:`scripts.dependencies.locate`), the region is its top-level statement, narrowed through
``class``/``def`` bodies to the body statement that holds the import; the context bits of the
headers skipped on the way (``def`` → lazy) are carried in. Every region is checked before it is
trusted: it must parse and show an import statement on exactly that line, and a skipped stretch
must hold balanced triple quotes (so a header-like line inside a string is never taken for a
header). A plainly written import that starts a top-level statement, or a statement directly in
such a class/def body, is read with a regular expression instead of ``ast``.
:func:`records_near` returns ``None`` when any check fails; the caller then parses the whole file.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from scripts.dependencies.scan import LAZY, ImportRecord, collect_imports

SMALL_REGION_LINES = 24
"""Regions up to this many lines are parsed as they are, not narrowed further."""
EXTRA_TRIES = 3
"""How many times a top-level region that fails to parse is widened by one statement per side."""
MAX_PARENTHESIZED_LINES = 400
"""Longest ``from m import (...)`` read without a parser."""
HEADER_MAX_LINES = 64
"""A class/def header longer than this is not narrowed (its body is parsed with it)."""

_NOT_CODE = frozenset(("", " ", "\t", "\f", "#"))
_HEADER_CLOSERS = frozenset(("", " ", "\t", "\f", "#", ")", "]"))
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b|[)\]}]")
_HEADER = re.compile(r"(class|def|async[ \t]+def)[ \t]")
_IMPORT_START = ("import ", "from ", "import\t", "from\t")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_NAME = r"[^\W\d]\w*"
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
_AS = rf"(?:[ \t]+as[ \t]+{_NAME})?"
_NAME_LIST = re.compile(rf"\s*{_NAME}{_AS}(?:\s*,\s*{_NAME}{_AS})*\s*,?\s*")
_PARENTHESIZED_FROM = re.compile(
    rf"from[ \t]+(?P<dots>\.*)(?P<module>{_DOTTED})?[ \t]+import[ \t]*\((?P<rest>.*)$"
)
_SIMPLE_IMPORT = re.compile(
    rf"(?:import[ \t]+(?P<modules>{_DOTTED}{_AS}(?:[ \t]*,[ \t]*{_DOTTED}{_AS})*)"
    rf"|from[ \t]+(?P<dots>\.*)(?P<module>{_DOTTED})?[ \t]+import[ \t]+"
    rf"(?P<names>\*|{_NAME}{_AS}(?:[ \t]*,[ \t]*{_NAME}{_AS})*))"
    r"[ \t]*(?:#.*)?$"
)


class Region(NamedTuple):
    """Lines ``start`` to ``end`` (0-based, end excluded), all indented by ``prefix``."""

    start: int
    end: int
    prefix: str
    context: int


class _Level(NamedTuple):
    prefix: str
    starts: list[int]


def split_lines(text: str) -> list[str]:
    """Physical lines as Python counts them (``\\n``, ``\\r\\n`` or ``\\r``)."""
    return _NEWLINES.split(text) if "\r" in text else text.split("\n")


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t\f"))]


def _code_ends_with_colon(line: str) -> bool:
    return line.split("#", 1)[0].rstrip().endswith(":")


class SourceRegions:
    """One source file's lines and the statement starts found so far (computed on demand)."""

    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)
        self._top: list[int] | None = None
        self._levels: dict[tuple[int, int, str], _Level | None] = {}

    def _starts(self, prefix: str, first: int, end: int) -> list[int]:
        """Lines ``first`` to ``end`` where a statement indented by ``prefix`` may begin: code
        right after the prefix, not continuing a backslash line."""
        lines, width = self.lines, len(prefix)
        found = [
            j
            for j in range(first, end)
            if lines[j][width : width + 1] not in _NOT_CODE and lines[j].startswith(prefix)
        ]
        return [j for j in found if not (j and lines[j - 1].endswith("\\"))]

    def is_top_start(self, index: int) -> bool:
        """Line ``index`` starts in column 0 with code and continues no backslash line."""
        lines = self.lines
        return lines[index][:1] not in _NOT_CODE and not (index and lines[index - 1].endswith("\\"))

    def _statement_end(self, index: int) -> int:
        """The next top-level start after line ``index`` that is not a clause of its statement."""
        lines, n = self.lines, len(self.lines)
        index += 1
        while index < n and (not self.is_top_start(index) or _CONTINUATION.match(lines[index])):
            index += 1
        return index

    def top_starts(self) -> list[int]:
        """Lines that begin a top-level statement (or look like it: strings are checked later)."""
        if self._top is None:
            self._top = self._starts("", 0, len(self.lines))
        return self._top

    def _span(self, index: int, widen: int) -> tuple[int, int]:
        """The top-level statement around line ``index`` (else/except clauses joined)."""
        lines, starts = self.lines, self.top_starts()
        k = bisect_right(starts, index) - 1 - widen
        while k > 0 and _CONTINUATION.match(lines[starts[k]]):
            k -= 1
        k2 = bisect_right(starts, index) + widen
        while k2 < len(starts) and _CONTINUATION.match(lines[starts[k2]]):
            k2 += 1
        start = starts[k] if k >= 0 else 0
        return start, (starts[k2] if k2 < len(starts) else len(lines))

    def candidates(self, index: int) -> Iterator[Region]:
        """Regions that may hold the import on line ``index``, most promising (smallest) first."""
        lines, n = self.lines, len(self.lines)
        if self.is_top_start(index) and not _CONTINUATION.match(lines[index]):
            # The usual case: a top-level import. Take it with the imports right after it.
            end = self._statement_end(index)
            single = end
            while end < n and lines[end].startswith(_IMPORT_START):
                end = self._statement_end(end)
            yield Region(index, end, "", 0)
            if single != end:
                yield Region(index, single, "", 0)
        start, end = self._span(index, 0)
        chain = [Region(start, end, "", 0)]
        while chain[-1].end - chain[-1].start > SMALL_REGION_LINES:
            inner = self._narrow(chain[-1], index)
            if inner is None:
                break
            chain.append(inner)
        yield from reversed(chain[1:])
        yield chain[0]
        for widen in range(1, EXTRA_TRIES + 1):
            yield Region(*self._span(index, widen), "", 0)

    def _narrow(self, outer: Region, index: int) -> Region | None:
        """The statement of ``outer``'s class/def body that holds line ``index``."""
        lines = self.lines
        header = _HEADER.match(lines[outer.start], len(outer.prefix))
        if header is None or index <= outer.start:
            return None
        level = self._level(outer)
        if level is None:
            return None
        starts, width = level.starts, len(level.prefix)
        k = bisect_right(starts, index) - 1
        while k > 0 and _CONTINUATION.match(lines[starts[k]], width):
            k -= 1
        if k < 0:
            return None
        k2 = bisect_right(starts, index)
        while k2 < len(starts) and _CONTINUATION.match(lines[starts[k2]], width):
            k2 += 1
        start, end = starts[k], (starts[k2] if k2 < len(starts) else outer.end)
        skipped = "\n".join(lines[outer.start : start])
        if skipped.count('"""') % 2 or skipped.count("'''") % 2:
            return None  # an odd number of triple quotes: the header may sit inside a string
        lazy = LAZY if header.group(1) != "class" else 0
        return Region(start, end, level.prefix, outer.context | lazy)

    def _level(self, outer: Region) -> _Level | None:
        key = (outer.start, outer.end, outer.prefix)
        if key not in self._levels:
            self._levels[key] = self._body_level(outer)
        return self._levels[key]

    def _body_level(self, outer: Region) -> _Level | None:
        """Indent and statement starts of a class/def body, or None when the layout is unusual."""
        lines, start, end = self.lines, outer.start, outer.end
        first = None
        for j in range(start, min(end, start + HEADER_MAX_LINES)):
            if _code_ends_with_colon(lines[j]):
                first = next(
                    (k for k in range(j + 1, end) if lines[k].lstrip()[:1] not in _NOT_CODE), None
                )
                break
        if first is None:
            return None
        prefix = _leading(lines[first])
        if len(prefix) <= len(outer.prefix) or not prefix.startswith(outer.prefix):
            return None
        for line in lines[start + 1 : first]:
            if not line.startswith(prefix) and line.lstrip()[:1] not in _HEADER_CLOSERS:
                return None
        outdented = [line for line in lines[first:end] if not line.startswith(prefix)]
        if any(line.lstrip()[:1] not in _NOT_CODE for line in outdented):
            return None  # code indented less than the body: a string or an unusual layout
        return _Level(prefix, self._starts(prefix, first, end))

    def parse(self, region: Region) -> list[ImportRecord] | None:
        """The import records of ``region`` with file line numbers, or None if it does not parse."""
        lines = self.lines[region.start : region.end]
        prefix = region.prefix
        if prefix:
            width = len(prefix)
            dedented = []
            for line in lines:
                if line.startswith(prefix):
                    dedented.append(line[width:])
                elif line.lstrip()[:1] in _NOT_CODE:
                    dedented.append("")
                else:
                    return None
            lines = dedented
        try:
            tree = ast.parse("\n".join(lines))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        records = collect_imports(tree.body, region.context, region.start)
        if prefix:
            records = [r._replace(col=r.col + len(prefix)) for r in records]
        return records


def plain_import(lines: Sequence[str], index: int, width: int, context: int) -> ImportRecord | None:
    """The record of an import on line ``index`` (indented by ``width``) read without a parser,
    when it is written plainly: one line, or ``from m import (`` names ``)``; else None.

    The caller vouches that a statement starts there (grimp says so) and for ``context``.
    """
    line, lineno = lines[index][width:], index + 1
    match = _SIMPLE_IMPORT.match(line)
    if match is not None and match.group("modules") is not None:
        names = tuple(alias.split()[0] for alias in match.group("modules").split(","))
        return ImportRecord(lineno, lineno, width, False, 0, "", names, context)
    end = index
    if match is not None:
        listed: str = match.group("names")
    else:
        match = _PARENTHESIZED_FROM.match(line)
        if match is None:
            return None
        parts = [match.group("rest").split("#", 1)[0]]  # import statements hold no strings
        while ")" not in parts[-1]:
            end += 1
            if end >= len(lines) or end - index > MAX_PARENTHESIZED_LINES:
                return None
            parts.append(lines[end].split("#", 1)[0])
        listed, _, after = " ".join(parts).partition(")")
        if after.strip() or not _NAME_LIST.fullmatch(listed):
            return None
    names = tuple(alias.split()[0] for alias in listed.split(",") if alias.strip())
    level, module = len(match.group("dots")), match.group("module") or ""
    return ImportRecord(lineno, end + 1, width, True, level, module, names, context)


def _records_at(source: SourceRegions, line: int) -> list[ImportRecord] | None:
    """The records of the region that holds the import statement starting on ``line``."""
    index = line - 1
    if source.is_top_start(index):
        record = plain_import(source.lines, index, 0, 0)
        if record is not None:
            return [record]
    for region in source.candidates(index):
        if region.prefix and region.start == index:  # a direct child of a class/def body
            record = plain_import(source.lines, index, len(region.prefix), region.context)
            if record is not None:
                return [record]
        records = source.parse(region)
        if records is not None and any(r.line == line for r in records):
            return records
    return None


def records_near(text: str, import_lines: Mapping[int, str]) -> tuple[ImportRecord, ...] | None:
    """All import records of a file whose import statements start exactly on the lines of
    ``import_lines`` (line number → its stripped text, which must match ours).

    ``None`` when a region cannot be confirmed or the records found disagree with the lines.
    """
    source = SourceRegions(text)
    lines = source.lines
    wanted = set(import_lines)
    if not all(0 < line <= len(lines) for line in wanted):
        return None
    if any(lines[line - 1].strip() != stripped for line, stripped in import_lines.items()):
        return None
    found: dict[tuple[int, int], ImportRecord] = {}
    seen: set[int] = set()
    for line in sorted(wanted):
        if line in seen:
            continue
        records = _records_at(source, line)
        if records is None:
            return None
        for record in records:
            found.setdefault((record.line, record.col), record)
            seen.add(record.line)
    if seen != wanted:
        return None
    return tuple(sorted(found.values()))
