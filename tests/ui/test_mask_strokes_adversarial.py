"""Brush, eraser and wand under hostile conditions, driven by real mouse and key events on the canvas
viewport of the real main window: strokes crossing the image's edge while zoomed and panned, one-pixel
strokes, a tiled 8k image, strokes cut short (Esc, Ctrl+Z, next image) or overtaken by another edit (Delete,
a background pre-label), quick double dabs, the wand on a float image. Known answers: OpenCV's own line
(``reference_stroke``), scipy's connected components, pycocotools decoding the saved file."""

from __future__ import annotations

import json

import cv2
import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.core.test_mask_edit import reference_stroke
from tests.ui.conftest import open_main_window
from tests.ui.test_mask_tools import (  # noqa: F401  (default_options: autouse fixture, default settings)
    CTRL,
    LEFT,
    NOMOD,
    default_options,
    key,
    only_new,
    paint,
    pixel_under,
    pixels,
    set_view,
    stroke,
    vp_at,
    wand_click,
    wand_window,
)

SHAPE = (240, 320)  # the ``window`` fixture's images


def one_image(qtbot, tmp_path, img: np.ndarray, name: str):
    """The main window on a project of one image file written from ``img`` (category "cell")."""
    assert cv2.imwrite(str(tmp_path / name), img)
    project = new_project(["cell"])
    project.add_image(ImageRecord(1, name, img.shape[1], img.shape[0]))
    save_project(project, tmp_path / "p.json")
    return open_main_window(qtbot, tmp_path / "p.json")


def test_strokes_crossing_the_image_edge_zoomed_out_and_panned_paint_opencvs_line(window) -> None:
    """Start above-left of the image, leave it on the right, come back, end left of it: inside, exactly the
    OpenCV line through the (negative and beyond-the-edge) pixels under the events; a stroke wholly outside
    makes nothing."""
    set_view(window, 0.7, (0, 0))
    window.canvas.pan_by(40, 30)
    key(window, Qt.Key.Key_R)
    OPTIONS.set(width=19)
    corners = [(-30.2, -20.7), (50.3, 10.1), (400.9, 100.4), (330.1, 300.2), (-5, 239.6)]
    pts = [vp_at(window, x, y) for x, y in corners]
    doc = window.document
    before = set(doc.project.annotations)
    stroke(window, pts)
    ann_id = only_new(window, before)
    assert np.array_equal(
        pixels(window, ann_id), reference_stroke(SHAPE, [pixel_under(window, p) for p in pts], 19)
    )
    doc.set_selection([])
    stroke(window, [vp_at(window, -50, -50), vp_at(window, -20, -40), vp_at(window, -60, 250)])
    assert set(doc.project.annotations) == before | {ann_id} and doc.undo_stack.count() == 1


def test_one_pixel_stroke_at_high_zoom_after_the_bracket_keys(window) -> None:
    set_view(window, 9.0, (100, 100))
    key(window, Qt.Key.Key_R)
    OPTIONS.set(width=3)
    key(window, Qt.Key.Key_BracketLeft)
    key(window, Qt.Key.Key_BracketLeft)
    key(window, Qt.Key.Key_BracketLeft)  # 3 -> 2 -> 1, clamped at 1: a 1-px Bresenham line
    assert OPTIONS.width == 1
    pts = [vp_at(window, x, y) for x, y in [(95.2, 97.9), (104.7, 99.1), (101.3, 108.8)]]
    before = set(window.document.project.annotations)
    stroke(window, pts)
    got = pixels(window, only_new(window, before))
    assert np.array_equal(got, reference_stroke(SHAPE, [pixel_under(window, p) for p in pts], 1))
    assert got.sum() < 40


