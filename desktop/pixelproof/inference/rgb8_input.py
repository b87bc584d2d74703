"""The 8-bit RGB picture a model trained on photos gets from any image ``read_image`` returns (gray, RGBA,
16-bit, signed, float), mapped through the window the user sees so the model sees the screen's picture.

Part of the backend contract (``inference.base``'s docstring, README "Writing a backend"); split out of
``inference/base.py`` to keep it under the module size limit, which still re-exports ``as_rgb8``.
"""

from __future__ import annotations

import numpy as np


def as_rgb8(image: np.ndarray, window: tuple[float, float] | None = None) -> np.ndarray:
    """HxWx3 uint8 RGB view of any image ``read_image`` returns (gray, RGBA, 16-bit, signed, float), because
    models are trained on 8-bit RGB. ``window`` (low, high) maps linearly to 0..255, as the display does
    (high below low: inverted, ``shown_window``); without one, 8-bit stays, uint16 keeps its top byte and
    others their percentiles."""
    if window is not None and window[0] > window[1]:  # as the display inverts: 255 - the picture
        return 255 - as_rgb8(image, (window[1], window[0]))
    img = image
    if img.dtype != np.uint8 or window not in (None, (0.0, 255.0)):
        if window is None and img.dtype == np.uint16:
            img = (img >> 8).astype(np.uint8)  # as cv2.imread(IMREAD_COLOR) converts 16-bit
        else:
            from pixelproof.core.imageio import to_display8

            img = to_display8(img, window)
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    elif img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    elif img.shape[2] == 4:
        img = img[:, :, :3]
    return img


def shown_window(
    image: np.ndarray, window: tuple[float, float] | None, invert: bool
) -> tuple[float, float] | None:
    """The ``display_window`` that gives a model ``image`` as the screen shows it through ``window``: a
    MONOCHROME1 picture (``invert``) is shown inverted, so its window comes reversed, (high, low), which
    ``as_rgb8`` maps inverted (without a window: the display's, 8-bit's full range or the percentiles)."""
    if not invert:
        return window
    from pixelproof.core.imageio import auto_window

    lo, hi = window if window is not None else auto_window(image)
    return (hi, lo)
