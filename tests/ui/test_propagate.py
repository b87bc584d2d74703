"""Edit > Propagate… (Ctrl+B) and Edit > Keep Previous Objects (Ctrl+P) on the real window with real keys:
the selected objects copied to the next images the dialog asks for, the previous image's objects onto an
empty next one, each one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QSpinBox

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.core.object_lock import is_locked
from pixelproof.ui.settings import settings
from tests.ui.conftest import make_project, settle, wait_loaded
from tests.ui.test_workbench import click, key, set_zoom, view_point

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def frames(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """Five 240 x 320 frames; frame 1 holds a cat box (#1, locked) and a dog box (#2), frame 4 a copy of
    the cat box already."""
    path = make_project(tmp_path, n_images=5)
    p = load_project(path)
    p.add_annotation(Annotation(1, 1, 1, [20.0, 20.0, 40.0, 30.0], area=1200.0, app_extra={"locked": True}))
    p.add_annotation(Annotation(2, 1, 2, [100.0, 60.0, 50.0, 40.0], area=2000.0))
    p.add_annotation(Annotation(3, 4, 1, [20.0, 20.0, 40.0, 30.0], area=1200.0))
    save_project(p, path)
    win = open_on(path)
    set_zoom(win, 1.0)
    return win


def answer_count(qtbot, count: int, seen: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Type ``count`` into the next modal dialog's number box and press Enter, as a user does."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog.findChild(QSpinBox).maximum())
        box = dialog.findChild(QSpinBox)
        box.setFocus()
        QTest.keyClick(box, Qt.Key.Key_A, CTRL)
        QTest.keyClicks(box, str(count))
        QTest.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, poll)


def boxes(win, image_id: int) -> list[tuple[int, list[float]]]:  # type: ignore[no-untyped-def]
    return [(a.category_id, a.bbox) for a in win.document.project.annotations_of(image_id)]


def test_ctrl_b_copies_the_selection_to_the_next_images_asked_and_ctrl_z_takes_them_back(
    qtbot, frames
) -> None:
    win, doc = frames, frames.document
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 30, 30))
    click(win, view_point(win, 120, 80), SHIFT)
    assert sorted(doc.selection) == [1, 2]
    seen: list = []
    answer_count(qtbot, 3, seen)
    key(win, Qt.Key.Key_B, CTRL)
    assert seen == [4]  # four images follow the first
    win.activateWindow()  # back from the dialog (the offscreen platform does not give it back)
    qtbot.waitUntil(win.isActiveWindow, timeout=10000)
    want = [(1, [20.0, 20.0, 40.0, 30.0]), (2, [100.0, 60.0, 50.0, 40.0])]
    assert boxes(win, 2) == want and boxes(win, 3) == want
    assert boxes(win, 4) == want  # the cat box there already: only the dog box added
    assert len(doc.project.annotations_of(4)) == 2 and boxes(win, 5) == []
    copies = [a for i in (2, 3, 4) for a in doc.project.annotations_of(i)]
    assert not any(is_locked(a) for a in copies) and is_locked(doc.project.annotations[1])
    assert sorted(doc.selection) == [1, 2]  # the selection stays, to propagate further
    text = win.statusBar().currentMessage()
    assert "Propagated 2 objects to the next 3 images; 1 copy not made: the same object is there" in text
    assert win.act_undo.text() == "&Undo Propagate 2 objects to 3 images"
    key(win, Qt.Key.Key_Z, CTRL)
    assert boxes(win, 2) == [] and boxes(win, 3) == [] and len(doc.project.annotations_of(4)) == 1
    assert win.act_undo.text() == "&Undo"  # the propagation was one step
    assert sorted(doc.selection) == [1, 2]


def test_ctrl_b_cancelled_copies_nothing(qtbot, frames) -> None:
    win, doc = frames, frames.document
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 30, 30))
    asked = []

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, cancel)
            return
        asked.append(dialog.windowTitle())
        QTest.keyClick(dialog.findChild(QSpinBox), Qt.Key.Key_Escape)

    QTimer.singleShot(0, cancel)
    key(win, Qt.Key.Key_B, CTRL)
    assert asked == ["Propagate"]
    assert len(doc.project.annotations) == 3 and win.act_undo.text() == "&Undo"


def test_keep_previous_objects_fills_the_next_empty_image_in_one_undo_step(qtbot, frames) -> None:
    win, doc = frames, frames.document
    key(win, Qt.Key.Key_P, CTRL)
    assert win.clipboard.propagation.act_keep.isChecked()
    assert settings().value("edit/keep_previous", False, type=bool)
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    qtbot.waitUntil(lambda: len(doc.project.annotations_of(2)) == 2, timeout=10000)
    want = [(1, [20.0, 20.0, 40.0, 30.0]), (2, [100.0, 60.0, 50.0, 40.0])]
    assert boxes(win, 2) == want
    assert "Kept 2 objects of img0.png" in win.statusBar().currentMessage()
    assert win.act_undo.text() == "&Undo Keep 2 previous objects"
    key(win, Qt.Key.Key_Z, CTRL)
    assert boxes(win, 2) == [] and win.act_undo.text() == "&Undo"
    key(win, Qt.Key.Key_D)  # frame 3: frame 2 has nothing to carry
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_D)  # frame 4 has an object: left as it is
    wait_loaded(qtbot, win)
    settle()
    assert boxes(win, 3) == [] and len(doc.project.annotations_of(4)) == 1
    key(win, Qt.Key.Key_D)  # frame 5 gets frame 4's box
    wait_loaded(qtbot, win)
    qtbot.waitUntil(lambda: len(doc.project.annotations_of(5)) == 1, timeout=10000)
    key(win, Qt.Key.Key_A)
    key(win, Qt.Key.Key_A)  # back to frame 3, still empty: stepping back copies nothing
    wait_loaded(qtbot, win)
    settle()
    assert boxes(win, 3) == []
    key(win, Qt.Key.Key_P, CTRL)  # off: the next empty frame stays empty
    key(win, Qt.Key.Key_A)
    key(win, Qt.Key.Key_A)
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    settle()
    assert (
        doc.current_image_id == 2
        and boxes(win, 2) == []
        and not settings().value("edit/keep_previous", True, type=bool)
    )


def test_ctrl_b_follows_the_images_list_as_its_filter_shows_it(qtbot, frames) -> None:
    """The next images are those D steps to: with img1 and img3 filtered out, frames 3 and 5."""
    win, doc = frames, frames.document
    panel = win.panels["imagesDock"]
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "-img1 -img3")
    qtbot.waitUntil(lambda: panel.filter_summary() == "3 of 5", timeout=10000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 120, 80))
    assert doc.selection == [2]
    seen: list = []
    answer_count(qtbot, 2, seen)
    key(win, Qt.Key.Key_B, CTRL)
    assert seen == [2]  # two images follow in the list as shown
    dog = [(2, [100.0, 60.0, 50.0, 40.0])]
    assert boxes(win, 3) == dog and boxes(win, 5) == dog
    assert boxes(win, 2) == [] and len(doc.project.annotations_of(4)) == 1


def test_a_cvat_video_track_steps_onto_its_empty_frames_and_ctrl_b_keeps_its_track_id(
    qtbot, tmp_path: Path, open_on
) -> None:
    """A CVAT for video export whose car leaves the view after frame 1: frames 2 and 3 hold no shape.
    Before, they were no images of the project (D went from frame 1 to nothing, Ctrl+B had no next frame
    to copy to) and the copies had no track id. Now D walks every frame on disk and Ctrl+B's copies keep
    the car's track_id; Ctrl+D's copy beside the car is another object (no track id)."""
    from PIL import Image

    from pixelproof.interop.cvat import read_cvat

    src = tmp_path / "cvat"
    (src / "images").mkdir(parents=True)
    for f in range(4):
        Image.new("RGB", (160, 120), (40, 40, 40)).save(src / "images" / f"frame_{f:06d}.jpg")
    box = '<box frame="{}" outside="{}" keyframe="1" xtl="20" ytl="20" xbr="60" ybr="50"/>'
    (src / "annotations.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version><meta><task>'
        "<labels><label><name>car</name></label></labels>"
        "<original_size><width>160</width><height>120</height></original_size></task></meta>"
        f'<track id="4" label="car">{box.format(0, 0)}{box.format(1, 0)}{box.format(2, 1)}</track>'
        "</annotations>",
        encoding="utf-8",
    )
    project = read_cvat(src).project
    project.path = src / "video.json"  # beside annotations.xml: the file names are relative to it
    save_project(project, project.path)
    win = open_on(project.path)
    doc = win.document
    set_zoom(win, 1.0)
    assert [Path(i.file_name).name for i in doc.project.images.values()] == [
        f"frame_{f:06d}.jpg" for f in range(4)
    ]
    key(win, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: doc.current_image_id == 2, timeout=10000)  # frame 1
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 40, 35))
    (car,) = doc.selection
    assert doc.project.annotations[car].extra == {"track_id": 4}
    seen: list = []
    answer_count(qtbot, 2, seen)
    key(win, Qt.Key.Key_B, CTRL)
    assert seen == [2]  # frames 2 and 3 follow
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=10000)
    copies = [a for i in (3, 4) for a in doc.project.annotations_of(i)]
    assert [(a.bbox, a.extra) for a in copies] == [([20.0, 20.0, 40.0, 30.0], {"track_id": 4})] * 2
    key(win, Qt.Key.Key_D, CTRL)  # Duplicate on frame 1: a second object, not a second car 4
    settle()
    (dup,) = [a for a in doc.project.annotations_of(2) if a.id != car]
    assert dup.extra == {}
