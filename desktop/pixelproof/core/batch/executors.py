"""Where batch tasks run: in this process, in a local pool of processes, or on a Dask cluster.

The executors share one small interface (``submit`` / ``wait`` / ``result``) that
``pixelproof.core.batch.runner.run_batch`` drives, so a job is the same code whatever runs it: serial
(today's behaviour), ``--workers N`` (a ``concurrent.futures`` process pool started with *spawn*, which
PyInstaller bundles and Qt processes need, and which works without Dask), or ``--scheduler ADDRESS`` (a
Dask ``Client`` on an existing cluster: ``pip install 'pixelproof[cluster]'``).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import threading
import time
import weakref
from collections.abc import Callable, Collection
from concurrent import futures
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait as multiprocess_wait
from typing import Any

from pixelproof.core.batch.parts import PartCounter, run_reporting
from pixelproof.core.batch.worker import (
    available_cores,
    forget_lanes,
    init_worker,
    run_in_lane,
)
from pixelproof.core.wording import plural

Task = Callable[[Any, list], list]  # task(context, items) -> one result per item

LARGE_JOB_IMAGES = 200  # a job of at least this many images ...
LARGE_JOB_SECONDS = 10.0  # ... or estimated to take at least this long on one core is "large"
MAX_CHUNK = 64  # items per task at most: keeps the tail balanced and a lost task cheap to redo
CHUNK_SECONDS = 1.0  # aim for tasks of about this long when the per-item cost is known


class BatchSetupError(Exception):
    """The executor cannot start (Dask missing, scheduler unreachable) or go on (the scheduler lost, the
    workers dying again and again): one line for the user; the job stops and writes nothing."""


class WorkerLost(Exception):
    """The process running a task died (killed, out of memory, crashed in native code)."""


def is_large_job(items: int, seconds_per_item: float | None = None) -> bool:
    """Large = at least ``LARGE_JOB_IMAGES`` images or ``LARGE_JOB_SECONDS`` estimated on one core: then
    the start-up of worker processes (~1-2 s each) is small beside the work, and ``--workers`` defaults
    to every core."""
    if items >= LARGE_JOB_IMAGES:
        return True
    return seconds_per_item is not None and items * seconds_per_item >= LARGE_JOB_SECONDS


class Executor:
    """Runs ``task(context, items)`` calls somewhere; results come back through handles. The base class
    runs nothing: see ``SerialExecutor``, ``PoolExecutor``, ``DaskExecutor``."""

    kind = ""
    #: runs in this process (models loaded here serve it; nothing to announce to the user)
    in_process = False
    #: a crash takes every task in flight with it (a broken process pool) and ``recover`` must run
    loses_all_on_crash = False
    #: ``WorkerLost`` from ``result`` names the task that killed its worker (Dask, after its own retries)
    precise_blame = False
    #: tasks submitted per slot: 2 keeps a worker busy while its next task travels
    in_flight_per_slot = 2
    #: ``parts`` counts what tasks tell of with ``parts.report_part`` (a slide's tiles) as they go
    reports_parts = False
    #: where a line for the user goes mid-job (a cluster left without workers: ``DaskExecutor``); the
    #: command sets it (``commands._batch.announce``), None says nothing
    on_note: Callable[[str], None] | None = None
    #: Ctrl+C keeps the job's finished parts (a resumable ``prelabel``): said when it waits on a cluster
    keeps_parts = False
    #: the job's tasks not finished, as ``run_batch`` last counted them (in flight, to run again, not sent)
    tasks_left = 0

    def __init__(self, slots: int = 1, threads: int | None = None) -> None:
        self.slots = max(1, slots)  # tasks that can run at once
        self.threads = threads if threads is not None else available_cores()

    def describe(self) -> str:
        return self.kind

    def chunk_size(self, items: int, seconds_per_item: float | None = None) -> int:
        """Items per task: about 8 tasks per slot, at most ``MAX_CHUNK`` items or ~1 s of work."""
        size = max(1, min(MAX_CHUNK, items // (self.slots * 8)))
        if seconds_per_item:
            size = max(1, min(size, int(CHUNK_SECONDS / seconds_per_item)))
        return size

    def submit(self, task: Task, context: Any, items: list) -> Any:
        raise NotImplementedError

    def wait(self, handles: Collection[Any], timeout: float) -> Collection[Any]:
        """Some finished handles; may be empty after ``timeout`` seconds."""
        raise NotImplementedError

    def result(self, handle: Any) -> list:
        """The task's results; raises ``WorkerLost`` or the task's own exception."""
        raise NotImplementedError

    def stalled(self) -> None:
        """A wait ended with no task finished. A cluster looks whether it still has workers
        (``DaskExecutor``: else the job would wait without a word)."""

    def parts(self) -> int:
        """Parts of items (a slide's tiles) its tasks told of so far, when ``reports_parts``."""
        return 0

    def recover(self) -> None:
        """Make the executor usable again after ``WorkerLost`` (a new pool)."""

    def discard(self, handles: Collection[Any]) -> None:
        """Cancel tasks whose results are no longer wanted."""

    def close(self, cancel: bool = False) -> None:
        """Release the workers; ``cancel`` stops running tasks at once (Ctrl+C, Cancel)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, kind: type | None, *_: object) -> None:
        self.close(cancel=kind is not None)


class _Done:
    __slots__ = ("error", "value")

    def __init__(self, value: Any, error: Exception | None) -> None:
        self.value, self.error = value, error


class SerialExecutor(Executor):
    """In this process, one task at a time (the default for small jobs, and in the app on one core)."""

    kind = "serial"
    in_process = True
    in_flight_per_slot = 1  # a task runs when submitted: do one at a time, so Cancel stops at once

    def chunk_size(self, items: int, seconds_per_item: float | None = None) -> int:
        return 1  # progress and Cancel after every item, as before

    def submit(self, task: Task, context: Any, items: list) -> Any:
        try:
            return _Done(task(context, items), None)
        except Exception as e:  # reported by result(), as a pool reports a task's exception
            return _Done(None, e)

    def wait(self, handles: Collection[Any], timeout: float) -> Collection[Any]:
        return handles

    def result(self, handle: Any) -> list:
        if handle.error is not None:
            raise handle.error
        return handle.value


class ThreadExecutor(Executor):
    """In this process, ``slots`` threads ("lanes"), each with its share of the cores and its own model
    (``worker.cached`` keys by lane): a small pre-label job, whose tasks spend their time in native code
    that releases the GIL (the model, decoding its outputs), where worker processes would take longer to
    start than the job. While one lane turns a picture's outputs into objects the other's model runs,
    and two models on one core each outrun one on two (``bench prelabel``)."""

    kind = "threads"
    in_process = True
    in_flight_per_slot = 2  # one queued per lane (a lane ahead never waits); Cancel drops the queued ones

    def __init__(self, slots: int = 2) -> None:
        super().__init__(slots, max(1, available_cores() // max(1, slots)))
        self._pool = futures.ThreadPoolExecutor(self.slots, thread_name_prefix="batch-lane")
        self._token = object()

    def describe(self) -> str:
        return f"{self.slots} threads x {plural(self.threads, 'core')} in this process"

    def chunk_size(self, items: int, seconds_per_item: float | None = None) -> int:
        return 1  # progress and Cancel after every picture, as serially

    def submit(self, task: Task, context: Any, items: list) -> Any:
        return self._pool.submit(run_in_lane, self._token, self.threads, task, context, items)

    def wait(self, handles: Collection[Any], timeout: float) -> Collection[Any]:
        done, _ = futures.wait(handles, timeout=timeout, return_when=futures.FIRST_COMPLETED)
        return done

    def result(self, handle: Any) -> list:
        return handle.result()

    def discard(self, handles: Collection[Any]) -> None:
        for handle in handles:
            handle.cancel()

    def close(self, cancel: bool = False) -> None:
        # queued tasks are dropped; a picture being read or predicted ends first (threads cannot be killed)
        self._pool.shutdown(wait=True, cancel_futures=True)
        forget_lanes(self._token)


_Shape = tuple[int, int]  # (workers, threads)
_pools: dict[_Shape, futures.ProcessPoolExecutor] = {}  # warm pools no job is using
_busy: set[futures.ProcessPoolExecutor] = set()  # pools a job holds (never handed to a second job)
# each pool's queue its processes tell of parts done on (``parts``)
_channels: weakref.WeakKeyDictionary[futures.ProcessPoolExecutor, Any] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()
STOP_SECONDS = 5.0  # how long stopped workers get to end (after SIGTERM, then after SIGKILL)


def _take_pool(workers: int, threads: int) -> futures.ProcessPoolExecutor:
    """A pool for one job: the warm pool of this shape (its workers started, their models loaded) if no
    other job holds it, else a new one. The job has it alone until ``_return_pool`` or ``_stop_pool``,
    so a Cancel stops only that job's workers, and a stopped pool is never handed out again."""
    with _pools_lock:
        pool = _pools.pop((workers, threads), None)
    if pool is not None and not _healthy(pool):  # a worker died while it waited
        _stop_pool(pool)
        pool = None
    if pool is None:
        spawn = multiprocessing.get_context("spawn")
        channel = spawn.Queue()
        pool = futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=spawn,
            initializer=init_worker,
            initargs=(threads, 1 / max(1, workers), channel),
        )
        _channels[pool] = channel
    with _pools_lock:
        _busy.add(pool)
    return pool


