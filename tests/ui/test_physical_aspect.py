"""Pixels that are not square (a CT's coronal reformat: 1.25 mm columns, 2.5 mm rows) are drawn at their
physical aspect, as Slicer, ITK-SNAP and PACS viewers draw them: the view stretches one axis, the scene
stays in image pixels, so what the mouse draws and paints lands on the same pixels as before. Checked from
what is drawn (the viewport's pixels), not from the transform that draws it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.ui.canvas.aspect import physical_aspect
from pixelproof.ui.canvas.image_view import CANVAS_BACKGROUND
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import SELECTED_TAG_LIFT
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.core.test_mask_edit import reference_stroke
from tests.ui.conftest import hover

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
H, W = 100, 200  # image pixels; at 2 mm rows x 1 mm columns: 200 x 200 mm, a square
SQUARE = (slice(40, 60), slice(80, 120))  # 20 rows x 40 columns: 40 x 40 mm, a square on screen
GREY, WHITE = 100, 255


def make(folder: Path, spacing: list[float] | None, name: str = "p.json") -> Path:
    """One grey 200 x 100 image with a white 40 x 20 pixel block, ``spacing`` its pixel_spacing (row, col)."""
    img = np.full((H, W), GREY, np.uint8)
    img[SQUARE] = WHITE
    cv2.imwrite(str(folder / "slice.png"), img)
    project = new_project(["organ", "lesion"])
    extra = {"pixel_spacing": spacing} if spacing is not None else {}
    project.add_image(ImageRecord(1, "slice.png", W, H, extra))
    save_project(project, folder / name)
    return folder / name


@pytest.fixture(autouse=True)
def app_wide_settings():  # type: ignore[no-untyped-def]
    """The brush width and View > Pixels at Physical Aspect are app-wide: left as they were."""
    before = OPTIONS.width
    yield
    OPTIONS.set(width=before)
    physical_aspect().set_on(True)


def grab(view) -> QImage:  # type: ignore[no-untyped-def]
    return view.viewport().grab().toImage()


def extent(img: QImage, want) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """(left, top, right, bottom), exclusive: the viewport pixels whose colour ``want`` accepts (the focus
    frame at the edges left out)."""
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    rgb = arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., 2::-1]  # BGRA -> RGB
    hit = want(rgb)
    hit[:3, :] = hit[-3:, :] = hit[:, :3] = hit[:, -3:] = False
    ys, xs = np.nonzero(hit)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def picture(img: QImage) -> tuple[int, int, int, int]:
    """Where the image is drawn: every pixel not the canvas's background."""
    bg = np.array(CANVAS_BACKGROUND.getRgb()[:3])
    return extent(img, lambda rgb: np.abs(rgb.astype(int) - bg).sum(axis=2) > 12)


def white(img: QImage) -> tuple[int, int, int, int]:
    return extent(img, lambda rgb: (rgb > 240).all(axis=2))


def test_a_1_by_2_mm_image_fits_at_its_physical_aspect_and_a_dragged_box_has_its_pixels(
    open_on, tmp_path
) -> None:
    """A 200 x 100 image of 1 mm columns and 2 mm rows is 200 x 200 mm: it was drawn twice as wide as high,
    a coronal CT squashed to half its height. Now it fits as a square; its 40 x 20 pixel block (40 x 40 mm)
    too, and a box dragged over that block by mouse is that block in image pixels."""
    win = open_on(make(tmp_path, [2.0, 1.0]))
    c = win.canvas
    left, top, right, bottom = picture(grab(c))
    assert abs((right - left) - (bottom - top)) <= 2, (left, top, right, bottom)
    vp = c.viewport().rect()
    assert min(vp.width() - (right - left), vp.height() - (bottom - top)) <= 2 * 12 + 2  # fitted
    x0, y0, x1, y1 = white(grab(c))
    assert abs((x1 - x0) - (y1 - y0)) <= 2
    # the block's corners on screen, through the drawn picture's geometry alone (not the view's transform)
    sx, sy = (right - left) / W, (bottom - top) / H
    assert abs(sy / sx - 2.0) < 0.05
    QTest.keyClick(c, Qt.Key.Key_B)
    vp_widget = c.viewport()
    start, end = QPoint(x0, y0), QPoint(x1, y1)
    QTest.mousePress(vp_widget, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp_widget, start + (end - start) * (i / 4))
    QTest.mouseRelease(vp_widget, LEFT, NOMOD, end)
    (ann,) = win.document.project.annotations.values()
    bx, by, bw, bh = ann.bbox
    want = ((x0 - left) / sx, (y0 - top) / sy, (x1 - x0) / sx, (y1 - y0) / sy)
    assert abs(want[0] - 80) <= 1 and abs(want[1] - 40) <= 1 and abs(want[3] - 20) <= 1  # the block
    for got, exp, step in zip((bx, by, bw, bh), want, (1 / sx, 1 / sy, 1 / sx, 1 / sy), strict=True):
        assert abs(got - exp) <= step + 0.51, (ann.bbox, want)


