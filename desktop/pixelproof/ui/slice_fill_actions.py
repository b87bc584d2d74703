"""Edit > Fill Between Slices: 3D Slicer's Segment Editor "Fill between slices" for a volume's masks - a
class painted on every few slices, the slices between filled in one undo step (``core.slice_fill``
interpolates; this module wires the menu item, greys it with the reason and says what was done).

It acts on the classes of the selected objects of the shown slice, over that slice's whole volume. It has no
default key (Slicer gives its effect none); Edit > Preferences can give it one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core.model import IdsExhausted
from pixelproof.core.volumes import parse_slice_ref
from pixelproof.core.wording import plural
from pixelproof.ui import dialogs
from pixelproof.ui.object_steps import insert_after
from pixelproof.ui.shortcuts import grey_with_reason, make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

TIP = (
    "Fill the slices between the painted slices of the selected object's class, as 3D Slicer's "
    "Fill between slices: each empty slice between two painted ones gets the shape between theirs"
)
NOT_A_SLICE = "Fill Between Slices works on the slices of a volume (CT, MR, a z-stack): this image is none"
NO_SELECTION = "Select an object of the class to fill between the slices"


class SliceFillActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.act_fill = make_action("edit.fill_between_slices", shell.widget, self.fill, tip=TIP)
        insert_after(shell, "Edit", "edit.keep_previous", [self.act_fill])
        shell.add_action(self.act_fill)

    def refresh(self) -> None:
        """Greyed or not, with the reason: called by ``ClipboardActions`` on the changes its own items follow
        (the document, the view, the selection, the image shown)."""
        grey_with_reason(self.act_fill, self._reason(), TIP)

    def _reason(self) -> str:
        """Why Fill Between Slices cannot act now; "" when it can."""
        doc, shell = self.shell.document, self.shell
        image = doc.current_image if doc is not None else None
        if image is None or shell.current_view() is not shell.canvas:
            return "Open an image of a volume to fill between its slices"
        if parse_slice_ref(image.file_name) is None:
            return NOT_A_SLICE
        return "" if self._classes() else NO_SELECTION

    def _classes(self) -> list[int]:
        """The classes of the selected objects of the shown image, in selection order."""
        doc = self.shell.document
        if doc is None:
            return []
        return list(dict.fromkeys(a.category_id for a in doc.selected_annotations()))

    def fill(self) -> None:
        """Fill the empty slices between the painted ones of the selection's classes (recomputing those an
        earlier fill made and nobody changed since), as one undo step."""
        doc, classes = self.shell.document, self._classes()
        if doc is None or self._reason():
            return
        from pixelproof.core import slice_fill as core  # scipy, taken at the first fill, not at start-up

        names = ", ".join(doc.project.categories[c].name for c in classes)
        ids = core.volume_slices(doc.project, doc.current_image_id)
        if ids is None:
            self.shell.status("Fill Between Slices: this volume has one slice; nothing lies between", 6000)
            return
        if self.shell.canvas.tool is not None:
            self.shell.canvas.tool.cancel()  # a drawing in progress is dropped, as Propagate drops it
        try:
            made = core.fill_between_slices(doc.project, ids, classes)
        except IdsExhausted as e:  # no id left for the new objects: nothing added
            dialogs.show_error(self.shell.widget, "Fill Between Slices", str(e))
            return
        notes = ""
        if made.empty:
            notes += (
                f"; {plural(made.empty, 'slice')} left empty: the painted shapes either side do not overlap"
            )
        if made.other_size:
            notes += (
                f"; {plural(made.other_size, 'slice')} passed over: of another size than the painted slices"
            )
        if made.edit is None:
            if made.keys < 2:
                why = f"{names} is painted on {plural(made.keys, 'slice')} of this volume; paint it on two"
            elif made.unchanged:
                why = (
                    f"the {plural(made.unchanged, 'slice')} filled earlier between the painted slices of "
                    f"{names} already hold their interpolation"
                )
            else:
                why = f"no empty slice lies between the painted slices of {names}"
            self.shell.status(f"Fill Between Slices: nothing filled: {why}{notes}", 8000, "warning")
            return
        gone = set(made.removed)  # a replaced mask that was selected: the selection keeps the others
        made.edit.focus = [a.id for a in doc.selected_annotations() if a.id not in gone]
        made.edit.revert_focus = [a.id for a in doc.selected_annotations()]
        try:
            doc.push(made.edit)
        except ValueError as e:  # refused by the project: nothing added
            self.shell.status(f"Fill Between Slices: {e}", 10000, "warning")
            return
        again = ""
        if made.replaced:  # an earlier fill's untouched masks recomputed (after a painted slice changed)
            again = f", {made.replaced} of them again: their earlier interpolated masks replaced"
            if made.filled < made.replaced:
                replaced = plural(made.replaced, "slice")
                again = f"; the earlier interpolated masks of {replaced} replaced or removed"
        self.shell.status(
            f"Filled {plural(made.filled, 'slice')} of {names} between {plural(made.keys, 'painted slice')}"
            f"{again} (Ctrl+Z takes them back){notes}",
            10000,
        )
