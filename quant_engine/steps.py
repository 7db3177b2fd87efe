"""Job steps the entry points share: load a run's data, pick a model, train and register one.

Each step records what it used in the run manifest, so every entry point's manifest says the
same things the same way.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from quant_engine.errors import CacheCorruptError, ModelNotFoundError

if TYPE_CHECKING:
    from quant_engine.data.market_data import MarketData
    from quant_engine.models.registry import LoadedModel, ModelRegistry
    from quant_engine.models.trainer import TrainResult
    from quant_engine.runs.recorder import RunRecorder
    from quant_engine.utils.progress import ProgressCallback


def load_data(
    args: argparse.Namespace, run: RunRecorder, progress: ProgressCallback | None = None
) -> MarketData:
    """Load the run's universe from ``--data-source`` over ``--years``/``--start``/``--end``."""
    from quant_engine.data.loader import load_universe

    data = load_universe(
        args.tickers,
        args.years,
        source=args.data_source,
        start=args.start,
        end=args.end,
        progress=progress,
    )
    run.add_market_data(data)
    run.resolve(
        years=args.years,
        data_source=args.data_source,
        tickers=list(data.tickers),
        start=data.start.date().isoformat(),
        end=data.end.date().isoformat(),
        rows=data.rows,
    )
    if data.dropped:  # requested, but no rows in the window: said in the summary and manifest
        run.set_result(dropped_tickers=list(data.dropped))
    return data


def select_model(
    registry: ModelRegistry, feature_mode: str, version: str | None = None
) -> LoadedModel:
    """The model to use: ``version`` if given, else the mode's current one, else its newest.

    A model trained on another feature mode is never used: asking for ``minimal`` picks the
    ``minimal`` model made current last (by training or ``qe-models use``), else the newest
    ``minimal`` model, or fails naming the command that trains one.
    """
    if version is not None:
        model = registry.load(registry.match(version))
        if model.metadata.feature_mode != feature_mode:
            raise ModelNotFoundError(
                f"model {model.version_id} was trained with --feature-mode "
                f"{model.metadata.feature_mode}, not {feature_mode}"
            )
        return model
    current = registry.current_version(feature_mode)
    if current is not None:
        if current not in registry.known_ids():
            raise CacheCorruptError(
                f"{registry.root}: the current {feature_mode} model {current} is missing; "
                f"pick another with qe-models use VERSION, or retrain"
            )
        model = registry.load(current)
        if model.metadata.feature_mode == feature_mode:
            return model
    for meta in registry.versions():
        if meta.feature_mode == feature_mode:
            return registry.load(meta.version_id)
    raise ModelNotFoundError(
        f"no model trained with --feature-mode {feature_mode}: "
        f"run qe-train --feature-mode {feature_mode} first"
    )


def train_and_register(
    data: MarketData,
    run: RunRecorder,
    *,
    feature_mode: str,
    model_kind: str,
    seed: int,
    progress: ProgressCallback | None = None,
) -> tuple[str, TrainResult]:
    """Train walk-forward and register the model; its files become the run's outputs."""
    from quant_engine.models.registry import ModelRegistry
    from quant_engine.models.walk_forward import WalkForwardSettings, fit_walk_forward

    result = fit_walk_forward(
        data,
        feature_mode=feature_mode,
        model_kind=model_kind,
        settings=WalkForwardSettings(seed=seed),
        progress=progress,
    )
    registry = ModelRegistry()
    version = registry.save(
        result,
        feature_mode=feature_mode,
        model_kind=model_kind,
        data_digest=data.digest,
        seed=seed,
        tickers=list(data.tickers),
    )
    run.add_seed("model", seed)
    run.add_model(version.version_id, role="written")
    for name, path in registry.paths(version.version_id).items():
        run.add_output(f"model_{name}", path)
    return version.version_id, result
