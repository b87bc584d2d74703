"""Pre-labeling's edit: one image's new categories, then its predicted annotations, as one step (the app's
undo step and the CLI's ``prelabel`` apply the same object)."""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.core.edits.annotations import AddAnnotations, check_addable
from pixelproof.core.edits.base import Changes, Compound, Edit
from pixelproof.core.edits.taxonomy import AddCategory
from pixelproof.core.model import Annotation, Category, Project


class AddPredictions(Compound):
    """Add ``categories`` (new ones the model named) and then ``annotations``. No ``focus``: a batch adds
    to images the user is not looking at, so a viewer leaves the selection alone."""

    def __init__(
        self,
        categories: Iterable[Category],
        annotations: Iterable[Annotation],
        label: str = "Pre-label",
        then: Edit | None = None,
    ) -> None:
        """``then``: an edit made in the same step (the app's "Pre-label all" marks its images done)."""
        self.categories = [AddCategory(c) for c in categories]
        self.additions = AddAnnotations(annotations)
        parts: list[Edit] = [*self.categories, self.additions, *([then] if then is not None else [])]
        super().__init__(parts, label, focus=None)

    @property
    def annotations(self) -> list[Annotation]:
        return self.additions.annotations

    def apply(self, project: Project) -> Changes:
        check_addable(project, self.annotations, (c.category.id for c in self.categories))
        return super().apply(project)
