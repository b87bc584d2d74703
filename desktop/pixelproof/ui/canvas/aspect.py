"""Pixels drawn at their physical aspect. A CT's coronal or sagittal reformat has pixels 1.25 mm wide and
2.5 mm high (the slice spacing), and was drawn squashed to half its height; Slicer, ITK-SNAP and PACS
viewers draw it to scale. An image view (the canvas, the review panes) scales its y axis by the image's
``pixel_spacing`` row / column ratio relative to x: the scene stays in image pixels, so annotations, what a
tool draws or paints, and hit-testing are unchanged; only what is drawn at a fixed screen size (tags,
handles) is placed through both scales (``Scale``).

The zoom (``zoom``, the status bar's percent, Ctrl+1's 100 %) is the finer axis's: at 100 % each stored
row and column is at least one screen pixel, the coarser axis stretched to its physical size. View > Pixels
at Physical Aspect (on by default; app-wide, remembered) draws the stored pixels square again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QTransform

from pixelproof.core.qa_objects import spacing_value
from pixelproof.ui.settings import settings

# a ratio beyond (a 0.01 x 5 mm pixel: a header's slip) is drawn at this ratio, and the zoom's tooltip says
# so. Thick slabs are real: 0.4 mm pixels reformatted over 20 mm slices are 50x. A stretch is the view's
# transform only (no array is upsampled; tiles are drawn clipped to the window), so 100 costs as 2 does
MAX_STRETCH = 100.0
SQUARE = 1e-3  # spacings this close (0.7 vs 0.7000001 mm, a rounding in the header) are square

KEY = "view/physical_aspect"
TIP = (
    "Pixels that are not square (a CT's coronal or sagittal slice: 1.25 mm wide, 2.5 mm high) drawn to "
    "scale from the image's pixel_spacing, as Slicer and PACS viewers draw them; off: one screen pixel "
    "square per stored pixel at 100 %"
)

Scale = tuple[float, float]  # screen pixels per image pixel across (x) and down (y)
SQUARE_PIXELS: Scale = (1.0, 1.0)


class PhysicalAspect(QObject):
    """View > Pixels at Physical Aspect: one for the app, kept in its settings at each change; every
    window's canvas and review panes follow ``changed`` (a Qt signal lets go of a closed window's views)."""

    changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.on = True

    def set_on(self, on: bool) -> None:
        if on != self.on:
            self.on = on
            settings().setValue(KEY, on)
            self.changed.emit(on)


_SETTING: PhysicalAspect | None = None


def physical_aspect() -> PhysicalAspect:
    """The app's setting (made at first use)."""
    global _SETTING
    if _SETTING is None:
        _SETTING = PhysicalAspect()
    return _SETTING


def aspect_action(make: Callable[..., QAction]) -> QAction:
    """View > Pixels at Physical Aspect, made by a window's ``make`` (its ``_action``) as the settings say
    (a new window: as the user last left it), checked as the setting is (another window's menu may change
    it)."""
    setting = physical_aspect()
    setting.set_on(settings().value(KEY, True, type=bool))
    act = make("view.physical_aspect", setting.set_on, tip=TIP, checkable=True)
    act.setStatusTip(TIP)
    act.setChecked(setting.on)
    setting.changed.connect(act.setChecked)
    return act


class StretchedScale:
    """What a view drawing pixels at their aspect reads off its transform (the canvas and the review
    panes: a ``QGraphicsView`` mixin)."""

    stretch: Scale = SQUARE_PIXELS  # the shown image's pixels' aspect (``stretch_of``)
    pixel_spacing: object = None  # the shown image's (row, col mm), as its record holds it

    @property
    def aspect_note(self) -> str:
        """What the zoom's tooltip adds when the pixels' ratio is drawn capped (``capped_note``)."""
        return capped_note(self.pixel_spacing, self.stretch)

    @property
    def zoom(self) -> float:
        """Screen pixels per image pixel along the finer axis (both, for square pixels)."""
        return self.transform().m11() / self.stretch[0]  # type: ignore[attr-defined]

    @property
    def scale_xy(self) -> Scale:
        """Screen pixels per image pixel across and down: what places marks of a fixed screen size."""
        t = self.transform()  # type: ignore[attr-defined]
        return t.m11(), t.m22()


def stretch_of(pixel_spacing: object) -> Scale:
    """How much more than the zoom the view scales x and y for an image of this ``pixel_spacing`` (row,
    column mm, as the image record holds it): 1 on the finer axis, the spacings' ratio on the other;
    (1, 1) for square or unknown pixels, or with the View menu's setting off."""
    spacing = spacing_value(pixel_spacing)
    if spacing is None or not physical_aspect().on:
        return SQUARE_PIXELS
    ratio = spacing[0] / spacing[1]  # how much higher than wide a pixel is
    if abs(ratio - 1.0) <= SQUARE:
        return SQUARE_PIXELS
    ratio = min(max(ratio, 1 / MAX_STRETCH), MAX_STRETCH)
    return (1.0, ratio) if ratio > 1 else (1 / ratio, 1.0)


def capped_note(pixel_spacing: object, stretch: Scale) -> str:
    """'' unless ``stretch`` draws the pixels of this ``pixel_spacing`` at ``MAX_STRETCH`` rather than their
    true ratio: then what is drawn and what is true (``drawn 100× taller, true ratio 250×``)."""
    spacing = spacing_value(pixel_spacing)
    drawn = max(stretch)
    if spacing is None or drawn <= 1.0 or min(spacing) <= 0:
        return ""
    true = max(spacing) / min(spacing)
    if true <= drawn * (1 + SQUARE):
        return ""
    way = "taller" if stretch[1] > stretch[0] else "wider"
    return (
        f"\nPixels drawn {drawn:.0f}× {way}, true ratio {true:.0f}× ({spacing[0]:g} × {spacing[1]:g} mm): a "
        f"ratio over {MAX_STRETCH:.0f} is drawn at {MAX_STRETCH:.0f}"
    )


def scaled(zoom: float, stretch: Scale) -> QTransform:
    """The view's transform at ``zoom`` for pixels stretched by ``stretch``."""
    return QTransform.fromScale(zoom * stretch[0], zoom * stretch[1])


def zoom_text(scale: Scale) -> str:
    """The status bar's zoom: ``431%``, or ``431% × 862%`` (across × down) for pixels at their aspect."""
    x, y = (f"{v * 100:.0f}%" for v in scale)
    return x if x == y else f"{x} × {y}"
