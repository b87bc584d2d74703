"""Icons: the SVGs in ``resources/icons`` drawn in the theme's text colour, so they suit light and dark."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPen, QPixmap
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


def swatch(color: str | QColor, size: int = 14, hollow: bool = False) -> QIcon:
    """A rounded colour square for category lists. Cached per colour: panels ask for one per row, and
    drawing it costs ~0.1 ms (most of a row's rebuild). A selected row shows the same square: the style's
    selected-icon tint (30 % of the highlight) would change the very colour the swatch is there to show.
    ``hollow``: its colour on the border only, empty inside (a hidden category in Masks > Show Categories,
    whose check mark the style does not draw beside an icon)."""
    if isinstance(color, QColor):
        color = color.name(QColor.NameFormat.HexArgb) if color.isValid() else ""
    pm = QPixmap.fromImage(_swatch(color, size, hollow))
    pm.setDevicePixelRatio(SWATCH_RATIO)
    result = QIcon(pm)
    result.addPixmap(pm, QIcon.Mode.Selected)
    return result


def luminance(color: QColor) -> float:
    """WCAG 2 relative luminance (0 black .. 1 white): how light a colour looks, green weighing most."""

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) + 0.0722 * linear(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 the same .. 21 black on white; AA asks 4.5 of normal text)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def contrasting(color: QColor) -> QColor:
    """Black or white, whichever contrasts more with ``color`` (WCAG contrast ratio; they tie at a
    luminance of ~0.18)."""
    lum = luminance(color)
    return QColor(0, 0, 0) if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else QColor(255, 255, 255)


@lru_cache(maxsize=512)
def _swatch(color: str, size: int, hollow: bool = False) -> QImage:
    """The drawn square; an image, not a pixmap, so the cache may outlive the application. Its 1 px border
    is black or white, whichever contrasts with the colour: a colour close to the list's background or to
    the selection highlight (a blue category on the blue selection) still shows its edge."""
    ratio = SWATCH_RATIO
    img = QImage(size * ratio, size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    if not c.isValid():
        c = QColor("#ff00ff")
    if hollow:  # the colour as a border two screen pixels wide, nothing inside
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(c, 2 * ratio))
        half = ratio
    else:
        p.setBrush(c)
        p.setPen(QPen(contrasting(c), ratio))  # one screen pixel wide
        half = ratio / 2
    p.drawRoundedRect(QRectF(half, half, size * ratio - 2 * half, size * ratio - 2 * half), 5, 5)
    p.end()
    return img