def _return_pool(pool: futures.ProcessPoolExecutor, shape: _Shape) -> None:
    """Keep a job's pool warm for the next job of its shape, unless it is broken (a worker died) or one
    is kept already."""
    with _pools_lock:
        _busy.discard(pool)
        if _healthy(pool) and shape not in _pools:
            _pools[shape] = pool
            return
    if _healthy(pool):
        pool.shutdown(wait=False)  # idle workers end on their own
    else:
        _stop_pool(pool)


def _healthy(pool: futures.ProcessPoolExecutor) -> bool:
    if getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
        return False
    processes = list((getattr(pool, "_processes", None) or {}).values())
    return not _ended(processes, 0)


def _ended(processes: list, timeout: float) -> list:
    """The processes that have ended, waiting up to ``timeout`` for all of them. A process's sentinel
    says so whoever reaped it; ``Process.is_alive`` does not (it says True for a process another thread
    reaped, and the pool's manager thread reaps its workers)."""
    if not processes:
        return []
    deadline = time.monotonic() + timeout
    ended: set = set()
    while True:
        waiting = [p.sentinel for p in processes if p.sentinel not in ended]
        ended.update(multiprocess_wait(waiting, timeout=max(0.0, deadline - time.monotonic())))
        if len(ended) == len(processes) or time.monotonic() >= deadline:
            return [p for p in processes if p.sentinel in ended]


