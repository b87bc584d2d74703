"""One automatic display window per volume, as 3D Slicer gives a volume without a window of its own: a
series or NIfTI volume whose files carry no Window Center/Width opened each slice at that slice's own
0.5-99.5 percentiles, so one tissue changed brightness at every PgDn. The window is the same percentile
rule (``imageio.auto_window``) over a strided sample of the volume (a few slices spread through it, each
thinned to about ``SAMPLE_SIDE`` pixels a side), worked out on the first slice shown and kept on the
volume object (``core.volume_cache`` keeps the volume): opening a 2,000-slice series reads no more than
``SAMPLE_SLICES`` of its files for it, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pixelproof.core.imageio import auto_window

if TYPE_CHECKING:
    from pixelproof.core.volumes import Volume

SAMPLE_SLICES = 16  # slices read for the window (evenly spread, away from the two ends)
BIG_PLANE_SLICES = 3  # slices read when a plane is bigger than BIG_PLANE_PIXELS (each decodes whole)
BIG_PLANE_PIXELS = 1 << 22
SAMPLE_SIDE = 256  # pixels a side kept of each sampled slice


def sample_indices(depth: int, height: int, width: int) -> list[int]:
    """The slices sampled: at most ``SAMPLE_SLICES`` (``BIG_PLANE_SLICES`` of big planes), each in the
    middle of an equal share of the stack (a CT's first and last slices are mostly air)."""
    most = SAMPLE_SLICES if height * width <= BIG_PLANE_PIXELS else BIG_PLANE_SLICES
    n = max(1, min(depth, most))
    return sorted({int((k + 0.5) * depth / n) for k in range(n)})


def volume_auto_window(volume: Volume) -> tuple[float, float] | None:
    """The volume's automatic window (low, high), computed once and kept on ``volume``; None when no
    sampled slice can be read or the stack is pyramidal (its planes are slides: each its own window)."""
    kept = getattr(volume, "_auto_window", None)
    if kept is None:  # two threads may both compute it: the same sample gives the same window
        kept = (_sampled_window(volume),)
        volume._auto_window = kept  # type: ignore[attr-defined]
    return kept[0]


def _sampled_window(volume: Volume) -> tuple[float, float] | None:
    layout = getattr(volume, "layout", None)
    if getattr(layout, "pyramidal", False):
        return None
    parts: list[np.ndarray] = []
    for index in sample_indices(volume.depth, volume.height, volume.width):
        try:
            pixels = volume.slice(index)
        except Exception:  # a slice that cannot be read is left out; its own read says why
            continue
        if pixels.dtype == np.bool_:
            pixels = pixels.astype(np.uint8) * 255  # as the canvas shows a mask
        step_y = max(1, pixels.shape[0] // SAMPLE_SIDE)
        step_x = max(1, pixels.shape[1] // SAMPLE_SIDE) if pixels.ndim > 1 else 1
        parts.append(np.ascontiguousarray(pixels[::step_y, ::step_x]).reshape(-1))
    if not parts:
        return None
    return auto_window(np.concatenate(parts).reshape(1, -1))
