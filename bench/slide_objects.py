"""A slide's QuPath detections in the app: File > Import of one QuPath GeoJSON export (default 20,000 cells,
QuPath 0.4's layout, ``bench.convert.make_geojson``, on its declared 65,536 x 49,152 pyramid), then the
imported image's objects put on the canvas.

``python -m bench slide_objects [--cells N] [--runs R]``
``python -m bench slide_objects --masks N [--runs R]``
``python -m bench slide_objects --big-mask [--runs R]``

With ``--masks N``: a whole-slide prelabel's masks instead (``pixelproof prelabel --tile 2048`` on a
40,000 x 30,000 slide gave ~64,000): N small masks (whole-image RLEs, as prelabel stores them) on one image,
``CanvasView._show_image`` in a bare canvas (1366x768, offscreen), against the same N objects as polygons
(their outlines) shown the same way, through the box layer (``polygon_layer``).

With ``--big-mask``: one brushed tumour region of 12,000 x 9,000 px (a whole-image RLE) on the 40,000 x
30,000 slide, shown at the fit zoom (2-3 %) in a bare canvas: the open + first frame's CPU time and the
process's peak resident memory, then zoomed to 100 % on the mask's middle (its own peak), then back at the fit
zoom selected (its own peak; drawn as now, but before: its own item, its whole box decoded, coloured and
traced), each against the
same slide without the mask and against the mask drawn from its whole pixels as before
(``mask_layer.reduction_level`` held at 1 and no view window: the whole box decoded, coloured and traced
at twice its size; at 100 % it then draws what the open decoded), alternating in one process (the peak
reset between steps, ``clear_refs``). Last, a brush stroke on it selected at 100 % (real mouse events, the
brush tool): its CPU time, peak and resident memory after (``VmRSS``), against the 'select' reading and
against its item kept after the stroke, as before (``polygon_layer.drawn_by_layer`` held false); and the
peak while the button is down (to a frame of the stroke drawn live) and its rise over the press, against
its whole box decoded for the stroke, as before (``live_mask.over_layer`` held false: its own item, not a
``LiveMask`` of the stroke's area).

Two figures, each the median of R runs of CPU time (the machine is shared: wall time measures the
neighbours), alternating with its reference in the same process:

- reading: ``FORMATS["geojson"].read`` + the COCO write, as ``convert`` does (``bench.convert``'s section)
  against ``orjson`` parsing the file and dumping the outlines, no checks.
- showing: ``CanvasView._show_image`` of the imported image in the main window (1366x768, offscreen): the
  polygons in the box layer (``polygon_layer``) with their tags, the selection, the fit, against the floor
  of an item-per-polygon canvas: one bare ``QGraphicsPathItem`` a cell (its outline, no tag, no colour)
  added to a fresh scene.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.convert import _section, geojson_reference, make_geojson


def _bare_items(project, image_id: int) -> int:  # type: ignore[no-untyped-def]
    """The reference: one bare path item a polygon in a fresh scene (what any item-per-polygon canvas
    makes at least); returns how many."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainterPath, QPolygonF
    from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

    scene = QGraphicsScene()
    n = 0
    for ann in project.annotations_of(image_id):
        path = QPainterPath()
        for poly in ann.segmentation if isinstance(ann.segmentation, list) else []:
            path.addPolygon(QPolygonF([QPointF(poly[i], poly[i + 1]) for i in range(0, len(poly) - 1, 2)]))
        scene.addItem(QGraphicsPathItem(path))
        n += 1
    scene.clear()
    return n


