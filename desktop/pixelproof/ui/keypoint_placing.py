"""Edit > Place Keypoints on Object (Alt+K, also in the canvas's object menu): the selected object, which has
no keypoints but whose category names them (COCO ``keypoints``) or which belongs to a YOLO pose dataset
(``kpt_shape``), is given them one click each, in the category's order, as CVAT's and Label Studio's skeleton
placing do. The status bar names the next point; Shift+Space skips it (not labelled; Space alone pans, as
everywhere on the canvas); Esc stops, keeping the points placed so far (the rest not labelled). The points are
drawn as they are placed (the canvas's ``KeypointLayer``) and stored as one undo step
(``core.keypoints.with_new_keypoints``) when the last is placed or skipped, or Esc stops.
The placing runs inside the select tool (V), which hands it its presses and keys while ``placing`` is set;
changing tool or image ends it as Esc does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.keypoints import names_to_place, with_new_keypoints
from pixelproof.core.model import Annotation
from pixelproof.interop.yolo_writer import POSE_KEY
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

SKIP_KEY = "Shift+Space"  # a point skipped (not labelled): the canvas takes Space alone for panning


def placeable(doc, ann: Annotation) -> list[str] | None:  # type: ignore[no-untyped-def]
    """The names of the keypoints ``ann`` may be given (``core.keypoints.names_to_place``), or None."""
    return names_to_place(ann, doc.project.categories.get(ann.category_id), doc.project.extra.get(POSE_KEY))


class Placing:
    """One object's keypoints being placed: ``points`` so far (None: skipped), the next one's name."""

    def __init__(self, canvas, ann: Annotation, names: list[str]) -> None:  # type: ignore[no-untyped-def]
        self.canvas = canvas
        self.ann_id = ann.id
        self.image_id = canvas.image_id
        self.names = names
        self.points: list[tuple[float, float] | None] = []

    def text(self) -> str:
        """The status bar's line: which point a click places next, and the keys."""
        n = len(self.points)
        return (
            f"Place keypoints of #{self.ann_id}: click {self.names[n]} ({n + 1} of {len(self.names)}); "
            f"{SKIP_KEY}: skip it (not labelled), Esc: stop"
        )

    def place(self, x: float, y: float) -> bool:
        """The next point at (x, y) image pixels; True when that was the last (stored)."""
        return self._add((x, y))

    def skip(self) -> bool:
        """The next point not labelled; True when that was the last (stored)."""
        return self._add(None)

    def _add(self, point: tuple[float, float] | None) -> bool:
        self.points.append(point)
        if len(self.points) == len(self.names):
            self.finish()
            return True
        self._draw()
        self.canvas.message.emit(self.text())
        return False

    def _object(self) -> tuple[Annotation, object, object] | None:
        doc = self.canvas.document
        ann = doc.project.annotations.get(self.ann_id) if doc is not None else None
        image = doc.project.images.get(self.image_id) if doc is not None else None
        if ann is None or image is None or self.canvas.image_id != self.image_id:
            return None
        return ann, image, doc.project.categories.get(ann.category_id)

    def _with(self, points: list[tuple[float, float] | None]) -> Annotation | None:
        found = self._object()
        if found is None:
            return None
        ann, image, category = found
        pose = self.canvas.document.project.extra.get(POSE_KEY)
        full = points + [None] * (len(self.names) - len(points))
        try:
            return with_new_keypoints(ann, image, category, pose, full)
        except ValueError:
            return None

    def _draw(self) -> None:
        """The points placed so far drawn (nothing stored)."""
        draft = self._with(self.points)
        if draft is not None and self.canvas.keypoints is not None:
            self.canvas.keypoints.update_object(draft)

    def finish(self) -> None:
        """The points placed stored as one undo step (none placed: nothing stored, nothing drawn)."""
        found = self._object()
        placed = self._with(self.points) if any(p is not None for p in self.points) else None
        if placed is not None:
            self.canvas.document.push(ReplaceAnnotations([placed], "Place keypoints"))
            n = sum(1 for p in self.points if p is not None)
            self.canvas.message.emit(f"#{self.ann_id}: {n} of {len(self.names)} keypoints placed")
        elif found is not None and self.canvas.keypoints is not None:
            self.canvas.keypoints.update_object(found[0])  # the draft's points gone


class PlaceKeypoints(QObject):
    """The Edit menu's and the object menu's Place Keypoints on Object (see the module's docstring)."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.act = make_action(
            "edit.place_keypoints",
            shell.widget,
            self.start,
            tip="Give the selected object its category's keypoints: click each in turn "
            f"({SKIP_KEY} skips one, Esc stops)",
        )
        shell.add_action(self.act)

    def start(self) -> None:
        """Place the selected object's keypoints with the select tool, or say why it cannot be."""
        doc, canvas = self.shell.document, self.shell.canvas
        anns = doc.selected_annotations() if doc is not None else []
        if len(anns) != 1:
            self.shell.status("Select one object to place its keypoints", 3000)
            return
        names = placeable(doc, anns[0])
        if names is None:
            has = anns[0].extra.get("keypoints") is not None or anns[0].extra.get("yolo") is not None
            why = "has keypoints: drag them to move them" if has else "its category names no keypoints"
            self.shell.status(f"#{anns[0].id} {why}", 4000)
            return
        if canvas.tool is None or canvas.tool.name != "select":
            self.shell.choose_tool("select")
        canvas.tool.start_placing(Placing(canvas, anns[0], names))
