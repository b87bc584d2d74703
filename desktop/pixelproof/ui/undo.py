"""The undo stack's one command: a thin adapter that puts a core edit (``pixelproof.core.edits``) on the
Document's QUndoStack. Redo applies the edit, undo reverts it, the Document turns what it touched into
signals; the adapter only adds what is a view's business: which objects end up selected, which image an
undo or redo shows (the one image the step changed, switched to before the step is undone or redone, so the
canvas hears its objects as edits of the shown image; a step across several images stays on the shown
image), and folding consecutive steps of one gesture (arrow-key nudges) into one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from pixelproof.core.edits import Compound, Edit
from pixelproof.core.names import shown_name

if TYPE_CHECKING:
    from pixelproof.ui.document import Document

_MERGE_IDS = {"nudge": 1}  # kinds of edit whose consecutive steps on the same objects are one undo step


class UndoEdit(QUndoCommand):
    """``edit`` as an undo step. After redo the edit's ``focus`` is selected; after undo its
    ``revert_focus``, else the selection from before (when the edit had a focus), else nothing changes."""

    def __init__(self, doc: Document, edit: Edit, merge: str | None = None) -> None:
        super().__init__(shown_name(edit.label))  # one line in the Edit menu, whatever a label quotes
        self.doc = doc
        self.edit = edit
        self.merge = merge
        self._selection_before = doc.selection
        # what the edit set off (``Document.follow_up``): an image starts, the fills next to a key follow it
        self._follow_up: Edit | None = None
        self._done = False  # applied once: a later redo is the user's, and shows the image it changes
        self._image: int | None = None  # the one image the first apply changed (None: several, or none)
        self.refused: ValueError | None = None  # why the first apply refused the edit (it is then dropped)

    def redo(self) -> None:
        if self._done:
            self.doc.show_step_image(self._image)
        try:
            changes = [self.doc.apply_edit(self.edit)]
        except ValueError as e:
            if self._done:
                raise
            # refused before it changed anything (a locked object, the project changed meanwhile): obsolete,
            # the stack drops it instead of keeping a step that never happened (``Document.push`` says why)
            self.refused = e
            self.setObsolete(True)
            return
        if not self._done:  # worked out once: a redo brings back the same objects, with the same ids
            self._follow_up = self.doc.follow_up(self.edit, changes[0])
        if self._follow_up is not None:
            changes.append(self.doc.apply_edit(self._follow_up))
        # the image of the edit itself: a refill's frames around a key are not where the step happened
        if self._done:  # an image the redo brought back (it was not there to be shown before)
            self.doc.show_step_image(self.doc.changed_image(changes[:1]))
        else:
            self._image = self.doc.changed_image(changes[:1])
        self._done = True
        if self.edit.focus is not None:
            self.doc.set_selection(self.edit.focus)

    def undo(self) -> None:
        self.doc.show_step_image(self._image)
        changes = []
        if self._follow_up is not None:
            changes.append(self.doc.revert_edit(self._follow_up))
        changes.append(self.doc.revert_edit(self.edit))
        self.doc.show_step_image(self.doc.changed_image(changes[-1:]))  # an image the undo brought back
        if self.edit.revert_focus is not None:
            self.doc.set_selection(self.edit.revert_focus)
        elif self.edit.focus is not None:
            self.doc.set_selection(self._selection_before)

    def id(self) -> int:
        return _MERGE_IDS.get(self.merge, -1)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, UndoEdit) or other.merge != self.merge or other.refused is not None:
            return False
        merge_with = getattr(self.edit, "merge_with", None)
        if merge_with is None or not merge_with(other.edit):
            return False
        # what each nudge set off (the fills next to a key, refilled each time): undone with them, last first
        follow = [f for f in (self._follow_up, other._follow_up) if f is not None]
        self._follow_up = (
            follow[0] if len(follow) == 1 else Compound(follow, "Follow-ups") if follow else None
        )
        return True
