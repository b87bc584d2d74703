"""Display windows as radiologists name them: width and level (DICOM's linear VOI function), and the
right-drag that changes them. No Qt: the canvas and the review panes only pass the pointer's travel."""

from __future__ import annotations

import numpy as np

DRAG_PX = 200.0  # pointer travel that doubles the width (right) or moves the level by one width (down)
# ... at least: pointer travel that sweeps the image's whole value range (3D Slicer's gain, range / 500 a
# pixel), so a narrow window on a 16-bit image reaches its bright defects in one drag, not fifty
RANGE_PX = 500.0


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


def dragged_window(
    start: tuple[float, float],
    dx: float,
    dy: float,
    *,
    whole: bool,
    values: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """The window a right-drag of (dx, dy) screen pixels from window ``start`` gives: right/left widens /
    narrows it, up/down moves the level (as DICOM viewers do). A pixel of travel changes them by the
    start's width / ``DRAG_PX``, or by the image's value range ``values`` (lowest, highest) / ``RANGE_PX``
    when that is more: a window 1,000 wide on 16-bit pixels spanning 35,000 took 30 drags to cover them.
    ``whole``: the pixels are integers (CT in HU, 16-bit microscopy), so width and level are whole numbers
    as every preset is (a drag gave "W 119.5 L 20.25"); at least width 2 there, else 1 % of the start's."""
    lo, hi = start
    span = max(hi - lo, 1e-6)
    step = span / DRAG_PX
    if values is not None and values[1] > values[0]:
        step = max(step, (values[1] - values[0]) / RANGE_PX)
    width = max(span + dx * step, span * 0.01)
    centre = (lo + hi) / 2 - dy * step
    if not whole:
        return centre - width / 2, centre + width / 2
    return whole_window(centre - width / 2, centre + width / 2)


def sampled_values(img: np.ndarray) -> np.ndarray:
    """``img``'s finite values, a 1000 x 1000 grid of them on a big image (what ``auto_window`` reads)."""
    sample = (
        img
        if img.size <= 4_000_000
        else img[:: max(1, img.shape[0] // 1000), :: max(1, img.shape[1] // 1000)]
    )
    return sample[np.isfinite(sample)] if np.issubdtype(sample.dtype, np.floating) else sample


def value_range(img: np.ndarray) -> tuple[float, float] | None:
    """The lowest and highest finite value of ``img`` (sampled as ``auto_window`` samples a big image):
    what a right-drag sweeps (``window_level.dragged_window``); None without two different values."""
    sample = sampled_values(img)
    if sample.size == 0:
        return None
    lo, hi = float(sample.min()), float(sample.max())
    return (lo, hi) if hi > lo else None
