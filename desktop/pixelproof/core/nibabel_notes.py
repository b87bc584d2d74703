"""nibabel's own notes on a file it reads, said naming the file: nibabel logs a header it fixes
(``pixdim[1,2,3] should be non-zero; setting 0 dims to 1``) to its own stderr handler and warns through
``warnings``, neither naming the file, so a folder of volumes printed lines no one could place."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

_LOGGER = "nibabel.global"  # nibabel.imageglobals.logger, with a StreamHandler of its own
_swap = threading.Lock()  # the logger's handlers are the process's: one capture at a time


class _Keep(logging.Handler):
    def __init__(self, notes: list[str]) -> None:
        super().__init__(logging.NOTSET)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        self.notes.append(record.getMessage())


@contextmanager
def nibabel_notes(path: str | os.PathLike[str]) -> Iterator[list[str]]:
    """Collect what nibabel logs or warns inside the block as ``"PATH: note"`` lines (each once, in
    order), instead of printing it unplaced; the caller says them where its other messages go."""
    said: list[str] = []
    notes: list[str] = []
    logger = logging.getLogger(_LOGGER)
    with _swap, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        handlers, propagate = logger.handlers[:], logger.propagate
        logger.handlers, logger.propagate = [_Keep(said)], False
        try:
            yield notes
        finally:
            logger.handlers, logger.propagate = handlers, propagate
            said += [str(w.message) for w in caught if "nibabel" in w.filename]  # not another thread's
            for note in dict.fromkeys(s.strip() for s in said if s.strip()):
                notes.append(f"{os.fspath(path)}: {note}")
