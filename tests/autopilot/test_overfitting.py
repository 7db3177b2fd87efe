"""Effective trials and PBO on constructed return matrices with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from quant_engine.autopilot.overfitting import (
    effective_trials,
    probability_of_backtest_overfitting,
)

N = 12
DAYS = 1000


def noise(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 0.01, (DAYS, N))


def test_perfectly_correlated_candidates_are_one_effective_trial() -> None:
    base = noise(0)[:, :1]
    scaled = base * np.linspace(1.0, 3.0, N) + 0.0001  # same returns, other sizes and levels
    assert effective_trials(scaled) == pytest.approx(1.0, abs=1e-9)


def test_independent_candidates_are_about_n_effective_trials() -> None:
    assert effective_trials(noise(1)) == pytest.approx(N, rel=0.05)


def test_two_groups_of_identical_candidates_are_two_effective_trials() -> None:
    pair = noise(2)[:, :2]
    grouped = np.repeat(pair, N // 2, axis=1)
    assert effective_trials(grouped) == pytest.approx(2.0, rel=0.01)


def test_pure_noise_candidates_overfit_about_half_the_time_or_more() -> None:
    pbos = [probability_of_backtest_overfitting(noise(seed), 16) for seed in range(10)]
    # No skill: the in-sample winner lands below the out-of-sample median at least as often as
    # above it (the two halves share the fixed sample, so in-sample luck reverses out of sample).
    assert 0.45 <= float(np.mean(pbos)) <= 0.8


def test_one_real_signal_among_noise_barely_overfits() -> None:
    returns = noise(3)
    returns[:, 5] += 0.0015  # annual Sharpe about 2.4
    assert probability_of_backtest_overfitting(returns, 16) < 0.05


def test_pbo_is_undefined_for_one_candidate_or_too_few_days() -> None:
    assert np.isnan(probability_of_backtest_overfitting(noise(4)[:, :1], 16))
    assert np.isnan(probability_of_backtest_overfitting(noise(4)[:20], 16))
    with pytest.raises(ValueError, match="even"):
        probability_of_backtest_overfitting(noise(4), 5)
