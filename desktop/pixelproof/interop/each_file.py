"""The loop a folder reader runs over the annotation files it found (VOC XML, LabelMe JSON, GeoJSON): one
place that refuses a file linked out of the dataset folder and skips a file past a limit, so every reader
says the same and none reads ``/etc/passwd`` through a link."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pixelproof.core.limits import LimitError
from pixelproof.interop._util import ProgressCallback, Reporter, linked_outside, with_progress


def read_each_file(
    files: list[Path],
    read: Callable[[Path], None],
    *,
    src: Path,
    root: Path,
    report: Reporter,
    progress: ProgressCallback | None,
) -> None:
    """``read`` each of ``files`` (found in the dataset folder ``root``; ``src``: the path the user gave,
    read even when it is a link) with ``progress`` per file. A link to outside ``root`` is skipped
    (``linked_outside``), a file past a limit skipped with its reason; after each file, the problems
    ``Reporter.often`` counted in it are said in one line."""
    real_root = os.path.realpath(root)  # once, not per file
    for file in with_progress(files, len(files), progress):
        if file is not src and (outside := linked_outside(file, root, real_root)):
            report.skip("files", outside)
            continue
        try:
            read(file)
        except LimitError as e:
            report.skip("files", f"{e}; skipped")
        report.summarise(file)
