"""The image libraries' own log lines, kept off stderr where PixelProof reads with them. tifffile logs
``<tifffile.TiffFile 'x.tif'> shaped series shape does not match page shape`` for a file it reads anyway,
and OpenCV prints libtiff's ``[ERROR:0@…] imdecode_…`` lines for a file it then fails on or decodes
black, and Pillow's TIFF plugin logs ``More samples per pixel than can be decoded: 200`` for a file it
then refuses: lines naming no folder and no image record, printed on every ``new``, ``validate`` and
``prelabel`` over such files. What is wrong with a file is said by PixelProof's own messages, which name
it (a short tile table, damaged tile data, not a readable image). ``OPENCV_LOG_LEVEL`` set in the
environment (to debug a decoder) is left as given."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import cv2

_lock = threading.Lock()
_inside = 0  # decodes in a quiet block now: the first sets OpenCV's level, the last puts it back
_before = 0


@contextmanager
def quiet_opencv() -> Iterator[None]:
    """OpenCV's logging silent in the block (any thread's: the level is the process's)."""
    global _inside, _before
    if "OPENCV_LOG_LEVEL" in os.environ:
        yield
        return
    with _lock:
        if _inside == 0:
            _before = cv2.utils.logging.getLogLevel()
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                cv2.utils.logging.setLogLevel(_before)


class _Unplaced(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.CRITICAL


_UNPLACED = _Unplaced()


def quiet_tifffile() -> None:
    """tifffile's logger keeps its lines (below CRITICAL) to itself: installed once, when tifffile is
    first imported for reading (``tiff_guard.import_tifffile``)."""
    logger = logging.getLogger("tifffile")
    if _UNPLACED not in logger.filters:
        logger.addFilter(_UNPLACED)


def quiet_pillow() -> None:
    """Pillow's TIFF plugin keeps its lines (below CRITICAL) to itself: installed when PixelProof first
    opens a file with Pillow (``imageio.open_pillow``); the reader that refuses the file names it."""
    logger = logging.getLogger("PIL.TiffImagePlugin")
    if _UNPLACED not in logger.filters:
        logger.addFilter(_UNPLACED)
