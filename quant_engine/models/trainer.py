"""Train a model with a purged walk-forward: out-of-sample metrics, then a refit on all rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from quant_engine import config
from quant_engine.errors import DataError
from quant_engine.models.daily_ic import daily_ic, finite_or_none, hit_rate
from quant_engine.models.estimators import (
    Estimator,
    fit_on_scratch,
    make_estimator,
    native_threads,
)
from quant_engine.models.split import PurgedWalkForward
from quant_engine.utils.progress import ProgressCallback, ProgressCounter


@dataclass(frozen=True)
class OOSMetrics:
    """Out-of-sample quality: mean daily Pearson (ic) and Spearman (rank_ic), sign hit rate."""

    ic: float | None
    rank_ic: float | None
    hit_rate: float | None
    n_obs: int
    n_folds: int


@dataclass(frozen=True)
class TrainResult:
    """A fitted estimator with everything the registry records about how it was made."""

    estimator: Estimator
    feature_names: tuple[str, ...]
    metrics: OOSMetrics
    oos_predictions: pd.Series
    daily_ic: pd.DataFrame
    """IC and rank IC of the out-of-sample scores on each scored date (NaN where undefined)."""
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    feature_stats: dict[str, tuple[float, float]]
    model_kind: str
    seed: int
    horizon: int
    embargo: int
    n_rows: int


def complete_rows(features: pd.DataFrame, labels: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Rows where every feature and the label are finite, aligned on the (date, ticker) index."""
    joined = features.join(labels.rename("__label__"), how="inner")
    values = joined.to_numpy(dtype="float64")
    keep = np.isfinite(values).all(axis=1)
    kept = joined[keep]
    return kept[list(features.columns)], kept["__label__"].rename(labels.name)


def finite_rows(features: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Mask of the rows whose every feature is finite, built column by column (no big copy)."""
    finite = np.ones(len(features), dtype=bool)
    for name in features.columns:
        finite &= np.isfinite(features[name].to_numpy(dtype="float64"))
    return finite


def scorable_rows(features: pd.DataFrame, labels: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Rows where every feature is finite, with their label (NaN where it is not known yet).

    Every such row is scored out of sample, labelled or not: the last ``horizon`` bars of a
    ticker (a delisting name's last days, every name's latest days) still get a score.
    """
    x = features[finite_rows(features)]
    y = labels.reindex(x.index)
    return x, y.where(np.isfinite(y.to_numpy(dtype="float64")))


def walk_forward_folds(
    x: pd.DataFrame | pd.Index, y: pd.Series, *, n_folds: int, horizon: int, embargo: int
) -> list[tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]]:
    """(train, test) row masks of each purged fold over the scorable rows ``x`` (or their
    (date, ticker) index) and their labels ``y``.

    Blocks cut the sessions of every scorable row, and the purge drops the ``horizon`` sessions
    before each test block: the very grid sessions a label counts, so no training label's window
    ends inside the test block, halts included. Training rows need a label; test rows do not.
    Raises DataError when the dates are too few or a fold has nothing to train on.
    """
    index = x.index if isinstance(x, pd.DataFrame) else x
    dates = pd.DatetimeIndex(index.get_level_values("date"))
    labelled = y.notna().to_numpy()
    splitter = PurgedWalkForward(n_folds=n_folds, horizon=horizon, embargo=embargo)
    try:
        splits = list(splitter.split(dates))
    except ValueError as exc:
        raise DataError(f"too little data to train: {exc}") from None
    folds = []
    for train_dates, test_dates in splits:
        train = dates.isin(train_dates) & labelled
        if not train.any():
            raise DataError("too little data to train: a fold has no labelled training rows")
        folds.append((train, dates.isin(test_dates)))
    return folds


def train_model(
    features: pd.DataFrame,
    labels: pd.Series,
    *,
    model_kind: str = config.DEFAULT_MODEL_KIND,
    seed: int = config.DEFAULT_SEED,
    horizon: int = config.LABEL_HORIZON_DAYS,
    embargo: int = config.EMBARGO_DAYS,
    n_folds: int = config.WALK_FORWARD_FOLDS,
    progress: ProgressCallback | None = None,
) -> TrainResult:
    """Walk-forward out-of-sample scores and metrics, then the estimator refit on all rows.

    Each fold trains on labelled rows and scores every row of its test block with complete
    features, labelled or not (see :func:`scorable_rows`); metrics use the labelled ones.

    ``progress`` counts fits: one per fold, then the refit. Raises DataError when too few
    complete rows or dates remain to train and evaluate.
    """
    make_estimator(model_kind, seed)  # unknown kinds fail before any work
    finite = finite_rows(features)
    index = features.index[finite]
    y_all = labels.reindex(index)
    y_all = y_all.where(np.isfinite(y_all.to_numpy(dtype="float64")))
    labelled = y_all.notna().to_numpy()
    n_rows = int(labelled.sum())
    if n_rows < config.MIN_TRAIN_ROWS:
        raise DataError(
            f"too little data to train: {n_rows} rows with complete features and labels, "
            f"need at least {config.MIN_TRAIN_ROWS} (load more years or tickers)"
        )
    folds = walk_forward_folds(index, y_all, n_folds=n_folds, horizon=horizon, embargo=embargo)
    # the features' own block (a view, not a copy) and each scorable row's position in it
    values, rows = features.to_numpy(dtype="float64"), np.flatnonzero(finite)
    targets = y_all.to_numpy(dtype="float64")
    counter = ProgressCounter(progress, len(folds) + 1)
    predictions: list[npt.NDArray[np.float64]] = []
    scored: list[npt.NDArray[np.intp]] = []
    for train, test in folds:  # plain arrays: no per-fold DataFrame copies at scale
        model = fit_on_scratch(model_kind, seed, values[rows[train]], targets[train])
        with native_threads():
            predictions.append(model.predict(values[rows[test]]))
        scored.append(np.flatnonzero(test))
        counter.advance()
    positions = np.concatenate(scored)
    oos = pd.Series(np.concatenate(predictions), index=index[positions], name="prediction")
    realised = pd.Series(targets[positions], index=oos.index)  # NaN: scored, not judged
    daily = daily_ic(oos, realised)
    metrics = OOSMetrics(
        ic=finite_or_none(float(daily["ic"].mean())),
        rank_ic=finite_or_none(float(daily["rank_ic"].mean())),
        hit_rate=hit_rate(oos, realised),
        n_obs=len(oos),
        n_folds=len(folds),
    )
    x = values[rows[labelled]]  # a copy: the refit overwrites it, after the stats are taken
    dates = pd.DatetimeIndex(index.get_level_values("date")[labelled])
    stats = {
        str(name): (float(column.mean()), float(column.std(ddof=0)))
        for name, column in zip(features.columns, x.T, strict=True)
    }
    estimator = fit_on_scratch(model_kind, seed, x, targets[labelled])
    counter.advance()
    return TrainResult(
        estimator=estimator,
        feature_names=tuple(str(c) for c in features.columns),
        metrics=metrics,
        oos_predictions=oos,
        daily_ic=daily,
        train_start=dates.min(),
        train_end=dates.max(),
        feature_stats=stats,
        model_kind=model_kind,
        seed=seed,
        horizon=horizon,
        embargo=embargo,
        n_rows=n_rows,
    )
