"""A keyboard-only walkthrough: D / A walk the Images list the labeler sees (its filter), labeling keys act
only in the labeling view and review keys only in review, H hides every annotation, and Help's find field
takes a key as a key (shift+k is Shift+K, not Ctrl+Shift+K too)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.ui.key_names import key_glyph
from tests.ui.conftest import make_project, open_main_window

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
NOMOD = Qt.KeyboardModifier.NoModifier


def key(win, k: Qt.Key, mod: Qt.KeyboardModifier = NOMOD) -> None:
    """A key pressed where the keyboard focus is (the canvas, after Esc in a field)."""
    QTest.keyClick(QApplication.focusWidget() or win.canvas, k, mod)


@contextmanager
def python_calls(name: str) -> Iterator[list[str]]:
    """Calls from Python code of built-in methods named ``name`` (Qt calling its own methods is not seen)."""
    calls: list[str] = []

    def count(_frame, event: str, arg: object) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") == name:
            calls.append(name)

    sys.setprofile(count)
    try:
        yield calls
    finally:
        sys.setprofile(None)


def listed(panel) -> list[int]:
    proxy = panel.proxy
    return [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(proxy.rowCount())]


def test_d_and_a_walk_the_images_the_filter_shows(qtbot, tmp_path, no_prompts) -> None:
    """With `status:todo` typed in the Images panel, D landed on image 3 (done, not in the list): D / A
    followed file order whatever the list showed. They now walk the list; from an image the filter hides
    (the one shown when the filter was typed, or one G just marked done), D goes to the next listed one
    after it in file order."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=6))
    doc, panel = win.document, win.panels["imagesDock"]
    for image_id in (1, 3, 6):
        doc.project.image_status_map()[str(image_id)] = "done"
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "status:todo")
    assert listed(panel) == [2, 4, 5] and doc.current_image_id == 1  # image 1 is shown, not listed
    QTest.keyClick(panel.filter, Qt.Key.Key_Escape)  # the keys back to the canvas
    assert win.canvas.hasFocus()
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 2  # the first listed after 1
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 4  # not 3: the filter hides it
    key(win, Qt.Key.Key_A)
    assert doc.current_image_id == 2
    key(win, Qt.Key.Key_G)  # done: 2 leaves the list, the next listed after it is shown
    assert doc.project.image_status(2) == "done" and listed(panel) == [4, 5]
    assert doc.current_image_id == 4
    key(win, Qt.Key.Key_D)
    key(win, Qt.Key.Key_D)  # the last listed image: D stays and says which list ended
    assert doc.current_image_id == 5
    message = win.statusBar().currentMessage()
    assert message.startswith("Last image") and "2 of 6" in message and "filter" in message
    key(win, Qt.Key.Key_G, SHIFT)  # the next one not done, in the list: round to 4
    assert doc.current_image_id == 4
    panel.filter.clear()  # no filter: file order again
    win.canvas.setFocus()
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 5
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 6
    doc.undo_stack.setClean()
    win.close()


