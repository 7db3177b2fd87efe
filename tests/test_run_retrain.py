"""qe-retrain's headline: due or not, overrides, waiting for labels, and unjudged rules named."""

from __future__ import annotations

from quant_engine.run_retrain import unjudged_note, verdict_title


def test_a_due_model_without_newer_labels_waits_and_says_why() -> None:
    title = verdict_title(due=True, forced=False, dry_run=False, waiting=True)
    assert title.startswith("retraining due, not retrained: no labelled rows after")
    assert "--force" in title


def test_force_and_dry_run_override_waiting() -> None:
    assert verdict_title(due=True, forced=True, dry_run=False, waiting=True) == (
        "retraining forced (also due by the rule)"
    )
    assert verdict_title(due=True, forced=False, dry_run=True, waiting=True) == (
        "retraining due (dry run: not retrained)"
    )


def test_unjudged_rules_are_named_in_the_headline() -> None:
    assert unjudged_note(["ic_decay", "drift"]) == " (not judged: ic_decay, drift)"
    assert unjudged_note([]) == ""
