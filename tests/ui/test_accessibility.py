"""Keyboard-only use and assistive technology: every menu item has its own Alt+letter, names typed by the
user show as typed in menus, Tab walks every dock and dialog without getting stuck in a table, every
control a Tab reaches has a name a screen reader can say, and the canvas shows when it has the keys."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDockWidget,
    QMenu,
    QScrollArea,
    QWidget,
)

from pixelproof.core.coco import load_project, save_project
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_workbench import draw_box, set_zoom

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
USER_TEXT_MENUS = {"Set Category", "Show Categories", "Open Recent"}  # items named by the user's data


def mnemonic(text: str) -> str | None:
    """The Alt+letter of a menu text ("&&" is a literal ampersand)."""
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def clashes(menu_texts: list[str]) -> list[str]:
    """Texts without a mnemonic or with one an earlier text already has."""
    seen: set[str] = set()
    bad = []
    for text in menu_texts:
        key = mnemonic(text)
        if key is None or key in seen:
            bad.append(text)
        seen.add(key or "")
    return bad


def accessible_name(w: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(w)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


def labels_of(w: QWidget) -> list[str]:
    """The names of the labels whose buddy ``w`` is: what a screen reader says a combo box sets."""
    iface = QAccessible.queryAccessibleInterface(w)
    pairs = iface.relations(QAccessible.Relation.Label) if iface is not None else []
    return [other.text(QAccessible.Text.Name) for other, _ in pairs]


def tab_stops(start: QWidget, backwards: bool = False, limit: int = 120) -> list[QWidget]:
    """The widgets real Tab (Shift+Tab) presses give the focus to, from ``start`` until it comes back."""
    start.setFocus()
    stops: list[QWidget] = []
    for _ in range(limit):
        w = QApplication.focusWidget()
        if backwards:
            QTest.keyClick(w, Qt.Key.Key_Backtab, SHIFT)
        else:
            QTest.keyClick(w, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is start:
            return stops
        stops.append(now)
    return stops


def dock_of(w: QWidget) -> str | None:
    while w is not None and not isinstance(w, QDockWidget):
        w = w.parentWidget()
    return w.objectName() if w is not None else None


def test_every_menu_item_has_its_own_alt_letter(qtbot, window) -> None:
    """Two items with one mnemonic in a menu make the letter only highlight the first (Qt cycles through
    them and triggers none): Alt+M opened Masks, never Model; Tools > B never chose the brush."""
    bar = window.menuBar()
    titles = [a.text() for a in bar.actions() if a.menu() is not None]
    assert clashes(titles) == []

    def check(menu: QMenu) -> list[str]:
        items = [a for a in menu.actions() if not a.isSeparator() and a.isVisible()]
        bad = [] if menu.title().replace("&", "") in USER_TEXT_MENUS else clashes([a.text() for a in items])
        return [f"{menu.title()}: {t}" for t in bad] + [x for a in items if a.menu() for x in check(a.menu())]

    assert [x for a in bar.actions() if a.menu() is not None for x in check(a.menu())] == []


def test_alt_letters_open_the_menus_and_pick_the_items(qtbot, window) -> None:
    """Real keys: Alt+letter opens the menu it names, the item's letter triggers it."""
    titles = {a.text().replace("&", ""): a for a in window.menuBar().actions() if a.menu() is not None}
    for title in ("Model", "Review", "View", "Masks"):
        letter = mnemonic(titles[title].text())
        QTest.keyClick(window, Qt.Key(ord(letter.upper())), ALT)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=10000)
        assert QApplication.activePopupWidget() is titles[title].menu(), title
        QTest.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=10000)
        QTest.keyClick(window, Qt.Key.Key_Escape)  # leave the menu bar
    brush = window.tool_actions["brush"]
    QTest.keyClick(window, Qt.Key(ord(mnemonic(titles["Tools"].text()).upper())), ALT)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is titles["Tools"].menu(), timeout=10000)
    QTest.keyClick(QApplication.activePopupWidget(), Qt.Key(ord(mnemonic(brush.text()).upper())))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=10000)
    assert window.canvas.tool.name == "brush"


def test_user_names_with_an_ampersand_show_as_typed_in_menus(qtbot, tmp_path: Path, no_prompts) -> None:
    """A category "R&D" showed as "RD" (with D underlined, a mnemonic) in Edit > Set Category and
    Masks > Show Categories, and a project file "a&b.json" so in File > Open Recent."""
    path = make_project(tmp_path)
    project = load_project(path)
    project.categories[1].name = "R&D"
    target = tmp_path / "a&b.json"
    save_project(project, target)
    win = open_main_window(qtbot, target)
    (act,) = [a for a in win.categories.menu.actions() if a.shortcut().toString() == "1"]
    masks = next(m for m in win.menus if m.objectName() == "masksMenu")
    categories = next(a.menu() for a in masks.actions() if a.menu() is not None)
    categories.aboutToShow.emit()
    recent = win.files.recent_menu
    recent.aboutToShow.emit()
    for text in (act.text(), categories.actions()[0].text(), recent.actions()[0].text()):
        assert mnemonic(text) is None and Path(text.replace("&&", "&")).name in ("R&D", "a&b.json"), text
    win.close()


