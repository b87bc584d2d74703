"""The Edit menu in sections (``ui/edit_menu.py``): with the track items it had 23 items in two long runs,
Copy ... Fill Between Frames and Delete ... Send to Back, no line between the clipboard, the sequence and
track items, the selection and the objects' flags and stacking. And every menu fits a 1024x576 screen (and
1366x768 at 125 %, 614 high for the widgets) without scroll arrows: at 24 items the Edit menu did not, and
its track items went to a Tracks menu (tests/ui/test_tracks_menu.py). The View
menu's ten toggles in a row part into the view's behaviour, what is drawn over the image, and hiding
objects."""

from __future__ import annotations

import json

import pytest

from tests.ui.conftest import make_project, run_at_scale

pytestmark = pytest.mark.gui


def sections(menu) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The menu's item texts (no mnemonic), split where a separator is."""
    out: list[list[str]] = [[]]
    for act in menu.actions():
        if act.isSeparator():
            out.append([])
        else:
            out[-1].append(act.text().replace("&", ""))
    return out


def test_edit_menu_items_are_grouped_with_separators(window) -> None:
    assert sections(window.edit_menu) == [
        ["Undo", "Redo"],
        ["Copy", "Paste", "Duplicate", "Delete"],
        ["Propagate…", "Keep Previous Objects", "Fill Between Slices"],
        ["Select All", "Select Next Object", "Select Previous Object"],
        ["Occluded", "Lock", "Place Keypoints on Object"],
        ["Bring to Front", "Send to Back"],
        ["Set Category"],
        ["Preferences…"],
    ]
    # the window's keys still reach the items moved (Delete acts on the selection)
    delete = next(a for a in window.edit_menu.actions() if a.property("shortcut_id") == "edit.delete")
    assert delete.shortcut().toString() == "Del"


MENU_HEIGHTS = r"""
import json, sys
from PySide6.QtCore import QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow

app = create_app([])
win = MainWindow()
assert win.open_path(sys.argv[2])
win.showMaximized()
app.processEvents()
area = app.primaryScreen().availableGeometry()
below_bar = area.height() - win.menuBar().height()
menus = {m.title().replace("&", ""): m.sizeHint().height() for m in win.menus}
print(json.dumps({"room": below_bar, "menus": menus}))
"""


@pytest.mark.parametrize(("scale", "screen"), [(1.0, (1024, 576)), (1.25, (1366, 768))])
def test_every_menu_fits_a_small_screen_below_the_menu_bar(tmp_path, scale, screen) -> None:
    out = json.loads(
        run_at_scale(
            scale, MENU_HEIGHTS, str(tmp_path / "settings"), str(make_project(tmp_path)), screen=screen
        )
    )
    room, menus = out["room"], out["menus"]
    assert menus["Edit"] > 400  # the measure is the real menu's, with all its items
    assert {t: h for t, h in menus.items() if h > room} == {}, room


def test_view_menu_parts_the_drawn_overlays_from_hiding_objects(window) -> None:
    view = next(m for m in window.menus if m.title() == "&View")
    parts = sections(view)
    assert ["Box Guide Lines", "Show Labels", "Labels on Selected Objects Only", "Show Annotations"] in parts
    assert ["Hide Selected Objects", "Hide Other Objects", "Show Hidden Objects"] in parts
