"""Histogram of per-image Dice, drawn with QPainter (no plotting library in the app)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from pixelproof.core.wording import plural

BINS = 20  # 0.05 wide over [0, 1]


class DiceHistogram(QWidget):
    """Images per Dice bin; the bin of the current image is highlighted, n/a images counted aside.
    Clicking a bar asks for the images of that bin (``binClicked(low, high)``)."""

    binClicked = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = np.zeros(0)
        self.counts = np.zeros(BINS, int)
        self.n_na = 0
        self.current: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(110)
        self.setToolTip("Images per Dice bin (mean over each image's classes); click a bar to filter")
        self.setAccessibleName("Dice histogram")
        self._describe()

    def sizeHint(self) -> QSize:
        return QSize(300, 150)

    def set_values(self, values: list[float]) -> None:
        v = np.array([x for x in values if x is not None], dtype=float)
        self.n_na = int(np.count_nonzero(~np.isfinite(v)))
        self.values = v[np.isfinite(v)]
        idx = np.minimum((np.clip(self.values, 0, 1) * BINS).astype(int), BINS - 1)
        self.counts = np.bincount(idx, minlength=BINS)
        self._describe()
        self.update()

    def set_current(self, value: float | None) -> None:
        self.current = value if value is not None and math.isfinite(value) else None
        self._describe()
        self.update()

    def title(self) -> str:
        n = int(self.values.size)
        title = f"Per-image Dice · {plural(n, 'image')}"
        return title + (f" · {self.n_na} n/a (both empty)" if self.n_na else "")

    def _describe(self) -> None:
        """The bars in words, for a screen reader (the current image's bin is otherwise only a colour)."""
        bins = [f"{b / BINS:g}-{(b + 1) / BINS:g}: {c}" for b, c in enumerate(self.counts) if c]
        current = "" if self.current is None else f"; this image {self.current:.3f}"
        self.setAccessibleDescription(f"{self.title()}{current}; " + ", ".join(bins))

    def _plot_rect(self) -> QRectF:
        fm = self.fontMetrics()
        left = fm.horizontalAdvance("000") + 10
        return QRectF(left, fm.height() + 8, self.width() - left - 10, self.height() - 2.5 * fm.height() - 14)

    def bin_at(self, x: float) -> int | None:
        r = self._plot_rect()
        if not r.left() <= x <= r.right():
            return None
        return min(BINS - 1, int((x - r.left()) / r.width() * BINS))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        b = self.bin_at(event.position().x())
        if b is not None and event.button() == Qt.MouseButton.LeftButton:
            self.binClicked.emit(b / BINS, (b + 1) / BINS)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(50)
        fm = p.fontMetrics()
        r = self._plot_rect()
        p.setPen(text)
        p.drawText(QRectF(0, 2, self.width(), fm.height() + 4), Qt.AlignmentFlag.AlignHCenter, self.title())
        if r.width() < 20 or r.height() < 20:
            return
        top = max(1, int(self.counts.max()) if self.counts.size else 1)
        # y grid and labels
        for k in range(0, top + 1, max(1, math.ceil(top / 4))):
            y = r.bottom() - r.height() * k / top
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
            p.setPen(text)
            p.drawText(QRectF(0, y - fm.height() / 2, r.left() - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(k))  # fmt: skip
        bar = QColor(pal.color(QPalette.ColorRole.Highlight))
        cur = None if self.current is None else min(BINS - 1, int(np.clip(self.current, 0, 1) * BINS))
        w = r.width() / BINS
        for b, c in enumerate(self.counts):
            if not c:
                continue
            h = r.height() * c / top
            color = QColor(230, 159, 0) if b == cur else bar
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRect(QRectF(r.left() + b * w + 1, r.bottom() - h, w - 2, h))
        # x axis
        p.setPen(QPen(text, 1))
        p.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.bottom()))
        for t in (0.0, 0.25, 0.5, 0.75, 1.0):
            x = r.left() + r.width() * t
            p.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + 3))
            label = f"{t:g}"
            tw = fm.horizontalAdvance(label)
            p.drawText(QPointF(x - tw / 2, r.bottom() + 4 + fm.ascent()), label)
        p.end()
