"""Edit > Bring to Front (+) / Send to Back (-): which of overlapping objects is drawn on top, as CVAT's
+ and - and LabelMe's shape order. The stacking is the image's order of objects (``core.edits.stacking``):
the canvas draws it, a click takes the object in front first (``hit_test.front_first``), the Annotations
panel lists it back to front and the mask exports paint it so the front object keeps a shared pixel. Each
is one named undo step that keeps the selection; the status bar says what moved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core.edits import restack
from pixelproof.core.wording import plural
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


class ObjectOrder(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        w = shell.widget
        self.act_front = make_action(
            "edit.bring_to_front",
            w,
            lambda: self.move(front=True),
            tip="Draw the selected objects over the others they overlap: a click there takes them first",
        )
        self.act_back = make_action(
            "edit.send_to_back",
            w,
            lambda: self.move(front=False),
            tip="Draw the selected objects under the others: a click there takes the others first",
        )
        for act in (self.act_front, self.act_back):
            shell.add_action(act)

    def move(self, front: bool) -> None:
        """The selected objects of the shown image to the front (``front``) or the back, one undo step."""
        doc, canvas = self.shell.document, self.shell.canvas
        if doc is None or doc.current_image_id == -1 or self.shell.current_view() is not canvas:
            return
        ids = [a.id for a in doc.selected_annotations() if a.image_id == doc.current_image_id]
        where = "front" if front else "back"
        if not ids:
            self.shell.status(f"Select the objects to move to the {where} first", 2500)
            return
        edit = restack(doc.project, ids, front)
        who = f"#{ids[0]}" if len(ids) == 1 else plural(len(ids), "object")
        if edit is None:
            self.shell.status(f"{who} already at the {where}", 2500)
            return
        doc.push(edit)
        self.shell.status(f"{who} moved to the {where}", 2500)
