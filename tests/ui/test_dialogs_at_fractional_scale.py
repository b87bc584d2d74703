"""Dialogs on a laptop at fractional scaling: 1366x768 at 125 % is a 1093x614 screen for the widgets, and
1920x1080 at 175 % a 1097x617 one. Preferences (620x640), Help > Shortcuts (660x640), the Lint rules
dialog (900x620) opened at sizes fixed in pixels, taller than that screen:
Preferences' Close button and its mouse wheel settings were under the screen's edge, out of reach. Each
now opens within the screen's free area, with its frame, and its buttons are on the screen."""

from __future__ import annotations

import json

import pytest

from tests.ui.conftest import make_project, run_at_scale

pytestmark = pytest.mark.gui

OPEN_DIALOGS = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from pixelproof.ui import dialogs
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow
from pixelproof.ui.panels.problems.rules_dialog import RulesDialog
from pixelproof.ui.preferences import PreferencesDialog
from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.window_geometry import BORDER, TITLE

app = create_app([])
win = MainWindow()
assert win.open_path(sys.argv[2])
area = app.primaryScreen().availableGeometry()
out = {"screen": [area.width(), area.height()]}
for name, make in (
    ("Preferences", lambda: PreferencesDialog(win)),
    ("Shortcuts", lambda: dialogs.ShortcutsDialog(REGISTRY.rows(), win)),
    ("Lint rules", lambda: RulesDialog(win.document, win)),
):
    dialog = make()
    dialog.show()
    app.processEvents()
    buttons = dialog.findChild(QDialogButtonBox)
    bottom = buttons.mapTo(dialog, buttons.rect().bottomLeft()).y()
    out[name] = [dialog.width() + 2 * BORDER, dialog.height() + TITLE + BORDER, bottom, dialog.height()]
    dialog.close()
print(json.dumps(out))
"""


@pytest.mark.parametrize(("scale", "screen"), [(1.25, (1366, 768)), (1.75, (1920, 1080))])
def test_dialogs_fit_a_laptop_screen_at_fractional_scale(tmp_path, scale, screen) -> None:
    out = json.loads(
        run_at_scale(
            scale, OPEN_DIALOGS, str(tmp_path / "settings"), str(make_project(tmp_path)), screen=screen
        )
    )
    width, height = out.pop("screen")
    assert height < 640, (width, height)  # the screen is smaller than the dialogs' old sizes
    for name, (frame_w, frame_h, buttons_bottom, inner_h) in out.items():
        assert frame_w <= width and frame_h <= height, (name, frame_w, frame_h, width, height)
        assert buttons_bottom <= inner_h, name  # the buttons are inside the dialog, so on the screen
