"""One executor for every experiment: ensembles, sweeps and calibration run their tasks here.

A task is ``fn(context, *args)``. The *context* is what every task of an experiment shares
(the scenario object, the parameters, an evaluator): it reaches each worker once, never per
task, and it is the object itself, never reloaded from disk, so a scenario edited in memory
runs as edited on any number of workers.

Back-ends, behind one call (:func:`imap`):

* in process (one worker): the tasks run here, one after another;
* local processes: forked workers (Linux) that inherit the context without pickling, with a
  bounded look-ahead of submitted tasks so memory stays flat. A worker dies with its parent
  (``PR_SET_PDEATHSIG``), so killing the experiment, even with SIGKILL, leaves no orphan;
  an interrupted experiment cancels what is queued and stops its workers;
* a dask.distributed scheduler (``tcp://HOST:PORT``): the context is scattered to every
  worker once; tasks are submitted with the same bounded look-ahead.

Results come back as they finish (``ordered=False``) or in task order (``ordered=True``,
what an ensemble needs to write byte-identical files whatever the number of workers).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

LOOKAHEAD = 4  # tasks in flight per worker

_CONTEXT: list[Any] = [None]  # the context of the tasks this worker process runs


def default_workers() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def imap(fn: Callable[..., Any], tasks: Iterable[tuple], context: Any, *, workers: int = 1,
         scheduler: str | None = None, ordered: bool = False,
         warm: Callable[[Any], None] | None = None) -> Iterator[Any]:
    """Results of ``fn(context, *task)`` for every task.

    Args:
        fn: a module-level function (it is sent to worker processes by reference).
        tasks: argument tuples; consumed lazily.
        context: shared by every task; reaches each worker once.
        workers: local processes (1: in this process). Ignored with ``scheduler``.
        scheduler: address of a dask.distributed scheduler.
        ordered: yield results in task order rather than as they finish.
        warm: called with the context in the parent before workers start (local) so that
            forked workers share what it builds, and in each worker otherwise.

    Closing the returned generator (or an exception in the consumer) cancels what is
    queued and stops the workers.
    """
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    if scheduler:
        results = _dask(fn, tasks, context, scheduler, warm)
    elif workers == 1:
        results = _in_process(fn, tasks, context, warm)
    else:
        results = _local(fn, tasks, context, workers, warm)
    return _in_order(results) if ordered else (r for _, r in results)


def _in_order(results: Iterator[tuple[int, Any]]) -> Iterator[Any]:
    done: dict[int, Any] = {}
    next_out = 0
    try:
        for index, result in results:
            done[index] = result
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        results.close()


def _in_process(fn, tasks, context, warm) -> Iterator[tuple[int, Any]]:
    if warm is not None:
        warm(context)
    with frozen_gc():  # collections then scan only what the tasks create
        for index, task in enumerate(tasks):
            yield index, fn(context, *task)


def _call(fn: Callable[..., Any], index: int, task: tuple) -> tuple[int, Any]:
    return index, fn(_CONTEXT[0], *task)


def _init_worker(context: Any, parent: int, warm: Callable[[Any], None] | None) -> None:
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _CONTEXT[0] = context
    if warm is not None:
        warm(context)
    gc.freeze()  # the collector never scans (and so never copies) what exists now


def _local(fn, tasks, context, workers, warm) -> Iterator[tuple[int, Any]]:
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context()
    # Forked workers share the parent's memory until they write to it: build what the tasks
    # share here, once, and freeze the parent's objects, since a garbage collection writes to
    # every object it scans.
    if warm is not None:
        warm(context)
    queue = enumerate(tasks)
    with frozen_gc():
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(context, os.getpid(), warm))
        pending = set()
        try:
            def submit() -> bool:
                item = next(queue, None)
                if item is not None:
                    pending.add(pool.submit(_call, fn, *item))
                return item is not None

            for _ in range(workers * LOOKAHEAD):
                if not submit():
                    break
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    pending.discard(future)
                    result = future.result()
                    submit()
                    yield result
        finally:
            stop_pool(pool)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued; on an interruption, terminate the workers at once."""
    interrupted = sys.exc_info()[0] is not None
    if interrupted:
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Fail fast, before anything is created, when no dask scheduler answers at ``address``."""
    from dask.distributed import Client
    try:
        Client(address, set_as_default=False, timeout=f"{timeout}s").close()
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(f"cannot reach the dask scheduler at {address} "
                         f"({type(exc).__name__}); nothing was started") from None


def _dask(fn, tasks, context, address, warm) -> Iterator[tuple[int, Any]]:
    from dask.distributed import Client, as_completed

    try:
        client = Client(address, set_as_default=False, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"cannot reach the dask scheduler at {address}: {exc}") from None
    with client:
        shared = client.scatter(context, broadcast=True, hash=False)
        threads = sum(client.nthreads().values()) or 1
        queue = enumerate(tasks)
        first = [client.submit(_call_with, fn, warm, shared, i, task, pure=False)
                 for i, task in itertools.islice(queue, max(8, threads * LOOKAHEAD))]
        futures = as_completed(first, loop=client.loop)
        del first
        for future in futures:
            result = future.result()
            future.release()
            item = next(queue, None)
            if item is not None:
                futures.add(client.submit(_call_with, fn, warm, shared, *item, pure=False))
            yield result


_WARMED: dict[int, Any] = {}


def _call_with(fn, warm, context, index: int, task: tuple) -> tuple[int, Any]:
    """A dask task: the scattered context is one object per worker; warm it once."""
    if warm is not None and _WARMED.get(id(context)) is not context:
        warm(context)
        _WARMED.clear()
        _WARMED[id(context)] = context
    return index, fn(context, *task)


def die_with_parent(parent: int) -> None:
    """Linux: this process gets SIGTERM when its parent dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


@contextlib.contextmanager
def frozen_gc() -> Iterator[None]:
    """``gc.freeze()`` for the block (left alone if the caller had frozen objects already)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
