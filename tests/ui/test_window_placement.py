"""The first window fits the screen it opens on (issue 19, item 4), and a layout saved on a bigger screen
is not restored off the edge of a laptop's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect

from pixelproof.ui import window_geometry

LAPTOP = QRect(0, 0, 1366, 768 - 40)  # a 1366x768 screen less a 40-px task bar


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """The screens the window sees: one 1366x768 laptop screen (offscreen Qt has an 800x800 one)."""
    monkeypatch.setattr(window_geometry, "screen_areas", lambda: [LAPTOP])
    return LAPTOP


def new_window(qtbot):  # type: ignore[no-untyped-def]
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    return win


def on_screen(win, area: QRect) -> bool:  # type: ignore[no-untyped-def]
    return area.contains(window_geometry.with_frame(win.geometry()))


def test_first_window_fits_a_laptop_screen_with_docks_and_status_bar(qtbot, laptop: QRect) -> None:
    win = new_window(qtbot)
    assert on_screen(win, laptop), win.geometry()
    assert win.width() >= 1300 and win.height() >= 650  # uses the screen, not a small default
    win.show()
    qtbot.waitExposed(win)
    bar = win.statusBar()
    assert bar.isVisible() and bar.geometry().bottom() < win.height()
    for dock in win.docks.values():
        if not dock.visibleRegion().isEmpty():  # shown, not a tab behind another
            assert win.rect().contains(dock.geometry()), dock.objectName()
    win.close()


def test_saved_geometry_restored_only_if_it_fits(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offscreen Qt has one 800x800 screen (Qt's own restore keeps a window inside it); the usable area
    here is smaller, as with a big task bar: a window saved at 780x780 does not fit it."""
    from pixelproof.ui.settings import settings

    area = QRect(0, 0, 760, 560)
    monkeypatch.setattr(window_geometry, "screen_areas", lambda: [area])
    big = new_window(qtbot)
    big.setGeometry(QRect(10, 10, 780, 780))
    settings().setValue("window/geometry", big.saveGeometry())
    big.close()
    win = new_window(qtbot)
    assert on_screen(win, area) and win.geometry() == window_geometry.first_geometry(area)

    win.setGeometry(QRect(100, 80, 500, 400))  # a size the user chose on this screen
    settings().setValue("window/geometry", win.saveGeometry())
    win.close()
    again = new_window(qtbot)
    assert again.geometry() == QRect(100, 80, 500, 400)  # fits: kept as it was


def test_first_size_on_a_big_screen_is_the_default() -> None:
    g = window_geometry.first_geometry(QRect(0, 0, 2560, 1400))
    assert (g.width(), g.height()) == (1600, 1000)
    assert QRect(0, 0, 2560, 1400).contains(window_geometry.with_frame(g))


def test_images_panel_gets_its_width_on_a_laptop_screen(qtbot, laptop: QRect, tmp_path) -> None:
    """The review view's wide header (a hidden page of the central stack) must not squeeze the docks:
    the Images panel gets the width its file names need."""
    from tests.ui.conftest import make_project, wait_loaded

    win = new_window(qtbot)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_path(make_project(tmp_path))
    wait_loaded(qtbot, win)
    panel = win.panels["imagesDock"]
    assert win.docks["imagesDock"].width() >= panel.preferred_width() - 4
    assert win.centralWidget().minimumSizeHint().width() < 400  # the canvas's, not the review view's
    win.close()


CHILD = """
import sys
from PySide6.QtCore import QRect, QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow
app = create_app()
win = MainWindow()
if sys.argv[2] == "save":
    win.setGeometry(QRect(1400, 100, 2400, 1300))  # on the big screen, right of the laptop's
    win.show()
    app.processEvents()
else:
    win.show()
    app.processEvents()
    g = win.frameGeometry()
    print(g.x(), g.y(), g.width(), g.height())
win.close()
"""


def screens_file(folder: Path, *screens: tuple[int, int, int, int]) -> str:
    """An offscreen Qt platform with these screens (x, y, width, height): a real screen layout."""
    keys = ("x", "y", "width", "height")
    config = {"screens": [{"name": f"s{i}", **dict(zip(keys, s, strict=True)), "logicalDpi": 96,
                           "logicalBaseDpi": 96, "dpr": 1} for i, s in enumerate(screens)]}  # fmt: skip
    path = folder / f"screens{len(screens)}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return f"offscreen:configfile={path}"


def test_a_window_saved_on_a_big_second_screen_fits_the_laptop_alone(tmp_path: Path) -> None:
    """Two real app runs: the layout saved on a 2560x1440 screen beside the laptop's, then restored with
    only the 1366x768 laptop screen left: the whole window, frame included, is on it."""
    settings_dir = str(tmp_path / "settings")

    def run(platform: str, mode: str) -> str:
        env = {**os.environ, "QT_QPA_PLATFORM": platform}
        done = subprocess.run([sys.executable, "-c", CHILD, settings_dir, mode], env=env, capture_output=True,
                              text=True, timeout=120, check=True)  # fmt: skip
        return done.stdout

    run(screens_file(tmp_path, (0, 0, 1366, 768), (1366, 0, 2560, 1440)), "save")
    x, y, w, h = map(int, run(screens_file(tmp_path, (0, 0, 1366, 768)), "load").split())
    assert QRect(0, 0, 1366, 768).contains(QRect(x, y, w, h)) and w >= 1300 and h >= 650
