"""Light and dark palettes, the app's style sheet, and the Theme that follows the system or the user."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from pixelproof.ui.icons import contrast_ratio, contrasting

THEMES = ("system", "light", "dark")
# WCAG AA asks 4.5:1 of normal text, and the grey hints are what tells a new user what to do; the colour
# aims a little higher, as anti-aliased glyphs come out a shade fainter than their colour (4.49 for 4.5)
HINT_CONTRAST = 4.6


def readable(color: QColor, *backgrounds: QColor, ratio: float = HINT_CONTRAST) -> QColor:
    """``color`` moved toward black (on light backgrounds) or white (on dark ones) just far enough to reach
    ``ratio`` against each of ``backgrounds``: a hint stays grey, but one that can be read."""
    target = contrasting(backgrounds[0])
    start, end = color.getRgbF()[:3], target.getRgbF()[:3]
    for step in range(101):
        t = step / 100
        mixed = QColor.fromRgbF(*(a + (b - a) * t for a, b in zip(start, end, strict=True)))
        if all(contrast_ratio(mixed, bg) >= ratio for bg in backgrounds):
            return mixed
    return target


_muted: dict[tuple[int, int, int], QColor] = {}


def muted_text(palette: QPalette | None = None) -> QColor:
    """The grey of a value that is not there (n/a, an infinite distance) or set aside (a rejected object) in
    a list or table: the palette's placeholder grey, readable on its rows (Base and AlternateBase). A fixed
    #8c8c8c read 3.4:1 on the light theme's white rows. ``palette``: the application's by default."""
    p = palette if palette is not None else QApplication.palette()
    roles = QPalette.ColorRole
    grey, base, alternate = (p.color(r) for r in (roles.PlaceholderText, roles.Base, roles.AlternateBase))
    key = (grey.rgba(), base.rgba(), alternate.rgba())
    if key not in _muted:  # a table asks for every cell it paints
        _muted[key] = readable(grey, base, alternate)
    return QColor(_muted[key])


def _hints_readable(p: QPalette) -> QPalette:
    """The placeholder colour (the panels' grey hints, ``palette(placeholder-text)``, and empty fields')
    readable on the panels (Window) and in fields (Base)."""
    roles = QPalette.ColorRole
    p.setColor(
        roles.PlaceholderText,
        readable(p.color(roles.PlaceholderText), p.color(roles.Window), p.color(roles.Base)),
    )
    return p


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
    return _hints_readable(p)


def _light_palette() -> QPalette:
    p = QStyleFactory.create("Fusion").standardPalette()
    p.setColor(QPalette.ColorRole.Window, QColor(242, 243, 245))
    p.setColor(QPalette.ColorRole.Base, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(246, 247, 249))
    p.setColor(QPalette.ColorRole.Button, QColor(236, 237, 240))
    p.setColor(QPalette.ColorRole.Highlight, QColor(53, 116, 240))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(120, 124, 130))
    return _hints_readable(p)


# a menu button's arrow sits right of its text (Fusion drew it over the last letters); a checked icon-only
# button (the tool in hand) is framed in the highlight on the base colour: filled with the highlight, the
# icons' accent strokes (the box tool's rectangle, the brush's tip) vanished into it
STYLESHEET = """
QMainWindow::separator { width: 4px; height: 4px; }
QDockWidget { font-weight: 600; }
QDockWidget > QWidget { font-weight: normal; }
QDockWidget::title { padding: 5px 8px; }
QToolBar { spacing: 2px; padding: 3px; border: none; }
QToolBar QToolButton { padding: 3px; border-radius: 4px; }
QToolBar QToolButton:checked { background: palette(highlight); color: palette(highlighted-text); }
QToolBar QToolButton[toolButtonStyle="0"]:checked {
    background: palette(base); border: 2px solid palette(highlight); padding: 1px;
}
QStatusBar QLabel { padding: 0 8px; }
QToolButton[popupMode="2"] { padding-left: 6px; padding-right: 18px; }
QToolButton[popupMode="2"]::menu-indicator {
    subcontrol-origin: padding; subcontrol-position: center right; right: 3px;
}
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


def theme() -> Theme:
    return QApplication.instance().pixelproof_theme  # type: ignore[union-attr]
