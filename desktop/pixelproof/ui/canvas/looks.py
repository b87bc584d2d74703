"""How an object looks, whether an item or the box layer draws it: its category's colour, the outline
pen and the fill brush (plain or selected; a pending prediction's broken and lighter), its tag's text (a
pending prediction's with its score), and the score the Model panel's slider compares."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

from pixelproof.core.model import Annotation, Category, is_pending_prediction

FILL_ALPHA = 40
# a pending prediction's outline: dash and gap in pen widths (cosmetic: screen pixels at any zoom), flat
# ends; Qt's DashLine (4, 2) with the default square caps left 2-pixel gaps at 2 px wide, which read as a
# solid line at fit zoom among drawn labels
PENDING_DASHES = (4.0, 3.0)


def category_color(cat: Category | None) -> QColor:
    color = QColor(cat.color) if cat is not None and cat.color else QColor("#ff00ff")
    return color if color.isValid() else QColor("#ff00ff")


def outline_pen(color: QColor, selected: bool, pending: bool = False) -> QPen:
    """Cosmetic pen: the same on-screen width at any zoom; a pending prediction's broken
    (``PENDING_DASHES``) until accepted."""
    pen = QPen(color, 3.0 if selected else 2.0)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    if pending:
        pen.setDashPattern(list(PENDING_DASHES))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # square caps would close the gaps by a pen width
    return pen


def fill_brush(color: QColor, selected: bool, pending: bool = False) -> QBrush:
    """The fill; a pending prediction's half as dense: a proposal, lighter than the labels around it."""
    c = QColor(color)
    c.setAlpha((FILL_ALPHA * 2 if selected else FILL_ALPHA) // (2 if pending else 1))
    return QBrush(c)


def score_text(score: float) -> str:
    """A score as the canvas tags and the Annotations list show it: two decimals."""
    return f"{score:.2f}"


def tag_score(ann: Annotation) -> str:
    """What a tag says after the category name: a pending prediction's score (formatted once, when the
    object is read, not at each repaint); "" for anything else, a model's object accepted or without a
    score (no made-up 1.00)."""
    return score_text(ann.score) if ann.score is not None and is_pending_prediction(ann) else ""


def tag_text(name: str, score: str) -> str:
    """The tag's text: the category name, then ``tag_score``'s, if any (`person 0.91`)."""
    return f"{name} {score}" if score else name


def display_score(ann: Annotation) -> float | None:
    """The score the Model panel's slider compares: a pending prediction's (1.0 when it has none), else
    None (accepted and manual objects always show)."""
    return (1.0 if ann.score is None else float(ann.score)) if is_pending_prediction(ann) else None
