"""Text in a table's cells: the room a cell leaves its text, and text cut after its last whole word that
fits. Qt's own elision cut the Problems list's kinds and classes in the middle of a word at 1024x768
("asp…ier", "mo…le"): a word cut in two reads as neither; "aspect…" still says which kind it is, and the
whole text is in the cell's tooltip."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

ELLIPSIS = "…"


def text_room(option: QStyleOptionViewItem) -> int:
    """The pixels a cell's text may take before the style cuts it: the text's part of the cell (beside
    its icon) less the style's margins on either side, as Qt's item delegate draws it. A fixed guess of
    the margins cut a name that had a few pixels to spare."""
    widget = option.widget
    style = widget.style() if widget is not None else QApplication.style()
    rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, widget)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
    return rect.width() - 2 * margin


def drawn_width(text: str, font: QFont) -> float:
    """The width Qt's item views measure a cell's text at before drawing it: its layout's natural width
    (Qt cuts a text wider than its room again, inside a word). ``QFontMetrics`` rounds it, and may leave out
    a last letter's overhang: a text it says fits by a pixel's fraction was drawn cut ("In…" as "I…")."""
    layout = QTextLayout(text, font)
    wrap = QTextOption()
    wrap.setWrapMode(QTextOption.WrapMode.ManualWrap)  # as Qt lays out a cell that does not wrap
    layout.setTextOption(wrap)
    layout.beginLayout()
    line = layout.createLine()
    if line.isValid():
        line.setLineWidth(2**20)  # laid out on one line, as it is with any width without wrapping
    layout.endLayout()
    return line.naturalTextWidth() if line.isValid() else 0.0


def fit_cell(option: QStyleOptionViewItem, elide: Callable[[str, QFontMetrics, int], str]) -> str:
    """``option``'s text cut by ``elide`` (text, metrics, width) to what Qt then draws as it is: its room
    (``text_room``) when Qt measures the result as fitting, else a pixel less, and so on (a few pixels:
    ``QFontMetrics`` rounds)."""
    room = text_room(option)
    shown = option.text
    for width in range(room, room - 4, -1):
        shown = elide(option.text, option.fontMetrics, max(width, 0))
        if drawn_width(shown, option.font) <= room:
            break
    return shown


def elide_words(text: str, metrics: QFontMetrics, width: int) -> str:
    """``text`` whole if it fits in ``width`` pixels, else its most whole words that fit with ``…`` after
    them ("aspect…", "out of…"). Only a first word too long for the room is cut inside (at its end)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    for n in range(len(words) - 1, 0, -1):
        kept = " ".join(words[:n]).rstrip(" ,;:")  # "closes…", not "closes,…"
        if kept.strip() and metrics.horizontalAdvance(kept + ELLIPSIS) <= width:  # a word, not spaces
            return kept + ELLIPSIS
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 0))


def shortest_words(text: str, metrics: QFontMetrics) -> int:
    """The narrowest ``elide_words`` cuts ``text`` to without cutting a word: its first word and ``…``
    (the whole text when that is no narrower)."""
    first, _, rest = text.partition(" ")
    whole = metrics.horizontalAdvance(text)
    return min(whole, metrics.horizontalAdvance(first + ELLIPSIS)) if rest.strip() else whole


class WholeWordsDelegate(QStyledItemDelegate):
    """Draws a column's text cut after its last whole word that fits (``elide_words``); asks for the
    whole text's width."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if option.text:
            option.text = fit_cell(option, elide_words)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """The whole text's size (what the column needs), not that of the text cut to the cell it has."""
        opt = QStyleOptionViewItem(option)
        QStyledItemDelegate.initStyleOption(self, opt, index)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        return style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), opt.widget)


class LabelOrIconDelegate(WholeWordsDelegate):
    """A column of labels beside their icons (the Images panel's status swatches) that shows the icons
    alone while ``icon_only`` (set by whoever sizes the column: too narrow for every label whole). Cut to
    fit, "Done" read "D…" and "To do" "To…" at 1024x576: letters that say less than the colour beside them;
    the label is in the tooltip."""

    icon_only = False

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if not self.icon_only:
            super().initStyleOption(option, index)
            return
        QStyledItemDelegate.initStyleOption(self, option, index)
        option.text = ""