def test_strokes_cut_short_by_esc_ctrl_z_or_the_next_image_leave_the_mask_byte_identical(window) -> None:
    """The brush keeps the selected mask's pixels between strokes: a cancelled stroke must give them back
    exactly, so the next stroke still paints onto the stored mask and nothing else."""
    set_view(window, 2.0)
    doc = window.document
    before = set(doc.project.annotations)
    first = paint(window, Qt.Key.Key_R, [(60, 60), (120, 80)], 21)
    ann_id = only_new(window, before)
    stored = json.dumps(doc.project.annotations[ann_id].segmentation)
    doc.set_selection([ann_id])
    vp = window.canvas.viewport()
    for interrupt in ((window.canvas, Qt.Key.Key_Escape, NOMOD), (window, Qt.Key.Key_Z, CTRL)):
        QTest.mousePress(vp, LEFT, NOMOD, vp_at(window, 121.5, 80.5))
        QTest.mouseMove(vp, vp_at(window, 180.5, 120.5))
        QTest.keyClick(*interrupt)
        QTest.mouseMove(vp, vp_at(window, 200.5, 150.5))
        QTest.mouseRelease(vp, LEFT, NOMOD, vp_at(window, 200.5, 150.5))
        assert json.dumps(doc.project.annotations[ann_id].segmentation) == stored, interrupt
        assert doc.undo_stack.count() == 1  # Ctrl+Z took back the stroke, not the edit before it
    second = paint(window, Qt.Key.Key_R, [(121, 80), (150, 60)], 21)
    both = reference_stroke(SHAPE, first, 21) | reference_stroke(SHAPE, second, 21)
    assert np.array_equal(pixels(window, ann_id), both)
    # the next image (D) in the middle of a stroke: nothing painted on either image
    QTest.mousePress(vp, LEFT, NOMOD, vp_at(window, 150.5, 60.5))
    QTest.mouseMove(vp, vp_at(window, 180.5, 120.5))
    QTest.keyClick(window, Qt.Key.Key_D)
    assert window.canvas.image_id == 2
    QTest.mouseMove(vp, vp_at(window, 200.5, 150.5))
    QTest.mouseRelease(vp, LEFT, NOMOD, vp_at(window, 200.5, 150.5))
    assert list(doc.project.annotations) == [ann_id] and np.array_equal(pixels(window, ann_id), both)


def test_a_tiled_8k_image_edges_eraser_undo_and_the_saved_file(qtbot, tmp_path, no_prompts) -> None:
    """8300x8200 (drawn in 512-px tiles): strokes over the bottom-right and top-right corners and along a
    tile seam paint OpenCV's line; an eraser stroke undone gives back the very RLE; the saved file decodes
    (pycocotools) to the pixels shown, its areas the pixel counts."""
    from pycocotools import mask as mask_utils

    h, w = 8300, 8200
    img = np.zeros((h, w), np.uint8)
    img[::64, :] = 200
    win = one_image(qtbot, tmp_path, img, "big.png")
    doc = win.document
    try:
        for zoom, center, corners, r in [
            (
                0.12,
                (w - 300, h - 300),
                [(w - 900.3, h - 500.2), (w + 200.7, h - 100.1), (w - 50.2, h + 150.9)],
                61,
            ),
            (3.0, (w - 5, 5), [(w - 20.5, 3.5), (w + 6.5, -4.5)], 8),  # even: centred on pixel corners
            (1.0, (512, 512), [(500.5, 509.5), (530.5, 515.5), (520.5, 540.5)], 1),
        ]:
            set_view(win, zoom, center)
            doc.set_selection([])
            before = set(doc.project.annotations)
            painted = paint(win, Qt.Key.Key_R, [(x, y) for x, y in corners], r)
            ann_id = only_new(win, before)
            assert np.array_equal(pixels(win, ann_id), reference_stroke((h, w), painted, r)), zoom
            stored = json.dumps(doc.project.annotations[ann_id].segmentation)
            doc.set_selection([ann_id])
            paint(win, Qt.Key.Key_E, [(x, y) for x, y in corners[:2]], r + 2)
            assert doc.undo_stack.undoText() == "Erase"
            doc.undo_stack.undo()
            assert json.dumps(doc.project.annotations[ann_id].segmentation) == stored
        saved = json.loads(doc.save().read_text())
        assert len(saved["annotations"]) == 3
        for ann in saved["annotations"]:
            decoded = mask_utils.decode(ann["segmentation"]).astype(bool)
            assert np.array_equal(decoded, pixels(win, ann["id"])) and ann["area"] == decoded.sum()
    finally:
        doc.undo_stack.setClean()
        win.close()


