"""The review's Objects table with a long class name at 1366x768: the figures stay in sight."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from pixelproof.core.demo import install_demo
from tests.ui.conftest import header_reads_whole
from tests.ui.test_review import enter_review, open_window, table_click

LONG = "Carcinoma in situ, high grade (ductal) with microinvasion under 1 mm"


def rename(path: Path, old: str, new: str) -> None:
    """Rename a category; drop the notes too, so the Review column needs no more than its header."""
    data = json.loads(path.read_text())
    for c in data["categories"]:
        if c["name"] == old:
            c["name"] = new
    for a in data["annotations"]:
        a.get("pixelproof", {}).pop("note", None)
    path.write_text(json.dumps(data))


def test_a_long_class_name_leaves_iou_dice_hd95_and_review_in_sight(qtbot, tmp_path, no_prompts) -> None:
    """With a 70-character class the Category column took its whole width and pushed IoU, Dice, HD95 and
    Review out of the table behind a horizontal scroll bar: a reviewer saw no figure of any object. Cut
    alike with Review, the Review column then fell to 28 px ("evie") and the scroll bar stayed. The class
    name alone is cut now (its tooltip says it whole); every other header reads whole, all in sight."""
    project = install_demo(tmp_path / "demo")
    for f in (project, project.parent / "reference.json"):
        rename(f, "coin", LONG)
    win = open_window(qtbot, project)
    try:
        win.resize(1366, 768)
        enter_review(qtbot, win)
        view = win.review.view
        view.select_image(next(i for i, p in view.scored.pairs.items() if p.file_name.endswith("coins.png")))
        table = view.object_table
        qtbot.waitUntil(lambda: table.model().rowCount() > 20, timeout=10000)
        header = table.horizontalHeader()
        last = header.count() - 1
        # the columns are fitted on a later turn of the event loop (under load: not the next one)
        qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible(), timeout=10000)
        right = header.sectionViewportPosition(last) + header.sectionSize(last)
        assert right <= table.viewport().width(), (right, table.viewport().width())
        assert not table.horizontalScrollBar().isVisible()
        titles = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(header.count())]
        for title in ("Status", "Ref", "Cand", "IoU", "Dice", "HD95", "Review"):  # every header reads whole
            c = titles.index(title)
            assert header_reads_whole(table, c), title
        # the cut class name reads whole in its tooltip, hovered as a user does
        cat = titles.index("Class")
        table_click(table, 0, cat)
        rect = table.visualRect(table.model().index(0, cat))
        QTest.mouseMove(table.viewport(), rect.center())
        qtbot.waitUntil(lambda: QToolTip.isVisible() and LONG in QToolTip.text(), timeout=10000)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_share_widths_cuts_the_others_before_a_column_below_its_floor() -> None:
    from pixelproof.ui.fitted_table import share_widths

    needs = [100, 400, 40, 60]  # status, a long class, an id, Review at its header's width
    plain = share_widths(needs, 300, (1, 3))
    assert plain[3] < 60  # cut alike: the header "Review" no longer reads
    held = share_widths(needs, 300, (1, 3), {3: 60})
    assert held == [100, 100, 40, 60] and sum(held) == 300
    assert share_widths(needs, 900, (1, 3), {3: 60}) == share_widths(needs, 900, (1, 3))  # room: as before


HUGE = "W" * 10_000  # as another tool's file may name a class (kept whole, core.names)
TWO_LINES = "first line\nsecond line"


def one_short_line(text: object, most: int) -> bool:
    return isinstance(text, str) and "\n" not in text and len(text) <= most


def test_a_10000_character_or_two_line_class_shows_on_one_short_line_in_the_review_tables(
    qtbot, tmp_path, no_prompts
) -> None:
    """A class name of 10,000 characters from an imported file made the review's Category cells and their
    tooltips 10,000 characters wide, and a name holding a line break a cell of two lines: the cells and
    tooltips of the Objects and Per class tables now show it on one line of at most NAME_SHOWN
    characters (core.names.shown_name); the file keeps the name whole."""
    from pixelproof.core.limits import NAME_SHOWN

    project = install_demo(tmp_path / "demo")
    for f in (project, project.parent / "reference.json"):
        rename(f, "coin", HUGE)
        rename(f, "cell", TWO_LINES)
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        view.select_image(next(i for i, p in view.scored.pairs.items() if p.file_name.endswith("coins.png")))
        model = view.object_table.model()
        qtbot.waitUntil(lambda: model.rowCount() > 20, timeout=10000)
        titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        cat = titles.index("Class")
        for r in range(model.rowCount()):
            index = model.index(r, cat)
            assert one_short_line(index.data(), 2 * NAME_SHOWN + 8), str(index.data())[:60]
            tip = index.data(Qt.ItemDataRole.ToolTipRole)
            assert len(tip) <= 2 * NAME_SHOWN + 200 and HUGE not in tip, tip[:60]
        classes = view.images.class_model
        qtbot.waitUntil(lambda: classes.rowCount() > 2, timeout=10000)
        names = [classes.index(r, 0).data() for r in range(classes.rowCount())]
        assert "first line\\nsecond line" in names, names
        assert all(one_short_line(n, NAME_SHOWN + 1) for n in names), [str(n)[:40] for n in names]
        assert HUGE in json.loads(project.read_text())["categories"][0]["name"]  # stored whole
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_share_widths_holds_a_lone_name_column_at_its_floor_and_gives_a_short_one_the_room() -> None:
    """A lone flexible column below its floor was cut to the room left (85 px: the review's slices of three
    volumes read alike); it keeps its floor now, the widths adding up to more than the room (the table
    scrolls). A column needing less than its floor is no longer held at its need: it takes the room."""
    from pixelproof.ui.fitted_table import share_widths

    needs = [250, 50, 50, 50]
    assert share_widths(needs, 235, (0,), {0: 148}) == [148, 50, 50, 50]  # 85 px left for 250: held
    assert share_widths(needs, 235, (0,)) == [85, 50, 50, 50]  # no floor: cut to the room
    assert share_widths([66, 50, 50, 50], 235, (0,), {0: 148}) == [85, 50, 50, 50]  # the spare goes to it
    assert share_widths(needs, 600, (0,), {0: 148}) == [450, 50, 50, 50]  # room: as before
