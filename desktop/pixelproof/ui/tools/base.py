"""The tool base class: what the canvas calls, and what a tool may use."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeyEvent, QWheelEvent

from pixelproof.core.coco import new_category
from pixelproof.core.edits import (
    AddCategory,
    Compound,
    Edit,
    RemoveAnnotations,
    ReplaceAnnotations,
    paint_edit,
)
from pixelproof.core.geometry import clamp_delta, translated, union_bbox
from pixelproof.core.model import IdsExhausted
from pixelproof.core.names import shown_name
from pixelproof.core.qa_objects import image_spacing
from pixelproof.ui import dialogs
from pixelproof.ui.new_project import DEFAULT_CATEGORY
from pixelproof.ui.tools.paint_options import OPTIONS

if TYPE_CHECKING:
    from pixelproof.core.mask_edit import Patch
    from pixelproof.core.model import Annotation, Category
    from pixelproof.ui.canvas.tool_event import ToolEvent
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.document import Document


NUDGE_KEYS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


class Tool(QObject):
    """One editing mode. The canvas keeps navigation (zoom, pan, window/level) and calls the tool for
    left-button events and keys, with positions in image pixels. A tool never changes the Project
    directly: it builds core edits (``core.edits``) and ``self.document.push``es them."""

    name: ClassVar[str] = "tool"  # settings key, objectName of the action; ui.shortcuts id "tool.<name>"
    icon: ClassVar[str] = ""  # resources/icons/<icon>.svg
    tooltip: ClassVar[str] = ""  # one line: what it does and how
    cursor: ClassVar[Qt.CursorShape] = Qt.CursorShape.ArrowCursor
    sized: ClassVar[bool] = False  # [ / ] and Shift+wheel on the canvas step its size (``step_size``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every tool's event handlers refuse a new object, class or mask whose id would pass 2**63 - 1
        (``IdsExhausted``, raised before anything is pushed) with a message, the gesture dropped."""
        super().__init_subclass__(**kwargs)
        for name in ("press", "move", "release", "double_click", "key_press", "context_menu"):
            if name in cls.__dict__:
                setattr(cls, name, refusing_when_ids_run_out(cls.__dict__[name]))

    def __init__(self, canvas: CanvasView) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self._drawn_category: tuple[Document, AddCategory] | None = None  # to add with the drawing (``push``)

    @property
    def document(self) -> Document | None:
        return self.canvas.document

    def ensure_category(self) -> int | None:
        """The category id new objects get: the current one, else the first; a project without any gets one
        named "object" to rename later, so drawing is never refused - added with what is drawn (``push``),
        one undo step. None without a document."""
        category = self.category_to_draw()
        return None if category is None else self.add_drawn_category(category, self.adds(category))

    def adds(self, category: Category) -> bool:
        """Whether ``category`` (from ``category_to_draw``) is a new one, not in the project yet."""
        doc = self.document
        return doc is not None and category.id not in doc.project.categories

    def category_to_draw(self) -> Category | None:
        """The category a new object gets: the current one, else the first (made current). A project without
        any gets a new "object" - made here but not added: ``add_drawn_category`` adds it once something is
        drawn, so a stroke or a wand click that paints nothing (wholly outside the image) creates nothing.
        None without a document."""
        doc = self.document
        if doc is None:
            return None
        cats = doc.project.categories
        if doc.current_category_id not in cats and cats:
            doc.set_current_category(next(iter(cats)))
        if doc.current_category_id in cats:
            self._show_current_category()
            return cats[doc.current_category_id]
        return new_category(doc.project, DEFAULT_CATEGORY)

    def add_drawn_category(self, category: Category, adds: bool) -> int | None:
        """The id of ``category`` (from ``category_to_draw``) for the object about to be drawn; when it
        ``adds`` a new one (see ``adds``, asked when the drawing began), the next ``push`` adds it with the
        drawing, in the same undo step (one Ctrl+Z takes back both), and makes it current. None when the
        document is gone. Its id taken meanwhile (a box drawn while a wand fill ran) by a category of its
        name: that one; by another (the Categories panel): a fresh "object"."""
        self._drawn_category = None
        doc = self.document
        if doc is None:
            return None
        cats = doc.project.categories
        if not adds:
            return category.id
        if category.id in cats:
            if cats[category.id].name == category.name:
                return category.id
            category = new_category(doc.project, DEFAULT_CATEGORY)
        self._drawn_category = (doc, AddCategory(category))
        return category.id

    def push(self, edit: Edit) -> None:
        """Push what a gesture drew: every drawing tool's one way to the undo stack. The category
        ``add_drawn_category`` made for it goes first in the same undo step, named as the drawing (the first
        object of a project without categories: one Ctrl+Z, one Ctrl+Shift+Z for both)."""
        doc = self.document
        pending, self._drawn_category = self._drawn_category, None
        if doc is None:
            return
        if pending is None or pending[0] is not doc:
            doc.push(edit)
            return
        added = pending[1].category
        doc.push(Compound([pending[1], edit], edit.label, focus=edit.focus))
        if added.id in doc.project.categories:
            doc.set_current_category(added.id)
            self.canvas.message.emit(
                f"New category “{DEFAULT_CATEGORY}” for what you draw: rename it in the Categories panel"
            )

    def _show_current_category(self) -> None:
        """What is drawn is seen: a category hidden in Masks > Categories is shown again when drawn with
        (its new object would be invisible, even while drawn)."""
        if self.canvas.reveal_categories([self.document.current_category_id]):
            self.canvas.message.emit(f"{self.category_name()} was hidden: shown again to draw with it")

    def push_paint(
        self, ann: Annotation, patch: Patch, label: str, *, is_new: bool, after_rle: dict | None = None
    ) -> None:
        """Push a stroke or wand click on ``ann``; one leaving no pixel deletes the object (and says so)."""
        edit = paint_edit(ann, patch, label, is_new=is_new, after_rle=after_rle)
        if isinstance(edit, RemoveAnnotations):
            self.canvas.message.emit(f"{self.describe(ann)}: no pixel left, deleted (Ctrl+Z brings it back)")
        self.push(edit)

    def target_text(self) -> str:
        """The status bar's line saying what the tool will draw into ("" when it draws nothing)."""
        return ""

    def missing(self) -> str:
        """What the tool lacks to draw now ("" when nothing; the assist tool's model): the Annotations
        panel's hint says it instead of a gesture that would do nothing."""
        return ""

    def selected_mask(self) -> Annotation | None:
        """The one selected mask of the shown image: what the brush and the wand paint into when they touch
        it (or with Ctrl), what the eraser erases from."""
        doc = self.document
        if doc is None:
            return None
        sel = [a for a in doc.selected_annotations() if a.image_id == self.canvas.image_id]
        return sel[0] if len(sel) == 1 and sel[0].kind == "mask" else None

    def mask_under(self, e: ToolEvent) -> Annotation | None:
        """The mask a click of the select tool picks at ``e`` (in front there), None if not a mask: what
        the eraser and the wand's Shift+click work on when no mask is selected."""
        ann_id, _ = self.canvas.annotation_at(e.view_pos)
        ann = self.document.project.annotations.get(ann_id) if ann_id is not None else None
        return ann if ann is not None and ann.kind == "mask" else None

    def describe(self, ann: Annotation) -> str:
        """``#12 cat`` for the status bar."""
        cat = self.document.project.categories.get(ann.category_id)
        return f"#{ann.id} {shown_name(cat.name) if cat else '?'}"

    def category_name(self) -> str:
        """The category new objects get (the first drawn object makes one when the project has none)."""
        doc = self.document
        cat = doc.project.categories.get(doc.current_category_id) if doc is not None else None
        if cat is None and doc is not None and doc.project.categories:
            cat = next(iter(doc.project.categories.values()))
        return f"“{shown_name(cat.name)}”" if cat is not None else f"“{DEFAULT_CATEGORY}”"

    def spacing(self) -> tuple[float, float] | None:
        """The shown image's pixel spacing (row, column) in mm, as the status bar's position uses it: a
        length or a box's sides are said in mm (µm) too with it."""
        doc = self.document
        image = doc.project.images.get(self.canvas.image_id) if doc is not None else None
        return image_spacing(image) if image is not None else None

    def busy(self) -> bool:
        """A gesture is in progress (Esc cancels it rather than clearing the selection)."""
        return False

    def category_chosen(self) -> bool:
        """The category of new objects was chosen (a digit key, the toolbar) mid-gesture: True when it went
        to the new object being drawn, whose category it is - the selection (the object drawn before, still
        selected) then keeps its own."""
        return False

    def undo_gesture(self) -> bool:
        """Ctrl+Z: take back the last step of the gesture in progress (here: all of it); False when none
        is in progress (the undo stack's last edit is undone instead)."""
        if not self.busy():
            return False
        self.cancel()
        return True

    def follow(self) -> None:
        """The selection or the objects changed (an edit, an undo, a pick in a panel): a tool that marks
        the selection on the canvas (the select tool's vertex handles) follows."""

    def activate(self) -> None:
        """The tool was chosen."""

    def deactivate(self) -> None:
        """Another tool was chosen: drop any half-done work."""
        self.cancel()

    def leave_image(self) -> None:
        """Another image is about to be shown (the canvas still shows this one): a tool finishes here what
        it would lose otherwise (the polygon tool's outline). ``cancel`` follows."""

    def finish_pending(self, why: str) -> None:
        """The project is about to be saved or closed (``why``: "before saving"): a tool makes an edit of
        what it would lose otherwise (the polygon tool's outline), so it is saved, or asked about."""

    def cancel(self) -> None:
        """Abandon the gesture in progress (Esc, image change, tool change) without any edit."""

    def pointer_left(self) -> None:
        """The pointer left the canvas (to a panel, the toolbar): what follows it (the brush ring) goes,
        until it is back."""

    def press(self, e: ToolEvent) -> None:
        pass

    def move(self, e: ToolEvent) -> None:
        pass

    def release(self, e: ToolEvent) -> None:
        pass

    def double_click(self, e: ToolEvent) -> None:
        pass

    def wheel(self, event: QWheelEvent) -> bool:
        """Return True when the wheel event was used (the canvas zooms otherwise): Shift+wheel steps the
        size of a ``sized`` tool (plain wheel stays zoom)."""
        if not self.sized or not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return False
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.step_size(1 if delta > 0 else -1)
        return True

    def step_size(self, direction: int) -> None:
        """[ / ] (Masks > Brush Smaller / Larger, in every tool) and a ``sized`` tool's Shift+wheel: the
        brush width one step up (``direction > 0``) or down, said in the status bar as the toolbar's box
        shows it; the wand steps its tolerance instead (``FillTool``)."""
        OPTIONS.step_width(direction)
        brush = "Eraser" if self.name == "eraser" else "Brush"  # one width: the toolbar box's name for it
        self.canvas.message.emit(f"{brush} width: {OPTIONS.width} px ([ / ] or Shift+wheel)")

    def context_menu(self, e: ToolEvent) -> bool:
        """Right press: return True when the tool showed a menu (the canvas does window/level otherwise)."""
        return False

    def wants_key(self, event: QKeyEvent) -> bool:
        """Return True to get a key that is also a window shortcut (e.g. Backspace) in ``key_press``."""
        return False

    def key_press(self, event: QKeyEvent) -> bool:
        """Return True when the key was used. Esc cancels the gesture in progress, else deselects; the
        arrows move the selection in every tool (a box just drawn with B, still selected), not mid-gesture."""
        if event.key() == Qt.Key.Key_Escape:
            if self.busy():
                self.cancel()
            elif self.document is not None:
                self.document.set_selection([])
            return True
        if event.key() in NUDGE_KEYS and not self.busy():
            self.nudge(event)
            return True
        if self.sized and event.key() in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            self.step_size(1 if event.key() == Qt.Key.Key_BracketRight else -1)
            return True
        return False

    def nudge(self, event: QKeyEvent) -> None:
        """An arrow key: the selection 1 px that way (Shift: 10 px), kept inside the image; the nudges in a
        row are one undo step."""
        doc = self.document
        if doc is None or not doc.selection:
            return
        step = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
        dx, dy = (v * step for v in NUDGE_KEYS[event.key()])
        h, w = self.canvas.image_size()
        dx, dy = clamp_delta(union_bbox(doc.selected_annotations()), dx, dy, w, h)
        if dx or dy:
            moved = [translated(a, dx, dy, w, h) for a in doc.selected_annotations()]
            doc.push(ReplaceAnnotations(moved, "Nudge"), merge="nudge")


def refusing_when_ids_run_out(handler: Callable[..., Any]) -> Callable[..., Any]:
    """``handler`` showing ``IdsExhausted`` as a message (the project and the way on) instead of a traceback:
    the gesture is cancelled, nothing was added. Every event handler has it (``Tool.__init_subclass__``); a
    slot that takes an id later (a worker's answer) is decorated with it."""

    @functools.wraps(handler)
    def handle(self: Tool, *args: Any) -> Any:
        try:
            return handler(self, *args)
        except IdsExhausted as e:
            self._drawn_category = None  # nothing drawn: no category either
            self.cancel()
            dialogs.show_error(self.canvas.window(), "Nothing added", str(e))
            return True  # the event was used

    return handle
