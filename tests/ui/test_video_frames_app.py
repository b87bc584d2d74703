"""File > New Project from Video…: the frames written in a job (progress, Cancel), then the folder opened
as a new project, each frame named by its number in the video. Real clicks and keys on the real window."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QProgressDialog,
    QPushButton,
)

from pixelproof.core.track_fill import sequence_frames
from pixelproof.ui import video_frames_actions
from pixelproof.ui.video_frames_actions import FramesDialog
from tests.core.video_files import write_video
from tests.ui.conftest import click_button, jobs_ended, wait_loaded
from tests.ui.test_file_lifecycle import click_file_menu
from tests.ui.test_files_and_panels import new_window


def when_shown(kind, callback) -> None:  # type: ignore[no-untyped-def]
    """Run ``callback(widget)`` on the first visible top-level widget of ``kind`` once it shows."""

    def poll() -> None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        if found:
            callback(found[0])
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)


def cancel_after_three_frames(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The frames job held after its third frame until the progress box's Cancel is clicked (once 3 frames
    are out: the box may show before them on a busy machine); the next frame's progress then stops it."""
    held, reached, real = threading.Event(), threading.Event(), video_frames_actions.extract_frames

    def slowed(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        def step(done: int, total: int) -> None:
            progress(done, total)
            if done == 3:
                reached.set()
                held.wait(20)

        return real(*args, progress=step, **kwargs)

    monkeypatch.setattr(video_frames_actions, "extract_frames", slowed)

    def press_cancel(box: QProgressDialog) -> None:
        qtbot.waitUntil(reached.is_set, timeout=10000)
        click_button(box.findChild(QPushButton))
        held.set()

    when_shown(QProgressDialog, press_cancel)


def _choose_frames(step: str):  # type: ignore[no-untyped-def]
    def answer(dialog: FramesDialog) -> None:
        dialog.step.selectAll()
        QTest.keyClicks(dialog.step, step)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        click_button(ok)

    return answer


def test_new_project_from_video_writes_every_third_frame_and_opens_them(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=20)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(video), "")))
    win = new_window(qtbot)
    when_shown(FramesDialog, _choose_frames("3"))
    polls = [0]

    def categories() -> None:  # the categories question, once the progress box (modal too) has gone
        dialog = QApplication.activeModalWidget()
        names = dialog.findChild(QLineEdit, "categoryNames") if dialog is not None else None
        if names is not None:
            names.selectAll()
            QTest.keyClicks(names, "car")
            QTest.keyClick(names, Qt.Key.Key_Return)
        elif polls[0] < 3000:
            polls[0] += 1
            QTimer.singleShot(10, categories)

    QTimer.singleShot(0, categories)
    click_file_menu(qtbot, win, "New Project from Video…")
    wait_loaded(qtbot, win)
    project = win.document.project
    names = [Path(i.file_name).name for i in project.images.values()]
    assert names == [f"frame_{n:06d}.png" for n in (0, 3, 6, 9, 12, 15, 18)]
    assert Path(project.path).parent == tmp_path / "clip"  # the folder beside the video, named after it
    assert [f for f, _ in sequence_frames(project, next(iter(project.images)))] == [0, 3, 6, 9, 12, 15, 18]
    assert [c.name for c in project.categories.values()] == ["car"]
    win.document.undo_stack.setClean()
    win.close()


def test_cancel_stops_the_frames_and_opens_nothing(qtbot, tmp_path: Path, monkeypatch, no_prompts) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=20)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(video), "")))
    win = new_window(qtbot)
    cancel_after_three_frames(qtbot, monkeypatch)
    when_shown(FramesDialog, _choose_frames("1"))
    click_file_menu(qtbot, win, "New Project from Video…")
    qtbot.waitUntil(lambda: "Cancelled" in win.statusBar().currentMessage(), timeout=10000)
    jobs_ended()
    assert win.document is None
    written = sorted(p.name for p in (tmp_path / "clip").iterdir())
    assert written == [f"frame_{n:06d}.png" for n in range(len(written))] and 3 <= len(written) < 20
