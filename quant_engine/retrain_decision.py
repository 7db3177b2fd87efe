"""The retraining verdict: one model for the engine's trigger, its saved metadata and the wire.

It lives below the engine packages and imports only pydantic, so the API can re-export it
without loading the models package.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class RetrainRule(StrEnum):
    """The rules a retraining decision judges, in the order they are reported."""

    AGE = "age"
    IC_DECAY = "ic_decay"
    DRIFT = "drift"


class RuleStatus(StrEnum):
    """What became of one rule: judged and passed, judged and failed, or not judged."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_JUDGED = "not_judged"


class RuleVerdict(BaseModel):
    """One rule's outcome with the figure it judged, the limit it used and a one-line why."""

    model_config = ConfigDict(frozen=True)
    rule: RetrainRule
    status: RuleStatus
    value: float | None = Field(
        description="The figure judged (age in days, recent IC, drift); null if not computable."
    )
    threshold: float | None = Field(
        description="The limit the figure was held against (max age, IC floor, max drift)."
    )
    detail: str = Field(
        description="Why this status, with its numbers, e.g. '0 of 100 new labelled rows'."
    )


class RetrainDecision(BaseModel):
    """Whether the current model should be retrained, every reason why, and the figures behind."""

    model_config = ConfigDict(frozen=True)
    due: bool = Field(description="True when there is no model or at least one rule failed.")
    reasons: list[str] = Field(description="Every rule that failed; empty when none did.")
    rules: list[RuleVerdict] = Field(
        default_factory=list,
        description="Each rule's verdict (passed, failed or not judged, and why); empty when "
        "there is no model.",
    )
    metrics: dict[str, float | int | None] = Field(
        description=(
            "The figures the rules used: model_age_days (since training), "
            "data_days_after_training, training_ic, recent_ic, ic_p_value, ic_dates, hit_rate, "
            "drift (mean absolute standardised feature shift), drift_obs and recent_obs "
            "(new labelled rows); null if undefined."
        )
    )
    as_of: str = Field(description="The data date the decision was made for (ISO date).")
    model_version: str | None = Field(description="The version checked; null before any training.")


def verdict_summary(decision: RetrainDecision) -> dict[str, str]:
    """Each rule's status and why, keyed by rule, for a report; ``{}`` when there is no model."""
    labels = {RuleStatus.PASSED: "passed", RuleStatus.FAILED: "FAILED"}
    return {
        verdict.rule.value: f"{labels.get(verdict.status, 'not judged')}: {verdict.detail}"
        for verdict in decision.rules
    }


def not_judged(decision: RetrainDecision) -> list[str]:
    """The rules that were not judged, so a report never reads "all passed" when one wasn't."""
    return [v.rule.value for v in decision.rules if v.status is RuleStatus.NOT_JUDGED]
