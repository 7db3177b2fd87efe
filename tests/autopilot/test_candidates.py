"""The candidate grid: every combination in config order, restrictions, stable picklable ids."""

from __future__ import annotations

import pickle

import pytest

from quant_engine import config
from quant_engine.autopilot.candidates import CandidateSpec, build_grid
from quant_engine.errors import UsageError


def test_full_grid_is_every_combination_in_config_order() -> None:
    grid = build_grid()
    expected = len(config.FEATURE_MODES) * len(config.MODEL_KINDS) * len(config.PORTFOLIO_RULES)
    assert len(grid) == expected == len(set(grid))
    assert grid[0] == CandidateSpec(config.FEATURE_MODES[0], config.MODEL_KINDS[0], "top_k")
    assert grid[0].candidate_id == f"{config.FEATURE_MODES[0]}-{config.MODEL_KINDS[0]}-top_k"


def test_restriction_order_and_repeats_do_not_change_the_grid() -> None:
    a = build_grid(["full", "minimal"], ["gbm"], ["long_short", "top_k"])
    b = build_grid(["minimal", "full", "full"], ("gbm",), ("top_k", "long_short"))
    assert a == b
    assert [c.candidate_id for c in a] == [
        "minimal-gbm-top_k",
        "minimal-gbm-long_short",
        "full-gbm-top_k",
        "full-gbm-long_short",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"feature_modes": ["huge"]}, "feature mode 'huge'"),
        ({"model_kinds": ["lstm"]}, "model kind 'lstm'"),
        ({"rules": ["yolo"]}, "portfolio rule 'yolo'"),
        ({"rules": []}, "no portfolio rule selected"),
    ],
)
def test_bad_restrictions_are_usage_errors(kwargs: dict[str, list[str]], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build_grid(**kwargs)  # type: ignore[arg-type]


def test_candidate_is_hashable_picklable_and_round_trips() -> None:
    candidate = CandidateSpec("core", "ridge", "long_short")
    assert pickle.loads(pickle.dumps(candidate)) == candidate
    assert {candidate: 1}[CandidateSpec("core", "ridge", "long_short")] == 1
    assert CandidateSpec.from_dict(candidate.to_dict()) == candidate
    with pytest.raises(UsageError, match="missing field 'rule'"):
        CandidateSpec.from_dict({"feature_mode": "core", "model_kind": "ridge"})
