"""A slide's QuPath detections in the app: File > Import of one QuPath GeoJSON export (default 20,000 cells,
QuPath 0.4's layout, ``bench.convert.make_geojson``, on its declared 65,536 x 49,152 pyramid), then the
imported image's objects put on the canvas.

``python -m bench slide_objects [--cells N] [--runs R]``

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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench slide_objects", description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=20000, help="QuPath cells in the export")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is printed)")
    args = parser.parse_args(argv)
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
