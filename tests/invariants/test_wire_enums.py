"""The wire enums offer exactly the choices config defines (one source of truth)."""

from __future__ import annotations

from quant_engine import config
from quant_engine.api.schemas import backtests, model_lab


def test_wire_enums_agree_with_config() -> None:
    fix = "derive the enum from config in quant_engine/api/schemas, then run `nox -s types`"
    assert tuple(model_lab.FeatureMode) == config.FEATURE_MODES, fix
    assert tuple(model_lab.ModelKind) == config.MODEL_KINDS, fix
    assert tuple(backtests.PortfolioRule) == config.PORTFOLIO_RULES, fix