def test_the_images_read_ahead_are_the_listed_ones_d_and_a_go_to(qtbot, tmp_path, no_prompts) -> None:
    """Read-ahead preloaded the file-order neighbours while D / A walked the filtered list: under
    `status:todo` it read image 3 (done, D skips it) and not image 4 (where D goes). The canvas now asks
    the loader for the next and previous listed images, as D / A find them."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=6))
    doc, panel = win.document, win.panels["imagesDock"]
    for image_id in (1, 3, 6):
        doc.project.image_status_map()[str(image_id)] = "done"
    asked: list[str] = []
    real = win.canvas.loader.prefetch
    win.canvas.loader.prefetch = lambda path, *a, **k: (asked.append(Path(path).name), real(path, *a, **k))
    name = {i: Path(doc.project.image_path(doc.project.images[i])).name for i in doc.image_ids()}
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "status:todo")
    QTest.keyClick(panel.filter, Qt.Key.Key_Escape)
    assert listed(panel) == [2, 4, 5]
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 2 and asked == [name[4]]  # the first listed: nothing before it
    asked.clear()
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 4 and asked == [name[5], name[2]]  # not 5 and 3
    asked.clear()
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 5 and asked == [name[4]]  # not 6; 4 is in the loader's cache already
    qtbot.waitUntil(
        lambda: not win.canvas.loader.is_busy(), timeout=10000
    )  # no read left running past the test
    win.close()


def test_typing_a_filter_reads_ahead_the_image_d_goes_to_next(qtbot, tmp_path, no_prompts) -> None:
    """Read-ahead ran only when an image was shown: after `status:todo` typed over image 1, the image D
    goes to (4: 2 and 3 are done) was read only once D was pressed, so that first D waited. A filter
    change now reads ahead the listed neighbours of the shown image, once the typing pauses (one read
    for the whole word, not one per key)."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=6))
    doc, panel = win.document, win.panels["imagesDock"]
    for image_id in (2, 3):
        doc.project.image_status_map()[str(image_id)] = "done"
    qtbot.waitUntil(
        lambda: not win.canvas.loader.is_busy(), timeout=10000
    )  # image 1 and its read-ahead (image 2)
    asked: list[str] = []
    real = win.canvas.loader.prefetch
    win.canvas.loader.prefetch = lambda path, *a, **k: (asked.append(Path(path).name), real(path, *a, **k))
    name = {i: Path(doc.project.image_path(doc.project.images[i])).name for i in doc.image_ids()}
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "status:todo")
    assert listed(panel) == [1, 4, 5, 6] and doc.current_image_id == 1
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert asked == [name[4]]  # the next listed image (1 is the first: nothing before it), read once
    qtbot.waitUntil(
        lambda: Path(doc.project.image_path(doc.project.images[4])) in win.canvas.loader._cache, timeout=10000
    )
    asked.clear()
    QTest.keyClick(panel.filter, Qt.Key.Key_Escape)
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 4
    qtbot.waitUntil(
        lambda: not win.canvas.loader.is_busy(), timeout=10000
    )  # no read left running past the test
    win.close()


