"""What a worker process knows about itself: its share of the cores and its cache of loaded models.

A batch task runs many times in the same worker process (a local pool process or a Dask worker). Loading a
model is slow, so tasks ask ``cached(key, factory)`` for it: the factory runs once per worker, later tasks
get the same object. Threads: ``workers x threads <= cores``, so each worker sets its libraries' thread
pools to its share (``init_worker``) and backends read ``worker_threads()``.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from pixelproof.core.batch.parts import init_channel

CACHE_ENTRIES = 4  # models kept per worker; a long-lived Dask worker serving many jobs drops the oldest

# environment variables read by BLAS / OpenMP runtimes when they load
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")

_threads: int | None = None  # set by init_worker in pool processes
_memory_share = 1.0  # this process's share of the memory models may use (1 / workers in a pool)
_lane = threading.local()  # in a lane of a ThreadExecutor: (executor token, thread) and its share of cores


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS has one, else all of them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def set_threads(threads: int) -> None:
    """This process's share of the cores, for numpy/OpenCV now and for backends (``worker_threads``)."""
    global _threads
    _threads = max(1, int(threads))
    for name in _THREAD_VARIABLES:  # read by BLAS/OpenMP runtimes that load after this
        os.environ[name] = str(_threads)
    try:
        import cv2
    except ImportError:
        pass
    else:
        cv2.setNumThreads(_threads)


def set_memory_share(share: float) -> None:
    """This process's share of the memory models may use (``inference.arena.model_memory_bytes``): set before
    the first model opens (onnxruntime's shared arena is made once per process)."""
    global _memory_share
    _memory_share = min(1.0, max(0.01, float(share)))


def memory_share() -> float:
    return _memory_share


def init_worker(threads: int, share: float = 1.0, channel: Any = None) -> None:
    """Set up a local pool process: ``threads`` for its libraries, its ``share`` of the models' memory,
    its pool's ``channel`` for progress within an item (``parts``), and Ctrl+C left to the parent (a
    terminal sends SIGINT to the whole process group; the parent stops the workers itself)."""
    init_channel(channel)
    set_threads(threads)
    set_memory_share(share)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent()


def _end_with_parent() -> None:
    """End this pool process when the process that started it ends without stopping it (SIGKILL, a
    crash, a SIGTERM or SIGHUP that runs no clean-up): a worker waits on its task queue, whose writing
    end it holds itself, so it would wait there forever, holding its model. The parent's sentinel (a
    pipe on POSIX, the process handle on Windows) becomes ready when the parent ends."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)  # no clean-up to run: the job it worked for is gone

    threading.Thread(target=watch, name="pixelproof-parent-watch", daemon=True).start()


def run_on_dask_worker(
    task: Callable[[Any, list], list], host_slots: dict[str, int], context: Any, items: list
) -> list:
    """A task on a Dask worker, with threads = the machine's cores over the task slots of all the
    workers on that machine (``host_slots``, from the scheduler), so workers x threads <= cores there."""
    from distributed import get_worker
    from distributed.comm import get_address_host

    worker = get_worker()
    slots = host_slots.get(get_address_host(worker.address), worker.state.nthreads)
    if _threads is None:
        set_threads(max(1, available_cores() // max(1, slots)))
        set_memory_share(1 / max(1, slots))
    return task(context, items)


def worker_threads() -> int:
    """Threads one task may use: its lane's or its worker's share of the cores (``set_threads``), else
    (serial runs) every core this process may use."""
    lane = getattr(_lane, "threads", None)
    if lane is not None:
        return lane
    return _threads if _threads is not None else available_cores()


def run_in_lane(
    token: object, threads: int, task: Callable[[Any, list], list], context: Any, items: list
) -> list:
    """A task on a lane of a ``ThreadExecutor`` (``token``): backends it opens use ``threads`` cores, and
    what it caches is this lane's own (backends are not thread-safe; two lanes run at once)."""
    _lane.key, _lane.threads = (token, threading.get_ident()), threads
    try:
        return task(context, items)
    finally:
        _lane.key = _lane.threads = None


def lane_key() -> Hashable | None:
    """The lane the calling thread runs a task for (None outside a ``ThreadExecutor``'s lanes)."""
    return getattr(_lane, "key", None)


def forget_lanes(token: object) -> None:
    """Drop what the lanes of the executor ``token`` cached (their models), when it closes."""
    with _cache_lock:
        for key in [k for k in _cache if isinstance(k, _LaneKey) and k.lane[0] is token]:
            del _cache[key]


@dataclass(frozen=True, slots=True)
class _LaneKey:
    lane: tuple[object, int]
    key: Hashable


@dataclass
class Cached:
    """A cached object and the lock to hold while using it: backends are not thread-safe, and a Dask worker
    may run several tasks at once in threads."""

    value: Any
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache: OrderedDict[Hashable, Cached] = OrderedDict()
_cache_lock = threading.Lock()


def cached(key: Hashable, factory: Callable[[], Any]) -> Cached:
    """The object cached under ``key`` in this process (in a lane: for that lane), made by ``factory()``
    the first time.

    Raises what ``factory`` raises (nothing is cached then, so the next task tries again).
    """
    lane = getattr(_lane, "key", None)
    if lane is not None:
        key = _LaneKey(lane, key)
    with _cache_lock:
        entry = _cache.get(key)
        if entry is not None:
            _cache.move_to_end(key)
            return entry
        entry = Cached(factory())
        _cache[key] = entry
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
        return entry


def clear_cache() -> None:
    """Forget every cached object (tests; a worker that must reload a changed model file)."""
    with _cache_lock:
        _cache.clear()
