"""Polygon, brush, eraser and fill tools and the mask conversions, driven by real mouse and key events on
the canvas viewport of the real main window (issue 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core import annotation_pixels, mask_edit, masks
from pixelproof.ui.tools.paint_options import OPTIONS, PaintOptions
from tests.core.test_mask_edit import reference_stroke
from tests.ui.conftest import hover, open_main_window

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def default_options():
    """Each test starts from the default tool settings (they are app-wide)."""
    defaults = PaintOptions()
    OPTIONS.set(
        **{
            k: getattr(defaults, k)
            for k in ("width", "preserve_others", "tolerance", "connectivity", "fixed_range")
        }
    )
    yield OPTIONS


def vp_at(win, x: float, y: float) -> QPoint:
    """Viewport point over image point (x, y)."""
    return win.canvas.mapFromScene(QPointF(x, y))


def pixel_under(win, p: QPoint) -> tuple[int, int]:
    """The pixel the canvas maps a viewport point to: what a tool receives."""
    s = win.canvas.mapToScene(p)
    return math.floor(s.x()), math.floor(s.y())


def key(win, k, modifier=NOMOD) -> None:
    QTest.keyClick(win.canvas, k, modifier)


def set_view(win, zoom: float, center=(160, 120)) -> None:
    win.canvas.set_zoom(zoom)
    win.canvas.centerOn(QPointF(*center))


def stroke(win, points: list[QPoint], modifier=NOMOD) -> None:
    """Press at the first point, one move event per later point (far apart = a fast hand), release."""
    vp = win.canvas.viewport()
    QTest.mousePress(vp, LEFT, modifier, points[0])
    for p in points[1:]:
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, LEFT, modifier, points[-1])


def only_new(win, before: set[int]) -> int:
    new = set(win.document.project.annotations) - before
    assert len(new) == 1, new
    return new.pop()


def pixels(win, ann_id: int) -> np.ndarray:
    return masks.decode(win.document.project.annotations[ann_id].segmentation)


def test_brush_stroke_paints_exactly_the_opencv_line_and_undoes(window) -> None:
    set_view(window, 2.0)
    key(window, Qt.Key.Key_R)
    assert window.canvas.tool.name == "brush"
    key(window, Qt.Key.Key_BracketRight)
    assert OPTIONS.width == 18  # from the default 17 to the next step
    key(window, Qt.Key.Key_BracketLeft)
    assert OPTIONS.width == 16
    OPTIONS.set(width=11)
    pts = [vp_at(window, x + 0.5, y + 0.5) for x, y in [(60, 70), (140, 90), (200, 60), (205, 150)]]
    before = set(window.document.project.annotations)
    stroke(window, pts)
    ann_id = only_new(window, before)
    ann = window.document.project.annotations[ann_id]
    assert ann.kind == "mask" and ann.iscrowd == 0 and ann.category_id == 1
    expected = reference_stroke((240, 320), [pixel_under(window, p) for p in pts], 11)
    got = pixels(window, ann_id)
    assert np.array_equal(got, expected)
    assert ann.area == expected.sum() and ann.bbox == masks.bbox(expected)
    stack = window.document.undo_stack
    assert stack.count() == 1  # the whole stroke is one step
    cmd = stack.command(0)
    assert (
        cmd.edit.patch.before.shape == cmd.edit.patch.after.shape
        and cmd.edit.patch.after.size < 240 * 320 / 2
    )
    stack.undo()
    assert ann_id not in window.document.project.annotations and ann_id not in window.canvas.items_by_id
    stack.redo()
    assert np.array_equal(pixels(window, ann_id), expected)


def click(win, p: QPoint, modifier=NOMOD) -> None:
    QTest.mouseClick(win.canvas.viewport(), LEFT, modifier, p)


def scene_xy(win, p: QPoint) -> tuple[float, float]:
    s = win.canvas.mapToScene(p)
    return round(s.x(), 2), round(s.y(), 2)


def draw_polygon(win, corners: list[tuple[float, float]], close_with: str = "first") -> int:
    key(win, Qt.Key.Key_P)
    assert win.canvas.tool.name == "polygon"
    before = set(win.document.project.annotations)
    pts = [vp_at(win, x, y) for x, y in corners]
    for p in pts:
        click(win, p)
    if close_with == "first":
        click(win, pts[0] + QPoint(2, -1))  # near enough to the first vertex
    else:
        key(win, Qt.Key.Key_Return)
    return only_new(win, before)


def vertices(win, ann_id: int, part: int = 0) -> list[tuple[float, float]]:
    poly = win.document.project.annotations[ann_id].segmentation[part]
    return [(poly[i], poly[i + 1]) for i in range(0, len(poly), 2)]


def test_polygon_draw_close_on_first_vertex_and_backspace_and_escape(window) -> None:
    set_view(window, 2.0)
    corners = [(40, 40), (120, 40), (120, 100), (40, 100)]
    ann_id = draw_polygon(window, corners)
    ann = window.document.project.annotations[ann_id]
    assert ann.kind == "polygon" and len(ann.segmentation) == 1
    assert vertices(window, ann_id) == [scene_xy(window, vp_at(window, x, y)) for x, y in corners]
    assert ann.area == masks.segmentation_area(ann.segmentation, [], 240, 320) and ann.area > 0
    assert window.document.selection == [ann_id]
    # draw a second one outside the first, Backspace drops its last vertex (and deletes nothing)
    before = set(window.document.project.annotations)
    for x, y in [(200, 50), (260, 50), (260, 120), (210, 140)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_Backspace)
    key(window, Qt.Key.Key_Return)
    second = only_new(window, before)
    assert ann_id in window.document.project.annotations
    assert len(vertices(window, second)) == 3
    # Esc abandons a polygon in progress
    n = len(window.document.project.annotations)
    for x, y in [(20, 150), (60, 150), (60, 200)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_Escape)
    key(window, Qt.Key.Key_Return)
    assert len(window.document.project.annotations) == n


def test_polygon_vertex_editing_each_step_undoable(window) -> None:
    set_view(window, 2.0)
    ann_id = draw_polygon(window, [(40, 40), (120, 40), (120, 100), (40, 100)], close_with="enter")
    stack = window.document.undo_stack
    original = vertices(window, ann_id)
    vp = window.canvas.viewport()
    # drag a vertex
    start, end = vp_at(window, 120, 100), vp_at(window, 140, 130)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    QTest.mouseMove(vp, start + QPoint(20, 20))
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, LEFT, NOMOD, end)
    moved = vertices(window, ann_id)
    assert moved[2] == scene_xy(window, end) and moved[:2] == original[:2] and moved[3] == original[3]
    assert stack.undoText() == "Move vertex"
    # click on an edge inserts a vertex there
    click(window, vp_at(window, 80, 40))
    inserted = vertices(window, ann_id)
    assert len(inserted) == 5 and inserted[1] == scene_xy(window, vp_at(window, 80, 40))
    assert stack.undoText() == "Insert vertex"
    # Shift+click deletes it again
    click(window, vp_at(window, 80, 40), SHIFT)
    assert vertices(window, ann_id) == moved and stack.undoText() == "Delete vertex"
    # drag inside moves the whole polygon by whole pixels
    a, b = vp_at(window, 70, 70), vp_at(window, 90, 80)
    QTest.mousePress(vp, LEFT, NOMOD, a)
    QTest.mouseMove(vp, a + QPoint(10, 5))
    QTest.mouseMove(vp, b)
    QTest.mouseRelease(vp, LEFT, NOMOD, b)
    shifted = vertices(window, ann_id)
    assert shifted == [(x + 20, y + 10) for x, y in moved]
    assert window.document.project.annotations[ann_id].bbox[0] == 60
    # every step undoes and redoes exactly
    for expected in (moved, inserted, moved, original):
        stack.undo()
        assert vertices(window, ann_id) == expected
    for expected in (moved, inserted, moved, shifted):
        stack.redo()
        assert vertices(window, ann_id) == expected


def test_polygon_parts_are_kept_and_context_menu_deletes_a_vertex(window) -> None:
    set_view(window, 2.0)
    ann_id = draw_polygon(window, [(30, 30), (90, 30), (90, 90), (30, 90)], close_with="enter")
    first_part = vertices(window, ann_id, 0)
    # Ctrl+click starts a new outline that becomes part 2 of the selected annotation
    p0 = vp_at(window, 150, 40)
    click(window, p0, Qt.KeyboardModifier.ControlModifier)
    for x, y in [(220, 40), (220, 110), (160, 120)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_Return)
    ann = window.document.project.annotations[ann_id]
    assert len(ann.segmentation) == 2 and len(window.document.project.annotations) == 1
    # edit part 2: part 1 stays as it was
    vp = window.canvas.viewport()
    start, end = vp_at(window, 220, 110), vp_at(window, 240, 140)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, LEFT, NOMOD, end)
    assert vertices(window, ann_id, 0) == first_part and vertices(window, ann_id, 1)[2] == scene_xy(
        window, end
    )
    # right-click a vertex: a menu whose "Delete Vertex" removes it
    QTest.mousePress(vp, Qt.MouseButton.RightButton, NOMOD, vp_at(window, 90, 90))
    QTest.mouseRelease(vp, Qt.MouseButton.RightButton, NOMOD, vp_at(window, 90, 90))
    menu = window.canvas.tool.last_menu
    assert menu.isVisible()
    next(a for a in menu.actions() if a.text() == "Delete Vertex").trigger()
    menu.close()
    assert len(vertices(window, ann_id, 0)) == 3 and len(vertices(window, ann_id, 1)) == 4
    assert window.document.undo_stack.undoText() == "Delete vertex"


def paint(
    win, tool_key, points_xy: list[tuple[int, int]], width: int, modifier=NOMOD
) -> list[tuple[int, int]]:
    """A stroke through pixel centres; returns the pixels the canvas mapped the events to."""
    key(win, tool_key)
    OPTIONS.set(width=width)
    pts = [vp_at(win, x + 0.5, y + 0.5) for x, y in points_xy]
    stroke(win, pts, modifier)
    return [pixel_under(win, p) for p in pts]


def test_eraser_removes_exactly_its_line_and_a_hole_survives_save_and_reopen(window, tmp_path) -> None:
    from pixelproof.core.coco import load_project

    set_view(window, 2.0)
    before = set(window.document.project.annotations)
    painted = paint(window, Qt.Key.Key_R, [(60, 60), (200, 60), (200, 160), (60, 160), (60, 60)], 51)
    ann_id = only_new(window, before)
    blob = reference_stroke((240, 320), painted, 51)
    assert np.array_equal(pixels(window, ann_id), blob)
    # erase a line across the middle
    erased = paint(window, Qt.Key.Key_E, [(40, 110), (110, 100)], 9)
    expected = blob & ~reference_stroke((240, 320), erased, 9)
    assert np.array_equal(pixels(window, ann_id), expected)
    assert window.document.undo_stack.undoText() == "Erase"
    # punch a hole: a single eraser click in the middle of the painted ring's solid part
    hole = paint(window, Qt.Key.Key_E, [(200, 110)], 13)
    expected &= ~reference_stroke((240, 320), hole, 13)
    got = pixels(window, ann_id)
    assert np.array_equal(got, expected)
    assert me_holes(got) >= 1
    # undo / redo of the eraser steps
    stack = window.document.undo_stack
    stack.undo()
    assert np.array_equal(pixels(window, ann_id), blob & ~reference_stroke((240, 320), erased, 9))
    stack.redo()
    assert np.array_equal(pixels(window, ann_id), expected)
    # save, reopen from disk: RLE, iscrowd 0, pixel-exact
    path = window.document.save()
    raw = __import__("json").loads(path.read_text())
    seg = next(a for a in raw["annotations"] if a["id"] == ann_id)
    assert isinstance(seg["segmentation"]["counts"], str) and seg["iscrowd"] == 0
    reread = load_project(path).annotations[ann_id]
    assert np.array_equal(masks.decode(reread.segmentation), expected)
    assert window.open_path(path)
    assert np.array_equal(pixels(window, ann_id), expected)
    assert ann_id in window.canvas.items_by_id


def me_holes(mask: np.ndarray) -> int:
    return mask_edit.mask_to_polygons(mask).holes


def test_brush_preserve_others_ring_and_shift_wheel(window) -> None:
    from PySide6.QtCore import QPointF as P
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    set_view(window, 2.0)
    box_tool_box = [100.0, 40.0, 60.0, 80.0]
    key(window, Qt.Key.Key_B)
    QTest.mousePress(window.canvas.viewport(), LEFT, NOMOD, vp_at(window, 100, 40))
    QTest.mouseMove(window.canvas.viewport(), vp_at(window, 130, 80))
    QTest.mouseRelease(window.canvas.viewport(), LEFT, NOMOD, vp_at(window, 160, 120))
    box_id = next(iter(window.document.project.annotations))
    assert window.document.project.annotations[box_id].bbox == box_tool_box
    window.document.set_selection([])
    OPTIONS.set(preserve_others=True)
    before = set(window.document.project.annotations)
    painted = paint(window, Qt.Key.Key_R, [(60, 80), (200, 80)], 21)
    ann_id = only_new(window, before)
    box = masks.box_to_mask(box_tool_box, 240, 320)
    assert np.array_equal(pixels(window, ann_id), reference_stroke((240, 320), painted, 21) & ~box)
    # the ring follows the cursor, along the outer edges of the 15 px disc around the pixel
    OPTIONS.set(width=15)
    hover(window, vp_at(window, 30.5, 30.5))
    ring = window.canvas.tool._ring
    px, py = pixel_under(window, vp_at(window, 30.5, 30.5))
    outline = ring.mapToScene(ring.path().boundingRect()).boundingRect()
    assert ring.isVisible() and outline.center() == P(px + 0.5, py + 0.5) and outline.width() == 15
    # Shift+wheel grows the brush (and the ring); plain wheel zooms
    pos = P(vp_at(window, 30.5, 30.5))
    ev = QWheelEvent(pos, P(window.canvas.viewport().mapToGlobal(pos.toPoint())), QPoint(), QPoint(0, 120),
                     Qt.MouseButton.NoButton, SHIFT, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    zoom = window.canvas.zoom
    QApplication.sendEvent(window.canvas.viewport(), ev)
    outline = ring.mapToScene(ring.path().boundingRect()).boundingRect()
    assert OPTIONS.width == 16 and outline.width() == 16 and window.canvas.zoom == zoom
    # an even width is centred on the pixel corner nearest the pointer
    corner_x = math.floor(window.canvas.mapToScene(pos.toPoint()).x() + 0.5)
    assert outline.center().x() == corner_x


def test_brush_preserve_others_over_overlapping_masks_matches_the_dense_union(window) -> None:
    """Preserve others decodes the other masks per dab now; the pixels must be what the whole-image union
    (``others_mask``, the former way) gives, over overlapping masks, a polygon and an existing stroke."""

    set_view(window, 2.0)
    doc = window.document
    for pts, r in [([(40, 60), (180, 70)], 14), ([(120, 30), (130, 200)], 9), ([(60, 150), (250, 120)], 20)]:
        doc.set_selection([])
        paint(window, Qt.Key.Key_R, pts, r)
    draw_polygon(window, [(200, 40), (290, 50), (280, 140), (210, 120)])
    others = doc.project.annotations_of(window.canvas.image_id)
    union = annotation_pixels.others_mask(others, 240, 320)
    assert len(others) == 4 and union.sum() > 0
    # into a new mask, then into an existing one (the stroke of the first mask must keep its own pixels)
    doc.set_selection([])
    OPTIONS.set(preserve_others=True)
    before = set(doc.project.annotations)
    painted = paint(window, Qt.Key.Key_R, [(20, 100), (160, 110), (300, 90), (250, 220)], 33)
    new_id = only_new(window, before)
    expected = reference_stroke((240, 320), painted, 33) & ~union
    assert np.array_equal(pixels(window, new_id), expected)
    first = others[0].id
    rest = annotation_pixels.others_mask(
        [a for a in doc.project.annotations_of(1) if a.id != first], 240, 320
    )
    own = pixels(window, first)
    doc.set_selection([first])
    painted = paint(window, Qt.Key.Key_R, [(30, 200), (200, 20)], 23, CTRL)  # starts away: Ctrl adds to it
    assert np.array_equal(pixels(window, first), own | (reference_stroke((240, 320), painted, 23) & ~rest))


def open_images(qtbot, tmp_path, images: list[np.ndarray]):
    """The main window on a project of synthetic RGB images (categories cell, other), the first shown."""
    import cv2

    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import ImageRecord

    project = new_project(["cell", "other"])
    for i, img in enumerate(images):
        (tmp_path / f"img{i}.png").write_bytes(cv2.imencode(".png", img[:, :, ::-1])[1].tobytes())
        project.add_image(ImageRecord(i + 1, f"img{i}.png", img.shape[1], img.shape[0]))
    save_project(project, tmp_path / "p.json")
    return open_main_window(qtbot, tmp_path / "p.json")


@pytest.fixture
def wand_window(qtbot, tmp_path, no_prompts):
    """The main window on one synthetic two-colour image: a red block with a dark window in it."""
    img = np.full((160, 200, 3), 30, np.uint8)
    img[20:100, 30:150] = (200, 40, 40)
    img[50:70, 70:100] = (30, 30, 30)
    win = open_images(qtbot, tmp_path, [img])
    set_view(win, 3.0, (100, 80))
    yield win
    win.document.undo_stack.setClean()
    win.close()


def wand_click(qtbot, win, p: QPoint, modifier=NOMOD) -> None:
    """Click with the wand and wait for its fill (it runs in a worker) to be applied."""
    click(win, p, modifier)
    assert win.canvas.tool.name == "fill"
    qtbot.waitUntil(lambda: not win.canvas.tool.is_busy(), timeout=10000)


def test_magic_wand_adds_and_shift_subtracts_with_undo(qtbot, wand_window) -> None:
    win = wand_window
    key(win, Qt.Key.Key_F)
    assert win.canvas.tool.name == "fill"
    block = np.zeros((160, 200), bool)
    block[20:100, 30:150] = True
    window_ = np.zeros_like(block)
    window_[50:70, 70:100] = True
    before = set(win.document.project.annotations)
    wand_click(qtbot, win, vp_at(win, 40.5, 30.5))
    ann_id = only_new(win, before)
    assert np.array_equal(pixels(win, ann_id), block & ~window_)
    assert win.document.undo_stack.undoText() == "Wand fill"
    # the window is dark like the background but not connected to it: click it to add it
    wand_click(qtbot, win, vp_at(win, 80.5, 60.5))
    assert np.array_equal(pixels(win, ann_id), block)
    # Shift+click the window again: subtract it (a hole)
    wand_click(qtbot, win, vp_at(win, 80.5, 60.5), SHIFT)
    assert np.array_equal(pixels(win, ann_id), block & ~window_)
    assert win.document.undo_stack.undoText() == "Wand subtract"
    stack = win.document.undo_stack
    stack.undo()
    assert np.array_equal(pixels(win, ann_id), block)
    stack.undo()
    assert np.array_equal(pixels(win, ann_id), block & ~window_)
    stack.undo()
    assert ann_id not in win.document.project.annotations
    for _ in range(3):
        stack.redo()
    assert np.array_equal(pixels(win, ann_id), block & ~window_)
    # tolerance: at 200 the dark background joins the red block (difference 170 per channel at most)
    OPTIONS.set(tolerance=200)
    win.document.set_selection([])
    before = set(win.document.project.annotations)
    wand_click(qtbot, win, vp_at(win, 5.5, 5.5))
    assert pixels(win, only_new(win, before)).all()


def test_wand_preserve_others_over_overlapping_masks_matches_the_dense_union(qtbot, wand_window) -> None:
    """The wand's preserve-others now runs in the worker on a lazily decoded union: same pixels as the
    whole-image union (the former way) over two overlapping masks and a box."""

    win = wand_window
    doc = win.document
    for pts, r in [([(20, 30), (120, 40)], 12), ([(60, 10), (90, 120)], 8)]:
        doc.set_selection([])
        paint(win, Qt.Key.Key_R, pts, r)
    key(win, Qt.Key.Key_B)
    stroke(win, [vp_at(win, 110, 60), vp_at(win, 130, 80), vp_at(win, 170, 95)])
    others = doc.project.annotations_of(1)
    union = annotation_pixels.others_mask(others, 160, 200)
    assert len(others) == 3
    OPTIONS.set(preserve_others=True)
    key(win, Qt.Key.Key_F)
    doc.set_selection([])
    before = set(doc.project.annotations)
    wand_click(qtbot, win, vp_at(win, 40.5, 90.5))
    block = np.zeros((160, 200), bool)
    block[20:100, 30:150] = True
    block[50:70, 70:100] = False
    assert np.array_equal(pixels(win, only_new(win, before)), block & ~union)


def test_wand_on_a_big_image_keeps_the_ui_thread_free_and_drops_stale_answers(
    qtbot, tmp_path, no_prompts, monkeypatch
) -> None:
    """4000x4000 two-colour image: the fill runs off the UI thread, which keeps handling its timers while
    the fill waits for one of them; a click while it runs is refused; the region is exact; an answer that
    comes after Esc is dropped."""
    import threading

    from PySide6.QtCore import QTimer

    from pixelproof.ui.tools import fill

    n = 4000
    img = np.full((n, n, 3), 30, np.uint8)
    img[300:3700, 200:3900] = (200, 40, 40)
    block = np.zeros((n, n), bool)
    block[300:3700, 200:3900] = True
    win = open_images(qtbot, tmp_path, [img])
    timer = QTimer()
    try:
        win.canvas.set_zoom(0.15)
        win.canvas.centerOn(QPointF(n / 2, n / 2))
        key(win, Qt.Key.Key_F)
        tool = win.canvas.tool
        arrived: list[bool] = []
        answered = tool._answered

        def spy(*args) -> None:
            arrived.append(True)
            answered(*args)

        monkeypatch.setattr(tool, "_answered", spy)
        # each fill waits (in its thread) for a tick of a timer on the UI thread: on the UI thread itself
        # the fill would block the tick and wait out the bound, so the region comes only if the UI ran
        ticked = threading.Event()
        fills: list[tuple[bool, bool]] = []  # (ran on the UI thread, saw a UI tick while running)
        region = fill.paint.wand_region

        def waiting_region(*args, **kwargs):  # type: ignore[no-untyped-def]
            ticked.clear()
            fills.append((threading.current_thread() is threading.main_thread(), ticked.wait(20)))
            return region(*args, **kwargs)

        monkeypatch.setattr(fill.paint, "wand_region", waiting_region)
        timer.setInterval(10)
        timer.timeout.connect(ticked.set)
        timer.start()
        before = set(win.document.project.annotations)
        click(win, vp_at(win, n / 2 + 0.5, n / 2 + 0.5))
        assert tool.is_busy() and win.canvas.viewport().cursor().shape() == Qt.CursorShape.BusyCursor
        click(win, vp_at(win, 50.5, 50.5))  # refused while the first one runs
        qtbot.waitUntil(lambda: not tool.is_busy(), timeout=30000)
        assert len(arrived) == 1
        assert fills == [(False, True)], "the fill ran on the UI thread or the UI thread stalled during it"
        ann_id = only_new(win, before)
        assert np.array_equal(pixels(win, ann_id), block)
        assert win.document.undo_stack.count() == 1 and win.document.undo_stack.undoText() == "Wand fill"
        assert win.canvas.viewport().cursor().shape() == tool.cursor
        # Esc while filling: the answer is dropped, nothing is added
        win.document.set_selection([])
        before = set(win.document.project.annotations)
        click(win, vp_at(win, 50.5, 50.5))
        assert tool.is_busy()
        key(win, Qt.Key.Key_Escape)
        assert not tool.is_busy()
        qtbot.waitUntil(lambda: len(arrived) == 2, timeout=30000)  # the worker's answer came: dropped
        assert fills[1] == (False, True) and set(win.document.project.annotations) == before
        assert win.document.undo_stack.count() == 1
    finally:
        timer.stop()
        win.document.undo_stack.setClean()
        win.close()


def test_conversions_both_ways_with_loss_warning_merge_split_fill_holes(qtbot, wand_window) -> None:
    win = wand_window
    doc = win.document
    stack = doc.undo_stack
    actions = win.masks_menu
    # wand the block (its window is a hole), and draw a box of the same category
    key(win, Qt.Key.Key_F)
    wand_click(qtbot, win, vp_at(win, 40.5, 30.5))
    mask_id = doc.selection[0]
    holed = pixels(win, mask_id)
    key(win, Qt.Key.Key_B)
    stroke(win, [vp_at(win, 160, 110), vp_at(win, 175, 130), vp_at(win, 190, 150)])
    box_id = doc.selection[0]
    box_ann = doc.project.annotations[box_id]
    assert box_ann.kind == "box"
    # box -> mask: exactly pycocotools' rasterization of the box
    assert actions.act_to_mask.isEnabled()
    actions.act_to_mask.trigger()
    assert doc.project.annotations[box_id].kind == "mask"
    assert np.array_equal(pixels(win, box_id), masks.box_to_mask(box_ann.bbox, 160, 200))
    stack.undo()
    assert doc.project.annotations[box_id].kind == "box"
    stack.redo()
    # mask with a hole -> polygon: warned; "cancel" keeps the mask, "convert" fills the hole
    asked = []
    doc.set_selection([mask_id])
    actions.choose = lambda ann, conv: asked.append(conv) or "cancel"
    actions.act_to_polygon.trigger()
    assert asked and asked[0].holes == 1 and "hole" in asked[0].warning()
    assert doc.project.annotations[mask_id].kind == "mask"
    actions.choose = lambda ann, conv: "convert"
    actions.act_to_polygon.trigger()
    poly = doc.project.annotations[mask_id]
    assert poly.kind == "polygon"
    assert np.array_equal(masks.polygons_to_mask(poly.segmentation, 160, 200), masks.fill_holes(holed))
    stack.undo()
    assert np.array_equal(pixels(win, mask_id), holed)
    # polygon -> mask round trip of a lossless square
    key(win, Qt.Key.Key_P)
    win.document.set_selection([])
    for x, y in [(5, 110), (25, 110), (25, 150), (5, 150)]:
        click(win, vp_at(win, x, y))
    key(win, Qt.Key.Key_Return)
    square_id = doc.selection[0]
    square = masks.polygons_to_mask(doc.project.annotations[square_id].segmentation, 160, 200)
    actions.act_to_mask.trigger()
    assert np.array_equal(pixels(win, square_id), square)
    actions.choose = lambda ann, conv: pytest.fail("a lossless square needs no question")
    actions.act_to_polygon.trigger()
    assert doc.project.annotations[square_id].kind == "polygon"
    assert np.array_equal(
        masks.polygons_to_mask(doc.project.annotations[square_id].segmentation, 160, 200), square
    )
    actions.act_to_mask.trigger()
    # fill holes on the block
    doc.set_selection([mask_id])
    actions.act_fill_holes.trigger()
    assert np.array_equal(pixels(win, mask_id), masks.fill_holes(holed))
    stack.undo()
    assert np.array_equal(pixels(win, mask_id), holed)
    # merge block + box + square (all "cell"), then split back into three islands
    ids = [mask_id, box_id, square_id]
    union = holed | pixels(win, box_id) | square
    doc.set_selection(ids)
    assert actions.act_merge.isEnabled()
    actions.act_merge.trigger()
    assert set(doc.project.annotations) == {mask_id} and np.array_equal(pixels(win, mask_id), union)
    actions.act_split.trigger()
    parts = [pixels(win, i) for i in doc.selection]
    assert len(parts) == 3 and sorted(p.sum() for p in parts) == sorted(
        [holed.sum(), union.sum() - holed.sum() - square.sum(), square.sum()]
    )
    assert np.array_equal(np.logical_or.reduce(parts), union)
    stack.undo()  # split
    stack.undo()  # merge
    assert set(doc.project.annotations) == set(ids)
    assert np.array_equal(pixels(win, mask_id), holed) and np.array_equal(pixels(win, square_id), square)


def test_display_opacity_outline_only_and_hidden_categories(window) -> None:
    set_view(window, 2.0)
    before = set(window.document.project.annotations)
    paint(window, Qt.Key.Key_R, [(60, 60), (120, 80)], 25)
    mask_id = only_new(window, before)
    actions = window.masks_menu
    item = window.canvas.items_by_id[mask_id]

    def shown() -> np.ndarray:
        img = (
            window.canvas.viewport()
            .grab()
            .toImage()
            .convertToFormat(__import__("PySide6.QtGui", fromlist=["QImage"]).QImage.Format.Format_RGB32)
        )
        p = vp_at(window, 90, 70)
        c = img.pixelColor(p.x(), p.y())
        return np.array([c.red(), c.green(), c.blue()])

    full = shown()
    actions.opacity_slider.setValue(0)
    assert window.canvas.show_filter.fill_opacity == 0.0
    bare = shown()
    actions.opacity_slider.setValue(100)
    assert np.abs(shown() - full).max() <= 1 and np.abs(full - bare).max() > 10
    actions.act_outline_only.setChecked(True)
    assert np.abs(shown() - bare).max() <= 1
    actions.act_outline_only.setChecked(False)
    actions.set_category_visible(1, False)
    assert not item.isVisible() and np.abs(shown() - bare).max() <= 1
    actions.set_category_visible(1, True)  # hiding it unselected it: drawn by the layer (``mask_layer``)
    assert np.abs(shown() - bare).max() > 10


def test_small_repaint_draws_the_same_outline_pixels_as_a_full_one(window) -> None:
    """A dirty-rectangle repaint strokes only the outline pieces crossing it; the pixels must match."""
    from PySide6.QtCore import QRect, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    set_view(window, 2.0)
    before = set(window.document.project.annotations)
    paint(window, Qt.Key.Key_R, [(60, 60), (200, 70), (220, 170), (70, 180), (60, 60)], 29)
    item = window.canvas.items_by_id[only_new(window, before)]
    assert not item.is_live and item.shape().elementCount() > 100

    def render(exposed: QRectF) -> QImage:
        img = QImage(640, 480, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        p = QPainter(img)
        p.scale(2, 2)
        p.setClipRect(exposed)
        option = QStyleOptionGraphicsItem()
        option.exposedRect = exposed
        item.paint(p, option, None)
        p.end()
        return img

    rng = np.random.default_rng(3)
    rects = [QRectF(40, 40, 16, 12), QRectF(200, 100, 30, 20), QRectF(120, 160, 10, 40)]
    rects += [QRectF(float(x), float(y), 24.0, 18.0) for x, y in rng.integers(30, 220, (20, 2))]
    for selected in (True, False):
        item.set_selected_look(selected)
        whole = render(QRectF(0, 0, 320, 240))
        for rect in rects:
            box = QRect(*(int(v * 2) for v in rect.getRect()))
            assert render(rect).copy(box) == whole.copy(box), (selected, rect)
        drawn = item._outline_paths(rects[0], QPainter())[0].toSubpathPolygons()
        assert 1 <= len(drawn) < len(item._chunks)  # only some pieces are stroked


def test_undo_restores_a_foreign_uncompressed_rle_exactly(window) -> None:
    """Masks written by other tools (uncompressed counts, their own area) come back verbatim on undo."""
    from pixelproof.core.edits import AddAnnotations
    from pixelproof.core.model import Annotation

    set_view(window, 2.0)
    m = np.zeros((240, 320), bool)
    m[50:120, 60:160] = True
    flat = m.T.reshape(-1).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flat, [1 - flat[-1]]))))
    counts = np.diff(np.concatenate(([0], edges))).tolist()
    foreign = {"size": [240, 320], "counts": counts}
    assert np.array_equal(masks.decode(foreign), m)
    doc = window.document
    ann = Annotation(7, 1, 1, [60.0, 50.0, 100.0, 70.0], foreign, 7000.5, source="labelme")
    doc.push(AddAnnotations([ann]))
    doc.set_selection([7])
    painted = paint(window, Qt.Key.Key_R, [(150, 100), (200, 100)], 13)
    assert np.array_equal(pixels(window, 7), m | reference_stroke((240, 320), painted, 13))
    doc.undo_stack.undo()
    back = doc.project.annotations[7]
    assert back.segmentation == foreign and back.area == 7000.5 and back.bbox == [60.0, 50.0, 100.0, 70.0]
    doc.undo_stack.redo()
    assert np.array_equal(pixels(window, 7), m | reference_stroke((240, 320), painted, 13))
