"""The app's settings: one INI file in the user's config folder (tests point QSettings at a temp folder),
and the app's data folder (recovery files of new projects)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

ORGANIZATION = "PixelProof"
APPLICATION = "PixelProof"


def settings() -> QSettings:
    """The app's settings (INI file in the user's config folder; tests point it at a temp folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def recovery_dir() -> Path:
    """Where new (never saved) projects are autosaved: ``PixelProof/recovery`` in the user's data folder
    (``~/.local/share`` or ``$XDG_DATA_HOME`` on Linux, AppData/Local on Windows, Application Support on
    macOS)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / ORGANIZATION / "recovery"