def reachable(dock: QDockWidget) -> bool:
    """A dock on screen (not hidden behind another dock's tab) with a control Tab may stop at."""
    return not dock.visibleRegion().isEmpty() and any(
        w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        for w in dock.findChildren(QWidget)
    )


def test_tab_walks_the_docks_on_screen_and_comes_back_to_the_canvas(qtbot, window) -> None:
    """Tab from the canvas reached the Images table and stayed there (a table's Tab moves between its
    cells, the last cell wraps to the first); a dock's scroll area was a stop that shows nothing; and the
    docks hidden behind Properties' tab (History, Model: Qt keeps them off-screen) took ~20 presses with
    the focus nowhere to be seen."""
    window.document.set_selection([])
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)  # Annotations and Properties show their controls
    docks = window.findChildren(QDockWidget)
    for name in ("annotationsDock", "propertiesDock"):
        qtbot.waitUntil(
            lambda n=name: reachable(window.docks[n]), timeout=10000
        )  # panels refresh on the next turn
    shown = {d.objectName() for d in docks if reachable(d)}
    assert {"imagesDock", "categoriesDock", "annotationsDock", "propertiesDock"} <= shown
    behind = {d.objectName() for d in docks if d.isVisible() and d.visibleRegion().isEmpty()}
    assert {"historyDock", "modelDock"} <= behind
    for backwards in (False, True):
        stops = tab_stops(window.canvas, backwards)
        assert len(stops) < 120, f"stuck in {type(stops[-1]).__name__} {stops[-1].objectName()}"
        visited = {dock_of(w) for w in stops}
        assert shown <= visited and not behind & visited
        assert [w for w in stops if isinstance(w, QScrollArea)] == []


def test_tab_leaves_the_tables_of_dialogs(qtbot, window) -> None:
    from pixelproof.ui.dialogs import ShortcutsDialog
    from pixelproof.ui.panels.problems.rules_dialog import RulesDialog
    from pixelproof.ui.preferences import PreferencesDialog

    for dlg in (PreferencesDialog(window), ShortcutsDialog(REGISTRY.rows(), window),
                RulesDialog(window.document, window)):  # fmt: skip
        dlg.show()
        dlg.activateWindow()
        dlg.table.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.table, timeout=10000)  # noqa: B023
        QTest.keyClick(dlg.table, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        assert focus is not dlg.table and dlg.isAncestorOf(focus), type(dlg).__name__
        dlg.close()


def unnamed_stops(root: QWidget) -> list[str]:
    """Shown widgets that Tab can reach but a screen reader has no name for (Qt's own inner parts, such as
    a spin box's line edit, and scroll areas' viewports aside)."""
    bad = []
    for w in root.findChildren(QWidget):
        parent = w.parentWidget()
        if (
            not w.isVisible()
            or not w.focusPolicy() & Qt.FocusPolicy.TabFocus
            or w.objectName().startswith("qt_")
            or (isinstance(parent, QAbstractScrollArea) and parent.viewport() is w)
        ):
            continue
        # Qt says a combo box by its current value ("In progress", "cat (1)"), on Linux whatever its
        # accessible name: what it sets is said by a label that is its buddy (elsewhere its name is too)
        if isinstance(w, QComboBox) and not (w.accessibleName().strip() or labels_of(w)):
            bad.append(f"{type(w).__name__} {w.objectName()} ({w.currentText()}) in {type(parent).__name__}")
        elif not accessible_name(w).strip():
            bad.append(f"{type(w).__name__} {w.objectName()} in {type(parent).__name__}")
    return bad


def test_every_control_tab_reaches_has_a_name(qtbot, window) -> None:
    """Icon-only buttons (Categories: add, rename, colour, delete), the canvas, filter boxes, lists and
    the tool bar's spin boxes were announced without a name; the Images panel's Status and the tool bar's
    Category drop-downs by their value alone ("In progress", "cat (1)"), Guidelines' button as "Edit…"."""
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)  # Annotations and Properties show their controls
    qtbot.waitUntil(lambda: reachable(window.docks["propertiesDock"]), timeout=10000)
    assert unnamed_stops(window) == []
    for combo, said in (
        (window.panels["imagesDock"].status, "Status:"),
        (window.categories.combo, "Category"),
    ):
        assert [t.strip() for t in labels_of(combo)] == [said] and combo.accessibleName()
    for name in ("historyDock", "modelDock", "problemsDock", "guidelinesDock"):  # behind a tab or hidden
        window.docks[name].show()
        window.docks[name].raise_()
        qtbot.waitUntil(lambda n=name: reachable(window.docks[n]), timeout=10000)
        assert unnamed_stops(window.docks[name]) == [], name
    edit = window.panels["guidelinesDock"].edit_button
    assert edit.text() == "Edit…" and "guideline" in accessible_name(edit).lower()
    assert window.canvas.accessibleName() and window.canvas.accessibleDescription()


