"""A keyboard-first QA reviewer's walk through the review view and back: Help > Shortcuts says where each
key acts (labeling view, review view, anywhere), Tab in the review view stops only at controls that work
there, and closing Help with Esc gives the keys back to the widget that had them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from pixelproof.core.demo import install_demo
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import settle
from tests.ui.test_review import enter_review, open_window

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, tmp_path: Path, no_prompts):
    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    win.resize(1366, 768)
    yield win
    if win.document is not None:
        win.document.undo_stack.setClean()
    win.close()


def key(k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """``k`` pressed on whatever has the keyboard focus."""
    QTest.keyClick(QApplication.focusWidget(), k, mod)
    settle()


def help_by_f1(qtbot, on_open) -> None:  # type: ignore[no-untyped-def]
    """F1 on the focus widget; ``on_open(dialog)`` runs in Help > Shortcuts, which Esc then closes."""
    seen: list = []
    deadline = time.monotonic() + 10

    def drive() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None or QApplication.activeWindow() is not dlg:  # not open (or not active) yet
            if time.monotonic() < deadline:
                QTimer.singleShot(20, drive)
            elif dlg is not None:  # open, never active: fail, and close it so the F1 press returns
                seen.extend([dlg, AssertionError("Help never became the active window in 10 s")])
                dlg.reject()
            return
        seen.append(dlg)
        try:
            on_open(dlg)
        except BaseException as e:  # raised again by the test, once the dialog is closed
            seen.append(e)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        if dlg.isVisible():  # Esc did not close it: closed all the same, not left hanging the test
            seen.append(f"Esc left it open: {QApplication.focusWidget()}")
            dlg.reject()

    QTimer.singleShot(0, drive)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    if len(seen) > 1 and isinstance(seen[1], BaseException):
        raise seen[1]
    assert len(seen) == 1 and not seen[0].isVisible(), seen


def test_help_says_where_each_key_acts(qtbot, window) -> None:
    """Help > Shortcuts listed . or G without saying that one works in the review view only and the
    other in the labeling view only (README's table has a where column): its Where column says it for
    every row, from the registry's context, and finding "review view" lists the review's keys."""
    window.canvas.setFocus()
    settle()
    found: dict[str, dict[str, tuple[str, str]]] = {}

    def read(dlg) -> None:  # type: ignore[no-untyped-def]
        t = dlg.table
        assert [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())] == [
            "Keys",
            "Action",
            "Where",
        ]

        def shown() -> dict[str, tuple[str, str]]:
            return {
                t.item(r, 1).text(): (t.item(r, 0).text(), t.item(r, 2).text())
                for r in range(t.rowCount())
                if not t.isRowHidden(r)
            }

        found["all"] = shown()
        tips = {t.item(r, 1).text(): t.item(r, 2).toolTip() for r in range(t.rowCount())}
        assert "does nothing" in tips[REGISTRY.get("review.note").described]
        assert "does nothing" in tips[REGISTRY.get("tool.box").described]
        QTest.keyClicks(dlg.filter_edit, "review view")
        found["review"] = shown()

    help_by_f1(qtbot, read)
    rows = found["all"]
    described = {id: REGISTRY.get(id).described for id in ("review.next_problem", "image.done_next")}
    assert rows[described["review.next_problem"]][1] == "review view"
    assert rows[described["image.done_next"]] == ("G", "labeling view")
    assert rows["Save"] == ("Ctrl+S", "anywhere")
    assert rows["Pan"][1] == "canvas"
    assert rows["Centre the three views on an object"][1] == "review view"  # a gesture of its panes
    for entry in REGISTRY.entries():  # every row says it, from the one registry
        assert rows[entry.described][1] == entry.where[0]
    review_rows = {e.described for e in REGISTRY.entries() if e.where[0] == "review view"}
    assert review_rows <= set(found["review"]) and len(review_rows) >= 12
    assert described["image.done_next"] not in found["review"]


def test_esc_out_of_help_gives_the_keys_back_where_they_were(qtbot, window) -> None:
    """F1 then Esc left no window active and the focus nowhere: the next review key did nothing. The
    widget that had the keys has them again, in the review view (the Objects table, the note) and on the
    canvas, and the next key acts there."""
    window.canvas.setFocus()
    settle()
    help_by_f1(qtbot, lambda dlg: None)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.canvas, timeout=10000)
    enter_review(qtbot, window)
    view = window.review.view
    for widget in (view.object_table, view.decision.note_edit):
        widget.setFocus()
        qtbot.waitUntil(lambda w=widget: QApplication.focusWidget() is w, timeout=10000)
        help_by_f1(qtbot, lambda dlg: None)
        qtbot.waitUntil(lambda w=widget: QApplication.focusWidget() is w, timeout=10000)
    view.object_table.setFocus()
    help_by_f1(qtbot, lambda dlg: None)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.object_table, timeout=10000)
    key(Qt.Key.Key_Period)  # the next problem object, as if Help had never been opened
    row = view.current_object()
    assert row is not None and row.status in ("fn", "fp", "wrong_class")


def tab_round(start) -> list:  # type: ignore[no-untyped-def]
    """The widgets Tab stops at from ``start``, once round."""
    start.setFocus()
    settle()
    stops: list = []
    for _ in range(60):
        key(Qt.Key.Key_Tab)
        w = QApplication.focusWidget()
        if w in stops:
            break
        stops.append(w)
    return stops


def test_tab_in_the_review_view_passes_the_labeling_controls(qtbot, window) -> None:
    """In the review view Tab stopped on the main tool bar's Category box, which does nothing there: the
    round now goes through the review's own controls only, and the box is a stop again back in the
    labeling view (Ctrl+Tab)."""
    combo = next(
        c for c in window.toolbar.findChildren(QComboBox) if c.accessibleName().startswith("Category")
    )
    assert combo in tab_round(window.canvas)
    enter_review(qtbot, window)
    view = window.review.view
    stops = tab_round(view.images.image_table)
    assert (
        view.object_table in stops and view.decision.note_edit in stops and view.images.image_table in stops
    )
    assert combo not in stops
    assert all(view.isAncestorOf(w) for w in stops), [
        type(w).__name__ for w in stops if not view.isAncestorOf(w)
    ]
    key(Qt.Key.Key_Tab, CTRL)  # back to labeling
    assert not window.review.active
    assert combo in tab_round(window.canvas)


def test_preferences_says_where_each_key_acts_as_help_does(qtbot, window) -> None:
    """Edit > Preferences listed Action | Keys only, so a review key rebound there looked dead in the
    labeling view; Help > Shortcuts says where each key acts. Preferences now has the same Where column,
    with the same words and tooltip, and its find field finds the review view's keys by "review view"."""
    from pixelproof.ui.preferences import PreferencesDialog

    dlg = PreferencesDialog(window)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    t = dlg.table
    assert [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())] == ["Action", "Keys", "Where"]

    def shown() -> dict[str, tuple[str, str, str]]:
        return {
            t.item(r, 0).text(): (t.item(r, 1).text(), t.item(r, 2).text(), t.item(r, 2).toolTip())
            for r in range(t.rowCount())
            if not t.isRowHidden(r)
        }

    rows = shown()
    editable = [e for e in REGISTRY.entries() if e.editable]
    assert len(rows) == len(editable)
    for entry in editable:  # every row, in Help's words and tooltip
        assert rows[entry.label][1:] == entry.where, entry.id
    assert rows[REGISTRY.get("image.done_next").label][1] == "labeling view"
    assert rows[REGISTRY.get("review.next_problem").label][1] == "review view"
    assert rows["Save"][1] == "anywhere"
    assert "does nothing" in rows[REGISTRY.get("review.note").label][2]
    # the Where column is whole beside the keys: not squeezed out of a dialog that fits a laptop
    widest = max(t.fontMetrics().horizontalAdvance(t.item(r, 2).text()) for r in range(t.rowCount()))
    assert t.columnWidth(2) >= widest
    assert t.horizontalHeader().sectionViewportPosition(2) + t.columnWidth(2) <= t.viewport().width()
    QTest.keyClicks(dlg.filter_edit, "review view")  # the find field reads the Where column too
    review = {e.label for e in editable if e.where[0] == "review view"}
    assert review <= set(shown()) and len(review) >= 10
    assert REGISTRY.get("image.done_next").label not in shown()
