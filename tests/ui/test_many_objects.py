"""Many objects on one image: panels follow a selection of all of them, and its deletion and undo, with work
that grows with the number of objects, not with its square (counted; speed itself is for ``bench``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from tests.ui.test_workbench import key

N = 300


def boxes(n: int) -> list[Annotation]:
    return [Annotation(1000 + i, 1, 1 + i % 2, [float(i % 30) * 10, float(i // 30) * 10, 8, 8], None, 64.0)
            for i in range(n)]  # fmt: skip


def test_selecting_every_object_updates_the_annotation_list_in_one_step(window) -> None:
    """Ctrl+A on an image of 300 objects: the list's selection is set at once, not row by row (each row's
    ``setSelected`` re-merges the whole selection: 5,000 rows took 25 s)."""
    doc = window.document
    doc.push(AddAnnotations(boxes(N)))
    QTest.qWait(10)
    doc.set_selection([])  # the added objects came selected
    panel = window.panels["annotationsDock"]
    assert panel.list.count() == N and not panel.list.selectedItems()
    steps: list[int] = []
    panel.list.selectionModel().selectionChanged.connect(lambda *_: steps.append(1))

    key(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.qWait(10)
    assert len(doc.selection) == N
    assert {it.data(Qt.ItemDataRole.UserRole) for it in panel.list.selectedItems()} == set(doc.selection)
    assert len(steps) <= 2

    steps.clear()
    every_third = [a.id for a in boxes(N)][::3]
    doc.set_selection(every_third)  # from the canvas: scattered rows
    assert sorted(it.data(Qt.ItemDataRole.UserRole) for it in panel.list.selectedItems()) == every_third
    assert len(steps) <= 2
    assert panel.list.currentItem() is None or panel.list.currentItem().isSelected()

    key(window, Qt.Key.Key_Delete)
    QTest.qWait(10)
    assert panel.list.count() == N - len(every_third) and not panel.list.selectedItems()
    doc.undo_stack.undo()
    QTest.qWait(10)
    assert {it.data(Qt.ItemDataRole.UserRole) for it in panel.list.selectedItems()} == set(every_third)
