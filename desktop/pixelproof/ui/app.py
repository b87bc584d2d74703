"""Application set-up: QApplication, style and light/dark theme following the system, settings, and
``run_app(argv)`` — what ``pixelproof [PATH]`` runs."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from pixelproof import __version__

ORGANIZATION = "PixelProof"
APPLICATION = "PixelProof"
THEMES = ("system", "light", "dark")


def settings() -> QSettings:
    """The app's settings (INI file in the user's config folder; tests point it at a temp folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def _dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor(43, 45, 48), QColor(30, 31, 34), QColor(223, 225, 229)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor(37, 39, 42),
        QPalette.ColorRole.ToolTipBase: QColor(60, 63, 65),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: QColor(134, 138, 145),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor(50, 52, 56),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 255, 255),
        QPalette.ColorRole.Light: QColor(70, 73, 77),
        QPalette.ColorRole.Midlight: QColor(60, 63, 66),
        QPalette.ColorRole.Mid: QColor(50, 52, 55),
        QPalette.ColorRole.Dark: QColor(25, 26, 28),
        QPalette.ColorRole.Shadow: QColor(0, 0, 0),
        QPalette.ColorRole.Highlight: QColor(53, 116, 240),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(88, 157, 246),
    }
    for role, color in roles.items():
        p.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(110, 113, 118))
    return p


def _light_palette() -> QPalette:
    p = QStyleFactory.create("Fusion").standardPalette()
    p.setColor(QPalette.ColorRole.Window, QColor(242, 243, 245))
    p.setColor(QPalette.ColorRole.Base, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(246, 247, 249))
    p.setColor(QPalette.ColorRole.Button, QColor(236, 237, 240))
    p.setColor(QPalette.ColorRole.Highlight, QColor(53, 116, 240))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(120, 124, 130))
    return p


STYLESHEET = """
QMainWindow::separator { width: 4px; height: 4px; }
QDockWidget { font-weight: 600; }
QDockWidget > QWidget { font-weight: normal; }
QDockWidget::title { padding: 5px 8px; }
QToolBar { spacing: 2px; padding: 3px; border: none; }
QToolBar QToolButton { padding: 3px; border-radius: 4px; }
QStatusBar QLabel { padding: 0 8px; }
QTreeView, QListView, QTableView { outline: 0; }
"""


class Theme(QObject):
    """Applies a light or dark palette: the system's choice (followed live) or one the user picked."""

    changed = Signal(bool)  # dark

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.mode = "system"
        self.dark = False
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(lambda *_: self.apply(self.mode))

    def system_is_dark(self) -> bool:
        hints = QGuiApplication.styleHints()
        return hasattr(hints, "colorScheme") and hints.colorScheme() == Qt.ColorScheme.Dark

    def apply(self, mode: str) -> None:
        self.mode = mode if mode in THEMES else "system"
        dark = self.system_is_dark() if self.mode == "system" else self.mode == "dark"
        self.app.setPalette(_dark_palette() if dark else _light_palette())
        self.dark = dark
        self.changed.emit(dark)


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


def theme() -> Theme:
    return QApplication.instance().pixelproof_theme  # type: ignore[union-attr]


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
    from pixelproof.ui.main_window import MainWindow

    if args.reset_layout:
        s = settings()
        s.remove("window")
    window = MainWindow()
    if os.environ.get("PIXELPROOF_EXIT_AFTER_FIRST_PAINT") == "1":
        _ExitAfterFirstPaint(app, window)
    window.show()
    if args.path:
        window.open_path(Path(args.path))
    return app.exec()
