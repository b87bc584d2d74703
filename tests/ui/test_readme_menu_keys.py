"""README's prose names menu items with their keys ("**File > Add Images…** (Ctrl+Shift+I, files)"): each
such key is the one the registry (ui/shortcuts.py) gives that very item. The generated table and the
hand-written key tables are checked in test_keyboard_first / test_keys_adversarial; this covers the keys
written into sentences, which a key moved in the registry would leave wrong without failing those."""

from __future__ import annotations

import re

from PySide6.QtGui import QKeySequence

from pixelproof.ui.shortcuts import REGISTRY, portable
from tests.ui.test_keyboard_first import README
from tests.ui.test_keys_adversarial import KEY

MENUS = "File|Edit|View|Image|Masks|Model|Review|Problems|Tracks|Volume|Help"
# "Menu > Item" (bold or not, wrapped over lines), then "(keys...)" right after it
MENU_ITEM = re.compile(rf"\b(?:{MENUS}) >\s+([^()*\n>]+?)(?:\*\*)? \(([^)]*)\)")


def readme_menu_keys() -> list[tuple[str, list[str]]]:
    """(item label, keys written after it) for each "Menu > Item (keys)" of README; a parenthesis naming no
    key ("(a COCO `.json`)") gives none and is left out."""
    text = re.sub(r"\s*\n\s*", " ", README.read_text(encoding="utf-8"))
    found = []
    for item, paren in MENU_ITEM.findall(text):
        keys = [k for part in re.split(r"; |, | / ", paren) if KEY.fullmatch(k := part.strip())]
        if keys:
            found.append((item.replace("…", "").strip(), keys))
    return found


def test_readme_menu_items_name_their_own_keys(qapp) -> None:
    by_label = {e.label: e for e in REGISTRY.entries()}
    named = readme_menu_keys()
    assert len(named) >= 8  # the pattern still finds README's mentions
    wrong = []
    for item, keys in named:
        entry = by_label.get(item)
        assert entry is not None, f"README names a menu item {item!r} that the registry does not declare"
        bound = {portable(s) for s in REGISTRY.sequences(entry.id)}
        wrong += [
            f"{item}: {k} (registry: {sorted(bound)})" for k in keys if portable(QKeySequence(k)) not in bound
        ]
    assert wrong == []
