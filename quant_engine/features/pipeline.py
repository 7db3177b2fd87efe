"""Build a feature mode's long (date, ticker) frame from MarketData, computed on wide frames."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

import numpy as np
import pandas as pd

from quant_engine import config
from quant_engine.data.events import is_event_column
from quant_engine.data.market_data import MarketData
from quant_engine.features.definitions import GROUPS, MODE_GROUPS, Panel

INDEX_NAMES = ("date", "ticker")


def check_mode(mode: str) -> str:
    """``mode`` if it is one of ``config.FEATURE_MODES``; otherwise a ValueError naming both."""
    if mode not in config.FEATURE_MODES or mode not in MODE_GROUPS:
        choices = ", ".join(config.FEATURE_MODES)
        raise ValueError(f"unknown feature mode {mode!r}: choose one of {choices}")
    return mode


def feature_names(mode: str) -> tuple[str, ...]:
    """The market-data columns ``build_features(data, mode)`` returns, in order.

    ``full`` mode appends any cached event columns (see :func:`event_frames`) after these.
    """
    return tuple(name for group in MODE_GROUPS[check_mode(mode)] for name in GROUPS[group].names)


def mode_of(columns: Iterable[str]) -> str | None:
    """The feature mode whose market-data columns are exactly ``columns`` (event columns aside)."""
    wanted = tuple(name for name in columns if not is_event_column(name))
    return next((mode for mode in config.FEATURE_MODES if feature_names(mode) == wanted), None)


def panel_from(data: MarketData) -> Panel:
    """Wide close and volume frames of ``data`` with tickers in sorted order."""
    tickers = sorted(data.tickers)
    close = data.field("close")[tickers].astype("float64")
    volume = data.field("volume")[tickers].astype("float64")
    return Panel(close=close, volume=volume)


def stack_wide(
    columns: Sequence[str], frames: Iterable[pd.DataFrame], present: pd.DataFrame
) -> pd.DataFrame:
    """Long float64 frame indexed by sorted (date, ticker), one row per True cell of ``present``
    and one column per name in ``columns``.

    ``frames`` gives each column's wide frame in order; each is aligned to ``present`` (its
    dates and sorted tickers) and let go once copied, so a caller may compute them one at a time.
    """
    rows, cols = np.nonzero(present.to_numpy(dtype=bool))
    # the codes are the cells' own positions: no value is looked up or hashed
    # (pandas-stubs type levels and codes as sequences; pandas takes an Index and ndarrays)
    index = pd.MultiIndex(
        levels=[present.index, present.columns],  # type: ignore[list-item]
        codes=[rows, cols],  # type: ignore[list-item]
        names=list(INDEX_NAMES),
    ).remove_unused_levels()
    cells = rows * len(present.columns) + cols  # row-major positions of the present cells

    # one preallocated block, a contiguous row per feature: pandas' own column-major layout,
    # so each feature is written in one sweep and the frame is built without a second copy;
    # each wide frame goes through one reused row-major buffer (fresh memory is slow to touch)
    block = np.empty((len(columns), len(rows)))
    wide = np.empty(present.shape)
    filled = 0
    for frame in frames:
        if filled == len(columns):
            raise ValueError(f"more frames than the {len(columns)} columns named")
        aligned = frame.reindex(index=present.index, columns=present.columns)
        np.copyto(wide, aligned.to_numpy(dtype="float64"))
        np.take(wide.ravel(), cells, out=block[filled], mode="clip")  # cells are in range
        filled += 1
        del frame, aligned  # gone before the next frame is computed, not beside it
    if filled != len(columns):
        raise ValueError(f"{filled} frames for the {len(columns)} columns named")
    return pd.DataFrame(block.T, index=index, columns=list(columns), copy=False)


def build_features(data: MarketData, mode: str) -> pd.DataFrame:
    """Features of ``mode`` for every (date, ticker) with a bar; NaN until windows fill up.

    No look-ahead: the row for day t depends only on bars up to and including t. Market-relative
    features (full mode) use ``config.MARKET_PROXY`` when it is in ``data``, else the
    equal-weight mean return of the tickers trading each day.
    """
    panel = panel_from(data)
    events = event_frames(data.events, panel.present) if mode == "full" else {}
    columns = [*feature_names(mode), *events]
    return stack_wide(columns, chain(market_frames(panel, mode), events.values()), panel.present)


def market_frames(panel: Panel, mode: str) -> Iterator[pd.DataFrame]:
    """The wide frame of each market-data feature of ``mode``, in column order.

    One group is computed at a time and each frame handed over (not kept), so building the
    features holds one group's frames, not every mode's, beside the long result.
    """
    for group_name in MODE_GROUPS[mode]:
        group = GROUPS[group_name]
        frames = group.compute(panel)
        for name in group.names:
            yield frames.pop(name)


def event_frames(events: pd.DataFrame | None, present: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Market-wide event features broadcast to every ticker, for the ``full`` mode.

    Each series' columns are aligned to the exact sessions (no fill across days, so nothing
    from after day t reaches day t); a day without a priced event gets 0 and its series'
    ``<prefix>available`` flag 0, so models never drop the years before event data began.
    """
    if events is None or events.empty:
        return {}
    aligned = events.reindex(present.index)
    out: dict[str, pd.DataFrame] = {}
    for prefix in sorted({series_prefix(str(name)) for name in aligned.columns}):
        columns = sorted(str(c) for c in aligned.columns if str(c).startswith(prefix))
        block = aligned[columns]
        out[f"{prefix}available"] = broadcast(block.notna().any(axis=1).astype("float64"), present)
        for name in columns:
            out[name] = broadcast(block[name].fillna(0.0), present)
    return out


def series_prefix(column: str) -> str:
    """``kalshi_kxfed_`` for ``kalshi_kxfed_ev``: the event source and series of a column."""
    source, series = column.split("_", 2)[:2]
    return f"{source}_{series}_"


def broadcast(values: pd.Series, present: pd.DataFrame) -> pd.DataFrame:
    """One value per date repeated across every ticker column of ``present``."""
    array = np.repeat(values.to_numpy(dtype="float64")[:, None], len(present.columns), axis=1)
    return pd.DataFrame(array, index=present.index, columns=present.columns)
