"""A video labelled from scratch gets a track on the real window, as in CVAT's track mode: a box drawn on
frame 0 with the box tool, T (Tracks > New Track) starts a track; D four times to frame 4, a box drawn there
put on the track by typing its number in Properties (a second box on that frame refused, saying why); Tracks >
Fill Between Frames fills frames 1-3 with the interpolated boxes. Before T, Fill Between Frames is greyed
saying how to give the box a track."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.track_fill import SOURCE
from pixelproof.interop.provenance import FILL_EDITED
from pixelproof.ui.track_fill_actions import no_track
from tests.ui.conftest import settle, wait_loaded
from tests.ui.test_slice_fill import click_in_menu, show_in_select
from tests.ui.test_workbench import click, draw_box, key, view_point

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def clip(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """Frames frame_000000..4.png of 48x48, no object."""
    data = tmp_path / "data"
    data.mkdir()
    for f in range(5):
        cv2.imwrite(str(data / f"frame_{f:06d}.png"), np.zeros((48, 48), np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", ["car"])
    save_project(project, tmp_path / "p.json")
    ids = {im.file_name: im.id for im in project.images.values()}
    return open_on(tmp_path / "p.json"), [ids[f"data/frame_{f:06d}.png"] for f in range(5)]


def type_track(qtbot, win, text: str) -> None:  # type: ignore[no-untyped-def]
    """Click the Track field of Properties, type ``text`` over what it holds, press Return."""
    field = win.panels["propertiesDock"].track.edit
    qtbot.waitUntil(field.isVisible, timeout=10000)
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    field.selectAll()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)
    settle()


def test_a_track_started_with_t_joined_in_properties_and_filled_from_the_tracks_menu(qtbot, clip) -> None:
    win, frame = clip
    doc = win.document
    fill = win.clipboard.track_fill.act_fill
    show_in_select(qtbot, win, frame[0])
    first = draw_box(win, 8, 8, 24, 24)
    settle()
    assert doc.selection == [first] and not fill.isEnabled()
    assert no_track() in fill.toolTip() and "New Track (T)" in fill.statusTip()  # how to give it one
    field = win.panels["propertiesDock"].track
    assert not field.isVisible()  # no track in the project: the Properties row keeps its height
    key(win, Qt.Key.Key_T)
    settle()
    assert field.isVisible()
    assert doc.project.annotations[first].extra == {"track_id": 0}
    assert win.statusBar().currentMessage().startswith("Started track 0")
    assert fill.isEnabled()  # the edit enabled it, the selection unchanged
    assert win.panels["propertiesDock"].track.edit.text() == "0"
    for _ in range(4):  # the image list's next-image key
        key(win, Qt.Key.Key_D)
        wait_loaded(qtbot, win)
    assert doc.current_image_id == frame[4]
    second = draw_box(win, 24, 8, 40, 24)
    settle()
    type_track(qtbot, win, "0")
    assert doc.project.annotations[second].extra == {"track_id": 0}
    assert win.act_undo.text() == "&Undo Set Track 0"
    third = draw_box(win, 8, 30, 20, 44)  # another box on frame 4: track 0 has one here already
    settle()
    type_track(qtbot, win, "0")
    assert doc.project.annotations[third].extra == {}
    said = win.statusBar().currentMessage()
    assert said.startswith(f"Track not set: track 0 already has object #{second} on data/frame_000004.png"), (
        said
    )
    assert win.panels["propertiesDock"].track.edit.text() == ""  # the field shows the box's track again
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 32, 16))
    assert doc.selection == [second]
    a, b = doc.project.annotations[first].bbox, doc.project.annotations[second].bbox
    click_in_menu(qtbot, win, fill)
    settle()
    for k in (1, 2, 3):
        (filled,) = doc.project.annotations_of(frame[k])
        assert filled.source == SOURCE and filled.extra["track_id"] == 0
        assert filled.bbox == pytest.approx([p + (q - p) * k / 4 for p, q in zip(a, b, strict=True)])
    assert win.statusBar().currentMessage().startswith("Filled 3 frames of track 0 between 2 drawn frames")
    key(win, Qt.Key.Key_Z, CTRL)  # one undo takes the fill back
    assert all(not doc.project.annotations_of(frame[k]) for k in (1, 2, 3))


def test_new_track_on_the_tracks_menu_greyed_without_a_selection(qtbot, clip) -> None:
    win, frame = clip
    act = win.clipboard.tracks.act_new_track
    show_in_select(qtbot, win, frame[0])
    assert act.property("shortcut_id") == "edit.new_track" and not act.isEnabled()
    drawn = draw_box(win, 8, 8, 24, 24)
    settle()
    assert act.isEnabled()
    click_in_menu(qtbot, win, act)
    settle()
    assert win.document.project.annotations[drawn].extra == {"track_id": 0}
    assert win.act_undo.text() == "&Undo New Track 0"
    key(win, Qt.Key.Key_Z, CTRL)
    settle()
    assert win.document.project.annotations[drawn].extra == {}
    assert not win.clipboard.track_fill.act_fill.isEnabled()  # the undo took the track: greyed again


def test_properties_and_the_annotations_list_tell_a_key_frame_from_an_interpolated_one(qtbot, clip) -> None:
    """The CVAT way on the real window: the box drawn on frame 0 (T), copied and pasted on frame 4, moved with
    the arrows, filled from the Tracks menu; picked on frame 2, the filled box reads `interpolated 0-4` in
    Properties and `track 0 interpolated` in its Annotations row (CVAT's sidebar shows whether a shape is a
    keyframe); an arrow key moves it and it is a key from then on; Ctrl+Z makes it interpolated again."""
    win, frame = clip
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    first = draw_box(win, 8, 8, 24, 24)
    settle()
    key(win, Qt.Key.Key_T)
    key(win, Qt.Key.Key_C, CTRL)
    settle()
    kind = win.panels["propertiesDock"].track.kind
    assert kind.isVisible() and kind.text() == "key frame"  # the drawn box
    rows = win.panels["annotationsDock"].list
    assert rows.model().index(0, 0).data() == f"#{first}  car  ·  box  ·  track 0 key"
    for _ in range(4):
        key(win, Qt.Key.Key_D)
        wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_V, CTRL)  # the copy keeps the track
    settle()
    for _ in range(2):
        key(win, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # 10 px right
    settle()
    click_in_menu(qtbot, win, win.clipboard.track_fill.act_fill)
    settle()
    for _ in range(2):
        key(win, Qt.Key.Key_A)
        wait_loaded(qtbot, win)
    assert doc.current_image_id == frame[2]
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 26, 16))  # the filled box, 10 px right of the first
    settle()
    (filled,) = doc.project.annotations_of(frame[2])
    assert doc.selection == [filled.id]
    assert kind.isVisible() and kind.text() == "interpolated 0-4"
    assert "Move or resize it and it becomes a key frame" in kind.toolTip()
    assert rows.model().index(0, 0).data() == f"#{filled.id}  car  ·  box  ·  track 0 interpolated"
    source = win.panels["propertiesDock"].source
    assert source.text() == "interpolated: linear"
    key(win, Qt.Key.Key_Right)  # moved: the user's, a key
    settle()
    assert kind.text() == "key frame" and rows.model().index(0, 0).data().endswith("track 0 key")
    assert source.text() == f"interpolated: linear, {FILL_EDITED}"  # it read "interpolated: linear" still
    key(win, Qt.Key.Key_Z, CTRL)
    settle()
    assert source.text() == "interpolated: linear"
    assert kind.text() == "interpolated 0-4" and rows.model().index(0, 0).data().endswith(
        "track 0 interpolated"
    )


def test_the_export_summary_names_cvat_for_video_when_the_track_made_it_so(qtbot, clip, tmp_path) -> None:
    """Ctrl+E, CVAT, Export on a clip with a track (T): the file is CVAT for video (``<track>``, interpolation
    mode), and the status bar says so, not "CVAT for images" (the format list names both kinds)."""
    from tests.ui.test_interop_dialogs import fill_and_ok

    win, frame = clip
    show_in_select(qtbot, win, frame[0])
    draw_box(win, 8, 8, 24, 24)
    settle()
    key(win, Qt.Key.Key_T)
    key(win, Qt.Key.Key_E, CTRL)
    dlg = win.interop.dialog
    qtbot.waitUntil(lambda: dlg is not None and dlg.isVisible(), timeout=10000)
    fill_and_ok(qtbot, dlg, "cvat", tmp_path / "out")
    qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith("Exported"), timeout=10000)
    assert '<track id="0"' in (tmp_path / "out" / "annotations.xml").read_text()
    said = win.statusBar().currentMessage()
    assert " as CVAT for video 1.1 XML to " in said, said


def test_go_to_frame_shows_a_frame_by_its_number_and_d_walks_on_from_it(qtbot, clip) -> None:
    """Image > Go to Frame…, 3 typed and Enter (CVAT's frame box): frame 3 is shown, no filter left on, so D
    goes on to frame 4 (Find Image's filter would keep D on the one image it lists)."""
    from PySide6.QtWidgets import QApplication

    from tests.ui.test_propagate import answer_count

    win, frame = clip
    doc = win.document
    act = win.panels["imagesDock"].go_to_frame.act
    image_menu = next(m for m in win.menus if act in m.actions())
    ids = [a.property("shortcut_id") for a in image_menu.actions()]
    assert ids.index("image.go_to_frame") == ids.index("image.find") + 1  # under Find Image…
    offered: list[int] = []
    answer_count(qtbot, 3, offered)
    bar = win.menuBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(image_menu.menuAction()).center())
    qtbot.waitUntil(image_menu.isVisible, timeout=10000)
    QTest.mouseClick(image_menu, Qt.MouseButton.LeftButton, pos=image_menu.actionGeometry(act).center())
    qtbot.waitUntil(lambda: doc.current_image_id == frame[3], timeout=10000)
    assert offered == [4]  # the frames are 0-4
    assert win.statusBar().currentMessage() == "Frame 3: data/frame_000003.png"
    wait_loaded(qtbot, win)
    win.activateWindow()  # the offscreen platform leaves the closed dialog active: keys would go nowhere
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == frame[4]


def test_go_to_frame_takes_the_nearest_frame_of_a_clip_with_gaps() -> None:
    from pixelproof.ui.go_to_frame import nearest

    frames = [(0, 10), (3, 11), (6, 12)]  # every 3rd frame exported
    assert nearest(frames, 3) == (3, 11) and nearest(frames, 4) == (3, 11) and nearest(frames, 5) == (6, 12)
    assert nearest([(0, 10), (2, 11)], 1) == (0, 10)  # the earlier of two as near
    assert nearest(frames, 99) == (6, 12) and nearest(frames, -5) == (0, 10)
