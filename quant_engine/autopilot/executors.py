"""Where candidates run: inline, a local process pool, or a Dask distributed cluster.

One small interface, :class:`Executor`: ``map(fn, items, shared=..., progress=...)`` returns
``[fn(item, *shared) for item in items]`` in input order, whoever computed them. ``fn`` must be a
top-level (picklable) function; ``shared`` (e.g. the market data) is shipped to each worker
once rather than once per item. Dask workers must be able to import ``quant_engine``.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import multiprocessing.process
import signal
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from quant_engine import config
from quant_engine.errors import QuantEngineError, UsageError
from quant_engine.extras import requires_extra
from quant_engine.runs.lifecycle import SignalGuard
from quant_engine.utils.closing import ClosesOnExit
from quant_engine.utils.progress import ProgressCallback, ignore_progress

R = TypeVar("R")

PRELOAD = ("quant_engine.autopilot.evaluation",)
"""Modules local workers import up front: what ``evaluate_candidate`` needs."""

WORKER_STOP_GRACE_S = 5.0
"""Seconds a terminated worker gets to exit before it is killed."""

_worker_shared: tuple[Any, ...] = ()


@dataclass(frozen=True)
class TaskBatch(Generic[R]):
    """One ``map`` call: ``fn(item, *shared)`` per item, ``report(done, total)`` per completion."""

    fn: Callable[..., R]
    items: Sequence[Any]
    shared: tuple[Any, ...]
    report: ProgressCallback

    def run_inline(self) -> list[R]:
        """Compute every result here, in order, reporting after each."""
        results = []
        for done, item in enumerate(self.items, start=1):
            results.append(self.fn(item, *self.shared))
            self.report(done, len(self.items))
        return results


class Executor(ClosesOnExit, ABC):
    """Runs ``fn(item, *shared)`` for every item and returns the results in input order."""

    kind: str = ""

    def map(
        self,
        fn: Callable[..., R],
        items: Sequence[Any],
        *,
        shared: tuple[Any, ...] = (),
        progress: ProgressCallback | None = None,
    ) -> list[R]:
        """``[fn(item, *shared) for item in items]``; the first failure is raised as is."""
        batch = TaskBatch(fn, items, shared, progress or ignore_progress)
        batch.report(0, len(items))
        return self.run_tasks(batch)

    @abstractmethod
    def run_tasks(self, batch: TaskBatch[R]) -> list[R]:
        """Compute the batch's results in input order, reporting each completion."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """JSON-safe description for run manifests (kind, workers, scheduler)."""

    def close(self) -> None:
        """Release whatever the executor holds (connections); safe to call twice."""


class LocalExecutor(Executor):
    """A process pool on this machine; ``workers=1`` runs inline in this process.

    Workers are forked from a clean ``forkserver`` process (``spawn`` where there is none):
    never from this process, whose threads (a progress bar, BLAS) could deadlock a plain fork.
    The server imports ``preload`` once, so each new pool starts without re-importing pandas
    and scikit-learn.
    """

    kind = "local"

    def __init__(
        self, workers: int = config.AUTOPILOT_WORKERS, *, preload: Sequence[str] = PRELOAD
    ) -> None:
        if workers < 1:
            raise UsageError(f"--workers must be at least 1, got {workers}")
        self.workers = workers
        self.preload = tuple(preload)

    def describe(self) -> dict[str, Any]:
        """Kind and worker count."""
        return {"kind": self.kind, "workers": self.workers}

    def run_tasks(self, batch: TaskBatch[R]) -> list[R]:
        """Inline for one worker or one item; otherwise a fresh pool that lives for this call."""
        if self.workers == 1 or len(batch.items) <= 1:
            return batch.run_inline()
        return self.pool_map(batch)

    def pool_map(self, batch: TaskBatch[R]) -> list[R]:
        """Run on ``min(workers, len(items))`` processes, each given ``shared`` once.

        Workers ignore SIGINT (a Ctrl-C reaches the whole process group): this process handles
        it and, on any failure or interrupt, terminates its workers before the error surfaces,
        so none outlives the run or prints a traceback of its own.
        """
        total = len(batch.items)
        before = set(multiprocessing.active_children())
        pool = cf.ProcessPoolExecutor(
            max_workers=min(self.workers, total),
            mp_context=worker_context(self.preload),
            initializer=install_shared,
            initargs=(batch.shared,),
        )
        try:
            futures = submit_all(pool, batch)
            for done, future in enumerate(cf.as_completed(futures), start=1):
                future.result()  # the first failure, raised now; the rest are cancelled
                batch.report(done, total)
            return [future.result() for future in futures]
        except cf.process.BrokenProcessPool as exc:
            raise QuantEngineError(f"a local worker process died: {exc}") from exc
        except BaseException:
            stop_processes(set(multiprocessing.active_children()) - before)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def submit_all(pool: cf.ProcessPoolExecutor, batch: TaskBatch[R]) -> list[cf.Future[R]]:
    """Submit every item, holding SIGINT/SIGTERM meanwhile (the pool starts its workers here).

    A stop signal arriving while a worker is being started would cut the data it is sent and
    leave it printing an unpickling error; it is raised once every worker has started.
    """
    guard = SignalGuard()
    guard.defer()
    try:
        futures = [pool.submit(call_with_shared, batch.fn, item) for item in batch.items]
    finally:
        guard.restore()
    guard.raise_pending()
    return futures


