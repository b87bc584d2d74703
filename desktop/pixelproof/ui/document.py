"""Document: one open project with its undo stack, dirty flag, autosave and view state (current image,
selection, current category).

Everything in the UI reads the Project through a Document and listens to its signals; only the
QUndoCommands in ``ui.commands`` change the Project, through the ``apply_*`` methods below (DESIGN.md §2).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from pixelproof.core.coco import ProjectSaveError, atomic_write, dumps_project, load_project, save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

AUTOSAVE_INTERVAL_MS = 60_000


def autosave_path_for(path: Path) -> Path:
    """``<name>.json.autosave`` next to the project file (DESIGN.md §3)."""
    return path.with_name(path.name + ".autosave")


def autosave_is_newer(path: Path) -> bool:
    """True when an autosave exists and was written after the project file (i.e. edits were lost)."""
    auto = autosave_path_for(path)
    try:
        return auto.stat().st_mtime > path.stat().st_mtime
    except OSError:
        return auto.exists() and not path.exists()


class Document(QObject):
    """A Project being edited. Signals carry ids, never objects, so receivers look up the current state."""

    annotationAdded = Signal(int, int)  # image_id, annotation_id
    annotationChanged = Signal(int, int)  # image_id, annotation_id
    annotationRemoved = Signal(int, int)  # image_id, annotation_id
    categoriesChanged = Signal()
    imageStatusChanged = Signal(int)  # image_id (status or whole-image review decision)
    referenceChanged = Signal()  # pixelproof.reference (review view)
    currentImageChanged = Signal(int)  # image_id, -1 for none
    currentCategoryChanged = Signal(int)  # category_id, -1 for none
    selectionChanged = Signal()
    modifiedChanged = Signal(bool)
    pathChanged = Signal()
    autosaved = Signal(str)  # path written
    autosaveFailed = Signal(str)  # reason

    def __init__(self, project: Project, parent: QObject | None = None, untitled: bool = False) -> None:
        super().__init__(parent)
        self.project = project
        self.untitled = untitled or project.path is None
        self.undo_stack = QUndoStack(self)  # unlimited: undoLimit 0
        self.undo_stack.cleanChanged.connect(lambda clean: self.modifiedChanged.emit(not clean))
        self.current_image_id = -1
        self.current_category_id = min(project.categories, default=-1)
        self._selection: list[int] = []
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | os.PathLike[str], ask_recover: Callable[[Path], bool] | None = None
    ) -> Document:
        """Load a project file; when its autosave is newer and ``ask_recover`` agrees, load that instead
        (the document then starts modified). Raises ``ProjectFormatError``."""
        path = Path(os.path.abspath(path))
        if autosave_is_newer(path) and ask_recover is not None and ask_recover(autosave_path_for(path)):
            project = load_project(autosave_path_for(path))
            project.path = path
            doc = cls(project)
            doc.undo_stack.resetClean()  # recovered edits are not on disk yet
            return doc
        return cls(load_project(path))

    # -- file state ------------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return None if self.untitled else self.project.path

    @property
    def display_name(self) -> str:
        if self.project.path is None:
            return "untitled"
        return self.project.path.name + (" (unsaved)" if self.untitled else "")

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Save (atomically, with .bak); on success the stack becomes clean and the autosave goes.
        Raises ``ProjectSaveError`` and stays modified on failure."""
        if path is None and self.untitled:
            raise ProjectSaveError("the project has never been saved: choose a file name")
        old_auto = autosave_path_for(self.project.path) if self.project.path else None
        target = save_project(self.project, path)
        self.undo_stack.setClean()
        was_untitled, self.untitled = self.untitled, False
        for auto in {old_auto, autosave_path_for(target)}:
            if auto is not None:
                auto.unlink(missing_ok=True)
        if was_untitled or path is not None:
            self.pathChanged.emit()
        self.modifiedChanged.emit(False)
        return target

    def autosave_path(self) -> Path | None:
        return autosave_path_for(self.project.path) if self.path is not None else None

    def autosave(self) -> bool:
        """Write ``<name>.json.autosave`` if modified (never the project file itself)."""
        target = self.autosave_path()
        if target is None or not self.is_modified():
            return False
        try:
            atomic_write(target, dumps_project(self.project))
        except (ProjectSaveError, OSError) as e:
            self.autosaveFailed.emit(str(e))
            return False
        self.autosaved.emit(str(target))
        return True

    def discard_autosave(self) -> None:
        target = self.autosave_path()
        if target is not None:
            target.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop the autosave timer (the owner drops the document after this)."""
        self.autosave_timer.stop()

    # -- edits -----------------------------------------------------------------------------------
    def push(self, command: QUndoCommand) -> None:
        """Run an edit and make it undoable: the only way the UI changes the Project."""
        self.undo_stack.push(command)

    # -- view state (not saved, not undoable) ----------------------------------------------------
    def image_ids(self) -> list[int]:
        """Images in file order: the order of the images panel and of D/A."""
        return list(self.project.images)

    @property
    def current_image(self) -> ImageRecord | None:
        return self.project.images.get(self.current_image_id)

    def set_current_image(self, image_id: int) -> None:
        if image_id == self.current_image_id or (image_id != -1 and image_id not in self.project.images):
            return
        self.set_selection([])
        self.current_image_id = image_id
        self.currentImageChanged.emit(image_id)

    def step_image(self, step: int) -> bool:
        """Go ``step`` images forward (D) or back (A); False at either end."""
        ids = self.image_ids()
        if not ids:
            return False
        if self.current_image_id not in self.project.images:
            self.set_current_image(ids[0])
            return True
        i = ids.index(self.current_image_id) + step
        if not 0 <= i < len(ids):
            return False
        self.set_current_image(ids[i])
        return True

    @property
    def selection(self) -> list[int]:
        return list(self._selection)

    def set_selection(self, ids: Iterable[int]) -> None:
        ids = [i for i in dict.fromkeys(ids) if i in self.project.annotations]
        if ids != self._selection:
            self._selection = ids
            self.selectionChanged.emit()

    def selected_annotations(self) -> list[Annotation]:
        return [self.project.annotations[i] for i in self._selection]

    def set_current_category(self, category_id: int) -> None:
        if category_id != self.current_category_id and (
            category_id == -1 or category_id in self.project.categories
        ):
            self.current_category_id = category_id
            self.currentCategoryChanged.emit(category_id)

    def category_for_key(self, key: str) -> Category | None:
        """The category a digit key chooses: its ``shortcut``, else its position (1 = first)."""
        cats = list(self.project.categories.values())
        for c in cats:
            if c.shortcut == key:
                return c
        if key.isdigit() and 1 <= int(key) <= len(cats):
            c = cats[int(key) - 1]
            if not c.shortcut:
                return c
        return None

    # -- mutations: for ui.commands only ---------------------------------------------------------
    def apply_add_annotation(self, ann: Annotation) -> None:
        self.project.add_annotation(ann)
        self.annotationAdded.emit(ann.image_id, ann.id)

    def apply_remove_annotation(self, ann_id: int) -> Annotation:
        ann = self.project.remove_annotation(ann_id)
        if ann_id in self._selection:
            self._selection.remove(ann_id)
            self.selectionChanged.emit()
        self.annotationRemoved.emit(ann.image_id, ann_id)
        return ann

    def apply_replace_annotation(self, ann: Annotation) -> None:
        """Put ``ann`` in place of the annotation with its id (same image)."""
        old = self.project.annotations[ann.id]
        if old.image_id != ann.image_id:
            raise ValueError("an annotation cannot change image")
        self.project.remove_annotation(ann.id)
        self.project.add_annotation(ann)
        self.annotationChanged.emit(ann.image_id, ann.id)

    def apply_add_category(self, cat: Category, position: int | None = None) -> None:
        self.project.add_category(cat)
        if position is not None:  # undoing a delete puts it back where it was
            items = list(self.project.categories.items())
            items.insert(position, items.pop())
            self.project.categories.clear()
            self.project.categories.update(items)
        if self.current_category_id == -1:
            self.current_category_id = cat.id
        self.categoriesChanged.emit()

    def apply_remove_category(self, category_id: int) -> tuple[Category, int]:
        position = list(self.project.categories).index(category_id)
        cat = self.project.remove_category(category_id)
        if self.current_category_id == category_id:
            self.current_category_id = min(self.project.categories, default=-1)
            self.currentCategoryChanged.emit(self.current_category_id)
        self.categoriesChanged.emit()
        return cat, position

    def apply_replace_category(self, cat: Category) -> None:
        self.project.categories[cat.id] = cat
        self.categoriesChanged.emit()
        for ann in self.project.annotations_with_category(cat.id):
            self.annotationChanged.emit(ann.image_id, ann.id)

    def apply_image_status(self, image_id: int, status: str | None) -> None:
        """Set (or, with None, forget) an image's status."""
        if status is None:
            self.project.image_status_map().pop(str(image_id), None)
        else:
            self.project.set_image_status(image_id, status)
        self.imageStatusChanged.emit(image_id)

    def apply_image_review(self, image_id: int, entry: dict | None) -> None:
        """Set (or, with None, forget) the whole-image review decision ``pixelproof.image_review``."""
        reviews = self.project.app.setdefault("image_review", {})
        if entry is None:
            reviews.pop(str(image_id), None)
            if not reviews:
                self.project.app.pop("image_review", None)
        else:
            reviews[str(image_id)] = dict(entry)
        self.imageStatusChanged.emit(image_id)

    def apply_reference(self, reference: str | None) -> None:
        """Set (or forget) the project's QA reference, as stored in the file."""
        self.project.reference = reference
        self.referenceChanged.emit()
