"""ProgressCounter: one rising count across stages, capped at the total, reported each step."""

from __future__ import annotations

from quant_engine.utils.progress import ProgressCounter


def test_counter_reports_zero_then_each_step_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    counter = ProgressCounter(lambda done, total: seen.append((done, total)), 3)
    for _ in range(4):
        counter.advance()
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3), (3, 3)]


def test_counter_without_a_callback_still_counts() -> None:
    counter = ProgressCounter(None, 2)
    counter.advance(2)
    assert counter.done == 2
