"""Changing keys as a CVAT or LabelMe user does: Edit > Preferences opened with its key (Ctrl+,), an
action found by typing, the new key pressed, the dialog closed; the new key acts on the main window, the
old one no longer does, a key another action has is refused naming it, a new window keeps the change,
Reset All gives the defaults back, and a team's key map file is exported and imported whole (a hostile one
changes nothing and says where it is wrong)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import make_project, open_main_window

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
NOMOD = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """QMessageBox.warning records its text instead of blocking."""
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    return shown


def in_preferences(qtbot, window, steps) -> None:  # type: ignore[no-untyped-def]
    """Open Edit > Preferences with Ctrl+, on ``window`` and run ``steps(dialog)`` in it (the dialog is
    modal: the steps run from its own event loop); the steps end by clicking Close."""
    done: list[bool] = []

    def run() -> None:
        dlg = QApplication.activeModalWidget()
        assert dlg is not None and dlg.windowTitle() == "Preferences"
        try:
            steps(dlg)
            done.append(True)
        finally:
            if dlg.isVisible():
                dlg.reject()

    QTimer.singleShot(0, run)
    qtbot.keyClick(window, Qt.Key.Key_Comma, CTRL)
    assert done == [True]
    # the window active again, as a desktop makes it (offscreen leaves the closed dialog active)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10000)


def find_and_press(qtbot, dlg, find: str, id: str, key: Qt.Key, modifier=NOMOD) -> None:  # type: ignore[no-untyped-def]
    """Type ``find`` in the find field, click the row of action ``id``, press ``key`` in the key field,
    click Assign."""
    dlg.filter_edit.setFocus()
    dlg.filter_edit.clear()
    qtbot.keyClicks(dlg.filter_edit, find)
    row = dlg.entries.index(REGISTRY.get(id))
    assert not dlg.table.isRowHidden(row)
    dlg.table.scrollToItem(dlg.table.item(row, 0))
    QTest.mouseClick(
        dlg.table.viewport(), LEFT, pos=dlg.table.visualItemRect(dlg.table.item(row, 0)).center()
    )
    assert dlg.current_id() == id
    dlg.key_edit.setFocus()
    QTest.keyClick(dlg.key_edit, key, modifier)
    QTest.mouseClick(dlg.assign_button, LEFT)


def close(dlg) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialogButtonBox

    QTest.mouseClick(dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close), LEFT)


def test_a_key_typed_in_preferences_acts_on_the_window_and_outlives_it(
    qtbot, tmp_path: Path, warned, no_prompts
) -> None:
    window = open_main_window(qtbot, make_project(tmp_path))
    doc = window.document

    def rebind(dlg) -> None:  # type: ignore[no-untyped-def]
        find_and_press(qtbot, dlg, "Save", "file.save", Qt.Key.Key_S, CTRL | ALT)
        find_and_press(qtbot, dlg, "Box", "tool.box", Qt.Key.Key_Y)
        find_and_press(qtbot, dlg, "Box", "tool.box", Qt.Key.Key_D)  # Next Image's key: refused, named
        assert warned == ["D is the key of “Next Image”. Give that action another key (or No Key) first."]
        close(dlg)

    in_preferences(qtbot, window, rebind)
    assert REGISTRY.text("file.save") == "Ctrl+Alt+S" and REGISTRY.text("tool.box") == "Y"
    assert REGISTRY.text("image.next") == "D"

    doc.undo_stack.resetClean()  # modified: Save has something to do
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)  # the old key
    assert doc.is_modified()
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL | ALT)
    assert not doc.is_modified()
    QTest.keyClick(window.canvas, Qt.Key.Key_V)
    QTest.keyClick(window.canvas, Qt.Key.Key_B)  # the old key
    assert window.canvas.tool.name == "select"
    QTest.keyClick(window.canvas, Qt.Key.Key_Y)
    assert window.canvas.tool.name == "box"
    # the menus and Help > Shortcuts show the user's keys; README's table stays the defaults
    assert window.files.act_save.shortcut().toString() == "Ctrl+Alt+S"
    assert ("Ctrl+Alt+S", "Save") in [(k, w) for k, w, _ in REGISTRY.rows()]
    assert "| Ctrl+S | Save | window |" in REGISTRY.markdown_table()
    window.close()

    again = open_main_window(qtbot, make_project(tmp_path / "again"))  # a restart: read from the settings
    QTest.keyClick(again.canvas, Qt.Key.Key_Y)
    assert again.canvas.tool.name == "box"
    assert again.files.act_save.shortcut().toString() == "Ctrl+Alt+S"

    def reset_all(dlg) -> None:  # type: ignore[no-untyped-def]
        QTest.mouseClick(dlg.reset_all_button, LEFT)
        close(dlg)

    yes = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(QMessageBox, "question", yes)
        in_preferences(qtbot, again, reset_all)
    assert REGISTRY.user_keys() == {} and again.files.act_save.shortcut().toString() == "Ctrl+S"
    QTest.keyClick(again.canvas, Qt.Key.Key_V)
    QTest.keyClick(again.canvas, Qt.Key.Key_B)
    assert again.canvas.tool.name == "box"
    again.close()


def test_a_teams_key_map_is_exported_and_imported_whole(qtbot, window, tmp_path: Path, warned) -> None:
    from pixelproof.ui.preferences import PreferencesDialog

    dlg = PreferencesDialog(window)
    qtbot.addWidget(dlg)
    REGISTRY.set_keys("file.save", ["Ctrl+Alt+S"])
    REGISTRY.set_keys("image.next", ["F"])  # the wand's F given up first: a swap
    REGISTRY.set_keys("tool.fill", ["F3"])
    REGISTRY.set_keys("view.labels", ["L"])  # its own default: not written
    path = tmp_path / "team-keys.json"
    from PySide6.QtWidgets import QFileDialog

    with pytest.MonkeyPatch.context() as mp:  # the file chosen in the save dialog
        mp.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
        QTest.mouseClick(dlg.export_button, LEFT)
    assert json.loads(path.read_text())["keys"] == {
        "file.save": ["Ctrl+Alt+S"],
        "image.next": ["F"],
        "tool.fill": ["F3"],
    }
    REGISTRY.replace_user_keys({})
    REGISTRY.set_keys("tool.box", ["Y"])  # replaced by the import: the file is the whole layout
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
        QTest.mouseClick(dlg.import_button, LEFT)
    assert warned == []
    assert REGISTRY.text("image.next") == "F" and REGISTRY.text("tool.box") == "B / Ctrl+R"
    assert window.files.act_save.shortcut().toString() == "Ctrl+Alt+S"
    assert dlg.table.item(dlg.entries.index(REGISTRY.get("image.next")), 1).text() == "F"
    assert (
        dlg.table.item(dlg.entries.index(REGISTRY.get("image.next")), 0).toolTip().startswith("image.next:")
    )
    QTest.keyClick(window.canvas, Qt.Key.Key_F)
    assert window.document.current_image_id == 2


def hostile(tmp_path: Path, body: object) -> Path:
    path = tmp_path / "hostile.json"
    text = body if isinstance(body, str) else json.dumps(body)
    path.write_text(text)
    return path


def keymap(keys: object) -> dict:
    return {"format": "pixelproof-keys", "version": 1, "keys": keys}


@pytest.mark.parametrize(
    ("body", "located"),
    [
        (keymap({"file.save": ["Y"], "tool.nope": ["Ctrl+Y"]}), 'keys["tool.nope"]: no such action'),
        (
            keymap({"file.save": ["Ctrl+Shift+Hyper"]}),
            "keys[\"file.save\"][0]: 'Ctrl+Shift+Hyper' is not one key",
        ),
        (keymap({"file.save": ["Ctrl+K, Ctrl+S"]}), 'keys["file.save"][0]'),
        (keymap({"file.save": ["Ctrl+Shift"]}), 'keys["file.save"][0]'),
        (keymap({"file.save": ["Ctrl+\x00"]}), "keys[\"file.save\"][0]: 'Ctrl+\\x00' is not one key"),
        (keymap({"file.save": ["Ctrl+\u202eS"]}), 'keys["file.save"][0]'),
        (keymap({"file.save": {"key": "Y"}}), 'keys["file.save"]: a list of key texts was expected'),
        (keymap({"file.save": ["D"]}), 'keys["file.save"]: D is the key of “Next Image”'),
        (keymap({"file.save": ["Space"]}), 'keys["file.save"]: Space is the key of “Pan”'),
        (keymap({"file.save": ["Alt+F"]}), 'keys["file.save"]: Alt+F opens the File menu'),
        (keymap({"edit.category": ["Y"]}), 'keys["edit.category"]: its keys cannot be changed'),
        ('{"format": "pixelproof-keys", "version": 1, "keys": {"file.save": ["Y"],}}', "line 1, column 73"),
        (json.dumps(keymap({})) + " " * 70_000, "larger than 65,536 bytes"),
    ],
)
def test_a_hostile_key_map_says_where_and_changes_nothing(
    qtbot, window, tmp_path, warned, body, located
) -> None:
    from pixelproof.ui.preferences import PreferencesDialog

    dlg = PreferencesDialog(window)
    qtbot.addWidget(dlg)
    REGISTRY.set_keys("tool.box", ["Y"] if "Y" not in str(body) else ["Shift+Y"])
    before = REGISTRY.user_keys()
    path = hostile(tmp_path, body)
    assert not dlg.import_keys(str(path))
    assert len(warned) == 1 and f"{path}" in warned[0] and located in warned[0], warned
    assert warned[0].endswith("No key was changed.")
    assert REGISTRY.user_keys() == before and REGISTRY.text("file.save") == "Ctrl+S"
    assert window.files.act_save.shortcut().toString() == "Ctrl+S"


PREFERENCES_AT = r"""
import json, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QLabel
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow
from pixelproof.ui.preferences import PreferencesDialog
from pixelproof.ui.window_geometry import BORDER, TITLE

