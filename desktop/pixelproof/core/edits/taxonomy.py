"""Edits of the category list: add, remove (with its annotations), replace (rename, recolour, shortcut),
reorder."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from pixelproof.core.edits.annotations import RemoveAnnotations
from pixelproof.core.edits.base import ANNOTATION_CHANGED, CATEGORY, Change, Changes, Edit, applied, require
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.model import Category, Project
from pixelproof.core.names import shown_name


def _category_changed(category_id: int) -> Changes:
    return Changes([Change(CATEGORY, category_id=category_id)])


def _reorder(project: Project, order: list[int]) -> None:
    items = [(i, project.categories[i]) for i in order]
    project.categories.clear()
    project.categories.update(items)


class AddCategory(Edit):
    """Add a category, at the end or at ``position`` in the list."""

    def __init__(self, category: Category, position: int | None = None) -> None:
        self.category = copy.deepcopy(category)
        self.position = position
        self.label = f"Add category {shown_name(category.name, NAME_IN_TEXT)}"
        self._done: bool | None = None

    def apply(self, project: Project) -> Changes:
        require(self.category.id not in project.categories, f"category id {self.category.id} already exists")
        project.add_category(copy.deepcopy(self.category))
        if self.position is not None:
            order = list(project.categories)
            order.insert(self.position, order.pop())
            _reorder(project, order)
        self._done = True
        return _category_changed(self.category.id)

    def revert(self, project: Project) -> Changes:
        applied(self._done)
        project.remove_category(self.category.id)
        return _category_changed(self.category.id)


class RemoveCategory(Edit):
    """Delete a category together with its annotations; revert puts both back where they were."""

    def __init__(self, category_id: int, label: str | None = None) -> None:
        self.category_id = category_id
        self.label = label or "Delete category"
        self._removed: tuple[Category, int] | None = None
        self._annotations: RemoveAnnotations | None = None

    def apply(self, project: Project) -> Changes:
        require(self.category_id in project.categories, f"category {self.category_id} does not exist")
        ids = [a.id for a in project.annotations_with_category(self.category_id)]
        self._annotations = RemoveAnnotations(ids) if ids else None
        changes = self._annotations.apply(project) if self._annotations else Changes()
        position = list(project.categories).index(self.category_id)
        self._removed = (project.remove_category(self.category_id), position)
        changes += _category_changed(self.category_id)
        return changes

    def revert(self, project: Project) -> Changes:
        applied(self._removed)
        category, position = self._removed  # type: ignore[misc]
        changes = AddCategory(category, position).apply(project)
        if self._annotations is not None:
            changes += self._annotations.revert(project)
        return changes

    @property
    def revert_focus(self) -> list[int] | None:  # type: ignore[override]
        """The annotations the last apply removed with the category (revert brings them back)."""
        return None if self._annotations is None else self._annotations.revert_focus


class ReplaceCategory(Edit):
    """Rename, recolour or change the shortcut of a category (same id, same place in the list)."""

    def __init__(self, after: Category, label: str = "Edit category") -> None:
        self.after = copy.deepcopy(after)
        self.label = label
        self._before: Category | None = None

    def apply(self, project: Project) -> Changes:
        require(self.after.id in project.categories, f"category {self.after.id} does not exist")
        self._before = project.categories[self.after.id]
        return self._put(project, self.after)

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        return self._put(project, self._before)  # type: ignore[arg-type]

    @staticmethod
    def _put(project: Project, category: Category) -> Changes:
        project.categories[category.id] = copy.deepcopy(category)
        changes = _category_changed(category.id)
        for a in project.annotations_with_category(category.id):  # they are drawn in its colour
            changes.annotation(ANNOTATION_CHANGED, a.image_id, a.id)
        return changes


class ReorderCategories(Edit):
    """Put the categories in a new order (ids, each once): the order of the panel, keys 1-9 and the file."""

    def __init__(self, order: Iterable[int], label: str = "Reorder categories") -> None:
        self.order = list(order)
        self.label = label
        self._before: list[int] | None = None

    def apply(self, project: Project) -> Changes:
        require(
            len(self.order) == len(project.categories) and set(self.order) == set(project.categories),
            "a new category order must name every category once",
        )
        self._before = list(project.categories)
        _reorder(project, self.order)
        return Changes(Change(CATEGORY, category_id=i) for i in self.order)

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        _reorder(project, self._before)  # type: ignore[arg-type]
        return Changes(Change(CATEGORY, category_id=i) for i in self._before)  # type: ignore[union-attr]
