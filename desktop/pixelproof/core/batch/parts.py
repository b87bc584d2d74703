"""Progress within an item, from local worker processes: a task tells of each part of an item it finishes
(a whole-slide image's tiles), so a job of three slides on ``--workers`` does not sit at 0/3 for minutes.

The runner counts items from finished tasks; a part is counted as soon as a worker says so. Each pool has
a queue its processes inherit (``init_channel``); a task runs under ``run_reporting``, which tags what it
says with its job and task, and returns how many parts it told of with its results, so the parent's count
is exact once a task is done whatever of the queue has arrived by then (``PartCounter``). Elsewhere (in
this process, on a Dask worker) ``report_part`` does nothing.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from typing import Any

_channel: Any = None  # in a pool process: the queue back to the parent (``init_channel``)
_current: list | None = None  # in a pool process, while a task runs: [job, task, parts told of]


def init_channel(channel: Any) -> None:
    """Set up a pool process's end of its pool's queue; what it has not sent when it ends is dropped (a
    count, not a result: nothing waits for it)."""
    global _channel
    _channel = channel
    if channel is not None:
        channel.cancel_join_thread()


def run_reporting(
    tag: tuple[int, int], task: Callable[[Any, list], list], context: Any, items: list
) -> tuple:
    """Run ``task`` in a pool process with ``report_part`` telling job and task ``tag`` of each part done;
    ``(results, parts told of)``."""
    global _current
    _current = [*tag, 0]
    try:
        results = task(context, items)
        return results, _current[2]
    finally:
        _current = None


def report_part() -> None:
    """One part of an item done (a tile of a slide): counted by the job's progress when the task runs on
    a local worker process; nothing otherwise (in this process a caller's own callback counts it)."""
    if _channel is None or _current is None:
        return
    _current[2] += 1
    with contextlib.suppress(Exception):  # progress must never fail a task
        _channel.put((_current[0], _current[1], 1))


class PartCounter:
    """The parent's side: tags for tasks, and the parts they told of (``total``)."""

    _jobs = itertools.count(1)

    def __init__(self) -> None:
        self.job = next(self._jobs)
        self._tasks = itertools.count(1)
        self._heard: dict[int, int] = {}  # task -> parts told of so far
        self._final: set[int] = set()  # tasks whose count came with their results

    def tag(self) -> tuple[int, int]:
        """The tag of a task about to be submitted."""
        task = next(self._tasks)
        self._heard[task] = 0
        return self.job, task

    def finished(self, tag: tuple[int, int], parts: int) -> None:
        """A task is done: it told of ``parts`` (what is still on its way in the queue is then ignored)."""
        self._heard[tag[1]] = max(self._heard.get(tag[1], 0), parts)
        self._final.add(tag[1])

    def lost(self, tag: tuple[int, int]) -> None:
        """A task's worker died: its parts are done again by the task that retries its items."""
        self._heard.pop(tag[1], None)
        self._final.add(tag[1])

    def total(self, channel: Any) -> int:
        """Parts told of so far by this counter's tasks, after reading what ``channel`` holds."""
        while channel is not None:
            try:
                job, task, parts = channel.get_nowait()
            except Exception:  # queue.Empty; a message torn by a killed worker: progress never fails a job
                break
            if job == self.job and task in self._heard and task not in self._final:
                self._heard[task] += parts
        return sum(self._heard.values())
