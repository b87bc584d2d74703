"""A note longer than ``MAX_NOTE`` (made before the limit, by a script or by hand) loads whole, but the app
showed it whole in a tooltip, a table cell and the review's decision line (10,000 characters across the
screen), and the Properties note field took it as it was: no limit of its own there, a note of any length
could be typed, and a note over Qt's 32,767 characters was cut in the field and saved cut on Return. Now
every place shows its start and its length, the field shows it read-only with a line saying it is kept
whole, Return and a decision without a note leave it as it is, it is saved back whole, and Clear note (an
undoable edit the user chooses) is the way to drop it."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.limits import MAX_NOTE
from tests.core.test_qa_decisions import long_notes_demo
from tests.ui.conftest import ListRow, row_ids
from tests.ui.test_review import CTRL, LEFT, NOMOD, enter_review, open_window, table_click

OBJECT_NOTE = "".join(f"word{k} " for k in range(1_500))[:9_991] + " the end."  # 10,000 characters
IMAGE_NOTE = "i" * 9_000 + " image note end"


def _saved_notes(project_file, first: int, cell_id: int) -> tuple[str, str]:
    data = json.loads(project_file.read_text())
    ann = next(a for a in data["annotations"] if a["id"] == first)
    return ann["pixelproof"]["note"], data["pixelproof"]["image_review"][str(cell_id)]["note"]


def test_a_10000_character_note_shows_cut_and_saves_whole(qtbot, tmp_path, no_prompts) -> None:
    assert len(OBJECT_NOTE) == 10_000
    project_file, first, _, cell_id = long_notes_demo(tmp_path, OBJECT_NOTE, IMAGE_NOTE)
    win = open_window(qtbot, project_file)
    try:
        doc = win.document
        assert doc.project.annotations[first].note == OBJECT_NOTE  # loaded whole
        doc.set_current_image(doc.project.annotations[first].image_id)
        panel = win.panels["annotationsDock"]
        lst = panel.list
        qtbot.waitUntil(lambda: lst.model().rowCount() > 0, timeout=10000)
        row = ListRow(lst, row_ids(lst).index(first))
        tip = row.toolTip()
        assert len(tip) < 1_000 and "10,000 characters" in tip and OBJECT_NOTE[:100] in tip
        QTest.mouseClick(lst.viewport(), LEFT, NOMOD, lst.visualRect(row.index).center())
        assert doc.selection == [first]
        props = win.panels["propertiesDock"]
        field = props.note
        qtbot.waitUntil(field.isReadOnly, timeout=10000)  # the panel refreshes once the selection settles
        assert field.isReadOnly() and len(field.text()) < 1_000 and field.text().startswith(OBJECT_NOTE[:100])
        assert props.note_long.isVisible() and "10,000 characters" in props.note_long.text()
        assert f"{MAX_NOTE:,}" in props.note_long.text() and props.clear_note.isVisible()
        QTest.mouseClick(field, LEFT, NOMOD)  # into the field, Return, a key, out again: nothing changes
        QTest.keyClick(field, Qt.Key.Key_End)
        QTest.keyClicks(field, "x")
        QTest.keyClick(field, Qt.Key.Key_Return)
        QTest.mouseClick(lst.viewport(), LEFT, NOMOD, lst.visualRect(row.index).center())
        assert doc.project.annotations[first].note == OBJECT_NOTE
        assert doc.undo_stack.count() == 0

        enter_review(qtbot, win)  # the review's cells, tooltips and decision line show the start only
        view = win.review.view
        qtbot.waitUntil(lambda: view.object_model.rowCount() > 0, timeout=10000)
        images = view.images.image_model
        for r in range(images.rowCount()):
            for c in range(images.columnCount()):
                tip = images.index(r, c).data(Qt.ItemDataRole.ToolTipRole)
                assert tip is None or len(tip) < 2_000
        doc.set_current_image(cell_id)
        qtbot.waitUntil(lambda: "This image" in view.decision.image_decision_label.text(), timeout=10000)
        line = view.decision.image_decision_label.text()
        assert len(line) < 1_000 and "9,015 characters" in line
        doc.set_current_image(doc.project.annotations[first].image_id)
        qtbot.waitUntil(lambda: any(r.cand_id == first for r in view.object_model.rows), timeout=10000)
        k = next(i for i, r in enumerate(view.object_model.rows) if r.cand_id == first)
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            shown = [view.object_model.index(k, c).data(role) for c in range(view.object_model.columnCount())]
            assert all(not isinstance(s, str) or len(s) < 1_000 for s in shown)
        table_click(view.object_table, k)
        QTest.keyClick(view.object_table, Qt.Key.Key_Return, CTRL)  # accept without a note: it stays
        assert doc.project.annotations[first].review == "accepted"
        assert doc.project.annotations[first].note == OBJECT_NOTE
        QTest.keyClick(view.object_table, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: doc.undo_stack.isClean(), timeout=10000)
        assert _saved_notes(project_file, first, cell_id) == (OBJECT_NOTE, IMAGE_NOTE)

        QTest.keyClick(view.object_table, Qt.Key.Key_Tab, CTRL)  # back to labelling: Clear note drops it
        doc.set_selection([first])
        qtbot.waitUntil(lambda: props.clear_note.isVisible(), timeout=10000)
        QTest.mouseClick(props.clear_note, LEFT)
        assert doc.project.annotations[first].note is None
        qtbot.waitUntil(lambda: not field.isReadOnly(), timeout=10000)
        assert field.text() == "" and not props.note_long.isVisible() and not props.clear_note.isVisible()
        doc.undo_stack.undo()
        assert doc.project.annotations[first].note == OBJECT_NOTE
        qtbot.waitUntil(field.isReadOnly, timeout=10000)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_properties_note_field_takes_at_most_max_note_characters(qtbot, tmp_path, no_prompts) -> None:
    """The decision box stopped at MAX_NOTE, the Properties field did not: a pasted log became a note."""
    project_file, first, _, _ = long_notes_demo(tmp_path, "short", "short")
    win = open_window(qtbot, project_file)
    try:
        doc = win.document
        doc.set_current_image(doc.project.annotations[first].image_id)
        doc.set_selection([first])
        field = win.panels["propertiesDock"].note
        qtbot.waitUntil(lambda: field.text() == "short", timeout=10000)
        QTest.mouseClick(field, LEFT, NOMOD)
        QTest.keyClick(field, Qt.Key.Key_A, CTRL)
        QTest.keyClicks(field, "y" * (MAX_NOTE + 5))
        QTest.keyClick(field, Qt.Key.Key_Return)
        assert doc.project.annotations[first].note == "y" * MAX_NOTE
    finally:
        win.document.undo_stack.setClean()
        win.close()
