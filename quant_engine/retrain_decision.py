"""The retraining verdict: one model for the engine's trigger, its saved metadata and the wire.

It lives below the engine packages and imports only pydantic, so the API can re-export it
without loading the models package.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RetrainDecision(BaseModel):
    """Whether the current model should be retrained, every reason why, and the figures behind."""

    model_config = ConfigDict(frozen=True)
    due: bool = Field(description="True when at least one retraining trigger fired.")
    reasons: list[str] = Field(description="Every trigger that fired; empty when none did.")
    metrics: dict[str, float | int | None] = Field(
        description=(
            "The figures the rule judged: model_age_days, training_ic, recent_ic, hit_rate, "
            "drift (mean absolute standardised feature shift) and recent_obs; null if undefined."
        )
    )
    as_of: str = Field(description="The data date the decision was made for (ISO date).")
    model_version: str | None = Field(description="The version checked; null before any training.")
