"""A key map file (``core.key_map``) read into and written from the shortcut registry: Preferences'
Export Keys… and Import Keys…, so a team shares one layout. An import is checked whole (every key spelled
as Qt reads it, none another action keeps, none the canvas or 1-9 has, none that opens a menu) before the
user's keys are replaced; a refused file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from pixelproof.core.key_map import KeyMapError, read_key_map, refused_keys, write_key_map
from pixelproof.ui.shortcut_entry import portable
from pixelproof.ui.shortcuts import REGISTRY, ShortcutRegistry

MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}


def one_key(text: str) -> str | None:
    """``text`` as Qt's portable key text when it is one key with its modifiers ("ctrl+s" -> "Ctrl+S");
    None for an unknown key name, a sequence of several keys, modifiers alone, or text holding a control
    character (Qt read "Ctrl+\\x00" as the key "Ctrl+")."""
    if not text.isprintable():
        return None
    seq = QKeySequence.fromString(text, QKeySequence.SequenceFormat.PortableText)
    if seq.count() != 1 or seq[0].key() in (Qt.Key.Key_unknown, *MODIFIER_KEYS):
        return None
    return portable(seq) or None


def import_keys(
    path: str | Path,
    menu_of: Callable[[str], str | None] = lambda _k: None,
    registry: ShortcutRegistry = REGISTRY,
) -> int:
    """Replace the user's keys by those of the file at ``path`` (every other action back to its default);
    the number of actions the file names. ``menu_of(key)`` names the menu a key would open (Alt+F),
    refused as in Preferences. Raises ``KeyMapError`` (nothing changed) naming the file and where."""
    entries = registry.entries()
    editable = [e.id for e in entries if e.editable]
    users = read_key_map(path, editable, one_key, known=[e.id for e in entries])
    problems = []
    for id, key, owner in refused_keys(registry.default_keys(), users, registry.fixed_keys()):
        problems.append(f'{path}: keys["{id}"]: {key} is the key of “{registry.get(owner).label}”')
    for id, keys in users.items():
        problems += [f'{path}: keys["{id}"]: {k} opens the {m} menu' for k in keys if (m := menu_of(k))]
    if problems:
        raise KeyMapError(problems)
    registry.replace_user_keys(users)
    return len(users)


def export_keys(path: str | Path, registry: ShortcutRegistry = REGISTRY) -> int:
    """Write the keys in force of the actions the user gave keys of their own (those that differ from the
    defaults: the rest follow the version that reads the file) to ``path``; the number of actions written.
    Raises ``OSError``."""
    defaults, in_force = registry.default_keys(), registry.in_force()
    users = {id: in_force[id] for id in registry.user_keys() if in_force[id] != defaults[id]}
    write_key_map(path, users)
    return len(users)
