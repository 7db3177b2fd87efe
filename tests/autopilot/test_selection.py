"""Deflated Sharpe ratio against published values, guards that reject, margin vs the incumbent."""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import replace

import pytest

from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.evaluation import CandidateEvaluation, ReturnStats
from quant_engine.autopilot.selection import (
    CANDIDATE_GUARDS,
    Guards,
    IncumbentRecord,
    SearchContext,
    decide,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probabilistic_sharpe_ratio,
)
from quant_engine.errors import UsageError

ANNUAL = math.sqrt(252)
GUARDS = Guards(min_trades=50, max_drawdown=0.35, min_deflated_sharpe=0.9, margin_sharpe=0.1)


def result(
    rule: str = "top_k",
    model: str = "ridge",
    mode: str = "core",
    *,
    daily_sharpe: float = 0.1,
    n_days: int = 2000,
    n_trades: int = 500,
    max_drawdown: float = 0.1,
) -> CandidateEvaluation:
    """A candidate result with chosen headline figures and normal-looking return moments."""
    stats = ReturnStats(
        n=n_days, mean=daily_sharpe * 0.01, std=0.01, sharpe=daily_sharpe, skew=0.0, kurtosis=3.0
    )
    metrics = {
        "sharpe": daily_sharpe * ANNUAL,
        "n_trades": n_trades,
        "n_entries_exits": n_trades,
        "max_drawdown": max_drawdown,
        "total_return": 0.5,
    }
    return CandidateEvaluation(
        candidate=CandidateSpec(mode, model, rule),
        metrics=metrics,
        model_metrics={"ic": 0.02},
        returns=stats,
        oos_start="2016-01-04",
        oos_end="2018-12-31",
    )


def incumbent_of(res: CandidateEvaluation, sharpe: float | None = None) -> IncumbentRecord:
    metrics = dict(res.metrics)
    if sharpe is not None:
        metrics["sharpe"] = sharpe
    return IncumbentRecord(res.candidate, metrics, "2020-01-01T00:00:00+00:00", "abc123")


# --- deflated Sharpe ratio -----------------------------------------------------------------


def test_paper_example_matches_published_values() -> None:
    # Bailey & López de Prado (2014), numerical example: N=100 trials, V[SR]=0.5/yr,
    # best SR 2.5/yr over T=1250 days, skew -3, kurtosis 10 -> SR0 ~ 0.1132, DSR ~ 0.9004.
    variance = 0.5 / 250
    assert expected_max_sharpe(100, variance) == pytest.approx(0.1132, abs=5e-5)
    dsr = deflated_sharpe_ratio(
        2.5 / math.sqrt(250), 1250, -3.0, 10.0, n_trials=100, sharpe_variance=variance
    )
    assert dsr == pytest.approx(0.9004, abs=5e-5)


def test_one_trial_reduces_to_the_probabilistic_sharpe_ratio() -> None:
    sr, n = 0.05, 500
    closed_form = statistics.NormalDist().cdf(sr * math.sqrt(n - 1) / math.sqrt(1 + sr**2 / 2))
    assert probabilistic_sharpe_ratio(sr, 0.0, n, 0.0, 3.0) == pytest.approx(closed_form)
    dsr = deflated_sharpe_ratio(sr, n, 0.0, 3.0, n_trials=1, sharpe_variance=0.01)
    assert dsr == pytest.approx(closed_form)


def test_more_trials_lower_the_deflated_sharpe() -> None:
    values = [
        deflated_sharpe_ratio(0.08, 750, -0.2, 4.0, n_trials=n, sharpe_variance=0.002)
        for n in (1, 2, 5, 12, 100, 1000)
    ]
    assert all(a > b for a, b in itertools.pairwise(values))


def test_fat_tails_and_negative_skew_lower_the_psr() -> None:
    normal = probabilistic_sharpe_ratio(0.05, 0.0, 500, 0.0, 3.0)
    assert probabilistic_sharpe_ratio(0.05, 0.0, 500, -1.0, 3.0) < normal
    assert probabilistic_sharpe_ratio(0.05, 0.0, 500, 0.0, 9.0) < normal


def test_more_observations_raise_the_psr_of_a_positive_sharpe() -> None:
    assert probabilistic_sharpe_ratio(0.05, 0.0, 2000, 0.0, 3.0) > probabilistic_sharpe_ratio(
        0.05, 0.0, 200, 0.0, 3.0
    )


