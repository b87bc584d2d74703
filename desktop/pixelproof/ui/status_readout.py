"""The status bar's readouts: cursor position and the stored pixel value under it, the display window of
16-bit and float images, the zoom, and which image of how many is shown. The cursor is read over the
labeling canvas and over the review view's panes alike (``watch``): one text for one pixel; the zoom and
window are those of the view shown (the review panes', not the hidden canvas's)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from pixelproof.core.patient_space import position_text
from pixelproof.core.window_level import width_level
from pixelproof.core.wording import plural
from pixelproof.ui.canvas.aspect import zoom_text
from pixelproof.ui.status_labels import HintLabel, ImageLabel, Readout
from pixelproof.ui.status_message import MessageTip

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.review.panes import ReviewPane
    from pixelproof.ui.shell import Shell

    PixelSource = CanvasView | ReviewPane  # with cursorMoved, zoomChanged, windowChanged,
    # zoom, scale_xy, loaded and pixel_value

CURSOR_READOUT_S = 0.03  # cursor position/value: at most this often
HINT_ROOM = 360  # status bar pixels a pixel's values leave to the tool's hint and messages
VALUE_TIP = "Stored pixel value under the cursor (raw, before window/level)"
ZOOM_TIP = "Zoom: screen pixels per image pixel"
ZOOM_ASPECT_TIP = (
    ", across × down: the image's pixels are not square and are drawn at their physical aspect"
    " (View > Pixels at Physical Aspect)"
)
POS_TIP = (
    "Cursor position in image pixels (x, y); in mm from the image's top-left corner with a pixel spacing"
)
PATIENT_TIP = (
    "\nand the pixel's position in the patient, mm from the scanner's origin: R or L, A or P, S or I, the "
    "side it lies on (3D Slicer's RAS coordinates; DICOM's LPS are the same with x and y negated)"
)


class StatusReadout(QObject):
    def __init__(self, bar: QStatusBar, shell: Shell) -> None:
        super().__init__(bar)
        self.bar = bar
        self.shell = shell
        self.canvas: CanvasView = shell.canvas
        self.pos_label = Readout(floor=110)  # the readouts are always whole (status_labels)
        self.value_label = Readout(floor=150)
        self.window_label = Readout()
        self.zoom_label = Readout()
        self.image_label = ImageLabel()  # its file name is cut in the middle after the hint is cut
        self.hidden_label = QLabel("Annotations hidden (H)")  # else the work looks gone, the reason in a menu
        self.hidden_label.setObjectName("annotationsHidden")
        self.hidden_label.setStyleSheet("font-weight: bold")
        self.hidden_label.hide()
        bar.addPermanentWidget(self.hidden_label)
        # what the tool draws into: left of the readouts, the widest text, the first cut (with …)
        self.target_label = HintLabel("What a click or drag of the current tool will draw into")
        self.target_label.setObjectName("toolTarget")
        bar.addWidget(self.target_label, 1)
        self.message_tip = MessageTip(bar)  # a message cut by the readouts: whole in the bar's tooltip
        self.pos_label.setToolTip(POS_TIP)
        self.value_label.setToolTip(VALUE_TIP)
        self.window_label.setToolTip("Display window (black – white); right-drag or Ctrl+L to change")
        self.zoom_label.setToolTip(ZOOM_TIP)
        for w in (self.pos_label, self.value_label, self.window_label, self.zoom_label, self.image_label):
            bar.addPermanentWidget(w)
        self._shown_at = 0.0
        self._pending: QPointF | None = None
        self._source: PixelSource = self.canvas  # the view the cursor is over (the canvas, a review pane)
        self._watched: list[PixelSource] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_pending)
        canvas = self.canvas
        self.watch(canvas)
        canvas.imageShown.connect(lambda _id: self.show_image())
        canvas.imageShown.connect(lambda _id: self.show_target())
        canvas.toolChanged.connect(self.show_target)
        canvas.hintChanged.connect(self._follow_gesture)
        self._before_press = ""  # the message shown at the last press on the canvas
        canvas.viewport().installEventFilter(self)
        canvas.annotationsShown.connect(self._show_hidden)
        canvas.objectsHidden.connect(self._show_hidden)
        shell.viewChanged.connect(self._show_hidden)  # the review view's panes draw their own
        shell.viewChanged.connect(self.show_target)  # the review view has no labeling tool
        shell.viewChanged.connect(self._follow_view)
        self._doc = None
        shell.documentChanged.connect(self._follow_document)
        self._follow_document(shell.document)

    def _follow_document(self, doc) -> None:  # type: ignore[no-untyped-def]
        """The target line changes with the selection, the current category and any edit."""
        old, self._doc = self._doc, doc
        for signal, slot in (
            ("selectionChanged", self.show_target),
            ("currentCategoryChanged", self.show_target),
            ("categoriesChanged", self.show_target),
            ("imagesChanged", self.show_image),  # "n / total" counts the images
        ):
            if old is not None:
                with contextlib.suppress(RuntimeError, TypeError):  # already gone
                    getattr(old, signal).disconnect(slot)
            if doc is not None:
                getattr(doc, signal).connect(slot)
        if doc is None:
            self.zoom_label.clear()  # a closed project's zoom
        self.show_target()
        self._show_hidden()  # no project: nothing hidden to say

    def show_target(self, *_: object) -> None:
        tool = self.canvas.tool
        doc = self.shell.document
        labeling = self.shell.current_view() is self.canvas
        show = tool is not None and doc is not None and self.canvas.image_id != -1 and labeling
        self.target_label.set_line(tool.target_text() if show else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note the message shown when a gesture on the canvas begins (``_follow_gesture``)."""
        if event.type() == QEvent.Type.MouseButtonPress:
            self._before_press = self.bar.currentMessage()
        return False

    def _follow_gesture(self) -> None:
        """The tool's line changed. Mid-gesture it reads what is being drawn (a box's sides, a length):
        that wins over a message shown before the gesture, which would cover it (the message stays in
        View > Messages…); one the gesture itself gave (a hidden category shown again) stays."""
        self.show_target()
        tool, message = self.canvas.tool, self.bar.currentMessage()
        busy = tool is not None and tool.busy() and bool(self.target_label.whole)
        if busy and message and message == self._before_press:
            self.bar.clearMessage()

    def watch(self, source: PixelSource) -> None:
        """Read the cursor over another view of the images too (the review view's panes): its pixel's
        position and value read as the canvas's would for the same pixel; its zoom and window show while
        the central view holding it is shown. A deleted view (Annotators Side by Side makes its panes
        anew for each image) is forgotten."""
        self._watched.append(source)
        source.destroyed.connect(lambda *_: self._forget(source))
        source.cursorMoved.connect(lambda pos: self.show_cursor(pos, source))
        source.zoomChanged.connect(lambda z: self._show_zoom(source, z))
        source.windowChanged.connect(lambda *_: self.show_window(source))

    def _forget(self, source: PixelSource) -> None:
        self._watched = [s for s in self._watched if s is not source]
        if self._source is source:
            self._source = self.canvas

    def _show_hidden(self, *_: object) -> None:
        """The badge while H hides the labeling canvas's annotations (or Shift+H some objects), there only,
        a project open."""
        doc, show = self.shell.document, self.canvas.show_filter
        hidden = not show.annotations and doc is not None
        objects = sum(i in doc.project.annotations for i in show.objects) if doc is not None else 0
        was = self.hidden_label.isVisibleTo(self.hidden_label.parentWidget())
        if hidden or not objects:
            self.hidden_label.setText("Annotations hidden (H)")
            self.hidden_label.setToolTip("View > Show Annotations is off: none is drawn. H shows them again")
        else:
            self.hidden_label.setText(f"{plural(objects, 'object')} hidden")
            self.hidden_label.setToolTip("Hidden one by one (Shift+H): View > Show Hidden Objects shows them")
        self.hidden_label.setVisible((hidden or objects > 0) and self._in_view(self.canvas))
        if hidden and not was and self._in_view(self.canvas):
            self.shell.status("Annotations hidden: H shows them again", 6000)

    def _in_view(self, source: PixelSource) -> bool:
        """Whether ``source`` is (in) the central view shown: a hidden view's zoom or window is not read."""
        view = self.shell.current_view()
        return source is view or view.isAncestorOf(source)

    def _show_zoom(self, source: PixelSource, zoom: float) -> None:
        """The zoom of ``source``: across × down for pixels drawn at their physical aspect (``aspect``)."""
        if self._in_view(source):
            text = zoom_text(source.scale_xy)
            self.zoom_label.setText(text)
            aspect = ZOOM_ASPECT_TIP + source.aspect_note if "×" in text else ""
            self.zoom_label.setToolTip(ZOOM_TIP + aspect)

    def _follow_view(self, *_: object) -> None:
        """Another central view: the zoom and window of its images (none for a view not watched)."""
        source = next((s for s in self._watched if self._in_view(s)), None)
        if source is None or self.shell.document is None:
            self.zoom_label.clear()
            self.window_label.clear()
            self.window_label.setToolTip("")
            return
        self._show_zoom(source, source.zoom)
        self.show_window(source)

    def show_cursor(self, pos: QPointF | None, source: PixelSource | None = None) -> None:
        # At most one readout per 30 ms: relaying out and repainting the status bar on every mouse move
        # costs about as much as the brush's whole dirty-rect repaint (bench brush). A move after a pause
        # shows at once; during a fast drag the last position shows when the drag slows or stops.
        self._source = source if source is not None else self.canvas
        now = time.monotonic()
        if now - self._shown_at >= CURSOR_READOUT_S:
            self._shown_at = now
            self._timer.stop()
            self._show_now(pos)
            return
        self._pending = None if pos is None else QPointF(pos)
        if not self._timer.isActive():
            self._timer.start(max(1, int((CURSOR_READOUT_S - (now - self._shown_at)) * 1000)))

    def _show_pending(self) -> None:
        self._shown_at = time.monotonic()
        self._show_now(self._pending)

    def _show_now(self, pos: QPointF | None) -> None:
        if pos is None:
            self.pos_label.setText("")
            self.value_label.setText("")
            return
        x, y = int(pos.x()), int(pos.y())
        spacing = self._spacing()
        loaded = self._source.loaded
        where = loaded.patient if loaded is not None else None
        tip = POS_TIP if where is None else f"{POS_TIP}{PATIENT_TIP}"
        if self.pos_label.toolTip() != tip:
            self.pos_label.setToolTip(tip)
        if where is not None:  # the pixel centre's place in the patient, as 3D Slicer's data probe reads it
            self.pos_label.setText(f"x {x}, y {y}   {position_text(where.position(x, y))}")
        elif spacing is None:
            self.pos_label.setText(f"x {x}, y {y}")
        else:  # pixel centres in mm from the image's top-left corner (pixel_spacing = row, column)
            sy, sx = spacing
            self.pos_label.setText(f"x {x}, y {y} ({(x + 0.5) * sx:.1f}, {(y + 0.5) * sy:.1f} mm)")
        value = self._source.pixel_value(x, y)
        channels = loaded.channels if loaded is not None else None
        names = [c.name for c in channels.channels] if channels is not None else None
        shown = list(channels.visible) if channels is not None else None
        metrics, room = self.value_label.fontMetrics(), self._value_room()
        text = (
            fit_pixel(value, names, shown, lambda t: metrics.horizontalAdvance(t) <= room)
            if value is not None
            else ""
        )
        full = format_pixel(value, names) if value is not None else ""
        self.value_label.setToolTip(f"{full}\n{VALUE_TIP}" if text != full else VALUE_TIP)
        if text and loaded is not None and loaded.modality == "CT" and np.ndim(value) == 0:
            text = text.split(" (")[0] + " HU"  # CT values are Hounsfield units after the modality LUT
        self.value_label.setText(text)

    def _value_room(self) -> int:
        """Pixels the value may take: the status bar less the other readouts and room for the tool's
        hint and messages on the left."""
        bar = self.value_label.parentWidget()
        others = (self.pos_label, self.window_label, self.zoom_label, self.image_label)
        taken = sum(w.sizeHint().width() for w in others if w.isVisible()) + HINT_ROOM
        return max(self.value_label.minimumWidth(), (bar.width() if bar is not None else 0) - taken)

    def _spacing(self) -> tuple[float, float] | None:
        """The current image's ``pixel_spacing`` (row, col) in mm, as QA uses it, else None."""
        from pixelproof.core.qa_objects import image_spacing

        doc = self.shell.document
        image = doc.current_image if doc is not None else None
        return image_spacing(image) if image is not None else None

    def show_window(self, source: PixelSource | None = None) -> None:
        """The display window of the pixels ``source`` (the canvas by default) shows, when it is in sight."""
        source = source if source is not None else self.canvas
        if not self._in_view(source):
            return
        loaded = source.loaded
        if loaded is not None and loaded.needs_window:
            lo, hi = loaded.window
            width, level = width_level(lo, hi)  # as the presets and the Volume menu name windows
            self.window_label.setText(f"W {width:.6g}  L {level:.6g}")
            self.window_label.setToolTip(f"Window {lo:.6g} – {hi:.6g} (right-drag to change)")
        else:
            self.window_label.setText("")
            self.window_label.setToolTip("")

    def show_image(self) -> None:
        """``name · w×h · n / total`` of the current image."""
        doc = self.shell.document
        if doc is None or doc.current_image is None:
            self.image_label.set_image("", "")
            return
        ids = doc.image_ids()
        rec = doc.current_image
        rest = f" · {rec.width}×{rec.height} · {ids.index(rec.id) + 1} / {len(ids)}"
        self.image_label.set_image(doc.shown_file_name(rec.id), rest)

    def clear_pixel(self) -> None:
        """Another image: the cursor readout and the canvas's window of the last one no longer apply (the
        review panes say their own window with their pixels)."""
        self.pos_label.clear()
        self.value_label.clear()
        if self._in_view(self.canvas):
            self.window_label.clear()


