"""``/api/data``: data sources, their cached tickers, and a ticker's daily bars."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from quant_engine.api.deps import SourcePath, TickerPath
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.data_explorer import (
    DataSourceInfo,
    OhlcvSeries,
    TickerInfo,
)
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.views import data_explorer

router = APIRouter(prefix="/api/data", tags=["data explorer"], responses=ERROR_RESPONSES)


@router.get("/sources", summary="Market-data sources")
def list_sources(request: Request) -> ApiResponse[list[DataSourceInfo]]:
    """Every configured source and whether it can be used here."""
    return ok(request, data_explorer.sources())


@router.get("/{source}/tickers", summary="Tickers cached for a source")
def list_tickers(request: Request, source: SourcePath) -> ApiResponse[list[TickerInfo]]:
    """Cached tickers of ``source``, sorted; 400 for an unknown source."""
    return ok(request, data_explorer.tickers(source))


@router.get("/{source}/tickers/{ticker}", summary="One cached ticker")
def get_ticker(request: Request, source: SourcePath, ticker: TickerPath) -> ApiResponse[TickerInfo]:
    """A cached ticker with its last close; 404 listing a few available ones if not cached."""
    return ok(request, data_explorer.one_ticker(source, ticker))


@router.get("/{source}/bars/{ticker}", summary="Daily bars of a ticker")
def get_bars(
    request: Request,
    source: SourcePath,
    ticker: TickerPath,
    *,
    start: Annotated[dt.date | None, Query(description="First date, inclusive.")] = None,
    end: Annotated[dt.date | None, Query(description="Last date, inclusive.")] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, description="Only the newest `limit` bars of the window (still oldest first)."),
    ] = None,
) -> ApiResponse[OhlcvSeries]:
    """OHLCV bars between ``start`` and ``end``, oldest first; the newest ``limit`` of them."""
    return ok(request, data_explorer.bars(source, ticker, start, end, limit))
