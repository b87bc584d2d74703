"""The objects a merge left out, restored in the app: from the merge report dialog right after File > Merge
Shards…, and from a saved report with File > Restore Left-Out Objects… (real clicks and keys)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.ui.conftest import click_button, settle
from tests.ui.test_teams_ui import _answer_modal, left_out_shards

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


def _merge(qtbot, window, paths, in_report) -> None:  # type: ignore[no-untyped-def]
    """File > Merge Shards… with ``paths``, OK, then ``in_report(dialog)`` on the merge report, closed
    with Esc after it."""

    def fill_merge(dialog) -> None:  # type: ignore[no-untyped-def]
        for path in paths:
            dialog.shards.addItem(str(path))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # OK

    done: list[bool] = []

    def report(dialog) -> None:  # type: ignore[no-untyped-def]
        settle()
        in_report(dialog)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        done.append(True)

    _answer_modal(qtbot, fill_merge)
    window.teams.act_merge.trigger()
    qtbot.waitUntil(lambda: window.teams.job is not None, timeout=10000)
    _answer_modal(qtbot, report)
    qtbot.waitUntil(lambda: bool(done), timeout=20000)


def _click_row(table, row: int) -> None:  # type: ignore[no-untyped-def]
    item = table.item(row, 0)
    table.scrollToItem(item)
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(item).center())


def test_restore_selected_in_the_merge_report_brings_the_object_back_as_one_undo_step(
    qtbot, window, project_file
) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    paths, lead_box = left_out_shards(window, project_file)
    cats = {c.id: c.name for c in doc.project.categories.values()}
    seen: list[list[str]] = []
    said: list[str] = []

    def restore(dialog) -> None:  # type: ignore[no-untyped-def]
        panel = dialog.left_out
        table = panel.table
        seen.append([table.item(0, c).text() for c in range(4)])
        assert not panel.restore_button.isEnabled()  # nothing selected yet
        _click_row(table, 0)
        click_button(panel.restore_button)
        said.append(panel.said.text())

    _merge(qtbot, window, paths, restore)
    image = doc.project.images[lead_box.image_id]
    assert seen == [[image.file_name, "base", cats[1], "the base's, replaced by ann's version"]]
    assert lead_box.id not in doc.project.annotations  # the merge left it out (ann's version kept)
    [back] = [a for a in doc.project.annotations_of(image.id) if a.bbox == [5.0, 5.0, 20.0, 20.0]]
    assert back.category_id == 1 and back.area == 400.0 and back.id != lead_box.id
    label = "Restore 1 left-out object from project.merge-report.json (base 1)"
    assert said[0].startswith(f"{label}, as #{back.id}"), said
    assert doc.undo_stack.undoText() == label
    assert label in window.statusBar().currentMessage()
    window.activateWindow()  # back from the modal dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10000)
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, CTRL)  # one step takes it back; the merge stays
    assert back.id not in doc.project.annotations
    assert doc.undo_stack.undoText() == "Merge 2 shards of ann, bob"


def test_a_saved_report_opens_from_the_file_menu_with_replace_and_another_projects_is_refused(
    qtbot, window, project_file, monkeypatch, errors
) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    paths, lead_box = left_out_shards(window, project_file)
    _merge(qtbot, window, paths, lambda dialog: None)
    written = project_file.parent / "project.merge-report.json"
    assert written.is_file()
    chosen = [str(written)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (chosen[0], "")))
    image_id = lead_box.image_id
    before = {a.id for a in doc.project.annotations_of(image_id)}
    anns = [a.id for a in doc.project.annotations_of(image_id) if a.bbox == [60.0, 60.0, 10.0, 10.0]]
    report = json.loads(written.read_text(encoding="utf-8"))
    report["left_out_objects"][0]["id"] = anns[0]  # as if the lead's box were the base's of ann's object
    written.write_text(json.dumps(report), encoding="utf-8")
    steps = doc.undo_stack.count()

    def restore(dialog) -> None:  # type: ignore[no-untyped-def]
        settle()
        panel = dialog.panel
        _click_row(panel.table, 0)
        QTest.mouseClick(panel.replace, Qt.MouseButton.LeftButton)  # as restore --replace
        assert panel.replace.isChecked()
        click_button(panel.restore_button)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    _answer_modal(qtbot, restore)
    window.activateWindow()  # back from the merge report
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10000)
    QTest.keyClick(window.canvas, Qt.Key.Key_U, CTRL | Qt.KeyboardModifier.AltModifier)
    after = {a.id: a for a in doc.project.annotations_of(image_id)}
    [new] = set(after) - before
    assert after[new].bbox == [5.0, 5.0, 20.0, 20.0]
    assert set(after) == before - {anns[0]} | {new}  # Replace: it takes the place of the object of its id
    assert doc.undo_stack.count() == steps + 1

    # another project's report: said naming the file, nothing changed, no dialog
    for row in report["left_out_objects"]:
        row["file_name"] = "elsewhere/" + row["file_name"]
    foreign = project_file.parent / "foreign.merge-report.json"
    foreign.write_text(json.dumps(report), encoding="utf-8")
    chosen[0] = str(foreign)
    window.teams.act_restore.trigger()
    assert len(errors) == 1 and str(foreign) in errors[0][1], errors
    assert "the report of another project?" in errors[0][1] and "nothing restored" in errors[0][1]
    assert doc.undo_stack.count() == steps + 1
    chosen[0] = str(project_file)  # a project, no merge report
    window.teams.act_restore.trigger()
    assert len(errors) == 2 and f"{project_file}: not a merge report" in errors[1][1], errors


def test_a_second_restore_of_a_row_adds_no_copy_until_ctrl_z_takes_the_first_back(
    qtbot, window, project_file
) -> None:  # type: ignore[no-untyped-def]
    """Before: Restore Selected clicked twice on the same row added the object twice. A restored row says
    what it became and a second click skips it, saying so; Ctrl+Z in the list's window takes the restore
    back and the row can be restored again."""
    doc = window.document
    paths, lead_box = left_out_shards(window, project_file)
    image_id = lead_box.image_id
    seen: dict[str, object] = {}

    def restored() -> list[int]:
        return [a.id for a in doc.project.annotations_of(image_id) if a.bbox == [5.0, 5.0, 20.0, 20.0]]

    def restore_twice(dialog) -> None:  # type: ignore[no-untyped-def]
        panel = dialog.left_out
        table = panel.table
        _click_row(table, 0)
        click_button(panel.restore_button)
        [first] = restored()
        seen["first"] = first
        seen["marked"] = table.item(0, 3).text()
        click_button(panel.restore_button)  # the same row, again
        seen["twice"] = restored()
        seen["said"] = panel.said.text()
        QTest.keyClick(table, Qt.Key.Key_Z, CTRL)  # the restore taken back, the dialog still up
        seen["undone"] = restored()
        seen["unmarked"] = table.item(0, 3).text()
        _click_row(table, 0)
        click_button(panel.restore_button)  # restorable again
        seen["again"] = restored()

    _merge(qtbot, window, paths, restore_twice)
    first = seen["first"]
    assert seen["marked"] == f"restored as #{first} (the base's, replaced by ann's version)"
    assert seen["twice"] == [first]  # no copy
    said = "project.merge-report.json: left_out_objects[0]: already restored in this window"
    assert seen["said"] == f"Nothing restored\nskipped: {said}: #{first}", seen["said"]
    assert seen["undone"] == [] and seen["unmarked"] == "the base's, replaced by ann's version"
    assert len(seen["again"]) == 1  # type: ignore[arg-type]
    assert doc.undo_stack.undoText() == "Restore 1 left-out object from project.merge-report.json (base 1)"
