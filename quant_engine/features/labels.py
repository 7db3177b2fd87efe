"""Labels: forward returns over a fixed horizon, aligned to the features' (date, ticker) index."""

from __future__ import annotations

import pandas as pd

from quant_engine import config
from quant_engine.data.continuity import forward_return
from quant_engine.data.market_data import MarketData
from quant_engine.features.pipeline import panel_from, stack_wide

LABEL_NAME = "label"


def forward_returns(data: MarketData, horizon: int = config.LABEL_HORIZON_DAYS) -> pd.Series:
    """``close as of t+h / close[t] - 1``, h sessions of the data's grid ahead; NaN if unknown.

    Sessions are counted on the grid as the features and the purge count them, and a missing
    bar's close is the last known one (see ``quant_engine.data.continuity``). The label of day t
    uses closes t..t+h only, so it must never be a feature input.
    """
    if horizon < 1:
        raise ValueError(f"label horizon must be >= 1 day, got {horizon}")
    close = panel_from(data).close
    wide = forward_return(close, horizon)
    labels = stack_wide([LABEL_NAME], [wide], close.notna())[LABEL_NAME]
    return labels.rename(LABEL_NAME)
