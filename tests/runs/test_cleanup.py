"""Pruning takes each pruned run's results with it, except results a kept run recorded too."""

from __future__ import annotations

from pathlib import Path

import pytest

from quant_engine import layout
from quant_engine.runs import cleanup, store
from quant_engine.utils.reproducibility import record_run


def write_run(script: str, *outputs: Path) -> str:
    """A successful run of ``script`` that wrote ``outputs`` (100 bytes each)."""
    with record_run({}, script) as run:
        for i, path in enumerate(outputs):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * 100)
            run.add_output(f"out{i}", path)
    return run.run_id


@pytest.fixture
def home_with_results(qe_home: Path, tmp_path: Path) -> dict[str, Path]:
    """Three backtests, oldest first: one in its own folder, one in a folder the newest run
    overwrote, one also writing outside the data home; the newest one is kept by --keep 1."""
    results = layout.results_dir()
    paths = {
        "own": results / "old" / "equity_curve.csv",
        "shared": results / "run_backtest" / "equity_curve.csv",
        "outside": tmp_path / "elsewhere" / "equity_curve.csv",
    }
    write_run("run_backtest", paths["own"])
    write_run("run_backtest", paths["shared"], paths["outside"])
    write_run("run_backtest", paths["shared"])
    return paths


def test_dry_run_counts_manifests_and_results_and_deletes_nothing(
    home_with_results: dict[str, Path],
) -> None:
    plan = cleanup.prune(layout.manifests_dir(), 1, dry_run=True)
    assert len(plan.manifests) == 2
    assert plan.result_paths() == [home_with_results["own"].resolve()]
    assert [p.name for p in plan.shared] == ["equity_curve.csv"]
    assert plan.outside == [home_with_results["outside"]]
    manifest_bytes = sum(p.stat().st_size for p in plan.manifests)
    assert plan.size() == manifest_bytes + 100
    assert all(p.exists() for p in home_with_results.values())
    assert len(store.scan(layout.manifests_dir()).entries) == 3


def test_prune_deletes_a_pruned_runs_own_results_and_empty_folder(
    home_with_results: dict[str, Path],
) -> None:
    done = cleanup.prune(layout.manifests_dir(), 1)
    assert len(done.manifests) == 2
    assert not home_with_results["own"].exists()
    assert not home_with_results["own"].parent.exists()
    assert home_with_results["shared"].exists()  # the kept newest run recorded it too
    assert home_with_results["outside"].exists()  # never outside results/
    assert layout.results_dir().is_dir()
    assert len(store.scan(layout.manifests_dir()).entries) == 1


def test_keep_results_deletes_only_manifests(home_with_results: dict[str, Path]) -> None:
    done = cleanup.prune(layout.manifests_dir(), 1, keep_results=True)
    assert len(done.manifests) == 2
    assert done.result_paths() == []
    assert all(p.exists() for p in home_with_results.values())


def test_model_files_a_run_recorded_are_never_results(qe_home: Path) -> None:
    model_file = layout.models_dir() / "m-000000000000" / "model.pkl"
    write_run("run_train", model_file)
    write_run("run_train")
    done = cleanup.prune(layout.manifests_dir(), 1)
    assert len(done.manifests) == 1
    assert model_file.exists()