def test_the_read_ahead_and_d_read_the_neighbours_not_every_listed_row(qtbot, tmp_path, no_prompts) -> None:
    """The read-ahead after typing, and each D / A, listed every row the filter shows to find the two
    neighbours of the shown image: each row mapped through the proxy in Python, ~0.3 s over 100,000 images
    (cProfile: 0.6 s of the pause after typing -class:class7, 99,019 rows, bench/big.py's project), while
    the typing could go on. They now ask the table for the shown image's row and its neighbours only."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=40, size=(24, 32)))
    doc = win.document
    for image_id in (1, 3, 40):
        doc.project.image_status_map()[str(image_id)] = "done"
    qtbot.waitUntil(lambda: not win.canvas.loader.is_busy(), timeout=10000)
    asked: list[str] = []
    real = win.canvas.loader.prefetch
    win.canvas.loader.prefetch = lambda path, *a, **k: (asked.append(Path(path).name), real(path, *a, **k))
    name = {i: Path(doc.project.image_path(doc.project.images[i])).name for i in doc.image_ids()}
    with python_calls("mapToSource") as rows_read:  # rows mapped through the proxy one at a time
        walk_the_list(win, qtbot, asked, name, rows_read)
    qtbot.waitUntil(
        lambda: not win.canvas.loader.is_busy(), timeout=10000
    )  # no read left running past the test
    win.close()


def walk_the_list(win, qtbot, asked: list[str], name: dict[int, str], rows_read: list[str]) -> None:
    """Type status:todo over image 1 (done), then D, D, D, A and Shift+G, counting the rows read."""
    doc, panel = win.document, win.panels["imagesDock"]
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "status:todo")
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert asked == [name[2]]  # 1 is hidden: D goes to 2, the first listed after it; nothing listed before
    assert panel.proxy.rowCount() == 37 and len(rows_read) <= 2, rows_read
    QTest.keyClick(panel.filter, Qt.Key.Key_Escape)
    for want in (2, 4, 5):
        rows_read.clear()
        asked.clear()
        key(win, Qt.Key.Key_D)
        assert doc.current_image_id == want
        assert len(rows_read) <= 3, rows_read  # the step, then the read-ahead of the next and previous
    assert asked == [name[6], name[4]]  # from 5: the next and the previous listed (3 is done)
    key(win, Qt.Key.Key_A)
    assert doc.current_image_id == 4
    rows_read.clear()
    key(win, Qt.Key.Key_G, SHIFT)  # the next image to do: a walk of the list, as before
    assert doc.current_image_id == 5


def test_labeling_keys_do_nothing_in_the_review_view_and_review_keys_nothing_in_labeling(
    qtbot, tmp_path, no_prompts
) -> None:
    """The registry's "labeling" context was a label only: G marked the labeling view's image done and
    moved it, B changed its tool, Alt+3 its status, all unseen while the review view was shown. Keys act
    in the view of their context now; window keys (undo, Ctrl+Tab, D) everywhere."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=4))
    doc = win.document
    win.choose_tool("select")
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)  # the review view (no reference: the candidate)
    assert win.review.active
    assert not win.canvas.isVisible()
    for k, mod in ((Qt.Key.Key_G, NOMOD), (Qt.Key.Key_G, SHIFT), (Qt.Key.Key_B, NOMOD),
                   (Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier), (Qt.Key.Key_H, NOMOD)):  # fmt: skip
        QTest.keyClick(QApplication.focusWidget(), k, mod)
    assert doc.current_image_id == 1 and doc.project.image_status(1) == "todo"
    assert win.canvas.tool is win.tools["select"] and win.act_show_annotations.isChecked()
    assert doc.undo_stack.count() == 0
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_D)  # a window key: the next image, in review too
    assert doc.current_image_id == 2
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, CTRL)  # back to labeling
    assert not win.review.active and win.canvas.hasFocus()
    outlines = win.review.act_outline.isChecked()
    QTest.keyClick(win.canvas, Qt.Key.Key_O)  # a review key: nothing here
    assert win.review.act_outline.isChecked() == outlines
    QTest.keyClick(win.canvas, Qt.Key.Key_B)  # the labeling keys act again
    assert win.canvas.tool is win.tools["box"]
    QTest.keyClick(win.canvas, Qt.Key.Key_G)
    assert doc.project.image_status(2) == "done" and doc.current_image_id == 3
    doc.undo_stack.setClean()
    win.close()


def test_h_hides_every_annotation_and_shows_them_again(qtbot, window) -> None:
    """Nothing hid all the annotations at once to look at the image under them (L hides the names, Shift+O
    the fills, the opacity slider the fills, Show Categories one class at a time). H toggles them: hidden,
    a click picks nothing, and a new drawing shows them again (what is drawn is seen)."""
    from tests.ui.test_workbench import draw_box, set_zoom

    win = window
    set_zoom(win, 1.0)
    first = draw_box(win, 40, 30, 120, 90)

    def shown(ann_id: int) -> bool:  # looked up each time: a deselected box's item goes back in the layer
        return win.canvas.items_by_id[ann_id].isVisible()

    assert shown(first) and first in win.document.selection
    QTest.keyClick(win.canvas, Qt.Key.Key_H)
    assert not win.act_show_annotations.isChecked()
    assert not shown(first) and win.document.selection == []  # nothing selected out of sight
    QTest.keyClick(win.canvas, Qt.Key.Key_A, CTRL)  # select all: only what is shown
    assert win.document.selection == []
    win.document.set_selection([first])  # an Annotations panel pick (or an undo's focus): looking for it
    assert win.act_show_annotations.isChecked() and shown(first)
    assert win.document.selection == [first]
    QTest.keyClick(win.canvas, Qt.Key.Key_H)
    second = draw_box(win, 150, 120, 200, 170)  # drawing while hidden shows them again
    assert win.act_show_annotations.isChecked()
    assert shown(first) and shown(second)
    assert "shown again" in win.statusBar().currentMessage()
    QTest.keyClick(win.canvas, Qt.Key.Key_H)
    assert not shown(first)
    QTest.keyClick(win.canvas, Qt.Key.Key_H)  # and H again shows them
    assert win.act_show_annotations.isChecked() and shown(first)