def test_the_brush_paints_its_disc_of_image_pixels_and_its_ring_is_an_ellipse_on_screen(
    open_on, tmp_path
) -> None:
    """The brush's footprint stays a disc of image pixels (what is stored); on screen, 2 mm rows under
    1 mm columns, that disc is an ellipse twice as high as wide, and the ring shows it so."""
    win = open_on(make(tmp_path, [2.0, 1.0]))
    c = win.canvas
    left, top, right, bottom = picture(grab(c))
    sx, sy = (right - left) / W, (bottom - top) / H
    QTest.keyClick(c, Qt.Key.Key_R)
    OPTIONS.set(width=13)
    # viewport points over pixel centres, from the drawn picture's geometry
    pts = [
        QPoint(round(left + (x + 0.5) * sx), round(top + (y + 0.5) * sy)) for x, y in [(30, 30), (150, 70)]
    ]
    hover(win, pts[0])
    ring = c.tool._ring.sceneBoundingRect()
    on_screen = c.mapFromScene(ring).boundingRect()
    assert abs(on_screen.height() / on_screen.width() - 2.0) < 0.15, on_screen
    vp_widget = c.viewport()
    QTest.mousePress(vp_widget, LEFT, NOMOD, pts[0])
    QTest.mouseMove(vp_widget, pts[1])
    QTest.mouseRelease(vp_widget, LEFT, NOMOD, pts[1])
    (ann,) = win.document.project.annotations.values()
    got = masks.decode(ann.segmentation)
    assert np.array_equal(got, reference_stroke((H, W), [(30, 30), (150, 70)], 13))


def test_tags_and_handles_sit_on_the_box_as_drawn(open_on, tmp_path) -> None:
    """A box's tag is drawn just above its top edge and a selected box's handles on its corners, where the
    box is on screen: placed at the width's scale in y, the tag floated half way up the image."""
    path = make(tmp_path, [2.0, 1.0])
    from pixelproof.core.coco import load_project

    project = load_project(path)
    project.add_annotation(Annotation(1, 1, 1, [60.0, 50.0, 80.0, 20.0], None, 1600.0))
    save_project(project, path)
    win = open_on(path)
    c = win.canvas
    c.flush_tags()
    top_left = c.mapFromScene(QPointF(60, 50))
    colour = category_color(win.document.project.categories[1])
    img = grab(c)
    assert img.pixelColor(top_left.x() + 2, top_left.y() - 3) == colour
    win.document.set_selection([1])
    c.flush_tags()
    corner = c.mapFromScene(QPointF(140, 70))
    img = grab(c)
    assert img.pixelColor(corner.x(), corner.y()) == QColor(255, 255, 255)  # the handle, on the corner
    lifted = top_left.y() - SELECTED_TAG_LIFT - 3  # the selected box's tag, over the top edge's handles
    assert img.pixelColor(top_left.x() + 2, lifted) == colour


@pytest.mark.parametrize("spacing", [None, [0.5, 0.5], [0.7, 0.7000001]])
def test_square_pixels_are_drawn_as_before(open_on, tmp_path, spacing) -> None:
    """Square pixels (or none known): one scale for both axes, the zoom read as before."""
    win = open_on(make(tmp_path, spacing))
    c = win.canvas
    t = c.transform()
    assert t.m11() == t.m22() == c.zoom
    left, top, right, bottom = picture(grab(c))
    assert abs((right - left) - 2 * (bottom - top)) <= 2
    assert win.readout.zoom_label.text() == f"{c.zoom * 100:.0f}%"


