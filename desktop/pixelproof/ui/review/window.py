"""The review panes' display window: the Volume menu's presets and a right-drag on any pane set it in all
three, and it stays for every slice of that volume and the other phases of its series while the reader steps
through them (D / A, PgDn / PgUp), as the labeling canvas keeps one (``core.phases.KeptWindow``, the same
rule); an image of another series opens at its own window. Mixed into ``ReviewView``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pixelproof.core.phases import KeptWindow
from pixelproof.ui.workers import LoadedImage

if TYPE_CHECKING:
    from pixelproof.ui.review.panes import ReviewPane


class ReviewWindow:
    """The panes' window (see the module's docstring); ``panes`` and ``ref_pane`` are the view's."""

    panes: list[ReviewPane]
    ref_pane: ReviewPane

    def _link_windows(self) -> None:
        """Every pane's right-drag sets the window of all three (and is kept)."""
        self._kept_window = KeptWindow()
        for pane in self.panes:
            pane.windowDragged.connect(self.set_window)

    @property
    def loaded(self) -> LoadedImage | None:
        """The pixels the panes show (the Volume menu's window actions read and set theirs)."""
        return self.ref_pane.loaded

    def set_window(self, lo: float, hi: float) -> None:
        """All three panes' window, kept for the other slices of the volume (and phases of its series)."""
        for p in self.panes:
            p.set_window(lo, hi)
        if self.loaded is not None:
            self._kept_window.set(self.loaded.path, self.loaded.window)

    def auto_window(self) -> None:
        if self.loaded is not None:
            self.set_window(*self.loaded.auto)

    def kept_window(self, image: LoadedImage) -> LoadedImage:
        """``image`` at the window kept for its series (its own when none is)."""
        image.window = self._kept_window.for_image(image.path, image.window)
        return image
