"""How much a search over candidates overfits: effective trials and CSCV's PBO.

Both read a [days, candidates] matrix of daily returns on one common window.

* Effective number of trials: the participation ratio of the eigenvalues of the candidates'
  return correlation matrix, ``(sum l)^2 / sum l^2`` (= N^2 / sum l^2, the trace being N):
  1 for perfectly correlated candidates, N for uncorrelated ones.
* Probability of backtest overfitting (Bailey, Borwein, López de Prado & Zhu, 2016,
  "The Probability of Backtest Overfitting"), by combinatorially symmetric cross-validation:
  cut the days into S blocks; for each of the C(S, S/2) ways to pick half of them as the
  in-sample set, take the candidate with the best in-sample Sharpe and its relative rank w
  among all candidates out of sample (the other half); PBO is the share of splits where
  ``logit(w) <= 0``, i.e. the in-sample winner does no better than the median out of sample.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def effective_trials(returns: FloatArray) -> float:
    """Participation ratio of the correlation eigenvalues; NaN without two varying candidates.

    Constant columns (no trades) carry no information about correlation and are left out.
    """
    matrix = np.asarray(returns, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] < 3:
        return math.nan
    varying = matrix[:, matrix.std(axis=0) > 0]
    if varying.shape[1] == 1:
        return 1.0
    if varying.shape[1] == 0:
        return math.nan
    eigenvalues = np.clip(np.linalg.eigvalsh(np.corrcoef(varying, rowvar=False)), 0.0, None)
    return float(eigenvalues.sum() ** 2 / np.sum(eigenvalues**2))


def probability_of_backtest_overfitting(returns: FloatArray, n_blocks: int) -> float:
    """PBO by CSCV over ``n_blocks`` contiguous blocks (even, >= 2); NaN with fewer than two
    candidates or fewer than two days per block."""
    matrix = np.asarray(returns, dtype=np.float64)
    if n_blocks < 2 or n_blocks % 2:
        raise ValueError(f"n_blocks must be even and >= 2, got {n_blocks}")
    days, candidates = matrix.shape
    if candidates < 2 or days < 2 * n_blocks:
        return math.nan
    blocks = np.array_split(matrix, n_blocks)
    sums = np.stack([b.sum(axis=0) for b in blocks])  # [S, N]
    squares = np.stack([(b**2).sum(axis=0) for b in blocks])
    counts = np.array([len(b) for b in blocks], dtype=np.float64)
    splits = np.array(list(itertools.combinations(range(n_blocks), n_blocks // 2)))
    in_sample = np.zeros((len(splits), n_blocks))
    np.put_along_axis(in_sample, splits, 1.0, axis=1)
    is_sharpe = block_sharpe(in_sample, sums, squares, counts)
    oos_sharpe = block_sharpe(1.0 - in_sample, sums, squares, counts)
    best = np.argmax(is_sharpe, axis=1)
    best_oos = oos_sharpe[np.arange(len(splits)), best]
    rank = np.count_nonzero(oos_sharpe < best_oos[:, None], axis=1) + 1  # 1 = worst
    relative = rank / (candidates + 1.0)
    logits = np.log(relative / (1.0 - relative))
    return float(np.mean(logits <= 0.0))


def block_sharpe(
    chosen: FloatArray, sums: FloatArray, squares: FloatArray, counts: FloatArray
) -> FloatArray:
    """Per split and candidate, the Sharpe of the days in the chosen blocks (-inf if flat)."""
    n = chosen @ counts
    mean = (chosen @ sums) / n[:, None]
    variance = (chosen @ squares) / n[:, None] - mean**2
    std = np.sqrt(np.clip(variance, 0.0, None))
    safe = np.where(std > 1e-15, std, 1.0)
    sharpe: FloatArray = np.where(std > 1e-15, mean / safe, -np.inf)
    return sharpe
