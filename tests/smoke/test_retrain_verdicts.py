"""qe-retrain as a user runs it: every rule's verdict on screen and in retrain_decision.json."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from quant_engine import config

pytestmark = pytest.mark.smoke

Runner = Callable[..., subprocess.CompletedProcess[str]]
QUICK = ("--tickers", "SPX,COMP,S0000,S0001,S0002,S0003,S0004,S0005", "--years", "4")
COLUMNS = {"COLUMNS": "250"}


def decision_of(home: Path) -> dict[str, object]:
    """The decision of the newest qe-retrain run."""
    (path,) = sorted((home / "results" / "run_retrain").glob("*/retrain_decision.json"))[-1:]
    decision: dict[str, object] = json.loads(path.read_text())["decision"]
    return decision


def test_retrain_reports_each_rule_and_waits_for_labels(run_cli: Runner, qe_home: Path) -> None:
    train = run_cli(["-m", "quant_engine.run_train", *QUICK, "-q"])
    assert train.returncode == 0, train.stderr

    fresh = run_cli(["-m", "quant_engine.run_retrain", *QUICK], **COLUMNS)
    assert fresh.returncode == 0, fresh.stderr
    headline = fresh.stdout.strip().splitlines()[0]
    assert headline == "retraining not due (not judged: ic_decay, drift)"
    assert "every threshold" not in fresh.stdout
    assert "age: " not in fresh.stdout  # one row per rule, not a joined list
    assert "model age 0 days <= 30" in fresh.stdout
    assert f"not judged: 0 of {config.RETRAIN_MIN_OBS} new labelled rows" in fresh.stdout
    rules = decision_of(qe_home)["rules"]
    assert isinstance(rules, list)
    assert [(r["rule"], r["status"]) for r in rules] == [
        ("age", "passed"),
        ("ic_decay", "not_judged"),
        ("drift", "not_judged"),
    ]

    # The model was trained 40 days ago: age fails, but no labelled row is newer than its
    # training window, so retraining would refit the same rows: it waits.
    (created,) = (qe_home / "models").glob("m-*/created.json")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    created.write_text(json.dumps({"created_at": long_ago.isoformat()}))
    old = run_cli(["-m", "quant_engine.run_retrain", *QUICK], **COLUMNS)
    assert old.returncode == 0, old.stderr
    assert old.stdout.startswith("retraining due, not retrained: no labelled rows after")
    assert "FAILED: model age 40 days > 30" in old.stdout
    decision = decision_of(qe_home)
    assert decision["due"] is True
    assert decision["reasons"] == [
        f"model age 40 days > 30 (trained {long_ago:%Y-%m-%d %H:%M} UTC)"
    ]
    assert len(list((qe_home / "models").glob("m-*/"))) == 1
    (manifest,) = sorted((qe_home / "manifests").glob("run_manifest_*_run_retrain_*.json"))[-1:]
    result = json.loads(manifest.read_text())["result"]
    assert result["waiting_for_labels"] is True
    assert result["rules"] == {"age": "failed", "ic_decay": "not_judged", "drift": "not_judged"}
