"""Keys named for a person to read: a lone punctuation key is a speck in a menu's shortcut column, so it
is named beside its glyph ("Period (.)"); ``key_glyph`` reads such a name back (Help > Shortcuts' find
field, the tests). Kept apart from the registry (``ui.shortcuts``), which shows keys through these."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

# lone punctuation keys too small to read in a menu's shortcut column, named there and in the key lists:
# "." and "," (the next / previous problem object) were specks of 3-4 px beside "W"
KEY_NAMES = {".": "Period", ",": "Comma", "'": "Apostrophe", "`": "Backtick", ";": "Semicolon"}


def key_label(seq: QKeySequence) -> str:
    """A key for a person to read: its native text, a lone punctuation key named beside its glyph
    ("Period (.)"); with a modifier ("Ctrl+,") it reads as it is."""
    text = seq.toString(QKeySequence.SequenceFormat.NativeText)
    name = KEY_NAMES.get(text)
    return f"{name} ({text})" if name else text


def key_glyph(label: str) -> str:
    """The key a ``key_label`` names ("Period (.)" -> ".", any case: a find field lower-cases it); any
    other key text as it is."""
    for glyph, name in KEY_NAMES.items():
        if label.lower() == f"{name} ({glyph})".lower():
            return glyph
    return label