def test_every_control_of_the_review_view_has_a_name(qtbot, tmp_path: Path, no_prompts) -> None:
    from tests.ui.test_review import enter_review, install_demo, open_window

    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    enter_review(qtbot, win)
    view = win.review.view
    assert unnamed_stops(view) == []
    assert [p.accessibleName() for p in view.panes] == ["Reference", "Candidate", "Difference"]
    histogram = view.images.histogram  # painted bars: said in words, the current image's bin too
    assert histogram.accessibleName()
    assert f"{int(histogram.values.size)} images" in histogram.accessibleDescription()
    assert "this image" in histogram.accessibleDescription()
    stops = tab_stops(view.images.image_table)
    assert len(stops) < 120, f"stuck in {stops[-1].objectName()}"
    pane = next(w for w in stops if w in view.panes)  # Tab reaches the panes, and they show it
    pane.setFocus()
    assert edge_colours(pane) == {pane.palette().color(pane.palette().ColorRole.Highlight).name()}
    win.document.undo_stack.setClean()
    win.close()


def run_modal(qtbot, open_it, keys) -> list[str]:  # type: ignore[no-untyped-def]
    """Open a modal dialog with ``open_it`` and, once it is up, drive it with ``keys(dialog)`` (real key
    presses); returns what ``keys`` reported. Fails if the dialog is still open afterwards."""
    from PySide6.QtCore import QTimer

    said: list[str] = []
    left_open: list[QWidget] = []

    def drive() -> None:
        dialog, focus = QApplication.activeModalWidget(), QApplication.focusWidget()
        if dialog is None or focus is None or not dialog.isAncestorOf(focus):
            QTimer.singleShot(20, drive)  # not up yet: keys now would go to the main window
            return
        try:
            said.extend(keys(dialog))
        finally:  # never leave a test waiting on a dialog
            if dialog.isVisible():
                left_open.append(dialog)
                dialog.reject()

    QTimer.singleShot(0, drive)
    open_it()
    assert left_open == []
    return said


def test_preferences_by_keyboard_only_and_the_focus_comes_back_to_the_canvas(qtbot, window) -> None:
    """Ctrl+, ; type to find the action; Tab to the list, Tab to the key box; press the key; Tab to
    Assign, Space; Esc. The new key then works on the canvas, which has the focus again."""

    def keys(dialog) -> list[str]:  # type: ignore[no-untyped-def]
        QTest.keyClicks(QApplication.focusWidget(), "next im")
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        chosen = dialog.current_id()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F9)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        pressed = QApplication.focusWidget()
        QTest.keyClick(pressed, Qt.Key.Key_Space)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        return [chosen, pressed.text()]

    try:
        window.canvas.setFocus()
        said = run_modal(
            qtbot,
            lambda: QTest.keyClick(window.canvas, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier),
            keys,
        )
        assert said == ["image.next", "&Assign"] and REGISTRY.text("image.next") == "F9"
        # the window's focus goes back to the canvas (offscreen Qt does not activate the window again)
        assert window.focusWidget() is window.canvas
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.canvas, timeout=10000)
        QTest.keyClick(window.canvas, Qt.Key.Key_F9)
        assert window.document.current_image_id == 2
    finally:
        REGISTRY.set_keys("image.next", None)


def edge_colours(view: QWidget) -> set[str]:
    """The colours of the view's left and top edge as shown (its children, a focus frame, included)."""
    img = view.grab().toImage()
    return {img.pixelColor(0, y).name() for y in range(10, img.height() - 10, 7)} | {
        img.pixelColor(x, 0).name() for x in range(10, img.width() - 10, 7)
    }


def test_the_image_views_show_when_they_have_the_keyboard_focus(qtbot, window) -> None:
    """The canvas (no frame) looked the same whether the keys went to it or to a panel."""
    canvas = window.canvas
    highlight = canvas.palette().color(canvas.palette().ColorRole.Highlight).name()
    first = tab_stops(canvas)[0]
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=10000)
    away = edge_colours(canvas)
    QTest.keyClick(first, Qt.Key.Key_Backtab, SHIFT)  # back to the canvas, by keyboard
    assert QApplication.focusWidget() is canvas
    assert highlight not in away and edge_colours(canvas) == {highlight}
