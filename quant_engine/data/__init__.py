"""Market data: the local OHLCV cache, the universe loader and the loaded-data container."""

from __future__ import annotations

from quant_engine.data.loader import load_universe
from quant_engine.data.local_cache import LocalCache, normalize_ohlcv_columns, write_cache_meta
from quant_engine.data.market_data import InputRecord, MarketData

__all__ = [
    "InputRecord",
    "LocalCache",
    "MarketData",
    "load_universe",
    "normalize_ohlcv_columns",
    "write_cache_meta",
]
