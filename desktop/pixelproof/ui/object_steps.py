"""Edit > Select Next Object (S) / Select Previous Object (Shift+S): the objects of the shown image one after
the other from the keyboard, as CVAT's Tab / Shift+Tab cycles its objects (Tab here goes through the panels,
for people who do not use a mouse); View > Zoom to Selection (Z) shows the one stepped to up close. With an
object selected, a digit key sets its class, K / J accept or reject it, Del deletes it and the arrows nudge
it: a labeler checks an image object by object without leaving the canvas. The order is the Annotations
panel's; what the canvas does not draw (a hidden category, a proposal under the Model panel's Show slider,
everything while H hides the objects) is passed over, as a click or Select All passes it over. An object out
of the view is brought into it, the zoom kept. S does nothing while a drawing is in progress (a polygon's
outline); Z does, as the wheel zooms then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QAction

from pixelproof.core.model import Annotation
from pixelproof.core.names import shown_name
from pixelproof.ui.keypoint_placing import PlaceKeypoints
from pixelproof.ui.object_flags import ObjectFlags
from pixelproof.ui.object_menu import ObjectMenu
from pixelproof.ui.object_order import ObjectOrder
from pixelproof.ui.object_visibility import ObjectVisibility
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


class ObjectSteps(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        w = shell.widget
        self.act_next = make_action(
            "edit.next_object", w, lambda: self.step(1), tip="Select the next object of the image"
        )
        self.act_previous = make_action(
            "edit.previous_object", w, lambda: self.step(-1), tip="Select the previous object of the image"
        )
        self.act_zoom = make_action(
            "view.zoom_selection", w, self.zoom_to_selection, tip="Zoom to the selected objects"
        )
        for act in (self.act_next, self.act_previous, self.act_zoom):
            shell.add_action(act)
        # Q marks the object stepped to occluded, Alt+L locks it: their items beside S / Shift+S
        self.flags = ObjectFlags(shell)
        self.order = ObjectOrder(shell)  # + / -: Bring to Front, Send to Back
        self.keypoints = PlaceKeypoints(shell)  # Alt+K: the selected object's keypoints, one click each
        steps = [self.act_next, self.act_previous, self.flags.act_occluded, self.flags.act_lock]
        steps += [self.keypoints.act]
        steps += [self.order.act_front, self.order.act_back]
        insert_after(shell, "Edit", "edit.select_all", steps)
        insert_after(shell, "View", "view.actual_pixels", [self.act_zoom])
        self.visibility = ObjectVisibility(
            shell
        )  # Shift+H hides the selected objects, Alt+Shift+H shows them
        self.menu = ObjectMenu(shell)  # a right click on the canvas: these actions, Copy, Delete... there

    def shown_objects(self) -> list[Annotation]:
        """The objects of the shown image the canvas draws, in the image's (the Annotations panel's) order."""
        doc, canvas = self.shell.document, self.shell.canvas
        if doc is None or doc.current_image_id == -1 or self.shell.current_view() is not canvas:
            return []  # (Annotators Side by Side, a labeling view too, shows no canvas to select on)
        drawn = canvas.show_filter.shows_annotation
        return [a for a in doc.project.annotations_of(doc.current_image_id) if drawn(a)]

    def step(self, step: int) -> None:
        """Select the object after (``step`` 1) the last selected one, or before (-1) the first; from the
        last back to the first (and the other way): a round of the image, as CVAT's Tab goes."""
        doc, tool = self.shell.document, self.shell.canvas.tool
        if tool is not None and tool.busy():
            # a polygon half drawn: the selection moving under it (and K / J, 1-9 then acting on another
            # object than the one the labeler sees being drawn) is not what S meant mid-outline
            self.shell.status("Finish the drawing (Enter) or cancel it (Esc) before selecting another object")
            return
        objects = self.shown_objects()
        if doc is None or not objects:
            some = (
                doc is not None
                and doc.current_image_id != -1
                and doc.project.annotations_of(doc.current_image_id)
            )
            self.shell.status("No object shown to select" if some else "No object on this image", 2500)
            return
        ids = [a.id for a in objects]
        selected = set(doc.selection)
        chosen = [n for n, i in enumerate(ids) if i in selected]
        if not chosen:
            at = 0 if step > 0 else len(ids) - 1
        else:
            at = (chosen[-1] + 1 if step > 0 else chosen[0] - 1) % len(ids)
        ann = objects[at]
        doc.set_selection([ann.id])
        self._bring_into_view(ann)
        cat = doc.project.categories.get(ann.category_id)
        name = shown_name(cat.name) if cat is not None else "no category"
        self.shell.status(f"#{ann.id} {name}: object {at + 1} of {len(ids)}", 2500)

    def zoom_to_selection(self) -> None:
        """Z: the selected objects shown with their surroundings (``CanvasView.zoom_to``, as a double-click
        on an Annotations row); a speck of a defect stepped to with S is read at a zoom that shows it."""
        doc, canvas = self.shell.document, self.shell.canvas
        if doc is None or doc.current_image_id == -1 or self.shell.current_view() is not canvas:
            return
        area = canvas.selection_area()
        if area is None:
            self.shell.status("Nothing selected to zoom to (S selects the next object)", 2500)
            return
        canvas.zoom_to(area)

    def _bring_into_view(self, ann: Annotation) -> None:
        """Centre the view on ``ann`` when it is not wholly in it (zoomed in); the zoom stays."""
        canvas = self.shell.canvas
        x, y, w, h = ann.bbox
        seen = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
        area = QRectF(x, y, max(w, 1.0), max(h, 1.0))
        if not seen.contains(area):
            canvas.center_on(area.center())


def insert_after(shell: Shell, menu: str, after_id: str, actions: list[QAction]) -> None:
    """``actions`` in menu ``menu`` just below the action of registry id ``after_id``."""
    found = next(m for m in shell.menus if m.title().replace("&", "") == menu)
    items = found.actions()
    at = next(i for i, a in enumerate(items) if a.property("shortcut_id") == after_id)
    found.insertActions(items[at + 1] if at + 1 < len(items) else None, actions)
