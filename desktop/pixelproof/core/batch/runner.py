"""``run_batch``: a task over many items on any executor, results handed back in item order.

The task is a module-level function ``task(context, items) -> results`` (one result per item, a value or
``Failed``) with no shared mutable state, so it can run in this process, in a pool process or on a Dask
worker. Results come back as ``(index, result)`` pairs in item order whatever finished first, so whatever
is built from them (ids, files) is the same with 1 worker or 100. At most ``2 x slots`` tasks are in flight
or waiting for an earlier one, so memory stays bounded however many items there are.

A lost worker (a pool process killed, a Dask worker gone) costs only a retry: the tasks it held are
submitted again. A task that keeps killing its worker is run alone, then image by image, and an image that
kills its worker on its own is reported as failed; the job goes on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pixelproof.core.batch.executors import BatchSetupError, Executor, Task, WorkerLost

POLL_SECONDS = 0.2  # how often a waiting job looks at its Cancel flag
SUSPECT_LIMIT = 2  # a task in flight during this many worker deaths is then run alone
CRASH_LIMIT = 6  # worker deaths in a row with nothing finished between them: the workers cannot run


class BatchCancelled(Exception):
    """Cancel was pressed (``cancelled()`` returned True): nothing more is yielded."""


@dataclass(frozen=True, slots=True)
class Failed:
    """An item the task could not do, and why (one line); the job goes on without it."""

    reason: str


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a job stands, from completed tasks: what one progress bar (terminal or app) shows."""

    done: int
    total: int
    failed: int
    elapsed: float  # seconds since the job started
    where: str  # "serial", "2 local worker processes x 1 thread", "Dask cluster ..."
    parts: int = 0  # parts of items done (a slide's tiles), when the executor ``reports_parts``

    @property
    def rate(self) -> float:
        """Items per second so far (0 before the first finished)."""
        return self.done / self.elapsed if self.elapsed > 0 and self.done else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far; None until something finished."""
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None


@dataclass(slots=True)
class _Chunk:
    start: int  # index of its first item
    items: list
    suspicion: int = 0  # worker deaths while it was in flight


def _chunks(items: Sequence, size: int) -> Iterator[_Chunk]:
    for start in range(0, len(items), size):
        yield _Chunk(start, list(items[start : start + size]))


def run_batch(
    task: Task,
    context: Any,
    items: Sequence,
    executor: Executor,
    *,
    seconds_per_item: float | None = None,
    chunk_size: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, result)`` for every item, in item order; a task that raises gives ``Failed`` for
    each of its items. Raises ``BatchCancelled`` when ``cancelled()`` turns True. The executor is not
    closed (a job may run several passes on it); what is still in flight when the caller stops iterating
    is discarded."""
    total = len(items)
    size = chunk_size or executor.chunk_size(total, seconds_per_item)
    state = _State(task, context, executor, total, on_progress)
    state.fresh_left = -(-total // size)
    fresh = _chunks(items, size)
    try:
        state.report()
        while state.next_out < total:
            if cancelled is not None and cancelled():
                raise BatchCancelled
            state.fill(fresh)
            state.collect(POLL_SECONDS)
            for pair in state.drain():
                if cancelled is not None and cancelled():
                    raise BatchCancelled
                yield pair
    finally:
        executor.discard(list(state.running))


class _State:
    """The bookkeeping of one ``run_batch``: tasks in flight, results waiting for earlier ones, retries."""

    def __init__(
        self,
        task: Task,
        context: Any,
        executor: Executor,
        total: int,
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.task, self.context, self.executor = task, context, executor
        self.total, self.on_progress = total, on_progress
        self.running: dict[Any, _Chunk] = {}
        self.ready: dict[int, list] = {}  # chunk start -> results waiting for earlier chunks
        self.retry: deque[_Chunk] = deque()  # submitted again before fresh chunks
        self.alone: deque[_Chunk] = deque()  # suspects: run with nothing else in flight
        self.alone_handle: Any = None
        self.limit = executor.in_flight_per_slot * executor.slots
        self.next_out = 0
        self.done = self.failed = 0
        self.crashes = 0  # worker deaths since a task last finished
        self.fresh_left = 0  # chunks not submitted yet
        self.started = time.monotonic()
        self.parts = self.parts_before = executor.parts()  # the executor may have run earlier passes

    def report(self) -> None:
        if self.on_progress is not None:
            elapsed = time.monotonic() - self.started
            where = self.executor.describe()
            parts = self.parts - self.parts_before
            self.on_progress(Progress(self.done, self.total, self.failed, elapsed, where, parts))

    def fill(self, fresh: Iterator[_Chunk]) -> None:
        """Submit tasks until ``limit`` are in flight or waiting; suspects go alone."""
        if self.alone_handle is not None:
            return
        while len(self.running) + len(self.ready) < self.limit:
            if self.alone:
                if self.running:
                    return  # let the others finish first
                chunk = self.alone.popleft()
                self.alone_handle = self._submit(chunk)
                return
            if self.retry:
                chunk = self.retry.popleft()
            else:
                chunk = next(fresh, None)
                if chunk is None:
                    return
                self.fresh_left -= 1
            self._submit(chunk)

    def _submit(self, chunk: _Chunk) -> Any:
        handle = self.executor.submit(self.task, self.context, chunk.items)
        self.running[handle] = chunk
        return handle

    def collect(self, timeout: float) -> None:
        """Wait for some tasks to finish and file their results (or requeue them after a lost worker)."""
        if not self.running:
            return
        before = self.done
        self.executor.tasks_left = self.tasks_left()
        finished = self.executor.wait(list(self.running), timeout)
        if not finished:
            self.executor.stalled()
        lost = self._take(finished)
        if lost and self.executor.loses_all_on_crash:
            # the pool is gone, and with it every task in flight: keep what had finished, redo the rest
            lost += self._take(self.executor.wait(list(self.running), 0))
            lost += [(chunk, False) for chunk in self.running.values()]
            self.running.clear()
            self.alone_handle = None
            self.executor.recover()
        if lost:
            self.crashes += 1
            if self.crashes >= CRASH_LIMIT:
                raise BatchSetupError(
                    f"the worker processes died {self.crashes} times in a row without finishing a task "
                    f"({self.executor.describe()}); see the messages above"
                )
        for chunk, culprit in lost:
            self._requeue(chunk, culprit)
        parts, self.parts = self.parts, self.executor.parts()  # after the results: their counts are exact
        if self.done != before or self.parts != parts:
            self.report()

    def tasks_left(self) -> int:
        """Tasks not finished: in flight, to run again, and not submitted yet."""
        return len(self.running) + len(self.retry) + len(self.alone) + self.fresh_left

    def _take(self, finished: Collection[Any]) -> list[tuple[_Chunk, bool]]:
        """File the results of finished handles; return the chunks whose worker was lost (and whether
        that chunk is known to be the one that killed it)."""
        lost = []
        for handle in list(finished):
            chunk = self.running.pop(handle)
            was_alone = handle is self.alone_handle
            if was_alone:
                self.alone_handle = None
            try:
                results = self.executor.result(handle)
            except WorkerLost:
                lost.append((chunk, was_alone or self.executor.precise_blame))
                continue
            except BatchSetupError:  # the executor cannot go on (a cluster gone): the job stops
                raise
            except Exception as e:  # a bug in the task must not stop the job: its items fail
                results = [Failed(f"{type(e).__name__}: {e}")] * len(chunk.items)
            if not isinstance(results, list) or len(results) != len(chunk.items):
                results = [Failed("internal error: the task returned a wrong number of results")] * len(
                    chunk.items
                )
            self._file(chunk.start, results)
        return lost

    def _file(self, start: int, results: list) -> None:
        self.crashes = 0
        self.ready[start] = results
        self.done += len(results)
        self.failed += sum(isinstance(r, Failed) for r in results)

    def _requeue(self, chunk: _Chunk, culprit: bool) -> None:
        if not culprit:
            chunk.suspicion += 1
            (self.alone if chunk.suspicion >= SUSPECT_LIMIT else self.retry).append(chunk)
        elif len(chunk.items) > 1:  # it killed its worker: find which image by running them one by one
            singles = [_Chunk(chunk.start + i, [item]) for i, item in enumerate(chunk.items)]
            (self.retry if self.executor.precise_blame else self.alone).extend(singles)
        else:
            self._file(chunk.start, [Failed("the worker process died while processing it")])

    def drain(self) -> Iterator[tuple[int, Any]]:
        while self.next_out in self.ready:
            results = self.ready.pop(self.next_out)
            for offset, result in enumerate(results):
                yield self.next_out + offset, result
            self.next_out += len(results)
