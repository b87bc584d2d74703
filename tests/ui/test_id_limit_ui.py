"""Drawing and pasting on a project whose object ids reach 2**63 - 1 (another tool's numbering), with real
mouse and key events: each is refused with a message naming the file and the way on, nothing is added
(no object, no undo step) and the file still opens. Before, the box got id 2**63 and the saved file no
longer opened; the error was a traceback on stderr and nothing on screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from pixelproof.core.coco import load_project
from tests.core.test_id_limit import at_the_top
from tests.ui.conftest import open_main_window
from tests.ui.test_workbench import drag, key, set_zoom, view_point

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_box_drawn_and_a_paste_are_refused_with_a_message(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    path = at_the_top(tmp_path).path
    before = path.read_bytes()
    win = open_main_window(qtbot, path)
    doc = win.document
    objects, steps = set(doc.project.annotations), doc.undo_stack.count()
    set_zoom(win, 6.0, center=(40, 30))
    key(win, Qt.Key.Key_B)
    assert win.canvas.tool.name == "box"
    drag(win, view_point(win, 20, 15), view_point(win, 60, 45))
    assert [title for title, _ in errors] == ["Nothing added"]
    assert f"{path}: object ids reach 9223372036854775807" in errors[0][1]
    assert f"pixelproof renumber {path} -o NEW.json" in errors[0][1]
    assert win.canvas.tool._preview is None  # the gesture dropped, no box left drawn
    key(win, Qt.Key.Key_A, CTRL)
    assert doc.selection
    key(win, Qt.Key.Key_C, CTRL)
    key(win, Qt.Key.Key_V, CTRL)
    assert len(errors) == 2 and "object ids reach" in errors[1][1]
    assert set(doc.project.annotations) == objects and doc.undo_stack.count() == steps
    assert doc.undo_stack.isClean()
    key(win, Qt.Key.Key_S, CTRL)
    assert path.read_bytes() == before
    assert set(load_project(path).annotations) == objects
    win.close()
