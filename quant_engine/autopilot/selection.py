"""Promotion: deflated Sharpe ratio, guards, and the margin over the incumbent, in plain words.

Deflated Sharpe ratio (Bailey & López de Prado, 2014, "The Deflated Sharpe Ratio"): the
probability that the true Sharpe ratio of the selected strategy exceeds the Sharpe ratio that
the best of N skill-less trials would show by luck::

    SR0 = sqrt(V) * ((1 - g) * Z^-1(1 - 1/N) + g * Z^-1(1 - 1/(N e)))   g = Euler-Mascheroni
    DSR = Z((SR - SR0) * sqrt(T - 1) / sqrt(1 - skew * SR + (kurt - 1) / 4 * SR^2))

SR is the per-period (daily) Sharpe ratio of the selected strategy, V the variance of the N
trials' per-period Sharpe ratios, T the number of return observations, skew and kurt the
skewness and (Pearson, normal = 3) kurtosis of its returns, Z the standard normal CDF. With one
trial SR0 = 0 and the DSR is the probabilistic Sharpe ratio PSR(0).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quant_engine import config
from quant_engine.autopilot.candidates import CandidateSpec, ScoredCandidate
from quant_engine.autopilot.evaluation import ENTRIES_EXITS, CandidateEvaluation
from quant_engine.errors import UsageError

EULER_GAMMA = 0.5772156649015329
NORMAL = statistics.NormalDist()
CANDIDATE_GUARDS = ("min_trades", "max_drawdown", "min_deflated_sharpe")
"""The guards every candidate is checked against, in the order :func:`assess` reports them."""


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """SR0: the expected maximum per-period Sharpe of ``n_trials`` trials with true Sharpe 0."""
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    if n_trials == 1 or sharpe_variance <= 0:
        return 0.0
    z1 = NORMAL.inv_cdf(1.0 - 1.0 / n_trials)
    z2 = NORMAL.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(sharpe_variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2)


def probabilistic_sharpe_ratio(
    sharpe: float, benchmark: float, n_obs: int, skew: float, kurtosis: float
) -> float:
    """P(true Sharpe > ``benchmark``) given the observed per-period ``sharpe``; NaN if undefined."""
    if n_obs < 2 or not all(map(math.isfinite, (sharpe, benchmark, skew, kurtosis))):
        return math.nan
    variance = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if variance <= 0:
        return math.nan
    return NORMAL.cdf((sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(variance))


def deflated_sharpe_ratio(
    sharpe: float,
    n_obs: int,
    skew: float,
    kurtosis: float,
    *,
    n_trials: int,
    sharpe_variance: float,
) -> float:
    """DSR = PSR against SR0 of ``n_trials`` trials whose Sharpe ratios have ``sharpe_variance``."""
    benchmark = expected_max_sharpe(n_trials, sharpe_variance)
    return probabilistic_sharpe_ratio(sharpe, benchmark, n_obs, skew, kurtosis)


@dataclass(frozen=True)
class Guards:
    """The bars a candidate must clear before it may replace the incumbent."""

    min_trades: int = config.MIN_TRADES
    max_drawdown: float = config.MAX_DRAWDOWN
    min_deflated_sharpe: float = config.MIN_DEFLATED_SHARPE
    margin_sharpe: float = config.PROMOTION_MARGIN_SHARPE
    max_pbo: float = config.MAX_PBO
    holdout_fraction: float = config.HOLDOUT_FRACTION

    def to_dict(self) -> dict[str, float]:
        """JSON-safe form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class SearchContext:
    """What the whole search says about overfitting, beyond each candidate's own figures.

    ``n_trials`` counts every distinct trial ever run on this data window (this run's and the
    logged ones); ``effective_trials`` is the participation ratio of this run's candidates'
    return correlations; ``pbo`` the CSCV probability of backtest overfitting (NaN when
    undefined); ``holdout_sharpe`` maps candidate id to its annualised Sharpe on the holdout.
    """

    n_trials: int
    sharpe_variance: float
    prior_trials: int = 0
    effective_trials: float = math.nan
    pbo: float = math.nan
    holdout_sharpe: Mapping[str, float] = field(default_factory=dict)
    holdout_days: int = 0

    @classmethod
    def of(cls, results: Sequence[CandidateEvaluation]) -> SearchContext:
        """The context of ``results`` alone: no history, no PBO, no holdout."""
        per_period = [r.returns.sharpe for r in results if math.isfinite(r.returns.sharpe)]
        variance = statistics.variance(per_period) if len(per_period) > 1 else 0.0
        return cls(n_trials=len(results), sharpe_variance=variance)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {**self.__dict__, "holdout_sharpe": dict(sorted(self.holdout_sharpe.items()))}


