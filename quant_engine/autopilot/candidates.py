"""The autopilot's search space: a candidate is one feature mode x model kind x portfolio rule."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quant_engine import config
from quant_engine.errors import UsageError


@dataclass(frozen=True, order=True)
class CandidateSpec:
    """One strategy to evaluate; frozen, hashable and picklable so any executor can ship it."""

    feature_mode: str
    model_kind: str
    rule: str

    def __post_init__(self) -> None:
        check_choice("feature mode", self.feature_mode, config.FEATURE_MODES)
        check_choice("model kind", self.model_kind, config.MODEL_KINDS)
        check_choice("portfolio rule", self.rule, config.PORTFOLIO_RULES)

    @property
    def candidate_id(self) -> str:
        """Stable identifier, e.g. ``core-ridge-long_short`` (components never contain '-')."""
        return f"{self.feature_mode}-{self.model_kind}-{self.rule}"

    def to_dict(self) -> dict[str, str]:
        """JSON-safe form, for decision files and the incumbent record."""
        return {"feature_mode": self.feature_mode, "model_kind": self.model_kind, "rule": self.rule}

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> CandidateSpec:
        """Inverse of :meth:`to_dict`; a missing or invalid field raises ``UsageError``."""
        try:
            return cls(str(raw["feature_mode"]), str(raw["model_kind"]), str(raw["rule"]))
        except KeyError as exc:
            raise UsageError(f"candidate record is missing field {exc.args[0]!r}") from None


class ScoredCandidate:
    """A candidate with its backtest metrics: the id and Sharpe read the same way everywhere."""

    candidate: CandidateSpec
    metrics: Mapping[str, float]

    @property
    def candidate_id(self) -> str:
        """The candidate's stable id."""
        return self.candidate.candidate_id

    @property
    def sharpe(self) -> float:
        """Annualised Sharpe ratio from the metrics (NaN when undefined or not recorded)."""
        return float(self.metrics.get("sharpe", math.nan))


def check_choice(what: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise ``UsageError`` naming ``what`` when ``value`` is not one of ``choices``."""
    if value not in choices:
        raise UsageError(f"unknown {what} {value!r}: expected one of {', '.join(choices)}")


def build_grid(
    feature_modes: Iterable[str] | None = None,
    model_kinds: Iterable[str] | None = None,
    rules: Iterable[str] | None = None,
) -> tuple[CandidateSpec, ...]:
    """Every combination, in config order; ``None`` means all of config's choices for that axis.

    Restrictions are validated and de-duplicated; the order never depends on how they were
    given, so the same restriction always yields the same grid (and the same decision file).
    """
    modes = restrict("feature mode", feature_modes, config.FEATURE_MODES)
    kinds = restrict("model kind", model_kinds, config.MODEL_KINDS)
    rule_list = restrict("portfolio rule", rules, config.PORTFOLIO_RULES)
    return tuple(CandidateSpec(m, k, r) for m, k, r in itertools.product(modes, kinds, rule_list))


def restrict(what: str, chosen: Iterable[str] | None, choices: tuple[str, ...]) -> tuple[str, ...]:
    """The subset of ``choices`` named in ``chosen`` (all when ``None``), in ``choices`` order."""
    if chosen is None:
        return choices
    wanted = set()
    for value in chosen:
        check_choice(what, value, choices)
        wanted.add(value)
    if not wanted:
        raise UsageError(f"no {what} selected: expected at least one of {', '.join(choices)}")
    return tuple(c for c in choices if c in wanted)
