"""A full-time annotator works from the keys: after typing a note, picking a row in a list or setting the
brush size, Enter (in a field) or Esc hands the keys back to the canvas, so the next D, B or arrow acts on
the image instead of being typed into the field or moving a list's current row. Esc in the Note field drops
what was typed there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox, QTabBar

from tests.ui.test_workbench import draw_box, set_zoom

NOMOD = Qt.KeyboardModifier.NoModifier


def click_into(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    """A real click on ``widget`` (near its top): the focus goes there as a user's click gives it (a
    drop-down's list, which the click opens, closed again with Esc)."""
    qtbot.waitUntil(widget.isVisible, timeout=10000)
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, NOMOD, QPoint(widget.width() // 2, 8))
    if isinstance(widget, QComboBox):
        qtbot.waitUntil(widget.view().isVisible, timeout=10000)
        QTest.keyClick(widget.view(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not widget.view().isVisible(), timeout=10000)
    qtbot.waitUntil(widget.hasFocus, timeout=10000)


def note_field(qtbot, window):  # type: ignore[no-untyped-def]
    set_zoom(window, 1.0)
    box = draw_box(window, 40, 30, 120, 90)
    QTest.keyClick(window.canvas, Qt.Key.Key_V)  # the select tool: the arrows nudge the selection
    note = window.panels["propertiesDock"].note
    qtbot.waitUntil(note.isVisible, timeout=10000)  # the panel follows the selection on the next turn
    click_into(qtbot, note)
    return box, note


def test_enter_in_the_note_field_saves_the_note_and_gives_the_keys_back(qtbot, window) -> None:
    doc = window.document
    box, note = note_field(qtbot, window)
    QTest.keyClicks(note, "cut off")
    QTest.keyClick(note, Qt.Key.Key_Return)
    assert doc.project.annotations[box].note == "cut off"
    assert window.canvas.hasFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_D)  # the next image, not a "d" in the note
    assert doc.current_image_id == 2
    assert doc.project.annotations[box].note == "cut off"


def test_esc_in_the_note_field_drops_the_typing_and_gives_the_keys_back(qtbot, window) -> None:
    doc = window.document
    box, note = note_field(qtbot, window)
    steps = doc.undo_stack.count()
    QTest.keyClicks(note, "oops")
    QTest.keyClick(note, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus()
    assert doc.project.annotations[box].note is None and doc.undo_stack.count() == steps
    assert note.text() == ""
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)  # the arrow nudges the selected box
    assert doc.project.annotations[box].bbox[0] == pytest.approx(41, abs=1.01)
    assert doc.project.annotations[box].note is None


def panel_widget(window, which: str):  # type: ignore[no-untyped-def]
    return {
        "images table": lambda: window.panels["imagesDock"].table,
        "images filter": lambda: window.panels["imagesDock"].filter,
        "image status": lambda: window.panels["imagesDock"].status,
        "annotations list": lambda: window.panels["annotationsDock"].list,
        "categories": lambda: window.panels["categoriesDock"].tree,
        "brush size": lambda: window.findChild(QSpinBox, "brushWidth"),
    }[which]()


@pytest.mark.parametrize(
    "which",
    ["images table", "images filter", "image status", "annotations list", "categories", "brush size"],
)
def test_esc_in_a_panel_or_tool_bar_gives_the_keys_back_to_the_canvas(qtbot, window, which: str) -> None:
    """Clicked into a panel, the annotator was stuck there: Esc did nothing, the arrows moved the list's
    row (or the value) instead of the selected box, and only a click on the image or a dozen Tabs got back."""
    doc = window.document
    set_zoom(window, 1.0)
    box = draw_box(window, 40, 30, 120, 90)
    # the brush's width is in the tool options bar while the brush is in hand
    QTest.keyClick(window.canvas, Qt.Key.Key_R if which == "brush size" else Qt.Key.Key_V)
    widget = panel_widget(window, which)
    assert widget is not None
    click_into(qtbot, widget)
    doc.set_selection([box])  # (a click on a row may select another object; the box is what is wanted)
    before = list(doc.project.annotations[box].bbox)
    QTest.keyClick(widget, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus(), type(QApplication.focusWidget()).__name__
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert doc.project.annotations[box].bbox[0] == pytest.approx(before[0] + 1)


def test_esc_on_the_tabs_of_stacked_docks_gives_the_keys_back(qtbot, window) -> None:
    """Tab stops on the tabs of the docks stacked in one place (Properties / History / Model), which belong
    to the window, not to a dock: Esc there did nothing, the one place Tab reaches that kept the keys."""
    doc = window.document
    set_zoom(window, 1.0)
    box = draw_box(window, 40, 30, 120, 90)
    QTest.keyClick(window.canvas, Qt.Key.Key_V)
    for _ in range(60):  # Tab from the canvas through the docks and tool bars to the dock tabs
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if isinstance(QApplication.focusWidget(), QTabBar):
            break
    tabs = QApplication.focusWidget()
    assert isinstance(tabs, QTabBar) and tabs.parentWidget() is window
    doc.set_selection([box])
    before = list(doc.project.annotations[box].bbox)
    QTest.keyClick(tabs, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus(), type(QApplication.focusWidget()).__name__
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert doc.project.annotations[box].bbox[0] == pytest.approx(before[0] + 1)


def test_esc_closes_an_open_list_first(qtbot, window) -> None:
    """Esc on an open drop-down closes it and leaves the focus there; the next Esc goes back to the canvas."""
    combo = window.panels["imagesDock"].status
    click_into(qtbot, combo)  # which closes the list it opened with Esc
    assert combo.hasFocus() and not window.canvas.hasFocus()
    QTest.keyClick(combo, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus()


@pytest.mark.parametrize("tool", [Qt.Key.Key_B, Qt.Key.Key_P, Qt.Key.Key_R, Qt.Key.Key_U])
def test_the_arrows_move_the_selection_in_every_tool(qtbot, window, tool) -> None:
    """README: arrows / Shift+arrows move the selection 1 px / 10 px. They did only in the select tool (V):
    a box just drawn with B, selected, stayed put under the arrows with no word why."""
    doc = window.document
    set_zoom(window, 1.0)
    box = draw_box(window, 40, 30, 120, 90)
    QTest.keyClick(window.canvas, tool)
    assert doc.selection == [box]
    QTest.keyClick(window.canvas, Qt.Key.Key_Right)
    QTest.keyClick(window.canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert doc.project.annotations[box].bbox[:2] == pytest.approx([41, 40])
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step
    assert doc.project.annotations[box].bbox[:2] == pytest.approx([40, 30])


def test_enter_in_the_brush_size_sets_it_and_gives_the_keys_back(qtbot, window) -> None:
    QTest.keyClick(window.canvas, Qt.Key.Key_R)  # the brush: the tool options bar shows its width
    width = window.findChild(QSpinBox, "brushWidth")
    click_into(qtbot, width)
    width.lineEdit().selectAll()
    QTest.keyClicks(width, "12")
    QTest.keyClick(width, Qt.Key.Key_Return)
    assert width.value() == 12 and window.canvas.hasFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_D)
    assert window.document.current_image_id == 2 and width.value() == 12


def test_help_shortcuts_finds_an_action_or_a_key_as_typed(qtbot, window, monkeypatch) -> None:
    """Help > Shortcuts was 110 rows with nothing to search them by (Preferences had a find field): an
    annotator asking "which key accepts a prediction?" scrolled. Now F1, type, read."""
    from pixelproof.ui import dialogs

    shown: list = []
    monkeypatch.setattr(dialogs.ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    QTest.keyClick(window.canvas, Qt.Key.Key_F1)
    (dlg,) = shown
    dlg.show()
    qtbot.waitUntil(dlg.filter_edit.hasFocus, timeout=10000)  # typing goes to the find field at once

    def listed() -> dict[str, str]:
        t = dlg.table
        return {t.item(r, 1).text(): t.item(r, 0).text() for r in range(t.rowCount()) if not t.isRowHidden(r)}

    everything = listed()
    assert len(everything) == dlg.table.rowCount() > 100
    QTest.keyClicks(dlg.filter_edit, "accept")
    found = listed()
    assert found["Accept All on Image"] == "Shift+K" and found["Accept Selected"] == "K"
    assert all("accept" in f"{what} {keys}".lower() for what, keys in found.items())
    dlg.filter_edit.clear()
    QTest.keyClicks(dlg.filter_edit, "shift+k")  # a key, as Help shows it, any case: that key only
    assert listed() == {"Accept All on Image": "Shift+K"}
    dlg.filter_edit.clear()
    assert listed() == everything
    QTest.keyClick(dlg.filter_edit, Qt.Key.Key_Escape)  # Esc in the field closes the dialog
    assert not dlg.isVisible()


def test_shift_g_jumps_to_the_next_image_not_done(qtbot, tmp_path, no_prompts) -> None:
    """Back at a half-done project, the annotator walked D past every finished image to find work: CVAT's
    and Label Studio's "next unlabelled" had no key. Shift+G goes to the next image not marked done or
    reviewed (file order, from the start again after the last), and says when there is none."""
    from tests.ui.conftest import make_project, open_main_window

    win = open_main_window(qtbot, make_project(tmp_path, n_images=5))
    doc = win.document
    for image_id, status in ((2, "done"), (3, "reviewed"), (4, "in_progress")):
        doc.project.image_status_map()[str(image_id)] = status
    QTest.keyClick(win.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert doc.current_image_id == 4  # in progress is not done
    QTest.keyClick(win.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert doc.current_image_id == 5
    QTest.keyClick(win.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert doc.current_image_id == 1  # round again
    for image_id in (1, 4, 5):
        doc.project.image_status_map()[str(image_id)] = "done"
    QTest.keyClick(win.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert doc.current_image_id == 1
    assert win.statusBar().currentMessage() == "No other image left to do: 5 of 5 images done"
    win.document.undo_stack.setClean()


def test_esc_in_a_cvat_text_attribute_drops_the_typing_as_in_the_note(qtbot, tmp_path, no_prompts) -> None:
    """Esc dropped what was typed in the Note but saved it in a CVAT text attribute (leaving the field
    saves it): the same key did opposite things in two fields of one panel."""
    from tests.ui.test_attribute_form import _attrs, _typed_into_the_first

    window, line, _second = _typed_into_the_first(qtbot, tmp_path, "plate", "ZZ 999")
    steps = window.document.undo_stack.count()
    QTest.keyClick(line, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus()
    assert _attrs(window, 0)["plate"] == "AB 123" and line.text() == "AB 123"
    assert window.document.undo_stack.count() == steps
    QTest.mouseClick(line, Qt.MouseButton.LeftButton)  # typing again, Enter saves it
    QTest.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(line, "CD 456")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert _attrs(window, 0)["plate"] == "CD 456" and window.canvas.hasFocus()
    window.document.undo_stack.setClean()


def test_esc_after_text_put_in_without_a_key_puts_back_the_note_shown(qtbot, window) -> None:
    """Text can reach the Note without a key press: an input method's commit (Chinese, Japanese, dictation)
    or a paste from its context menu. Esc then put back what the field held at the last key pressed in it,
    an earlier note or nothing, and leaving the field saved that over the object's note."""
    doc = window.document
    box, note = note_field(qtbot, window)
    QTest.keyClicks(note, "cut off")
    QTest.keyClick(note, Qt.Key.Key_Return)  # saved; the keys are the canvas's again
    assert doc.project.annotations[box].note == "cut off"
    click_into(qtbot, note)
    QApplication.sendEvent(note, QInputMethodEvent("", []))  # composing...
    commit = QInputMethodEvent()
    commit.setCommitString(" 右")  # ...committed: the text changes, no key pressed
    QApplication.sendEvent(note, commit)
    assert note.text() == "cut off 右" and note.isModified()
    QTest.keyClick(note, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus()
    assert note.text() == "cut off"
    assert doc.project.annotations[box].note == "cut off"


def _keys_cut(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The shown rows' key cells drawn cut, as their delegate draws them (bold, several keys wrapping
    between them): a part no line breaks in ("Ctrl+Shift+Return /") wider than the cell's text room
    ('Sh…'), or more lines than the row is tall."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QStyleOptionViewItem

    from pixelproof.ui.cell_text import text_room

    cut = []
    for row in range(table.rowCount()):
        item = table.item(row, column)
        if table.isRowHidden(row) or item is None:
            continue
        index = table.model().index(row, column)
        option = QStyleOptionViewItem()
        table.initViewItemOption(option)
        option.rect = table.visualRect(index)
        table.itemDelegateForIndex(index).initStyleOption(option, index)
        room, fm = text_room(option), option.fontMetrics
        widest = max(fm.horizontalAdvance(part) for part in option.text.split(" "))
        lines = fm.boundingRect(QRect(0, 0, room, 10_000), int(Qt.TextFlag.TextWordWrap), option.text)
        if widest > room or lines.height() > table.rowHeight(row):
            cut.append(item.text())
    return cut


def test_shortcuts_find_keeps_the_keys_whole_and_says_when_nothing_matches(qtbot, window) -> None:
    """Typing 'accept' in Help > Shortcuts at 1366x768 left the Keys column 37 px wide ('Sh…', 'Ct… / …'):
    it was fitted to the rows shown after the first letter and never grew back. The column now fits every
    row's keys, filtered or not; and 'accept+' (nothing) said nothing, an empty table; now a line says so."""
    from pixelproof.ui import dialogs
    from pixelproof.ui.preferences import PreferencesDialog
    from pixelproof.ui.shortcuts import REGISTRY

    dlg = dialogs.ShortcutsDialog(REGISTRY.rows(), window)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    for ch in "accept":
        QTest.keyClicks(dlg.filter_edit, ch)
        QApplication.processEvents()
        assert _keys_cut(dlg.table, 0) == [], ch
    assert not dlg.no_match.isVisible()
    QTest.keyClicks(dlg.filter_edit, "+")
    assert all(dlg.table.isRowHidden(r) for r in range(dlg.table.rowCount()))
    assert dlg.no_match.isVisible() and "accept+" in dlg.no_match.text()
    QTest.keyClick(dlg.filter_edit, Qt.Key.Key_Backspace)
    assert not dlg.no_match.isVisible()
    dlg.filter_edit.clear()
    assert _keys_cut(dlg.table, 0) == []

    prefs = PreferencesDialog(window)  # the same find field over the same keys
    qtbot.addWidget(prefs)
    prefs.show()
    qtbot.waitExposed(prefs)
    for ch in "accept":
        QTest.keyClicks(prefs.filter_edit, ch)
        QApplication.processEvents()
        assert _keys_cut(prefs.table, 1) == [], ch


def test_shortcuts_actions_read_whole(qtbot, window) -> None:
    """Help > Shortcuts cut a long action after two lines ('Labels on Selected Objects Only (on: only the
    selected and hovered objects are …'), with no tooltip: the row was as tall as two lines whatever its
    text. Each row is now as tall as its action wrapped in its column, also after a find narrows the list."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyle

    from pixelproof.ui import dialogs
    from pixelproof.ui.shortcuts import REGISTRY

    dlg = dialogs.ShortcutsDialog(REGISTRY.rows(), window)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    table = dlg.table

    def cut() -> list[str]:
        out = []
        for row in range(table.rowCount()):
            item = table.item(row, 1)
            if table.isRowHidden(row):
                continue
            margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
            width = table.columnWidth(1) - 2 * margin  # the text's room in the cell, as Qt's delegate has it
            need = QFontMetrics(item.font()).boundingRect(
                QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), item.text()
            )
            if need.height() > table.rowHeight(row):
                out.append(item.text())
        return out

    actions = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert any("Selected Objects Only" in t for t in actions)
    assert cut() == []
    QTest.keyClicks(dlg.filter_edit, "label")
    QApplication.processEvents()
    assert cut() == []


def test_help_shortcuts_answers_a_cvat_user(qtbot, window, monkeypatch) -> None:
    """A team from CVAT walks frames with F (next) and D (previous): here D goes forward and F picks the
    Fill tool, whose next click paints a region, and Help said nothing of CVAT or frames, so typing
    ``cvat`` or ``frame`` into its find field found no row. Now both find the image keys and Fill, each
    saying what CVAT's key does here."""
    from pixelproof.ui import dialogs

    shown: list = []
    monkeypatch.setattr(dialogs.ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    QTest.keyClick(window.canvas, Qt.Key.Key_F1)
    (dlg,) = shown
    dlg.show()
    qtbot.waitUntil(dlg.filter_edit.hasFocus, timeout=10000)

    def listed() -> dict[str, str]:
        t = dlg.table
        return {t.item(r, 0).text(): t.item(r, 1).text() for r in range(t.rowCount()) if not t.isRowHidden(r)}

    for word in ("cvat", "frame"):
        dlg.filter_edit.clear()
        QTest.keyClicks(dlg.filter_edit, word)
        found = listed()
        assert set(found) >= {"D", "A", "F"}, found
        assert found["D"].startswith("Next Image") and "CVAT's F" in found["D"]
        assert found["A"].startswith("Previous Image") and "CVAT's D" in found["A"]
        assert found["F"].startswith("Fill (Magic Wand)") and "CVAT" in found["F"]
    QTest.keyClick(dlg.filter_edit, Qt.Key.Key_Escape)


def tab_to(window, widget) -> None:  # type: ignore[no-untyped-def]
    """Tab from the canvas until ``widget`` has the keys, as a user reaches a tool bar's control."""
    window.canvas.setFocus()
    for _ in range(80):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is widget:
            return
    raise AssertionError(f"Tab never reached {widget}")


def test_digit_in_the_category_box_picks_the_class_and_gives_the_keys_back(qtbot, window) -> None:
    """Tab stops on the tool bar's Category box; a digit typed there picks the class, as on the canvas,
    and the keys go back to the canvas: Up then changed the box's class back (the box kept the keys)."""
    combo, doc = window.categories.combo, window.document
    tab_to(window, combo)
    QTest.keyClick(combo, Qt.Key.Key_2)
    assert doc.current_category_id == doc.category_for_key("2").id
    qtbot.waitUntil(window.canvas.hasFocus, timeout=10000)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)  # the canvas's (a nudge), not the box's
    assert doc.current_category_id == doc.category_for_key("2").id
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_B)
    assert window.canvas.tool.name == "box" and window.canvas.hasFocus()


def test_a_digit_no_class_has_gives_the_keys_back_from_the_category_box(qtbot, window) -> None:
    combo, doc = window.categories.combo, window.document
    before = doc.current_category_id
    tab_to(window, combo)
    QTest.keyClick(combo, Qt.Key.Key_7)  # two classes: 7 picks none, on the canvas as here
    assert doc.current_category_id == before
    qtbot.waitUntil(window.canvas.hasFocus, timeout=10000)
