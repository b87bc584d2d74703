"""The Model panel's "Only this project's classes" (the app's ``prelabel --only-existing``): a real
click on the checkbox, then M with the real YOLO11n (COCO classes) on the demo's coffee picture, where it
finds a cup (a project category) and a dining table (not one)."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.edits import RemoveAnnotations
from pixelproof.core.edits.prelabel_choice import ONLY_EXISTING
from pixelproof.core.model import ImageRecord
from tests.ui.test_model_panel import (
    close_window,
    demo,
    fake_backends,
    go_to,
    key,
    open_window,
    predictions,
    wait_batch,
    yolo,
)

FIXTURES = (demo, fake_backends)  # shared with test_model_panel; pytest finds them by name
COFFEE = 6  # the demo's coffee.jpg


def click(qtbot, box) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center() - box.rect().topLeft())


def test_checked_only_existing_classes_are_added(qtbot, demo, shared_models: Path) -> None:
    win, doc = demo, demo.document
    panel = yolo(qtbot, win, shared_models)
    box = panel.only_existing
    assert not box.isChecked()  # off by default: as the CLI without --only-existing
    steps = doc.undo_stack.count()
    click(qtbot, box)
    assert box.isChecked() and doc.project.app[ONLY_EXISTING] is True
    assert doc.undo_stack.count() == steps + 1  # remembered in the project, one undo step
    go_to(qtbot, win, COFFEE)
    doc.push(RemoveAnnotations([a.id for a in doc.project.annotations_of(COFFEE)]))  # nothing to skip
    names = {c.name for c in doc.project.categories.values()}
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert {c.name for c in doc.project.categories.values()} == names  # no "dining table"
    found = predictions(doc, COFFEE)
    assert found and {doc.project.categories[a.category_id].name for a in found} == {"cup"}
    summary = panel.batch.summary_label.text()
    assert "new categor" not in summary and "left out" in summary, summary

    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the predictions
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the removal
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the choice: the box follows undo
    qtbot.waitUntil(lambda: not box.isChecked(), timeout=10000)
    assert ONLY_EXISTING not in doc.project.app


def test_no_model_class_in_the_project_is_said_not_run(
    qtbot, tmp_path: Path, no_prompts, fake_backends, shared_models: Path
) -> None:
    demo_dir = tmp_path / "demo"
    install_demo(demo_dir)
    project = new_project(["lesion"])
    (tmp_path / "p" / "images").mkdir(parents=True)
    shutil.copy(demo_dir / "images" / "coffee.jpg", tmp_path / "p" / "images" / "coffee.jpg")
    project.add_image(ImageRecord(1, "images/coffee.jpg", 600, 400))
    path = save_project(project, tmp_path / "p" / "project.json")
    win = open_window(qtbot, path)
    try:
        doc = win.document
        panel = yolo(qtbot, win, shared_models)
        click(qtbot, panel.only_existing)
        steps = doc.undo_stack.count()
        key(win, Qt.Key.Key_M)
        wait_batch(qtbot, panel)
        text = panel.batch.summary_label.text()
        assert "none of the model's 80 classes is one of the project's categories" in text, text
        assert "Only this project's classes" in text
        assert [c.name for c in doc.project.categories.values()] == ["lesion"]
        assert not doc.project.annotations and doc.undo_stack.count() == steps
    finally:
        close_window(win)


def test_checked_the_class_mapping_offers_no_new_category(qtbot, demo, shared_models: Path) -> None:
    """Checked, a model class not mapped to a project category is dropped at run time: the table offered
    "+ new “dining table”" all the same. It reads "(dropped)" and offers no new category; unchecked, the
    row is a new category again (the remembered choice was kept)."""
    from tests.ui.conftest import tooltip_of

    panel = yolo(qtbot, demo, shared_models)
    table = panel.mapping
    assert table.combo("dining table").currentText() == "+ new “dining table”"
    click(qtbot, panel.only_existing)
    qtbot.waitUntil(lambda: table.combo("dining table").currentText() == "(dropped)", timeout=10000)
    combos = [table.cellWidget(r, 1) for r in range(table.rowCount())]
    offered = [c.itemText(i) for c in combos for i in range(c.count())]
    assert len(combos) == 80 and not [t for t in offered if t.startswith("+ new")]
    table_row = table.combo("dining table")
    assert not table_row.model().item(0).isEnabled()  # shown, not chosen again
    assert table.combo("cup").currentText() == "cup"  # a project category: unchanged
    table.scrollToItem(next(table.item(r, 0) for r in range(80) if table.item(r, 0).text() == "dining table"))
    tip = "dropped: only this project's classes"
    assert tooltip_of(qtbot, table_row, table_row.rect().center(), tip) == tip
    assert table.values()["dining table"] == "dining table"  # kept: a new category when unchecked
    click(qtbot, panel.only_existing)
    qtbot.waitUntil(
        lambda: table.combo("dining table").currentText() == "+ new “dining table”", timeout=10000
    )