def test_view_menu_draws_the_pixels_square_again_and_the_zoom_says_both_scales(open_on, tmp_path) -> None:
    """View > Pixels at Physical Aspect (on by default) off: the stored pixels one screen pixel square each,
    for a user who wants to see them so; the status bar's zoom says the scale across and down."""
    win = open_on(make(tmp_path, [2.0, 1.0]))
    c = win.canvas
    act = win.act_aspect
    assert act.isChecked()
    zx, zy = c.transform().m11(), c.transform().m22()
    assert win.readout.zoom_label.text() == f"{zx * 100:.0f}% × {zy * 100:.0f}%"
    QTest.keyClick(c, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not act.isChecked()
    left, top, right, bottom = picture(grab(c))
    assert abs((right - left) - 2 * (bottom - top)) <= 2  # fitted again, pixel-square
    assert win.readout.zoom_label.text() == f"{c.zoom * 100:.0f}%"
    act.trigger()
    left, top, right, bottom = picture(grab(c))
    assert abs((right - left) - (bottom - top)) <= 2


def test_ctrl_1_shows_the_finer_axis_pixel_for_pixel(qtbot, open_on, tmp_path) -> None:
    """Actual pixels (Ctrl+1): the finer axis one screen pixel per image pixel, the coarser stretched to
    its physical size, so no stored row or column is dropped. Rows finer than columns (0.5 x 1 mm) too."""
    win = open_on(make(tmp_path, [0.5, 1.0]))
    c = win.canvas
    win.act_zoom_1.trigger()
    t = c.transform()
    assert (t.m11(), t.m22()) == (2.0, 1.0)
    assert c.zoom == 1.0
    # the pointer's readout: the pixel under it, its centre in mm along each axis's own spacing
    c.centerOn(QPointF(100, 50))
    v = c.viewportTransform().map(QPointF(100.5, 50.5))
    hover(win, QPoint(int(v.x()), int(v.y())))  # the screen pixel holding the pixel's centre
    want = "x 100, y 50 (100.5, 25.2 mm)"
    qtbot.waitUntil(lambda: win.pos_label.text() == want, timeout=10000)  # a throttled readout: a timer


def test_review_panes_draw_the_physical_aspect_linked(qtbot, tmp_path, no_prompts) -> None:
    """The review view's three panes show the slice as the canvas does, at one scale each axis: a zoom in
    one is the zoom in the others, the block stays a square."""
    from tests.ui.test_review import enter_review, open_window

    for who, shift in (("reference", 0), ("candidate", 2)):
        path = make(tmp_path, [2.0, 1.0], f"{who}.json")
        from pixelproof.core.coco import load_project

        project = load_project(path)
        m = np.zeros((H, W), bool)
        m[30 + shift : 70, 20:60] = True
        project.add_annotation(Annotation(1, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
        if who == "candidate":
            project.reference = "reference.json"
        save_project(project, path)
    win = open_window(qtbot, tmp_path / "candidate.json")
    try:
        win.resize(1366, 768)
        enter_review(qtbot, win)
        view = win.review.view
        for pane in (view.ref_pane, view.cand_pane):  # the difference pane's picture is veiled
            x0, y0, x1, y1 = white(grab(pane))
            assert abs((x1 - x0) - (y1 - y0)) <= 2, pane.title
        assert view.diff_pane.scale_xy == view.ref_pane.scale_xy
        ref, cand = view.ref_pane, view.cand_pane
        ref.zoom_by(1.25, ref.viewport().rect().center())
        assert cand.scale_xy == ref.scale_xy
        assert abs(ref.transform().m22() / ref.transform().m11() - 2.0) < 1e-9
        x0, y0, x1, y1 = white(grab(cand))
        assert abs((x1 - x0) - (y1 - y0)) <= 2
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_stretched_axis_draws_the_pyramid_level_its_own_scale_needs(open_on, tmp_path) -> None:
    """Rows 8 times the columns' spacing at 12.5 % across are 100 % down: each screen row one stored row.
    The level was picked by the mean of the two scales (35 %): a half-size level, every other row shown
    twice down the stretched axis."""
    h, w = 600, 1200
    stripes = (np.arange(h) % 2) * 250  # one row dark, the next light: a coarser level is all grey
    rows = np.repeat(stripes[:, None], w, axis=1).astype(np.uint8)
    cv2.imwrite(str(tmp_path / "tall.png"), rows)
    project = new_project(["organ"])
    project.add_image(ImageRecord(1, "tall.png", w, h, {"pixel_spacing": [8.0, 1.0]}))
    save_project(project, tmp_path / "tall.json")
    win = open_on(tmp_path / "tall.json")
    c = win.canvas
    c.set_zoom(0.125)
    c.centerOn(QPointF(600, 300))
    assert c.scale_xy == (0.125, 1.0)
    img, t = grab(c), c.viewportTransform()
    shown = []
    for y in range(290, 300):
        v = t.map(QPointF(600.5, y + 0.5))
        shown.append(img.pixelColor(int(v.x()), int(v.y())).red())
    assert shown == [int(v) for v in stripes[290:300]]
