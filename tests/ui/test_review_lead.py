"""What a labeling team lead met reviewing an annotator against another at 1366x768: a missed or extra
object read IoU 0.000 even when an object of its class overlapped it (why was it not paired?), and a
click on a large object zoomed the image out to a thumbnail. Real clicks and keys on the demo project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pycocotools import mask as mask_utils
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.demo import install_demo
from tests.ui.test_review import LEFT, enter_review, opened, table_click, wait_image


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


@pytest.fixture
def window(qtbot, demo: Path, no_prompts):
    """The demo open at 1366x768, the lead's laptop."""
    yield from opened(qtbot, demo, size=(1366, 768))


def _row_of_image(view, name: str) -> int:
    proxy = view.images.image_proxy
    return next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == name)


def _go_to(qtbot, view, name: str) -> None:
    """Click the image's row in the Images table, as a lead does."""
    table_click(view.images.image_table, _row_of_image(view, name))
    wait_image(qtbot, view)


def _annotation(path: Path, ann_id: int) -> dict:
    return next(a for a in json.loads(path.read_text())["annotations"] if int(a["id"]) == ann_id)


def test_an_extra_object_shows_its_best_iou_and_why_it_was_not_paired(qtbot, window, demo: Path) -> None:
    view = window.review.view
    enter_review(qtbot, window)
    _go_to(qtbot, view, "astronaut.jpg")
    model = view.object_model
    row = next(n for n, r in enumerate(model.rows) if r.status == "fp")
    extra = model.rows[row]
    # the helmet polygon against the reference's person box: box IoU (one side is a box), by pycocotools
    ref_box = next(
        a["bbox"]
        for a in json.loads((demo.parent / "reference.json").read_text())["annotations"]
        if int(a["image_id"]) == 4
    )
    want = float(mask_utils.iou([_annotation(demo, extra.cand_id)["bbox"]], [ref_box], [0])[0][0])
    assert 0.1 < want < 0.5
    table_click(view.object_table, row)
    col = 4  # IoU
    index = model.index(row, col)
    assert model.headerData(col, Qt.Orientation.Horizontal) == "IoU"
    assert index.data() == f"{want:.3f}", "the row read IoU 0.000 though it overlaps the reference person"
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert f"{want:.3f}" in tip and "0.5" in tip and "person" in tip and "not paired" in tip.lower()
    header_tip = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "missed" in header_tip and "extra" in header_tip
    # a matched pair says why it is one
    match = next(n for n, r in enumerate(model.rows) if r.status == "match")
    tip = model.index(match, col).data(Qt.ItemDataRole.ToolTipRole)
    assert "paired" in tip.lower() and "0.5" in tip


def test_a_missed_object_overlapping_nothing_says_so(qtbot, window) -> None:
    view = window.review.view
    enter_review(qtbot, window)
    _go_to(qtbot, view, "coins.png")
    model = view.object_model
    row = next(n for n, r in enumerate(model.rows) if r.status == "fn")
    assert model.rows[row].best_iou == 0
    index = model.index(row, 4)
    assert index.data() == "0.000"
    assert "overlaps no candidate coin" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_clicking_a_large_object_never_zooms_out_past_the_whole_image(qtbot, window) -> None:
    view = window.review.view
    enter_review(qtbot, window)
    _go_to(qtbot, view, "motorcycle.jpg")
    QTest.mouseClick(view.header.fit_button, LEFT)
    fit = view.ref_pane.zoom
    table_click(view.object_table, 0)  # the motorcycle: 560 x 390 px of a 741 x 500 image
    box = view.object_model.rows[0].bbox
    for pane in view.panes:
        assert pane.zoom >= fit - 1e-9, f"{pane.title}: zoom {pane.zoom:.3f} below the fit {fit:.3f}"
        shown = pane.mapToScene(pane.viewport().rect()).boundingRect()
        assert shown.contains(QPointF(box[0], box[1])) and shown.contains(
            QPointF(box[0] + box[2], box[1] + box[3])
        )
    # a small object is still zoomed to, past the fit
    _go_to(qtbot, view, "coins.png")
    table_click(view.object_table, 0)
    assert view.ref_pane.zoom > fit * 1.5


def test_the_images_review_column_counts_object_decisions(qtbot, window) -> None:
    """Rejecting the motorcycle's only object left its row blank in the Review column, as if untouched."""
    view = window.review.view
    enter_review(qtbot, window)
    _go_to(qtbot, view, "motorcycle.jpg")
    table_click(view.object_table, 0)
    QTest.keyClick(view.object_table, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    image_table = view.images.image_table
    proxy = image_table.model()
    review_col = proxy.columnCount() - 1
    cell = proxy.index(_row_of_image(view, "motorcycle.jpg"), review_col)
    assert cell.data() == "✗1"
    assert "0 accepted, 1 rejected" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "no decision on the whole image" in cell.data(Qt.ItemDataRole.ToolTipRole)
    width = image_table.fontMetrics().horizontalAdvance(cell.data()) + 8
    assert image_table.columnWidth(review_col) >= width, "the count is cut at 1366x768"
    # a whole-image decision says itself, as before
    QTest.keyClick(
        view.object_table,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert proxy.index(_row_of_image(view, "motorcycle.jpg"), review_col).data() == "accepted"
