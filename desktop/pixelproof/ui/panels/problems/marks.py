"""What the canvas shows for the selected problem: the spot to look at (orange, dashed) and the box the fix
would give (blue, dashed), zoomed so both fit
(``CanvasView.zoom_to``). The marks are canvas overlays, never annotations."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from pixelproof.core.lint import Problem

SPOT = QColor(230, 159, 0)  # orange: where to look (Okabe-Ito)
PROPOSED = QColor(0, 114, 178)  # blue: the fix's box


class ProblemMarks:
    """The overlays of one problem on ``canvas`` (a ``ui.canvas`` view: add_overlay / remove_overlay)."""

    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas
        self.items: list[QGraphicsRectItem] = []

    def show(self, problem: Problem) -> None:
        self.clear()
        boxes = [(problem.bbox, SPOT)]
        proposed = proposed_box(problem.fix)
        if proposed is not None:
            boxes.append((proposed, PROPOSED))
        for (x, y, w, h), color in boxes:
            pen = QPen(color, 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            item = QGraphicsRectItem(QRectF(x, y, max(w, 1), max(h, 1)))
            item.setPen(pen)
            self.canvas.add_overlay(item)
            self.items.append(item)
        xs = [v for b, _ in boxes for v in (b[0], b[0] + b[2])]
        ys = [v for b, _ in boxes for v in (b[1], b[1] + b[3])]
        self.canvas.zoom_to(QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))

    def clear(self) -> None:
        for item in self.items:
            with contextlib.suppress(RuntimeError):  # the scene was cleared with its image: gone already
                self.canvas.remove_overlay(item)
        self.items = []

    def forget(self) -> None:
        """The canvas cleared its scene (another image), overlays included."""
        self.items = []


def proposed_box(fix: dict | None) -> list[float] | None:
    """The box a fix would give the object (None when it gives none: delete, set_category, ...)."""
    if not fix:
        return None
    if fix.get("action") in ("set_bbox", "set_segmentation") and fix.get("bbox"):
        return fix["bbox"]
    if fix.get("action") == "add":
        return fix["annotation"]["bbox"]
    return None
