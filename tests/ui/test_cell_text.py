"""A cell's text cut to what Qt then draws as it is. Qt's item views measure a cell's text exactly (its
layout's natural width) and cut a text wider than its room again, inside a word, with its own elision;
``QFontMetrics`` rounds a width to whole pixels, so a text it said fits by a fraction of a pixel was drawn
cut: "In…" as "I…", "tiny object" as "tiny obj…", "motorcycle.jpg" as "motorcycle.j…"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView

from pixelproof.ui.cell_text import WholeWordsDelegate, drawn_width, text_room
from pixelproof.ui.file_names import FileNameDelegate

WORDS = ["In progress", "tiny object", "aspect outlier", "out of bounds", "wrong class", "label noise"]
NAMES = ["motorcycle.jpg", "camera.png", "astronaut.jpg", "coffee.jpg", "phantom16.png", "cell.png"]


def what_qt_draws(table: QTableView, row: int, width: int) -> tuple[str, str, str]:
    """(the cell's whole text, its delegate's text, the text Qt draws in the cell when ``width`` px wide):
    the delegate's, cut again (``QCommonStyle``'s ``viewItemDrawText``) when its layout is wider."""
    index = table.model().index(row, 0)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = QRect(0, 0, width, 24)
    delegate = table.itemDelegateForIndex(index)
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, index)
    room = text_room(option)
    shown = option.text
    if drawn_width(shown, option.font) > room:
        shown = option.fontMetrics.elidedText(shown, Qt.TextElideMode.ElideRight, room)
    return str(index.data()), option.text, shown


def _table(qtbot, texts: list[str], delegate: type[QStyledItemDelegate]) -> QTableView:  # type: ignore[no-untyped-def]
    model = QStandardItemModel()
    for t in texts:
        model.appendRow(QStandardItem(t))
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.setItemDelegateForColumn(0, delegate(table))
    return table


def _margins(table: QTableView) -> int:
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = QRect(0, 0, 200, 24)
    return 200 - text_room(option)


def test_a_text_cut_after_a_word_is_not_cut_again_by_qt(qtbot) -> None:
    table = _table(qtbot, WORDS, WholeWordsDelegate)
    fm, margins = table.fontMetrics(), _margins(table)
    rounded = 0
    for row, text in enumerate(WORDS):
        rounded += drawn_width(text, table.font()) > fm.horizontalAdvance(text)
        first = text.split(" ")[0] + "…"
        for room in range(fm.horizontalAdvance(first) + 2, fm.horizontalAdvance(text) + 3):
            whole, cut, shown = what_qt_draws(table, row, room + margins)
            assert shown == cut, (room, cut, shown)  # drawn as the delegate cut it
            start = shown.removesuffix("…")
            assert shown == whole or (shown.endswith("…") and whole[len(start)] == " "), (room, shown)
    if not rounded:
        pytest.skip("this font measures every text in whole pixels: nothing to prove")


def test_a_file_name_keeps_its_extension_when_qt_measures_it_a_fraction_wider(qtbot) -> None:
    table = _table(qtbot, NAMES, FileNameDelegate)
    fm, margins = table.fontMetrics(), _margins(table)
    rounded = 0
    for row, name in enumerate(NAMES):
        rounded += drawn_width(name, table.font()) > fm.horizontalAdvance(name)
        for room in range(fm.horizontalAdvance(name) - 8, fm.horizontalAdvance(name) + 3):
            whole, cut, shown = what_qt_draws(table, row, room + margins)
            assert shown == cut, (room, cut, shown)  # drawn as the delegate cut it, its extension kept
            if drawn_width(whole, table.font()) <= room:
                assert shown == whole, room  # a name that fits is never cut
    if not rounded:
        pytest.skip("this font measures every name in whole pixels: nothing to prove")


def test_a_text_starting_with_a_space_is_cut_inside_its_first_word_not_to_a_lone_ellipsis(qapp) -> None:
    """ " tumour region" (a class name read with a space before it) showed as "…": the words before
    the first space are none."""
    from PySide6.QtGui import QFont, QFontMetrics

    from pixelproof.ui.cell_text import elide_words

    fm = QFontMetrics(QFont())
    text = " tumour region"
    width = fm.horizontalAdvance(" tumo…")
    shown = elide_words(text, fm, width)
    assert shown != "…" and shown.startswith(" tu") and fm.horizontalAdvance(shown) <= width, shown
    assert elide_words("", fm, 0) == ""
    assert elide_words("one two", fm, fm.horizontalAdvance("one…")) == "one…"
