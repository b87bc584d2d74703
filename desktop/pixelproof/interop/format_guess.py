"""The format a dataset looks like when it was read as another and gave nothing: a YOLO folder read as COCO
JSON ("is a folder, not a file to read"), a LabelMe folder read as YOLO (its pictures without a label).
Said beside what the reader found, so the next try takes the right format."""

from __future__ import annotations

import os
from pathlib import Path

from pixelproof.interop.formats import Format, detect_formats


def looks_like_another(path: str | os.PathLike[str], fmt: Format) -> Format | None:
    """The first other readable format whose detector claims ``path`` when ``fmt``'s does not; None when
    ``fmt`` claims it (the dataset is of that format, only empty or broken) or none does."""
    p = Path(path)
    if fmt.looks_like(p):
        return None
    return next((f for f in detect_formats(p) if f.name != fmt.name), None)


def another_format_hint(path: str | os.PathLike[str], fmt: Format, how: str = "--from {name}") -> str:
    """``it looks like YOLO dataset (Ultralytics) (--from yolo)``, or "" (``how``: the command's or the
    dialog's way to choose a format, ``{name}`` and ``{title}`` filled in)."""
    other = looks_like_another(path, fmt)
    if other is None:
        return ""
    return f"it looks like {other.title} ({how.format(name=other.name, title=other.title)})"
