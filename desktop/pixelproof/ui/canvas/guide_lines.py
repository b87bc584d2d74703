"""The box tool's guide lines: a horizontal and a vertical line across the whole image through the pointer, as
CVAT, LabelImg and X-AnyLabeling draw them, so a box's first corner is lined up with the object's far edges
before the press. Each line is drawn twice, dark and solid under light and dashed, so it shows on bright and
dark pictures alike; 1 screen pixel wide at any zoom. On by default; View > Box Guide Lines (Shift+B, from
any tool) and the Tool options bar's *Guide lines* box (shown with B in hand) turn them off, kept in the
app's settings for the next window and session; the two follow each other (``GuideSetting.changed``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.ui.settings import settings

KEY = "tools/box_guides"
TIP = "Lines across the image through the pointer while drawing boxes (B), to line a corner up"


class GuideSetting(QObject):
    """Whether the box tool shows its guide lines: read from the settings once per window (``load``), so a
    mouse move does not read the settings file, and written at each change; ``changed`` keeps every
    window's View menu item and Tool options box showing it (a Qt signal lets go of a closed window's)."""

    changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.on = True

    def load(self) -> None:
        raw = settings().value(KEY)
        text = str(raw).strip().lower() if isinstance(raw, (str, bool, int)) else ""
        on = {"false": False, "0": False}.get(text, True)  # a damaged value: the default
        if on != self.on:
            self.on = on
            self.changed.emit(on)

    def set(self, on: bool) -> None:
        on = bool(on)
        settings().setValue(KEY, on)
        if on != self.on:
            self.on = on
            self.changed.emit(on)


GUIDES = GuideSetting()


def guides_action(make: Callable[..., QAction], canvas) -> QAction:  # type: ignore[no-untyped-def]
    """View > Box Guide Lines, made by a window's ``make`` (its ``_action``), checked as the settings say and
    as the Tool options box or another window changes it; the box tool in hand shows or hides its lines
    at once (Shift+B with the pointer still on the image), not at the next mouse move."""
    GUIDES.load()
    act = make("view.box_guides", GUIDES.set, tip=TIP, checkable=True)
    act.setStatusTip(TIP)
    act.setChecked(GUIDES.on)
    GUIDES.changed.connect(act.setChecked)

    def switched(on: bool) -> None:  # toggled comes before triggered: the setting first, then the lines
        GUIDES.set(on)
        getattr(canvas.tool, "refresh_guides", lambda: None)()  # only the box tool draws them

    act.toggled.connect(switched)
    return act


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
