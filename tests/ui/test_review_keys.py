"""The review view's keys at 1366x768 on the demo project, pressed as a lead presses them: none reaches
the labeling workbench (its tool stays the one picked), and the keys that walk the problems (the next
problem object of the image, the next worst image) go where the tables say."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

from pixelproof.core.demo import install_demo
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.test_review import LEFT, enter_review, opened, table_click, wait_image

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


@pytest.fixture
def window(qtbot, demo: Path, no_prompts):
    yield from opened(qtbot, demo, size=(1366, 768))


def press(seq: QKeySequence) -> None:
    """``seq`` pressed on whatever has the keyboard focus, as a keyboard sends it."""
    combo = seq[0]
    QTest.keyClick(QApplication.focusWidget(), combo.key(), combo.keyboardModifiers())


def tool_in_hand(win) -> tuple[list[str], object]:
    return [n for n, a in win.tool_actions.items() if a.isChecked()], win.canvas.tool


def test_no_review_key_changes_the_workbench_tool(qtbot, window) -> None:
    """A lead saw the toolbar's tool change while reviewing with table clicks, Ctrl+Backspace and
    Ctrl+Return. Every key of the review view (and every tool key, dropped there) on every row's
    objects, a missed one (nothing to decide) too, leaves the tool picked on the toolbar in hand, there
    and back in the labeling view."""
    toolbar = window.findChild(QToolBar, "mainToolbar")
    button = toolbar.widgetForAction(window.tool_actions["brush"])
    assert isinstance(button, QToolButton)
    QTest.mouseClick(button, LEFT)
    picked = tool_in_hand(window)
    assert picked == (["brush"], window.tools["brush"])
    view = window.review.view
    enter_review(qtbot, window)
    review_keys = [s for e in REGISTRY.entries() if e.context == "review" for s in REGISTRY.sequences(e.id)]
    tool_keys = [
        s
        for e in REGISTRY.entries()
        if e.id.startswith("tool.") or e.id == "model.prelabel"
        for s in REGISTRY.sequences(e.id)
    ]
    assert len(review_keys) >= 9 and len(tool_keys) >= 8
    statuses = set()  # each key is pressed on one row of each status (every key on every row: 12 s)
    for image_id in view.images.listed_ids():
        view.images.select_image(image_id)
        wait_image(qtbot, view)
        for obj in range(view.object_model.rowCount()):
            if view.object_model.rows[obj].status in statuses:
                continue
            statuses.add(view.object_model.rows[obj].status)
            for seq, table in [(s, t) for s in [*review_keys, *tool_keys] for t in ("images", "objects")]:
                if view.image_id != image_id:  # W went to another image
                    view.images.select_image(image_id)
                    wait_image(qtbot, view)
                if table == "objects":
                    table_click(view.object_table, obj)  # the focus back from the note field (N)
                else:
                    view.images.image_table.setFocus()
                press(seq)
                qtbot.waitUntil(lambda: view.job is None, timeout=10000)  # F5 re-runs QA
                assert tool_in_hand(window) == picked, f"{seq.toString()} changed the tool"
                assert window.review.active
    assert {"match", "fn", "fp"} <= statuses
    window.canvas.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, CTRL)  # back to labeling
    assert not window.review.active and tool_in_hand(window) == picked


def key_of(id: str) -> QKeySequence:
    return REGISTRY.sequences(id)[0]


def test_next_and_previous_problem_object_walk_the_image_s_problems(qtbot, window) -> None:
    """A reviewer had only the arrows of the Objects table (matches too, and only with the table focused):
    the next / previous problem object key goes from the missed, extra and wrong-class objects of the image
    to the next, from wherever the focus is, and says so at the last one."""
    view = window.review.view
    enter_review(qtbot, window)
    proxy = view.images.image_proxy
    coins = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "coins.png")
    table_click(view.images.image_table, coins)  # the focus in the Images table
    wait_image(qtbot, view)
    model = view.object_model
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]  # the Status column as read
    problems = [r for r, text in enumerate(shown) if text.startswith(("missed", "extra", "wrong class"))]
    assert len(problems) >= 2 and len(problems) < model.rowCount()  # matches too
    walked = []
    for _ in problems:
        press(key_of("review.next_problem"))
        walked.append(view.object_table.currentIndex().row())
        box = model.rows[walked[-1]].bbox
        framed = view.ref_pane.focus_item.rect()  # the dashed frame, 2 px out
        assert (framed.x() + 2, framed.y() + 2, framed.width() - 4, framed.height() - 4) == tuple(box)
    assert walked == problems
    assert view.images.image_table.hasFocus()  # the key does not take the focus away
    press(key_of("review.next_problem"))  # past the last: stays, says so
    assert view.object_table.currentIndex().row() == problems[-1]
    assert "no problem object after" in window.statusBar().currentMessage().lower()
    back = []
    for _ in problems[:-1]:
        press(key_of("review.previous_problem"))
        back.append(view.object_table.currentIndex().row())
    assert back == problems[-2::-1]
    # typed in the note field, the keys are the note's text
    note, row, image = view.decision.note_edit, view.object_table.currentIndex().row(), view.image_id
    QTest.mouseClick(note, LEFT)
    QTest.keyClicks(note, "w.,W")
    assert note.text() == "w.,W" and view.object_table.currentIndex().row() == row and view.image_id == image


def test_next_worst_image_goes_by_dice_whatever_the_table_s_sort(qtbot, window) -> None:
    """No key jumped to the worst image: W goes to the images with a problem worst Dice first (then most
    objects missed, extra or of the wrong class), whatever the Images table is sorted by, passing over
    perfect and n/a images and those already accepted or rejected as a whole; Shift+W goes back."""
    from tests.ui.test_review import header_click

    view = window.review.view
    enter_review(qtbot, window)
    header_click(view.images.image_table, 0)  # sorted by name: D would walk by name
    table = view.scored.image_table
    worst_first = sorted(
        (
            r
            for r in table
            if (r["dice"] == r["dice"] and r["dice"] < 1) or r["fn"] + r["fp"] + r["wrong_class"]
        ),
        key=lambda r: (
            r["dice"] != r["dice"],
            r["dice"],
            -(r["fn"] + r["fp"] + r["wrong_class"]),
            r["file_name"],
        ),
    )
    expected = [r["image_id"] for r in worst_first]
    fine = next(r["image_id"] for r in table if r["image_id"] not in expected)  # perfect or n/a
    assert 2 < len(expected) < len(table)
    view.select_image(fine)
    view.images.image_table.setFocus()
    walked = []
    for _ in expected:
        press(key_of("review.next_worst"))
        walked.append(view.image_id)
    assert walked == expected
    press(key_of("review.next_worst"))  # the last: stays, says so
    assert view.image_id == expected[-1]
    assert "no image with a problem after" in window.statusBar().currentMessage().lower()
    # the second worst accepted as a whole: Shift+W from the third goes to the worst
    view.select_image(expected[1])
    wait_image(qtbot, view)
    press(QKeySequence("Ctrl+Shift+Return"))
    assert view.document.project.app["image_review"][str(expected[1])]["review"] == "accepted"
    view.select_image(expected[2])
    press(key_of("review.previous_worst"))
    assert view.image_id == expected[0]
    press(key_of("review.next_worst"))
    assert view.image_id == expected[2]


def test_the_walking_keys_are_in_the_review_menu_with_their_keys(qtbot, window) -> None:
    menu = window.review.menu
    ids = ("review.next_problem", "review.previous_problem", "review.next_worst", "review.previous_worst")
    by_id = {a.property("shortcut_id"): a for a in menu.actions()}
    for id in ids:
        act = by_id[id]
        keys = REGISTRY.text(id)
        assert keys and keys in act.toolTip()
        assert act.shortcut() == REGISTRY.sequences(id)[0]
    assert REGISTRY.conflicts() == []


def menu_key_column(menu, act) -> str:  # type: ignore[no-untyped-def]
    """The text ``menu`` draws in its shortcut column for ``act`` (after the tab of the item's text, as
    QMenu hands it to the style)."""
    from PySide6.QtWidgets import QStyleOptionMenuItem

    opt = QStyleOptionMenuItem()
    menu.initStyleOption(opt, act)
    return opt.text.partition("\t")[2]


def test_the_punctuation_keys_read_in_the_review_menu(qtbot, window) -> None:
    """The Review menu's shortcut column showed '.' and ',' for the next / previous problem object: a
    3-px speck beside 'W' and 'Shift+W', easy to take for nothing or for each other. Such a lone
    punctuation key is named there beside its glyph, 'Period (.)', as in Help > Shortcuts and the
    tooltip; the key itself is still '.' (pressed, it walks the problems: tests above), and a key the user
    sets instead shows as itself."""
    menu = window.review.menu
    by_id = {a.property("shortcut_id"): a for a in menu.actions()}
    QTest.mouseClick(window.menuBar(), LEFT, pos=window.menuBar().actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    fm = menu.fontMetrics()
    letter = fm.horizontalAdvance(menu_key_column(menu, by_id["review.next_worst"]))  # "W"
    for id, glyph in (("review.next_problem", "."), ("review.previous_problem", ",")):
        act = by_id[id]
        assert act.shortcut() == QKeySequence(glyph)  # the key is unchanged
        shown = menu_key_column(menu, act)
        assert glyph in shown and fm.horizontalAdvance(shown) > 2 * letter, shown
        assert shown in REGISTRY.text(id) and shown in act.toolTip()
        assert "\t" not in act.iconText() and "\t" not in act.toolTip()
        rows = {what: keys for keys, what, _ in REGISTRY.rows()}
        assert shown in rows[REGISTRY.get(id).described]
    menu.close()
    try:
        REGISTRY.set_keys("review.next_problem", ["Ctrl+Alt+J"])
        act = by_id["review.next_problem"]
        assert menu_key_column(menu, act) == QKeySequence("Ctrl+Alt+J").toString(
            QKeySequence.SequenceFormat.NativeText
        )
        assert act.shortcut() == QKeySequence("Ctrl+Alt+J")
    finally:
        REGISTRY.set_keys("review.next_problem", None)
    assert menu_key_column(menu, by_id["review.next_problem"]) == REGISTRY.text("review.next_problem")
