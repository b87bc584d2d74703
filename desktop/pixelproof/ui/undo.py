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

from pixelproof.core.edits import Edit
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
        self._follow_up: Edit | None = None  # what the edit set off: an image starts ("in progress")
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
        self._follow_up = self.doc.started_images(changes[0])
        if self._follow_up is not None:
            changes.append(self.doc.apply_edit(self._follow_up))
        if self._done:  # an image the redo brought back (it was not there to be shown before)
            self.doc.show_step_image(self.doc.changed_image(changes))
        else:
            self._image = self.doc.changed_image(changes)
        self._done = True
        if self.edit.focus is not None:
            self.doc.set_selection(self.edit.focus)

    def undo(self) -> None:
        self.doc.show_step_image(self._image)
        changes = []
        if self._follow_up is not None:
            changes.append(self.doc.revert_edit(self._follow_up))
        changes.append(self.doc.revert_edit(self.edit))
        self.doc.show_step_image(self.doc.changed_image(changes))  # an image the undo brought back
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
        return merge_with is not None and merge_with(other.edit)
