"""A Label Studio config's keys as category keys: each label's category gets the digit that picked that label
in Label Studio, so a user's habits carry over (the writer puts the keys back as ``hotkey``).

Label Studio's editor (``Annotation.setupHotKeys``) binds every control's ``hotkey`` first, then gives each
label, choice, number or rating without one, in config order, the first of ``AUTO_KEYS`` no control has: a
label with no hotkey among labels with some gets the first digit they leave, not its place in the list."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pixelproof.core.category_keys import DIGITS
from pixelproof.core.limits import short_repr
from pixelproof.core.model import Category

AUTO_KEYS = "1234567890qwetasdfgzxcvbyiopjklnm"  # Label Studio's order (Hotkey.makeComb)
KEYED_TAGS = ("Label", "Choice", "Number", "Rating")  # the config tags its editor binds a key to
SAID_AT_MOST = 10  # labels named in the one line; the others counted


def bound_keys(root: ET.Element) -> dict[ET.Element, tuple[str | None, bool]]:
    """Each keyed control of the config -> (its key in Label Studio, whether its own ``hotkey``); None
    when Label Studio has no key left for it."""
    nodes = [el for el in root.iter() if el.tag in KEYED_TAGS]
    out: dict[ET.Element, tuple[str | None, bool]] = {}
    for el in nodes:
        if hotkey := (el.get("hotkey") or "").strip():
            out[el] = (hotkey, True)
    own = {k.lower() for k, _ in out.values() if k}
    free = (k for k in AUTO_KEYS if k not in own)
    for el in nodes:
        if el not in out:
            out[el] = (next(free, None), False)
    return out


def give_keys(found: list[tuple[Category, str | None, bool]], bound: set[str]) -> list[str]:
    """Set each category's key from its labels' keys in Label Studio (``found`` in config order: category,
    key, own hotkey or not): a label's own digit 1-9 first, then the digit Label Studio gave a label
    without one; a category left without a digit (a letter, a chord, 0, a digit another category took
    first) gets a digit no control had in Label Studio, if one is left. Returns what was not kept, one
    ``'name' key (why; its key here: 5)`` each, at most ``SAID_AT_MOST`` then a count."""
    taken: dict[str, str] = {}  # a digit -> the category given it
    said: list[str] = []
    lost: dict[int, tuple[Category, str]] = {}  # a category without its Label Studio key -> what it lost

    def take(cat: Category, key: str) -> None:
        cat.shortcut, taken[key] = key, cat.name

    for cat, key, own in found:
        if not own or key is None or cat.shortcut == key:
            continue  # a label Label Studio keys itself, or the same label and key under another tag
        text = key if len(key) <= 20 else short_repr(key)
        if cat.shortcut is not None:
            said.append(f"{short_repr(cat.name)} {text} (it has {cat.shortcut} already)")
        elif key in taken:
            lost.setdefault(cat.id, (cat, f"{text} (taken by {short_repr(taken[key])}"))
        elif len(key) == 1 and key in DIGITS:
            take(cat, key)
        else:
            lost.setdefault(cat.id, (cat, f"{text} ("))
    for cat, key, own in found:
        if own or cat.shortcut is not None:
            continue
        if key is not None and len(key) == 1 and key in DIGITS and key not in taken:
            take(cat, key)
        else:
            lost.setdefault(cat.id, (cat, f"{key or 'none'} (Label Studio's own key"))
    left = [d for d in DIGITS if d not in bound and d not in taken]
    for cat, text in lost.values():
        if cat.shortcut is None and left:
            take(cat, left.pop(0))
        opened = "" if text.endswith("(") else "; "
        said.append(f"{short_repr(cat.name)} {text}{opened}its key here: {cat.shortcut or 'none'})")
    more = len(said) - SAID_AT_MOST
    return said[:SAID_AT_MOST] + ([f"and {more} more"] if more > 0 else [])
