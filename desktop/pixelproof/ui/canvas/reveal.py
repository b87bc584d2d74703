"""An edit never makes an object vanish behind Masks > Show Categories: the canvas shows its category again.

Hiding a category is a display filter the user sets; no edit may turn it into what looks like data loss. The
canvas keeps the category each object of the shown image was last drawn in (``DrawnCategories``) and, as the
Document announces an edit's objects, says which hidden category to show again:

- an object the user saw (its category shown) moved into a hidden category: the digit keys, the Properties
  panel, a class merge, the undo or redo of any of them;
- an object of an image not shown moved by an edit (``Document.moved_from``: a class merge, a delete that
  moves objects, their undo or redo) from a shown category into a hidden one: it was visible there, and
  hiding is per category, so it would vanish from every image it is on;
- an object a person made (not a model) added to the shown image in a hidden category: drawn, pasted,
  duplicated, or brought back by an undo.

And which it leaves hidden: an object already hidden that stays hidden (moved to another hidden category, its
category renamed or recoloured), a model's proposals (hiding a class is how a labeler filters them), and every
object that is only loaded (another image shown, the project opened): none of those is an edit that moved
something out of sight. An undo or redo of a step made on another image shows that image first
(``ui.undo``), so its objects are edits of the shown image here: one brought back into a hidden category
shows it again.

Nor is anything selected out of sight (``reveal_selection``): a click, a band and Select All pick only what
is shown, but picking a row in the Annotations panel is looking for that object, and an undo or redo selects
its step's objects, so their hidden categories are shown again, and an object hidden by itself (Shift+H);
what stays hidden (a proposal under the Model panel's Show slider) leaves the selection, so the arrow keys
and Delete act only on what is seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pixelproof.core.model import Annotation
from pixelproof.core.names import shown_name
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView


def hidden_now(canvas: CanvasView) -> frozenset[int]:
    """The categories ``canvas``'s Masks > Show Categories hides at this moment (compare before and after an
    edit)."""
    return frozenset(canvas.show_filter.hidden)


class DrawnCategories:
    """The category each object of the shown image was drawn in before the edit now being announced."""

    def __init__(self, canvas: CanvasView) -> None:
        self.canvas = canvas
        self._of: dict[int, int] = {}  # a removed object's entry may stay: only ``added`` brings it back

    def reset(self, anns: Iterable[Annotation]) -> None:
        """Another image shown: its objects as loaded."""
        self._of = {a.id: a.category_id for a in anns}

    def added(self, ann: Annotation) -> None:
        """``ann`` was added to the shown image: show its category when hidden and a person made it."""
        self._of[ann.id] = ann.category_id
        if ann.is_manual:
            self._show(ann.category_id)

    def changed(self, ann: Annotation) -> None:
        """``ann`` changed: show its category when it moved there from a category that is shown."""
        before = self._of.get(ann.id)
        self._of[ann.id] = ann.category_id
        if before is not None and before != ann.category_id and before not in self.canvas.show_filter.hidden:
            self._show(ann.category_id)

    def moved_elsewhere(self, ann: Annotation, before: int | None) -> None:
        """``ann``, on an image not shown, was moved out of category ``before`` (None: not moved; a class
        merge, a delete that moves objects, their undo or redo): show its category when ``before`` was
        shown. Hiding is per category, so the objects would vanish wherever they are shown next."""
        if before is not None and before != ann.category_id and before not in self.canvas.show_filter.hidden:
            self._show(ann.category_id)

    def _show(self, category_id: int) -> None:
        if self.canvas.reveal_categories([category_id]):
            cat = self.canvas.document.project.categories.get(category_id)
            self.canvas.message.emit(
                f"{shown_name(cat.name) if cat else category_id} was hidden: shown again"
            )


def reveal_selection(canvas: CanvasView) -> None:
    """Show the selected objects hidden one by one and the hidden categories of selected objects (an
    Annotations panel pick, an undo's focus); drop
    from the selection what is still not drawn (a proposal under the score slider)."""
    doc = canvas.document
    if doc is None or not doc.selection:
        return
    anns = doc.project.annotations
    drawn = canvas.show_filter.shows_annotation
    unseen = [anns[i] for i in doc.selection if not drawn(anns[i])]
    if not unseen:
        return
    objects = canvas.show_filter.objects
    back = objects.intersection(a.id for a in unseen)
    objects -= back  # before any refresh (``reveal_categories``'s): it would drop them from the selection
    shown = canvas.reveal_categories(a.category_id for a in unseen)
    if back:
        canvas.refresh_display()
        canvas.objectsHidden.emit(len(objects))
        canvas.message.emit(f"{plural(len(back), 'hidden object')} shown again (selected)")
    if shown:
        cats = doc.project.categories
        names = ", ".join(cats[c].name if c in cats else str(c) for c in shown)
        canvas.message.emit(f"{names} was hidden: shown again (an object of it is selected)")
    doc.set_selection(i for i in doc.selection if drawn(anns[i]))
