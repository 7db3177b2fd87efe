"""Labels: forward returns over a fixed horizon, aligned to the features' (date, ticker) index."""

from __future__ import annotations

import pandas as pd

from quant_engine import config
from quant_engine.data.market_data import MarketData
from quant_engine.features.pipeline import panel_from, stack_wide

LABEL_NAME = "label"


def forward_returns(data: MarketData, horizon: int = config.LABEL_HORIZON_DAYS) -> pd.Series:
    """``close[t+h] / close[t] - 1`` per ticker, h of that ticker's own bars ahead; NaN if unknown.

    The label of day t uses closes t..t+h only, so it must never be a feature input.
    """
    if horizon < 1:
        raise ValueError(f"label horizon must be >= 1 day, got {horizon}")
    close = panel_from(data).close
    forward = {
        ticker: (series.shift(-horizon) / series - 1.0).reindex(close.index)
        for ticker, series in ((t, close[t].dropna()) for t in close.columns)
    }
    wide = pd.DataFrame(forward, index=close.index, columns=close.columns)
    labels = stack_wide({LABEL_NAME: wide}, close.notna())[LABEL_NAME]
    return labels.rename(LABEL_NAME)
