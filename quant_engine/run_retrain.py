"""Decide whether the current model needs retraining (age, IC decay, drift) and retrain if due."""

from __future__ import annotations

import argparse
import datetime as dt
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
    """Flags: shared flags, feature mode, estimator, and --force / --dry-run."""
    from quant_engine import cli

    own_flags = (cli.add_feature_mode, cli.add_model_kind, add_force_or_dry_run)
    return cli.engine_parser("qe-retrain", __doc__, *own_flags)


def add_force_or_dry_run(parser: argparse.ArgumentParser) -> None:
    """``--force`` or ``--dry-run``: override the retrain decision either way."""
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--force", action="store_true", help="retrain even when not due")
    action.add_argument("--dry-run", action="store_true", help="decide only; never retrain")


def retrain(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Evaluate the retrain rule, persist the decision, retrain when due (or forced)."""
    from quant_engine import config, steps
    from quant_engine.errors import ModelNotFoundError
    from quant_engine.features.labels import forward_returns
    from quant_engine.features.pipeline import build_features
    from quant_engine.models.registry import ModelRegistry
    from quant_engine.models.retrain_trigger import RetrainTrigger
    from quant_engine.retrain_decision import not_judged, verdict_summary

    forced = bool(args.force)
    run.resolve(feature_mode=args.feature_mode, seed=args.seed, forced=forced)
    with progress_bar("loading data", quiet=args.quiet) as report:
        data = steps.load_data(args, run, report)
    trigger = RetrainTrigger()
    try:
        model = steps.select_model(ModelRegistry(), args.feature_mode)
    except ModelNotFoundError:
        model = None
    # Retraining replaces the current model, so it keeps that model's estimator; --model
    # picks one only when there is no model yet (qe-train switches estimators).
    model_kind = model.metadata.model_kind if model is not None else args.model
    run.resolve(model_kind=model_kind)
    if model is not None:
        run.add_model(model.version_id, role="read")
    decision = trigger.evaluate(
        model,
        build_features(data, args.feature_mode),
        forward_returns(data, config.LABEL_HORIZON_DAYS),
        as_of=data.end.date(),
        now=dt.datetime.now(dt.UTC),
    )
    out = output_dir(args, run)
    outputs = {"retrain_decision": trigger.save_metadata(decision, out / "retrain_decision.json")}
    run.add_output("retrain_decision", outputs["retrain_decision"])
    retrained = None
    waiting = decision.due and model is not None and decision.metrics["recent_obs"] == 0
    if (forced or (decision.due and not waiting)) and not args.dry_run:
        with progress_bar("training folds", quiet=args.quiet) as report:
            retrained, _ = steps.train_and_register(
                data,
                run,
                feature_mode=args.feature_mode,
                model_kind=model_kind,
                seed=args.seed,
                progress=report,
            )
    run.set_result(
        due=decision.due,
        forced=forced,
        reasons=decision.reasons,
        rules={v.rule.value: v.status.value for v in decision.rules},
        waiting_for_labels=waiting,
        model_kind=model_kind,
        retrained=retrained,
    )
    return RunReport(
        title=verdict_title(
            due=decision.due, forced=forced, dry_run=bool(args.dry_run), waiting=waiting
        )
        + unjudged_note(not_judged(decision)),
        rows={
            "model": model.version_id if model is not None else "none",
            "estimator": estimator_note(model_kind, asked=args.model, kept=model is not None),
            "feature mode": args.feature_mode,
            **{f"rule: {name}": text for name, text in verdict_summary(decision).items()},
            **decision.metrics,
            "retrained": retrained or "no",
        },
        outputs=outputs,
    )


def estimator_note(model_kind: str, *, asked: str, kept: bool) -> str:
    """The estimator used, saying so when it is the current model's rather than ``--model``."""
    if not kept or asked == model_kind:
        return model_kind
    return f"{model_kind} (the current model's; --model applies only when there is none yet)"


def unjudged_note(rules: list[str]) -> str:
    """A headline suffix naming the rules that were not judged (empty when all were)."""
    return f" (not judged: {', '.join(rules)})" if rules else ""


def verdict_title(*, due: bool, forced: bool, dry_run: bool, waiting: bool = False) -> str:
    """The report's headline: due or not, and whether --force or --dry-run overrode it.

    ``waiting``: due, but no labelled row is newer than the model's training window, so a
    retrain would refit the same rows; it waits for new labels unless forced.
    """
    if forced:
        return "retraining forced" + (" (also due by the rule)" if due else "")
    if dry_run:
        return "retraining due (dry run: not retrained)" if due else "retraining not due"
    if due and waiting:
        return (
            "retraining due, not retrained: no labelled rows after the model's training window "
            "yet, so it would refit the same rows (--force retrains anyway)"
        )
    return "retraining due" if due else "retraining not due"


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-retrain``."""
    return run_entry_point("run_retrain", build_parser, argv, retrain)


if __name__ == "__main__":
    raise SystemExit(main())
