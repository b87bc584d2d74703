"""The right-drag that changes the display window, shared by the labeling canvas and the review panes:
where the drag started and from which window, and the window the pointer's travel gives
(``core.window_level.dragged_window``: whole widths and levels on integer pixels)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPoint

from pixelproof.core.window_level import dragged_window
from pixelproof.ui.workers import LoadedImage


class WindowDrag:
    """One view's right-drag: ``start`` on the press, ``move`` sets the window through ``set_window``
    (the view's own, so its linked panes and kept window follow), ``stop`` on the release."""

    def __init__(self, set_window: Callable[[float, float], None]) -> None:
        self._set_window = set_window
        self._from: tuple[QPoint, tuple[float, float], bool] | None = None

    @property
    def active(self) -> bool:
        return self._from is not None

    def start(self, at: QPoint, loaded: LoadedImage | None) -> None:
        """A right press at ``at`` over ``loaded``'s pixels (nothing shown: no drag)."""
        if loaded is None:
            return
        raw = loaded.raw
        whole = raw is not None and np.issubdtype(getattr(raw, "dtype", np.float32), np.integer)
        self._from = (QPoint(at), tuple(loaded.window), whole)

    def move(self, p: QPoint) -> bool:
        """The pointer at ``p``: the window its travel from the press gives. False when no drag is on."""
        if self._from is None:
            return False
        start, window, whole = self._from
        d = p - start
        self._set_window(*dragged_window(window, d.x(), d.y(), whole=whole))
        return True

    def stop(self) -> bool:
        """The right button released: True when it ended a drag."""
        was, self._from = self._from is not None, None
        return was
