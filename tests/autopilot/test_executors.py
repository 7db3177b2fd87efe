"""Executors: order, shared arguments, progress, failures, usage errors, identical results."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from quant_engine.autopilot.candidates import build_grid
from quant_engine.autopilot.evaluation import EvaluationSettings, evaluate_candidate
from quant_engine.autopilot.executors import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    make_executor,
)
from quant_engine.autopilot.state import state_file_text
from quant_engine.data.market_data import MarketData
from quant_engine.errors import QuantEngineError, UsageError

GRID = build_grid(["minimal"], ["ridge", "gbm"], ["long_short"])


def scaled(item: int, factor: int, offset: int) -> int:
    """Top-level (picklable) task: item * factor + offset."""
    return item * factor + offset


def fail_on_three(item: int) -> int:
    if item == 3:
        raise ValueError(f"cannot handle {item}")
    return item


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """A real two-process Dask LocalCluster, shared by this module's tests."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_local_map_keeps_order_passes_shared_and_reports_progress(workers: int) -> None:
    calls: list[tuple[int, int]] = []
    out = LocalExecutor(workers).map(
        scaled, [5, 1, 4, 2], shared=(10, 3), progress=lambda d, t: calls.append((d, t))
    )
    assert out == [53, 13, 43, 23]
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("workers", [1, 2])
def test_local_map_raises_the_task_error(workers: int) -> None:
    with pytest.raises(ValueError, match="cannot handle 3"):
        LocalExecutor(workers).map(fail_on_three, [1, 2, 3, 4])


@pytest.mark.parametrize(
    ("kind", "scheduler", "workers", "message"),
    [
        ("dask", None, 2, "--executor dask needs --scheduler"),
        ("dask", "", 2, "--executor dask needs --scheduler"),
        ("local", "tcp://127.0.0.1:8786", 2, "--scheduler only applies to --executor dask"),
        ("ray", None, 2, "unknown --executor 'ray'"),
        ("local", None, 0, "--workers must be at least 1"),
    ],
)
def test_bad_executor_choices_are_usage_errors(
    kind: str, scheduler: str | None, workers: int, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        make_executor(kind, scheduler, workers)


def test_dask_not_installed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(UsageError, match=r"optional 'dask' extra.*quant_engine\[dask\]"):
        make_executor("dask", "tcp://127.0.0.1:8786", 2)


def test_unreachable_scheduler_is_a_clear_run_failure() -> None:
    with pytest.raises(QuantEngineError, match="cannot reach the Dask scheduler at --scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout_s=1.0)


def test_scheduler_without_workers_is_a_clear_run_failure() -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty,
        DaskExecutor(empty.scheduler_address, timeout_s=0.5) as executor,
        pytest.raises(QuantEngineError, match="no Dask worker is running on --scheduler"),
    ):
        executor.map(scaled, [1], shared=(1, 0))


def test_make_executor_builds_local_by_default() -> None:
    executor = make_executor("local", None, 3)
    assert isinstance(executor, LocalExecutor)
    assert executor.describe() == {"kind": "local", "workers": 3}


def test_dask_map_keeps_order_and_reports_progress(dask_scheduler: str) -> None:
    calls: list[tuple[int, int]] = []
    with make_executor("dask", dask_scheduler, 2) as executor:
        assert executor.describe() == {"kind": "dask", "scheduler": dask_scheduler, "workers": 2}
        out = executor.map(
            scaled, [5, 1, 4], shared=(10, 3), progress=lambda d, t: calls.append((d, t))
        )
        with pytest.raises(ValueError, match="cannot handle 3"):
            executor.map(fail_on_three, [1, 2, 3, 4])
    assert out == [53, 13, 43]
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def evaluate_all(executor: Executor, data: MarketData) -> list[str]:
    settings = EvaluationSettings(seed=11)
    results = executor.map(evaluate_candidate, list(GRID), shared=(data, settings))
    return [state_file_text(r.to_dict()) for r in results]


def test_results_are_identical_whichever_executor_ran_them(
    autopilot_data: MarketData, dask_scheduler: str
) -> None:
    inline = evaluate_all(LocalExecutor(1), autopilot_data)
    pooled = evaluate_all(LocalExecutor(2), autopilot_data)
    with DaskExecutor(dask_scheduler) as dask:
        distributed = evaluate_all(dask, autopilot_data)
    assert [r.count('"candidate_id"') for r in inline] == [1, 1]
    assert inline == pooled == distributed
