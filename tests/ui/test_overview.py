"""The overview navigator (QuPath's, Slicer's, every slide viewer's): a thumbnail of the whole image in the
canvas's corner while zoomed in, the part in view outlined. Checked with real keys and mouse events: where
the outline is drawn (the overlay's pixels) against the canvas's own mapping, a click and a drag in it
against the image point they name, pixels at their physical aspect, a slide's thumbnail from its overview."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtTest import QTest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.ui.canvas.aspect import physical_aspect
from pixelproof.ui.canvas.overview import MARGIN, MAX_SIDE, PAD
from pixelproof.ui.settings import settings
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import make_project

LEFT, MIDDLE = Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton
NOMOD, CTRL = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier
W, H = 2000, 1500


@pytest.fixture(autouse=True)
def square_pixels_after():  # type: ignore[no-untyped-def]
    """View > Pixels at Physical Aspect is app-wide: left on, as it starts."""
    yield
    physical_aspect().set_on(True)


def zoom_in(qtbot, win, times: int = 3) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        QTest.keyClick(win.canvas, Qt.Key.Key_Equal, CTRL)  # View > Zoom In
    qtbot.waitUntil(win.canvas.overview.isVisible, timeout=10000)


def seen_centre(canvas) -> QPointF:  # type: ignore[no-untyped-def]
    return canvas.mapToScene(canvas.viewport().rect().center())


def drawn_outline(overview) -> QRectF:  # type: ignore[no-untyped-def]
    """Where the outline is drawn: the overlay's pixels of the highlight colour (none in the gradient)."""
    img = overview.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    bgr = arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., :3].astype(int)
    hl = overview.palette().color(QPalette.ColorRole.Highlight)
    hit = np.abs(bgr - np.array([hl.blue(), hl.green(), hl.red()])).sum(axis=2) < 40
    ys, xs = np.nonzero(hit)
    assert xs.size, "no outline drawn"
    return QRectF(xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min())


def expected_outline(canvas) -> QRectF:  # type: ignore[no-untyped-def]
    """The part in view (the canvas's mapping of its viewport) scaled into the thumbnail."""
    ov = canvas.overview
    seen = canvas.mapToScene(canvas.viewport().rect()).boundingRect().intersected(QRectF(0, 0, W, H))
    t = ov.thumb
    k = t.width() / W, t.height() / H
    return QRectF(t.x() + seen.x() * k[0], t.y() + seen.y() * k[1], seen.width() * k[0], seen.height() * k[1])


def assert_outline_is_the_view(canvas) -> None:  # type: ignore[no-untyped-def]
    got, want = drawn_outline(canvas.overview), expected_outline(canvas)
    for g, w in zip(
        (got.left(), got.top(), got.right(), got.bottom()),
        (want.left(), want.top(), want.right(), want.bottom()),
        strict=True,
    ):
        assert abs(g - w) <= 2.0, (got, want)  # a pen of 1.5 px drawn on the edge


def test_shown_zoomed_in_hidden_at_fit_its_outline_the_view_after_zoom_and_pan(
    open_on, qtbot, tmp_path
) -> None:
    win = open_on(make_project(tmp_path, 1, (H, W)))
    c, ov = win.canvas, win.canvas.overview
    assert not ov.isVisible()  # fitted: the canvas is the overview
    zoom_in(qtbot, win)
    vp = c.viewport().geometry()
    g = ov.geometry()
    assert (g.right(), g.bottom()) == (vp.right() - MARGIN, vp.bottom() - MARGIN)  # the bottom-right corner
    assert max(ov.thumb.width(), ov.thumb.height()) <= MAX_SIDE
    assert ov.thumb.width() / ov.thumb.height() == pytest.approx(W / H, rel=0.01)
    assert g.width() <= ov.thumb.width() + 2 * PAD + 1
    assert_outline_is_the_view(c)
    # a real middle-button pan: the outline follows
    start = QPoint(200, 200)
    QTest.mousePress(c.viewport(), MIDDLE, NOMOD, start)
    for i in range(1, 6):
        QTest.mouseMove(c.viewport(), start + QPoint(-40 * i, -25 * i))
    QTest.mouseRelease(c.viewport(), MIDDLE, NOMOD, start + QPoint(-200, -125))
    assert_outline_is_the_view(c)
    zoom_in(qtbot, win, 2)  # and a zoom
    assert_outline_is_the_view(c)
    c.resize(c.width() - 150, c.height() - 100)  # and the window's size
    qtbot.waitUntil(lambda: ov.geometry().right() == c.viewport().geometry().right() - MARGIN, timeout=10000)
    assert_outline_is_the_view(c)
    QTest.keyClick(c, Qt.Key.Key_0, CTRL)  # View > Fit Image
    assert not ov.isVisible()


