"""The image loader outlives nothing it lends to a worker thread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shiboken6
from PIL import Image
from PySide6.QtCore import QThreadPool


def test_a_load_running_when_its_loader_is_deleted_emits_through_a_live_object(qtbot, tmp_path: Path) -> None:
    """A prefetch may still run when the window (and its loader) is deleted: the signals object it emits
    through must not be deleted with the loader (a use-after-free in the worker thread)."""
    from pixelproof.ui.workers import ImageLoader

    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(path)
    loader = ImageLoader()
    signals = loader._signals
    loader.prefetch(path)
    shiboken6.delete(loader)  # what closing the window does to its children
    assert shiboken6.isValid(signals)
    assert QThreadPool.globalInstance().waitForDone(10000)
    qtbot.wait(10)  # the queued 'loaded' finds no receiver and is dropped
    assert shiboken6.isValid(signals)
