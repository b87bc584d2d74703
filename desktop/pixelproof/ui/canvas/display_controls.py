"""What the canvas shows of a window's display settings (the Model panel's Show slider, Masks > Show
Categories, H, Shift+H, the Masks toolbar's opacity): each setter changes the view's ``show_filter`` and
re-applies it. A part of ``CanvasView`` (as ``zoom_pan.ZoomAndPan``), which gives what it uses
(``show_filter``, ``refresh_display``, ``annotationsShown``, ``objectsHidden``, ``categoriesHidden``,
``message``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class DisplayControls:
    """The per-window display settings of the canvas (see the module's docstring)."""

    show_filter: Any
    annotationsShown: Any
    objectsHidden: Any
    categoriesHidden: Any
    message: Any
    refresh_display: Any

    def set_score_cut(self, score: float) -> None:
        """Hide the pending predictions scoring below ``score`` here (its window's Model panel Show slider),
        and only here."""
        if score != self.show_filter.min_score:
            self.show_filter.min_score = score
            self.refresh_display()

    def set_hidden_categories(self, category_ids: Iterable[int]) -> None:
        """Hide the objects of ``category_ids`` here (its window's Masks > Show Categories), and only here."""
        hidden = set(category_ids)
        if hidden != self.show_filter.hidden:
            self.show_filter.hidden = hidden
            self.refresh_display()
            self.categoriesHidden.emit()

    def set_show_annotations(self, on: bool) -> None:
        """H: every annotation drawn, or none, to look at the image under them; what is hidden leaves the
        selection (``refresh_display``), and a click, a band or Select All picks nothing."""
        if on != self.show_filter.annotations:
            self.show_filter.annotations = on
            self.refresh_display()
            self.annotationsShown.emit(on)

    def set_hidden_objects(self, ann_ids: Iterable[int]) -> None:
        """Hide the objects ``ann_ids`` here, one by one (View > Hide Selected Objects, Shift+H), the others
        shown: to see or draw what is under them. What is hidden leaves the selection
        (``refresh_display``)."""
        hidden = set(ann_ids)
        if hidden != self.show_filter.objects:
            self.show_filter.objects = hidden
            self.refresh_display()
            self.objectsHidden.emit(len(hidden))

    def set_fill_opacity(self, opacity: float) -> None:
        """Scale the fills drawn here by ``opacity`` 0..1 (0: outlines only; its window's Masks toolbar)."""
        if opacity != self.show_filter.fill_opacity:
            self.show_filter.fill_opacity = opacity
            self.refresh_display()

    def reveal_categories(self, category_ids: Iterable[int]) -> list[int]:
        """Show again those of ``category_ids`` that Masks > Show Categories hides here (what is drawn or
        edited is seen), and every annotation when H hid them all; returns the categories shown again,
        sorted."""
        if not self.show_filter.annotations:
            self.set_show_annotations(True)
            self.message.emit("Annotations were hidden (H): shown again")
        shown = sorted(self.show_filter.hidden & set(category_ids))
        if shown:
            self.set_hidden_categories(self.show_filter.hidden.difference(shown))
        return shown
