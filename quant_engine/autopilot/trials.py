"""Every trial ever run on a data window: what the deflated Sharpe must be deflated by.

A trial is one candidate under one set of evaluation settings; the same trial run twice on the
same data gives the same returns and counts once. The decision log records, per decision, the
digest of the data it evaluated and each trial's per-period Sharpe, so a later run on the same
data counts the earlier ones too (a narrower grid cannot escape the deflation).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quant_engine.utils.json_form import to_json_safe

SETTINGS_DIGEST_CHARS = 12


def settings_digest(settings: Mapping[str, Any]) -> str:
    """Short sha256 of the canonical JSON of an evaluation's settings."""
    text = json.dumps(to_json_safe(settings, non_finite_as_null=True), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:SETTINGS_DIGEST_CHARS]


def trial_key(candidate_id: str, settings_key: str) -> str:
    """``candidate@settings``: one candidate under one set of settings."""
    return f"{candidate_id}@{settings_key}"


@dataclass(frozen=True)
class TrialHistory:
    """The trials on one data window: per trial, its per-period Sharpe (NaN if undefined)."""

    window: str
    sharpes: Mapping[str, float]

    @property
    def count(self) -> int:
        """Distinct trials."""
        return len(self.sharpes)

    def with_trials(self, sharpes: Mapping[str, float]) -> TrialHistory:
        """This history plus ``sharpes`` (a trial re-run replaces its earlier Sharpe)."""
        return TrialHistory(self.window, {**self.sharpes, **sharpes})

    def sharpe_variance(self) -> float:
        """Sample variance of the finite per-period Sharpe ratios (0 with fewer than two)."""
        values = [v for v in self.sharpes.values() if math.isfinite(v)]
        if len(values) < 2:
            return 0.0
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def history_from_log(records: Iterable[Mapping[str, Any]], window: str) -> TrialHistory:
    """The trials logged for ``window`` (records of other windows and older formats skipped)."""
    sharpes: dict[str, float] = {}
    for record in records:
        if record.get("data_digest") != window:
            continue
        trials = record.get("trials")
        if not isinstance(trials, Mapping):
            continue
        for key, value in trials.items():
            sharpes[str(key)] = math.nan if value is None else float(value)
    return TrialHistory(window, sharpes)
