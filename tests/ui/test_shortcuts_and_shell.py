"""The one shortcut registry (every key of the window comes from it, the user's keys persist and apply
live, Help > Shortcuts reads it) and the Shell (features run on it without a MainWindow)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from pixelproof.ui.shortcuts import REGISTRY, Shortcut, ShortcutRegistry, gesture
from tests.ui.conftest import wait_loaded


def keys_of(act: QAction) -> list[str]:
    return [s.toString(QKeySequence.SequenceFormat.PortableText) for s in act.shortcuts()]


def test_every_key_in_the_window_comes_from_the_registry(window) -> None:
    with_keys = [a for a in window.findChildren(QAction) if a.shortcuts()]
    assert len(with_keys) > 30  # menus of the window and of every feature
    for act in with_keys:
        sid = act.property("shortcut_id")
        assert sid, f"{act.text()!r} has keys {keys_of(act)} but no registry entry"
        entry = REGISTRY.get(sid)
        if entry.editable:
            assert act.shortcuts() == REGISTRY.sequences(sid), sid
    ids = {a.property("shortcut_id") for a in with_keys}
    assert {"file.save", "tool.box", "model.prelabel", "review.accept_object", "masks.brush_larger"} <= ids


def test_default_keys_do_not_clash_and_declarations_are_checked(qapp) -> None:
    assert REGISTRY.conflicts() == []
    # a key declared twice is refused where it is declared (review keys act window-wide too): two actions on
    # one key were only listed by conflicts(), and Qt then runs neither ("ambiguous shortcut")
    with pytest.raises(ValueError, match=r"'a\.two'.*X.*One"):
        ShortcutRegistry([Shortcut("a.one", "One", ("X",)), Shortcut("a.two", "Two", ("X",), "review")])
    reg = ShortcutRegistry(
        [Shortcut("a.one", "One", ("X",)), gesture("c.pan", "Pan", "Space", takes=("Space",))]
    )
    with pytest.raises(ValueError, match="Pan"):  # a key the canvas handles itself
        reg.declare(Shortcut("a.two", "Two", ("Space",)))
    with pytest.raises(ValueError, match="One"):  # keys compare as Qt reads them ("x" is X)
        reg.declare(Shortcut("a.two", "Two", ("Y", "x")))
    assert [e.id for e in reg.entries()] == ["a.one", "c.pan"] and reg.conflicts() == []
    with pytest.raises(ValueError, match="twice"):
        reg.declare(Shortcut("a.one", "Again"))
    with pytest.raises(ValueError, match="context"):
        reg.declare(Shortcut("a.three", "Three", (), "nowhere"))


def test_a_users_keys_apply_live_persist_and_reset(qtbot, window, isolated_settings) -> None:
    from tests.ui.test_files_and_panels import new_window

    save = window.files.act_save
    assert keys_of(save) == ["Ctrl+S"]
    REGISTRY.set_keys("file.save", ["Ctrl+Alt+S"])
    assert keys_of(save) == ["Ctrl+Alt+S"] and "Ctrl+Alt+S" in save.toolTip()
    assert ("Ctrl+Alt+S", "Save") in [(k, w) for k, w, _ in REGISTRY.rows()]
    window.document.undo_stack.resetClean()  # modified: a save has something to do
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.document.is_modified()  # the old key does nothing now
    qtbot.keyClick(
        window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    assert not window.document.is_modified()
    other = new_window(qtbot)  # read back from the settings file
    assert keys_of(other.files.act_save) == ["Ctrl+Alt+S"]
    REGISTRY.set_keys("file.save", None)
    assert keys_of(save) == ["Ctrl+S"] and keys_of(other.files.act_save) == ["Ctrl+S"]
    REGISTRY.set_keys("edit.delete", [])  # no key at all
    assert window.act_delete.shortcuts() == []
    REGISTRY.set_keys("edit.delete", None)
    with pytest.raises(ValueError, match="cannot be changed"):
        REGISTRY.set_keys("canvas.pan", ["X"])


def test_features_need_only_a_shell(qtbot) -> None:
    """The Masks menu, the review view and Import/Export on a bare QMainWindow: no MainWindow needed."""
    from pixelproof.ui.app import create_app
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.interop_dialogs import InteropActions
    from pixelproof.ui.masks_menu import MasksMenu
    from pixelproof.ui.review import ReviewMode
    from pixelproof.ui.shell import Shell

    create_app()
    win = QMainWindow()
    qtbot.addWidget(win)
    canvas = CanvasView(win)
    shell = Shell(win, canvas, open_document=lambda doc: False, choose_tool=lambda n: None,
                  selected_image_ids=list)  # fmt: skip
    file_menu = win.menuBar().addMenu("&File")
    file_menu.setObjectName("fileMenu")
    close = file_menu.addAction("Close")
    close.setObjectName("closeProject")
    help_menu = win.menuBar().addMenu("&Help")
    shell.menus[:] = [file_menu, help_menu]
    masks, review, interop = MasksMenu(shell), ReviewMode(shell), InteropActions(shell)
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles == ["&File", "&Masks", "&Review", "&Help"] and shell.menus[1:3] == [masks.menu, review.menu]
    assert file_menu.actions()[:2] == [interop.act_import, interop.act_export]
    assert not interop.act_export.isEnabled()  # no document in the shell
    win.show()
    review.act_toggle.setEnabled(True)
    review.toggle(True)
    assert shell.current_view() is review.view and win.centralWidget().currentWidget() is review.view
    review.toggle(False)
    assert shell.current_view() is canvas
    messages: list[str] = []
    win.statusBar().messageChanged.connect(messages.append)
    masks.merge()  # nothing open: a no-op, not a crash
    assert isinstance(masks.menu, QMenu)


def test_model_panel_uses_the_images_panel_selection_through_the_shell(qtbot, window) -> None:
    panel = window.panels["modelDock"]
    images = window.panels["imagesDock"]
    wait_loaded(qtbot, window)
    assert panel.selected_image_ids() == window.document.image_ids()  # one row selected: all images
    table = images.table
    table.selectAll()
    assert panel.selected_image_ids() == window.document.image_ids()
    table.clearSelection()
    model = table.model()
    for row in (0, 2):
        table.selectionModel().select(
            model.index(row, 0),
            table.selectionModel().SelectionFlag.Select | table.selectionModel().SelectionFlag.Rows,
        )
    assert panel.selected_image_ids() == [window.document.image_ids()[i] for i in (0, 2)]