def _stop_pool(pool: futures.ProcessPoolExecutor) -> None:
    """Stop every worker of ``pool`` now, running tasks included, and return when they have ended and
    been reaped. SIGTERM, then SIGKILL for a worker still there after ``STOP_SECONDS``; the pool's manager
    thread reaps them (it joins its workers when the pool breaks), so this thread never races it for
    their exit status. concurrent.futures has no way to stop running tasks before Python 3.14's
    ``terminate_workers()``."""
    with _pools_lock:
        _busy.discard(pool)
        for shape, kept in list(_pools.items()):
            if kept is pool:
                del _pools[shape]
    by_pid = getattr(pool, "_processes", None) or {}  # the manager thread's dict: shutdown drops ours
    manager = getattr(pool, "_executor_manager_thread", None)
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:  # its feeder thread must not wait at exit for the killed readers
        call_queue.cancel_join_thread()
    pool.shutdown(wait=False, cancel_futures=True)  # from here no submit can start another worker
    processes = list(by_pid.values())
    for signal_name in ("terminate", "kill"):
        ended = _ended(processes, 0)
        for process in processes:
            if process not in ended:
                with contextlib.suppress(Exception):
                    getattr(process, signal_name)()
        if len(_ended(processes, STOP_SECONDS)) == len(processes):
            break
    if manager is not None:
        manager.join(timeout=STOP_SECONDS)  # it reaps the workers it joins
    if manager is None or not manager.is_alive():
        for process in processes:  # reaped already (or by us now): no zombies left behind
            with contextlib.suppress(Exception):
                process.join(timeout=0)


