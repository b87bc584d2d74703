"""How an object looks, whether an item or the box layer draws it: its category's colour, the outline
pen and the fill brush (plain or selected), and the score the Model panel's slider compares."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

from pixelproof.core.model import Annotation, Category, is_pending_prediction

FILL_ALPHA = 40


def category_color(cat: Category | None) -> QColor:
    color = QColor(cat.color) if cat is not None and cat.color else QColor("#ff00ff")
    return color if color.isValid() else QColor("#ff00ff")


def outline_pen(color: QColor, selected: bool) -> QPen:
    """Cosmetic pen: the same on-screen width at any zoom."""
    pen = QPen(color, 3.0 if selected else 2.0)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


def fill_brush(color: QColor, selected: bool) -> QBrush:
    c = QColor(color)
    c.setAlpha(FILL_ALPHA * 2 if selected else FILL_ALPHA)
    return QBrush(c)


def display_score(ann: Annotation) -> float | None:
    """The score the Model panel's slider compares: a pending prediction's (1.0 when it has none), else
    None (accepted and manual objects always show)."""
    return (1.0 if ann.score is None else float(ann.score)) if is_pending_prediction(ann) else None
