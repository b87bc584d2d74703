"""Display windows as radiologists name them: width and level (DICOM's linear VOI function), and the
right-drag that changes them. No Qt: the canvas and the review panes only pass the pointer's travel."""

from __future__ import annotations

DRAG_PX = 200.0  # pointer travel that doubles the width (right) or moves the level by one width (down)


def preset_window(width: float, level: float) -> tuple[float, float]:
    """(low, high) of a window width/level pair, with DICOM's linear function (as the file's window)."""
    return (level - 0.5 - (width - 1) / 2, level - 0.5 + (width - 1) / 2)


def width_level(low: float, high: float) -> tuple[float, float]:
    """(width, level) of a (low, high) window: ``preset_window`` undone, what a reader of CT expects."""
    return high - low + 1, (low + high) / 2 + 0.5


def whole_window(low: float, high: float) -> tuple[float, float]:
    """The window nearest (low, high) whose width and level are whole numbers (at least width 2)."""
    width, level = width_level(low, high)
    return preset_window(max(2, round(width)), round(level))


def dragged_window(start: tuple[float, float], dx: float, dy: float, *, whole: bool) -> tuple[float, float]:
    """The window a right-drag of (dx, dy) screen pixels from window ``start`` gives: right/left widens /
    narrows it, up/down moves the level (as DICOM viewers do). ``whole``: the pixels are integers (CT in
    HU, 16-bit microscopy), so width and level are whole numbers as every preset is (a drag gave
    "W 119.5 L 20.25"); at least width 2 there, else 1 % of the start's."""
    lo, hi = start
    span = max(hi - lo, 1e-6)
    width = max(span * (1.0 + dx / DRAG_PX), span * 0.01)
    centre = (lo + hi) / 2 - dy * span / DRAG_PX
    if not whole:
        return centre - width / 2, centre + width / 2
    return whole_window(centre - width / 2, centre + width / 2)