app = create_app([])
win = MainWindow()
win.show()
dialog = PreferencesDialog(win)
dialog.show()
for _ in range(10):
    app.processEvents()
area = app.primaryScreen().availableGeometry()
inside = dialog.rect()
cut = [
    w.text() for w in dialog.findChildren(QAbstractButton) + dialog.findChildren(QLabel)
    if w.isVisible() and w.text() and (
        not inside.contains(w.geometry().translated(w.parentWidget().mapTo(dialog, w.pos()) - w.pos()))
        or (not (isinstance(w, QLabel) and w.wordWrap()) and w.width() < w.sizeHint().width())
    )
]
table = dialog.table
print(json.dumps({
    "screen": [area.width(), area.height()],
    "frame": [dialog.width() + 2 * BORDER, dialog.height() + TITLE + BORDER],
    "cut": cut,
    "rows": table.viewport().height() // table.rowHeight(0),
}))
"""


@pytest.mark.parametrize(("screen", "rows"), [((1366, 768), 20), ((1024, 576), 8)])
def test_preferences_keys_fit_and_read_whole_on_a_small_screen(tmp_path, screen, rows) -> None:
    """Import Keys…, Export Keys… and Reset All beside the key editor: every button and label whole on the
    screen, and a table of keys still worth scrolling."""
    from tests.ui.conftest import run_at_scale

    out = json.loads(run_at_scale(1.0, PREFERENCES_AT, str(tmp_path / "settings"), screen=screen))
    width, height = out["screen"]
    assert out["frame"][0] <= width and out["frame"][1] <= height, out
    assert out["cut"] == [] and out["rows"] >= rows, out


def test_key_texts_qt_reads_as_one_key_and_those_it_must_not(qapp) -> None:
    """Four modifiers and F35 is one key (as Qt spells it); a NUL or a bidi override in the text is none
    (Qt read "Ctrl+\\x00" as "Ctrl+", a key text no file could hold back); a letter beyond ASCII is one."""
    from pixelproof.ui.key_map_file import one_key

    assert one_key("Ctrl+Alt+Shift+Meta+F35") == "Meta+Ctrl+Alt+Shift+F35"
    assert one_key("ctrl+é") == "Ctrl+É"
    assert [one_key(t) for t in ("Ctrl+\x00", "Ctrl+\u202eS", "A\n", "", "F36")] == [None] * 5
