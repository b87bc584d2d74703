"""QUndoCommands: the only code that changes the Project (DESIGN.md §2). One class per kind of edit.

Each command keeps private copies of the state before and after, and hands the Project fresh clones on
every redo/undo, so undo restores the exact previous state (mask pixels and timestamps included) however
often the user goes back and forth. Commands also restore the selection, so undo shows what it changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QUndoCommand

from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Category, utc_now
from pixelproof.ui.document import Document

_MERGE_IDS = {"nudge": 1}


class AddAnnotations(QUndoCommand):
    """Add new annotations (drawn, pasted, predicted); they become the selection."""

    def __init__(self, doc: Document, anns: Iterable[Annotation], text: str = "Add annotation") -> None:
        super().__init__(text)
        self.doc = doc
        self.anns = [clone(a) for a in anns]
        self._selection_before = doc.selection

    def redo(self) -> None:
        for a in self.anns:
            self.doc.apply_add_annotation(clone(a))
        self.doc.set_selection(a.id for a in self.anns)

    def undo(self) -> None:
        for a in reversed(self.anns):
            self.doc.apply_remove_annotation(a.id)
        self.doc.set_selection(self._selection_before)


class RemoveAnnotations(QUndoCommand):
    """Delete annotations; undo puts them back with the same ids, in the same file order."""

    def __init__(self, doc: Document, ids: Iterable[int], text: str | None = None) -> None:
        ids = list(ids)
        super().__init__(text or f"Delete {len(ids)} annotation{'s' if len(ids) != 1 else ''}")
        self.doc = doc
        self._order = list(doc.project.annotations)
        rank = {i: n for n, i in enumerate(self._order)}
        self.anns = sorted((clone(doc.project.annotations[i]) for i in ids), key=lambda a: rank[a.id])

    def redo(self) -> None:
        for a in self.anns:
            self.doc.apply_remove_annotation(a.id)

    def undo(self) -> None:
        for a in self.anns:
            self.doc.apply_add_annotation(clone(a))
        # restore the file order so the saved file is byte-identical to the one before the delete
        anns = self.doc.project.annotations
        rank = {i: n for n, i in enumerate(self._order)}
        reordered = sorted(anns.items(), key=lambda kv: rank.get(kv[0], len(rank)))
        anns.clear()
        anns.update(reordered)
        self.doc.set_selection(a.id for a in self.anns)


class EditAnnotations(QUndoCommand):
    """Replace annotations by edited versions (geometry, category, review, note...). ``merge`` names a
    kind of edit whose consecutive steps on the same objects collapse into one (arrow-key nudges)."""

    def __init__(
        self,
        doc: Document,
        after: Iterable[Annotation],
        text: str = "Edit annotation",
        merge: str | None = None,
        touch: bool = True,
    ) -> None:
        super().__init__(text)
        self.doc = doc
        self.after = [clone(a) for a in after]
        if touch:
            now = utc_now()
            for a in self.after:
                a.updated = now
        self.before = [clone(doc.project.annotations[a.id]) for a in self.after]
        self._merge = merge

    def id(self) -> int:
        return _MERGE_IDS.get(self._merge, -1)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditAnnotations) or other._merge != self._merge:
            return False
        if [a.id for a in other.after] != [a.id for a in self.after]:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        for a in self.after:
            self.doc.apply_replace_annotation(clone(a))
        self.doc.set_selection(a.id for a in self.after)

    def undo(self) -> None:
        for a in self.before:
            self.doc.apply_replace_annotation(clone(a))
        self.doc.set_selection(a.id for a in self.before)


def set_category(doc: Document, ids: Iterable[int], category_id: int) -> EditAnnotations | None:
    """The command that gives ``ids`` another category, or None when nothing would change."""
    changed = []
    for i in ids:
        a = doc.project.annotations[i]
        if a.category_id != category_id:
            b = clone(a)
            b.category_id = category_id
            changed.append(b)
    if not changed:
        return None
    name = doc.project.categories[category_id].name
    return EditAnnotations(doc, changed, f"Set category to {name}")


class SetImageStatus(QUndoCommand):
    def __init__(self, doc: Document, image_id: int, status: str) -> None:
        super().__init__(f"Mark image as {status.replace('_', ' ')}")
        self.doc = doc
        self.image_id = image_id
        self.status = status
        self.before = doc.project.image_status_map().get(str(image_id))

    def redo(self) -> None:
        self.doc.apply_image_status(self.image_id, self.status)

    def undo(self) -> None:
        self.doc.apply_image_status(self.image_id, self.before)


def _clone_category(c: Category) -> Category:
    import copy

    return copy.deepcopy(c)


class AddCategory(QUndoCommand):
    def __init__(self, doc: Document, cat: Category) -> None:
        super().__init__(f"Add category {cat.name}")
        self.doc = doc
        self.cat = _clone_category(cat)

    def redo(self) -> None:
        self.doc.apply_add_category(_clone_category(self.cat))

    def undo(self) -> None:
        self.doc.apply_remove_category(self.cat.id)


class EditCategory(QUndoCommand):
    """Rename, recolour or change the shortcut of a category."""

    def __init__(self, doc: Document, after: Category, text: str = "Edit category") -> None:
        super().__init__(text)
        self.doc = doc
        self.after = _clone_category(after)
        self.before = _clone_category(doc.project.categories[after.id])

    def redo(self) -> None:
        self.doc.apply_replace_category(_clone_category(self.after))

    def undo(self) -> None:
        self.doc.apply_replace_category(_clone_category(self.before))


class RemoveCategory(QUndoCommand):
    """Delete a category together with its annotations (the UI asks first when there are any)."""

    def __init__(self, doc: Document, category_id: int) -> None:
        cat = doc.project.categories[category_id]
        super().__init__(f"Delete category {cat.name}")
        self.doc = doc
        self.category_id = category_id
        self.position = list(doc.project.categories).index(category_id)
        self.cat = _clone_category(cat)
        ids = [a.id for a in doc.project.annotations_with_category(category_id)]
        self.remove_anns = RemoveAnnotations(doc, ids) if ids else None

    def redo(self) -> None:
        if self.remove_anns is not None:
            self.remove_anns.redo()
        self.doc.apply_remove_category(self.category_id)

    def undo(self) -> None:
        self.doc.apply_add_category(_clone_category(self.cat), self.position)
        if self.remove_anns is not None:
            self.remove_anns.undo()


class ReviewDecision(QUndoCommand):
    """Accept or reject objects (``pixelproof.review`` + ``note`` on candidate annotations), or a whole
    image: its undecided objects get the decision, the image gets ``pixelproof.image_review`` {review,
    note} and the status "reviewed". One undo step either way."""

    def __init__(
        self,
        doc: Document,
        image_id: int,
        decision: str,
        note: str = "",
        ann_ids: Iterable[int] | None = None,
    ) -> None:
        whole = ann_ids is None
        ids = list(ann_ids) if ann_ids is not None else [a.id for a in doc.project.annotations_of(image_id)]
        what = "image" if whole else ("object" if len(ids) == 1 else f"{len(ids)} objects")
        super().__init__(f"{'Accept' if decision == 'accepted' else 'Reject'} {what}")
        self.doc = doc
        self.image_id = image_id
        changed = []
        for i in ids:
            a = doc.project.annotations[i]
            if whole and a.review in ("accepted", "rejected"):
                continue  # an explicit object decision outlives the image's
            b = clone(a)
            b.review = decision
            if note and not whole:
                b.note = note
            changed.append(b)
        self.edit = EditAnnotations(doc, changed, self.text()) if changed else None
        self.status = SetImageStatus(doc, image_id, "reviewed") if whole else None
        self.entry_before = (doc.project.app.get("image_review") or {}).get(str(image_id))
        self.entry_after = {"review": decision, "updated": utc_now()} if whole else None
        if self.entry_after is not None and note:
            self.entry_after["note"] = note

    def redo(self) -> None:
        if self.edit is not None:
            self.edit.redo()
        if self.status is not None:
            self.status.redo()
        if self.entry_after is not None:
            self.doc.apply_image_review(self.image_id, self.entry_after)

    def undo(self) -> None:
        if self.entry_after is not None:
            self.doc.apply_image_review(self.image_id, self.entry_before)
        if self.status is not None:
            self.status.undo()
        if self.edit is not None:
            self.edit.undo()


class SetReference(QUndoCommand):
    """Point the project at another QA reference (``pixelproof.reference``: a project or a mask folder)."""

    def __init__(self, doc: Document, reference: str | None) -> None:
        super().__init__("Set reference" if reference else "Forget reference")
        self.doc = doc
        self.before = doc.project.reference
        self.after = reference

    def redo(self) -> None:
        self.doc.apply_reference(self.after)

    def undo(self) -> None:
        self.doc.apply_reference(self.before)


class AddPredictions(QUndoCommand):
    """One image's pre-labeling result — new categories, then annotations — as one undo step. The
    selection is left alone: a batch adds to images the user is not looking at."""

    def __init__(
        self, doc: Document, categories: Iterable[Category], anns: Iterable[Annotation], text: str
    ) -> None:
        super().__init__(text)
        self.doc = doc
        self.cats = [_clone_category(c) for c in categories]
        self.anns = [clone(a) for a in anns]

    def redo(self) -> None:
        for c in self.cats:
            self.doc.apply_add_category(_clone_category(c))
        for a in self.anns:
            self.doc.apply_add_annotation(clone(a))

    def undo(self) -> None:
        for a in reversed(self.anns):
            self.doc.apply_remove_annotation(a.id)
        for c in reversed(self.cats):
            self.doc.apply_remove_category(c.id)