@pytest.mark.parametrize(
    ("sharpe", "n_obs", "skew", "kurtosis"),
    [(math.nan, 500, 0.0, 3.0), (0.1, 1, 0.0, 3.0), (0.1, 500, math.nan, 3.0)],
)
def test_undefined_inputs_give_nan(sharpe: float, n_obs: int, skew: float, kurtosis: float) -> None:
    assert math.isnan(probabilistic_sharpe_ratio(sharpe, 0.0, n_obs, skew, kurtosis))


# --- guards -------------------------------------------------------------------------------


def test_a_candidate_passing_every_guard_is_promoted_without_incumbent() -> None:
    results = [result("top_k", daily_sharpe=0.1), result("long_short", daily_sharpe=0.05)]
    decision = decide(results, None, GUARDS)
    assert decision.promoted
    assert decision.best_id == "core-ridge-top_k"
    text = "\n".join(decision.reasons)
    for guard in ("trades", "max drawdown", "deflated Sharpe"):
        assert f"{guard}:" in text
    assert "FAIL" not in text
    assert "no incumbent" in text
    assert decision.reasons[-1] == "decision: promote core-ridge-top_k"


@pytest.mark.parametrize(
    ("changes", "guard"),
    [
        ({"n_trades": 10}, "min_trades"),
        ({"max_drawdown": 0.5}, "max_drawdown"),
        ({"n_days": 40}, "min_deflated_sharpe"),
    ],
)
def test_each_guard_rejects_on_its_own(changes: dict[str, float], guard: str) -> None:
    bad = result("top_k", daily_sharpe=0.1, **changes)  # type: ignore[arg-type]
    decision = decide([bad], None, GUARDS)
    assert not decision.promoted
    row = decision.table[0].to_dict()
    assert row["failed_guards"] == [guard]
    assert any("FAIL" in reason for reason in decision.reasons)
    assert decision.reasons[-1] == "decision: promote nothing (there is no incumbent yet)"


def test_deflated_sharpe_guard_uses_all_trials() -> None:
    alone = decide([result(daily_sharpe=0.04, n_days=1000)], None, GUARDS)
    crowd = [
        result(daily_sharpe=0.04, n_days=1000),
        result("top_k", "gbm", "minimal", daily_sharpe=-0.05),
        result("long_short", "gbm", "full", daily_sharpe=0.03),
        result("top_k", "ridge", "full", daily_sharpe=-0.04),
    ]
    crowded = decide(crowd, None, GUARDS)
    assert crowded.n_trials == 4
    alone_dsr = alone.table[0].deflated_sharpe
    crowded_dsr = next(r for r in crowded.table if r.result.candidate_id == "core-ridge-top_k")
    assert crowded_dsr.deflated_sharpe < alone_dsr


def test_best_is_the_highest_sharpe_that_passes_every_guard() -> None:
    flashy = result("top_k", daily_sharpe=0.2, max_drawdown=0.6)
    solid = result("long_short", daily_sharpe=0.1)
    decision = decide([flashy, solid], None, GUARDS)
    assert decision.promoted
    assert decision.best_id == "core-ridge-long_short"
    assert [row.result.candidate_id for row in decision.table] == [
        "core-ridge-top_k",
        "core-ridge-long_short",
    ]


# --- margin over the incumbent ------------------------------------------------------------


def test_margin_promotes_a_clear_winner_over_a_re_evaluated_incumbent() -> None:
    old = result("long_short", daily_sharpe=0.05)
    new = result("top_k", daily_sharpe=0.05 + 0.15 / ANNUAL)
    decision = decide([old, new], incumbent_of(old, sharpe=9.0), GUARDS)
    assert decision.promoted
    assert decision.reasons[-1] == (
        "decision: promote core-ridge-top_k, replacing core-ridge-long_short"
    )
    assert decision.incumbent_sharpe == pytest.approx(old.sharpe)  # re-evaluated, not 9.0
    assert any("re-evaluated on this data" in r and "beats it" in r for r in decision.reasons)


def test_margin_keeps_the_incumbent_when_the_gain_is_too_small() -> None:
    old = result("long_short", daily_sharpe=0.05)
    new = result("top_k", daily_sharpe=0.05 + 0.05 / ANNUAL)
    decision = decide([old, new], incumbent_of(old), GUARDS)
    assert not decision.promoted
    assert decision.best_id == "core-ridge-top_k"
    assert any("does not beat it" in r for r in decision.reasons)
    assert decision.reasons[-1] == "decision: keep core-ridge-long_short"


