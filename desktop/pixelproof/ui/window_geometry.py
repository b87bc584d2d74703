"""Where the main window goes: its saved geometry when that still fits a screen, else a size that fits the
screen it opens on. A layout saved on a 27-inch monitor must not put the docks and the status bar off the
edge of a 1366x768 laptop, and a first run on that laptop must not open at 1600x1000."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget

DEFAULT_SIZE = QSize(1600, 1000)  # on a screen with room for it
BORDER, TITLE = 8, 32  # what a window manager adds around the window: borders, title bar


def screen_areas() -> list[QRect]:
    """The usable part (without task bars and docks) of every screen."""
    return [s.availableGeometry() for s in QGuiApplication.screens()]


def fits(frame: QRect, areas: list[QRect]) -> bool:
    """True when ``frame`` (the window with its frame) lies on one screen area, within a few pixels."""
    slack = 8
    for area in areas:
        grown = area.adjusted(-slack, -slack, slack, slack)
        if grown.contains(frame.topLeft()) and grown.contains(frame.bottomRight()):
            return True
    return False


def first_geometry(area: QRect) -> QRect:
    """The window's inner rectangle on a first run: the default size, or the screen area less the frame,
    centred on ``area``."""
    w = min(DEFAULT_SIZE.width(), area.width() - 2 * BORDER)
    h = min(DEFAULT_SIZE.height(), area.height() - TITLE - BORDER)
    x = area.x() + (area.width() - w - 2 * BORDER) // 2 + BORDER
    y = area.y() + (area.height() - h - TITLE - BORDER) // 2 + TITLE
    return QRect(x, y, w, h)


def with_frame(inner: QRect) -> QRect:
    """The outer rectangle of a window whose inside is ``inner``."""
    return inner.adjusted(-BORDER, -TITLE, BORDER, BORDER)


def place_window(window: QWidget, saved: object) -> bool:
    """Restore ``saved`` (``saveGeometry()`` bytes) when it fits a screen now; otherwise size the window to
    the screen it is on. Returns True when the saved geometry was used."""
    areas = screen_areas()
    restored = isinstance(saved, QByteArray) and not saved.isEmpty() and window.restoreGeometry(saved)
    if restored and (not areas or window.isMaximized() or fits(with_frame(window.geometry()), areas)):
        return True
    if not areas:
        window.resize(DEFAULT_SIZE)
        return False
    screen = window.screen()
    area = screen.availableGeometry() if screen is not None else areas[0]
    if area not in areas:
        area = areas[0]
    window.setGeometry(first_geometry(area))
    return False


PROBLEMS_SIZED = "window/problems_sized"  # the saved layout has a Problems dock height (a dragged one)


class FirstHeight(QObject):
    """A bottom dock's height the first time it is shown in a layout: ``share`` of the window's, at least
    its panel's minimum (the Problems dock opened at its 250 px size hint plus its title, which left a
    1366x768 window's canvas half its height or less). Once sized - here, or in a saved layout that had it
    sized (``sized``) - the dock keeps the height it has: one the user dragged stays."""

    def __init__(self, window: QMainWindow, dock: QDockWidget, sized: bool, share: float = 0.25) -> None:
        super().__init__(dock)
        self.window, self.dock, self.sized, self.share = window, dock, sized, share
        dock.visibilityChanged.connect(self._shown)

    def _shown(self, visible: bool) -> None:
        if visible and not self.sized:
            self.sized = True
            QTimer.singleShot(0, self._apply)  # once the window has laid the dock out

    def _apply(self) -> None:
        dock, window = self.dock, self.window
        if dock.isFloating() or window.dockWidgetArea(dock) != Qt.DockWidgetArea.BottomDockWidgetArea:
            return
        content = dock.widget()
        panel = content.widget() if isinstance(content, QScrollArea) else content
        title = dock.height() - content.height()
        want = max(panel.minimumSizeHint().height() + title, int(self.share * window.height()))
        window.resizeDocks([dock], [want], Qt.Orientation.Vertical)


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` (a dialog) to ``width`` x ``height``, or less where its screen's free area is
    smaller with the window's frame, never under its layout's minimum. A size fixed in pixels outgrew a
    1366x768 laptop at 125 % (a 1093x614 screen): Preferences' Close button was off the screen's edge."""
    parent = widget.parentWidget()
    screen = widget.screen() if parent is None else parent.screen()
    if screen is None:
        widget.resize(width, height)
        return
    area = screen.availableGeometry()
    room = QSize(area.width() - 2 * BORDER, area.height() - TITLE - BORDER)
    widget.resize(QSize(width, height).boundedTo(room).expandedTo(widget.minimumSizeHint()))
