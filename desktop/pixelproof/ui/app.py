"""Application set-up: the QApplication (names, style, theme from ``ui.theme``, settings from
``ui.settings``) and ``run_app(argv)`` — what ``pixelproof [PATH]`` runs. The one module of ``ui`` that
imports the main window."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from pixelproof import __version__
from pixelproof.ui.dialog_focus import give_keys_back_after_dialogs
from pixelproof.ui.main_thread_gc import collect_on_gui_thread
from pixelproof.ui.settings import APPLICATION, ORGANIZATION, settings, settings_problem
from pixelproof.ui.termination import end_on_signals
from pixelproof.ui.theme import STYLESHEET, Theme

if TYPE_CHECKING:
    from pixelproof.ui.main_window import MainWindow


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused when one exists, as under pytest-qt), with style, theme and names set,
    Python's cyclic garbage collection moved to the GUI thread (ui/main_thread_gc.py), and every dialog
    giving the keys back to its window when it closes (ui/dialog_focus.py)."""
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
    collect_on_gui_thread(app)
    give_keys_back_after_dialogs(app)
    return app  # type: ignore[return-value]


def new_main_window() -> MainWindow:
    """The main window (imported here, on first use: the app's entries are the only code that names it)."""
    from pixelproof.ui.main_window import MainWindow

    return MainWindow()


class AfterFirstPaint(QObject):
    """Runs ``callback`` once ``window`` has painted, after that whole paint pass: a question asked while
    opening (recover the autosave? which categories?) then shows over a finished window, not over a
    half-drawn one."""

    def __init__(self, window: QWidget, callback: Callable[[], object]) -> None:
        super().__init__(window)
        self.window, self.callback = window, callback
        self._app = QApplication.instance()
        self._app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and obj.window() is self.window:
            self._app.removeEventFilter(self)
            QTimer.singleShot(0, self.callback)
        return False


def _exit_after_next_paint(app: QApplication, window: QWidget) -> None:
    """``PIXELPROOF_EXIT_AFTER_FIRST_PAINT=1`` (bench/startup.py): once the main window has painted with
    what it opened, print ``first paint <time.time()>`` (the bench subtracts its spawn time) and leave the
    event loop."""

    def done() -> None:
        print(f"first paint {time.time():.4f}", flush=True)
        app.exit(0)  # no close events: nothing saved, nothing asked

    AfterFirstPaint(window, done)
    window.update()


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


def app_parser() -> argparse.ArgumentParser:
    """``pixelproof [PATH]``'s options (``pixelproof --help`` lists them too; a test keeps them in step)."""
    parser = argparse.ArgumentParser(prog="pixelproof", description="Open the PixelProof app.")
    parser.add_argument(
        "path",
        nargs="?",
        help="project .json file, a folder of images (its saved project.json, else a new project), or a "
        "picture (its folder, opened so, that picture shown)",
    )
    parser.add_argument("--reset-layout", action="store_true", help="forget the saved window layout")
    parser.add_argument(
        "--categories",
        metavar="A,B,...",
        help="categories of a new project over a folder of images (without it, the app asks; not used "
        "when the folder has a saved project.json: that opens)",
    )
    parser.add_argument("--max-pixels", help="decode images of up to this many pixels at once (e.g. 1G)")
    return parser


def run_app(argv: list[str]) -> int:
    """``pixelproof [PATH]``: the main window, on PATH (a project .json, a folder of images or a picture in
    one) if given."""
    from pixelproof.core.image_folder import category_names

    args, qt_args = app_parser().parse_known_args(argv)
    try:
        apply_pixel_limit(args.max_pixels)
    except ValueError as e:
        print(f"pixelproof: error: --max-pixels: {e}", file=sys.stderr)
        return 2
    if args.path and not Path(args.path).exists():
        print(f"pixelproof: error: {args.path}: no such file or folder", file=sys.stderr)
        return 1
    try:
        categories = None if args.categories is None else category_names(args.categories)
    except ValueError as e:
        print(f"pixelproof: error: --categories: {e}", file=sys.stderr)
        return 2
    app = create_app(qt_args)
    if args.reset_layout:
        s = settings()
        s.remove("window")
    window = show_main_window(Path(args.path) if args.path else None, categories)
    end_on_signals(app, lambda: window.document, window.save_settings)  # kill, logout: autosaved
    return app.exec()


def show_main_window(path: Path | None = None, categories: list[str] | None = None) -> MainWindow:
    """Show the main window, then open ``path`` once it has painted (see ``AfterFirstPaint``)."""
    window = new_main_window()

    def open_path() -> None:
        recovered = window.files.offer_recovery()  # a new project a crash left unsaved
        if path is not None and not recovered:
            window.open_path(path, categories)
        elif path is not None:
            window.shell.status(f"{path} not opened: the recovered project is open", 10000, "warning")
        if (problem := settings_problem()) is not None:  # said once, here, and on stderr
            print(f"pixelproof: warning: {problem}", file=sys.stderr)
            window.shell.status(problem, 15000, "warning")
        if os.environ.get("PIXELPROOF_EXIT_AFTER_FIRST_PAINT") == "1":
            _exit_after_next_paint(QApplication.instance(), window)

    AfterFirstPaint(window, open_path)
    window.show()
    return window
