"""Edit > Propagate… (Ctrl+B, CVAT's) and Edit > Keep Previous Objects (LabelMe's "Keep Previous Annotation"):
objects of the shown image copied onto the following images of a sequence - video frames, slices, photos of
an inspection line - each as one undo step. ``core.propagate`` makes the copies (Paste's copies, no duplicate
of an object already there); this module asks, wires keys and menu, and says what was done.

Propagate asks how many of the following images (those D steps to: the Images list as its filter shows it)
get copies of the selected objects. Keep Previous Objects, a check mark kept in the settings, copies the
objects of the image left onto the next one (D, or a click on the next row) when that one has no object and
is still to do, in the labeling view; stepping back, jumping elsewhere or the review view copies nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QInputDialog

from pixelproof.core import propagate as core
from pixelproof.core.image_order import step_listed
from pixelproof.core.model import IdsExhausted
from pixelproof.core.wording import plural
from pixelproof.ui import dialogs
from pixelproof.ui.object_steps import insert_after
from pixelproof.ui.settings import settings
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

KEEP_KEY = "edit/keep_previous"
UNFINISHED = ("todo", "in_progress")  # image states Keep Previous Objects fills (not done, not reviewed)


class PropagateActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.count = 1  # the last answer: the dialog offers it again
        self._previous = -1  # the image shown before the current one (Keep Previous Objects)
        w = shell.widget
        self.act_propagate = make_action(
            "edit.propagate",
            w,
            self.propagate,
            tip="Copy the selected objects to the next images of the list",
        )
        self.act_keep = make_action(
            "edit.keep_previous",
            w,
            self._set_keep,
            tip="On moving to the next image with no objects, copy the previous image's objects onto it",
            toggled=True,
        )
        self.act_keep.setChecked(settings().value(KEEP_KEY, False, type=bool))
        insert_after(shell, "Edit", "edit.duplicate", [self.act_propagate, self.act_keep])
        for act in (self.act_propagate, self.act_keep):
            shell.add_action(act)
        shell.documentChanged.connect(self._document_changed)
        shell.viewChanged.connect(self._update)
        self._document_changed(shell.document)

    def _document_changed(self, doc: Document | None) -> None:
        self._previous = -1 if doc is None else doc.current_image_id
        if doc is not None:  # the connections go with the document
            doc.selectionChanged.connect(self._update)
            doc.currentImageChanged.connect(self._image_changed)
        self._update()

    def _update(self, *_: object) -> None:
        self.act_propagate.setEnabled(bool(self._selected_ids()))

    def _set_keep(self, on: bool) -> None:
        settings().setValue(KEEP_KEY, on)

    def _selected_ids(self) -> list[int]:
        doc, shell = self.shell.document, self.shell
        if doc is None or doc.current_image_id == -1 or shell.current_view() is not shell.canvas:
            return []
        return [a.id for a in doc.selected_annotations() if a.image_id == doc.current_image_id]

    def _following(self, doc: Document, count: int | None = None) -> list[int]:
        """The ``count`` (None: all) images D steps to from the shown one, one after the other."""
        order = doc.image_ids()
        listed = self.shell.canvas.listed_images()
        return core.following_images(order, order if listed is None else listed, doc.current_image_id, count)

    def propagate(self) -> None:
        """Ask how many following images, then copy the selected objects onto them as one undo step."""
        doc, ids = self.shell.document, self._selected_ids()
        if doc is None or not ids:
            return
        room = len(self._following(doc))
        if room == 0:
            self.shell.status("Nothing to propagate to: this is the last image of the Images list", 6000)
            return
        count, ok = QInputDialog.getInt(
            self.shell.widget,
            "Propagate",
            f"Copy the {plural(len(ids), 'selected object')} to how many of the next images?\n"
            f"({room} after this one in the Images list)",
            min(self.count, room),
            1,
            room,
        )
        if not ok:
            return
        self.count = count
        targets = self._following(doc, count)
        if self.shell.canvas.tool is not None:
            self.shell.canvas.tool.cancel()  # a drawing in progress is dropped, as Paste drops it
        try:
            made = core.propagate(doc.project, doc.current_image_id, ids, targets)
        except IdsExhausted as e:  # no id left for the copies: nothing added
            dialogs.show_error(self.shell.widget, "Propagate", str(e))
            return
        if made.edit is not None:  # the selection stays (its undo too): to propagate it further
            made.edit.focus = made.edit.revert_focus = ids
        reached = f"{len(made.added)} of " if len(made.added) < len(targets) else ""
        images = plural(len(targets), "image") if len(targets) > 1 else "image"
        self._push(
            made, "Propagate", f"Propagated {plural(len(ids), 'object')} to {reached}the next {images}"
        )

    def _image_changed(self, image_id: object) -> None:
        previous, self._previous = self._previous, image_id  # type: ignore[assignment]
        self._update()
        doc, shell = self.shell.document, self.shell
        if not self.act_keep.isChecked() or doc is None or previous == -1 or image_id == -1:
            return
        if shell.current_view() is not shell.canvas:
            return  # a reviewer walking the review view's table labels nothing
        order = doc.image_ids()
        listed = self.shell.canvas.listed_images()
        if step_listed(order, order if listed is None else listed, previous, 1) != image_id:
            return  # not the next image: stepping back or jumping copies nothing
        # after the canvas and panels have taken the new image (they hear the change after this slot)
        QTimer.singleShot(0, self, lambda: self._keep(doc, previous, image_id))  # type: ignore[arg-type]

    def _keep(self, doc: Document, previous: int, image_id: int) -> None:
        if doc is not self.shell.document or doc.current_image_id != image_id:
            return
        project = doc.project
        try:
            made = core.keep_previous(
                project, previous, image_id, lambda i: project.image_status(i) in UNFINISHED
            )
        except IdsExhausted as e:
            dialogs.show_error(self.shell.widget, "Keep Previous Objects", str(e))
            return
        if made is not None and made.edit is not None:
            n = plural(len(made.edit.annotations), "object")
            kept = f"Kept {n} of {doc.shown_file_name(previous)}"
            self._push(
                made, "Keep Previous Objects", f"{kept} (Keep Previous Objects is on; Ctrl+Z takes them back)"
            )

    def _push(self, made: core.Propagated, verb: str, done: str) -> None:
        """Push the copies as one undo step and say what was done and what was left out."""
        parts = []
        if made.identical:
            parts.append(f"{plural(made.identical, 'copy', 'copies')} not made: the same object is there")
        if made.left_out:
            parts.append(f"{plural(made.left_out, 'copy', 'copies')} left out: outside a smaller image")
        notes = "".join(f"; {p}" for p in parts)
        if made.edit is None:
            self.shell.status(f"{verb}: nothing copied{notes}", 8000, "warning")
            return
        try:
            self.shell.document.push(made.edit)
        except ValueError as e:  # refused by the project: nothing added
            self.shell.status(f"{verb}: {e}", 10000, "warning")
            return
        self.shell.status(done + notes, 10000)
