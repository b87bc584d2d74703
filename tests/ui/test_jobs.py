"""The app's one job runner (ui.workers.Job): results, messages and progress arrive on the UI thread,
Cancel stops the work through step(), errors become messages (plain for the expected kinds)."""

from __future__ import annotations

import threading

from pixelproof.ui.workers import Job


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