def test_incumbent_outside_the_grid_is_judged_on_its_recorded_sharpe() -> None:
    outsider = incumbent_of(result("top_k", "gbm", "full"), sharpe=2.0)
    new = result("top_k", daily_sharpe=2.05 / ANNUAL)
    decision = decide([new], outsider, GUARDS)
    assert not decision.promoted
    assert decision.incumbent_sharpe == 2.0
    assert any("recorded by decision abc123" in r for r in decision.reasons)
    assert decide([result("top_k", daily_sharpe=2.2 / ANNUAL)], outsider, GUARDS).promoted


def test_the_incumbent_itself_is_never_re_promoted() -> None:
    best = result("top_k", daily_sharpe=0.2)
    decision = decide([best, result("long_short")], incumbent_of(best), GUARDS)
    assert not decision.promoted
    assert any("already the incumbent" in r for r in decision.reasons)


def test_empty_results_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="empty"):
        decide([], None, GUARDS)


def test_decision_dict_has_no_timestamps() -> None:
    old = result("long_short")
    decision = decide([old, result("top_k", daily_sharpe=0.3)], incumbent_of(old), GUARDS)
    assert "2020-01-01" not in repr(decision.to_dict())


# --- the outcome in words and the per-candidate margin verdict -----------------------------


def test_headline_says_no_incumbent_yet_when_nothing_is_promoted_and_none_exists() -> None:
    failing = result("top_k", n_trades=1)
    decision = decide([failing], None, GUARDS)
    assert not decision.promoted
    assert decision.headline == "no incumbent yet: nothing promoted"


def test_headline_names_the_kept_incumbent_or_the_promotion() -> None:
    old = result("long_short", daily_sharpe=0.05)
    small_gain = result("top_k", daily_sharpe=0.05 + 0.05 / ANNUAL)
    kept = decide([old, small_gain], incumbent_of(old), GUARDS)
    assert kept.headline == "incumbent kept: core-ridge-long_short"
    clear_gain = result("top_k", daily_sharpe=0.05 + 0.15 / ANNUAL)
    promoted = decide([old, clear_gain], incumbent_of(old), GUARDS)
    assert promoted.headline == "promoted core-ridge-top_k, replacing core-ridge-long_short"
    first = decide([clear_gain], None, GUARDS)
    assert first.headline == "promoted core-ridge-top_k"


def test_every_candidate_gets_a_margin_verdict_against_the_incumbent() -> None:
    old = result("long_short", daily_sharpe=0.05)
    small_gain = result("top_k", daily_sharpe=0.05 + 0.05 / ANNUAL)
    clear_gain = result("top_k", "gbm", daily_sharpe=0.05 + 0.15 / ANNUAL)
    decision = decide([old, small_gain, clear_gain], incumbent_of(old), GUARDS)
    assert decision.beats_incumbent(clear_gain) is True
    assert decision.beats_incumbent(small_gain) is False
    assert decision.beats_incumbent(old) is None  # the incumbent itself
    assert decide([old], None, GUARDS).beats_incumbent(old) is None  # nothing to beat


# --- trials from earlier runs, PBO, holdout, and the incumbent re-checked -----------------


def test_trials_from_earlier_runs_deflate_the_sharpe() -> None:
    candidate = result(daily_sharpe=0.04, n_days=1000)
    alone = decide([candidate], None, GUARDS)
    history = SearchContext(n_trials=12, sharpe_variance=0.001, prior_trials=11)
    counted = decide([candidate], None, GUARDS, context=history)
    assert counted.n_trials == 12
    assert counted.table[0].deflated_sharpe < alone.table[0].deflated_sharpe
    assert any("trials: 12 on this data (11 from earlier runs)" in r for r in counted.reasons)


def test_a_high_pbo_blocks_promotion() -> None:
    good = result(daily_sharpe=0.2)
    overfit = SearchContext(n_trials=1, sharpe_variance=0.0, pbo=0.8)
    decision = decide([good], None, GUARDS, context=overfit)
    assert decision.table[0].passed
    assert not decision.promoted
    assert any("overfitting (CSCV): 0.80 vs at most 0.50: FAIL" in r for r in decision.reasons)
    fine = SearchContext(n_trials=1, sharpe_variance=0.0, pbo=0.1)
    assert decide([good], None, GUARDS, context=fine).promoted