def test_hidden_annotations_say_so_in_the_status_bar(qtbot, window) -> None:
    """H on the demo's coins left 24 rows in the Annotations panel and none on the image, and nothing said
    why (the check was inside the View menu): a user who pressed H by mistake saw the work gone. Now the
    status bar says it at once and keeps a badge while they are hidden, gone when shown (H, drawing) and
    in the review view, whose panes draw their own."""
    from tests.ui.test_workbench import draw_box, set_zoom

    win = window
    win.show()
    set_zoom(win, 1.0)
    draw_box(win, 40, 30, 120, 90)
    badge = win.readout.hidden_label
    assert not badge.isVisible()
    QTest.keyClick(win.canvas, Qt.Key.Key_H)
    assert badge.isVisible() and "H" in badge.text()
    assert "hidden" in win.statusBar().currentMessage().lower()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)  # the review view: not about its panes
    assert win.review.active and not badge.isVisible()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, CTRL)
    assert badge.isVisible()
    QTest.keyClick(win.canvas, Qt.Key.Key_H)
    assert not badge.isVisible()
    QTest.keyClick(win.canvas, Qt.Key.Key_H)
    draw_box(win, 150, 120, 200, 170)  # drawing shows them again, and the badge goes
    assert not badge.isVisible()


def help_finder(window, monkeypatch):  # type: ignore[no-untyped-def]
    """Help > Shortcuts opened by F1, and a function typing a search into its find field that returns
    the rows left shown ({action: keys})."""
    from pixelproof.ui import dialogs

    shown: list = []
    monkeypatch.setattr(dialogs.ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    QTest.keyClick(window.canvas, Qt.Key.Key_F1)
    (dlg,) = shown

    def found(text: str) -> dict[str, str]:
        dlg.filter_edit.clear()
        QTest.keyClicks(dlg.filter_edit, text)
        t = dlg.table
        return {t.item(r, 1).text(): t.item(r, 0).text() for r in range(t.rowCount()) if not t.isRowHidden(r)}

    return dlg, found


def test_help_finds_a_typed_key_exactly_and_words_as_text(qtbot, window, monkeypatch) -> None:
    """Typing shift+k in Help > Shortcuts listed Ctrl+Shift+K too (the text contains it): a search that
    is a key sequence now finds that key only; a word still finds every action that says it."""

    dlg, found = help_finder(window, monkeypatch)

    assert found("shift+k") == {"Accept All on Image": "Shift+K"}
    assert found("SHIFT+K") == found("Shift+K") == {"Accept All on Image": "Shift+K"}
    assert found("ctrl+shift+k") == {"Accept All Predictions in Project": "Ctrl+Shift+K"}
    assert found("ctrl+y") == {"Redo": "Ctrl+Shift+Z / Ctrl+Y"}  # one of an action's keys
    assert found("f5") == {"Re-run QA": "F5"}  # not F6's "Shift+F6" nor "Ctrl+F6"
    assert [what.split(" (")[0] for what in found("h")] == ["Show Annotations"]  # one letter: that key
    words = found("accept")
    assert {"Accept Selected", "Accept All on Image", "Accept Object"} <= set(words)
    assert all("accept" in what.lower() for what in words)
    assert "Pan" in set(found("space"))  # a gesture's key, in text
    assert found("shift+click")  # a gesture: text, not a key
    dlg.close()
    from pixelproof.ui.preferences import PreferencesDialog

    prefs = PreferencesDialog(window)  # the same find field: a key finds that key
    QTest.keyClicks(prefs.filter_edit, "shift+k")
    t = prefs.table
    assert [t.item(r, 0).text() for r in range(t.rowCount()) if not t.isRowHidden(r)] == [
        "Accept All on Image"
    ]
    assert prefs.current_id() == "model.accept_all"
    prefs.close()


def test_a_bare_symbol_finds_the_chords_ending_in_it(qtbot, window, monkeypatch) -> None:
    """Typing + in Help > Shortcuts found only a key that is + itself, not Ctrl++ (Zoom In): a search of
    one symbol now also finds the chords ending in it, in Help and Preferences alike; a letter still finds
    that very key (h is not Ctrl+H)."""
    from pixelproof.ui.preferences import PreferencesDialog

    dlg, found = help_finder(window, monkeypatch)

    for symbol, action in (("+", "Zoom In"), ("-", "Zoom Out"), ("=", "Zoom In"), (",", "Preferences")):
        rows = found(symbol)
        assert any(what.startswith(action) for what in rows), (symbol, rows)
        for keys in rows.values():  # each row found has a key that is the symbol or ends in it
            shown = [key_glyph(k) for k in keys.split(" / ")]  # "Comma (,)" is the key ","
            assert any(k == symbol or k.endswith("+" + symbol) for k in shown), (symbol, keys)
    assert found("[") == {"Brush Smaller (wand in hand: its tolerance down)": "["}
    # a key too small to read alone is shown named, "Period (.)", and found by itself all the same
    period = {what.split(" (")[0]: keys for what, keys in found(".").items()}
    assert period["Next Problem Object"] == "Period (.)"
    assert [what.split(" (")[0] for what in found("h")] == ["Show Annotations"]
    dlg.close()
    prefs = PreferencesDialog(window)
    QTest.keyClicks(prefs.filter_edit, "+")
    t = prefs.table
    assert [t.item(r, 0).text() for r in range(t.rowCount()) if not t.isRowHidden(r)] == [
        "Bring to Front",
        "Zoom In",
    ]  # + itself, Ctrl++
    prefs.close()


def test_the_hidden_badge_is_for_an_open_project_only(qtbot, window, project_file) -> None:
    """H then File > Close left 'Annotations hidden (H)' in the status bar of a window with no project
    (nothing to hide). It goes with the project, and comes back with the next one, still hidden."""
    win = window
    win.show()
    badge = win.readout.hidden_label
    QTest.keyClick(win.canvas, Qt.Key.Key_H)
    assert badge.isVisible()
    assert win.close_project()
    assert not badge.isVisible()
    assert win.open_project(project_file)
    assert not win.canvas.show_filter.annotations and badge.isVisible()


def test_a_narrow_filter_over_a_hidden_image_reads_ahead_without_a_row_asked_per_file(
    qtbot, tmp_path, no_prompts
) -> None:
    """The shown image hidden by what is typed: the read-ahead walked the file order from it both ways,
    asking the table (mapFromSource, through Qt) for each image passed, to find its few listed neighbours,
    or none: ~100,000 rows asked at each pause in typing a file's name over a big project. Past as many
    images as are listed, the walk indexes the list: a row or two."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=60, size=(24, 32)))
    doc, panel = win.document, win.panels["imagesDock"]
    doc.set_current_image(30)
    qtbot.waitUntil(lambda: not win.canvas.loader.is_busy(), timeout=10000)
    asked: list[str] = []
    real = win.canvas.loader.prefetch
    win.canvas.loader.prefetch = lambda path, *a, **k: (asked.append(Path(path).name), real(path, *a, **k))
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    with python_calls("mapFromSource") as rows_asked:
        with qtbot.waitSignal(panel.listedChanged):
            QTest.keyClicks(panel.filter, "img59")  # img29 (id 30) hidden; img59 listed, after it
        assert panel.proxy.rowCount() == 1 and asked == ["img59.png"]
        assert len(rows_asked) <= 12, len(rows_asked)  # the table's own look-up at each key too (66 walking)
        rows_asked.clear()
        with qtbot.waitSignal(panel.listedChanged):
            QTest.keyClicks(panel.filter, "x")  # nothing listed
        assert panel.proxy.rowCount() == 0 and len(rows_asked) <= 4, len(rows_asked)  # none of the walk
    QTest.keyClick(panel.filter, Qt.Key.Key_Escape)
    key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 30  # nothing listed: D stays, saying so
    qtbot.waitUntil(lambda: not win.canvas.loader.is_busy(), timeout=10000)
    win.close()
