"""Making a class void (its objects then mark regions to ignore, left out of the Objects column) left the
Images panel's Objects cells as they were drawn until something else repainted them."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.edits import AddAnnotations, ReplaceCategory
from tests.ui.conftest import settle
from tests.ui.test_images_filter import _box


def test_making_a_class_void_redraws_the_objects_cells_at_once(qtbot, window) -> None:
    doc, panel = window.document, window.panels["imagesDock"]
    doc.push(AddAnnotations([_box(doc, 1, 1), _box(doc, 1, 1, 1)]))  # two cats on img0
    doc.push(AddAnnotations([_box(doc, 2, 2)]))  # a dog on img1
    settle()  # the pushes' count redraws are behind us
    model = panel.model
    col = model.COLUMNS.index("Objects")
    redrawn: list[int] = []
    model.dataChanged.connect(
        lambda top, bottom, *_: redrawn.extend(
            model.ids[r] for r in range(top.row(), bottom.row() + 1) if top.column() <= col <= bottom.column()
        )
    )

    def cells() -> dict[int, str]:
        return {i: model.index(model.row_of(i), col).data() for i in model.ids}

    assert cells() == {1: "2", 2: "1", 3: "0"}
    void = copy.deepcopy(doc.project.categories[1])
    void.app_extra["void"] = True
    doc.push(ReplaceCategory(void, "Make cat void"))
    qtbot.waitUntil(lambda: 1 in redrawn, timeout=10000)
    assert cells()[1] == "0"
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    for keys in ((Qt.Key.Key_Z, ctrl), (Qt.Key.Key_Z, ctrl | shift)):
        redrawn.clear()
        QTest.keyClick(window.canvas, *keys)  # undo, then redo: the cells follow each
        qtbot.waitUntil(lambda: 1 in redrawn, timeout=10000)
    assert cells()[1] == "0"