def test_wand_on_a_float_image_matches_an_independent_flood_fill(qtbot, tmp_path, no_prompts) -> None:
    """float32 TIFF with negative values: the region is scipy's 4-connected component of the pixels within
    tolerance x window / 255 of the seed's value."""
    from scipy import ndimage

    yy, xx = np.mgrid[0:90, 0:130]
    img = (np.sin(xx / 9.0) * np.cos(yy / 7.0)).astype(np.float32) * 3.5 - 1.0
    win = one_image(qtbot, tmp_path, img, "f.tiff")
    try:
        set_view(win, 3.0, (65, 45))
        key(win, Qt.Key.Key_F)
        lo, hi = win.canvas.image_item.image.window
        assert win.canvas.loaded.raw.dtype == np.float32 and hi - lo > 3
        tol = OPTIONS.tolerance * (hi - lo) / 255
        for x, y in [(10, 10), (65, 20), (100, 70)]:
            win.document.set_selection([])
            before = set(win.document.project.annotations)
            wand_click(qtbot, win, vp_at(win, x + 0.5, y + 0.5))
            labels, _ = ndimage.label(np.abs(img.astype(np.float64) - img[y, x]) <= tol)
            expected = labels == labels[y, x]
            assert 20 < expected.sum() < img.size / 4
            assert np.array_equal(pixels(win, only_new(win, before)), expected), (x, y)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def send(win, kind: str, p: QPoint) -> None:
    """One raw mouse event of ``kind`` (QEvent.Type name) with the left button, as a hand makes it."""
    vp = win.canvas.viewport()
    held = Qt.MouseButton.NoButton if "Release" in kind else LEFT
    ev = QMouseEvent(getattr(QEvent.Type, kind), QPointF(p), QPointF(vp.mapToGlobal(p)), LEFT, held, NOMOD)
    QApplication.sendEvent(vp, ev)


def test_a_quick_second_dab_that_qt_makes_a_double_click_still_paints(window) -> None:
    """Two quick dabs a few screen pixels apart: Qt delivers the second press as a double-click."""
    set_view(window, 0.5)
    doc = window.document
    for tool in (Qt.Key.Key_R, Qt.Key.Key_E):
        key(window, tool)
        OPTIONS.set(width=13)
        p, q = vp_at(window, 100.5, 100.5), vp_at(window, 106.5, 100.5)
        before = set(doc.project.annotations)
        for kind, at in (("MouseButtonPress", p), ("MouseButtonRelease", p)):
            send(window, kind, at)
        for kind, at in (("MouseButtonDblClick", q), ("MouseButtonRelease", q)):
            send(window, kind, at)
        dabs = reference_stroke(SHAPE, [pixel_under(window, p)], 13) | reference_stroke(
            SHAPE, [pixel_under(window, q)], 13
        )
        if tool == Qt.Key.Key_R:
            ann_id = only_new(window, before)
            assert np.array_equal(pixels(window, ann_id), dabs)
            OPTIONS.set(width=41)
            doc.set_selection([ann_id])
            paint(window, Qt.Key.Key_R, [(103, 100)], 41)
            blob = pixels(window, ann_id)
        else:  # the eraser's second dab erases too
            assert np.array_equal(pixels(window, ann_id), blob & ~dabs)


def test_deleting_the_mask_during_a_stroke_drops_the_stroke_and_keeps_undo_sound(window) -> None:
    """Delete pressed while the button is down: the stroke's target is gone. Before: the release pushed a
    paint step onto the deleted object (a traceback, and an undo step that could be neither undone nor
    redone)."""
    set_view(window, 2.0)
    doc = window.document
    messages: list[str] = []
    window.canvas.message.connect(messages.append)
    before = set(doc.project.annotations)
    paint(window, Qt.Key.Key_R, [(60, 60), (120, 80)], 21)
    ann_id = only_new(window, before)
    stored = json.dumps(doc.project.annotations[ann_id].segmentation)
    doc.set_selection([ann_id])
    vp = window.canvas.viewport()
    QTest.mousePress(vp, LEFT, NOMOD, vp_at(window, 121.5, 80.5))
    QTest.mouseMove(vp, vp_at(window, 180.5, 120.5))
    QTest.keyClick(window, Qt.Key.Key_Delete)
    assert ann_id not in doc.project.annotations
    QTest.mouseRelease(vp, LEFT, NOMOD, vp_at(window, 200.5, 150.5))
    stack = doc.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["Brush stroke", "Delete 1 annotation"]
    assert not doc.project.annotations and any("paint again" in m for m in messages), messages
    stack.undo()
    assert json.dumps(doc.project.annotations[ann_id].segmentation) == stored
    # with the mask back (and selected), a stroke paints into it again: the stored pixels and its own only
    back = pixels(window, ann_id)
    painted = paint(window, Qt.Key.Key_R, [(121, 80), (200, 150)], 21)
    assert np.array_equal(pixels(window, ann_id), back | reference_stroke(SHAPE, painted, 21))