@dataclass(frozen=True)
class IncumbentRecord(ScoredCandidate):
    """The promoted strategy: what it is, how it scored when promoted, and which decision."""

    candidate: CandidateSpec
    metrics: Mapping[str, float] = field(hash=False)
    decided_at: str
    decision_id: str


@dataclass(frozen=True)
class Assessment:
    """One candidate's row in the decision table: rank, key figures and guard outcomes."""

    rank: int
    result: CandidateEvaluation
    deflated_sharpe: float
    checks: tuple[tuple[str, bool, str], ...]
    """(guard name, passed, plain-words explanation) for every guard."""

    @property
    def passed(self) -> bool:
        """True when every guard passed."""
        return all(ok for _, ok, _ in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe row: key figures, every guard's verdict in words, and the failed ones."""
        metrics = self.result.metrics
        return {
            "rank": self.rank,
            "candidate_id": self.result.candidate_id,
            "candidate": self.result.candidate.to_dict(),
            "sharpe": self.result.sharpe,
            "deflated_sharpe": self.deflated_sharpe,
            "max_drawdown": metrics.get("max_drawdown", math.nan),
            "n_trades": metrics.get("n_trades", 0),
            "n_entries_exits": metrics.get(ENTRIES_EXITS, 0),
            "total_return": metrics.get("total_return", math.nan),
            "passed": self.passed,
            "failed_guards": [name for name, ok, _ in self.checks if not ok],
            "guards": [
                {"name": name, "passed": ok, "detail": text} for name, ok, text in self.checks
            ],
        }


@dataclass(frozen=True)
class PromotionVerdict:
    """The verdict, the chosen candidate, why (in words), and every candidate's row."""

    promoted: bool
    best: CandidateEvaluation
    reasons: tuple[str, ...]
    table: tuple[Assessment, ...]
    n_trials: int
    sharpe_variance: float
    guards: Guards
    incumbent_id: str | None
    incumbent_sharpe: float | None
    context: SearchContext | None = None
    demoted: bool = False
    """The incumbent, re-evaluated on this data, failed a guard and is no longer in place."""

    @property
    def best_id(self) -> str:
        """The chosen candidate's id."""
        return self.best.candidate_id

    @property
    def headline(self) -> str:
        """The outcome in a few words: what was promoted, kept, or that nothing is in place."""
        if self.promoted:
            demoted = "demoted " if self.demoted else ""
            replaced = f", replacing {demoted}{self.incumbent_id}" if self.incumbent_id else ""
            return f"promoted {self.best_id}{replaced}"
        if self.demoted:
            return f"incumbent demoted: {self.incumbent_id} fails the guards; nothing promoted"
        if self.incumbent_id:
            return f"incumbent kept: {self.incumbent_id}"
        return "no incumbent yet: nothing promoted"

    def beats_incumbent(self, result: CandidateEvaluation) -> bool | None:
        """Whether ``result`` clears the incumbent's Sharpe plus the margin; None when there is
        no incumbent to beat or ``result`` is the incumbent."""
        if self.incumbent_id is None or self.incumbent_id == result.candidate_id:
            return None
        incumbent = math.nan if self.incumbent_sharpe is None else self.incumbent_sharpe
        sharpe = result.sharpe
        if self.context is not None and self.context.holdout_days:
            sharpe = self.context.holdout_sharpe.get(result.candidate_id, math.nan)
        return clears_margin(sharpe, incumbent, self.guards.margin_sharpe)

    def holdout_sharpe(self, result: CandidateEvaluation) -> float | None:
        """``result``'s annualised Sharpe on the holdout; None when the search had no holdout."""
        if self.context is None or not self.context.holdout_days:
            return None
        return self.context.holdout_sharpe.get(result.candidate_id, math.nan)

    def rows(self) -> list[dict[str, Any]]:
        """The decision table: each row with its holdout Sharpe and margin verdict beside it."""
        return [
            {
                **row.to_dict(),
                "holdout_sharpe": self.holdout_sharpe(row.result),
                "beats_incumbent": self.beats_incumbent(row.result),
            }
            for row in self.table
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form with no timestamps: the same inputs give the same dictionary."""
        return {
            "promoted": self.promoted,
            "best": self.best.to_dict(),
            "reasons": list(self.reasons),
            "n_trials": self.n_trials,
            "sharpe_variance": self.sharpe_variance,
            "guards": self.guards.to_dict(),
            "incumbent_id": self.incumbent_id,
            "incumbent_sharpe": self.incumbent_sharpe,
            "demoted": self.demoted,
            "context": None if self.context is None else self.context.to_dict(),
            "table": self.rows(),
        }


def sort_key(result: CandidateEvaluation) -> tuple[float, str]:
    """Highest annualised Sharpe first (NaN last), ties broken by candidate id."""
    sharpe = result.sharpe
    return (-sharpe if math.isfinite(sharpe) else math.inf, result.candidate_id)


def assess(
    result: CandidateEvaluation, rank: int, n_trials: int, variance: float, guards: Guards
) -> Assessment:
    """Deflated Sharpe and every guard's outcome for one candidate."""
    stats = result.returns
    dsr = deflated_sharpe_ratio(
        stats.sharpe,
        stats.n,
        stats.skew,
        stats.kurtosis,
        n_trials=n_trials,
        sharpe_variance=variance,
    )
    trades = int(result.metrics.get(ENTRIES_EXITS, 0))
    drawdown = abs(float(result.metrics.get("max_drawdown", math.nan)))
    checks = (
        (
            "min_trades",
            trades >= guards.min_trades,
            f"trades: {trades} entries and exits vs at least {guards.min_trades} required",
        ),
        (
            "max_drawdown",
            drawdown <= guards.max_drawdown,
            f"max drawdown: {drawdown:.1%} vs a limit of {guards.max_drawdown:.1%}",
        ),
        (
            "min_deflated_sharpe",
            dsr >= guards.min_deflated_sharpe,
            f"deflated Sharpe: {dsr:.3f} vs at least {guards.min_deflated_sharpe:.3f} "
            f"({n_trials} trials, {stats.n} days)",
        ),
    )
    return Assessment(rank=rank, result=result, deflated_sharpe=dsr, checks=checks)


def decide(
    results: Sequence[CandidateEvaluation],
    incumbent: IncumbentRecord | None,
    guards: Guards | None = None,
    *,
    context: SearchContext | None = None,
    incumbent_result: CandidateEvaluation | None = None,
) -> PromotionVerdict:
    """Pick the best candidate that clears every guard and promote it if it beats the incumbent.

    The deflated Sharpe uses ``context.n_trials`` (every trial on this data; by default just
    ``results``). The incumbent's Sharpe is the one re-evaluated on this data when its
    candidate is in ``results`` (or given as ``incumbent_result``), else the one recorded at
    its promotion; re-evaluated, it must clear the same guards or it is demoted. The best
    candidate is the highest Sharpe among those passing every guard (the top-ranked one when
    none passes); it is promoted only when the search's PBO is at most ``guards.max_pbo`` and,
    with a holdout, its holdout Sharpe is positive and beats the incumbent's holdout Sharpe by
    the margin.
    """
    if not results:
        raise UsageError("the autopilot grid is empty: select at least one candidate")
    guards = guards or Guards()
    context = context or SearchContext.of(results)
    ranked = sorted(results, key=sort_key)
    n_trials, variance = context.n_trials, context.sharpe_variance
    table = tuple(
        assess(result, rank, n_trials, variance, guards)
        for rank, result in enumerate(ranked, start=1)
    )
    chosen = next((row for row in table if row.passed), table[0])
    reasons = [f"{text}: {'pass' if ok else 'FAIL'}" for _, ok, text in chosen.checks]
    if not chosen.passed:
        reasons.insert(0, f"no candidate passes every guard; best by Sharpe is {label(chosen)}")
    else:
        reasons.insert(0, f"best candidate passing every guard: {label(chosen)}")
    reasons.insert(1, trials_reason(context))
    pbo_ok, pbo_reason = pbo_verdict(context, guards.max_pbo)
    reasons.append(pbo_reason)
    current = {r.candidate_id: r for r in results}
    if incumbent_result is not None:
        current.setdefault(incumbent_result.candidate_id, incumbent_result)
    demoted, demotion_reason = recheck_incumbent(incumbent, current, n_trials, variance, guards)
    if demotion_reason:
        reasons.append(demotion_reason)
    holdout_ok, holdout_reason = holdout_verdict(chosen.result, context)
    if holdout_reason:
        reasons.append(holdout_reason)
    beats, incumbent_sharpe, margin_reason = compare_with_incumbent(
        chosen.result, incumbent, current, guards.margin_sharpe, context
    )
    reasons.append(margin_reason)
    promoted = chosen.passed and pbo_ok and holdout_ok and (beats or demoted)
    if incumbent is not None and incumbent.candidate_id == chosen.result.candidate_id:
        promoted = False
    reasons.append(verdict(promoted, chosen, incumbent, demoted))
    return PromotionVerdict(
        promoted=promoted,
        best=chosen.result,
        reasons=tuple(reasons),
        table=table,
        n_trials=n_trials,
        sharpe_variance=variance,
        guards=guards,
        incumbent_id=incumbent.candidate_id if incumbent else None,
        incumbent_sharpe=incumbent_sharpe,
        context=context,
        demoted=demoted,
    )


def trials_reason(context: SearchContext) -> str:
    """The trial count the deflated Sharpe used, and the effective count beside it."""
    earlier = context.prior_trials
    effective = (
        f"{context.effective_trials:.1f}" if math.isfinite(context.effective_trials) else "n/a"
    )
    return (
        f"trials: {context.n_trials} on this data ({earlier} from earlier runs), "
        f"effective {effective} (participation ratio of this run's return correlations)"
    )


def pbo_verdict(context: SearchContext, max_pbo: float) -> tuple[bool, str]:
    """(PBO at most ``max_pbo`` or undefined?, the reason in words)."""
    if not math.isfinite(context.pbo):
        return True, "probability of backtest overfitting: not judged (needs two candidates)"
    ok = context.pbo <= max_pbo
    text = f"probability of backtest overfitting (CSCV): {context.pbo:.2f} vs at most {max_pbo:.2f}"
    return ok, f"{text}: {'pass' if ok else 'FAIL'}"


def holdout_verdict(best: CandidateEvaluation, context: SearchContext) -> tuple[bool, str]:
    """(the chosen candidate earns on the holdout, or there is none; the reason or '')."""
    if not context.holdout_days:
        return True, ""
    sharpe = context.holdout_sharpe.get(best.candidate_id, math.nan)
    ok = math.isfinite(sharpe) and sharpe > 0
    text = f"holdout: Sharpe {sharpe:.3f} on {context.holdout_days} days the selection never saw"
    return ok, f"{text} (> 0 required): {'pass' if ok else 'FAIL'}"


def recheck_incumbent(
    incumbent: IncumbentRecord | None,
    current: Mapping[str, CandidateEvaluation],
    n_trials: int,
    variance: float,
    guards: Guards,
) -> tuple[bool, str]:
    """(is the incumbent demoted?, the reason): re-evaluated on this data, it must still pass."""
    if incumbent is None:
        return False, ""
    result = current.get(incumbent.candidate_id)
    if result is None:
        return False, f"incumbent {incumbent.candidate_id}: not re-evaluated on this data"
    row = assess(result, 0, n_trials, variance, guards)
    failed = [text for _, ok, text in row.checks if not ok]
    if not failed:
        return False, f"incumbent {incumbent.candidate_id}: still passes every guard"
    return True, f"incumbent {incumbent.candidate_id} demoted: " + "; ".join(failed)


def compare_with_incumbent(
    best: CandidateEvaluation,
    incumbent: IncumbentRecord | None,
    current: Mapping[str, CandidateEvaluation],
    margin: float,
    context: SearchContext | None = None,
) -> tuple[bool, float | None, str]:
    """(beats the incumbent by ``margin``?, the incumbent Sharpe used, the reason in words).

    With a holdout both Sharpe ratios are the holdout's; else the selection window's.
    """
    if incumbent is None:
        return True, None, "margin: no incumbent yet, nothing to beat"
    if incumbent.candidate_id == best.candidate_id:
        return False, best.sharpe, f"margin: {best.candidate_id} is already the incumbent"
    holdout = context.holdout_sharpe if context and context.holdout_days else None
    mine = best.sharpe if holdout is None else holdout.get(best.candidate_id, math.nan)
    result = current.get(incumbent.candidate_id)
    if result is not None and holdout is not None:
        sharpe = holdout.get(incumbent.candidate_id, math.nan)
        source = "re-evaluated on the holdout"
    elif result is not None:
        sharpe, source = result.sharpe, "re-evaluated on this data"
    else:
        sharpe, source = incumbent.sharpe, f"recorded by decision {incumbent.decision_id}"
    required = sharpe + margin if math.isfinite(sharpe) else -math.inf
    beats = clears_margin(mine, sharpe, margin)
    window = " on the holdout" if holdout is not None else ""
    text = (
        f"margin: Sharpe{window} {mine:.3f} vs incumbent {incumbent.candidate_id} "
        f"{sharpe:.3f} ({source}) + margin {margin:.2f} = {required:.3f}: "
        f"{'beats it' if beats else 'does not beat it'}"
    )
    return beats, sharpe, text


def clears_margin(sharpe: float, incumbent_sharpe: float, margin: float) -> bool:
    """A finite ``sharpe`` at least the incumbent's plus ``margin`` (any, if the incumbent's is
    not a number)."""
    if not math.isfinite(sharpe):
        return False
    return not math.isfinite(incumbent_sharpe) or sharpe >= incumbent_sharpe + margin


def label(row: Assessment) -> str:
    """``id (Sharpe x.xx)`` for reasons."""
    return f"{row.result.candidate_id} (Sharpe {row.result.sharpe:.3f})"


def verdict(
    promoted: bool, chosen: Assessment, incumbent: IncumbentRecord | None, demoted: bool = False
) -> str:
    """The one-line conclusion."""
    if promoted:
        replaced = f", replacing {incumbent.candidate_id}" if incumbent else ""
        return f"decision: promote {chosen.result.candidate_id}{replaced}"
    if incumbent and demoted:
        return f"decision: demote {incumbent.candidate_id}; nothing promoted"
    if incumbent:
        return f"decision: keep {incumbent.candidate_id}"
    return "decision: promote nothing (there is no incumbent yet)"
