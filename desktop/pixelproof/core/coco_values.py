"""The plain values a project file holds, as its readers check them: ids, numbers, type names.

Shared by ``core.coco`` (images, categories, the top level), ``core.coco_rules`` (annotations) and
``core.rle_check`` (RLE objects), so each message and each range is written once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pixelproof.core import limits
from pixelproof.core.limits import ID_MAX, ID_MIN, short_repr

NUMBER_TYPES = {int, float}


class Missing:
    """The value of a key an annotation does not have."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


def typename(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(v), "a number" if type(v) in NUMBER_TYPES else type(v).__name__
    )


def finite(v: float) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:  # an int too large for a float
        return False


def check_id(
    v: Any, where: str, seen: dict[int, int], index: int, table: str, err: Callable[[str], None]
) -> bool:
    """One id of ``table`` (images, categories, annotations): an int64, not seen before."""
    if v is MISSING or v is None:
        err(f"{where}.id: missing")
    elif type(v) is not int:
        err(f"{where}.id: expected an integer, got {typename(v)} {short_repr(v)}")
    elif not ID_MIN <= v <= ID_MAX:
        err(f"{where}.id: id {v} is outside the signed 64-bit range [{ID_MIN}, {ID_MAX}]")
    elif v in seen:
        err(f"{where}.id: duplicate id {v} (also {table}[{seen[v]}])")
    else:
        seen[v] = index
        return True
    return False


def origin_ok(origin: Any) -> bool:
    return (
        type(origin) is list
        and len(origin) == 2
        and all(type(v) is int and 0 <= v <= limits.MAX_SIDE for v in origin)
    )
