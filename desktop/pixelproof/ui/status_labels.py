"""The status bar's labels and who gives up room at 1366 px. The readouts (pointer position, value, zoom,
window) are what is read while working: each is always whole, at least as wide as its text. The tool's hint
on the left is cut first, at its end with ``…`` (whole in its tooltip); then the image's file name, in its
middle (``abd…ct.nii.gz#z=002 · 512×512 · 3 / 90``). The hint's full width had been its minimum, so the
readouts were squeezed instead and ``x 65, y 8   L 219.2  P 178.4  I 160.0 mm`` lost its end."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy

from pixelproof.ui.cell_text import elide_words
from pixelproof.ui.file_names import elide_file_name
from pixelproof.ui.one_line import OneLineLabel

NAME_FLOOR = 90  # px of the file name the image label keeps before the readouts give up anything


class Readout(QLabel):
    """A readout never cut: its minimum is its whole text (and ``floor`` px, so a changing number does
    not make the bar jitter)."""

    def __init__(self, floor: int = 0) -> None:
        super().__init__()
        self.floor = floor
        self.setTextFormat(Qt.TextFormat.PlainText)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(self.floor, hint.width()), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class HintLabel(OneLineLabel):
    """The tool's hint (``set_line``): the room the readouts leave, cut after its last whole word that fits
    with ``…`` (``elide_words``: the polygon's hint read "Enter or a click on the first ver…" at 1024 px);
    its tooltip says what the line is, after the whole line when it is cut."""

    def __init__(self, about: str) -> None:
        super().__init__()
        self.about = about
        self._show()

    def room(self) -> int:
        """The label's width less its margins and the status bar's style sheet padding (which its
        contentsRect still holds: the ``…`` itself was clipped), as QLabel's own size hint counts them."""
        padding = QLabel.sizeHint(self).width() - self.fontMetrics().horizontalAdvance(self.text())
        return self.width() - padding

    def elide(self, text: str, width: int) -> str:
        return elide_words(text, self.fontMetrics(), width)

    def tooltip_text(self) -> str:
        about = getattr(self, "about", "")  # none yet while OneLineLabel's __init__ shows the line
        return f"{self.whole}\n\n{about}" if self.is_cut() else about


class ImageLabel(QLabel):
    """``name · w×h · n / total``: the file name cut in its middle (extension and slice part kept, as the
    Images panel cuts it) when the readouts and ``NAME_FLOOR`` px of the hint's room need it; whole in the
    tooltip then."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # a file's name: never rich text
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.name, self.rest = "", ""

    def set_image(self, name: str, rest: str) -> None:
        self.name, self.rest = name, rest
        self.updateGeometry()
        self._show()

    def whole(self) -> str:
        return self.name + self.rest

    def sizeHint(self) -> QSize:
        # the name and the rest measured apart, as ``_show`` measures them, and a 2-px slack: ``_extra`` is
        # read off QLabel's hint for the text shown, which rounds a pixel apart for a cut name and a whole
        # one, so the room asked for while cut was a pixel short of the whole name ("a0.png" shown "a…g")
        name = self.fontMetrics().horizontalAdvance(self.name)
        return QSize(name + self._width(self.rest) + 2, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        name = min(self.fontMetrics().horizontalAdvance(self.name), NAME_FLOOR)
        return QSize(self._width(self.rest) + name, super().minimumSizeHint().height())

    def _extra(self) -> int:
        """Pixels beside the text: margins and the style sheet's padding (QLabel's own hint has them)."""
        return super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self.text())

    def _width(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text) + self._extra()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def _show(self) -> None:
        metrics = self.fontMetrics()
        room = self.width() - self._extra() - metrics.horizontalAdvance(self.rest)
        name = elide_file_name(self.name, metrics, max(room, 0)) if self.name else ""
        shown = name + self.rest
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self.whole() if shown != self.whole() else "")
