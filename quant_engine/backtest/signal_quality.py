"""How well a model's out-of-sample scores ranked the forward returns, year by year.

IC is the per-day cross-sectional Pearson correlation of scores with the label (the forward
return the model predicts), rank IC the Spearman one; each year reports their means over its
days with at least two scored names, so a decaying signal shows as a falling line.
"""

from __future__ import annotations

import pandas as pd

from quant_engine.models.daily_ic import IC_NAMES

IC_COLUMNS = ("ic", "rank_ic", "days")


def ic_by_year(daily_ic: pd.DataFrame) -> pd.DataFrame:
    """Mean IC and rank IC per calendar year, with the days each mean covers.

    ``daily_ic`` holds each date's ``ic`` and ``rank_ic`` (see
    :func:`quant_engine.models.daily_ic.daily_ic`); days where either is NaN are left out. The
    index holds the years (int), ascending; empty when no day can be scored.
    """
    daily = daily_ic.reindex(columns=list(IC_NAMES)).dropna()
    years = pd.DatetimeIndex(daily.index).year.rename("year")
    grouped = daily.groupby(years)
    table = grouped.mean()
    table["days"] = grouped.size()
    return table.reindex(columns=list(IC_COLUMNS))


def ic_rows(table: pd.DataFrame) -> dict[str, dict[str, float | int]]:
    """The table as JSON-ready rows keyed by year: ``{"2015": {"ic": .., "rank_ic": .., ...}}``."""
    return {
        str(year): {"ic": float(row.ic), "rank_ic": float(row.rank_ic), "days": int(row.days)}
        for year, row in table.iterrows()
    }
