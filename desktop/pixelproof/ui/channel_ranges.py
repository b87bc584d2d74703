"""Image > Channels > Brightness / Contrast…: QuPath's brightness & contrast window for a multichannel
image. Non-modal; it follows the image on the canvas. Each channel has its name and colour with the shown
check box (the same as Image > Channels), a Colour… button (Qt's colour dialog: QuPath's colour picker),
a histogram of its smallest pyramid level, its display range as two spin boxes in raw units and two
sliders, and Auto (back to the 0.5 / 99.5 percentiles); below them the view's Gamma (every channel), a
slider on a log scale and its value in a spin box; Reset All puts every channel's range and colour, and
gamma, back to the project's display settings for the image when it has some, else to automatic ranges,
the file's colours and gamma 1 (``ChannelsMenu.baseline``). PgDn / PgUp step through a z-stack's planes
from here as from the canvas. Every change goes through ``ChannelsMenu``, which redraws the canvas and
the overview.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QColorDialog,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.channels import channel_histograms, sample_level, strided_sample
from pixelproof.core.composite import GAMMA_MAX, GAMMA_MIN
from pixelproof.core.pyramid import PyramidError
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.icons import swatch
from pixelproof.ui.shortcuts import plain

if TYPE_CHECKING:
    from pixelproof.ui.channels_menu import ChannelsMenu

STEPS = 1000  # slider positions across a channel's span
LIMIT = 1e12  # spin boxes take any range (a range may reach past the values the image holds)
RESET_TO_PROJECT = (
    "Every channel's range and colour, and gamma, back to the display settings saved in the project for "
    "this image; your own changes over them forgotten (the channels shown stay)"
)
RESET_TO_AUTO = (
    "Every channel back to its automatic range and its file's colour, gamma back to 1 "
    "(the channels shown stay)"
)
GAMMA_STEPS = 100  # gamma slider positions a decade: position p is gamma 10 ** (p / 100), 0 is 1


def gamma_at(pos: int) -> float:
    """The gamma of slider position ``pos`` as its box shows it (two decimals), within the limits."""
    return round(min(GAMMA_MAX, max(GAMMA_MIN, 10 ** (pos / GAMMA_STEPS))), 2)


def gamma_pos(gamma: float) -> int:
    return round(GAMMA_STEPS * math.log10(gamma))


class Histogram(QWidget):
    """A channel's histogram (square roots of the counts, so sparse bright pixels still show), its display
    range marked by two lines; drawn in the channel's colour. Shows, takes no input."""

    def __init__(self, color: QColor, counts: np.ndarray | None, span: tuple[float, float]) -> None:
        super().__init__()
        self.color, self.span = color, span
        self.heights = None if counts is None else np.sqrt(counts / max(1, int(counts.max())))
        self.lo_hi = span
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(260, 44)

    def set_range(self, lo: float, hi: float) -> None:
        self.lo_hi = (lo, hi)
        self.update()

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.fillRect(r, self.palette().base())
        if self.heights is not None:
            fill = QColor(self.color)
            fill.setAlpha(170)
            n = len(self.heights)
            for i, h in enumerate(self.heights):
                bar = QRectF(
                    r.left() + r.width() * i / n, r.bottom() - r.height() * h, r.width() / n, r.height() * h
                )
                p.fillRect(bar, fill)
        a, b = self.span
        p.setPen(QPen(self.palette().text().color(), 1, Qt.PenStyle.DashLine))
        for v in self.lo_hi:
            x = r.left() + r.width() * min(1.0, max(0.0, (v - a) / (b - a)))
            p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        p.setPen(self.palette().mid().color())
        p.drawRect(r)
        p.end()


ROW_CONTROLS = (
    "check",
    "colour",
    "auto",
    "low_slider",
    "low",
    "high_slider",
    "high",
)  # a row's focusable widgets


