"""The demo at 1024x576 (a 1536x864 panel at 150 %, a small laptop) with the Problems panel open: the
Problems list cut its file names to a few letters ("co…ng" for coins.png) beside an object id nobody reads
to find a problem, and the Images list its status mid-word ("D…" for Done). Every column's cells read
whole, or cut after a whole word, and each title whole, with no sideways scroll bar; at 1366x768 nothing
gives way."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pixelproof.core.model import STATUS_LABELS
from tests.ui.conftest import header_reads_whole, tip_text
from tests.ui.test_cuts_at_1024 import cut_after_a_word, demo_at
from tests.ui.test_review_volumes import shown_text

SHORT_NAME = 10  # characters: a name this short reads whole ("coins.png"), a longer one keeps its extension


def shown_columns(table) -> list[int]:  # type: ignore[no-untyped-def]
    header = table.horizontalHeader()
    return [c for c in range(header.count()) if not header.isSectionHidden(c)]


def check_problems(win) -> list[int]:  # type: ignore[no-untyped-def]
    """The Problems list reads whole words in every column it shows; the columns it shows."""
    panel = win.panels["problemsDock"]
    table, proxy = panel.table, panel.proxy
    shown = shown_columns(table)
    assert {1, 3} <= set(shown)  # the kind and the image: never given way
    assert table.horizontalHeader().length() <= table.viewport().width()  # no sideways scroll bar
    for col in shown:
        assert header_reads_whole(table, col), proxy.headerData(col, Qt.Orientation.Horizontal)
    for r in range(proxy.rowCount()):
        for col in shown:
            index = proxy.index(r, col)
            whole = str(index.data())
            text, room = shown_text(table, index)
            if col == 3 and len(whole) <= SHORT_NAME:
                assert text == whole, (text, whole, room)  # "coins.png", not "co…ng"
            elif col == 3:
                assert len(text) >= SHORT_NAME and whole.endswith(text.rpartition("…")[2]), (text, whole)
            elif col != 3:
                assert cut_after_a_word(text, whole), (text, whole, room)
        tip = tip_text(proxy.index(r, 0).data(Qt.ItemDataRole.ToolTipRole))
        problem = proxy.sourceModel().problems[proxy.mapToSource(proxy.index(r, 0)).row()]
        if problem.annotation_id is not None and 4 not in shown:
            assert f"#{problem.annotation_id}" in tip, tip  # the object given way: in the tooltip
    return shown


def check_images(win) -> bool:  # type: ignore[no-untyped-def]
    """The Images list's names (short ones whole) and status (whole, or its swatch alone: never "D…");
    whether the status gave way to its swatch."""
    panel = win.panels["imagesDock"]
    table, proxy = panel.table, panel.proxy
    assert table.horizontalHeader().length() <= table.viewport().width()  # no sideways scroll bar
    for col in shown_columns(table):
        assert header_reads_whole(table, col), proxy.headerData(col, Qt.Orientation.Horizontal)
    swatches = 0
    for r in range(proxy.rowCount()):
        name = str(proxy.index(r, 0).data())
        text, _ = shown_text(table, proxy.index(r, 0))
        if len(name) <= 12:
            assert text == name, (text, name)
        status = proxy.index(r, 1)
        text, room = shown_text(table, status)
        assert text in ("", status.data()), (text, room)
        assert not text or status.data() in STATUS_LABELS.values()
        swatches += not text
        assert str(status.data()) in tip_text(status.data(Qt.ItemDataRole.ToolTipRole))
    assert swatches in (0, proxy.rowCount())  # the column as a whole: labels, or swatches
    return bool(swatches)


def test_a_1024x576_window_reads_whole_words(qtbot, tmp_path: Path, no_prompts) -> None:
    with demo_at(qtbot, tmp_path, 1024, 576) as win:
        assert win.panels["problemsDock"].table.viewport().width() < 330  # the squeeze this is about
        assert 4 not in check_problems(win)  # the object id gave way to the file names
        assert check_images(win)  # swatches: "Done", "To do" did not fit


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_nothing_gives_way_at_the_promised_sizes(qtbot, tmp_path: Path, no_prompts, size) -> None:
    with demo_at(qtbot, tmp_path, *size) as win:
        assert check_problems(win) == [0, 1, 2, 3, 4]
        if size == (1366, 768):
            assert not check_images(win)  # the status in words
