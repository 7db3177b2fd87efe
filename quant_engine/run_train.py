"""Train a model walk-forward on the chosen data and register it as the current version."""

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

from quant_engine.entrypoint import RunReport, run_entry_point
from quant_engine.utils.progress import progress_bar

if TYPE_CHECKING:
    from quant_engine.runs.recorder import RunRecorder


def build_parser() -> argparse.ArgumentParser:
    """Flags: the shared data and run flags, plus feature mode and estimator."""
    from quant_engine import cli

    own_flags = (cli.add_feature_mode, cli.add_model_kind)
    return cli.engine_parser("qe-train", __doc__, *own_flags)


def train(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Load data, train, register; the model files are the run's outputs."""
    from dataclasses import asdict

    from quant_engine import steps

    run.resolve(feature_mode=args.feature_mode, model_kind=args.model, seed=args.seed)
    with progress_bar("loading data", quiet=args.quiet) as report:
        data = steps.load_data(args, run, report)
    with progress_bar("training folds", quiet=args.quiet) as report:
        version, result = steps.train_and_register(
            data,
            run,
            feature_mode=args.feature_mode,
            model_kind=args.model,
            seed=args.seed,
            progress=report,
        )
    metrics = asdict(result.metrics)
    run.set_result(model_version=version, **metrics)
    return RunReport(
        title=f"trained {version}",
        rows={
            "model version": version,
            "feature mode": args.feature_mode,
            "estimator": args.model,
            "window": f"{data.start.date()} .. {data.end.date()}",
            "tickers": len(data.tickers),
            "out-of-sample": metrics,
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-train``."""
    return run_entry_point("run_train", build_parser, argv, train)


if __name__ == "__main__":
    raise SystemExit(main())
