"""The brush / eraser width kept in the app's settings (``ui.settings``): the width the user last chose, by
``[`` / ``]``, Shift+wheel or the toolbar's box, is the width of the next window and of the next session.
It is written at each change, not when a window closes: a width chosen before a crash or a kill is kept."""

from __future__ import annotations

from pixelproof.core.paint import clamp_width
from pixelproof.ui.settings import settings
from pixelproof.ui.tools.paint_options import OPTIONS

KEY = "tools/brush_width"


def saved_width() -> int | None:
    """The kept width, brought into the range the tools take (``clamp_width``); None when there is none or
    it is damaged (not a whole number: a hand edit of the settings file)."""
    raw = settings().value(KEY)
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > 9:  # "²" is a digit int() refuses
        return None
    return clamp_width(int(text))


def remember_width() -> None:
    """A new window: take the kept width (the app-wide ``OPTIONS``), then keep every change from now on."""
    width = saved_width()
    if width is not None:
        OPTIONS.set(width=width)
    OPTIONS.listen(_keep)  # a function: held for the app's life, once however many windows open


def _keep() -> None:
    settings().setValue(KEY, OPTIONS.width)
