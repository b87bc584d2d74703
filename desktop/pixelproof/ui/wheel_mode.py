"""What the mouse wheel does over an image, two settings for the app, kept in its settings file and chosen in
Edit > Preferences, read at each wheel turn (a change applies at once in every window):

- "Mouse wheel": zoom at the cursor (the default, as CVAT) or scroll, as LabelMe (wheel: up / down,
  Shift+wheel: left / right, Ctrl+wheel: zoom at the cursor; a touchpad's pixel deltas scroll by as many
  pixels). ``wheel_navigates`` does it for the canvas and the review view's panes alike.
- "Mouse wheel on a volume slice": as on other images, or step through the slices as 3D Slicer, ITK-SNAP,
  OHIF and PACS viewers do (``SliceActions`` takes the plain wheel then, before the canvas)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsView

from pixelproof.ui.canvas.image_view import wheel_zoom_factor
from pixelproof.ui.settings import settings

KEY = "canvas/wheel_on_volume"
ZOOM, SLICES, SCROLL = "zoom", "slices", "scroll"
CHOICES = ((ZOOM, "As other images"), (SLICES, "Step slices"))
LABEL = "Mouse wheel on a volume slice:"
TIP = (
    "Step slices: the wheel over a slice of a volume goes one slice a notch, as PgDn / PgUp (away from you: "
    "the next slice, as 3D Slicer's wheel moves its slice), Ctrl+wheel zooms. Over other images the wheel "
    "zooms or scrolls as set above; Shift+wheel is the brush size"
)

CANVAS_KEY = "canvas/wheel"
CANVAS_CHOICES = ((ZOOM, "Zoom (CVAT)"), (SCROLL, "Scroll (LabelMe)"))
CANVAS_LABEL = "Mouse wheel:"
CANVAS_TIP = (
    "Zoom: the wheel zooms at the cursor, as in CVAT. Scroll: the wheel scrolls up and down, Shift+wheel "
    "left and right, Ctrl+wheel zooms at the cursor, as in LabelMe; the image's edge stops at the window's "
    "edge. The canvas and the review view's panes alike"
)
NOTCH = 120  # QWheelEvent.angleDelta of one notch of a mouse wheel (1/8 degree units)


def wheel_steps_slices() -> bool:
    """Whether the wheel steps slices over a volume (a damaged value: not, the default)."""
    return settings().value(KEY, ZOOM) == SLICES


def set_wheel_mode(mode: str) -> None:
    """``ZOOM`` or ``SLICES`` on a volume's slice, kept at once: every window reads it at its next turn."""
    _keep(KEY, mode, (ZOOM, SLICES), "wheel mode")


def _keep(key: str, mode: str, allowed: tuple[str, str], what: str) -> None:
    """One of a wheel setting's two ``allowed`` values kept under ``key``; any other refused."""
    if mode not in allowed:
        raise ValueError(f"{what} must be {allowed[0]!r} or {allowed[1]!r}, got {mode!r}")
    settings().setValue(key, mode)


def wheel_scrolls() -> bool:
    """Whether the plain wheel scrolls the image, as LabelMe's (a damaged value: zoom, the default)."""
    return settings().value(CANVAS_KEY, ZOOM) == SCROLL


def set_canvas_wheel(mode: str) -> None:
    """``ZOOM`` or ``SCROLL``, kept at once: every window reads it at its next wheel turn."""
    _keep(CANVAS_KEY, mode, (ZOOM, SCROLL), "mouse wheel")


class WheelTarget(Protocol):
    """An image view the wheel drives (``CanvasView``, ``ReviewPane``)."""

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None: ...

    def pan_by(self, dx: int, dy: int) -> None: ...

    def image_rect(self) -> QRectF: ...


def wheel_navigates(view: QGraphicsView, event: QWheelEvent) -> bool:
    """Zoom at the cursor or scroll (the setting; Ctrl+wheel zooms either way) for a wheel turn over
    ``view`` (a ``WheelTarget``); False when the turn has no delta to act on."""
    target: WheelTarget = view  # type: ignore[assignment]
    if not wheel_scrolls() or event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        factor = wheel_zoom_factor(event)
        if factor is None:
            return False
        target.zoom_by(factor, event.position().toPoint())
        return True
    if event.angleDelta().isNull() and event.pixelDelta().isNull():
        return False
    dx, dy = kept_in_image(view, target.image_rect(), *scroll_step(view, event))
    if dx or dy:
        target.pan_by(-dx, -dy)
    return True  # at the image's edge too: the turn is spent, not passed on


def scroll_step(view: QGraphicsView, event: QWheelEvent) -> tuple[int, int]:
    """How far a wheel turn scrolls, in screen pixels (positive: toward the image's right / bottom): a
    touchpad's pixel delta as it is, a wheel's notch as many lines as the desktop says (``wheelScrollLines``)
    of Qt's own step, a twentieth of the window; Shift turns an up / down turn sideways."""
    pixels, angle = event.pixelDelta(), event.angleDelta()
    if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and pixels.x() == 0 and angle.x() == 0:
        pixels, angle = QPoint(pixels.y(), 0), QPoint(angle.y(), 0)
    if not pixels.isNull():
        return -pixels.x(), -pixels.y()
    lines = QApplication.wheelScrollLines()
    return (
        round(-angle.x() / NOTCH * lines * max(1, view.horizontalScrollBar().singleStep())),
        round(-angle.y() / NOTCH * lines * max(1, view.verticalScrollBar().singleStep())),
    )


def kept_in_image(view: QGraphicsView, image: QRectF, dx: int, dy: int) -> tuple[int, int]:
    """``dx``, ``dy`` cut so the scroll never takes the image's edge past the window's edge, as LabelMe's
    scroll stops at the image's end (a view panned out beyond it already is left there, or brought back)."""
    if image.isEmpty():
        return 0, 0
    shown = view.mapFromScene(image).boundingRect()
    port = view.viewport().rect()
    return along(dx, shown.left(), shown.right(), port.left(), port.right()), along(
        dy, shown.top(), shown.bottom(), port.top(), port.bottom()
    )


def along(d: int, lo: int, hi: int, port_lo: int, port_hi: int) -> int:
    """One axis of ``kept_in_image``: forward no further than the image's end reaching the window's, back
    no further than its start."""
    if d > 0:
        return min(d, max(0, hi - port_hi))
    if d < 0:
        return max(d, min(0, lo - port_lo))
    return 0
