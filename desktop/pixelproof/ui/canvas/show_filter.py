"""What one canvas shows of its annotations: all or none (View > Show Annotations, H), the categories
Masks > Show Categories hides, the fill opacity (the Masks toolbar's Opacity slider and Outline only) and
the Model panel Show slider's score cut, and the objects View > Hide Selected Objects (Shift+H) hides one
by one (``ui.object_visibility``).

Each ``CanvasView`` owns one (``show_filter``), given to its items and box layer, and its window's menus set
it through the canvas (``set_hidden_categories``, ``set_fill_opacity``, ``set_score_cut``). These lived on
the canvas item class, so two windows (two projects side by side, or the same one) shared them: hiding a
category, fading the fills or raising the slider in one changed what every other window showed while its
own menu and sliders said otherwise.
"""

from __future__ import annotations

from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import display_score


class ShowFilter:
    """One canvas's display settings: ``annotations`` (off: none drawn), ``hidden`` category ids,
    ``fill_opacity`` 0..1 (0 = outline only), ``min_score`` (pending predictions scoring below it are
    hidden), ``objects``: ids of single objects hidden (for the session: view state, not saved nor undone).
    Display only: no edit reads them."""

    __slots__ = ("annotations", "fill_opacity", "hidden", "min_score", "objects")

    def __init__(self) -> None:
        self.annotations = True
        self.hidden: set[int] = set()
        self.fill_opacity = 1.0
        self.min_score = 0.0
        self.objects: set[int] = set()

    def shows(self, category_id: int, score: float | None, ann_id: int | None = None) -> bool:
        """Whether an object (id ``ann_id``) of ``category_id`` with ``display_score`` ``score`` is drawn."""
        if not self.annotations or category_id in self.hidden or ann_id in self.objects:
            return False
        return score is None or score >= self.min_score

    def shows_annotation(self, ann: Annotation) -> bool:
        """Whether ``ann`` is drawn on the canvas: what a click, a band or Select All may pick."""
        return self.shows(ann.category_id, display_score(ann), ann.id)
