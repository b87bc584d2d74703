"""How an object looks, whether an item or the box layer draws it: its category's colour, the outline
pen and the fill brush (plain or selected; a pending prediction's broken and lighter, a rejected object's
struck out), its tag's text (a pending prediction's with its score, a rejected object's saying so), and the
score the Model panel's slider compares."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

from pixelproof.core.category_colors import shown_color
from pixelproof.core.model import Annotation, Category, is_pending, is_pending_prediction, is_rejected
from pixelproof.core.object_lock import is_locked

FILL_ALPHA = 40
# a pending prediction's outline: dash and gap in pen widths (cosmetic: screen pixels at any zoom), flat
# ends; Qt's DashLine (4, 2) with the default square caps left 2-pixel gaps at 2 px wide, which read as a
# solid line at fit zoom among drawn labels
PENDING_DASHES = (4.0, 3.0)
# review looks (``review_look``): a label (manual or accepted), a model's prediction awaiting a decision, an
# object a reviewer rejected (the review view's Reject Object: said to be wrong, left out of exports)
LABEL, PENDING, REJECTED = "", "pending", "rejected"
# a rejected object's outline and hatching: the review view's colour for rejected (vermillion, which reads
# apart from green and blue for the colour-blind), whatever its category's colour
REJECTED_COLOR = QColor(213, 94, 0)
REJECTED_TAG = "· rejected"  # after the category name on its tag
# after the name (and score) of a locked object's tag (Edit > Lock): the canvas says why it shows no handles
# and will not move, as the Annotations panel's "(locked)" does, without looking away from the object
LOCKED_TAG = "· locked"


def review_look(ann: Annotation) -> str:
    """``PENDING``, ``REJECTED`` or ``LABEL``: how the canvas draws ``ann``. A rejected prediction is no
    longer pending: it is neither dashed nor hidden by the Show slider. Any other object awaiting review
    (review "pending": a consensus object, one drawn by half of the annotators above all, or a class
    split's) is a proposal too, drawn as one: exports leave it out until accepted, as a prediction."""
    if is_pending_prediction(ann) or is_pending(ann):
        return PENDING
    return REJECTED if is_rejected(ann) else LABEL


def category_color(cat: Category | None) -> QColor:
    return QColor(shown_color(cat.color, cat.id)) if cat is not None else QColor("#ff00ff")


def outline_pen(color: QColor, selected: bool, look: str = LABEL) -> QPen:
    """Cosmetic pen: the same on-screen width at any zoom; a pending prediction's broken
    (``PENDING_DASHES``) until accepted, a rejected object's solid in ``REJECTED_COLOR``."""
    pen = QPen(REJECTED_COLOR if look == REJECTED else color, 3.0 if selected else 2.0)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    if look == PENDING:
        pen.setDashPattern(list(PENDING_DASHES))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # square caps would close the gaps by a pen width
    return pen


def fill_brush(color: QColor, selected: bool, look: str = LABEL) -> QBrush:
    """The fill; a pending prediction's half as dense: a proposal, lighter than the labels around it; a
    rejected object's struck out: diagonal hatching in ``REJECTED_COLOR`` (cosmetic: the same lines at any
    zoom), no category colour."""
    if look == REJECTED:
        c = QColor(REJECTED_COLOR)
        c.setAlpha(255 if selected else 210)
        return QBrush(c, Qt.BrushStyle.BDiagPattern)
    c = QColor(color)
    c.setAlpha((FILL_ALPHA * 2 if selected else FILL_ALPHA) // (2 if look == PENDING else 1))
    return QBrush(c)


def score_text(score: float) -> str:
    """A score as the canvas tags and the Annotations list show it: two decimals."""
    return f"{score:.2f}"


def tag_suffix(ann: Annotation) -> str:
    """What a tag says after the category name: a pending prediction's score (formatted once, when the
    object is read, not at each repaint), ``REJECTED_TAG`` for a rejected object; "" for anything else, a
    model's object accepted or without a score (no made-up 1.00). Then ``LOCKED_TAG`` for a locked one."""
    if is_rejected(ann):
        state = REJECTED_TAG
    else:
        state = score_text(ann.score) if ann.score is not None and is_pending_prediction(ann) else ""
    if is_locked(ann):
        state = f"{state} {LOCKED_TAG}" if state else LOCKED_TAG
    return state


def tag_text(name: str, score: str) -> str:
    """The tag's text: the category name, then ``tag_suffix``'s, if any (`person 0.91`)."""
    return f"{name} {score}" if score else name


def display_score(ann: Annotation) -> float | None:
    """The score the Model panel's slider compares: a pending prediction's (1.0 when it has none), else
    None (accepted and manual objects always show)."""
    return (1.0 if ann.score is None else float(ann.score)) if is_pending_prediction(ann) else None
