"""Columns sized to what they show at 1366x768: the Categories panel's Key and Objects, the merge report's
Type and Image, the model dialog's matrix and AP tables, the lint rules table. They were Qt's
ResizeToContents (or ``resizeColumnsToContents``), whose header size hint measures every title bold and,
in a sortable header, with a sort arrow's room: a few pixels too many in each column, taken from the
names beside them. Each column is now as wide as its title as drawn and its widest cell, no wider; every
title and cell reads whole, and a long name leaves the other columns in sight."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.fitted_table import header_of
from tests.ui.conftest import header_option, header_reads_whole, make_project, open_main_window

H = Qt.Orientation.Horizontal
LONG_NAME = "motorcycle_with_sidecar_and_rider_partly_occluded_by_a_parked_delivery_van"


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def padding(view) -> int:  # type: ignore[no-untyped-def]
    """A cell's room beside its text: the style's text margins (and a table's grid line)."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return 2 * margin + (1 if getattr(view, "showGrid", lambda: False)() else 0)


def title_need(view, col: int) -> int:  # type: ignore[no-untyped-def]
    """What column ``col``'s title needs as the header draws it (``header_option``): not bold, no arrow
    unless sorted by it."""
    header = header_of(view)
    opt = header_option(view, col)
    size = header.style().sizeFromContents(QStyle.ContentsType.CT_HeaderSection, opt, QSize(), header)
    return max(size.width(), header.minimumSectionSize())


def cell_texts(view, col: int) -> list[tuple[str, QFontMetrics]]:  # type: ignore[no-untyped-def]
    model = view.model()
    out = []
    for r in range(model.rowCount()):
        index = model.index(r, col)
        font = index.data(Qt.ItemDataRole.FontRole)
        out.append((str(index.data() or ""), QFontMetrics(font) if font is not None else view.fontMetrics()))
    return out


def assert_fitted(view, cols, extra: int = 0, floor: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Each of ``cols`` reads whole (title and cells) and is no wider than its title, its widest cell
    (plus ``extra`` px a cell's decoration takes: a check box) or ``floor``."""
    header = header_of(view)
    for col in cols:
        cells = [fm.horizontalAdvance(t) + padding(view) + extra for t, fm in cell_texts(view, col)]
        need = max([title_need(view, col), floor, *cells])
        width = header.sectionSize(col)
        title = view.model().headerData(col, H)
        assert width <= need + 1, (title, width, need)
        assert header_reads_whole(view, col), (title, width)
        assert all(c <= width for c in cells), (title, width, max(cells))


def in_sight(view, col: int) -> bool:  # type: ignore[no-untyped-def]
    header = header_of(view)
    return header.sectionViewportPosition(col) + header.sectionSize(col) <= view.viewport().width()


def test_categories_key_and_objects_fit_their_titles_and_counts(qtbot, tmp_path, no_prompts) -> None:
    """Key and Objects kept the room of their titles in bold (ResizeToContents); a long category name
    beside them is cut, they stay in sight, and Objects grows with its count."""
    path = make_project(tmp_path, n_images=1)
    project = load_project(path)
    project.categories[2].name = LONG_NAME
    save_project(project, path)
    win = open_main_window(qtbot, path)
    try:
        win.resize(1366, 768)
        tree = win.panels["categoriesDock"].tree
        qtbot.waitUntil(lambda: tree.topLevelItemCount() == 2, timeout=10000)
        settle()
        assert_fitted(tree, (1, 2))
        assert in_sight(tree, 2) and tree.horizontalScrollBar().maximum() == 0
        width = tree.header().sectionSize(2)
        boxes = [  # objects, then model predictions pending review: `1000 +1000`
            Annotation(100 + k, 1, 2, [1.0, 1.0, 4.0, 4.0], None, 16.0, source="model:m" if k % 2 else None)
            for k in range(2000)
        ]
        win.document.push(AddAnnotations(boxes))
        qtbot.waitUntil(lambda: tree.topLevelItem(1).text(2) == "1000 +1000", timeout=10000)
        settle()
        assert tree.header().sectionSize(2) > width  # the count is wider than the title
        assert_fitted(tree, (1, 2))
        assert in_sight(tree, 2)
    finally:
        win.document.undo_stack.setClean()


PHOTO = "photos/IMG_20240412_street_0001.jpg"
DEEP = "site_07/2024-04-12/camera_north_entrance/IMG_20240412_street_crossing_north_entrance_0001.jpg"


def merge_report() -> dict:
    """A merge report whose conflicts say what ``core.merge`` says (its wording), on short and long paths."""
    conflicts = [
        ("category_added", "", "bob: adds category 'traffic_light'"),
        (
            "edited_in_two_shards",
            PHOTO,
            f"{PHOTO}: edited differently in ann, bob (not an overlap image); every version is kept, "
            "tagged with its annotator, for review",
        ),
        (
            "annotation_id_collision",
            "coins.png",
            "coins.png: annotation id 12 is already used; renumbered to 431",
        ),
        (
            "edited_in_base_and_shard",
            DEEP,
            f"{DEEP}: changed in the base since the split and in ann; the shard's version is kept, the "
            "base's 3 objects it replaces listed in the report (left_out_objects)",
        ),
    ]
    stats = {"shards": 2, "images": 10, "annotations": 40, "overlap_images": 2, "honeypots_left_out": 0}
    return {
        "stats": {**stats, "conflicts": len(conflicts)},
        "conflicts": [{"type": t, "file_name": f, "message": m} for t, f, m in conflicts],
    }


def test_the_merge_reports_type_and_image_fit_and_what_happened_reads_whole(qtbot) -> None:
    """Type kept its title's room in bold and Image Qt's 100 px (`IMG_202404…`); a message longer than
    its column ran past two lines, cut. Type and Image fit their cells, a path too long for 40 % of the
    table cut in its middle (whole in its tooltip), each message wrapped onto the lines it takes."""
    from pixelproof.ui.app import create_app
    from pixelproof.ui.teams import ConflictDialog

    create_app()
    dialog = ConflictDialog(merge_report())
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    settle()
    table = dialog.table
    room = table.viewport().width()
    deep = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == DEEP)
    cells = [table.fontMetrics().horizontalAdvance(table.item(r, 1).text()) for r in range(table.rowCount())]
    assert max(cells) > 0.4 * room  # the long path is cut, by the test's design
    assert table.columnWidth(1) <= 0.4 * room and header_reads_whole(table, 1)
    assert table.item(deep, 1).toolTip() == DEEP
    table.hideRow(deep)  # the others read whole, and their columns are no wider than they need
    assert_fitted(table, (0,))
    assert all(c + padding(table) <= table.columnWidth(1) for r, c in enumerate(cells) if r != deep)
    table.showRow(deep)
    assert in_sight(table, 2) and table.horizontalScrollBar().maximum() == 0
    assert table.columnWidth(2) >= room // 3
    fm = table.fontMetrics()
    for r in range(table.rowCount()):
        text = table.item(r, 2).text()
        lines = fm.boundingRect(
            0, 0, table.columnWidth(2) - padding(table), 10_000, Qt.TextFlag.TextWordWrap, text
        )
        assert lines.height() <= table.rowHeight(r), (text, table.rowHeight(r))


def test_the_model_dialogs_matrix_and_ap_columns_fit_their_titles_and_figures(qtbot) -> None:
    """The matrix's class columns and the AP table's figures kept their titles' room in bold
    (``resizeColumnsToContents``): `reference`, `AP50` and the class names wider than their figures.
    Each is now its title as drawn (the italic *background* too) or its widest figure; the AP table's
    class names the rest, whole."""
    from pixelproof.core.report_ap import SUMMARY_NAMES
    from pixelproof.ui.app import create_app
    from pixelproof.ui.review.model_scores import MIN_CELL, ModelDialog

    create_app()
    labels = ["cat", "traffic_light", "person", "background"]  # a QA run's: titles wider than figures
    matrix = [[128, 3, 0, 9], [2, 41, 0, 5], [0, 0, 1047, 22], [4, 1, 30, 0]]
    rows = [
        (name, sum(row), 0.4 + 0.1 * k)
        for k, (name, row) in enumerate(zip(labels[:-1], matrix, strict=False))
    ]
    figures = {  # as ``core.qa_ap`` gives them: a summary and each class's, None where no object is of a size
        "summary": {n: None if n == "APs" else 0.6123 for n in SUMMARY_NAMES},
        "per_class": [
            {"category": c, "n_reference": n, **{k: None if k == "APs" else ap for k in SUMMARY_NAMES}}
            for c, n, ap in rows
        ],
    }
    dialog = ModelDialog({"computed": True, "bbox": figures}, {"labels": labels, "matrix": matrix})
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    m = dialog.matrix
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert m.horizontalHeaderItem(m.columnCount() - 2).font().italic()  # background
    assert_fitted(m, range(m.columnCount()), floor=MIN_CELL)
    assert in_sight(m, m.columnCount() - 1) and m.horizontalScrollBar().maximum() == 0
    assert dialog.ap_tables
    for table in dialog.ap_tables.values():
        dialog.tabs.setCurrentWidget(table)
        settle()
        assert_fitted(table, range(1, table.columnCount()), floor=MIN_CELL)
        assert in_sight(table, table.columnCount() - 1) and table.horizontalScrollBar().maximum() == 0
        names = [fm.horizontalAdvance(t) + padding(table) for t, fm in cell_texts(table, 0)]
        assert max(names) <= table.columnWidth(0) and header_reads_whole(table, 0)


def test_the_lint_rules_columns_fit_and_a_long_class_name_leaves_them_in_sight(
    qtbot, tmp_path, no_prompts
) -> None:
    """Every column of the per-class rules table is its title (bold, as the header draws the column of a
    selected cell) or its cells, growing as a cell is typed; a long class name made the row titles as
    wide and pushed countable and border out of sight behind a sideways scroll bar. The name is cut
    (whole in its tooltip) to leave the columns the room they need."""
    from PySide6.QtTest import QTest

    from pixelproof.ui.panels.problems.rules_dialog import RulesDialog

    path = make_project(tmp_path, n_images=1)
    project = load_project(path)
    project.categories[2].name = LONG_NAME
    save_project(project, path)
    win = open_main_window(qtbot, path)
    try:
        win.resize(1366, 768)
        dialog = RulesDialog(win.document, win)
        qtbot.addWidget(dialog)
        dialog.resize(900, 620)  # its size on a 1366x768 screen (opened within the offscreen one: 800x600)
        with qtbot.waitActive(dialog):
            dialog.show()
            dialog.activateWindow()
        settle()
        table = dialog.table
        last = table.columnCount() - 1
        assert_fitted(table, range(table.columnCount()))
        assert in_sight(table, last) and table.horizontalScrollBar().maximum() == 0
        long_row = next(
            r for r in range(table.rowCount()) if LONG_NAME in table.verticalHeaderItem(r).toolTip()
        )
        names = table.verticalHeader()  # the long name cut, by the test's design
        assert names.width() < names.fontMetrics().horizontalAdvance(
            table.verticalHeaderItem(long_row).text()
        )
        assert names.textElideMode() == Qt.TextElideMode.ElideRight  # drawn ending in "…", not clipped
        kinds = next(c for c in range(table.columnCount()) if table.model().headerData(c, H) == "kinds")
        width = table.columnWidth(kinds)
        rect = table.visualRect(table.model().index(0, kinds))
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.keyClick(table, Qt.Key.Key_F2)
        qtbot.waitUntil(lambda: table.state() == table.State.EditingState, timeout=10000)
        QTest.keyClicks(QApplication.focusWidget(), "box, polygon, mask")
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: table.item(0, kinds).text() == "box, polygon, mask", timeout=10000)
        settle()
        assert table.columnWidth(kinds) > width
        assert_fitted(table, range(table.columnCount()))
        assert in_sight(table, last) and table.horizontalScrollBar().maximum() == 0
        assert not dialog.problems.text()  # typed as lint reads it
    finally:
        win.document.undo_stack.setClean()
