"""The review view on a laptop screen: the Images table fits its pane, every header and decision reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from pixelproof.core.demo import install_demo
from tests.ui.conftest import header_reads_whole, settle, wait_loaded
from tests.ui.test_review import enter_review, opened, table_click

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, tmp_path: Path, no_prompts):
    """The main window on the installed demo project (its reference scores ten images)."""
    yield from opened(qtbot, install_demo(tmp_path / "demo"))


def assert_fits(qtbot, table, review_words: set[str]) -> None:  # type: ignore[no-untyped-def]
    """No horizontal scroll bar; every shown header whole (its title, and the sort arrow where it is); the
    last (Review) column's words whole."""
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width(), (header.length(), table.viewport().width())
    # the columns fit: the scroll bar goes when Qt's view updates its geometry (a timer after a resize)
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible(), timeout=10000)
    for col in range(header.count()):
        if not table.isColumnHidden(col):
            assert header_reads_whole(table, col), (col, table.columnWidth(col))
    fm = table.fontMetrics()
    review = header.count() - 1
    for word in review_words:
        assert fm.horizontalAdvance(word) + 8 <= table.columnWidth(review), (word, table.columnWidth(review))


@pytest.mark.parametrize("size", [(1366, 740), (1280, 720)])
def test_on_a_laptop_screen_the_images_table_fits_its_pane(qtbot, window, size) -> None:
    """At 1366x740 and 1280x720 the Images table was 29 px wider than its 470-px pane: a horizontal scroll
    bar, and the right part of the Review column out of sight. Its columns are now fitted to what they show:
    the figures and Review as wide as their headers (Review as its longest word), the Image column the
    rest, a name cut in the middle only when short of room."""
    window.resize(*size)
    enter_review(qtbot, window)
    view = window.review.view
    table = view.images.image_table
    decision = view.decision
    qtbot.mouseClick(decision.reject_image_button, LEFT)  # the worst image: rejected
    table_click(table, 1)
    qtbot.mouseClick(decision.accept_image_button, LEFT)
    settle()  # the layout: turns of the event loop, not ms
    proxy = view.images.image_proxy
    review = proxy.columnCount() - 1
    words = {str(proxy.index(r, review).data()) for r in range(proxy.rowCount())} - {""}
    assert {"accepted", "rejected"} <= words
    assert_fits(qtbot, table, words | {"reviewed"})  # "reviewed": an image marked done without a decision
    fm = table.fontMetrics()
    for r in range(proxy.rowCount()):  # the demo's names read whole too
        name = str(proxy.index(r, 0).data())
        assert fm.horizontalAdvance(name) + 8 <= table.columnWidth(0), (name, table.columnWidth(0))
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle  # a name cut anyway keeps its extension


def test_a_column_switched_on_from_the_header_menu_takes_room_from_the_names(qtbot, window) -> None:
    """A metric column shown from the header's context menu is as wide as its header; the Image column
    gives up the room, so still no scroll bar (and hidden again, the names get it back)."""
    window.resize(1280, 720)
    enter_review(qtbot, window)
    table = window.review.view.images.image_table
    header = table.horizontalHeader()
    settle()  # the layout: turns of the event loop, not ms
    before = table.columnWidth(0)
    tp = window.review.view.images.image_model.column_of("tp")
    assert table.isColumnHidden(tp)

    def toggle_tp() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        act = next(a for a in menu.actions() if a.text() == "TP")
        QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())

    for shown in (True, False):
        QTimer.singleShot(100, toggle_tp)
        pos = QPoint(header.sectionViewportPosition(1) + 5, header.height() // 2)
        at = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, header.viewport().mapToGlobal(pos))
        QApplication.sendEvent(header.viewport(), at)
        settle()  # the layout: turns of the event loop, not ms
        assert table.isColumnHidden(tp) != shown
        assert_fits(qtbot, table, set())
        if shown:
            assert table.columnWidth(0) < before
    assert table.columnWidth(0) == before


@pytest.mark.parametrize("scored", [False, True])
def test_at_1280x720_the_class_and_object_tables_fit_too(qtbot, window, scored) -> None:
    """Without a reference (or before the first run) the Per class and Objects tables were empty with
    100-px columns: a scroll bar under each and headers cut ("T", "IoU" at the edge). Scored or not, every
    header reads whole without a scroll bar."""
    from pixelproof.core.edits import SetReference

    window.resize(1280, 720)
    wait_loaded(qtbot, window)
    if not scored:
        window.document.push(SetReference(None))
        window.canvas.setFocus()
        QTest.keyClick(window.canvas, Qt.Key.Key_Tab, CTRL)
        qtbot.waitUntil(lambda: window.review.view.no_reference.isVisible(), timeout=10000)
    else:
        enter_review(qtbot, window)
    settle()  # the layout: turns of the event loop, not ms
    view = window.review.view
    for table in (view.images.image_table, view.images.class_table, view.object_table):
        assert_fits(qtbot, table, set())
