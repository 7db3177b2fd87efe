"""simulate: positions from scores with an execution lag, costs, NaN handling, no look-ahead."""

from __future__ import annotations

import math
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from quant_engine import config
from quant_engine.backtest import simulation
from quant_engine.backtest.simulation import BacktestConfig, SimulationOutput, simulate

NAN = math.nan
SETTINGS: dict[str, Any] = {
    "rule": "top_k",
    "top_k": 2,
    "quantile": 0.25,
    "entry_threshold": 0.0,
    "cost_bps": 0.0,
    "slippage_bps": 0.0,
    "execution_lag": 1,
    "rebalance_every": 1,
}


def run(scores: Any, returns: Any | None = None, **overrides: Any) -> SimulationOutput:
    score_arr = np.asarray(scores, dtype=float)
    ret = np.zeros_like(score_arr) if returns is None else np.asarray(returns, dtype=float)
    return simulate(score_arr, ret, BacktestConfig(**{**SETTINGS, **overrides}))


def reference(scores: np.ndarray, returns: np.ndarray, **kw: Any) -> dict[str, np.ndarray]:
    """A slow day-by-day model of the documented rules, to check the vectorised code against."""
    days, names = scores.shape
    targets = np.zeros((days, names))
    for t in range(days):
        row = scores[t]
        valid = [n for n in range(names) if math.isfinite(row[n])]
        ranked = sorted(valid, key=lambda n: (-row[n], n))
        if kw["rule"] == "top_k":
            picks = [n for n in ranked if row[n] > kw["entry_threshold"]][: kw["top_k"]]
            targets[t, picks] = 1.0 / len(picks) if picks else 0.0
        else:
            per = min(max(1, math.floor(kw["quantile"] * len(ranked) + 1e-9)), len(ranked) // 2)
            if per:
                targets[t, ranked[:per]] = 0.5 / per
                targets[t, ranked[-per:]] = -0.5 / per
    lag, every = kw["execution_lag"], kw.get("rebalance_every", 1)
    earned = np.nan_to_num(returns, nan=0.0)
    held = np.zeros((days, names))  # the book over day t's return, drifted since its trade
    turnover, trades = np.zeros(days), np.zeros(days, dtype=int)
    current, previous = np.zeros(names), np.zeros(names)
    for t in range(days):
        held[t] = current
        growth = 1.0 + current @ earned[t]
        # a book worth nothing (or less: shorts) is closed out, it has no weights left
        drifted = current * (1.0 + earned[t]) / growth if growth > 0 else np.zeros(names)
        signal = t - lag
        if signal >= 0 and signal % every == 0:
            turnover[t] = np.abs(targets[signal] - drifted).sum()
            trades[t] = np.count_nonzero(targets[signal] != previous)
            current = previous = targets[signal]
        else:
            current = drifted
    gross = (held * earned).sum(axis=1)
    costs = (kw["cost_bps"] + kw["slippage_bps"]) / 1e4 * turnover
    return {
        "weights": held,
        "turnover": turnover,
        "trades": trades,
        "net": gross - costs,
        "exposure": np.abs(held).sum(axis=1),
    }


score_values = st.sampled_from([NAN, -2.0, -1.0, 0.0, 0.5, 1.0, 1.5, 3.0, math.inf, -math.inf])
rule_settings = st.fixed_dictionaries(
    {
        "rule": st.sampled_from(config.PORTFOLIO_RULES),
        "top_k": st.integers(1, 5),
        "quantile": st.sampled_from([0.1, 0.2, 0.25, 0.3, 0.5]),
        "entry_threshold": st.sampled_from([-math.inf, -1.0, 0.0, 1.0]),
        "cost_bps": st.sampled_from([0.0, 5.0]),
        "slippage_bps": st.sampled_from([0.0, 2.5]),
        "execution_lag": st.integers(1, 3),
        "rebalance_every": st.integers(1, 4),
    }
)


@st.composite
def market(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    shape = (draw(st.integers(1, 12)), draw(st.integers(1, 7)))
    scores = draw(arrays(np.float64, shape, elements=score_values))
    moves = st.one_of(st.just(NAN), st.floats(-0.5, 0.5))
    return scores, draw(arrays(np.float64, shape, elements=moves))


@settings(max_examples=300, deadline=None)
@given(data=market(), kw=rule_settings, block=st.integers(1, 5))
def test_matches_the_day_by_day_reference(
    data: tuple[np.ndarray, np.ndarray], kw: Any, block: int
) -> None:
    scores, returns = data
    with mock.patch.object(simulation, "block_rows", return_value=block):
        out = simulate(scores, returns, BacktestConfig(**kw))
    expected = reference(scores, returns, **kw)
    np.testing.assert_allclose(out.weights, expected["weights"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.turnover, expected["turnover"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out.trades, expected["trades"])
    np.testing.assert_allclose(out.net, expected["net"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.exposure, expected["exposure"], rtol=0, atol=1e-12)


def replaced_from(values: np.ndarray, day: int, value: float) -> np.ndarray:
    """A copy of ``values`` whose rows from ``day`` on are all ``value``."""
    changed = values.copy()
    changed[day:] = value
    return changed


@settings(max_examples=100, deadline=None)
@given(data=market(), kw=rule_settings, cut=st.integers(0, 11), noise=st.floats(-0.4, 0.4))
def test_future_returns_do_not_move_past_weights_or_returns(
    data: tuple[np.ndarray, np.ndarray], kw: Any, cut: int, noise: float
) -> None:
    scores, returns = data
    cfg = BacktestConfig(**kw)
    before = simulate(scores, returns, cfg)
    after = simulate(scores, replaced_from(returns, cut, noise), cfg)
    # weights drift with returns, so day t's weights see returns up to t - 1 only
    np.testing.assert_array_equal(before.weights[: cut + 1], after.weights[: cut + 1])
    np.testing.assert_array_equal(before.net[:cut], after.net[:cut])


@settings(max_examples=150, deadline=None)
@given(data=market(), kw=rule_settings, day=st.integers(0, 11), value=score_values)
def test_a_score_only_moves_the_book_from_its_execution_on(
    data: tuple[np.ndarray, np.ndarray], kw: Any, day: int, value: float
) -> None:
    scores, returns = data
    cfg = BacktestConfig(**kw)
    before = simulate(scores, returns, cfg)
    after = simulate(replaced_from(scores, day, value), returns, cfg)
    first_affected = day + 1 + kw["execution_lag"]
    np.testing.assert_array_equal(before.weights[:first_affected], after.weights[:first_affected])
    np.testing.assert_array_equal(before.net[: first_affected - 1], after.net[: first_affected - 1])


def test_signal_of_day_t_is_held_over_day_t_plus_2_by_default() -> None:
    scores = np.full((5, 3), NAN)
    scores[0] = [0.1, 0.9, 0.5]
    out = run(scores, top_k=1)
    assert out.weights[:2].sum() == 0.0
    assert out.weights[2].tolist() == [0.0, 1.0, 0.0]
    assert out.turnover.tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]  # entry at close 1, exit at 2


def test_longer_lag_delays_the_book() -> None:
    scores = np.full((6, 2), NAN)
    scores[0] = [1.0, 2.0]
    out = run(scores, top_k=1, execution_lag=3)
    assert np.flatnonzero(out.weights[:, 1]).tolist() == [4]


def test_top_k_holds_the_highest_scores_equally() -> None:
    out = run([[0.3, 0.9, 0.1, 0.7, 0.5]] * 3, top_k=2)
    assert out.weights[2].tolist() == [0.0, 0.5, 0.0, 0.5, 0.0]


def test_top_k_ties_go_to_the_earlier_column() -> None:
    out = run([[1.0, 2.0, 2.0, 2.0]] * 3, top_k=2)
    assert out.weights[2].tolist() == [0.0, 0.5, 0.5, 0.0]


def test_entry_threshold_leaves_the_rest_in_cash() -> None:
    out = run([[0.2, -0.1, 0.3, 0.0]] * 3, top_k=3, entry_threshold=0.0)
    assert out.weights[2].tolist() == [0.5, 0.0, 0.5, 0.0]
    nothing = run([[-0.2, -0.1]] * 3, top_k=1, entry_threshold=0.0)
    assert not nothing.weights.any()
    assert nothing.exposure.tolist() == [0.0, 0.0, 0.0]


def test_long_short_is_dollar_neutral_with_gross_one() -> None:
    rng = np.random.default_rng(7)
    scores = rng.normal(size=(40, 23))
    scores[rng.random(scores.shape) < 0.2] = NAN
    out = run(scores, rule="long_short", quantile=0.2)
    held = out.weights[2:]
    np.testing.assert_allclose(held.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.abs(held).sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(held.clip(min=0).sum(axis=1), 0.5, atol=1e-12)


def test_long_short_picks_top_and_bottom_quantile() -> None:
    out = run([[5.0, 1.0, 3.0, 4.0, 2.0, 0.0, NAN, 6.0]] * 3, rule="long_short", quantile=0.3)
    # 7 valid names -> floor(2.1) = 2 per side: long 6.0 and 5.0, short 1.0 and 0.0
    assert out.weights[2].tolist() == [0.25, -0.25, 0.0, 0.0, 0.0, -0.25, 0.0, 0.25]


def test_long_short_side_size_survives_float_rounding() -> None:
    out = run(np.tile(np.arange(100.0), (3, 1)), rule="long_short", quantile=0.29)
    assert 0.29 * 100 < 29  # the float product falls just short of the intended count
    assert np.count_nonzero(out.weights[2] > 0) == 29
    assert np.count_nonzero(out.weights[2] < 0) == 29


def test_long_short_needs_two_valid_names() -> None:
    out = run([[1.0, NAN, NAN]] * 4, rule="long_short", quantile=0.5)
    assert not out.weights.any()


def test_costs_reduce_returns_by_bps_times_turnover() -> None:
    rng = np.random.default_rng(3)
    scores, returns = rng.normal(size=(30, 9)), rng.normal(0, 0.01, size=(30, 9))
    free = run(scores, returns, cost_bps=0.0, slippage_bps=0.0)
    paid = run(scores, returns, cost_bps=5.0, slippage_bps=2.0)
    assert paid.turnover.sum() > 0
    np.testing.assert_array_equal(paid.costs, 7.0 / 1e4 * paid.turnover)
    np.testing.assert_array_equal(paid.net, free.gross - paid.costs)
    np.testing.assert_array_equal(free.net, free.gross)


def test_turnover_and_trades_count_entries_exits_and_resizes() -> None:
    scores = [[NAN, 2.0, NAN], [1.0, 2.0, 3.0], [NAN, NAN, 3.0], [NAN, NAN, NAN]]
    out = run(scores, top_k=2)
    # books: {1} -> {1, 2} (resize 1 + entry) -> {2} (exit 1, resize 2) -> cash
    assert out.trades.tolist() == [0, 1, 2, 2]
    np.testing.assert_allclose(out.turnover, [0.0, 1.0, 1.0, 1.0])


def test_nan_scores_are_never_held_and_nan_returns_earn_zero() -> None:
    scores = [[NAN, 1.0, 2.0]] * 4
    returns = [[0.5, 0.1, 0.1], [0.5, 0.1, 0.1], [0.5, NAN, 0.2], [0.5, 0.3, NAN]]
    out = run(scores, returns, top_k=3)
    assert not out.weights[:, 0].any()
    np.testing.assert_allclose(out.gross, [0.0, 0.0, 0.1, 0.15])


def test_inputs_are_not_modified() -> None:
    scores = np.array([[NAN, math.inf, 1.0]] * 4)
    returns = np.array([[NAN, 0.1, 0.2]] * 4)
    kept = scores.copy(), returns.copy()
    run(scores, returns, top_k=1)
    np.testing.assert_array_equal(scores, kept[0])
    np.testing.assert_array_equal(returns, kept[1])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"execution_lag": 0}, "execution_lag"),
        ({"execution_lag": True}, "execution_lag"),
        ({"rule": "momentum"}, "rule"),
        ({"top_k": 0}, "top_k"),
        ({"quantile": 0.6}, "quantile"),
        ({"cost_bps": -1.0}, "cost_bps"),
        ({"slippage_bps": math.nan}, "slippage_bps"),
        ({"entry_threshold": math.nan}, "entry_threshold"),
        ({"rebalance_every": 0}, "rebalance_every"),
        ({"max_drops": -1}, "max_drops"),
        ({"max_drops": 1.5}, "max_drops"),
    ],
)
def test_bad_settings_are_rejected_by_name(override: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(np.zeros((3, 2)), **override)


def test_bad_shapes_and_infinite_returns_are_rejected() -> None:
    with pytest.raises(ValueError, match="same shape"):
        simulate(np.zeros((3, 2)), np.zeros((3, 3)), BacktestConfig(**SETTINGS))
    with pytest.raises(ValueError, match="inf"):
        run(np.zeros((3, 2)), [[0.0, 0.0], [math.inf, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("rule", config.PORTFOLIO_RULES)
def test_block_size_does_not_change_any_bit(rule: str) -> None:
    rng = np.random.default_rng(13)
    scores, returns = rng.normal(size=(300, 40)), rng.normal(0, 0.01, size=(300, 40))
    scores[rng.random(scores.shape) < 0.1] = NAN
    whole = run(scores, returns, rule=rule, cost_bps=3.0)
    with mock.patch.object(simulation, "block_rows", return_value=7):
        blocked = run(scores, returns, rule=rule, cost_bps=3.0)
    for name in ("weights", "net", "turnover", "trades", "exposure"):
        assert getattr(whole, name).tobytes() == getattr(blocked, name).tobytes(), name


def test_simulation_is_deterministic() -> None:
    rng = np.random.default_rng(11)
    scores, returns = rng.normal(size=(50, 12)), rng.normal(0, 0.01, size=(50, 12))
    first = run(scores, returns, rule="long_short", cost_bps=5.0)
    second = run(scores.copy(), returns.copy(), rule="long_short", cost_bps=5.0)
    assert first.weights.tobytes() == second.weights.tobytes()
    assert first.net.tobytes() == second.net.tobytes()


def test_drift_adds_the_turnover_of_trading_back_to_target() -> None:
    scores = [[1.0, 2.0]] * 4
    still = run(scores, top_k=2)
    # day 2 earns +20% / 0%: the book is worth 1.1, the halves drift to 0.6/1.1 and 0.5/1.1
    moved = run(scores, [[0.0, 0.0], [0.0, 0.0], [0.2, 0.0], [0.0, 0.0]], top_k=2)
    assert still.turnover.tolist() == [0.0, 1.0, 0.0, 0.0]  # no-drift count: nothing to trade
    drift = abs(0.6 / 1.1 - 0.5) + abs(0.5 / 1.1 - 0.5)
    np.testing.assert_allclose(moved.turnover, [0.0, 1.0, drift, 0.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(moved.gross[2], 0.1)


def test_rebalance_every_n_holds_the_book_between_rebalances() -> None:
    rng = np.random.default_rng(5)
    scores = rng.normal(size=(13, 6))
    out = run(scores, top_k=2, rebalance_every=4)
    trade_days = np.flatnonzero(out.turnover)
    assert trade_days.tolist() == [1, 5, 9]  # signal days 0, 4, 8 trade a bar later
    for day in (2, 6, 10):  # without returns the book is the same over its holding period
        assert (out.weights[day : day + 4] == out.weights[day]).all()
    assert out.weights[6].tolist() == run(scores, top_k=2).weights[6].tolist()
    returns = rng.normal(0, 0.02, size=scores.shape)
    drifting = run(scores, returns, top_k=2, rebalance_every=4)
    grown = drifting.weights[2] * (1 + returns[2])
    np.testing.assert_allclose(drifting.weights[3], grown / grown.sum(), rtol=1e-13)
    assert np.count_nonzero(drifting.trades[[2, 3, 4]]) == 0


def test_max_drops_limits_the_names_leaving_the_book() -> None:
    scores = [[6.0, 5.0, 4.0, 1.0, 0.0, -1.0], [0.0, 2.0, 1.0, 9.0, 8.0, 7.0]] + [[NAN] * 6] * 2
    free = run(scores, top_k=3)
    assert (free.weights[3] > 0).tolist() == [False, False, False, True, True, True]
    limited = run(scores, top_k=3, max_drops=1)
    # name 0 (now the worst held) leaves; the best newcomer (name 3) takes its place
    assert (limited.weights[3] > 0).tolist() == [False, True, True, True, False, False]
    assert limited.trades[2] == 2
    frozen = run(scores, top_k=3, max_drops=0)
    assert frozen.weights[3].tolist() == frozen.weights[2].tolist()


def test_max_drops_never_keeps_a_name_without_a_score() -> None:
    scores = [[6.0, 5.0, 4.0, 1.0], [NAN, NAN, 4.0, 1.0]] + [[NAN] * 4] * 2
    out = run(scores, top_k=3, max_drops=0)
    assert (out.weights[3] > 0).tolist() == [False, False, True, True]


def test_max_drops_applies_to_each_side_of_long_short() -> None:
    scores = [[7.0, 6, 5, 4, 3, 2, 1, 0], [3.0, 4, 7, 6, 1, 0, 5, 2]] + [[NAN] * 8] * 2
    out = run(scores, rule="long_short", quantile=0.25, max_drops=1)
    # held: long 0, 1 / short 6, 7; wanted: long 2, 3 / short 4, 5; one may leave per side,
    # the better of the leavers stays (1 long, 7 short) instead of the worse newcomer (3, 4)
    assert np.sign(out.weights[3]).tolist() == [0.0, 1.0, 1.0, 0.0, 0.0, -1.0, 0.0, -1.0]
    np.testing.assert_allclose(np.abs(out.weights[3]).sum(), 1.0)
