"""A category's colour: what counts as one (``'#rrggbb'``, as COCO tools and the project file write it) and
the palette a new category takes its colour from."""

from __future__ import annotations

import string
from typing import Any


def is_color(v: Any) -> bool:
    """``v`` is '#rrggbb': six hex digits (``int(.., 16)`` also takes '+', '-', '_' and blanks)."""
    return isinstance(v, str) and len(v) == 7 and v[0] == "#" and all(c in string.hexdigits for c in v[1:])


_PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#fabed4", "#469990", "#dcbeff", "#9a6324", "#800000", "#aaffc3", "#808000", "#000075",
)  # fmt: skip


def default_color(index: int) -> str:
    """A distinct colour for the index-th category (Sasha Trubetskoy's palette, cycled)."""
    return _PALETTE[(index - 1) % len(_PALETTE)]


def shown_color(color: str | None, category_id: int) -> str:
    """The colour every view draws a category in: its own, else (a plain COCO file names none) its id's
    palette colour, the one it would have taken as a new category, so two classes never look alike."""
    return color if is_color(color) else default_color(category_id)
