"""Document: one open project with its undo stack, dirty flag, autosave and view state (current image,
selection, current category).

Everything in the UI reads the Project through a Document and listens to its signals; the Project changes
only through core edits pushed here (``push``), which the undo stack applies and reverts (DESIGN.md §2).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from pixelproof.core import edits, history, image_order, lock
from pixelproof.core.atomic import FileState, clean_stale_temporaries, same_file
from pixelproof.core.autosave import (
    AutosaveInfo,
    autosave_path_for,
    compare_with_file,
    keep_time_spent,
    read_autosave,
    read_info,
    write_autosave,
)
from pixelproof.core.category_keys import category_keys
from pixelproof.core.coco import ProjectFormatError, ProjectSaveError, load_project, save_project
from pixelproof.core.edits import Changes, Edit
from pixelproof.core.keypoints import KeypointsRefused
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.names import base_file_name, distinct_file_names
from pixelproof.core.object_lock import LockedError
from pixelproof.core.track_edit import tracks_named
from pixelproof.core.track_refill import beyond_text, refill_after
from pixelproof.core.wording import plural
from pixelproof.ui import annotation_batch, track_refill
from pixelproof.ui.annotation_batch import BATCH_AT
from pixelproof.ui.settings import recovery_dir
from pixelproof.ui.undo import UndoEdit

AUTOSAVE_INTERVAL_MS = 60_000
__all__ = ["Document", "autosave_is_newer", "autosave_path_for"]


def autosave_is_newer(path: Path) -> bool:
    """True when an autosave exists and was written after the project file (i.e. edits were lost)."""
    auto = autosave_path_for(path)
    try:
        return auto.stat().st_mtime > path.stat().st_mtime
    except OSError:
        return auto.exists() and not path.exists()


def recoverable_new_projects() -> list[Path]:
    """Autosaves of new (never saved) projects whose app is gone: what a crash left (oldest first)."""
    try:
        files = sorted(recovery_dir().glob("*.json"), key=lambda p: p.stat().st_mtime)
    except OSError:
        return []
    return [f for f in files if (info := read_info(f)) is None or not info.running()]


class Document(QObject):
    """A Project being edited. Signals carry ids, never objects, so receivers look up the current state.
    Ids travel as Python ints (``object``): ``Signal(int)`` is 32-bit, and ids are 64-bit (another tool's
    file may number images up to 2**63 - 1; shiboken overflowed opening it)."""

    annotationAdded = Signal(object, object)  # image_id, annotation_id
    annotationChanged = Signal(object, object)  # image_id, annotation_id
    annotationRemoved = Signal(object, object)  # image_id, annotation_id
    annotationsRestacked = Signal(object)  # image_id: its objects' order, the stacking, changed
    # an edit of many objects (``annotation_batch.BATCH_AT``): a run of its object changes (``Changes``,
    # in order) in place of one of the three signals above each; every receiver of those takes it too
    annotationsBatch = Signal(object)
    # every signal of one edit (applied or reverted) is out: a receiver finishes work it gathered per object
    # (the canvas restacks the objects an undo put back between others)
    editAnnounced = Signal()
    # the ``LockedError`` of an edit refused on a locked object, or the ``KeypointsRefused`` of a class change
    # that would rename an object's keypoints (not pushed)
    editRefused = Signal(object)
    # the fills next to an edited key followed it (``follow_up``), or were left as they were (why)
    tracksRefilled = Signal(str, str)  # what the status bar says, its kind ("info", "warning")
    categoriesChanged = Signal()
    imageStatusChanged = Signal(object)  # image_id (status or whole-image review decision)
    imagesChanged = Signal()  # the image list: images added (a merge, Add Images) or removed, or relocated
    referenceChanged = Signal()  # pixelproof.reference (review view)
    currentImageChanged = Signal(object)  # image_id, -1 for none
    currentCategoryChanged = Signal(object)  # category_id, -1 for none
    selectionChanged = Signal()
    modifiedChanged = Signal(bool)
    pathChanged = Signal()
    autosaved = Signal(str)  # path written
    autosaveFailed = Signal(str)  # reason
    # a save (or autosave) is about to write the project: work held for later goes in now (time spent)
    aboutToSave = Signal()
    # about to be left (the user asked whether to save first, or its changes given up on a reload): time
    # spent so far is recorded now, so the question can say whether Discard drops any (``time_unsaved``)
    # and a reload can drop it all
    aboutToLeave = Signal()

    def __init__(self, project: Project, parent: QObject | None = None, untitled: bool = False) -> None:
        super().__init__(parent)
        self.project = project
        self.untitled = untitled or project.path is None
        self.undo_stack = QUndoStack(self)  # unlimited: undoLimit 0
        # a bound method, not a lambda: Qt drops the connection with the document, so a stack that emits
        # while both are being destroyed (e.g. inside a modal dialog's event loop) reaches no dead object
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.current_image_id = -1
        self._shown_names: dict[int, str] | None = None  # ``shown_file_name``'s, until the images change
        self.current_category_id = min(project.categories, default=-1)
        self._selection: list[int] = []
        self._selected: frozenset[int] = frozenset()  # the same ids, for ``is_selected``
        # while an edit is announced: object id -> the category it moved out of (``categories_left``), so
        # a receiver can tell where an object it does not draw was (an image not shown)
        self.moved_from: dict[int, int] = {}
        self.selection_shown = True  # False while another view hides the canvas (see set_selection)
        self.locked: Path | None = None  # the project file whose lock this document holds
        self.recovery_file: Path | None = None  # a new project's autosave (named on first use)
        self.recovery_error: ProjectFormatError | None = None  # the autosave open() could not read
        self.autosave_removed = False  # open() removed an autosave identical to the file (said once)
        self.time_recovered = 0  # images whose time spent open() took from an autosave of time alone
        self.import_source: Path | None = None  # the file or folder File > Import read it from
        # time spent recorded since the last save (``ui.teams.TimeRecorder``): no undo step, so it leaves
        # the document clean (viewing images never asks "save changes?"), yet autosaves and saves keep it
        self.time_unsaved = False
        # opened while another live process held its lock: its file and autosave (the same file beside it)
        # are that app's too, so time spent viewing is written to neither
        self.shared = False
        # the reason of the last autosave failure said (None after a success): said once, not each minute
        self.autosave_failure: str | None = None
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    def _clean_changed(self, clean: bool) -> None:
        if clean:  # as on disk again (saved, or undone back to it): an autosave would recover nothing
            self.discard_autosave()
        self.modifiedChanged.emit(not clean)

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        ask_recover: Callable[[Path], bool] | None = None,
        loaded: Project | None = None,
    ) -> Document:
        """Load a project file; when its autosave holds edits the file lacks (it is newer, or the file
        changed since the edits began) and ``ask_recover(autosave, file_changed)`` agrees, load that
        instead (the document then starts modified; ``recovery_error`` says why when the autosave could
        not be read, and the file is loaded). An autosave whose project is the file's (``same_as_file``) is
        not offered and, its app gone, removed (``autosave_removed``); one that differs in time spent alone
        is not offered either, its counters kept (``time_recovered``, ``time_unsaved``). Raises
        ``ProjectFormatError`` for the project file.
        ``loaded``: ``path`` loaded already (to ask about it), taken instead of loading it again unless the
        file changed since (a big project is not read twice).

        Temporaries left by saves that were killed mid-write are removed first."""
        path = Path(os.path.abspath(path))
        clean_stale_temporaries(path)
        auto = autosave_path_for(path)
        info = read_info(auto) if auto.exists() else None
        changed = info is not None and info.base_changed()
        # its header names the file its edits began on: offered whatever the times say (a file system
        # keeping seconds gave an autosave just after a save the file's time); without one, if newer
        offer = (info is not None and info.base_state() is not None) or autosave_is_newer(path) or changed
        problem, removed, time_kept = None, False, None
        same, time_only = (
            compare_with_file(auto, path) if offer and ask_recover is not None else (False, None)
        )
        if same:  # killed between save and cleanup
            offer = False  # nothing to recover; its app, if it still runs, writes it again when it must
            if info is None or not info.running():
                auto.unlink(missing_ok=True)
                removed = True
        elif time_only is not None:  # killed after viewing images: their time counters, no edit
            offer = False  # not asked: kept silently, as the time of this visit (a live app's: its own)
            time_kept = time_only if info is None or not info.running() else None
        if offer and ask_recover is not None and ask_recover(auto, changed):
            try:
                return cls._recovered(path, *read_autosave(auto))
            except ProjectFormatError as e:
                problem = e
        if loaded is None or loaded.file_state is None or loaded.file_state.changed_since():
            loaded = load_project(path)  # (a file changed since it was asked about is loaded as it is now)
        grown = keep_time_spent(loaded, time_kept) if time_kept is not None else 0
        doc = cls(loaded)
        doc.recovery_error = problem
        doc.autosave_removed = removed
        doc.time_recovered = grown
        doc.time_unsaved = grown > 0  # the next save (or leaving the project) writes it, as time recorded
        return doc

    @classmethod
    def _recovered(cls, path: Path, project: Project, info: AutosaveInfo | None) -> Document:
        project.path = path
        # the change log compares with the project file, so the next save logs the recovered edits
        try:
            project.history = load_project(path).history
        except ProjectFormatError:  # gone or unreadable: everything is new to it
            project.history = history.Baseline()
        # a save compares the project file with the version the edits started from (the file as it is
        # now for an autosave without a header): one saved since is not overwritten without asking
        base = info.base_state() if info is not None else None
        project.file_state = base if base is not None else FileState.of(path)
        doc = cls(project)
        doc.undo_stack.resetClean()  # recovered edits are not on disk yet
        return doc

    @classmethod
    def recover_new_project(cls, file: Path) -> Document:
        """A new project from its autosave in the recovery folder (see ``recoverable_new_projects``); it
        keeps that file as its autosave. Raises ``ProjectFormatError``."""
        project, info = read_autosave(file)
        project.path = info.project if info is not None else None
        project.file_state = None
        project.history = history.Baseline()  # never saved: everything is new to the change log
        doc = cls(project, untitled=True)
        doc.recovery_file = file
        doc.undo_stack.resetClean()
        doc.autosave()  # now this process's: a second app started meanwhile does not offer it
        return doc

    # -- file state ------------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return None if self.untitled else self.project.path

    @property
    def display_name(self) -> str:
        if self.project.path is None:
            return "untitled"
        return self.project.path.name + (" (unsaved)" if self.untitled else "")

    @property
    def title_name(self) -> str:
        """``display_name`` as the window title shows it: ``ann's shard — ann.json`` for a shard."""
        from pixelproof.ui.shard_badge import title_name

        return title_name(self.display_name, self.project)

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def save(self, path: str | os.PathLike[str] | None = None, overwrite: bool = False) -> Path:
        """Save (atomically, with .bak); on success the stack becomes clean and the autosave goes.
        Raises ``ProjectSaveError`` and stays modified on failure; ``ProjectConflictError`` when the
        file changed on disk since it was opened, unless ``overwrite``."""
        if path is None and self.untitled:
            raise ProjectSaveError("the project has never been saved: choose a file name")
        self.aboutToSave.emit()
        old_auto = self.autosave_path()
        target = save_project(self.project, path, overwrite=overwrite)
        if self.locked is not None and not same_file(self.locked, target):
            self.release_lock()
            self.hold_lock(target)
        elif self.locked is None and self.untitled:  # a new project is now a file the app has open
            self.hold_lock(target)
        self.undo_stack.setClean()
        self.time_unsaved = False
        was_untitled, self.untitled = self.untitled, False
        for auto in {old_auto, autosave_path_for(target)}:
            if auto is not None:
                auto.unlink(missing_ok=True)
        if was_untitled or path is not None:
            self.pathChanged.emit()
        self.modifiedChanged.emit(False)
        return target

    def autosave_path(self) -> Path | None:
        """``<name>.json.autosave``; for a new project a file of its own in the recovery folder."""
        if self.path is not None:
            return autosave_path_for(self.path)
        if self.recovery_file is None:
            self.recovery_file = recovery_dir() / f"new-{uuid.uuid4().hex[:12]}.json"
        return self.recovery_file

    def autosave(self) -> bool:
        """Write the autosave if modified or time spent was recorded since the save (never the project
        file itself): a crash then loses neither. Not for time alone on a ``shared`` project."""
        target = self.autosave_path()
        if target is None or not (self.is_modified() or (self.time_unsaved and not self.shared)):
            return False
        self.aboutToSave.emit()
        try:
            if self.path is None:  # the app's recovery folder, made on first use; never a project's
                target.parent.mkdir(parents=True, exist_ok=True)  # (gone: a share unmounted, renamed)
            write_autosave(target, self.project, None if self.untitled else self.project.file_state)
        except (ProjectSaveError, OSError) as e:
            # time alone (a project only viewed, on a read-only share): no warning; the same failure (a
            # read-only folder) is said once, not again each minute while the edits stay open
            if self.is_modified() and str(e) != self.autosave_failure:
                self.autosave_failure = str(e)
                self.autosaveFailed.emit(str(e))
            return False
        self.autosave_failure = None
        self.autosaved.emit(str(target))
        return True

    def discard_autosave(self) -> None:
        target = self.autosave_path()
        if target is not None:
            with contextlib.suppress(OSError):  # a folder in its place, one made read-only: left, not raised
                target.unlink(missing_ok=True)  # (older than the save, it is never offered)
        if self.untitled:
            self.recovery_file = None

    def hold_lock(self, path: Path, force: bool = False) -> lock.LockHolder | None:
        """Take the project file's lock (see ``lock.acquire_lock``); the live holder when refused."""
        holder = lock.acquire_lock(path, force=force)
        if holder is None:
            self.locked = path
        return holder

    def release_lock(self) -> None:
        if self.locked is not None:
            lock.release_lock(self.locked)
            self.locked = None

    def close(self) -> None:
        """Stop the autosave timer and give back the lock (the owner drops the document after this)."""
        self.autosave_timer.stop()
        self.release_lock()

    # -- edits -----------------------------------------------------------------------------------
    def push(self, edit: Edit, merge: str | None = None) -> None:
        """Apply a core edit and make it undoable: the only way the UI changes the Project. ``merge`` names
        a kind of gesture whose consecutive steps on the same objects are one undo step ("nudge").

        An edit the project refuses is not pushed: one refused for a locked object, or a class change that
        would rename an object's keypoints, is announced (``editRefused``: the status bar says which and
        why) and its objects redrawn as they are (a drag preview goes back); any other ValueError is raised,
        as before."""
        step = UndoEdit(self, edit, merge)
        self.undo_stack.push(step)
        refused = step.refused
        if refused is None:
            return
        if not isinstance(refused, (LockedError, KeypointsRefused)):
            raise refused
        anns = self.project.annotations
        for i in dict.fromkeys([*(edit.focus or []), refused.annotation_id]):
            if (a := anns.get(i)) is not None:
                self.annotationChanged.emit(a.image_id, i)
        self.editRefused.emit(refused)

    # -- view state (not saved, not undoable) ----------------------------------------------------
    def image_ids(self) -> list[int]:
        """Images in file order: the order of the images panel and of D/A."""
        return list(self.project.images)

    def shown_file_name(self, image_id: int) -> str:
        """The name the Images panel and the status bar show: the file without folders, but with those
        that tell it from another image's file of that name (MVTec AD's ``dent/000.png``)."""
        if self._shown_names is None:
            self._shown_names = distinct_file_names({i: r.file_name for i, r in self.project.images.items()})
        return self._shown_names.get(image_id) or base_file_name(self.project.images[image_id].file_name)

    @property
    def current_image(self) -> ImageRecord | None:
        return self.project.images.get(self.current_image_id)

    def set_current_image(self, image_id: int) -> None:
        if image_id == self.current_image_id or (image_id != -1 and image_id not in self.project.images):
            return
        self.set_selection([])
        self.current_image_id = image_id
        self.currentImageChanged.emit(image_id)

    def step_image(self, step: int, listed: Sequence[int] | None = None) -> bool:
        """Go ``step`` images forward (D) or back (A) in ``listed``, the image list as shown (None: every
        image, in file order; ``core.image_order``); False at either end."""
        ids = self.image_ids()
        image_id = image_order.step_listed(
            ids, ids if listed is None else listed, self.current_image_id, step
        )
        if image_id is None:
            return False
        self.set_current_image(image_id)
        return True

    def next_unfinished(self, listed: Sequence[int] | None = None) -> int | None:
        """The first image of ``listed`` (None: every image, in file order) after the shown one not marked
        done or reviewed, round from the first after the last (the shown image is not one): where an
        annotator back at a half-done project goes."""
        ids = self.image_ids()
        status = self.project.image_status
        return image_order.next_unfinished(
            ids, ids if listed is None else listed, self.current_image_id,
            lambda i: status(i) in ("todo", "in_progress"),
        )  # fmt: skip

    def neighbours(self, image_id: int, listed: Sequence[int] | None = None) -> list[ImageRecord]:
        """The images D and A go to from ``image_id`` (the next first) in ``listed``, the image list as
        shown (None: every image, in file order): what the canvas reads ahead, found as ``step_image``
        finds them, so a filtered list preloads the listed images D will show, not hidden ones."""
        if image_id not in self.project.images:
            return []
        ids = self.image_ids()
        walk = ids if listed is None else listed
        found = (image_order.step_listed(ids, walk, image_id, step) for step in (1, -1))
        return [self.project.images[i] for i in found if i is not None]

    @property
    def selection(self) -> list[int]:
        return list(self._selection)

    def is_selected(self, ann_id: int) -> bool:
        """Whether ``ann_id`` is selected, without copying the selection (receivers ask per object)."""
        return ann_id in self._selected

    def set_selection(self, ids: Iterable[int]) -> None:
        """Select ``ids``; only objects of the current image can be selected (an undo step's focus may
        name objects of other images: Delete must never act on an image that is not shown), and none while
        the canvas is hidden (the review view: Ctrl+A or a redo there must not arm Delete or 1-9)."""
        anns = self.project.annotations
        ids = [i for i in dict.fromkeys(ids) if i in anns and anns[i].image_id == self.current_image_id]
        if not self.selection_shown:
            ids = []
        if ids != self._selection:
            self._selection, self._selected = ids, frozenset(ids)
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
        return category_keys(self.project.categories.values()).get(key)

    # -- applying edits: for ui.undo.UndoEdit only ------------------------------------------------
    def apply_edit(self, edit: Edit) -> Changes:
        changes = edit.apply(self.project)
        self._announce(changes, edits.categories_left(edit))
        return changes

    def revert_edit(self, edit: Edit) -> Changes:
        changes = edit.revert(self.project)
        self._announce(changes, edits.categories_left(edit, reverted=True))
        return changes

    def changed_image(self, changes: Iterable[Changes]) -> int | None:
        """The one image whose objects or status ``changes`` touched: where an undo step happened. None
        for a step across several images (a class merge, a lint fix of the whole project) or none."""
        kinds = (
            edits.ANNOTATION_ADDED,
            edits.ANNOTATION_CHANGED,
            edits.ANNOTATION_REMOVED,
            edits.ANNOTATION_ORDER,
            edits.IMAGE,
        )
        images = {c.image_id for part in changes for c in part if c.kind in kinds}
        return images.pop() if len(images) == 1 else None

    def show_step_image(self, image_id: int | None) -> None:
        """Show the image an undo or redo is about to change, before it changes it: the step is seen where
        it happened, and the canvas hears its objects as edits of the shown image (an object brought back
        into a hidden category shows that category again). A step across several images (``None``)
        leaves the view alone; so does an image that is not in the project (yet)."""
        if image_id is not None and image_id != self.current_image_id and image_id in self.project.images:
            self.set_current_image(image_id)

    def follow_up(self, edit: Edit, changes: Changes) -> Edit | None:
        """What the edit just applied (``changes``: its own) sets off, applied in its undo step so one undo
        takes both back: the images it started (``started_images``), and, unless the preference is off
        (``ui.track_refill``), the fills next to a track's key it changed filled again
        (``core.track_refill``; ``tracksRefilled`` says it), and the fills past a deleted first or last key
        removed. None when it sets off nothing."""
        parts = [e for e in (self.started_images(changes), self._refill(edit, changes)) if e is not None]
        return parts[0] if len(parts) == 1 else edits.Compound(parts, edit.label) if parts else None

    def _refill(self, edit: Edit, changes: Changes) -> Edit | None:
        if not track_refill.refills():
            return None
        done = refill_after(self.project, edit, changes)
        said = [done.refused] if done.refused else []  # first: what the user must see to
        if done.tracks:  # said beside a refusal too: the bar said only "not filled again"
            follow = "follows" if done.filled == 1 else "follow"
            fills = f"{plural(done.filled, 'filled frame')} of {tracks_named(done.tracks)}"
            said.append(f"{fills} next to the key {follow} it")
        if done.beyond:  # a first or last key gone: the track ends at the next one (CVAT's track)
            said.append(beyond_text(done.beyond))
        if done.edit is not None:
            said[-1] += " (Ctrl+Z takes back both)"
        if said:
            text = "; ".join(said)
            self.tracksRefilled.emit(text[:1].upper() + text[1:], "warning" if done.refused else "info")
        return done.edit

    def started_images(self, changes: Changes) -> Edit | None:
        """The edit that moves images from "to do" to "in progress" once a manual object was drawn on them
        (a model's proposals do not start an image); None when there is none to move. The undo step of
        the drawing applies it, so one undo takes both back."""
        started: dict[int, None] = {}
        for change in changes:
            if change.kind != edits.ANNOTATION_ADDED:
                continue
            ann = self.project.annotations.get(change.annotation_id)
            manual = ann is not None and ann.is_manual
            if manual and self.project.image_status(change.image_id) == "todo":
                started[change.image_id] = None
        if not started:
            return None
        parts = [edits.SetImageStatus(image_id, "in_progress") for image_id in started]
        return parts[0] if len(parts) == 1 else edits.Compound(parts, "Mark images as in progress")

    def _announce(self, changes: Changes, moved_from: dict[int, int] | None = None) -> None:
        """Emit the signals for what an edit did, in order (one ``categoriesChanged`` per run of category
        changes); keep the selection and the current category valid. ``moved_from`` is ``self.moved_from``
        meanwhile."""
        self.moved_from = moved_from or {}
        try:
            self._emit(changes)
        finally:
            self.moved_from = {}
        self.editAnnounced.emit()

    def _emit(self, changes: Changes) -> None:
        anns = self.project.annotations
        changes = annotation_batch.settled(changes, anns)
        kept = [i for i in self._selection if i in anns and anns[i].image_id == self.current_image_id]
        if len(kept) != len(self._selection):  # before any other signal: receivers read the selection
            self._selection, self._selected = kept, frozenset(kept)
            self.selectionChanged.emit()
        run: list[int] = []
        batch = Changes() if sum(c.kind in annotation_batch.KINDS for c in changes) >= BATCH_AT else None
        images_changed = False
        for change in [*changes, None]:
            if batch is not None and change is not None and change.kind in annotation_batch.KINDS:
                batch.append(change)
                continue
            if batch:
                self.annotationsBatch.emit(batch)
                batch = Changes()
            if change is not None and change.kind == edits.CATEGORY:
                run.append(change.category_id)
                continue
            if run:
                self._categories_changed(run)
                run = []
            if change is None:
                break
            kind, image_id, ann_id = change.kind, change.image_id, change.annotation_id
            if kind == edits.ANNOTATION_ADDED:
                self.annotationAdded.emit(image_id, ann_id)
            elif kind == edits.ANNOTATION_CHANGED:
                self.annotationChanged.emit(image_id, ann_id)
            elif kind == edits.ANNOTATION_REMOVED:
                self.annotationRemoved.emit(image_id, ann_id)
            elif kind == edits.ANNOTATION_ORDER:
                self.annotationsRestacked.emit(image_id)
            elif kind == edits.IMAGE:
                self.imageStatusChanged.emit(image_id)
            elif kind in (edits.IMAGE_ADDED, edits.IMAGE_REMOVED, edits.IMAGE_MOVED):
                images_changed = True
            elif kind == edits.REFERENCE:
                self.referenceChanged.emit()
        if images_changed:  # once, after the annotations of removed images are gone
            self._shown_names = None
            self.imagesChanged.emit()
            if self.current_image_id not in self.project.images:
                self.set_current_image(next(iter(self.project.images), -1))

    def _categories_changed(self, category_ids: list[int]) -> None:
        cats = self.project.categories
        if self.current_category_id == -1:
            self.current_category_id = next((c for c in category_ids if c in cats), -1)
        elif self.current_category_id not in cats:
            self.current_category_id = min(cats, default=-1)
            self.currentCategoryChanged.emit(self.current_category_id)
        self.categoriesChanged.emit()