def release_pools() -> None:
    """Stop the warm worker processes (at exit; tests call it between modules)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(release_pools)


class PoolExecutor(Executor):
    """``workers`` local processes (spawned, each with ``threads`` threads for its libraries). The
    processes outlive the job: the next job of the same shape (the app's next Pre-label all or QA, the
    next command of a script calling ``cli.main``) finds them started with their models loaded. A job
    holds its pool alone; Cancel and a crash stop its workers (``_stop_pool``); ``release_pools`` at
    exit."""

    kind = "local pool"
    loses_all_on_crash = True
    reports_parts = True

    def __init__(self, workers: int, threads: int | None = None) -> None:
        cores = available_cores()
        super().__init__(workers, threads if threads is not None else max(1, cores // max(1, workers)))
        self._pool: futures.ProcessPoolExecutor | None = None
        self._counter = PartCounter()
        self._tags: dict[Any, tuple[int, int]] = {}  # handle -> its task's tag
        self._start()

    def describe(self) -> str:
        return f"{self.slots} local worker processes x {plural(self.threads, 'thread')}"

    def _start(self) -> None:
        self._pool = _take_pool(self.slots, self.threads)

    def submit(self, task: Task, context: Any, items: list) -> Any:
        assert self._pool is not None, "the pool is closed"
        tag = self._counter.tag()
        try:
            handle = self._pool.submit(run_reporting, tag, task, context, items)
        except BrokenProcessPool as e:  # a worker died since the last wait: report it like the others
            failed: futures.Future = futures.Future()
            failed.set_exception(e)
            handle = failed
        self._tags[handle] = tag
        return handle

    def wait(self, handles: Collection[Any], timeout: float) -> Collection[Any]:
        done, _ = futures.wait(handles, timeout=timeout, return_when=futures.FIRST_COMPLETED)
        return done

    def result(self, handle: Any) -> list:
        tag = self._tags.pop(handle)
        try:
            results, parts = handle.result()
        except BrokenProcessPool as e:
            self._counter.lost(tag)
            raise WorkerLost(str(e)) from e
        self._counter.finished(tag, parts)
        return results

    def parts(self) -> int:
        return self._counter.total(_channels.get(self._pool) if self._pool is not None else None)

    def recover(self) -> None:
        for tag in self._tags.values():  # every task in flight went with the pool: its items are redone
            self._counter.lost(tag)
        self._tags.clear()
        self._stop(kill=True)
        self._start()

    def discard(self, handles: Collection[Any]) -> None:
        for handle in handles:
            handle.cancel()
            self._tags.pop(handle, None)

    def close(self, cancel: bool = False) -> None:
        self._stop(kill=cancel)

    def _stop(self, kill: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            _stop_pool(pool)
        else:
            _return_pool(pool, (self.slots, self.threads))


def make_executor(
    items: int,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    seconds_per_item: float | None = None,
    lanes: bool = False,
    light: bool = False,
) -> Executor:
    """The executor for a job of ``items`` images: Dask when a scheduler is given, else ``workers``
    local processes (default: every core for a large job, serial for a small one, or with ``lanes`` and
    two cores or more two threads in this process: for tasks that release the GIL, such as a model's);
    never more processes than images. ``light``: an item's work costs less than sending it to a worker
    process and back (merge: ~0.2 ms to merge an image of 20 objects, ~0.8 ms to pickle and unpickle its
    versions and its result), so the default is this process however large the job."""
    if scheduler:
        from pixelproof.core.batch.dask_executor import DaskExecutor

        return DaskExecutor(scheduler)
    if workers is None and light:
        workers = 1
    if workers is None:
        large = is_large_job(items, seconds_per_item)
        if lanes and not large and items >= 2 and available_cores() >= 2:
            return ThreadExecutor(2)
        workers = available_cores() if large else 1
    workers = max(1, min(workers, items))
    if workers == 1:
        return SerialExecutor()
    return PoolExecutor(workers)
