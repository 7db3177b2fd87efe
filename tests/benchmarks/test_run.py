"""``make bench``: each figure appears as soon as it is measured; the table uses the full width."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import pytest
from rich.console import Console

from benchmarks import run
from benchmarks.harness import Result


def test_each_figure_is_printed_before_the_next_is_measured() -> None:
    out = io.StringIO()
    console = Console(file=out, width=100)

    def slow() -> Iterator[Result]:
        yield Result("first figure", 1.0, "s")
        assert "first figure: 1 s" in out.getvalue()  # shown while the second is measured
        yield Result("second figure", 2.0, "s", goal="< 3 s", met=True)

    results = run.run_all([("bench_fake", slow)], console)
    assert [r.name for r in results] == ["first figure", "second figure"]
    assert "second figure: 2 s  (goal < 3 s ✓)" in out.getvalue()


def test_the_table_uses_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = io.StringIO()
    note = "a long note " * 8
    name = "a benchmark with a long descriptive name, 1,000 tickers"
    Console(file=out, width=run.terminal_width()).print(
        run.results_table([Result(name, 1.5, "s", "< 2 s", True, note.strip())])
    )
    lines = out.getvalue().splitlines()
    assert any(name in line and note.strip() in line for line in lines)  # one row, uncut
    assert max(len(line) for line in lines) > 80


def test_without_a_terminal_the_width_is_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert run.terminal_width() == run.WIDE_DEFAULT
