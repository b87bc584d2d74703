"""What the mouse wheel does over a slice of a volume: zoom (the default, as LabelMe and CVAT) or step
through the slices, as 3D Slicer, ITK-SNAP, OHIF and PACS viewers do (``SliceActions`` reads it at each
wheel turn). One setting for the app, kept in its settings file, chosen in Edit > Preferences."""

from __future__ import annotations

from pixelproof.ui.settings import settings

KEY = "canvas/wheel_on_volume"
ZOOM, SLICES = "zoom", "slices"
CHOICES = ((ZOOM, "Zoom"), (SLICES, "Step slices"))
LABEL = "Mouse wheel on a volume slice:"
TIP = (
    "Step slices: the wheel over a slice of a volume goes one slice a notch, as PgDn / PgUp (away from you: "
    "the next slice, as 3D Slicer's wheel moves its slice), Ctrl+wheel zooms. Over other images the wheel "
    "zooms either way; Shift+wheel is the brush size"
)


def wheel_steps_slices() -> bool:
    """Whether the wheel steps slices over a volume (a damaged value: zoom, the default)."""
    return settings().value(KEY, ZOOM) == SLICES


def set_wheel_mode(mode: str) -> None:
    """``ZOOM`` or ``SLICES``, kept at once: every window reads it at its next wheel turn."""
    if mode not in (ZOOM, SLICES):
        raise ValueError(f"wheel mode must be {ZOOM!r} or {SLICES!r}, got {mode!r}")
    settings().setValue(KEY, mode)
