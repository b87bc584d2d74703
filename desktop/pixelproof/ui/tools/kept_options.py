"""The mask tools' options kept in the app's settings (``ui.settings``): the brush / eraser width, the wand's
tolerance, 8-connectivity and floating range, Preserve others and the assist tool's output (mask or
polygon), as the user last set them (keys, the
toolbar, the Masks menu), are those of the next window and of the next session, as an image editor keeps
its tool options. Each is written at each change, not when a window closes: an option set before a crash or
a kill is kept. A damaged value (a hand edit of the settings file) is ignored and the default stays."""

from __future__ import annotations

from pixelproof.core.paint import clamp_width
from pixelproof.ui.settings import settings
from pixelproof.ui.tools.paint_options import ASSIST_OUTPUTS, OPTIONS

KEYS = {
    "width": "tools/brush_width",
    "tolerance": "tools/wand_tolerance",
    "connectivity": "tools/wand_connectivity",
    "fixed_range": "tools/wand_fixed_range",
    "preserve_others": "tools/preserve_others",
    "assist_output": "tools/assist_output",
}
KEY = KEYS["width"]


def _whole(raw: object, most: int) -> int | None:
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > most:  # "²" is a digit int() refuses
        return None
    return int(text)


def _flag(raw: object) -> bool | None:
    """QSettings' INI files give booleans back as the strings "true" / "false"."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, (str, int)) else ""
    return {"true": True, "1": True, "false": False, "0": False}.get(text)


def saved_width() -> int | None:
    """The kept width, brought into the range the tools take (``clamp_width``); None when there is none or
    it is damaged."""
    width = _whole(settings().value(KEY), 9)
    return None if width is None else clamp_width(width)


def saved_options() -> dict[str, object]:
    """Every kept option that reads as a valid value, by ``PaintOptions`` field."""
    store = settings()
    found: dict[str, object] = {}
    width = saved_width()
    if width is not None:
        found["width"] = width
    tolerance = _whole(store.value(KEYS["tolerance"]), 3)
    if tolerance is not None:
        found["tolerance"] = float(min(tolerance, 255))
    connectivity = _whole(store.value(KEYS["connectivity"]), 1)
    if connectivity in (4, 8):
        found["connectivity"] = connectivity
    for name in ("fixed_range", "preserve_others"):
        flag = _flag(store.value(KEYS[name]))
        if flag is not None:
            found[name] = flag
    output = store.value(KEYS["assist_output"])
    if output in ASSIST_OUTPUTS:
        found["assist_output"] = output
    return found


def remember_options() -> None:
    """A new window: take the kept options (the app-wide ``OPTIONS``), then keep every change from now on."""
    OPTIONS.set(**saved_options())
    OPTIONS.listen(_keep)  # a function: held for the app's life, once however many windows open


def _keep() -> None:
    store = settings()
    for name, key in KEYS.items():
        value = getattr(OPTIONS, name)
        store.setValue(key, int(value) if name == "tolerance" else value)
