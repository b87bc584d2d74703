"""The Images panel's filter box with queries (class:, objects, -term), typed with real key events."""

from __future__ import annotations

import copy

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from pixelproof.core.edits import SetImageSplit
from pixelproof.core.edits.annotations import AddAnnotations, ReplaceAnnotations
from pixelproof.core.edits.taxonomy import ReplaceCategory
from pixelproof.core.model import Annotation
from tests.ui.conftest import settle, tooltip_of
from tests.ui.test_images_bulk_status import row_point


def _shown(panel) -> list[str]:  # type: ignore[no-untyped-def]
    model = panel.table.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def _type(panel, text: str) -> None:  # type: ignore[no-untyped-def]
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClick(panel.filter, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(panel.filter, Qt.Key.Key_Backspace)
    QTest.keyClicks(panel.filter, text)


def _box(doc, image_id: int, category_id: int, n: int = 0, **kw) -> Annotation:  # type: ignore[no-untyped-def]
    """A box with the ``n``-th next free id."""
    aid = doc.project.next_annotation_id() + n
    return Annotation(aid, image_id, category_id, [5.0, 5.0, 20.0, 20.0], **kw)


def test_typing_queries_shows_the_matching_rows(window) -> None:
    """img0: a cat and a dog; img1: nothing; img2: two dogs, one a pending prediction."""
    doc, panel = window.document, window.panels["imagesDock"]
    doc.push(AddAnnotations([_box(doc, 1, 1), _box(doc, 1, 2, 1)]))
    doc.push(AddAnnotations([_box(doc, 3, 2), _box(doc, 3, 2, 1, source="model:yolo", review="pending")]))
    settle()

    for text, rows in (
        ("class:cat", ["img0.png"]),
        ("class:DOG", ["img0.png", "img2.png"]),
        ("-class:cat", ["img1.png", "img2.png"]),
        ("objects:0", ["img1.png"]),
        ("objects:1 -class:cat", ["img2.png"]),  # a dog; the proposed one is no object until accepted
        ("objects>=2", ["img0.png"]),
        ("predictions>0", ["img2.png"]),
        ("img1", ["img1.png"]),  # plain text: the name, as before
        ("to do", ["img1.png"]),  # and the status: the others became "in progress" when drawn on
        ("", ["img0.png", "img1.png", "img2.png"]),
    ):
        _type(panel, text)
        assert panel.filter.text() == text
        assert _shown(panel) == rows, text
        assert panel.filter_note.isVisible() == bool(text)
        if text:
            assert panel.filter_note.text() == f"{len(rows)} of 3 images"


def test_a_malformed_query_is_explained_and_keeps_the_rows(window) -> None:
    doc, panel = window.document, window.panels["imagesDock"]
    doc.push(AddAnnotations([_box(doc, 2, 1)]))
    _type(panel, "class:cat")
    assert _shown(panel) == ["img1.png"]
    QTest.keyClicks(panel.filter, "x")  # "class:catx"
    assert "no class “catx”" in panel.filter_note.text() and panel.filter_note.isVisible()
    assert _shown(panel) == ["img1.png"]  # the last good query's rows, not an empty table
    QTest.keyClick(panel.filter, Qt.Key.Key_Backspace)
    assert _shown(panel) == ["img1.png"] and panel.filter_note.text() == "1 of 3 images"
    QTest.keyClicks(panel.filter, " objects>x")
    assert "whole number" in panel.filter_note.text()
    QTest.keyClick(panel.filter, Qt.Key.Key_Backspace)
    QTest.keyClicks(panel.filter, "0")
    assert _shown(panel) == ["img1.png"] and panel.filter_note.text() == "1 of 3 images"
    _type(panel, "colour:red")
    assert "unknown field “colour”" in panel.filter_note.text()
    _type(panel, "class:bird")
    assert "no class “bird”" in panel.filter_note.text()


def test_rows_follow_edits_while_a_query_is_shown(window) -> None:
    """Adding, recategorising and undoing objects, and renaming a class, re-check the query."""
    doc, panel = window.document, window.panels["imagesDock"]
    _type(panel, "class:cat")
    assert _shown(panel) == []
    cat = _box(doc, 3, 1)
    doc.push(AddAnnotations([cat]))
    settle()
    assert _shown(panel) == ["img2.png"] and panel.filter_note.text() == "1 of 3 images"
    dog = copy.deepcopy(doc.project.annotations[cat.id])
    dog.category_id = 2
    doc.push(ReplaceAnnotations([dog]))
    settle()
    assert _shown(panel) == []
    doc.undo_stack.undo()
    settle()
    assert _shown(panel) == ["img2.png"]
    doc.undo_stack.undo()
    settle()
    assert _shown(panel) == []

    doc.push(AddAnnotations([_box(doc, 2, 1)]))
    settle()
    kitten = copy.deepcopy(doc.project.categories[1])
    kitten.name = "kitten"
    doc.push(ReplaceCategory(kitten))
    settle()
    assert "no class “cat”" in panel.filter_note.text()  # the query names a class that is gone
    _type(panel, "class:kitten")
    assert _shown(panel) == ["img1.png"]


def test_split_filter_and_tooltip(qtbot, window) -> None:
    """``split:val`` lists the images in val and follows a split set while it is shown; a misspelt split
    says which there are; the Image cell's tooltip names the split (the panel has no column for it)."""
    doc, panel = window.document, window.panels["imagesDock"]
    doc.push(SetImageSplit([1, 3], "val"))
    settle()
    _type(panel, "split:val")
    assert _shown(panel) == ["img0.png", "img2.png"] and panel.filter_note.text() == "2 of 3 images"
    _type(panel, "split:none")
    assert _shown(panel) == ["img1.png"]
    doc.push(SetImageSplit([2], "train"))  # the context menu's edit: the row leaves the list at once
    settle()
    assert _shown(panel) == []
    _type(panel, "-split:val")
    assert _shown(panel) == ["img1.png"]
    QTest.keyClick(panel.filter, Qt.Key.Key_Backspace)  # "-split:va"
    assert "no split “va”; splits: train, val, test, none" in panel.filter_note.text()
    assert _shown(panel) == ["img1.png"]  # the last good query's rows
    _type(panel, "")
    table = panel.table
    tip = tooltip_of(qtbot, table.viewport(), row_point(table, 0), "Split: val")
    assert tip.removesuffix("</p>").endswith("Split: val"), tip
    doc.push(SetImageSplit([1], None))
    settle()
    tip = tooltip_of(qtbot, table.viewport(), row_point(table, 0) + QPoint(0, 1), "px</p>")  # new last line
    assert "Split" not in tip, tip
