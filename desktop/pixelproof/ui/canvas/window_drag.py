"""The right-drag that changes the display window, shared by the labeling canvas and the review panes:
where the drag started and from which window, and the window the pointer's travel gives
(``core.window_level.dragged_window``: whole widths and levels on integer pixels). A right click - the
pointer moved less than ``CLICK_PX`` - changes nothing (``clicked``: the canvas shows its object menu
then, as LabelMe and CVAT do on a right click); a hand's jitter no longer shifted an RGB photo's window."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPoint

from pixelproof.core.window_level import dragged_window, value_range
from pixelproof.ui.workers import LoadedImage

CLICK_PX = 3  # screen pixels: a right press and release nearer than this is a click, not a drag


class WindowDrag:
    """One view's right-drag: ``start`` on the press, ``move`` sets the window through ``set_window``
    (the view's own, so its linked panes and kept window follow), ``stop`` on the release."""

    def __init__(
        self, set_window: Callable[[float, float], None], clicked_at: Callable[[QPoint], None] | None = None
    ) -> None:
        self._set_window = set_window
        self._clicked_at = clicked_at  # told where a right click (no drag) was, when ``stop`` is told
        # the press: where, the window then, whole values, the image's value range (``dragged_window``)
        self._from: tuple[QPoint, tuple[float, float], bool, tuple[float, float] | None] | None = None
        self._moved = False  # the pointer went ``CLICK_PX`` from the press: a drag
        self.clicked = False  # the last ``stop`` ended a right click (no drag)

    @property
    def active(self) -> bool:
        return self._from is not None

    def start(self, at: QPoint, loaded: LoadedImage | None) -> None:
        """A right press at ``at`` over ``loaded``'s pixels (nothing shown: no drag)."""
        if loaded is None:
            return
        raw = loaded.raw
        whole = raw is not None and np.issubdtype(getattr(raw, "dtype", np.float32), np.integer)
        pixels = loaded.overview if loaded.lazy else raw  # a slide's tiles are not all in memory
        values = value_range(pixels) if isinstance(pixels, np.ndarray) and loaded.needs_window else None
        self._from = (QPoint(at), tuple(loaded.window), whole, values)
        self._moved = False

    def move(self, p: QPoint) -> bool:
        """The pointer at ``p``: the window its travel from the press gives. False when no drag is on."""
        if self._from is None:
            return False
        start, window, whole, values = self._from
        d = p - start
        self._moved = self._moved or d.manhattanLength() >= CLICK_PX
        if self._moved:
            self._set_window(*dragged_window(window, d.x(), d.y(), whole=whole, values=values))
        return True

    def stop(self, at: QPoint | None = None) -> bool:
        """The right button released (at ``at``): True when it ended a drag or a click (pressed over the
        pixels); a click is told to ``clicked_at``."""
        was, self._from = self._from is not None, None
        self.clicked = was and not self._moved
        if self.clicked and at is not None and self._clicked_at is not None:
            self._clicked_at(QPoint(at))
        return was