def test_a_click_centres_the_view_there_and_a_drag_pans_with_it(open_on, qtbot, tmp_path) -> None:
    """The image point a press names in the thumbnail comes to the view's centre; a drag keeps it there
    at each move. The box tool gets none of it; the overview never holds the keyboard focus: a click in it
    gives the canvas the keys, as a click anywhere on the canvas does (Qt gives the focus to the first
    parent that takes it by click), so Ctrl+= or a tool's key works next."""
    win = open_on(make_project(tmp_path, 1, (H, W)))
    c, ov = win.canvas, win.canvas.overview
    zoom_in(qtbot, win)
    QTest.keyClick(c, Qt.Key.Key_B)  # the box tool: a press on the canvas would start a box
    win.panels["imagesDock"].setFocus()  # the keys elsewhere before the click
    t = ov.thumb
    zoom = c.zoom

    def named(p: QPoint) -> tuple[float, float]:
        return (p.x() - t.x()) * W / t.width(), (p.y() - t.y()) * H / t.height()

    def at_centre(p: QPoint) -> None:
        got, (x, y) = seen_centre(c), named(p)
        assert abs(got.x() - x) <= 1.5 / zoom + 0.5 and abs(got.y() - y) <= 1.5 / zoom + 0.5, (got, x, y)

    p = QPoint(int(t.x() + t.width() * 0.8), int(t.y() + t.height() * 0.3))
    QTest.mouseClick(ov, LEFT, NOMOD, p)
    at_centre(p)
    a = QPoint(int(t.x() + t.width() * 0.2), int(t.y() + t.height() * 0.7))
    QTest.mousePress(ov, LEFT, NOMOD, a)
    at_centre(a)
    for i in range(1, 6):  # each move of the drag pans, not only its end
        q = a + QPoint(12 * i, -9 * i)
        QTest.mouseMove(ov, q)
        at_centre(q)
    QTest.mouseRelease(ov, LEFT, NOMOD, q)
    QTest.mouseMove(ov, q + QPoint(-30, 0))  # no button: nothing moves
    at_centre(q)
    assert c.zoom == zoom
    assert win.document.project.annotations == {}  # no box drawn under it
    assert win.focusWidget() is c and not ov.hasFocus()
    # a box dragged on the canvas into the corner: the overview fades so the pixels under it show, and the
    # drag stays the tool's
    vp = c.viewport()
    start, end = QPoint(vp.width() // 2, vp.height() // 2), ov.geometry().center()
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    assert ov.faded
    QTest.mouseRelease(vp, LEFT, NOMOD, end)
    assert not ov.faded
    (box,) = win.document.project.annotations.values()
    corner = c.mapFromScene(QPointF(box.bbox[0] + box.bbox[2], box.bbox[1] + box.bbox[3]))
    assert (corner - end).manhattanLength() <= 2


def test_view_overview_toggles_it_from_the_menu_and_its_key(open_on, qtbot, tmp_path) -> None:
    win = open_on(make_project(tmp_path, 1, (H, W)))
    ov = win.canvas.overview
    view_menu = next(m for m in win.menuBar().findChildren(type(win.category_menu)) if m.title() == "&View")
    act = next(a for a in view_menu.actions() if a.text().replace("&", "") == "Overview")
    assert act is win.act_overview and act.isChecked()
    zoom_in(qtbot, win)
    act.trigger()  # the menu item
    assert not ov.isVisible() and not act.isChecked()
    assert settings().value("view/overview", type=bool) is False  # a new window starts without it
    QTest.keyClick(win.canvas, Qt.Key.Key_O, CTRL | Qt.KeyboardModifier.AltModifier)  # its key
    assert ov.isVisible() and act.isChecked()
    assert REGISTRY.text("view.overview") == "Ctrl+Alt+O" and REGISTRY.conflicts() == []
    QTest.keyClick(win.canvas, Qt.Key.Key_W, CTRL)  # File > Close Project, zoomed in: no image to outline
    assert win.document is None and not ov.isVisible()
    ov.grab()  # and nothing to draw: no division by the size of no image


def test_pixels_at_their_physical_aspect_keep_the_outline_the_viewports_shape(
    open_on, qtbot, tmp_path
) -> None:
    """An 800 x 400 image of 1 mm columns and 2 mm rows is a square on screen, and its thumbnail too; the
    outline of the part in view has the viewport's shape (its stretch is the canvas's)."""
    w, h = 800, 400
    img = np.tile((np.arange(w) * 255 // w).astype(np.uint8), (h, 1))
    cv2.imwrite(str(tmp_path / "coronal.png"), img)
    project = new_project(["organ"])
    project.add_image(ImageRecord(1, "coronal.png", w, h, {"pixel_spacing": [2.0, 1.0]}))
    save_project(project, tmp_path / "p.json")
    win = open_on(tmp_path / "p.json")
    c, ov = win.canvas, win.canvas.overview
    zoom_in(qtbot, win, 5)
    assert ov.thumb.width() == pytest.approx(ov.thumb.height(), abs=1)  # 800 x 800 mm
    vp = c.viewport().rect()
    r = ov.view_rect()
    assert ov.thumb.contains(r)  # all of the view is image: its outline is not cut
    assert r.width() / r.height() == pytest.approx(vp.width() / vp.height(), rel=0.02)
    centre = QPoint(int(ov.thumb.center().x()) + 10, int(ov.thumb.center().y()) + 10)
    QTest.mouseClick(ov, LEFT, NOMOD, centre)  # a click names the same point in both axes' pixels
    got = seen_centre(c)
    want = (
        (centre.x() - ov.thumb.x()) * w / ov.thumb.width(),
        (centre.y() - ov.thumb.y()) * h / ov.thumb.height(),
    )
    assert abs(got.x() - want[0]) <= 1 and abs(got.y() - want[1]) <= 1, (got, want)


def test_a_slides_thumbnail_is_its_overview_and_decodes_no_tile(open_on, qtbot, tmp_path) -> None:
    from bench.large import write_pyramid

    write_pyramid(tmp_path / "slide.tif", 8192)
    project = new_project(["tissue"])
    project.add_image(ImageRecord(1, "slide.tif", 8192, 8192))
    save_project(project, tmp_path / "p.json")
    win = open_on(tmp_path / "p.json")
    c, ov = win.canvas, win.canvas.overview
    assert c.loaded.lazy
    c.set_zoom(0.5)
    qtbot.waitUntil(ov.isVisible, timeout=10000)
    decoded = c.image_item.tiles_converted
    shot = ov.grab().toImage()
    assert c.image_item.tiles_converted == decoded  # drawn from the overview only
    # inside the outline (the part in view, not shaded) the thumbnail is that part of the coarsest level
    r = ov.view_rect().toRect().adjusted(4, 4, -4, -4)
    arr = np.frombuffer(shot.convertToFormat(QImage.Format.Format_Grayscale8).constBits(), np.uint8)
    grey = arr.reshape(shot.height(), -1)[r.top() : r.bottom(), r.left() : r.right()]
    overview = c.loaded.overview
    k = overview.shape[0] / 8192
    seen = c.mapToScene(c.viewport().rect()).boundingRect()
    y0, y1, x0, x1 = (int(v * k) for v in (seen.top(), seen.bottom(), seen.left(), seen.right()))
    assert abs(float(grey.mean()) - float(overview[y0:y1, x0:x1].mean())) < 12


@pytest.mark.parametrize(("mode", "grey"), [("dark", 30), ("light", 250)])
def test_its_frame_reads_on_an_image_of_the_themes_own_shade(open_on, qtbot, tmp_path, mode, grey) -> None:
    """The frame was the palette's Mid around a Window-coloured mat: in the dark theme over a dark image
    (a fluorescence slide's black, the coins' background) 1.2:1, in the light one over a slide's white
    glass 1.6:1, so the thumbnail's edge was lost in the picture. Some ring of the frame now stands out from
    the picture under it by 3:1 at least (WCAG's contrast for a control's edge), in either theme."""
    from PySide6.QtGui import QColor

    from pixelproof.ui.app import create_app
    from pixelproof.ui.icons import contrast_ratio
    from pixelproof.ui.theme import theme

    path = make_project(tmp_path, n_images=1)
    cv2.imwrite(str(tmp_path / "images" / "img0.png"), np.full((240, 320, 3), grey, np.uint8))
    create_app()  # the theme as at start (a window open_on before the switch keeps its palette here)
    before = theme().mode
    theme().apply(mode)
    try:
        win = open_on(path)
        zoom_in(qtbot, win)
        ov = win.canvas.overview
        around = ov.geometry().adjusted(-4, -4, 4, 4)
        img = win.canvas.grab(around).toImage()
        y = img.height() // 2
        under = img.pixelColor(1, y)  # the picture beside the overview
        assert abs(under.red() - grey) <= 2, under.name()
        frame = [img.pixelColor(x, y) for x in range(4, 4 + PAD + 1)]  # its left edge, out to the thumbnail
        best = max(contrast_ratio(QColor(c), under) for c in frame)
        assert best >= 3.0, ([c.name() for c in frame], under.name(), best)
    finally:
        theme().apply(before)


def middle_drag(canvas, by: QPoint) -> None:  # type: ignore[no-untyped-def]
    """A pan by ``by`` screen pixels: a real middle-button drag over the canvas."""
    vp = canvas.viewport()
    start = vp.rect().center()
    QTest.mousePress(vp, MIDDLE, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + by * (i / 4))
    QTest.mouseRelease(vp, MIDDLE, NOMOD, start + by)


def test_at_the_images_corner_the_outline_has_its_four_sides(open_on, qtbot, tmp_path) -> None:
    """Panned past the image's top-left corner (the view shows canvas beyond it), the outline of the part
    in view was cut to the thumbnail: its top and left sides fell outside and an "L" was left, which read
    as a mark of something else. The whole rectangle is drawn now, inside the thumbnail."""
    win = open_on(make_project(tmp_path, 1, (H, W)))
    c, ov = win.canvas, win.canvas.overview
    zoom_in(qtbot, win)
    corner = c.mapFromScene(QPointF(0, 0))
    middle_drag(c, QPoint(c.viewport().width() // 4, c.viewport().height() // 4) - corner)
    corner = c.mapFromScene(QPointF(0, 0))
    assert corner.x() > 0 and corner.y() > 0  # the view reaches past the image's top-left corner
    assert ov.isVisible() and not ov.thumb.contains(ov.view_rect())  # the case: past the thumbnail too
    got = drawn_outline(ov)
    assert ov.thumb.contains(got), (got, ov.thumb)
    img = ov.grab().toImage()
    hl = ov.palette().color(QPalette.ColorRole.Highlight)

    def marked(x: float, y: float) -> bool:
        """The highlight's colour within a pixel of (x, y) (the 2-px pen of the outline)."""
        near = (img.pixelColor(round(x) + dx, round(y) + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
        return any(abs(p.red() - hl.red()) + abs(p.green() - hl.green()) + abs(p.blue() - hl.blue()) < 40
                   for p in near)  # fmt: skip

    mid_x, mid_y = got.center().x(), got.center().y()
    sides = {
        "top": marked(mid_x, got.top() + 1),
        "bottom": marked(mid_x, got.bottom() - 2),
        "left": marked(got.left() + 1, mid_y),
        "right": marked(got.right() - 2, mid_y),
    }
    assert all(sides.values()), sides
    assert not marked(mid_x, mid_y)  # a rectangle, not a filled mark
    want = expected_outline(c)  # the part of the image in view, within the width of the pen
    assert abs(got.right() - want.right()) <= 3 and abs(got.bottom() - want.bottom()) <= 3, (got, want)


def test_a_tag_under_the_overview_is_kept_beside_it(open_on, qtbot, tmp_path) -> None:
    """A box's tag under the overview's left edge showed its first letters beside it (and one at the
    window's right edge, kept inside the window, its last letter in the gap between the overview and the
    edge). The overview sits in the very corner now, and a tag it covers is drawn beside it, clear of it."""
    from pixelproof.core.coco import load_project
    from pixelproof.core.model import Annotation
    from pixelproof.ui.canvas.looks import category_color

    path = make_project(tmp_path, 1, (H, W))
    project = load_project(path)
    project.add_annotation(Annotation(1, 1, 1, [1000.0, 700.0, 300.0, 300.0], area=90000.0))
    save_project(project, path)
    win = open_on(path)
    c, ov = win.canvas, win.canvas.overview
    zoom_in(qtbot, win)
    vp = c.viewport().rect()
    covered = ov.geometry().translated(-c.viewport().pos())  # in the viewport's pixels
    assert (covered.right(), covered.bottom()) == (vp.right(), vp.bottom())  # no gap beside it
    # the box's top-left corner a little left of the overview, below its top: its tag, above the corner,
    # reaches under the overview from its left; the copy covers what shows of it, also where going up
    # would be shorter (3 px beside it, 2 px under its top)
    for beside, below in ((10, 30), (3, 18)):
        want = QPoint(covered.left() - beside, covered.top() + below)
        middle_drag(c, want - c.mapFromScene(QPointF(1000, 700)))
        at = c.mapFromScene(QPointF(1000, 700))
        assert abs(at.x() - want.x()) <= 2 and abs(at.y() - want.y()) <= 2, (at, want)
        c.viewport().grab()  # a frame: the tags placed
        left = at.x() - 1  # the copy comes left of where the tag is drawn

        def beside_it(left: float = left) -> bool:
            return c.pinned.rect_of(1) is not None and c.pinned.rect_of(1).left() < left

        qtbot.waitUntil(beside_it, timeout=10000)
        kept = c.pinned.rect_of(1)
        assert not kept.intersects(QRectF(covered)), (kept, covered)
        assert QRectF(vp).contains(kept)
        assert abs(kept.right() - covered.left()) <= 1 and abs(kept.bottom() - at.y()) <= 4  # beside it
        shot = c.viewport().grab().toImage()
        colour = shot.pixelColor(int(kept.left()) + 1, int(kept.top()) + 1)
        assert colour == category_color(win.document.project.categories[1])  # drawn there, not only listed
    # panned so the box is wholly under the overview: nothing of it in sight, no tag kept for it
    middle_drag(c, QPoint(covered.right() - 5, covered.bottom() - 5) - c.mapFromScene(QPointF(1000, 700)))
    c.viewport().grab()
    qtbot.waitUntil(lambda: c.pinned.rect_of(1) is None, timeout=10000)
