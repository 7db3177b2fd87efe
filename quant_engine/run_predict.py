"""Score the latest date with a registered model and write a ranked signal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if not __package__:  # run as a file: put the package's parent on sys.path, never its folder
    sys.path[:] = [str(Path(__file__).resolve().parents[1])] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
    ]

from quant_engine.entrypoint import RunReport, output_dir, run_entry_point
from quant_engine.utils.progress import progress_bar

if TYPE_CHECKING:
    from quant_engine.runs.recorder import RunRecorder


def build_parser() -> argparse.ArgumentParser:
    """Flags: shared flags with the prediction lookback, feature mode and model version."""
    from quant_engine import cli, config

    own_flags = (cli.add_feature_mode, add_model_version)
    years = config.PREDICT_LOOKBACK_YEARS
    return cli.engine_parser("qe-predict", __doc__, *own_flags, years_default=years)


def add_model_version(parser: argparse.ArgumentParser) -> None:
    """``--model-version``: a registered model id; the current model by default."""
    parser.add_argument(
        "--model-version",
        default=None,
        help="registered model id (default: the current model of --feature-mode)",
    )


def predict(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Load recent data, score the latest complete date, write predictions and a summary."""
    from quant_engine import steps
    from quant_engine.features.pipeline import build_features
    from quant_engine.models.predictor import predict_latest, write_predictions
    from quant_engine.models.registry import ModelRegistry

    run.resolve(feature_mode=args.feature_mode)
    model = steps.select_model(ModelRegistry(), args.feature_mode, args.model_version)
    run.add_model(model.version_id, role="read")
    with progress_bar("loading data", quiet=args.quiet) as report:
        data = steps.load_data(args, run, report)
    predictions = predict_latest(model, build_features(data, args.feature_mode))
    as_of = str(predictions["date"].iloc[0].date()) if len(predictions) else None
    summary = {
        "model_version": model.version_id,
        "model_kind": model.metadata.model_kind,
        "feature_mode": args.feature_mode,
        "as_of": as_of,
        "tickers_scored": len(predictions),
        "top": predictions.head(5)["ticker"].tolist(),
    }
    outputs = write_predictions(predictions, output_dir(args, run), summary=summary)
    for name, path in outputs.items():
        run.add_output(name, path)
    run.set_result(**summary)
    return RunReport(
        title=(
            f"signal for {as_of} from model {model.version_id} "
            f"({model.metadata.model_kind}, feature mode {args.feature_mode})"
        ),
        rows=summary,
        outputs=outputs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-predict``."""
    return run_entry_point("run_predict", build_parser, argv, predict)


if __name__ == "__main__":
    raise SystemExit(main())
