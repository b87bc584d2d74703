"""Which category each number key 1-9 chooses: the one place that rule lives, for the app's digit actions
and Key column and for exports that write keys (Label Studio's ``hotkey``)."""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.core.model import Category

DIGITS = "123456789"


def category_keys(categories: Iterable[Category]) -> dict[str, Category]:
    """Digit -> the category it chooses: the first category whose ``shortcut`` it is, else the category at
    that place (1 = first) when that one has no key of its own, so a project that sets no keys still has
    1-9 in list order."""
    cats = list(categories)
    own: dict[str, Category] = {}
    for c in cats:
        if c.shortcut is not None and len(c.shortcut) == 1 and c.shortcut in DIGITS:
            own.setdefault(c.shortcut, c)
    out = {}
    for n, key in enumerate(DIGITS):
        if key in own:
            out[key] = own[key]
        elif n < len(cats) and not cats[n].shortcut:
            out[key] = cats[n]
    return out


def key_of(categories: Iterable[Category]) -> dict[int, str]:
    """Category id -> the digit that chooses it (see ``category_keys``), for those one does."""
    return {c.id: key for key, c in category_keys(categories).items()}
