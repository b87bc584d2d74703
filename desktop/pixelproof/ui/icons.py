"""Icons: the SVGs in ``resources/icons`` drawn in the theme's text colour, so they suit light and dark."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

TOOLBAR_SIZE = 22  # the main toolbar's icons; drawn at exactly this size (a 24 px one shrunk is soft)
SIZES = (16, 20, TOOLBAR_SIZE, 24, 32, 48)
SWATCH_RATIO = 2  # swatches are drawn at twice their size (sharp on HiDPI)


@cache
def _svg(name: str) -> str | None:
    res = files("pixelproof.resources").joinpath("icons", f"{name}.svg")
    return res.read_text(encoding="utf-8") if res.is_file() else None


def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` with ``currentColor`` = the palette's text colour (an empty icon
    when the file is missing, never an error)."""
    text = _svg(name)
    if text is None:
        return QIcon()
    pal = QGuiApplication.palette()
    fg = pal.color(QPalette.ColorRole.WindowText).name()
    accent = pal.color(QPalette.ColorRole.Highlight).name()
    data = QByteArray(text.replace("currentColor", fg).replace("var(--accent)", accent).encode())
    renderer = QSvgRenderer(data)
    result = QIcon()
    ratio = max(
        1.0, QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1
    )
    for s in SIZES:
        px = int(s * ratio)
        img = QImage(px, px, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(p, QRectF(0, 0, px, px))
        p.end()
        pm = QPixmap.fromImage(img)
        pm.setDevicePixelRatio(ratio)
        result.addPixmap(pm)
    return result


def swatch(color: str | QColor, size: int = 14) -> QIcon:
    """A rounded colour square for category lists. Cached per colour: panels ask for one per row, and
    drawing it costs ~0.1 ms (most of a row's rebuild)."""
    if isinstance(color, QColor):
        color = color.name(QColor.NameFormat.HexArgb) if color.isValid() else ""
    pm = QPixmap.fromImage(_swatch(color, size))
    pm.setDevicePixelRatio(SWATCH_RATIO)
    return QIcon(pm)


@lru_cache(maxsize=512)
def _swatch(color: str, size: int) -> QImage:
    """The drawn square; an image, not a pixmap, so the cache may outlive the application."""
    ratio = SWATCH_RATIO
    img = QImage(size * ratio, size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    p.setBrush(c if c.isValid() else QColor("#ff00ff"))
    p.setPen(QColor(0, 0, 0, 90))
    p.drawRoundedRect(QRectF(1, 1, size * ratio - 2, size * ratio - 2), 5, 5)
    p.end()
    return img
