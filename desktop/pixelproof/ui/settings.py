"""The app's settings: one INI file in the user's config folder (tests point QSettings at a temp folder)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANIZATION = "PixelProof"
APPLICATION = "PixelProof"


def settings() -> QSettings:
    """The app's settings (INI file in the user's config folder; tests point it at a temp folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)
