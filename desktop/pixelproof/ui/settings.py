"""The app's settings: one INI file in the user's config folder (tests point QSettings at a temp folder),
and the app's data folder (recovery files of new projects)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths

ORGANIZATION = "PixelProof"
APPLICATION = "PixelProof"


def settings() -> QSettings:
    """The app's settings (INI file in the user's config folder; tests point it at a temp folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def settings_problem() -> str | None:
    """Why the settings cannot be saved (their file, or a folder to hold it, cannot be written: a read-only
    or missing ``$XDG_CONFIG_HOME``, ``HOME`` unset or read-only), naming the file; None when they can.
    The app says it once at start: every later write of a setting then fails silently, as QSettings
    does, instead of the app stopping or asking each time."""
    s = settings()
    if s.isWritable():
        return None
    path = Path(s.fileName())
    home = "" if os.environ.get("HOME") else " (HOME is not set)"
    return (
        f"Settings cannot be saved: {path} cannot be written{home}; layout, recent projects and "
        "preferences last this session only (set XDG_CONFIG_HOME to a folder you may write in)"
    )


def json_value(raw: object, default: Any = None) -> Any:
    """A setting kept as JSON text, parsed; ``default`` when it is damaged (not text, not JSON, or nested
    too deeply for json: a RecursionError), as a hand edit or a broken sync leaves it."""
    if not isinstance(raw, str):
        return default
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # ValueError: also an integer of more digits than int() takes
        return default


def number_value(raw: object, default: float, least: float, most: float) -> Any:
    """A number kept in the settings, as ``default``'s type (int or float); ``default`` when the value is
    damaged (a hand edit): not a number, NaN, infinite, out of ``least``..``most``, or a fraction where a
    whole number is kept. QSettings' own ``value(key, type=int)`` raised on "nan" or "1e999" (the window
    never opened) and gave 0 for any other text (a 16-px tile, an IoU of 0 that skips every overlap)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return default
    try:
        number = float(raw)
    except (ValueError, OverflowError):
        return default
    if not (math.isfinite(number) and least <= number <= most):
        return default
    if isinstance(default, int):
        return int(number) if number.is_integer() else default
    return number


def recovery_dir() -> Path:
    """Where new (never saved) projects are autosaved: ``PixelProof/recovery`` in the user's data folder
    (``~/.local/share`` or ``$XDG_DATA_HOME`` on Linux, AppData/Local on Windows, Application Support on
    macOS)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / ORGANIZATION / "recovery"
