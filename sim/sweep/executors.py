"""Executors: in-process, a local process pool, and Dask distributed.

Each takes an iterator of batch tasks and yields finished batches in any order, keeping only a
bounded number of tasks in flight, so memory stays flat however many runs a sweep has. Results
are written by the caller, in one process, so there is a single writer.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sim.sweep.worker import BatchTask, run_batch

Result = tuple[int, Any, Any]


class ExecutorError(Exception):
    """The executor could not start or lost its workers; computed batches are kept."""


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, dead but not yet reaped, counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def die_with_parent(sweep_pid: int, every: float = 0.5) -> None:
    """Pool worker initializer: end this worker as soon as the sweep process is gone.

    A SIGKILL of the sweep gives it no chance to stop its pool, so each worker looks after itself:
    the kernel kills it when its parent (the forkserver, which exits when the sweep does) dies
    (``PR_SET_PDEATHSIG``), and a watchdog thread ends it if the sweep process itself has gone, in
    case the forkserver outlives it.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass
    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent or not _alive(sweep_pid):
                os._exit(1)
            time.sleep(every)

    if not _alive(sweep_pid):  # the sweep died before this worker was ready
        os._exit(1)
    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def in_process(tasks: Iterator[Any], fn: Callable[[Any], Result] = run_batch) -> Iterator[Result]:
    """One worker, this process: simplest, and the reference the others must match.

    ``fn`` computes one task (a sweep's batch by default; the case docking passes its own)."""
    for task in tasks:
        yield fn(task)


def _ready() -> int:
    """A no-op task: its result says a worker process is up."""
    return os.getpid()


def processes(tasks: Iterator[Any], workers: int, fn: Callable[[Any], Result] = run_batch) -> Iterator[Result]:
    """A local process pool (forkserver: no fork of a threaded parent, sim imported once).

    The workers are ready only once the forkserver has imported the model (a second or more,
    longer than a case run): a thread starts them while this process computes batches itself, so
    a sweep of short runs does not wait for its pool. Results depend only on the batch, so which
    process computed one does not matter. ``fn`` (module-level, so it pickles) computes one task.
    """
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.sweep.worker"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),))
    failed: list[BaseException] = []

    def start() -> None:
        try:
            for fut in [pool.submit(_ready) for _ in range(workers)]:
                fut.result()
        except BaseException as exc:  # reported by the consuming thread
            failed.append(exc)

    starter = threading.Thread(target=start, name="start-pool", daemon=True)
    starter.start()
    inflight: dict[Future, int] = {}
    it = iter(tasks)
    limit = 2 * workers
    finished = False
    try:
        while starter.is_alive() and (task := next(it, None)) is not None:
            yield fn(task)
        starter.join()
        if failed:
            raise ExecutorError(f"the worker processes did not start: {type(failed[0]).__name__}: {failed[0]}")
        while True:
            while len(inflight) < limit and (task := next(it, None)) is not None:
                inflight[pool.submit(fn, task)] = task.batch
            if not inflight:
                finished = True
                break
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for fut in done:
                inflight.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:
                    raise ExecutorError(f"a worker process failed: {type(exc).__name__}: {exc}") from exc
                yield result
    finally:
        if not finished:
            # Interrupted (Ctrl-C, SIGTERM, an error): stop running batches now rather than at exit;
            # they are recomputed on --resume, since only finished batches are ever written.
            procs = getattr(pool, "_processes", None) or {}
            for proc in list(procs.values()):
                proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)


def check_scheduler(scheduler: str, connect_timeout: float = 10.0) -> None:
    """Connect once and leave, so a wrong address fails before the sweep directory is created."""
    from distributed import Client

    try:
        Client(scheduler, timeout=f"{connect_timeout}s").close()
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(
            f"--scheduler {scheduler}: cannot connect: {exc} (allowed: the address of a running dask scheduler, e.g. tcp://127.0.0.1:8786)"
        ) from None


def dask(
    tasks: Iterator[BatchTask] | Iterator[Any],
    workers: int | None,
    scheduler: str | None,
    connect_timeout: float = 10.0,
    fn: Callable[[Any], Result] = run_batch,
) -> Iterator[Result]:
    """Dask distributed: an existing cluster at ``scheduler``, or a local one of ``workers`` processes.

    A worker that dies takes its running tasks with it; the scheduler reruns them elsewhere, and
    since a batch's result depends only on its run ids the output is the same. ``fn``
    (module-level, so it pickles) computes one task, as for the other executors.
    """
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=f"{connect_timeout}s")
        else:
            cluster = LocalCluster(
                n_workers=workers or cpu_count(),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ExecutorError(
            f"--scheduler {scheduler}: cannot connect: {exc} (allowed: the address of a running dask scheduler, e.g. tcp://127.0.0.1:8786)"
        ) from None
    try:
        nthreads = sum(client.nthreads().values()) or 1
        limit = 2 * max(nthreads, workers or 1)
        it = iter(tasks)
        # Bound to this client's loop: with no futures given, as_completed would take the loop of the
        # process's current client, which may be another one (a user's own, or a test's), and a
        # retried future would then be awaited on two loops.
        ac = as_completed(loop=client.loop)
        n = 0
        while n < limit and (task := next(it, None)) is not None:
            ac.add(client.submit(fn, task, key=f"sweep-batch-{task.batch}-{os.getpid()}", pure=False, retries=1))
            n += 1
        for fut in ac:
            try:
                result = fut.result()
            except Exception as exc:
                raise ExecutorError(f"a dask task failed: {type(exc).__name__}: {exc}") from exc
            fut.release()
            yield result
            if (task := next(it, None)) is not None:
                ac.add(client.submit(fn, task, key=f"sweep-batch-{task.batch}-{os.getpid()}", pure=False, retries=1))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def start(
    kind: str,
    tasks: Iterator[Any],
    fn: Callable[[Any], Result] = run_batch,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 10.0,
) -> Iterator[Result]:
    """The executor ``kind`` (inprocess, processes or dask) over ``tasks``: the one choice every
    command that runs batches (sweeps, comparisons, the case docking, calibration) makes."""
    if kind == "inprocess":
        return in_process(tasks, fn)
    if kind == "processes":
        return processes(tasks, workers or cpu_count(), fn)
    return dask(tasks, workers, scheduler, connect_timeout, fn=fn)
