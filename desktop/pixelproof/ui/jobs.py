"""The app's one runner for long work (QA, pre-labeling, imports, exports, reading a folder, the wand):
the function runs on a QThreadPool; progress, messages, cancel, and its result or error come back on the UI
thread (DESIGN.md §2)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pixelproof.core.errors import error_text


class JobCancelled(Exception):
    """Raised inside a job's function when the user pressed Cancel (``Job.check``, ``Job.step``)."""


class _JobSignals(QObject):
    """The one object every job's worker emits through, keyed by the job's number, made on the UI thread
    and kept for the process: a job's own one was destroyed on the worker thread when the UI thread had
    deleted the job before the pool deleted the worker's task (Qt on the UI thread could still use it)."""

    progress = Signal(object, int, int)  # job number, done, total
    message = Signal(object, object)  # job number, anything the function sends
    ended = Signal(object)  # job number: its outcome is in ``Job.outcome``

    def __init__(self) -> None:
        super().__init__()
        self.progress.connect(self._on_progress)
        self.message.connect(self._on_message)
        self.ended.connect(self._on_ended)

    def _on_progress(self, key: int, done: int, total: int) -> None:
        if (job := _live_job(key)) is not None:
            job._on_progress(done, total)

    def _on_message(self, key: int, payload: object) -> None:
        if (job := _live_job(key)) is not None:
            job._on_message(payload)

    def _on_ended(self, key: int) -> None:
        job = _RUNNING.pop(key, None)  # the UI thread's reference, the last one a running job has
        if job is not None and shiboken6.isValid(job):  # not deleted with its parent meanwhile
            job._on_ended()


_SIGNALS: list[_JobSignals] = []  # the one, made by the first ``Job.start``


def _job_signals() -> _JobSignals:
    """The jobs' signal object (made on the UI thread: the first job starts there)."""
    if not _SIGNALS:
        _SIGNALS.append(_JobSignals())
    return _SIGNALS[0]


_RUNNING: dict[int, Job] = {}  # started and not yet ended, by number (the UI thread's references)
_NUMBERS = itertools.count(1)


def _live_job(key: int) -> Job | None:
    job = _RUNNING.get(key)
    return job if job is not None and shiboken6.isValid(job) else None


def _outcome(job: Job) -> tuple[str, object]:
    """Run the job's function on this worker thread: ("finished", result), ("failed", reason) or
    ("cancelled", None)."""
    try:
        result = job.fn(job)
    except JobCancelled:
        return "cancelled", None
    except job.expected as e:  # the errors the work is known to raise: their message says it all
        return "failed", error_text(e)
    except BaseException as e:  # a bug in a job (or a plugin, even its sys.exit) must become a message:
        # escaping, nothing ends the job and its pool thread never comes back (the app cannot quit)
        return "failed", f"{type(e).__name__}: {e}"
    return ("cancelled", None) if job.is_cancelled() else ("finished", result)


class _JobRunnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job: Job | None = job

    def run(self) -> None:
        job, self.job = self.job, None
        if job is None:
            return
        key = job.key
        job.outcome = _outcome(job)  # handed over with the job: nothing of it is freed here
        del job  # the UI thread holds it (``_RUNNING``) until ``ended``: its reference is the last one
        _job_signals().ended.emit(key)


class Job(QObject):
    """``fn(job)`` on a thread pool. ``fn`` reports with ``job.report(done, total)``, sends anything else
    with ``job.send(payload)``, and stops early when ``job.is_cancelled()`` (or calls ``job.check()``,
    which raises ``JobCancelled``; ``job.step`` is a (done, total) callback for core code that does both).

    The signals (``progress``, ``message``, ``finished``, ``failed``, ``cancelled``) are emitted on the
    UI thread (the worker's go through ``_JobSignals``), so slots may touch widgets; progress and messages
    stop once Cancel is pressed. Exceptions of the ``expected`` types fail with their own message, others
    with their type name too. The job deletes itself once done; its worker lets go of it before the UI
    thread does (a result must not hold Qt objects either: the worker made it)."""

    progress = Signal(int, int)  # done, total
    message = Signal(object)
    finished = Signal(object)  # the function's result
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        fn: Callable[[Job], object],
        parent: QObject | None = None,
        expected: tuple[type[BaseException], ...] = (),
    ) -> None:
        super().__init__(parent)
        self.fn = fn
        self.expected = expected
        self.key = 0  # its number once started
        self.outcome: tuple[str, object] | None = None
        self._cancel = False
        self.running = False

    def start(self, pool: QThreadPool | None = None) -> None:
        """Run ``fn`` on ``pool`` (the global one by default); call on the UI thread."""
        _job_signals()
        self.key = next(_NUMBERS)
        _RUNNING[self.key] = self
        self.running = True
        (pool or QThreadPool.globalInstance()).start(_JobRunnable(self))

    def cancel(self) -> None:
        """Ask the function to stop; ``cancelled`` follows once it has."""
        self._cancel = True

    def is_cancelled(self) -> bool:
        return self._cancel

    def check(self) -> None:
        if self._cancel:
            raise JobCancelled

    def report(self, done: int, total: int) -> None:
        _job_signals().progress.emit(self.key, done, total)

    def step(self, done: int, total: int) -> None:
        """Progress callback for core code: stops the work (``JobCancelled``) once Cancel was pressed."""
        self.check()
        self.report(done, total)

    def send(self, payload: object) -> None:
        _job_signals().message.emit(self.key, payload)

    def _on_progress(self, done: int, total: int) -> None:
        if not self._cancel:
            self.progress.emit(done, total)

    def _on_message(self, payload: object) -> None:
        if not self._cancel:
            self.message.emit(payload)

    def _on_ended(self) -> None:
        kind, payload = self.outcome or ("cancelled", None)
        self.outcome = None
        self.running = False
        if kind == "finished":
            self.finished.emit(payload)
        elif kind == "failed":
            self.failed.emit(payload)
        else:
            self.cancelled.emit()
        self.deleteLater()