def format_pixel(value: np.ndarray, names: list[str] | None = None) -> str:
    """Status-bar text for a stored pixel: raw numbers, with the bit depth when it is not 8-bit;
    ``names``: a multichannel image's channel names, one a value."""
    entries, suffix = _pixel_entries(value, names)
    return " ".join(entries) + suffix


def _pixel_entries(value: np.ndarray, names: list[str] | None) -> tuple[list[str], str]:
    """("name value" of each sample, or ["value v"] for one; the bit depth suffix)."""
    v = np.asarray(value)
    depth = {np.dtype(np.uint16): " (16-bit)", np.dtype(np.int16): " (16-bit)", np.dtype(np.uint8): ""}
    suffix = depth.get(v.dtype, f" ({v.dtype.name})")

    def fmt(x: np.generic) -> str:
        return f"{float(x):.4g}" if np.issubdtype(v.dtype, np.floating) else str(int(x))

    if v.ndim == 0:
        return [f"value {fmt(v)}"], suffix
    if names is None or len(names) != v.size:
        names = list("RGBA" if v.size in (3, 4) else "C" * v.size)
    return [f"{n} {fmt(x)}" for n, x in zip(names, v.reshape(-1), strict=False)], suffix


def fit_pixel(
    value: np.ndarray, names: list[str] | None, shown: list[bool] | None, fits: Callable[[str], bool]
) -> str:
    """``format_pixel``'s text when it ``fits``; else as many whole "name value" entries as fit, the
    shown channels' first, and how many more (16 markers are wider than a 1366 px status bar: cut at a
    pixel, "CD22 29" was read for 2917)."""
    full = format_pixel(value, names)
    if fits(full):
        return full
    entries, suffix = _pixel_entries(value, names)
    if shown is not None and len(shown) == len(entries):
        entries = [e for e, on in zip(entries, shown, strict=True) if on] + [
            e for e, on in zip(entries, shown, strict=True) if not on
        ]
    for k in range(len(entries) - 1, 0, -1):
        text = " ".join(entries[:k]) + f" … +{len(entries) - k} more{suffix}"
        if fits(text):
            return text
    return entries[0] + f" … +{len(entries) - 1} more{suffix}" if len(entries) > 1 else full