def test_promotion_is_decided_on_the_holdout() -> None:
    old = result("long_short", daily_sharpe=0.05)
    new = result("top_k", daily_sharpe=0.2)
    losing = SearchContext(
        n_trials=2,
        sharpe_variance=0.0,
        holdout_sharpe={"core-ridge-top_k": -0.5, "core-ridge-long_short": 1.0},
        holdout_days=100,
    )
    decision = decide([old, new], None, GUARDS, context=losing)
    assert decision.best_id == "core-ridge-top_k"
    assert not decision.promoted
    assert any(r.startswith("holdout: Sharpe -0.500 on 100 days") for r in decision.reasons)
    behind = SearchContext(
        n_trials=2,
        sharpe_variance=0.0,
        holdout_sharpe={"core-ridge-top_k": 0.5, "core-ridge-long_short": 1.0},
        holdout_days=100,
    )
    kept = decide([old, new], incumbent_of(old), GUARDS, context=behind)
    assert not kept.promoted  # better on the selection window, worse on the holdout
    assert kept.incumbent_sharpe == 1.0


def test_an_incumbent_that_now_fails_a_guard_is_demoted() -> None:
    old = result("long_short", daily_sharpe=0.1, max_drawdown=0.6)
    decision = decide([old], incumbent_of(old), GUARDS)
    assert decision.demoted
    assert not decision.promoted
    assert decision.headline == (
        "incumbent demoted: core-ridge-long_short fails the guards; nothing promoted"
    )
    assert any("demoted: max drawdown: 60.0%" in r for r in decision.reasons)
    better = result("top_k", daily_sharpe=0.05)  # below the incumbent's Sharpe, but passes
    replaced = decide([old, better], incumbent_of(old), GUARDS)
    assert replaced.promoted
    assert replaced.headline == (
        "promoted core-ridge-top_k, replacing demoted core-ridge-long_short"
    )


def test_an_incumbent_that_still_passes_is_not_demoted() -> None:
    old = result("long_short", daily_sharpe=0.1)
    decision = decide([old], incumbent_of(old), GUARDS)
    assert not decision.demoted
    assert decision.headline == "incumbent kept: core-ridge-long_short"


def test_min_trades_counts_entries_and_exits_not_resizes() -> None:
    resizer = result("top_k", n_trades=500)
    metrics = {**resizer.metrics, "n_entries_exits": 10}  # 490 of the 500 changes are resizes
    decision = decide([replace(resizer, metrics=metrics)], None, GUARDS)
    assert decision.table[0].to_dict()["failed_guards"] == ["min_trades"]
    assert any("trades: 10 entries and exits vs at least 50" in r for r in decision.reasons)


# --- the decision table's rows, as the decision file and the dashboard's leaderboard read them


def test_each_row_records_every_guards_verdict_in_words() -> None:
    few = result("top_k", daily_sharpe=0.2, n_trades=10)
    decision = decide([few], None, GUARDS)
    [row] = decision.rows()
    assert [g["name"] for g in row["guards"]] == list(CANDIDATE_GUARDS)
    verdicts = {g["name"]: g["passed"] for g in row["guards"]}
    assert verdicts == {"min_trades": False, "max_drawdown": True, "min_deflated_sharpe": True}
    [trades] = [g for g in row["guards"] if g["name"] == "min_trades"]
    assert trades["detail"] == "trades: 10 entries and exits vs at least 50 required"
    assert row["failed_guards"] == ["min_trades"]
    assert row["candidate"] == {"feature_mode": "core", "model_kind": "ridge", "rule": "top_k"}


def test_each_row_carries_its_holdout_sharpe_and_margin_verdict() -> None:
    old = result("long_short", daily_sharpe=0.05)
    new = result("top_k", daily_sharpe=0.2)
    held = SearchContext(
        n_trials=2,
        sharpe_variance=0.0,
        holdout_sharpe={"core-ridge-top_k": 1.5, "core-ridge-long_short": 0.5},
        holdout_days=100,
    )
    rows = {
        r["candidate_id"]: r
        for r in decide([old, new], incumbent_of(old), GUARDS, context=held).rows()
    }
    assert rows["core-ridge-top_k"]["holdout_sharpe"] == 1.5
    assert rows["core-ridge-top_k"]["beats_incumbent"] is True
    assert rows["core-ridge-long_short"]["beats_incumbent"] is None  # the incumbent itself
    [alone] = decide([new], None, GUARDS).rows()
    assert alone["holdout_sharpe"] is None  # no holdout
    assert alone["beats_incumbent"] is None  # nothing to beat
    assert decide([new], None, GUARDS).to_dict()["table"] == [alone]
