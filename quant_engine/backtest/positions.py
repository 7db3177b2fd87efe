"""Entries and exits of a backtest's book: the position changes that are trades of their own.

Resizes (a held name's weight moving because the book's size changed) are not counted, so a
strategy that never changes what it holds shows no entries or exits however often it resizes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def entries_and_exits(weights: pd.DataFrame) -> pd.Series:
    """Per day, names opened from flat plus names closed to flat; a side flip is one of each.

    ``weights[t]`` is the book held over day t (as ``BacktestResult.weights``); the day before
    the first row is flat.
    """
    signs = np.sign(weights.to_numpy(dtype=np.float64, na_value=0.0))
    before = np.vstack([np.zeros((1, signs.shape[1])), signs[:-1]])
    changed = np.count_nonzero(signs != before, axis=1)
    flipped = np.count_nonzero(signs * before < 0, axis=1)
    return pd.Series(
        (changed + flipped).astype(np.int64), index=weights.index, name="entries_exits"
    )
