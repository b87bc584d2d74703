"""Edit > Occluded (Q): CVAT's Q, the selected objects' occluded flag on or off from the keyboard, as a
labeler stepping through the objects with S marks the ones partly behind another without going to the
Properties panel's checkbox. One undoable edit, through the same core change as that checkbox
(``core.cvat_attributes.with_occluded``); the status bar says the new state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core.cvat_attributes import is_occluded, with_occluded
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


class ObjectFlags(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.act_occluded = make_action(
            "edit.occluded",
            shell.widget,
            self.toggle_occluded,
            tip="Mark the selected objects occluded (partly hidden behind another), or clear the mark",
        )
        shell.add_action(self.act_occluded)  # (put in the Edit menu by ``ObjectSteps``, after S / Shift+S)

    def toggle_occluded(self) -> None:
        """All selected objects occluded: clear the flag on all; otherwise set it on all (as a checkbox
        showing several objects' mixed state checks them all)."""
        doc = self.shell.document
        anns = doc.selected_annotations() if doc is not None else []
        if doc is None or not anns:
            self.shell.status("Nothing selected to mark occluded (S selects the next object)", 2500)
            return
        on = not all(is_occluded(a) for a in anns)
        changed = [b for a in anns if (b := with_occluded(a, on)) is not None]
        edit = ReplaceAnnotations(changed, "Set occluded" if on else "Clear occluded")
        edit.focus = edit.revert_focus = [a.id for a in anns]  # the selection stays, undone too
        doc.push(edit)
        what = f"#{anns[0].id}" if len(anns) == 1 else f"{len(anns)} objects"
        self.shell.status(f"{what}: occluded {'on' if on else 'off'}", 2500)
