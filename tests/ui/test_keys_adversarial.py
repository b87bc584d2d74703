"""Keys under pressure: a key the canvas handles itself cannot be given to an action, a settings file
(hand-edited, or from before an update gave an action a new default) never leaves two actions on one key,
a setting of the wrong type does not stop the app, and the review view arms no key on hidden objects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from pixelproof.ui.shortcuts import REGISTRY, portable
from tests.ui.conftest import open_main_window
from tests.ui.test_keyboard_first import README
from tests.ui.test_workbench import draw_box, key, set_zoom

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def preferences_on_next_image(qtbot, window, monkeypatch):
    """Preferences open on Next Image, its warnings recorded instead of shown."""
    from pixelproof.ui.preferences import PreferencesDialog

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append(text))
    dlg = PreferencesDialog(window)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.select("image.next")
    return dlg, warned


def assign(dlg, key, modifier) -> None:
    """Press ``key`` in the key field, then Assign."""
    dlg.key_edit.setFocus()
    QTest.keyClick(dlg.key_edit, key, modifier)
    assert not dlg.key_edit.keySequence().isEmpty()
    QTest.mouseClick(dlg.assign_button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(
    ("pressed", "modifier", "owner"),
    [
        (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, "Pan"),
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier, "Cancel the drawing"),
        (Qt.Key.Key_Left, SHIFT, "Move the selection"),
    ],
)
def test_preferences_refuse_a_key_the_canvas_handles(
    qtbot, window, monkeypatch, pressed, modifier, owner
) -> None:
    dlg, warned = preferences_on_next_image(qtbot, window, monkeypatch)
    assign(dlg, pressed, modifier)
    assert len(warned) == 1 and owner in warned[0]
    assert REGISTRY.text("image.next") == "D" and REGISTRY.conflicts() == []
    dlg.close()


def test_settings_never_put_two_actions_on_one_key(qtbot, tmp_path: Path) -> None:
    """A user's key wins over another action's default; of two user keys alike the first action declared
    keeps it; a canvas or digit key, or a value that is not a JSON list of strings (nested too deep for json
    too), is not used."""
    from pixelproof.ui.settings import settings
    from tests.ui.conftest import make_project

    s = settings()
    s.setValue("shortcuts/tool.box", '["D"]')  # D: the default of Next Image
    s.setValue("shortcuts/tool.polygon", '["D"]')  # the same key again, by hand
    s.setValue("shortcuts/image.previous", '["Space"]')  # the canvas pans with Space
    s.setValue("shortcuts/edit.undo", '["2"]')  # 2 chooses the second category
    s.setValue("shortcuts/view.fit", "not json")
    s.setValue("shortcuts/view.zoom_out", 5)
    s.setValue("shortcuts/view.zoom_in", "[" * 100_000)  # nested too deep for json: RecursionError
    s.sync()
    win = open_main_window(qtbot, make_project(tmp_path))
    assert REGISTRY.conflicts() == []
    assert REGISTRY.text("tool.box") == "D" and REGISTRY.text("tool.polygon") == ""
    assert REGISTRY.text("image.next") == "" and REGISTRY.text("image.previous") == ""
    assert win.act_fit.shortcuts() == [QKeySequence("Ctrl+0")]
    assert win.act_zoom_out.shortcuts() == [QKeySequence("Ctrl+-")]
    assert win.act_zoom_in.shortcuts() == REGISTRY._entries["view.zoom_in"].default_sequences()
    doc = win.document
    key(win, Qt.Key.Key_D)
    assert win.canvas.tool.name == "box" and doc.current_image_id == 1
    set_zoom(win, 1.0)
    ann_id = draw_box(win, 40, 30, 120, 90)
    key(win, Qt.Key.Key_2)  # the category key, not undo
    assert doc.project.annotations[ann_id].category_id == 2
    win.document.undo_stack.setClean()
    win.close()


def test_a_recent_projects_setting_of_another_type_does_not_stop_opening(qtbot, project_file: Path) -> None:
    from pixelproof.ui.settings import settings

    settings().setValue("recent/projects", QRect(0, 0, 1, 1))  # what a hand-edited @Rect(...) reads as
    win = open_main_window(qtbot, project_file)
    assert win.files.recent_projects() == [str(project_file.resolve())]
    win.close()


def test_the_review_view_arms_no_key_on_objects_it_does_not_show(qtbot, window) -> None:
    """README: the labeling selection is cleared on the way into review, "so Delete or 1-9 never act on
    objects the review view does not show" - neither after Ctrl+A nor after a redo there."""
    doc = window.document
    set_zoom(window, 1.0)
    ann_id = draw_box(window, 40, 30, 120, 90)
    key(window, Qt.Key.Key_Tab, CTRL)
    assert window.review.active and doc.selection == []
    table = window.review.view.images.image_table
    QTest.keyClick(table, Qt.Key.Key_A, CTRL)
    QTest.keyClick(table, Qt.Key.Key_Z, CTRL)  # undo the drawing
    QTest.keyClick(table, Qt.Key.Key_Z, CTRL | SHIFT)  # and redo it: its focus is the box
    QTest.keyClick(table, Qt.Key.Key_2)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert ann_id in doc.project.annotations and doc.project.annotations[ann_id].category_id == 1
    key(window, Qt.Key.Key_Tab, CTRL)  # back to labeling: selecting works again
    key(window, Qt.Key.Key_A, CTRL)
    assert doc.selection == [ann_id]


