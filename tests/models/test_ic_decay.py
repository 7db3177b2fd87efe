"""The IC-decay test: calibrated on overlapping labels, so a model with no decay rarely fires."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from quant_engine import config
from quant_engine.models.ic_decay import ic_below_floor, newey_west_std_error

HORIZON = 5
NAMES = 26
"""As many names as the default universe."""
SIGNAL = 0.025
"""Return loading on the score: a daily IC near 0.04, typical of a modest equity signal."""
Floats = npt.NDArray[np.float64]


def daily_ics(rng: np.random.Generator, dates: int, *, loading: float = SIGNAL) -> Floats:
    """Daily cross-sectional ICs of a persistent score against overlapping 5-day returns.

    The score is AR(1) (0.9) per name; each day's return is ``loading`` x yesterday's score
    plus unit noise, and the label is the sum of the next ``HORIZON`` returns. The true IC is
    the same on every date (no decay unless ``loading`` changes).
    """
    total = dates + HORIZON + 1
    shocks = rng.normal(size=(total, NAMES))
    score = np.empty_like(shocks)
    score[0] = shocks[0]
    for t in range(1, total):
        score[t] = 0.9 * score[t - 1] + np.sqrt(1 - 0.81) * shocks[t]
    returns = np.zeros((total, NAMES))
    returns[1:] = loading * score[:-1] + rng.normal(size=(total - 1, NAMES))
    windows = np.lib.stride_tricks.sliding_window_view(returns[1:], HORIZON, axis=0)
    labels = windows.sum(axis=-1)[:dates]
    x = score[:dates] - score[:dates].mean(axis=1, keepdims=True)
    y = labels - labels.mean(axis=1, keepdims=True)
    ics: Floats = (x * y).sum(axis=1) / np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))
    return ics


def alarm_rates(
    *, windows: int, dates: int, seed: int, recent_loading: float = SIGNAL
) -> tuple[float, float]:
    """Share of windows where (plain mean below the floor, the significance test) fires.

    Each window draws a training IC from 750 dates and a recent window of ``dates`` dates;
    the floor is the configured rule's ``max(min_ic, ic_decay x training IC)``.
    """
    rng = np.random.default_rng(seed)
    plain = tested = 0
    for _ in range(windows):
        training_ic = float(daily_ics(rng, 750).mean())
        floor = max(config.RETRAIN_MIN_IC, config.RETRAIN_IC_DECAY * training_ic)
        recent = daily_ics(rng, dates, loading=recent_loading)
        plain += bool(recent.mean() < floor)
        tested += ic_below_floor(recent, floor, horizon=HORIZON).p_value < config.RETRAIN_IC_ALPHA
    return plain / windows, tested / windows


def test_a_model_with_no_decay_rarely_fires() -> None:
    """Before: the plain "mean below floor" fired in about 40% of windows; now about alpha."""
    plain, tested = alarm_rates(windows=300, dates=config.RETRAIN_MIN_IC_DATES, seed=7)
    assert plain > 0.25
    assert tested < 0.10


def test_a_flipped_signal_still_fires_in_most_long_windows() -> None:
    _, tested = alarm_rates(windows=100, dates=120, seed=8, recent_loading=-SIGNAL)
    assert tested > 0.5


def test_newey_west_widens_the_error_of_overlapping_ics() -> None:
    ics = daily_ics(np.random.default_rng(3), 2000)
    plain = newey_west_std_error(ics, lags=0)
    assert plain == pytest.approx(ics.std(ddof=0) / np.sqrt(len(ics)))
    assert newey_west_std_error(ics, lags=HORIZON - 1) > 1.5 * plain


def test_the_p_value_is_small_only_below_the_floor() -> None:
    rng = np.random.default_rng(4)
    ics = 0.05 + 0.01 * rng.normal(size=60)
    assert ic_below_floor(ics, 0.10, horizon=HORIZON).p_value < 0.001
    assert ic_below_floor(ics, 0.00, horizon=HORIZON).p_value > 0.999
    assert ic_below_floor(ics, float(ics.mean()), horizon=HORIZON).p_value == pytest.approx(0.5)


def test_constant_ics_are_judged_by_their_value() -> None:
    assert ic_below_floor(np.full(30, 0.01), 0.02, horizon=HORIZON).p_value < 1e-12
    assert ic_below_floor(np.full(30, 0.03), 0.02, horizon=HORIZON).p_value > 1 - 1e-12


def test_one_date_is_too_few() -> None:
    with pytest.raises(ValueError, match="at least 2 dates"):
        ic_below_floor(np.array([0.1]), 0.0, horizon=HORIZON)
