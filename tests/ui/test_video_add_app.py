"""File > Add Video Frames…: a second clip's frames written into a subfolder of the open project's folder
(named after the video) in a job with progress and Cancel, then added as Add Images adds files: one undo
step, in frame order. Real clicks and keys on the real window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from pixelproof.core.coco import dumps_project
from pixelproof.core.track_fill import sequence_frames
from pixelproof.ui.video_frames_actions import FramesDialog
from tests.core.video_files import write_video
from tests.ui.conftest import click_button, jobs_ended, make_project, open_main_window
from tests.ui.test_file_lifecycle import click_file_menu
from tests.ui.test_image_list_actions import dismiss
from tests.ui.test_video_frames_app import _choose_frames, cancel_after_three_frames, when_shown

CTRL = Qt.KeyboardModifier.ControlModifier


def _window_with_video(qtbot, tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    (tmp_path / "videos").mkdir()
    video = write_video(tmp_path / "videos" / "clip.mp4", frames=20)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(video), "")))
    win = open_main_window(qtbot, make_project(tmp_path / "proj"))
    return win, video


def test_add_video_frames_adds_them_in_frame_order_as_one_undo_step(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    win, _video = _window_with_video(qtbot, tmp_path, monkeypatch)
    doc = win.document
    before, steps = dumps_project(doc.project), doc.undo_stack.count()
    asked: list[str] = []

    def answer(dialog: FramesDialog) -> None:
        asked.append(dialog.folder.text())
        _choose_frames("5")(dialog)

    when_shown(FramesDialog, answer)
    click_file_menu(qtbot, win, "Add Video Frames…")
    qtbot.waitUntil(lambda: len(doc.project.images) == 7, timeout=20000)
    assert asked == [str(tmp_path / "proj" / "clip")]  # a subfolder of the project's, named after the video
    new = sorted(doc.project.images)[3:]
    names = [doc.project.images[i].file_name for i in new]
    assert names == [f"clip/frame_{n:06d}.png" for n in (0, 5, 10, 15)]
    assert [f for f, _ in sequence_frames(doc.project, new[0])] == [0, 5, 10, 15]  # a sequence of its own
    assert doc.undo_stack.count() == steps + 1
    assert win.statusBar().currentMessage().startswith("Added 4 frames of clip.mp4 to the project")
    dismiss(win, qtbot)
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert dumps_project(doc.project) == before
    assert sorted(p.name for p in (tmp_path / "proj" / "clip").iterdir())[0] == "frame_000000.png"  # kept
    doc.undo_stack.setClean()
    win.close()


def test_cancel_adds_nothing(qtbot, tmp_path: Path, monkeypatch, no_prompts) -> None:
    win, _video = _window_with_video(qtbot, tmp_path, monkeypatch)
    doc = win.document
    before, steps = dumps_project(doc.project), doc.undo_stack.count()
    cancel_after_three_frames(qtbot, monkeypatch)
    when_shown(FramesDialog, _choose_frames("1"))
    click_file_menu(qtbot, win, "Add Video Frames…")
    qtbot.waitUntil(lambda: "Cancelled" in win.statusBar().currentMessage(), timeout=10000)
    jobs_ended()
    assert dumps_project(doc.project) == before and doc.undo_stack.count() == steps
    assert win.image_list.message is None  # no Add Images run, no result message
    win.close()


def test_a_folder_holding_frames_is_refused_by_name(qtbot, tmp_path: Path, monkeypatch, no_prompts) -> None:
    win, _video = _window_with_video(qtbot, tmp_path, monkeypatch)
    doc = win.document
    before = dumps_project(doc.project)
    (tmp_path / "proj" / "clip").mkdir()
    (tmp_path / "proj" / "clip" / "frame_000000.png").write_bytes(b"an earlier run's")
    said: list[str] = []

    def read_and_close(box: QMessageBox) -> None:
        said.append(box.text())
        click_button(box.button(QMessageBox.StandardButton.Ok))

    when_shown(FramesDialog, _choose_frames("1"))
    when_shown(QMessageBox, read_and_close)
    click_file_menu(qtbot, win, "Add Video Frames…")
    qtbot.waitUntil(lambda: bool(said), timeout=20000)
    jobs_ended()
    (text,) = said
    assert str(tmp_path / "proj" / "clip") in text and "holds 1 frame file already" in text
    assert dumps_project(doc.project) == before
    assert [p.name for p in (tmp_path / "proj" / "clip").iterdir()] == ["frame_000000.png"]
    win.close()
