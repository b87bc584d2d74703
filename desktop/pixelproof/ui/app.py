"""Application set-up: the QApplication (names, style, theme from ``ui.theme``, settings from
``ui.settings``) and ``run_app(argv)`` — what ``pixelproof [PATH]`` runs. The one module of ``ui`` that
imports the main window."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from pixelproof import __version__
from pixelproof.ui.settings import APPLICATION, ORGANIZATION, settings
from pixelproof.ui.theme import STYLESHEET, Theme

if TYPE_CHECKING:
    from pixelproof.ui.main_window import MainWindow


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused when one exists, as under pytest-qt), with style, theme and names set."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    if not hasattr(app, "pixelproof_theme"):
        app.pixelproof_theme = Theme(app)  # type: ignore[attr-defined]
        app.pixelproof_theme.apply(str(settings().value("theme", "system")))  # type: ignore[attr-defined]
    QGuiApplication.setDesktopFileName("pixelproof")
    return app  # type: ignore[return-value]


def new_main_window() -> MainWindow:
    """The main window (imported here, on first use: the app's entries are the only code that names it)."""
    from pixelproof.ui.main_window import MainWindow

    return MainWindow()


class _ExitAfterFirstPaint(QObject):
    """``PIXELPROOF_EXIT_AFTER_FIRST_PAINT=1`` (bench/startup.py): once the main window has painted,
    print ``first paint <time.time()>`` (the bench subtracts its spawn time) and leave the event loop."""

    def __init__(self, app: QApplication, window: QWidget) -> None:
        super().__init__(window)
        self.app, self.window = app, window
        app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and obj.window() is self.window:
            self.app.removeEventFilter(self)
            QTimer.singleShot(0, self.done)  # after the whole paint pass
        return False

    def done(self) -> None:
        print(f"first paint {time.time():.4f}", flush=True)
        self.app.exit(0)  # no close events: nothing saved, nothing asked


PIXEL_LIMIT_KEY = "limits/max_pixels"


def apply_pixel_limit(option: str | None = None) -> None:
    """The pixel limit for this session: ``--max-pixels``, else the Image > Pixel Limit setting, else
    the environment or the default (``core.limits``). Raises ValueError for an unreadable option."""
    from pixelproof.core.limits import parse_pixel_count, set_max_pixels

    if option is not None:
        set_max_pixels(parse_pixel_count(option))
        return
    stored = settings().value(PIXEL_LIMIT_KEY, "")
    try:
        set_max_pixels(parse_pixel_count(str(stored)) if stored else None)
    except ValueError:
        set_max_pixels(None)  # a broken setting must not stop the app


def run_app(argv: list[str]) -> int:
    """``pixelproof [PATH]``: the main window, on PATH (a project .json or a folder of images) if given."""
    parser = argparse.ArgumentParser(prog="pixelproof", description="Open the PixelProof app.")
    parser.add_argument("path", nargs="?", help="project .json file, or a folder of images (new project)")
    parser.add_argument("--reset-layout", action="store_true", help="forget the saved window layout")
    parser.add_argument("--max-pixels", help="decode images of up to this many pixels at once (e.g. 1G)")
    args, qt_args = parser.parse_known_args(argv)
    try:
        apply_pixel_limit(args.max_pixels)
    except ValueError as e:
        print(f"pixelproof: error: --max-pixels: {e}", file=sys.stderr)
        return 2
    if args.path and not Path(args.path).exists():
        print(f"pixelproof: error: {args.path}: no such file or folder", file=sys.stderr)
        return 1
    app = create_app(qt_args)
    if args.reset_layout:
        s = settings()
        s.remove("window")
    window = new_main_window()
    if os.environ.get("PIXELPROOF_EXIT_AFTER_FIRST_PAINT") == "1":
        _ExitAfterFirstPaint(app, window)
    window.show()
    if args.path:
        window.open_path(Path(args.path))
    return app.exec()
