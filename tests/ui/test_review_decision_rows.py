"""A whole-image decision from the keyboard on the demo's coins (24 candidate objects): the Objects table
reads each decided object's row again, not the whole table once per object. Refreshed whole at each of the
n objects the edit announces, its n x n cells were measured (0.6 s for the coins, Ctrl+Z as slow; seconds
for an image of 60 objects)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.demo import install_demo
from tests.ui.conftest import settle
from tests.ui.test_review import opened

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, tmp_path: Path, no_prompts):
    yield from opened(qtbot, install_demo(tmp_path / "demo"), size=(1366, 768), review=True)


def rows_told(model) -> list[int]:  # type: ignore[no-untyped-def]
    """Records how many rows each dataChanged of ``model`` spans."""
    told: list[int] = []
    model.dataChanged.connect(lambda top, bottom, *_: told.append(bottom.row() - top.row() + 1))
    return told


def test_whole_image_decision_reads_each_row_once(window) -> None:
    view = window.review.view
    model = view.object_model
    assert view.image_id == 1  # coins.png, the demo's current image
    n = len(model.rows)
    assert n >= 20
    view.object_table.setFocus()
    told = rows_told(model)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL | SHIFT)
    settle()
    anns = window.document.project.annotations
    decided = [a for a in anns.values() if a.image_id == 1 and a.review == "accepted"]
    assert len(decided) >= 20
    assert sum(told) <= 3 * n, f"{sum(told)} rows read again for {n} rows"
    told.clear()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)  # the undo announces them all too
    settle()
    assert not any(a.review == "accepted" for a in anns.values() if a.image_id == 1)
    assert sum(told) <= 3 * n, f"{sum(told)} rows read again for {n} rows"


def test_each_decided_row_shows_its_decision(window) -> None:
    """Read row by row, every row of a decided object still shows the decision, after Ctrl+Z none does."""
    view = window.review.view
    model = view.object_model
    review_col = model.columnCount() - 1
    view.object_table.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backspace, CTRL | SHIFT)
    settle()
    with_cand = [r for r, row in enumerate(model.rows) if row.cand_id is not None]
    assert with_cand and all("rejected" in str(model.index(r, review_col).data()) for r in with_cand), [
        model.index(r, review_col).data() for r in with_cand
    ]
