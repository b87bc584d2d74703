"""Assist tool: prompt an interactive backend (grabcut, sam-onnx — chosen in the Model panel).

Left click = positive point, right click = negative point, drag = box. Every change of the prompt asks
the model for a new preview mask in the window's model worker (``ModelSession``; ``prepare`` runs once
per image, e.g. SAM's embedding, as soon as the tool is used on it). Enter adds the preview as one undo
step, Esc drops the prompt. Its key is ``I``; ``M`` picks it too when the chosen backend is interactive
(DESIGN.md §4 gives M to model assist). A click when the model's files changed on disk since it was
loaded loads them again instead, as M does (``ModelSession.reload_if_changed``).

The result takes the current category (like the box and polygon tools) and keeps the model's ``source``
and ``score``; its review is "accepted" — the user looked at the preview and pressed Enter. It is the model's
mask, or with *Result: Polygon* in the tool options bar that mask traced as Masks > Mask -> polygon does.
With Preserve others on, the preview is already cut off the other objects (in the worker): what Enter adds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.geometry import clone, normalized_box, snap_box
from pixelproof.core.model import Annotation, utc_now
from pixelproof.inference.base import Backend, Prompt, PromptError
from pixelproof.ui.import_words import model_words
from pixelproof.ui.tools.assist_preview import prompt_items, shape_items
from pixelproof.ui.tools.assist_shapes import (
    PREVIEW_RGBA,
    Answer,
    Shape,
    as_polygons,
    predict_preview,
    prepare_shown,
)
from pixelproof.ui.tools.base import Tool, refusing_when_ids_run_out
from pixelproof.ui.tools.paint_options import OPTIONS, qt_alive

if TYPE_CHECKING:
    from pixelproof.ui.canvas.tool_event import ToolEvent
    from pixelproof.ui.panels.prelabel.session import ModelSession

MIN_DRAG_SCREEN_PX = 4
NEGATIVE = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier  # + click: a negative point
UNDO_POINT_KEYS = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
ALL_TAKEN = "Assist: every pixel of it is another object's (Preserve others, Shift+P): nothing added"


class AssistTool(Tool):
    name = "assist"
    icon = "tool-assist"
    tooltip = (
        "Interactive model: click = + point, right click (or Shift/Alt+click) = − point, drag = box; "
        "Backspace undoes the last, Enter adds, Esc drops"
    )

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self.points: list[tuple[float, float]] = []
        self.labels: list[int] = []
        self.box: list[float] | None = None
        self.shapes: list[Shape] = []  # the preview of the latest prompt
        self._found = 0  # shapes the model gave for it, before Preserve others cut them
        self._cut: list | None = None  # the objects ``shapes`` were cut off (Preserve others), or None
        self._asked = (False, "mask")  # Preserve others and Result as the latest prompt was asked with
        self._request = 0  # the latest prompt's number; older answers are dropped
        self._shown = -1  # the number of the prompt ``shapes`` answer
        self._busy = False
        self._dirty = False
        self._accept_when_ready = False
        self._prepared: tuple | None = None  # (id(backend), image id, window) already prepared
        self._start: QPointF | None = None
        self._start_view = None
        self._rubber: QGraphicsRectItem | None = None
        self._overlays: list[QGraphicsItem] = []
        self._bound_session: ModelSession | None = None
        self._bound_canvas = False
        self._history: list[tuple[list, list, list[float] | None]] = []  # the prompt before each change
        self._warming = 0  # prepare jobs (SAM's encoder) queued or running: the busy cursor and tool line
        self.error = ""  # the last backend message (also shown in the status bar)
        OPTIONS.listen(self._options_changed)  # held weakly: goes with the tool

    @property
    def session(self) -> ModelSession | None:
        return getattr(self.canvas, "model_session", None)

    def activate(self) -> None:
        s = self.session
        if s is not None and s is not self._bound_session:
            s.changed.connect(self._session_changed)
            self._bound_session = s
        if not self._bound_canvas:
            self.canvas.imageShown.connect(self._image_shown)
            self._bound_canvas = True
        self._warm_up()

    def _image_shown(self, _image_id: int) -> None:
        """The picture's pixels are in: warm up for it, and ask for a prompt made while it was loading."""
        if self.canvas.tool is not self:
            return
        self._warm_up()
        if self.has_prompt() and self._shown != self._request:
            self._ask()

    def _options_changed(self) -> None:
        """Preserve others turned on or off, or the Result changed, while prompting: the preview is asked
        again (the decoder only; the polygon traced in the worker) so it stays what Enter adds."""
        asked = (OPTIONS.preserve_others, OPTIONS.assist_output) == self._asked
        if not self.has_prompt() or asked or not qt_alive(self.canvas):
            return
        if self.canvas.tool is self:
            self._request += 1
            self._ask()

    def _session_changed(self) -> None:
        if self.canvas.tool is self:
            self.cancel()  # a prompt made for another backend means nothing to this one
            self._warm_up()
            self.canvas.hintChanged.emit()  # the status bar's tool line names the backend

    def missing(self) -> str:
        """What keeps a prompt from being answered now and where to see to it ('' when nothing, as
        ``_backend`` decides at a click): the status bar's tool line and the Annotations panel's hint say
        the same."""
        s = self.session
        backend = s.interactive_backend() if s is not None else None
        if s is not None and s.loading:
            return f"{s.loading} is loading (see the Model panel)"
        if backend is None and s is not None and s.failed:
            return f"{s.failed[0]} did not load (the Model panel says why)"
        if backend is None:
            return "no interactive model - choose one in the Model panel"
        if not backend.ready()[0]:  # why: in the Model panel (two lines there, the whole in its tooltip)
            return f"{backend.name} is not ready (the Model panel says why)"
        if s.batch_running:
            return "waits for the pre-labeling batch to finish (or to be cancelled)"
        return ""

    def target_text(self) -> str:
        """The gestures with the chosen backend, or what is missing and where to choose one."""
        missing = self.missing()
        if missing:
            return f"Assist: {missing}"
        name = self.session.interactive_backend().name
        if self._warming:
            return f"Assist ({name}): reading the picture (the model's encoder)… clicks are answered after it"
        return (
            f"Assist ({name}): drag a box around the object, click a point on it, right click a point off "
            "it; Backspace undoes the last, Enter adds the outline, Esc drops it"
        )

    def _backend(self, say: bool = True) -> Backend | None:
        s = self.session
        backend = s.interactive_backend() if s is not None else None
        if backend is None or not backend.ready()[0]:
            if say and s is not None and s.loading:
                self.canvas.message.emit(
                    f"Assist: {s.loading} is loading; click again once the Model panel says Ready"
                )
            elif say and backend is None and s is not None and s.failed:
                name, reason = s.failed
                self.canvas.message.emit(
                    f"Assist: {name} did not load: {reason}; choose another model file in the Model panel"
                )
            elif say and backend is not None:
                reason = backend.ready()[1]
                self.canvas.message.emit(
                    f"Assist: {backend.name} is not ready: {reason}; see the Model panel"
                )
            elif say:
                self.canvas.message.emit("Assist: choose an interactive backend in the Model panel")
            return None
        if s.batch_running:
            if say:
                self.canvas.message.emit("Assist: wait for the pre-labeling batch to finish (or cancel it)")
            return None
        changed = s.reload_if_changed() if say else ""  # a click, as M: never the old model from memory
        if changed:  # the reload drops the prompt (``_session_changed``): made for the old model
            self.canvas.message.emit(f"Assist: {changed}")
            return None
        return backend

    def _warm_up(self) -> None:
        """prepare() for this image in the background before the first click (SAM's embedding)."""
        backend = self._backend(say=False)
        pixels = self._pixels(say=False)
        if backend is None or pixels is None:
            return
        window = self._window()
        key = (id(backend), self.canvas.image_id, window, self._ranges_key())
        if self._prepared == key:
            return
        self._prepared = key
        self._set_warming(+1)
        self.session.submit(
            lambda _r: prepare_shown(backend, pixels, window),
            lambda _result: self._set_warming(-1),
            self._failed_prepare,
        )

    @property  # type: ignore[override]
    def cursor(self) -> Qt.CursorShape:
        """A cross; busy (arrow and hourglass: clicks still work) while the encoder reads the picture."""
        return Qt.CursorShape.BusyCursor if self._warming else Qt.CursorShape.CrossCursor

    def _set_warming(self, step: int) -> None:
        """The encoder runs (or waits) for a picture: a busy cursor over the canvas and the tool line say so;
        the window stays usable (the work is in the model worker)."""
        self._warming = max(0, self._warming + step)
        if self.canvas.tool is self:
            if self.canvas.viewport().cursor().shape() in (
                Qt.CursorShape.CrossCursor,
                Qt.CursorShape.BusyCursor,
            ):
                self.canvas.viewport().setCursor(self.cursor)  # not over a pan's hand
            self.canvas.hintChanged.emit()

    def _pixels(self, say: bool = True) -> np.ndarray | None:
        """The picture's pixels if the model can take them: loaded, whole in memory and of the size the
        project records (a mask of another size would not fit the annotation's image)."""
        loaded, (h, w) = self.canvas.loaded, self.canvas.image_size()
        multichannel = loaded is not None and loaded.channels is not None
        if loaded is None or self.canvas.image_id == -1:
            reason = "the image is still loading"
        elif (
            multichannel
            and isinstance(loaded.raw.planes, np.ndarray)
            and (loaded.height, loaded.width) == (h, w)
        ):
            return loaded.raw.full_composite()  # all channels (as pre-labeling), the view's ranges
        elif not isinstance(loaded.raw, np.ndarray):
            reason = "the picture is shown downsampled or in tiles; the model needs all its pixels"
        elif (loaded.height, loaded.width) != (h, w):
            reason = (
                f"the image is {loaded.width}x{loaded.height} px but the project says {w}x{h}; "
                "the model cannot run on it"
            )
        else:
            return loaded.raw
        if say:
            self.canvas.message.emit(f"Assist: {reason}")
        return None

    def _ranges_key(self) -> bytes:
        """A multichannel picture's display ranges and gamma (Brightness / Contrast): the model sees the
        composite through them, so a change is another picture to prepare (SAM's embedding)."""
        loaded = self.canvas.loaded
        channels = loaded.channels if loaded is not None else None
        return channels.display_key() if channels is not None else b""

    def _window(self) -> tuple[float, float] | None:
        """The view's window/level (what the user sees; None for an 8-bit picture shown as stored), reversed
        for a MONOCHROME1 picture, which the view shows inverted (``shown_window``)."""
        from pixelproof.inference.rgb8_input import shown_window

        loaded = self.canvas.loaded
        if loaded is None:
            return None
        window = (float(loaded.window[0]), float(loaded.window[1]))
        return shown_window(
            loaded.raw, window if window != (0.0, 255.0) or loaded.needs_window else None, loaded.invert
        )

    def _failed_prepare(self, reason: str) -> None:
        self._set_warming(-1)
        self._prepared = None
        self._show_error(reason)

    # -- gestures ----------------------------------------------------------------------------------
    def press(self, e: ToolEvent) -> None:
        if self._backend() is None:
            return
        self._start = e.pos
        self._start_view = e.view_pos

    def move(self, e: ToolEvent) -> None:
        if self._start is None:
            return
        d = e.view_pos - self._start_view
        if self._rubber is None and max(abs(d.x()), abs(d.y())) >= MIN_DRAG_SCREEN_PX:
            self._rubber = QGraphicsRectItem()
            pen = QPen(QColor(*PREVIEW_RGBA[:3]), 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            self._rubber.setPen(pen)
            self.canvas.add_overlay(self._rubber)
        if self._rubber is not None:
            self._rubber.setRect(QRectF(*self._drag_box(e)))

    def _drag_box(self, e: ToolEvent) -> list[float]:
        h, w = self.canvas.image_size()
        return snap_box(normalized_box(self._start.x(), self._start.y(), e.pos.x(), e.pos.y()), w, h)

    def double_click(self, e: ToolEvent) -> None:
        """Qt delivers a quick second click's press (a few px from the first) as a double-click: it is a
        press like any other, so both points count."""
        self.press(e)

    def release(self, e: ToolEvent) -> None:
        if self._start is None:
            return
        dragged = self._rubber is not None
        box = self._drag_box(e)
        self._start = None
        if self._rubber is not None:
            self.canvas.remove_overlay(self._rubber)
            self._rubber = None
        if dragged:
            if box[2] < 1 or box[3] < 1:
                return
        else:
            self._add_point(e.pos, 0 if e.modifiers & NEGATIVE else 1)  # Shift/Alt+click: as a right click
            return
        self._remember()
        self.box = box
        self._prompt_changed()

    def context_menu(self, e: ToolEvent) -> bool:
        """Right click: a negative point (instead of the canvas' window/level drag)."""
        if self._backend() is None:
            return False
        self._add_point(e.pos, 0)
        return True

    def _add_point(self, pos: QPointF, label: int) -> None:
        h, w = self.canvas.image_size()
        if not (0 <= pos.x() < w and 0 <= pos.y() < h):
            return
        self._remember()
        self.points.append((pos.x(), pos.y()))
        self.labels.append(label)
        self._prompt_changed()

    def _remember(self) -> None:
        """Before a point or a box is added: the prompt as it was, for Backspace / Ctrl+Z."""
        self._history.append((list(self.points), list(self.labels), self.box))

    def undo_prompt(self) -> None:
        """Backspace / Ctrl+Z while prompting: the last point (or box) goes, the preview follows (the
        decoder only: the picture's embedding is kept); the first one gone drops the prompt, as Esc."""
        if not self._history:
            self.cancel()
            return
        self.points, self.labels, self.box = self._history.pop()
        if self.has_prompt():
            self._prompt_changed()
        else:
            self.cancel()

    def undo_gesture(self) -> bool:
        """Ctrl+Z while prompting takes back the last point or box, not the whole prompt (nor an edit)."""
        if not self.has_prompt():
            return False
        self.undo_prompt()
        return True

    def wants_key(self, event: QKeyEvent) -> bool:
        """Backspace while prompting undoes a point instead of deleting the selected object."""
        return self.has_prompt() and event.key() in UNDO_POINT_KEYS

    def key_press(self, event: QKeyEvent) -> bool:
        k = event.key()
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return True
        if k in UNDO_POINT_KEYS and self.has_prompt():
            self.undo_prompt()
            return True
        return super().key_press(event)  # Esc: drop the prompt, else deselect

    def busy(self) -> bool:
        return self.has_prompt()

    def has_prompt(self) -> bool:
        return bool(self.points) or self.box is not None

    # -- preview -----------------------------------------------------------------------------------
    def prompt(self) -> Prompt:
        """The prompt in the backends' frame: a point is the pixel clicked (its index, the pixel's centre,
        as SamPredictor and OpenCV take it: scene coordinates minus half a pixel); a box is its edges."""
        box = tuple(self.box) if self.box is not None else None
        points = tuple((x - 0.5, y - 0.5) for x, y in self.points)
        return Prompt(points, tuple(self.labels), box)  # type: ignore[arg-type]

    def _prompt_changed(self) -> None:
        self._request += 1
        self._accept_when_ready = False
        self._draw_prompt()
        self._ask()

    def _ask(self) -> None:
        if self._busy:
            self._dirty = True  # asked again when the running answer arrives: the latest prompt wins
            return
        backend = self._backend()
        if backend is None or not self.has_prompt():
            return
        pixels = self._pixels()
        if pixels is None:
            return
        try:
            prompt = self.prompt()
        except PromptError as e:
            self._show_error(str(e))
            return
        window = self._window()
        key = (id(backend), self.canvas.image_id, window, self._ranges_key())
        prepare = self._prepared != key
        self._prepared = key
        request, image_id = self._request, self.canvas.image_id
        self._asked = (OPTIONS.preserve_others, OPTIONS.assist_output)
        others = self._others() if OPTIONS.preserve_others else None
        polygon = OPTIONS.assist_output == "polygon"
        self._busy, self._dirty = True, False
        self.session.submit(
            lambda _r: predict_preview(backend, pixels, prompt, prepare, window, others, polygon),
            lambda answer: self._answered(request, image_id, answer),  # type: ignore[arg-type]
            lambda reason: self._answer_failed(request, reason),
        )

    def _others(self) -> tuple[list, list] | None:
        """The image's objects, for the worker to cut the preview off: the project's (to tell at Enter
        whether they changed since) and copies (the worker reads them while the user may edit)."""
        doc = self.document
        if doc is None:
            return None
        originals = doc.project.annotations_of(self.canvas.image_id)
        return originals, [clone(a) for a in originals]

    @refusing_when_ids_run_out  # an Enter pressed before the answer adds the preview here, taking ids
    def _answered(self, request: int, image_id: int, answer: Answer) -> None:
        self._busy = False
        if request == self._request and image_id == self.canvas.image_id:
            self.shapes, self._found, self._cut = answer.shapes, answer.found, answer.cut
            self._shown = request
            self.error = ""
            self._draw_preview()
            if answer.found and not answer.shapes:
                self.canvas.message.emit(ALL_TAKEN)
            elif not answer.shapes:
                self.canvas.message.emit("Assist: nothing found there; add points or redraw the box")
            if self._accept_when_ready:
                self._accept_when_ready = False
                self.accept()
        if self._dirty and self.canvas.tool is self:
            self._ask()

    def _answer_failed(self, request: int, reason: str) -> None:
        self._busy = False
        if request == self._request:  # an older prompt's failure keeps an Enter pressed for the latest
            self._accept_when_ready = False
            self._show_error(reason)
        if self._dirty and self.canvas.tool is self:
            self._ask()

    def _show_error(self, reason: str) -> None:
        self.error = reason = model_words(reason)  # a backend's reason names prelabel's flags
        self.canvas.message.emit(f"Assist: {reason}")

    def is_busy(self) -> bool:
        return self._busy

    def preview_ready(self) -> bool:
        return self._shown == self._request and bool(self.shapes)

    # -- accept / drop -----------------------------------------------------------------------------
    def accept(self) -> None:
        """Enter: add the preview as annotations (one undo step); waits for a preview being computed."""
        if not self.has_prompt():
            return
        if self._shown != self._request:
            if self._busy or self._dirty:
                self._accept_when_ready = True
                self.canvas.message.emit("Assist: adding it when the preview is ready…")
            return
        doc, backend = self.document, self.session.backend if self.session else None
        if doc is None or backend is None:
            return
        if OPTIONS.preserve_others and not _same(self._cut, doc.project.annotations_of(self.canvas.image_id)):
            self._request += 1  # objects changed since the preview: cut again (in the worker), then added
            self._accept_when_ready = True
            self.canvas.message.emit("Assist: adding it when the preview is ready…")
            self._ask()
            return
        shapes, h, w = self.shapes, *self.canvas.image_size()
        if not shapes:
            if self._found:
                self.canvas.message.emit(ALL_TAKEN)
            return
        next_id = doc.project.next_annotation_id(len(shapes))  # before a class is added for them
        category_id = self.ensure_category()
        if category_id is None:
            return
        now = utc_now()
        anns = []
        for i, s in enumerate(shapes):
            anns.append(
                Annotation(
                    id=next_id + i,
                    image_id=self.canvas.image_id,
                    category_id=category_id,
                    bbox=[float(v) for v in s.bbox],
                    segmentation=s.segmentation,
                    area=s.area,
                    score=round(s.score, 5),
                    source=backend.source,
                    review="accepted",
                    updated=now,
                )
            )
        losses: list[str] = []
        if OPTIONS.assist_output == "polygon":
            anns, losses = as_polygons(anns, h, w)
        self.cancel()
        self.push(AddAnnotations(anns, f"Assist: {backend.name}"))
        if losses:  # the Masks menu's words for a lossy mask -> polygon
            self.canvas.message.emit(
                "Assist: added as a polygon, which cannot hold the mask exactly: " + "; ".join(losses)
            )

    def cancel(self) -> None:
        """Esc / image change / tool change: drop the prompt and its preview; late answers are ignored."""
        self._request += 1
        self._accept_when_ready = False
        self.points, self.labels, self.box, self.shapes = [], [], None, []
        self._found, self._cut = 0, None
        self._history = []
        self._start = None
        if self._rubber is not None:
            self.canvas.remove_overlay(self._rubber)
            self._rubber = None
        self._clear_overlays()
        if self.canvas.image_id == -1 or (self._prepared and self._prepared[1] != self.canvas.image_id):
            self._prepared = None

    def _clear_overlays(self) -> None:
        for item in self._overlays:
            self.canvas.remove_overlay(item)
        self._overlays = []

    def _draw_prompt(self) -> None:
        self._clear_overlays()
        self._draw_preview(prompt_only=True)

    def _draw_preview(self, prompt_only: bool = False) -> None:
        """The answer as Enter adds it (``assist_preview``: the traced polygon with *Result: Polygon*), then
        the prompt over it."""
        self._clear_overlays()
        polygon = OPTIONS.assist_output == "polygon"
        items = [] if prompt_only else [i for s in self.shapes for i in shape_items(s, polygon)]
        for item in items + prompt_items(self.box, self.points, self.labels):
            self._overlay(item)

    def _overlay(self, item: QGraphicsItem) -> None:
        self.canvas.add_overlay(item)
        self._overlays.append(item)


def _same(cut: list | None, others: list) -> bool:
    """Whether the preview was cut off exactly ``others`` (the same objects, none edited since: an edit
    puts a new object in the project)."""
    return (
        cut is not None and len(cut) == len(others) and all(a is b for a, b in zip(cut, others, strict=True))
    )
