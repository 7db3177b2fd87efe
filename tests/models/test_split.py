"""PurgedWalkForward: forward only, purged by the label horizon, embargoed after test blocks."""

from __future__ import annotations

import pandas as pd
import pytest

from quant_engine.models import PurgedWalkForward

DATES = pd.bdate_range("2020-01-01", periods=500)


def folds(
    n_folds: int = 4, horizon: int = 5, embargo: int = 5
) -> list[tuple[pd.DatetimeIndex, pd.DatetimeIndex]]:
    """All folds of a split of DATES."""
    return list(PurgedWalkForward(n_folds, horizon, embargo).split(DATES))


def position(dates: pd.DatetimeIndex) -> list[int]:
    """Positions of ``dates`` in DATES."""
    return [int(DATES.get_loc(d)) for d in dates]


@pytest.mark.parametrize(("horizon", "embargo"), [(0, 0), (5, 0), (5, 5), (21, 10)])
def test_training_dates_precede_each_test_block_by_more_than_the_horizon(
    horizon: int, embargo: int
) -> None:
    for train, test in folds(horizon=horizon, embargo=embargo):
        assert len(train) > 0
        assert max(position(train)) < min(position(test)) - horizon
        assert train.max() < test.min()


def test_purge_drops_exactly_the_last_horizon_dates_before_the_test_block() -> None:
    (train, test), *_ = folds(horizon=7, embargo=0)
    start = position(test)[0]
    assert position(train) == list(range(start - 7))


def test_embargo_removes_dates_after_earlier_test_blocks_from_later_training() -> None:
    embargoed, plain = folds(embargo=10), folds(embargo=0)
    checked = 0
    for k in range(len(embargoed)):
        windows: set[pd.Timestamp] = set()
        for _, earlier_test in embargoed[: max(k - 1, 0)]:  # blocks whose successor is trained on
            end = position(earlier_test)[-1] + 1
            windows |= set(DATES[end : end + 10])
        assert windows.isdisjoint(embargoed[k][0])
        assert set(plain[k][0]) - set(embargoed[k][0]) == windows
        checked += len(windows)
    assert checked == 10 + 20  # fold 3 loses one window, fold 4 two


def test_test_blocks_are_contiguous_ordered_and_cover_everything_after_the_first_block() -> None:
    blocks = [test for _, test in folds()]
    assert len(blocks) == 4
    for block in blocks:
        assert block.is_monotonic_increasing
        assert position(block) == list(range(position(block)[0], position(block)[-1] + 1))
    covered = [p for block in blocks for p in position(block)]
    assert covered == list(range(covered[0], len(DATES)))
    assert 90 <= covered[0] <= 110  # first of five near-equal blocks only trains


def test_training_windows_expand() -> None:
    sizes = [len(train) for train, _ in folds(embargo=0)]
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1]


def test_input_order_and_duplicates_do_not_matter() -> None:
    shuffled = list(DATES[::-1]) + list(DATES[:50])
    for (a_train, a_test), (b_train, b_test) in zip(
        PurgedWalkForward(4, 5, 5).split(shuffled), folds(), strict=True
    ):
        assert a_train.equals(b_train)
        assert a_test.equals(b_test)


def test_too_few_dates_is_a_clear_error() -> None:
    splitter = PurgedWalkForward(4, 5, 5)
    with pytest.raises(ValueError, match=r"needs at least 55 dates, got 20"):
        list(splitter.split(DATES[:20]))


@pytest.mark.parametrize(("n_folds", "horizon", "embargo"), [(0, 5, 5), (3, -1, 0), (3, 0, -2)])
def test_bad_parameters_are_rejected(n_folds: int, horizon: int, embargo: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        PurgedWalkForward(n_folds, horizon, embargo)
