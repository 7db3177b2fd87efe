"""Purged, embargoed, expanding walk-forward split over dates: train only ever precedes test."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd


class PurgedWalkForward:
    """Expanding-window walk-forward over sorted unique dates; never shuffles.

    The dates are cut into ``n_folds + 1`` contiguous blocks of near-equal size. Block 0 only
    ever trains; fold k (1..n_folds) tests on block k and trains on dates before it, minus:

    * **purge** — the last ``horizon`` dates before the test block. A label at date t is the
      return from t to t+horizon, so those labels overlap the test block's prices.
    * **embargo** — the ``embargo`` dates right after each *earlier* test block. Because folds
      only move forward, no training date of fold k ever lies after fold k's own test block, so
      the classic embargo (training rows just after the test set) has nothing to remove within
      a fold. We apply it across folds instead: dates just after any block that served as a
      test set are never trained on later. That guards against nothing in a forward walk; it is
      a conservative choice costing ``embargo`` dates per earlier fold, and ``embargo=0`` turns
      it off without changing the purge.

    Consequently every training date precedes the test block by more than ``horizon`` dates.
    """

    def __init__(self, n_folds: int, horizon: int, embargo: int) -> None:
        if n_folds < 1:
            raise ValueError(f"n_folds must be >= 1, got {n_folds}")
        if horizon < 0 or embargo < 0:
            raise ValueError(f"horizon and embargo must be >= 0, got {horizon} and {embargo}")
        self.n_folds = n_folds
        self.horizon = horizon
        self.embargo = embargo

    def min_dates(self) -> int:
        """Fewest unique dates that leave every fold a non-empty training set."""
        per_block = self.horizon + self.embargo + 1
        return (self.n_folds + 1) * per_block

    def blocks(self, n_dates: int) -> list[tuple[int, int]]:
        """``[start, stop)`` positions of the ``n_folds + 1`` contiguous date blocks."""
        edges = np.linspace(0, n_dates, self.n_folds + 2).round().astype(int)
        return [(int(a), int(b)) for a, b in itertools.pairwise(edges)]

    def split(
        self, dates: Iterable[pd.Timestamp]
    ) -> Iterator[tuple[pd.DatetimeIndex, pd.DatetimeIndex]]:
        """Yield ``(train_dates, test_dates)`` per fold, oldest test block first."""
        given = dates if isinstance(dates, pd.Index) else pd.Index(list(dates))
        unique = pd.DatetimeIndex(given.unique()).sort_values()  # no per-date Python objects
        if len(unique) < self.min_dates():
            raise ValueError(
                f"walk-forward with {self.n_folds} folds, horizon {self.horizon} and embargo "
                f"{self.embargo} needs at least {self.min_dates()} dates, got {len(unique)}"
            )
        blocks = self.blocks(len(unique))
        for fold in range(1, self.n_folds + 1):
            start, stop = blocks[fold]
            keep = np.zeros(len(unique), dtype=bool)
            keep[: max(start - self.horizon, 0)] = True
            for _, earlier_stop in blocks[1:fold]:
                keep[earlier_stop : earlier_stop + self.embargo] = False
            yield unique[keep], unique[start:stop]
