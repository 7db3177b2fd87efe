"""The missing-bar and delisting convention on hand-checked arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quant_engine.data import continuity

nan = np.nan
# column 0: lists on row 1, misses row 3, last bar row 4; column 1: every row
CLOSES = np.array([[nan, 10.0], [10.0, 10.0], [12.0, 11.0], [nan, 11.0], [18.0, 11.0], [nan, 12.0]])


def test_a_move_across_a_missing_bar_is_realised_on_the_next_bar() -> None:
    returns = continuity.realised_returns(CLOSES)
    np.testing.assert_allclose(returns[:, 0], [nan, nan, 0.2, nan, 0.5, nan])
    np.testing.assert_allclose(returns[1:, 1], [0.0, 0.1, 0.0, 0.0, 12 / 11 - 1])


def test_life_runs_from_the_first_to_the_last_bar() -> None:
    assert continuity.first_bar_positions(CLOSES).tolist() == [1, 0]
    assert continuity.last_bar_positions(CLOSES).tolist() == [4, 5]
    assert continuity.alive(CLOSES)[:, 0].tolist() == [False, True, True, True, True, False]


def test_forward_return_counts_grid_sessions_and_ends_with_the_last_bar() -> None:
    frame = pd.DataFrame(CLOSES, columns=["A", "B"])
    ahead = continuity.forward_return(frame, 2)["A"].tolist()
    # row 1 -> row 3 is a gap: the close as of row 3 is row 2's; row 3 has no bar; row 4 is last
    np.testing.assert_allclose(ahead, [nan, 0.2, 0.5, nan, nan, nan])


def test_a_score_carries_across_a_gap_but_not_past_the_last_bar() -> None:
    scores = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, nan], [nan, 4.0], [5.0, 5.0], [6.0, 6.0]])
    carried = continuity.carry_through_gaps(scores, CLOSES)
    np.testing.assert_allclose(carried[:, 0], [nan, 2.0, 3.0, 3.0, 5.0, nan])
    np.testing.assert_allclose(carried[:, 1], [1.0, 2.0, nan, 4.0, 5.0, 6.0])  # no fill at bars


def test_a_delisting_return_lands_on_the_session_after_the_last_bar() -> None:
    returns = continuity.realised_returns(CLOSES)
    applied = continuity.with_delisting_returns(returns, CLOSES, [-0.4, -0.9])
    assert applied[5, 0] == -0.4
    np.testing.assert_array_equal(applied[:, 1], returns[:, 1])  # still trading: untouched
