"""A wand click's fill runs in a worker: an annotator who clicks and at once presses G (done, next image)
gets the region on the image just left, not a status bar saying "Wand: filling…" on the next image while
the click is thrown away (and the image marked done without it). Esc drops it, and says so. The fill is
held back by a gate on the wand's one-thread pool, opened as the image changes, so the answer is never in
before the key: real mouse and key events on the real main window."""

from __future__ import annotations

import threading

from PySide6.QtCore import QRunnable, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.test_mask_tools import click, default_options, key, set_view, vp_at  # noqa: F401 (autouse)


class Gate(QRunnable):
    """Holds the wand's pool until ``opened``: the click's fill queues behind it."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = threading.Event()

    def run(self) -> None:
        self.opened.wait(30)


def held_click(win, x: float, y: float) -> Gate:  # type: ignore[no-untyped-def]
    key(win, Qt.Key.Key_F)
    gate = Gate()
    win.canvas.tool._pool.start(gate)
    click(win, vp_at(win, x, y))
    assert win.canvas.tool.is_busy() and win.statusBar().currentMessage() == "Wand: filling…"
    return gate


def test_g_right_after_a_wand_click_adds_its_region_on_the_image_left(window, monkeypatch) -> None:
    doc = window.document
    set_view(window, 2.0)
    first = doc.current_image_id
    gate = held_click(window, 100, 100)
    tool = window.canvas.tool
    settle = tool.settle

    def settled() -> None:  # the fill may end now, but is not answered before G's handling asks for it
        gate.opened.set()
        settle()

    monkeypatch.setattr(tool, "settle", settled)
    key(window, Qt.Key.Key_G)
    assert doc.current_image_id != first and doc.project.image_status(first) == "done"
    added = [a for a in doc.project.annotations.values() if a.image_id == first]
    assert [a.kind for a in added] == ["mask"] and added[0].area > 0
    assert "filling" not in window.statusBar().currentMessage()
    steps = [doc.undo_stack.text(i) for i in range(doc.undo_stack.count())]
    assert steps == ["Wand fill", "Mark image as done"]  # the first Ctrl+Z takes back the mark, as typed


def test_esc_drops_a_wand_click_still_filling_and_says_so(window) -> None:
    set_view(window, 2.0)
    gate = held_click(window, 100, 100)
    key(window, Qt.Key.Key_Escape)
    assert window.statusBar().currentMessage() == "Wand: the fill of the last click was dropped"
    gate.opened.set()
    window.canvas.tool._pool.waitForDone()
    QApplication.processEvents()  # the dropped answer's queued signal is delivered, and ignored
    assert window.document.project.annotations == {}
