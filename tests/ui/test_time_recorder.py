"""Time spent per image (``TimeRecorder``): a visit is measured when the image changes but its edit is
applied once that event is over (a table changing the image in the middle of its model's change must not
see the project change under it); a save, closing the window or the project apply what is held at once."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project
from pixelproof.core.edits.images import AddImages
from pixelproof.core.history import current_author
from tests.ui.conftest import make_project, settle


def _clock(window) -> list[float]:  # type: ignore[no-untyped-def]
    """A clock the test moves; the current visit starts now."""
    now = [1000.0]
    timer = window.teams.timer
    timer.clock = lambda: now[0]
    timer.since = now[0]
    return now


def _spent(doc) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {iid: entry[current_author()] for iid, entry in doc.project.app.get("time_spent", {}).items()}


def test_each_quick_visit_is_measured_when_left_and_applied_once_after_the_event(window) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    now = _clock(window)
    for image_id, seconds in ((2, 5.0), (3, 3.0), (1, 2.0)):  # three changes in one event
        now[0] += seconds
        doc.set_current_image(image_id)
    assert _spent(doc) == {}  # nothing changed the project while the image changed
    now[0] += 100.0  # what happens before the edits apply does not count
    settle()
    assert _spent(doc) == {"1": 5.0, "2": 3.0, "3": 2.0}
    settle()
    assert _spent(doc) == {"1": 5.0, "2": 3.0, "3": 2.0}  # once each


def test_a_save_right_after_leaving_an_image_holds_its_time(window) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    now = _clock(window)
    now[0] += 7.0
    doc.set_current_image(2)
    target = doc.save()
    saved = load_project(target).app["time_spent"]
    assert {i: e[current_author()] for i, e in saved.items()} == {"1": 7.0}
    settle()
    assert _spent(doc) == {"1": 7.0}  # not applied a second time


def test_closing_the_window_right_after_leaving_an_image_keeps_its_time(window) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    now = _clock(window)
    now[0] += 7.0
    doc.set_current_image(2)
    now[0] += 4.0
    doc.undo_stack.setClean()
    window.close()
    assert _spent(doc) == {"1": 7.0, "2": 4.0}  # the image left, and the one shown as it closed
    settle()
    assert _spent(doc) == {"1": 7.0, "2": 4.0}


def test_another_project_opened_right_after_a_change_gets_none_of_the_old_ones_time(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    now = _clock(window)
    now[0] += 7.0
    doc.set_current_image(2)
    other = make_project(tmp_path / "other")
    doc.undo_stack.setClean()
    assert window.open_path(other)
    assert window.document is not doc
    assert _spent(doc) == {"1": 7.0}  # recorded in the project it was spent in, before it went
    settle()
    assert _spent(window.document) == {}


def test_an_image_removed_before_its_time_applies_gets_none(window) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    extra = replace(doc.project.images[3], id=99, file_name="img99.png")
    doc.push(AddImages([extra]))
    settle()
    doc.set_current_image(99)
    now = _clock(window)
    now[0] += 7.0
    doc.set_current_image(1)
    doc.undo_stack.undo()  # the image goes before its visit's time is applied
    assert 99 not in doc.project.images
    settle()
    assert "99" not in _spent(doc)


def _listed(panel) -> list[str]:  # type: ignore[no-untyped-def]
    model = panel.table.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_images_filter_hiding_the_shown_image_after_a_long_visit_lists_the_right_rows(window) -> None:  # type: ignore[no-untyped-def]
    """The labeling view's Images panel: a filter hiding the image shown keeps it shown (no visit ends);
    a click on a row then leaves it, its time recorded once, the rows as the filter says."""
    doc, panel = window.document, window.panels["imagesDock"]
    assert doc.current_image_id == 1
    window.teams.timer.since -= 5
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "-img0")
    assert _listed(panel) == ["img1.png", "img2.png"]
    assert doc.current_image_id == 1 and not panel.table.currentIndex().isValid()
    settle()
    assert _listed(panel) == ["img1.png", "img2.png"] and _spent(doc) == {}
    rect = panel.table.visualRect(panel.table.model().index(1, 0))
    QTest.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert doc.current_image_id == 3
    settle()
    assert _listed(panel) == ["img1.png", "img2.png"]
    assert list(_spent(doc)) == ["1"] and _spent(doc)["1"] >= 5.0
