"""How a panel writes an Objects count: the objects, then the model predictions pending review apart
(`3 +2`), the Images panel's per image and the Categories panel's per category. Counted as objects, a
pre-labelled folder's proposals made every image read as labelled and every class look five times bigger."""

from __future__ import annotations

from pixelproof.core.wording import plural


def count_text(objects: int, pending: int) -> str:
    """An Objects cell: `3`, or `3 +2` with two pending predictions."""
    return f"{objects} +{pending}" if pending else str(objects)


def count_tip(objects: int, pending: int) -> str:
    """An Objects cell's tooltip: its counts in words."""
    text = plural(objects, "object")
    if pending:
        text += (
            f" · {plural(pending, 'pending prediction')} (dashed on the canvas: the Model panel accepts them)"
        )
    return text
