"""The box tool's guide lines: a horizontal and a vertical line across the whole image through the pointer, as
CVAT, LabelImg and X-AnyLabeling draw them, so a box's first corner is lined up with the object's far edges
before the press. Each line is drawn twice, dark and solid under light and dashed, so it shows on bright and
dark pictures alike; 1 screen pixel wide at any zoom. On by default; the Tool options bar's *Guide lines*
box turns them off, kept in the app's settings for the next window and session."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.ui.settings import settings

KEY = "tools/box_guides"


class GuideSetting:
    """Whether the box tool shows its guide lines: read from the settings once per window (``load``), so a
    mouse move does not read the settings file, and written at each change."""

    def __init__(self) -> None:
        self.on = True

    def load(self) -> None:
        raw = settings().value(KEY)
        text = str(raw).strip().lower() if isinstance(raw, (str, bool, int)) else ""
        self.on = {"false": False, "0": False}.get(text, True)  # a damaged value: the default

    def set(self, on: bool) -> None:
        self.on = bool(on)
        settings().setValue(KEY, self.on)


GUIDES = GuideSetting()


class _Line(QGraphicsLineItem):
    """One guide line: dark solid, then light dashed over it (cosmetic: 1 screen pixel at any zoom)."""

    DARK = QPen(QColor(0, 0, 0, 160), 1)
    LIGHT = QPen(QColor(255, 255, 255, 220), 1, Qt.PenStyle.DashLine)

    def __init__(self) -> None:
        super().__init__()
        for pen in (self.DARK, self.LIGHT):
            pen.setCosmetic(True)
        self.setPen(self.DARK)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        for pen in (self.DARK, self.LIGHT):
            painter.setPen(pen)
            painter.drawLine(self.line())


class GuideLines:
    """The two lines of one canvas, made when first shown; ``show_at`` places them, ``hide`` takes them away
    (the pointer left the image, the tool was put down)."""

    def __init__(self, canvas) -> None:  # type: ignore[no-untyped-def]
        self.canvas = canvas
        self.lines: tuple[_Line, _Line] | None = None

    def show_at(self, pos: QPointF, rect: QRectF) -> None:
        """The lines through ``pos`` (kept inside ``rect``, the image) from edge to edge of ``rect``."""
        x = min(max(pos.x(), rect.left()), rect.right())
        y = min(max(pos.y(), rect.top()), rect.bottom())
        if self.lines is None:
            self.lines = (_Line(), _Line())
            for line in self.lines:
                self.canvas.add_overlay(line)
        across, down = self.lines
        across.setLine(QLineF(rect.left(), y, rect.right(), y))
        down.setLine(QLineF(x, rect.top(), x, rect.bottom()))

    def hide(self) -> None:
        if self.lines is not None:
            for line in self.lines:
                self.canvas.remove_overlay(line)
        self.lines = None

    def shown(self) -> bool:
        return self.lines is not None