class ChannelRow(QFrame):
    """One channel's controls; ``edit(index, lo, hi)`` on ``dialog`` applies a change."""

    def __init__(
        self, dialog: ChannelRangesDialog, index: int, channel: Any, hist: Any, integer: bool
    ) -> None:
        super().__init__()
        self.dialog, self.index, self.integer = dialog, index, integer
        name = channel.name
        self.setFrameShape(QFrame.Shape.StyledPanel)
        color = QColor(*channel.color)
        self.check = QCheckBox(plain(name))
        self.check.setIcon(swatch(color))
        self.check.setAccessibleName(f"Show {name}")
        self.check.toggled.connect(lambda on: dialog.menu.set_shown(index, on))
        self.colour = QPushButton("Colour…")
        self.colour.setIcon(swatch(color))
        self.colour.setAutoDefault(False)
        self.colour.setAccessibleName(f"{name} colour")
        self.colour.setToolTip(as_text(f"Choose {name}'s colour in the composite"))  # a name from the file
        self.colour.clicked.connect(lambda: dialog.pick_color(index))
        self.auto = QPushButton("Auto")
        self.auto.setAutoDefault(False)  # Return in a spin box commits its value; it must not press Auto
        self.auto.setAccessibleName(f"Auto range {name}")
        self.auto.setToolTip(as_text(f"{name}: back to the 0.5 – 99.5 percentiles of its values"))
        self.auto.clicked.connect(lambda: dialog.menu.auto_range(index))
        counts, span = hist
        self.span = span
        self.histogram = Histogram(color, counts, span)
        self.histogram.setAccessibleName(f"{name} histogram")
        self.low, self.high = QDoubleSpinBox(), QDoubleSpinBox()
        self.low_slider, self.high_slider = (
            QSlider(Qt.Orientation.Horizontal),
            QSlider(Qt.Orientation.Horizontal),
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.check, 0, 0, 1, 2)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.colour)
        top.addWidget(self.auto)
        grid.addLayout(top, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.histogram, 1, 0, 1, 3)
        for row, (word, box, slider, bound) in enumerate(
            ((" Min", self.low, self.low_slider, 0), (" Max", self.high, self.high_slider, 1)), start=2
        ):
            box.setRange(-LIMIT, LIMIT)
            box.setDecimals(0 if integer else 4)
            box.setSingleStep(1.0 if integer else (span[1] - span[0]) / 100)
            box.setKeyboardTracking(False)  # typed digits apply on Return or leaving the box
            box.setAccessibleName(f"{name} {word.strip().lower()}imum")
            box.valueChanged.connect(lambda v, bound=bound: self._edit(bound, v))
            slider.setRange(0, STEPS)
            slider.setAccessibleName(f"{name} {word.strip().lower()}imum slider")
            slider.valueChanged.connect(lambda pos, bound=bound: self._edit(bound, self.from_slider(pos)))
            label = QLabel(word)
            label.setBuddy(box)
            grid.addWidget(label, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(box, row, 2)
        grid.setColumnStretch(1, 1)

    def from_slider(self, pos: int) -> float:
        a, b = self.span
        v = a + (b - a) * pos / STEPS
        return float(round(v)) if self.integer else v

    def to_slider(self, v: float) -> int:
        a, b = self.span
        return round(min(1.0, max(0.0, (v - a) / (b - a))) * STEPS)

    def _edit(self, bound: int, value: float) -> None:
        lo, hi = (float(v) for v in self.dialog.composite().ranges[self.index])
        lo, hi = (value, hi) if bound == 0 else (lo, value)
        self.dialog.edit(self.index, lo, hi)

    def show_state(self, shown: bool, lo: float, hi: float, rgb: tuple[int, int, int]) -> None:
        """The row's controls from the composite, without sending their change signals back."""
        color = QColor(*rgb)
        if color != self.histogram.color:  # a colour picked, or Reset All
            self.check.setIcon(swatch(color))
            self.colour.setIcon(swatch(color))
            self.histogram.color = color
            self.histogram.update()
        widgets = (self.check, self.low, self.high, self.low_slider, self.high_slider)
        for w in widgets:
            w.blockSignals(True)
        self.check.setChecked(shown)
        if self.integer and not (float(lo).is_integer() and float(hi).is_integer()):
            self.low.setDecimals(2)  # an integer image's percentile may fall between two values
            self.high.setDecimals(2)
        self.low.setValue(lo)
        self.high.setValue(hi)
        self.low_slider.setValue(self.to_slider(lo))
        self.high_slider.setValue(self.to_slider(hi))
        for w in widgets:
            w.blockSignals(False)
        self.histogram.set_range(lo, hi)


class ChannelRangesDialog(QDialog):
    """The brightness / contrast window: one ``ChannelRow`` a channel of the image on the canvas."""

    def __init__(self, menu: ChannelsMenu, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.menu = menu
        self.setWindowTitle("Brightness / contrast")
        self.setObjectName("channelRangesDialog")
        self.setModal(False)
        self.rows: list[ChannelRow] = []
        self.picker: QColorDialog | None = None  # the last colour dialog opened (tests drive it)
        self._built_for: object = None
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.message = QLabel()  # why a range was refused
        self.message.setWordWrap(True)
        for label in (self.info, self.message):
            label.setTextFormat(Qt.TextFormat.PlainText)  # a file's name: never rich text
        self.message.setAccessibleName("Message")
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the rows' controls
        self.reset = QPushButton("&Reset All")
        self.gamma_row = self._gamma_controls()
        self.close_button = QPushButton("&Close")
        for b in (self.reset, self.close_button):
            b.setAutoDefault(False)
        self.reset.clicked.connect(menu.reset_ranges)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.gamma_row)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        # PgDn / PgUp step the planes of a z-stack from here too (a spin box took them as ten steps of
        # its value: the range changed unseen and the plane stayed), Ctrl+PgDn / Ctrl+PgUp its time
        # points; the arrow keys still step values
        PAGE_KEYS = ("image.next_slice", "image.previous_slice", "image.next_phase", "image.previous_phase")
        for act in menu.shell.widget.actions():
            if act.property("shortcut_id") in PAGE_KEYS:
                self.addAction(act)
        menu.changed.connect(self.refresh)
        menu.canvas.imageShown.connect(lambda _id: self.rebuild())
        menu.shell.documentChanged.connect(lambda _doc: self.rebuild())

    def composite(self) -> Any:
        return self.menu.composite()

    def _gamma_controls(self) -> QWidget:
        """Gamma: a slider on a log scale (0.1 .. 1 .. 5, the arrow keys step 1 % of a decade) and its
        value in a spin box (typed, or stepped by 0.05)."""
        row = QWidget()
        self.gamma_slider = QSlider(Qt.Orientation.Horizontal)
        self.gamma_slider.setRange(gamma_pos(GAMMA_MIN), gamma_pos(GAMMA_MAX))
        self.gamma_slider.setAccessibleName("Gamma slider")
        self.gamma_box = QDoubleSpinBox()
        self.gamma_box.setRange(GAMMA_MIN, GAMMA_MAX)
        self.gamma_box.setDecimals(2)
        self.gamma_box.setSingleStep(0.05)
        self.gamma_box.setValue(1.0)
        self.gamma_box.setKeyboardTracking(False)
        self.gamma_box.setAccessibleName("Gamma")
        tip = "Gamma of every channel: above 1 dims faint signal, below 1 brings it up (1: linear)"
        for w in (self.gamma_slider, self.gamma_box):
            w.setToolTip(tip)
        self.gamma_slider.valueChanged.connect(lambda pos: self._set_gamma(gamma_at(pos)))
        self.gamma_box.valueChanged.connect(self._set_gamma)
        label = QLabel("&Gamma")
        label.setBuddy(self.gamma_box)
        line = QHBoxLayout(row)
        line.setContentsMargins(6, 0, 6, 0)
        line.addWidget(label)
        line.addWidget(self.gamma_slider, 1)
        line.addWidget(self.gamma_box)
        return row

    def pick_color(self, index: int) -> None:
        """Qt's colour dialog (not the platform's) for channel ``index``, window-modal; OK recolours it in
        the image shown when it opened (if the canvas moved on meanwhile, nothing changes)."""
        composite = self.composite()
        if composite is None or not 0 <= index < len(composite.channels):
            return
        channel = composite.channels[index]
        picker = QColorDialog(QColor(*channel.color), self)
        picker.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
        picker.setWindowTitle(f"{channel.name} colour")
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(c: QColor) -> None:
            if self.composite() is composite:
                self.menu.set_color(index, (c.red(), c.green(), c.blue()))

        picker.colorSelected.connect(chosen)
        self.picker = picker
        picker.open()

    def _set_gamma(self, gamma: float) -> None:
        why = self.menu.set_gamma(gamma)
        self.message.setText(f"Not applied: {why}" if why else "")
        if why:
            self.refresh()

    def open_here(self) -> None:
        """Show (or raise) the window for the image now on the canvas, the first channel's box focused;
        sized to it when it opens (not when the image changes: the user may have resized it)."""
        opening = not self.isVisible()
        self.rebuild(force=True)
        if opening:
            self._fit()
        self.show()
        self.raise_()
        self.activateWindow()
        first = self.rows[0].check if self.rows else self.close_button
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def rebuild(self, force: bool = False) -> None:
        """Rows for the image on the canvas (nothing to do while hidden, or when it is the same image)."""
        if not (force or self.isVisible()):
            return
        item = self.menu.canvas.image_item
        composite = self.composite()
        if composite is not None and composite is self._built_for:
            self.refresh()
            return
        self._built_for = composite
        focused = self._focused_control()
        self.rows = []
        self.message.clear()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        if composite is None:
            self.info.setText(
                "The image shown is not a multichannel image "
                "(16-bit and float images: View > Window / Level)."
            )
            self.reset.setEnabled(False)
            self.gamma_row.setEnabled(False)
        else:
            image = item.image
            self.info.setText(f"{image.path.name}: display range of each channel, in its stored values")
            integer = np.issubdtype(image.levels[-1].planes.dtype, np.integer)
            counts, spans = self._histograms(image)
            auto = composite.auto_ranges
            for i, channel in enumerate(composite.channels):
                lo = min(auto[i][0], spans[i][0]) if spans is not None else auto[i][0]
                hi = max(auto[i][1], spans[i][1]) if spans is not None else auto[i][1]
                hist = (counts[i] if counts is not None else None, (float(lo), float(max(hi, lo + 1e-9))))
                row = ChannelRow(self, i, channel, hist, integer)
                self.rows.append(row)
                column.addWidget(row)
            self.reset.setEnabled(True)
            self.gamma_row.setEnabled(True)
        column.addStretch(1)
        self.area.setWidget(body)
        self.refresh()
        if focused is not None and focused[0] < len(self.rows):  # PgDn from a box: the keys go on there
            control = getattr(self.rows[focused[0]], focused[1])
            control.setFocus()
            self.area.ensureWidgetVisible(control)

    def _focused_control(self) -> tuple[int, str] | None:
        """The row and control with the focus, which a rebuild deletes (PgDn pressed in a Min box)."""
        focus = QApplication.focusWidget()
        for i, row in enumerate(self.rows):
            for name in ROW_CONTROLS:
                if getattr(row, name) is focus:
                    return i, name
        return None

    def _histograms(self, image: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Histograms of the smallest level (QuPath's choice: cheap, and its tiles are already read for the
        overview); none when its pixels cannot be read."""
        try:
            planes = image.levels[-1].planes
            in_memory = isinstance(planes, np.ndarray)
            return channel_histograms(strided_sample(planes) if in_memory else sample_level(planes))
        except (PyramidError, OSError, ValueError, MemoryError):
            return None, None

    def _fit(self) -> None:
        """Wide enough for a row, tall enough for up to four channels (more scroll), within the screen."""
        body = self.area.widget()
        rows = body.sizeHint().height() * min(4, len(self.rows)) // max(1, len(self.rows))
        h = self.info.sizeHint().height() + max(rows, 40) + self.gamma_row.sizeHint().height() + 76
        w = max(440, body.sizeHint().width() + 40)
        if self.screen() is not None:
            free = self.screen().availableGeometry()
            h, w = min(h, int(free.height() * 0.85)), min(w, free.width())
        self.resize(w, h)

    def refresh(self) -> None:
        """Every row from the composite (a channel toggled in the menu, a range set, Auto, Reset All)."""
        composite = self.composite()
        if composite is None or composite is not self._built_for:
            return
        ranges = composite.ranges
        for i, row in enumerate(self.rows):
            lo, hi = float(ranges[i][0]), float(ranges[i][1])
            row.show_state(composite.visible[i], lo, hi, composite.channels[i].color)
        for w in (self.gamma_box, self.gamma_slider):
            w.blockSignals(True)
        self.gamma_box.setValue(composite.gamma)
        if gamma_at(self.gamma_slider.value()) != composite.gamma:  # a step the box rounds away stays
            self.gamma_slider.setValue(gamma_pos(composite.gamma))
        for w in (self.gamma_box, self.gamma_slider):
            w.blockSignals(False)
        self.reset.setToolTip(RESET_TO_PROJECT if self.menu.baseline() is not None else RESET_TO_AUTO)

    def edit(self, index: int, lo: float, hi: float) -> None:
        """Apply a range from a row; a refused one is said below the rows, and the row shows the old one."""
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return
        why = self.menu.set_range(index, lo, hi)
        self.message.setText(f"Not applied: {why}" if why else "")
        if why:
            self.refresh()  # the row shows the range in force again
