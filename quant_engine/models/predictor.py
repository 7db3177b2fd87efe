"""Score features with a loaded model: a dates x tickers panel, the latest ranked signal, files."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quant_engine.errors import DataError, UsageError
from quant_engine.features import mode_of
from quant_engine.models.estimators import native_threads
from quant_engine.models.registry import LoadedModel
from quant_engine.utils.atomic import write_bytes_atomic

PREDICTION_COLUMNS = ("date", "ticker", "score", "rank")
PREDICTIONS_PARQUET = "predictions.parquet"
PREDICTIONS_CSV = "predictions.csv"
SUMMARY_JSON = "summary.json"


def check_features(model: LoadedModel, features: pd.DataFrame) -> list[str]:
    """The model's feature columns; UsageError when ``features`` are of another mode."""
    trained = model.metadata.feature_mode
    given = mode_of(features.columns)
    if given is not None and given != trained:
        raise UsageError(
            f"model {model.version_id} was trained on feature mode {trained!r} but the "
            f"features are mode {given!r}: use --feature-mode {trained}, or retrain with "
            f"--feature-mode {given}"
        )
    names = list(model.metadata.feature_names)
    missing = [name for name in names if name not in features.columns]
    if missing:
        raise UsageError(
            f"features lack {len(missing)} column(s) model {model.version_id} needs "
            f"(feature mode {trained!r}): {', '.join(missing[:5])}"
        )
    return names


def predict_rows(model: LoadedModel, features: pd.DataFrame) -> pd.Series:
    """Scores named ``score`` for the (date, ticker) rows whose model features are all finite."""
    values = features[check_features(model, features)].to_numpy(dtype="float64")
    complete = np.isfinite(values).all(axis=1)
    scores = np.empty(0)
    if complete.any():
        with native_threads():
            scores = model.estimator.predict(values[complete])
    index = features.index[complete]
    return pd.Series(np.asarray(scores, dtype="float64"), index=index, name="score")


def score_panel(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """Wide dates x tickers scores; NaN where a ticker's features are incomplete that day."""
    scores = predict_rows(model, features)
    dates = features.index.get_level_values("date").unique().sort_values()
    tickers = features.index.get_level_values("ticker").unique().sort_values()
    wide = scores.unstack("ticker").reindex(index=dates, columns=tickers)
    return wide.astype("float64")


def predict_latest(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """Scores and ranks (1 = highest; ties by ticker) on the latest date with complete features."""
    names = check_features(model, features)
    complete = np.isfinite(features[names].to_numpy(dtype="float64")).all(axis=1)
    if not complete.any():
        raise DataError(
            f"no (date, ticker) has complete features for model {model.version_id} "
            f"(feature mode {model.metadata.feature_mode!r}): load more years of data"
        )
    dates = features.index.get_level_values("date")
    latest_day = dates[complete].max()
    scores = predict_rows(model, features[dates == latest_day])
    frame = pd.DataFrame(
        {
            "date": scores.index.get_level_values("date"),
            "ticker": scores.index.get_level_values("ticker").astype(str),
            "score": scores.to_numpy(),
        }
    )
    frame = frame.sort_values(["score", "ticker"], ascending=[False, True], kind="mergesort")
    frame["rank"] = np.arange(1, len(frame) + 1, dtype="int64")
    return frame.reset_index(drop=True)[list(PREDICTION_COLUMNS)]


def table_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` (index dropped) as Parquet bytes; identical frames give identical bytes."""
    sink = io.BytesIO()
    frame.to_parquet(sink, engine="pyarrow", compression="zstd", index=False)
    return sink.getvalue()


def write_predictions(
    predictions: pd.DataFrame, out_dir: Path, *, summary: Mapping[str, Any]
) -> dict[str, Path]:
    """Write predictions (Parquet and CSV) and a sorted-key JSON summary, each atomically."""
    paths = {
        "predictions_parquet": out_dir / PREDICTIONS_PARQUET,
        "predictions_csv": out_dir / PREDICTIONS_CSV,
        "summary": out_dir / SUMMARY_JSON,
    }
    csv = predictions.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
    text = json.dumps(dict(summary), sort_keys=True, indent=2, default=str) + "\n"
    write_bytes_atomic(paths["predictions_parquet"], table_parquet_bytes(predictions))
    write_bytes_atomic(paths["predictions_csv"], csv.encode("utf-8"))
    write_bytes_atomic(paths["summary"], text.encode("utf-8"))
    return paths
