"""Names that share a long prefix and suffix (five volumes `patient_000N_abdomen_portal_venous_phase.nii.gz`)
elided alike: every row read `pati…hase.nii.gz`, the part telling them apart cut. Each table that draws file
names (the review view's per-volume and per-slice tables, the Images panel) now keeps that part in sight."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import settle, wait_loaded
from tests.ui.test_review import CTRL, enter_review, open_window
from tests.ui.test_review_volumes import shown_text, write_readers

NAMES = [f"patient_{n:04d}_abdomen_portal_venous_phase.nii.gz" for n in range(1, 6)]


def shown_by_file(table, file_of, extension: bool = True) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """The texts a table's name column draws, by the volume file each row is of; each checked to fit its
    cell and keep `.nii.gz` (before a slice part) whole."""
    model = table.model()
    texts: dict[str, set[str]] = defaultdict(set)
    cut = 0
    for r in range(model.rowCount()):
        index = model.index(r, 0)
        name = index.data()
        if not isinstance(name, str) or ".nii.gz" not in name:
            continue  # a mean row
        shown, room = shown_text(table, index)
        assert table.fontMetrics().horizontalAdvance(shown) <= room, shown
        assert shown.split("#")[0].endswith(".nii.gz") or not extension, shown
        if "#" in name:
            assert shown.endswith(name[name.index("#") :]), shown
        cut += "…" in shown
        texts[file_of(name)].add(shown)
    assert cut, "the names fit whole: no cut to check at this width"
    return texts


def distinct(texts: dict[str, set[str]]) -> None:
    """No text is drawn for rows of two different volumes."""
    owners: dict[str, str] = {}
    for file, shown in texts.items():
        for text in shown:
            assert owners.setdefault(text, file) == file, (text, file, owners[text])
    assert len(texts) == len(NAMES)


def test_rows_sharing_a_prefix_and_suffix_keep_the_part_that_differs(qtbot, tmp_path, no_prompts) -> None:
    _, candidate, _ = write_readers(tmp_path, *NAMES)
    win = open_window(qtbot, candidate)
    try:
        win.resize(1366, 768)
        wait_loaded(qtbot, win)
        settle()  # the layout: turns of the event loop, not ms
        panel = win.panels["imagesDock"]
        distinct(shown_by_file(panel.table, lambda n: n.split("#")[0]))
        enter_review(qtbot, win)
        images = win.review.view.images
        settle()  # the columns are fitted on a later turn of the event loop
        volumes = images.volume_table
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            volumes.sortByColumn(2, order)  # by Dice: a volume's rows apart, other volumes between them
            texts = shown_by_file(volumes, lambda n: n)
            distinct(texts)
            assert all(len(t) == 1 for t in texts.values()), texts  # one volume, one text
        # the per-slice table's name column has 85 px at 1366 px (its seven metric columns take the rest of
        # the 480-px pane): no room for a slice part, an extension and a volume's number together; each
        # row still fits and keeps its slice part whole
        shown_by_file(images.image_table, lambda n: n.split("#")[0], extension=False)
        QTest.keyClick(win.review.view.ref_pane, Qt.Key.Key_Tab, CTRL)
    finally:
        win.document.undo_stack.setClean()
        win.close()
