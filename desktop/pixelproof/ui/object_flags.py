"""Edit > Occluded (Q) and Edit > Lock (Alt+L): per-object flags from the keyboard, as CVAT's Q and L.

Q: the selected objects' occluded flag on or off, as a labeler stepping through the objects with S marks the
ones partly behind another without going to the Properties panel's checkbox (the same core change,
``core.cvat_attributes.with_occluded``).

Alt+L (CVAT's L; L here is Show Labels): the selected objects locked or unlocked (``core.object_lock``). A
locked object stays visible and selectable, but the core edits refuse to move, resize, reshape, paint,
reclassify or delete it, so no view and no command can; the canvas shows it without handles, and a refused
gesture (Delete, a drag, a stroke) leaves it as it is and says in the status bar which object is locked and
which key unlocks it. Each toggle is one undoable edit; the status bar says the new state.

Both menu entries are check marks showing the selection's state (checked when every selected object has the
flag, as the toggle then clears it), so Edit > Lock on a locked object reads as such rather than as an
offer to lock it again; they follow the selection, its edits and their undo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core.cvat_attributes import is_occluded, with_occluded
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.keypoints import KeypointsRefused
from pixelproof.core.object_lock import LockedError, is_locked, with_locked
from pixelproof.ui.shortcuts import REGISTRY, make_action

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell


# flag -> (has it, the object with it set or cleared, undo labels (set, clear), whether ``updated`` changes)
FLAGS = {
    "occluded": (is_occluded, with_occluded, ("Set occluded", "Clear occluded"), True),
    "lock": (is_locked, with_locked, ("Lock", "Unlock"), False),
}


def toggle_flag(doc: Document | None, what: str) -> str | None:
    """Set flag ``what`` ("occluded", "lock") on every selected object, or clear it when all have it, as
    one undoable edit that keeps the selection (its undo too): Q, Alt+L and the Properties panel's Locked
    box alike. Returns what the status bar says (``#3 locked``); None when nothing is selected."""
    anns = doc.selected_annotations() if doc is not None else []
    if doc is None or not anns:
        return None
    has, with_flag, labels, touch = FLAGS[what]
    on = not all(has(a) for a in anns)
    changed = [b for a in anns if (b := with_flag(a, on)) is not None]
    edit = ReplaceAnnotations(changed, labels[0] if on else labels[1], touch=touch)
    edit.focus = edit.revert_focus = [a.id for a in anns]  # the selection stays, undone too
    doc.push(edit)
    who = f"#{anns[0].id}" if len(anns) == 1 else f"{len(anns)} objects"
    if what == "lock":
        return f"{who} {'locked' if on else 'unlocked'}"
    return f"{who}: occluded {'on' if on else 'off'}"


class ObjectFlags(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.act_occluded = make_action(
            "edit.occluded",
            shell.widget,
            self.toggle_occluded,
            tip="Mark the selected objects occluded (partly hidden behind another), or clear the mark",
            checkable=True,
        )
        self.act_lock = make_action(
            "edit.lock",
            shell.widget,
            self.toggle_lock,
            tip="Lock the selected objects against moving, reshaping, painting and deleting, or unlock them",
            checkable=True,
        )
        # (put in the Edit menu by ``ObjectSteps``, after S / Shift+S)
        for act in (self.act_occluded, self.act_lock):
            shell.add_action(act)
        self._doc: Document | None = None
        shell.documentChanged.connect(self._follow_document)
        self._follow_document(shell.document)

    def toggle_occluded(self) -> None:
        """All selected objects occluded: clear the flag on all; otherwise set it on all (as a checkbox
        showing several objects' mixed state checks them all)."""
        self._toggle("occluded")

    def toggle_lock(self) -> None:
        """All selected objects locked: unlock all; otherwise lock all (one undo step, ``updated`` kept: the
        objects themselves do not change)."""
        self._toggle("lock")

    def _toggle(self, what: str) -> None:
        said = toggle_flag(self.shell.document, what)
        if said is None:
            self._show_state()  # the click ticked the box: nothing changed, so it goes back
            self.shell.status(f"Nothing selected to {what} (S selects the next object)", 2500)
        else:
            self.shell.status(said, 2500)

    def _follow_document(self, doc: Document | None) -> None:
        if doc is self._doc:
            return
        if self._doc is not None:
            self._doc.editRefused.disconnect(self._refused)
            self._doc.selectionChanged.disconnect(self._show_state)
            self._doc.editAnnounced.disconnect(self._show_state)
        self._doc = doc
        if doc is not None:
            doc.editRefused.connect(self._refused)
            doc.selectionChanged.connect(self._show_state)
            doc.editAnnounced.connect(self._show_state)  # a toggle, its undo, a paste over the selection
        self._show_state()

    def _show_state(self) -> None:
        """Each entry checked when every selected object has its flag (what its toggle would clear)."""
        anns = self._doc.selected_annotations() if self._doc is not None else []
        self.act_occluded.setChecked(bool(anns) and all(is_occluded(a) for a in anns))
        self.act_lock.setChecked(bool(anns) and all(is_locked(a) for a in anns))

    def _refused(self, error: LockedError | KeypointsRefused) -> None:
        """A gesture refused on a locked object: which, and the keys that unlock it; a class change refused
        for the object's keypoints: why (``core.keypoints.require_same_keypoints``)."""
        if isinstance(error, KeypointsRefused):
            self.shell.status(str(error), 6000, kind="warning")
            return
        key = REGISTRY.text("edit.lock") or "Edit > Lock"
        self.shell.status(
            f"#{error.annotation_id} is locked: unlock it ({key}) to {error.doing} it", 4000, kind="warning"
        )