def _showing(src: Path, runs: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    win.resize(1366, 768)
    win.show()
    QApplication.processEvents()
    if not win.interop.run_import("geojson", src, {}):
        raise SystemExit(f"the import of {src} failed")
    doc = win.document
    assert doc is not None
    image_id = win.canvas.image_id
    n = len(doc.project.annotations_of(image_id))
    ours: list[float] = []
    refs: list[float] = []
    for _ in range(runs):
        t0 = time.process_time()
        win.canvas._show_image(image_id)
        QApplication.processEvents()
        ours.append(time.process_time() - t0)
        t0 = time.process_time()
        _bare_items(doc.project, image_id)
        refs.append(time.process_time() - t0)
    t, tr = statistics.median(ours), statistics.median(refs)
    print(
        f"showing an imported slide's {n:,} objects (main window 1366x768): {t:.2f} s CPU (median of {runs}) "
        f"vs one bare QGraphicsPathItem a cell, no tag: {tr:.2f} s -> {t / tr:.2f}x"
    )
    doc.undo_stack.setClean()
    win.close()


SLIDE_W, SLIDE_H = 40000, 30000


def _mask_slide(n: int, as_polygons: bool):  # type: ignore[no-untyped-def]
    """A project of one 40,000 x 30,000 image with ``n`` cells of 8-14 px radius on a jittered grid: masks
    (whole-image RLEs, ``rle_codec.crops_rle`` as prelabel makes them) or their outlines as polygons."""
    import cv2
    import numpy as np

    from pixelproof.core import masks, rle_codec
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import Annotation, ImageRecord

    project = new_project(["nucleus", "tumour"])
    project.add_image(ImageRecord(1, "slide.tif", SLIDE_W, SLIDE_H))
    rng = np.random.default_rng(0)
    cols = int(np.ceil(np.sqrt(n * SLIDE_W / SLIDE_H)))
    pitch = SLIDE_W // (cols + 1)
    crops = []
    for k in range(n):
        r = int(rng.integers(8, 15))
        crop = np.zeros((2 * r + 1, 2 * r + 1), dtype=np.uint8)
        cv2.ellipse(
            crop, (r, r), (r, max(3, r - int(rng.integers(0, 5)))), int(rng.integers(0, 180)), 0, 360, 1, -1
        )
        x = pitch * (1 + k % cols) + int(rng.integers(-3, 4))
        y = pitch * (1 + k // cols) + int(rng.integers(-3, 4))
        crops.append(((x, y, 2 * r + 1, 2 * r + 1), crop.astype(bool)))
    shapes = rle_codec.crops_rle(crops, SLIDE_H, SLIDE_W)
    for k, (((x, y, _, _), crop), shape) in enumerate(zip(crops, shapes, strict=True)):
        assert shape is not None
        rle, bbox, area = shape
        seg = rle
        if as_polygons:
            seg = [
                [v + (x if i % 2 == 0 else y) for i, v in enumerate(p)]
                for p in masks.mask_to_polygons(crop).polygons
            ]
        project.add_annotation(Annotation(k + 1, 1, 1 + k % 2, list(bbox), seg, float(area), score=0.9))
    return project


def _showing_masks(n: int, runs: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from pixelproof.ui.app import create_app
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.document import Document

    create_app()
    figures = []
    for as_polygons in (False, True):
        doc = Document(_mask_slide(n, as_polygons))
        canvas = CanvasView()
        canvas.resize(1366, 768)
        canvas.show()
        canvas.set_document(doc)
        QApplication.processEvents()
        times = []
        for _ in range(runs):
            t0 = time.process_time()
            canvas._show_image(1)
            canvas.viewport().repaint()  # the first frame: the open is over when the window shows it
            times.append(time.process_time() - t0)
        figures.append(statistics.median(times))
        canvas.set_document(None)
        canvas.close()
        canvas.deleteLater()
        QApplication.processEvents()
    t, tr = figures
    print(
        f"showing a slide's {n:,} masks (canvas 1366x768, first frame): {t:.2f} s CPU (median of {runs}) "
        f"vs the same {n:,} as polygons through the box layer: {tr:.2f} s -> {t / tr:.2f}x"
    )


def _big_mask_slide(with_mask: bool):  # type: ignore[no-untyped-def]
    """The 40,000 x 30,000 slide with (or without) one brushed region of 12,000 x 9,000 px: an ellipse with
    a ragged edge, a hole and a 1 px scratch beside it, its RLE made from its box (``crops_rle``)."""
    import cv2
    import numpy as np

    from pixelproof.core import rle_codec
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import Annotation, ImageRecord

    project = new_project(["tumour"])
    project.add_image(ImageRecord(1, "slide.tif", SLIDE_W, SLIDE_H))
    if with_mask:
        w, h = 12000, 9000
        crop = np.zeros((h, w), dtype=np.uint8)
        angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
        radius = 1 + 0.08 * np.random.default_rng(1).standard_normal(720).cumsum() / 10
        pts = np.stack(
            [w / 2 + (w / 2 - 400) * radius * np.cos(angles), h / 2 + (h / 2 - 300) * np.sin(angles)]
        )
        cv2.fillPoly(crop, [np.clip(pts.T, 0, [w - 1, h - 1]).astype(np.int32)], 1)
        cv2.circle(crop, (w // 2, h // 2), 900, 0, -1)  # a hole (a vessel)
        crop[50, 100 : w - 100] = 1  # a scratch of 1 px along the top
        (shape,) = rle_codec.crops_rle([((9000, 8000, w, h), crop.astype(bool))], SLIDE_H, SLIDE_W)
        assert shape is not None
        rle, bbox, area = shape
        project.add_annotation(Annotation(1, 1, 1, list(bbox), rle, float(area)))
    return project


def _peak_reset() -> None:
    with open("/proc/self/clear_refs", "w") as f:  # the peak resident memory (VmHWM) back to now
        f.write("5")


def _peak() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM"))


def _rss() -> int:
    with open("/proc/self/status") as f:  # resident memory now (the steady state)
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS"))


def _stroke(canvas) -> int:  # type: ignore[no-untyped-def]
    """A brush stroke of 41 px on the big mask at 100 % (real mouse events on the viewport): 400 px to
    the right from inside it into its hole, a frame drawn with the button still down, then the release and
    a frame. Returns the peak resident memory while the button was down (to that frame); the process's
    peak is reset there, so ``_peak`` after gives the release's."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest

    from pixelproof.ui.tools.paint_options import OPTIONS

    vp, left = canvas.viewport(), Qt.MouseButton.LeftButton
    OPTIONS.set(width=41)
    start, end = canvas.mapFromScene(QPointF(13900, 12500)), canvas.mapFromScene(QPointF(14300, 12500))
    QTest.mousePress(vp, left, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 9):
        QTest.mouseMove(vp, start + (end - start) * (i / 8))
    vp.grab()  # the stroke drawn, live
    during = _peak()
    _peak_reset()
    QTest.mouseRelease(vp, left, Qt.KeyboardModifier.NoModifier, end)
    vp.grab()
    return during


def _big_mask(runs: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import gc

    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from pixelproof.ui.app import create_app
    from pixelproof.ui.canvas import live_mask, mask_layer, polygon_layer
    from pixelproof.ui.canvas.mask_layer import selected_in_layer
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.document import Document
    from pixelproof.ui.tools.brush import BrushTool

    create_app()
    now = (mask_layer.reduction_level, mask_layer.WINDOW_VIEWS)
    before = (lambda _: 1, float("inf"))  # its whole pixels at every zoom, as before
    docs = {"bare": Document(_big_mask_slide(False)), "mask": Document(_big_mask_slide(True))}
    for d in docs.values():
        d.set_current_image(1)  # what can be selected
    cases = {"without": ("bare", now), "reduced": ("mask", now), "full": ("mask", before)}
    # selected: in the layer, drawn from its reduced copy; before, its own item (its whole box decoded)
    selected = {"without": selected_in_layer, "reduced": selected_in_layer, "full": lambda *_: False}
    # after a stroke: back in the layer; before, its item (made for the stroke) kept while selected
    put_back = {"reduced": polygon_layer.drawn_by_layer, "full": lambda *_: False}
    # during the stroke: its area only (``LiveMask``); before, its item with its whole box decoded
    over_layer = {"reduced": live_mask.over_layer, "full": lambda *_: False}
    steady: dict[tuple[str, str], list[int]] = {}
    times: dict[tuple[str, str], list[float]] = {}
    peaks: dict[tuple[str, str], list[int]] = {}
    rises: dict[str, list[int]] = {}
    for _ in range(runs):
        for name, (doc, (level, views)) in cases.items():
            mask_layer.reduction_level, mask_layer.WINDOW_VIEWS = level, views  # type: ignore[assignment]
            gc.collect()
            _peak_reset()
            t0 = time.process_time()
            canvas = CanvasView()
            canvas.resize(1366, 768)
            canvas.show()
            canvas.set_document(docs[doc])
            canvas._show_image(1)
            canvas.viewport().grab()  # the first frame drawn (a repaint() here may paint before the masks)
            times.setdefault((name, "open"), []).append(time.process_time() - t0)
            peaks.setdefault((name, "open"), []).append(_peak())
            _peak_reset()
            t0 = time.process_time()
            canvas.set_zoom(1.0)
            canvas.centerOn(QPointF(15000, 12500))  # the mask's middle
            canvas.viewport().grab()
            times.setdefault((name, "100"), []).append(time.process_time() - t0)
            peaks.setdefault((name, "100"), []).append(_peak())
            # back to the overview, drawn as now in both cases (the reference is the selection alone)
            mask_layer.reduction_level, mask_layer.WINDOW_VIEWS = now  # type: ignore[assignment]
            for e in canvas.box_layer.boxes.values():
                if isinstance(e, mask_layer.LayerMask):
                    e.drop_decoded()
            canvas.fit()
            canvas.viewport().grab()
            polygon_layer.selected_in_layer = selected[name]  # type: ignore[assignment]
            gc.collect()
            _peak_reset()
            t0 = time.process_time()
            docs[doc].set_selection([1] if doc == "mask" else [])
            canvas.viewport().grab()
            times.setdefault((name, "select"), []).append(time.process_time() - t0)
            peaks.setdefault((name, "select"), []).append(_peak())
            gc.collect()
            steady.setdefault((name, "select"), []).append(_rss())
            docs[doc].set_selection([])
            polygon_layer.selected_in_layer = selected["reduced"]  # type: ignore[assignment]
            if name in put_back:  # a brush stroke on it, selected (in the layer) at 100 %, then undone
                polygon_layer.drawn_by_layer = put_back[name]  # type: ignore[assignment]
                live_mask.over_layer = over_layer[name]  # type: ignore[assignment]
                docs[doc].set_selection([1])
                canvas.set_tool(BrushTool(canvas))
                canvas.set_zoom(1.0)
                canvas.centerOn(QPointF(14100, 12500))  # the hole's left edge
                canvas.viewport().grab()
                gc.collect()
                _peak_reset()
                rises.setdefault(name, []).append(-_rss())  # the rise over this while the button is down
                t0 = time.process_time()
                during = _stroke(canvas)
                rises[name][-1] += during
                times.setdefault((name, "stroke"), []).append(time.process_time() - t0)
                peaks.setdefault((name, "stroke"), []).append(max(during, _peak()))
                peaks.setdefault((name, "live"), []).append(during)
                assert docs[doc].undo_stack.count() == 1, "the stroke made no edit"
                gc.collect()
                steady.setdefault((name, "stroke"), []).append(_rss())
                docs[doc].undo_stack.undo()
                docs[doc].undo_stack.clear()
                canvas.set_tool(None)
                docs[doc].set_selection([])
                polygon_layer.drawn_by_layer = put_back["reduced"]  # type: ignore[assignment]
                live_mask.over_layer = over_layer["reduced"]  # type: ignore[assignment]
            canvas.set_document(None)
            canvas.close()
            canvas.deleteLater()
            QApplication.processEvents()
            mask_layer.DECODED.entries.clear()
            mask_layer.DECODED.total = 0
    mask_layer.reduction_level, mask_layer.WINDOW_VIEWS = now  # type: ignore[assignment]
    t = {k: statistics.median(v) for k, v in times.items()}
    gb = {k: max(v) / 2**30 for k, v in peaks.items()}
    rss = {k: max(v) / 2**30 for k, v in steady.items()}
    steps = (
        ("open", "opening it (fit zoom, first frame)"),
        ("100", "then zoomed to 100 % on it"),
        ("select", "then selected at the fit zoom"),
    )
    for step, what in steps:
        new, bare, old = ("reduced", step), ("without", step), ("full", step)
        print(
            f"40,000 x 30,000 slide with a 12,000 x 9,000 mask, canvas 1366x768, {what}: {t[new]:.2f} s CPU, "
            f"{gb[new]:.2f} GB peak (median of {runs}) vs without the mask: {t[bare]:.2f} s, "
            f"{gb[bare]:.2f} GB -> {t[new] / t[bare]:.2f}x, {gb[new] / gb[bare]:.2f}x memory; "
            f"{'its own item' if step == 'select' else 'drawn from its whole pixels'} (before): "
            f"{t[old]:.2f} s, {gb[old]:.2f} GB -> {t[new] / t[old]:.3f}x, "
            f"{gb[new] / gb[old]:.2f}x memory"
        )
    new, sel, old = ("reduced", "stroke"), ("reduced", "select"), ("full", "stroke")
    print(
        "40,000 x 30,000 slide with a 12,000 x 9,000 mask, canvas 1366x768, then a brush stroke on it "
        f"selected at 100 % (41 px, 400 px, mouse press to a frame after the release): {t[new]:.2f} s CPU, "
        f"{gb[new]:.2f} GB peak, {rss[new]:.2f} GB after (median of {runs}) vs selected before the stroke: "
        f"{t[sel]:.2f} s, {gb[sel]:.2f} GB peak, {rss[sel]:.2f} GB after -> "
        f"{rss[new] / rss[sel]:.2f}x memory after; its item kept after the stroke (before): {t[old]:.2f} s, "
        f"{gb[old]:.2f} GB peak, "
        f"{rss[old]:.2f} GB after -> {t[new] / t[old]:.2f}x, {rss[new] / rss[old]:.2f}x memory after"
    )
    new, old = ("reduced", "live"), ("full", "live")
    mb = {k: max(max(v), 2**20) / 2**20 for k, v in rises.items()}  # 1 MB at least: a ratio
    print(
        "40,000 x 30,000 slide with a 12,000 x 9,000 mask, canvas 1366x768, that brush stroke while the "
        f"button is down (mouse press to a frame of it drawn live): {gb[new]:.2f} GB peak, "
        f"{mb['reduced']:.0f} MB over the press (max of {runs}) vs its whole box decoded for the stroke "
        f"(before): {gb[old]:.2f} GB, {mb['full']:.0f} MB -> {gb[new] / gb[old]:.2f}x peak, "
        f"{mb['reduced'] / mb['full']:.3f}x memory over the press"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench slide_objects", description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=20000, help="QuPath cells in the export")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is printed)")
    parser.add_argument("--masks", type=int, default=0, help="time showing N masks on a slide instead")
    parser.add_argument(
        "--big-mask", action="store_true", help="time opening a slide with one 12,000 x 9,000 mask instead"
    )
    args = parser.parse_args(argv)
    if args.big_mask:
        _big_mask(args.runs)
        return 0
    if args.masks:
        _showing_masks(args.masks, args.runs)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="pixelproof-bench-"))
    try:
        src = tmp / "geojson"
        make_geojson(src, args.cells)
        print(f"made a QuPath GeoJSON export of {args.cells:,} cells ({src / 'slide.geojson'})")
        _section("geojson", src, tmp, args.runs, geojson_reference, "orjson parse + json dump", unit="cells")
        _showing(src, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
