"""qe-models in-process: a table readable in 100 columns, JSON and CSV, use, remove, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from quant_engine.models import ModelRegistry, SavedModel, TrainResult
from quant_engine.models.cli import main
from tests.models.conftest import save


@pytest.fixture
def registry(trained: TrainResult, core_trained: TrainResult) -> dict[str, SavedModel]:
    """Two minimal versions (the second current) and one core version, in the test's home."""
    store = ModelRegistry()
    return {
        "old": save(store, trained, digest="a"),
        "new": save(store, trained, digest="b"),
        "core": save(store, core_trained, digest="a", mode="core"),
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_fits_100_columns_without_cutting_a_value(
    registry: dict[str, SavedModel],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 100
    assert "…" not in out
    rows = {line.split()[0]: line for line in lines if line.startswith("m-")}
    core = registry["core"].metadata
    assert rows[core.version_id].split()[1:4] == ["core", "ridge", core.train_start]
    assert f"{core.metrics.ic:.3g}" in rows[core.version_id]
    marked = sorted(v for v, line in rows.items() if line.rstrip().endswith("current"))
    assert marked == sorted([registry["new"].version_id, registry["core"].version_id])


def test_list_json_and_csv_carry_every_version_and_its_current_flag(
    registry: dict[str, SavedModel], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "list", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    current = {r["version_id"] for r in records if r["current"]}
    assert current == {registry["new"].version_id, registry["core"].version_id}
    assert {r["feature_mode"] for r in records} == {"minimal", "core"}
    _, out, _ = run(capsys, "list", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["version_id"] for r in rows] == [r["version_id"] for r in records]
    assert float(rows[0]["ic"]) == records[0]["ic"]


def test_an_empty_registry_says_what_to_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert (code, "run qe-train first" in out) == (0, True)


def test_show_takes_a_unique_prefix(
    registry: dict[str, SavedModel], capsys: pytest.CaptureFixture[str]
) -> None:
    old = registry["old"].version_id
    code, out, _ = run(capsys, "show", old[2:9])
    assert code == 0
    assert f"model {old}" in out
    assert f"no (current minimal model: {registry['new'].version_id})" in out
    code, out, _ = run(capsys, "show", old, "--json")
    assert (json.loads(out)["version_id"], json.loads(out)["current"]) == (old, False)


def test_an_ambiguous_or_unknown_version_exits_2_naming_the_choices(
    registry: dict[str, SavedModel], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "show", "m-")
    assert code == 2
    assert all(saved.version_id in err for saved in registry.values())
    code, _, err = run(capsys, "use", "nope")
    assert (code, "known:" in err) == (2, True)


def test_use_makes_it_current_for_its_mode_and_records_a_manifest(
    registry: dict[str, SavedModel], capsys: pytest.CaptureFixture[str], qe_home: Path
) -> None:
    old, new = registry["old"].version_id, registry["new"].version_id
    code, out, _ = run(capsys, "use", old)
    assert code == 0
    assert f"(was {new})" in out
    assert ModelRegistry().currents() == {"minimal": old, "core": registry["core"].version_id}
    [path] = (qe_home / "manifests").glob("run_manifest_*_models_use_*.json")
    manifest = json.loads(path.read_text())
    assert manifest["status"] == "success"
    assert manifest["result"] == {"current": old, "feature_mode": "minimal", "previous": new}
    assert manifest["models"][0]["version_id"] == old


def test_remove_refuses_a_current_version_and_deletes_an_unused_one(
    registry: dict[str, SavedModel], capsys: pytest.CaptureFixture[str]
) -> None:
    new, old = registry["new"].version_id, registry["old"].version_id
    code, _, err = run(capsys, "remove", new)
    assert code == 2
    assert "current model of feature mode 'minimal'" in err
    assert new in ModelRegistry().known_ids()
    code, out, _ = run(capsys, "remove", old)
    assert (code, f"removed model {old}" in out) == (0, True)
    assert old not in ModelRegistry().known_ids()