def stop_processes(processes: Iterable[multiprocessing.process.BaseProcess]) -> None:
    """Terminate ``processes`` and wait for them (killed if still there after a grace period)."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + WORKER_STOP_GRACE_S
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def worker_context(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """``forkserver`` preloading ``preload`` (effective when the server first starts), or spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return context


def install_shared(shared: tuple[Any, ...]) -> None:
    """Pool initializer: keep the shared arguments for every task; leave SIGINT to the parent."""
    global _worker_shared  # noqa: PLW0603  (one slot per worker process, set once)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_shared = shared


def call_with_shared(fn: Callable[..., R], item: Any) -> R:
    """Pool task: ``fn(item, *shared)`` with the worker's shared arguments."""
    return fn(item, *_worker_shared)


class DaskExecutor(Executor):
    """Fan out on a Dask distributed cluster through ``dask.distributed.Client``."""

    kind = "dask"

    def __init__(self, scheduler: str, *, timeout_s: float = config.DASK_CONNECT_TIMEOUT_S) -> None:
        self.distributed = import_distributed()
        self.scheduler = scheduler
        self.timeout_s = timeout_s
        try:
            self.client = self.distributed.Client(
                scheduler, timeout=f"{timeout_s}s", set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise QuantEngineError(
                f"cannot reach the Dask scheduler at --scheduler {scheduler}: {exc}"
            ) from None

    def describe(self) -> dict[str, Any]:
        """Kind, scheduler address and the number of workers connected now."""
        workers = len(self.client.nthreads())
        return {"kind": self.kind, "scheduler": self.scheduler, "workers": workers}

    def run_tasks(self, batch: TaskBatch[R]) -> list[R]:
        """Scatter ``shared`` to every worker once, submit one task per item, gather in order."""
        items = list(batch.items)
        if not items:
            return []
        try:
            self.client.wait_for_workers(1, timeout=self.timeout_s)
        except TimeoutError:
            raise QuantEngineError(
                f"no Dask worker is running on --scheduler {self.scheduler} "
                f"(waited {self.timeout_s:g} s)"
            ) from None
        shared = batch.shared
        shared_futures = self.client.scatter(list(shared), broadcast=True) if shared else []
        columns = [[future] * len(items) for future in shared_futures]
        futures = self.client.map(batch.fn, items, *columns, pure=False)
        try:
            for done, future in enumerate(
                self.distributed.as_completed(futures, loop=self.client.loop), start=1
            ):
                if future.status == "error":
                    future.result()  # raises the task's exception here
                batch.report(done, len(items))
            results: list[R] = self.client.gather(futures)
        finally:
            self.client.cancel(futures)
            if shared_futures:
                self.client.cancel(shared_futures)
        return results

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()


def import_distributed() -> Any:
    """``dask.distributed``, or a ``UsageError`` naming the extra that provides it."""
    with requires_extra("dask", "--executor dask"):
        import distributed
    return distributed


def make_executor(kind: str, scheduler: str | None, workers: int) -> Executor:
    """The executor for ``--executor``/``--scheduler``/``--workers``; bad combinations fail.

    ``workers`` sizes the local pool; a Dask cluster has its own workers and ignores it.
    """
    if kind not in config.EXECUTORS:
        raise UsageError(f"unknown --executor {kind!r}: expected one of {config.EXECUTORS}")
    if kind == "dask":
        if not scheduler:
            raise UsageError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
        return DaskExecutor(scheduler)
    if scheduler:
        raise UsageError("--scheduler only applies to --executor dask")
    return LocalExecutor(workers)
