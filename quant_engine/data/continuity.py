"""One convention for missing bars and delistings, shared by returns, features, labels and purging.

* **Grid.** Every window counts sessions of the data's session grid (every date on which any
  loaded ticker has a bar), never a ticker's own bars: a 5-session label, a 21-session feature
  and a 5-session purge span the same calendar stretch for every ticker.
* **Missing bar.** A ticker's close on a session without its bar is unknown: that session has no
  return, and the move across the gap is realised on the ticker's next bar, measured from its last
  known close (a name up 50% across one missing bar shows +50% on the bar after it). A value
  "as of" a session inside a gap is the last known close, so nothing from after the session leaks.
* **Life and delisting.** A ticker lives from its first to its last bar. Nothing is known after
  the last bar; a delisting return (CRSP's ``dlret``) is realised on the first session after it.

Arrays are [sessions, tickers] float64 with NaN where a ticker has no bar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "alive",
    "carry_through_gaps",
    "delisting_vector",
    "first_bar_positions",
    "forward_return",
    "last_bar_positions",
    "last_bar_rows",
    "last_known",
    "realised_returns",
    "with_delisting_returns",
]


def last_bar_rows(closes: FloatArray) -> IntArray:
    """Row of each column's last bar at or before each session (0 before its first bar)."""
    present = ~np.isnan(closes)
    rows: IntArray = np.where(present, np.arange(closes.shape[0])[:, None], 0).astype(np.int64)
    np.maximum.accumulate(rows, axis=0, out=rows)
    return rows


def last_known(closes: FloatArray) -> FloatArray:
    """Each session's last known value at or before it (forward fill down the rows; causal)."""
    filled: FloatArray = np.take_along_axis(closes, last_bar_rows(closes), axis=0)
    return filled


def realised_returns(closes: FloatArray) -> FloatArray:
    """``close[t] / last known close before t - 1`` on sessions with a bar; NaN elsewhere."""
    returns = np.full(closes.shape, np.nan)
    if closes.shape[0] > 1:
        returns[1:] = closes[1:] / last_known(closes)[:-1] - 1.0
    return returns


def last_bar_positions(closes: FloatArray) -> IntArray:
    """Row of each column's last bar; -1 for a column without any bar."""
    present = ~np.isnan(closes)
    last = closes.shape[0] - 1 - np.argmax(present[::-1], axis=0)
    result: IntArray = np.where(present.any(axis=0), last, -1).astype(np.int64)
    return result


def first_bar_positions(closes: FloatArray) -> IntArray:
    """Row of each column's first bar; the row count for a column without any bar."""
    present = ~np.isnan(closes)
    result: IntArray = np.where(
        present.any(axis=0), np.argmax(present, axis=0), closes.shape[0]
    ).astype(np.int64)
    return result


def alive(closes: FloatArray) -> BoolArray:
    """True from each column's first bar to its last bar, inclusive (gaps included)."""
    rows = np.arange(closes.shape[0])[:, None]
    result: BoolArray = (rows >= first_bar_positions(closes)) & (rows <= last_bar_positions(closes))
    return result


def forward_return(close: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """``close as of t+horizon / close[t] - 1``: ``horizon`` grid sessions ahead of each bar.

    "As of" is the last known close (inside a gap, the close before it), so the label of t is the
    profit a holder has realised by session t+horizon. NaN when t has no bar or t+horizon lies
    after the ticker's last bar.
    """
    values = close.to_numpy(dtype=np.float64)
    ahead = np.full(values.shape, np.nan)
    if horizon < values.shape[0]:
        known = last_known(values)
        ahead[:-horizon] = np.where(alive(values)[horizon:], known[horizon:], np.nan)
    return pd.DataFrame(ahead / values - 1.0, index=close.index, columns=close.columns)


def carry_through_gaps(values: FloatArray, closes: FloatArray) -> FloatArray:
    """``values`` with each missing bar inside a ticker's life given its last bar's value.

    A position cannot be traded on a session without a bar, so a score carries across the gap;
    before the first bar and after the last one stay NaN.
    """
    carried = np.take_along_axis(values, last_bar_rows(closes), axis=0)
    result: FloatArray = np.where(
        np.isnan(closes), np.where(alive(closes), carried, np.nan), values
    )
    return result


def with_delisting_returns(
    returns: FloatArray, closes: FloatArray, delisting: Sequence[float]
) -> FloatArray:
    """``returns`` with each column's delisting return put on the session after its last bar.

    ``delisting[j]`` is column j's delisting return, NaN when it has none (or did not delist). A
    column whose last bar is the grid's last session keeps trading: nothing is applied.
    """
    out = returns.copy()
    last = last_bar_positions(closes)
    for column, value in enumerate(delisting):
        row = int(last[column]) + 1
        if np.isfinite(value) and 0 < row < closes.shape[0]:
            out[row, column] = value
    return out


def delisting_vector(tickers: Sequence[str], delisting: Mapping[str, float]) -> list[float]:
    """Delisting return per ticker in ``tickers`` order, NaN for tickers without one."""
    return [float(delisting.get(str(ticker), np.nan)) for ticker in tickers]