def test_review_panes_zoom_with_the_keys_in_force(qtbot, tmp_path: Path, no_prompts) -> None:
    """The review views take the zoom keys from the labeling canvas: the user's keys, not Ctrl+0 / Ctrl+=
    / Ctrl+- written into them, and not every key with Ctrl (Ctrl+Alt+0 is the File's Window preset)."""
    from tests.ui.test_review import enter_review, install_demo, open_window, wait_image

    REGISTRY.set_keys("view.zoom_in", ["Ctrl+7"])
    try:
        win = open_window(qtbot, install_demo(tmp_path / "demo"))
        view = win.review.view
        enter_review(qtbot, win)
        view.select_image(1)
        wait_image(qtbot, view)
        view.linked.fit()
        z = view.ref_pane.zoom
        QTest.keyClick(view.diff_pane, Qt.Key.Key_7, CTRL)
        assert abs(view.ref_pane.zoom - z * 1.25) < 1e-6
        QTest.keyClick(view.diff_pane, Qt.Key.Key_Equal, CTRL)  # no longer a zoom key
        QTest.keyClick(view.diff_pane, Qt.Key.Key_0, CTRL | Qt.KeyboardModifier.AltModifier)
        assert abs(view.ref_pane.zoom - z * 1.25) < 1e-6
        QTest.keyClick(view.diff_pane, Qt.Key.Key_0, CTRL)  # fit: still its key
        assert abs(view.ref_pane.zoom - z) < 1e-6
        win.document.undo_stack.setClean()
        win.close()
    finally:
        REGISTRY.set_keys("view.zoom_in", None)


KEY = re.compile(
    r"(?:(?:Ctrl|Shift|Alt)\+)*(?:[A-Z0-9]|F\d{1,2}|Del|Backspace|Esc|Enter|Return|Tab|PgUp|PgDown|[=\-\[\].,/+])"
)


def readme_key_tables() -> dict[str, list[list[str]]]:
    """README's hand-written key tables (not the generated one): header line -> rows of cells."""
    tables: dict[str, list[list[str]]] = {}
    header = None
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            header = None
        elif cells[0].startswith("key") and cells[0] != "keys":
            header = line
            tables[header] = []
        elif header is not None and not set(line) <= set("|- "):
            tables[header].append(cells)
    return tables


def keys_in(cell: str) -> list[str]:
    """The keys a table cell names (``1-9`` is nine keys; words such as "wheel" are not keys)."""
    found = []
    for part in re.split(r" / |, | or ", cell.replace("`", "")):
        part = part.strip()
        if part == "1-9":
            found += list("123456789")
        elif KEY.fullmatch(part):
            found.append(part)
    return found


def test_readme_key_tables_name_the_registrys_keys(qapp) -> None:
    """Every key README's own tables name does something in the registry (a key renamed there and not
    in README fails), and every review key is in the review view's table."""
    bound = {portable(s) for e in REGISTRY.entries() for s in REGISTRY.sequences(e.id)}
    bound |= {k for e in REGISTRY.entries() for k in e.takes}
    tables = readme_key_tables()
    assert len(tables) >= 5
    named = set()
    for rows in tables.values():
        for row in rows:
            for cell in row[::2]:  # key, action[, key, action]
                named.update(keys_in(cell))
    assert len(named) > 30
    assert sorted(k for k in named if portable(QKeySequence(k)) not in bound) == []
    (review,) = [rows for header, rows in tables.items() if "review view only" in header]
    listed = {portable(QKeySequence(k)) for row in review for k in keys_in(row[0])}
    for entry in REGISTRY.entries():
        keys = {portable(s) for s in REGISTRY.sequences(entry.id)}
        if entry.context == "review" and keys:  # a review item without a key (Score Every...) has no row
            assert listed & keys, entry.id


def test_preferences_refuse_alt_and_a_menu_letter(qtbot, window, monkeypatch) -> None:
    """Alt+F opens the File menu (its &File mnemonic): given to an action, one of the two stops working."""
    dlg, warned = preferences_on_next_image(qtbot, window, monkeypatch)
    assign(dlg, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert len(warned) == 1 and "File" in warned[0]
    assert REGISTRY.text("image.next") == "D"
    assign(dlg, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)  # a letter no menu has is fine
    assert len(warned) == 1 and portable(REGISTRY.sequences("image.next")[0]) == "Alt+Q"
    dlg.close()


def test_undo_text_shows_an_ampersand_in_a_name(qtbot, window, monkeypatch) -> None:
    """A category renamed "R&D": Edit > Undo reads "Undo Rename class coin to R&D", no mnemonic D."""
    from PySide6.QtWidgets import QInputDialog

    panel = window.panels["categoriesDock"]
    tree = panel.tree
    item = tree.topLevelItem(0)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
    old = window.document.project.categories[item.data(0, Qt.ItemDataRole.UserRole)].name
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("R&D", True)))
    QTest.mouseClick(panel.buttons["rename"], Qt.MouseButton.LeftButton)
    assert window.document.project.category_by_name("R&D") is not None
    shown = window.act_undo.text()
    assert "&&" in shown and shown.replace("&&", "\0").replace("&", "").replace("\0", "&").endswith(
        f"{old} to R&D"
    )
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, CTRL)
    assert window.document.project.category_by_name("R&D") is None
    assert window.act_redo.text().endswith("to R&&D")