def test_an_object_added_during_a_new_mask_stroke_does_not_take_its_id(window) -> None:
    """A background pre-label lands (an AddAnnotations edit, as the batch panel pushes it) while a stroke
    for a new mask is in progress. Before: the stroke kept the id it reserved at the press, which the
    pre-label took: its paint step failed (a traceback, a dead undo step)."""
    from pixelproof.core.edits import AddAnnotations, new_mask_annotation
    from pixelproof.core.mask_edit import rle_geometry
    from pixelproof.core.masks import encode

    set_view(window, 2.0)
    doc = window.document
    key(window, Qt.Key.Key_R)
    OPTIONS.set(width=15)
    vp = window.canvas.viewport()
    pts = [vp_at(window, x + 0.5, y + 0.5) for x, y in [(40, 40), (90, 60), (140, 50)]]
    QTest.mousePress(vp, LEFT, NOMOD, pts[0])
    QTest.mouseMove(vp, pts[1])
    block = np.zeros(SHAPE, bool)
    block[150:200, 200:280] = True
    landed = new_mask_annotation(doc.project, 1, 2)
    landed.set_geometry(*rle_geometry(encode(block)))
    doc.push(AddAnnotations([landed], "Pre-label img0.png (1)"))
    QTest.mouseMove(vp, pts[2])
    QTest.mouseRelease(vp, LEFT, NOMOD, pts[2])
    stack = doc.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["Pre-label img0.png (1)", "Brush stroke"]
    (new_id,) = set(doc.project.annotations) - {landed.id}
    assert np.array_equal(pixels(window, landed.id), block)
    assert np.array_equal(
        pixels(window, new_id), reference_stroke(SHAPE, [pixel_under(window, p) for p in pts], 15)
    )
    stack.undo()
    assert list(doc.project.annotations) == [landed.id]
    stack.redo()
    assert set(doc.project.annotations) == {landed.id, new_id}


def test_a_quick_second_wand_click_that_qt_makes_a_double_click_still_fills(qtbot, wand_window) -> None:  # noqa: F811
    """Zoomed out, the dark background and the red block are a few screen pixels apart: a quick click on
    each must fill both, as two slow clicks do."""
    win = wand_window
    set_view(win, 0.5, (100, 80))
    key(win, Qt.Key.Key_F)
    doc, tool = win.document, win.canvas.tool
    p, q = vp_at(win, 25.5, 15.5), vp_at(win, 33.5, 23.5)
    wand_click(qtbot, win, p)
    wand_click(qtbot, win, q)
    slow = {a.id: pixels(win, a.id) for a in doc.project.annotations.values()}
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.set_selection([])
    for kind, at in (("MouseButtonPress", p), ("MouseButtonRelease", p)):
        send(win, kind, at)
    qtbot.waitUntil(lambda: not tool.is_busy(), timeout=10000)
    for kind, at in (("MouseButtonDblClick", q), ("MouseButtonRelease", q)):
        send(win, kind, at)
    qtbot.waitUntil(lambda: not tool.is_busy(), timeout=10000)
    quick = {a.id: pixels(win, a.id) for a in doc.project.annotations.values()}
    assert quick.keys() == slow.keys() and all(np.array_equal(quick[i], slow[i]) for i in slow)


def test_drawing_with_a_hidden_category_shows_it_again(window) -> None:
    """A category hidden in Masks > Categories, then drawn with (brush, box): the new object would be
    invisible even while drawn, so the category is shown again and the status bar says why."""
    said: list[str] = []
    window.canvas.message.connect(said.append)
    cat = window.document.current_category_id
    set_view(window, 2.0)
    for tool_key, points in (
        (Qt.Key.Key_R, [(60, 60), (120, 80)]),
        (Qt.Key.Key_B, [(150, 40), (200, 90)]),
    ):
        window.masks_menu.set_category_visible(cat, False)
        before = set(window.document.project.annotations)
        if tool_key == Qt.Key.Key_R:
            paint(window, tool_key, points, 13)
        else:
            key(window, tool_key)
            stroke(window, [vp_at(window, x, y) for x, y in points])
        new = only_new(window, before)
        assert cat not in window.canvas.show_filter.hidden
        assert window.canvas.items_by_id[new].isVisible()
        assert any("hidden" in m for m in said)
        said.clear()
