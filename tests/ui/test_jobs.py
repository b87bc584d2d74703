"""The app's one job runner (ui.jobs.Job): results, messages and progress arrive on the UI thread,
Cancel stops the work through step(), errors become messages (plain for the expected kinds)."""

from __future__ import annotations

import threading

import pytest
import shiboken6

from pixelproof.ui.jobs import Job


def run(qtbot, job: Job) -> dict:
    seen: dict = {"progress": [], "messages": []}
    job.progress.connect(lambda d, t: seen["progress"].append((d, t, threading.current_thread())))
    job.message.connect(lambda m: seen["messages"].append(m))
    job.finished.connect(lambda r: seen.setdefault("result", r))
    job.failed.connect(lambda r: seen.setdefault("failed", r))
    job.cancelled.connect(lambda: seen.setdefault("cancelled", True))
    job.start()
    qtbot.waitUntil(lambda: not job.running, timeout=10000)
    return seen


def test_result_progress_and_messages_come_back_on_the_ui_thread(qtbot) -> None:
    def work(job: Job) -> str:
        for i in range(3):
            job.send(f"line {i}")
            job.step(i + 1, 3)
        return "done"

    seen = run(qtbot, Job(work))
    assert seen["result"] == "done" and seen["messages"] == ["line 0", "line 1", "line 2"]
    assert [(d, t) for d, t, _ in seen["progress"]] == [(1, 3), (2, 3), (3, 3)]
    assert all(thread is threading.main_thread() for *_, thread in seen["progress"])


def test_cancel_stops_the_work_at_the_next_step(qtbot) -> None:
    started, release = threading.Event(), threading.Event()
    steps: list[int] = []

    def work(job: Job) -> None:
        for i in range(100):
            job.step(i, 100)
            steps.append(i)
            if i == 2:
                started.set()
                release.wait(10)

    job = Job(work)
    job.start()
    assert started.wait(10)
    job.cancel()
    release.set()
    seen = run_after(qtbot, job)
    assert seen == {"cancelled": True} and steps == [0, 1, 2]


def run_after(qtbot, job: Job) -> dict:
    seen: dict = {}
    job.finished.connect(lambda r: seen.setdefault("result", r))
    job.cancelled.connect(lambda: seen.setdefault("cancelled", True))
    qtbot.waitUntil(lambda: not job.running, timeout=10000)
    return seen


def test_errors_become_messages(qtbot) -> None:
    def missing(_job: Job) -> None:
        raise OSError("disk.png: not found")

    def bug(_job: Job) -> None:
        raise KeyError("oops")

    assert run(qtbot, Job(missing, expected=(OSError,)))["failed"] == "disk.png: not found"
    assert run(qtbot, Job(bug, expected=(OSError,)))["failed"] == "KeyError: 'oops'"


def test_a_function_that_exits_fails_and_frees_its_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A model plugin that calls ``sys.exit`` (a script's way to stop on a missing dependency): SystemExit
    passed ``except Exception``, so the job never ended (a modal progress dialog waited for ever), stayed in
    the running jobs, and its pool thread never came back (the app could not quit: the pool waits for it).
    It now fails with its type and code like any other error."""
    import sys

    from PySide6.QtCore import QThreadPool

    from pixelproof.ui import jobs

    def plugin(_job: Job) -> None:
        sys.exit("onnxruntime is not installed")

    job = Job(plugin)
    seen = run(qtbot, job)
    assert seen["failed"] == "SystemExit: onnxruntime is not installed"
    assert job.key not in jobs._RUNNING
    assert QThreadPool.globalInstance().waitForDone(10000)


def held_after_its_last_signal(monkeypatch) -> threading.Event:  # type: ignore[no-untyped-def]
    """Every job's worker pauses once its work is done and its end signalled, before it lets go of what
    it holds (as a busy machine may pause a thread there); returns the event that lets it go on."""
    from pixelproof.ui import jobs

    tail = threading.Event()
    real = jobs._JobRunnable.run

    def run(self) -> None:  # type: ignore[no-untyped-def]
        real(self)
        tail.wait(10)

    monkeypatch.setattr(jobs._JobRunnable, "run", run)
    return tail


def destroyed_on(obj, threads: list) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    obj.destroyed.connect(
        lambda *_: threads.append(threading.current_thread()), Qt.ConnectionType.DirectConnection
    )


def watched(job: Job, threads: list) -> None:
    """Record the thread that destroys ``job`` and each Qt object it holds."""
    from PySide6.QtCore import QObject, Qt

    for obj in [job, *(v for v in vars(job).values() if isinstance(v, QObject))]:
        obj.destroyed.connect(
            lambda *_: threads.append(threading.current_thread()), Qt.ConnectionType.DirectConnection
        )


@pytest.mark.parametrize("with_parent", [True, False])
def test_a_jobs_qt_objects_go_on_the_ui_thread_when_its_worker_lets_go_last(
    qtbot, monkeypatch, with_parent
) -> None:  # type: ignore[no-untyped-def]
    """The worker held the job until the thread pool deleted its task, after the job's last signal. When
    the UI thread had handled that signal and deleted the job first, the worker's reference was the last
    one, and the signal object the job emits through was destroyed on the worker thread, while Qt on the
    UI thread could still be disconnecting from it (the Annotators view's test crashed inside Qt's event
    loop in 2 CI runs of 11, its comparison and image-load jobs ending while the UI thread was busy). With
    a parent (the Annotators view's jobs) or none (``dialogs.run_job``'s)."""
    from PySide6.QtCore import QObject, QThreadPool

    tail = held_after_its_last_signal(monkeypatch)
    threads: list = []
    parent = QObject()
    job = Job(lambda _j: 7, parent if with_parent else None)
    watched(job, threads)
    job.start()
    del job  # its parent or the job itself (deleteLater) keeps it until it is done
    qtbot.waitUntil(lambda: bool(threads), timeout=10000)  # ended and deleted, on the UI thread
    tail.set()
    assert QThreadPool.globalInstance().waitForDone(10000)
    assert threads == [threading.main_thread()] * len(threads), threads


def test_a_job_whose_parent_goes_while_it_runs_ends_quietly(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The window (and its view, the job's parent) closed while the work ran: the progress and result that
    come back afterwards find no job, and are dropped without an error; the next job runs as ever."""
    from PySide6.QtCore import QObject, QThreadPool
    from PySide6.QtWidgets import QApplication

    started, release = threading.Event(), threading.Event()

    def work(job: Job) -> str:
        started.set()
        release.wait(10)
        job.report(1, 2)
        return "late"

    parent = QObject()
    job = Job(work, parent)
    seen: list = []
    job.finished.connect(seen.append)
    job.start()
    assert started.wait(10)
    del job
    parent.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(parent), timeout=10000)
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10000)
    QApplication.sendPostedEvents()  # what the worker sent comes back: nothing to deliver it to
    assert seen == []
    assert run(qtbot, Job(lambda _j: "next"))["result"] == "next"
