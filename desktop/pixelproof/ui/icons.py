"""Icons: the SVGs in ``resources/icons`` drawn in the theme's text colour, so they suit light and dark."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 20, 24, 32, 48)


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
    """A rounded colour square for category lists."""
    ratio = 2
    img = QImage(size * ratio, size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    p.setBrush(c if c.isValid() else QColor("#ff00ff"))
    p.setPen(QColor(0, 0, 0, 90))
    p.drawRoundedRect(QRectF(1, 1, size * ratio - 2, size * ratio - 2), 5, 5)
    p.end()
    pm = QPixmap.fromImage(img)
    pm.setDevicePixelRatio(ratio)
    return QIcon(pm)
