"""Predictor: a scores panel, the latest ranked signal, byte-stable files, mode checks."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from quant_engine.data.market_data import MarketData
from quant_engine.errors import DataError, UsageError
from quant_engine.features import build_features
from quant_engine.models import LoadedModel, predict_latest, score_panel, write_predictions

XY = tuple[pd.DataFrame, pd.Series]


class Constant:
    """An estimator that scores every row the same, to exercise tie-breaking."""

    def fit(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Constant:
        return self

    def predict(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.zeros(len(x))


def test_score_panel_is_dates_by_tickers_with_nan_where_incomplete(
    loaded: LoadedModel, minimal_xy: XY
) -> None:
    features = minimal_xy[0]
    panel = score_panel(loaded, features)
    assert panel.shape == (
        features.index.get_level_values("date").nunique(),
        features.index.get_level_values("ticker").nunique(),
    )
    assert panel.index.is_monotonic_increasing
    assert list(panel.columns) == sorted(panel.columns)
    incomplete = features.isna().any(axis=1).unstack("ticker")
    assert (panel.isna() == incomplete).all().all()
    day, ticker = features.index[-1]
    expected = loaded.estimator.predict(features.loc[[(day, ticker)]].to_numpy())[0]
    assert panel.loc[day, ticker] == pytest.approx(expected)


def test_predict_latest_ranks_the_last_complete_date(loaded: LoadedModel, minimal_xy: XY) -> None:
    features = minimal_xy[0]
    latest = predict_latest(loaded, features)
    assert list(latest.columns) == ["date", "ticker", "score", "rank"]
    assert (latest["date"] == features.index.get_level_values("date").max()).all()
    assert list(latest["rank"]) == list(range(1, len(latest) + 1))
    assert latest["score"].is_monotonic_decreasing
    panel_row = score_panel(loaded, features).iloc[-1]
    assert latest.set_index("ticker")["score"].to_dict() == pytest.approx(panel_row.to_dict())


def test_incomplete_latest_rows_are_skipped(loaded: LoadedModel, minimal_xy: XY) -> None:
    features = minimal_xy[0].copy()
    dates = features.index.get_level_values("date")
    last = dates.max()
    features.loc[dates == last, "ret_1d"] = np.nan
    features.loc[(slice(None), "T0"), "ret_63d"] = np.nan
    latest = predict_latest(loaded, features)
    assert (latest["date"] < last).all()
    assert "T0" not in set(latest["ticker"])


def test_ties_rank_by_ticker(loaded: LoadedModel, minimal_xy: XY) -> None:
    constant = replace(loaded, estimator=Constant())
    latest = predict_latest(constant, minimal_xy[0])
    assert list(latest["ticker"]) == sorted(latest["ticker"])
    assert list(latest["rank"]) == list(range(1, len(latest) + 1))


def test_feature_mode_mismatch_names_both_modes(loaded: LoadedModel, market: MarketData) -> None:
    core = build_features(market, "core")
    with pytest.raises(UsageError, match=r"feature mode 'minimal'.*mode 'core'"):
        score_panel(loaded, core)
    with pytest.raises(UsageError, match="lack 1 column"):
        predict_latest(loaded, core[["ret_1d", "ret_5d", "ret_21d", "mom_21d", "mom_63d"]])


def test_no_complete_row_is_a_data_error(loaded: LoadedModel, minimal_xy: XY) -> None:
    empty = minimal_xy[0].iloc[:30]
    with pytest.raises(DataError, match="no \\(date, ticker\\) has complete features"):
        predict_latest(loaded, empty)


def test_written_files_are_complete_and_byte_identical(
    loaded: LoadedModel, minimal_xy: XY, tmp_path: Path
) -> None:
    latest = predict_latest(loaded, minimal_xy[0])
    summary = {"model_version": loaded.version_id, "as_of": latest["date"].iloc[0], "n": 8}
    first = write_predictions(latest, tmp_path / "a", summary=summary)
    second = write_predictions(
        latest.copy(), tmp_path / "b", summary=dict(reversed(summary.items()))
    )
    assert set(first) == {"predictions_parquet", "predictions_csv", "summary"}
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name
    pd.testing.assert_frame_equal(pd.read_parquet(first["predictions_parquet"]), latest)
    csv = pd.read_csv(first["predictions_csv"])
    assert list(csv["ticker"]) == list(latest["ticker"])
    text = first["summary"].read_text()
    assert list(json.loads(text)) == sorted(summary)
    assert not list(tmp_path.glob("a/.*")), "no temporary files left behind"
