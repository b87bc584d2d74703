"""What a QA reviewer met walking the review view at 1366x768: the per-class summary row behind a scroll
bar, a banner of warnings that could not be folded away, D / A walking file order while the Images table
is sorted worst first, and distances in mm and px sorted as one scale. Real keys, clicks and wheel turns."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QRegion, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableView

from pixelproof.core.demo import install_demo
from tests.ui.conftest import settle
from tests.ui.test_review import enter_review, header_click, image_ids, open_window, table_click, wait_image
from tests.ui.test_review_units import add_images, edit

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def warned_demo(tmp_path: Path) -> Path:
    """The demo with warnings enough for a five-line banner: images with and without a pixel spacing, six
    candidate images not in the reference, one reference image with no candidate, two reference images of
    another size than their candidates."""
    project = install_demo(tmp_path / "demo")
    reference = project.parent / "reference.json"
    for path in (project, reference):
        edit(path, spaced="chelsea.jpg")
        edit(path, spaced="coins.png")
    add_images(project, [f"images/new{k}.png" for k in range(6)])
    add_images(reference, ["images/only-in-ref.png"])
    data = json.loads(reference.read_text())
    for im in data["images"]:
        if Path(im["file_name"]).name in ("retina.jpg", "ihc.jpg"):
            im["width"] += 10
    reference.write_text(json.dumps(data))
    return project


def in_sight(view: QTableView, row: int) -> bool:
    """Every pixel of ``row`` (its shown columns) is on screen: inside the viewport, not scrolled or
    clipped away by a parent."""
    model = view.model()
    cols = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    rect = view.visualRect(model.index(row, cols[0])).united(view.visualRect(model.index(row, cols[-1])))
    if not view.isVisible() or rect.isEmpty():
        return False
    visible = view.viewport().visibleRegion()
    return visible.intersected(QRegion(rect)) == QRegion(rect)


def summary_cells(images) -> tuple[QTableView, int]:
    """The table and row that show the "all classes" summary, wherever the view puts it."""
    for view in images.findChildren(QTableView):
        model = view.model()
        for r in range(model.rowCount()):
            if model.index(r, 0).data() == "all classes":
                return view, r
    raise AssertionError("no 'all classes' row")


def wheel(widget, steps: int) -> None:
    """Turn the mouse wheel over ``widget`` (negative: down)."""
    pos = QPointF(widget.rect().center())
    glob = QPointF(widget.mapToGlobal(pos.toPoint()))
    event = QWheelEvent(pos, glob, QPoint(0, 0), QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_the_all_classes_row_is_in_sight_at_1366x768_under_a_banner(qtbot, tmp_path, no_prompts) -> None:
    """At 1366x768 the per-class table's last row, "all classes", was behind the table's bottom edge (a
    scroll bar to reach it), and more so under a banner of warnings. It stays in sight now, whatever the
    per-class rows are scrolled to."""
    win = open_window(qtbot, warned_demo(tmp_path))
    try:
        win.resize(1366, 740)
        enter_review(qtbot, win)
        view = win.review.view
        assert len(view.header.banner.text().splitlines()) >= 4
        settle()  # the layout: turns of the event loop, not ms
        table, row = summary_cells(view.images)
        assert in_sight(table, row), "the summary row is hidden"
        names = [r["category"] for r in view.images.class_model.rows]
        assert names[-1] == "all classes" and len(names) >= 8
        classes = view.images.class_table
        wheel(classes.viewport(), -5)
        settle()  # the layout: turns of the event loop, not ms
        assert in_sight(*summary_cells(view.images))
        wheel(classes.viewport(), 5)
        assert in_sight(*summary_cells(view.images))
        # the Images table still shows several rows
        assert view.images.image_table.viewport().height() >= 5 * view.images.image_table.rowHeight(0)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def banner_lines(banner) -> list[str]:
    return banner.text().splitlines()


def test_the_banner_folds_to_one_line_by_keyboard_and_unfolds_for_new_warnings(
    qtbot, tmp_path, no_prompts
) -> None:
    """Five warnings took ~80 px above the tables with no way to fold them. The banner folds to its first
    line and "n more" (Tab to it, Space); it stays folded when QA re-runs with the same warnings, and opens
    again when a run brings a warning it did not have. Its close button hides it the same way."""
    project = warned_demo(tmp_path)
    win = open_window(qtbot, project)
    try:
        win.resize(1366, 740)
        enter_review(qtbot, win)
        view = win.review.view
        banner = view.header.banner
        lines = banner_lines(banner)
        assert len(lines) >= 4 and banner.isVisible()
        tall = banner.height()
        # keyboard: Tab from Fit reaches the fold button; Space folds
        view.header.fit_button.setFocus(Qt.FocusReason.TabFocusReason)
        QTest.keyClick(view.header.fit_button, Qt.Key.Key_Tab)
        toggle = QApplication.focusWidget()
        assert toggle is banner.toggle_button, toggle
        QTest.keyClick(toggle, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: banner.height() < tall / 2, timeout=10000)
        assert f"{len(lines) - 1} more" in toggle.text()
        one = banner.fontMetrics().height()
        assert banner.height() <= one + 24, banner.height()
        assert banner.shown_text() == lines[0] and banner.text().splitlines() == lines  # all still there
        # F5: the same warnings, still folded
        QTest.keyClick(view.images.image_table, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: view.job is None and view.scored is not None, timeout=10000)
        assert banner.isVisible() and banner.shown_text() == lines[0]
        # Space again unfolds
        QTest.keyClick(toggle, Qt.Key.Key_Space)
        assert banner.shown_text().splitlines() == lines
        # close: hidden, and hidden again after a re-run with the same warnings
        QTest.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
        assert not banner.isVisible()
        QTest.keyClick(view.images.image_table, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: view.job is None and view.scored is not None, timeout=10000)
        assert not banner.isVisible()
        # a new warning (another reference image without a candidate): the banner is back, unfolded
        from pixelproof.core.edits import SetReference

        other = project.parent / "reference2.json"
        shutil.copy(project.parent / "reference.json", other)
        add_images(other, ["images/also-only-in-ref.png"])
        win.document.push(SetReference(str(other)))
        qtbot.waitUntil(lambda: view.job is None and banner.isVisible(), timeout=10000)
        assert "also-only-in-ref.png" in banner.shown_text()
        assert len(banner.shown_text().splitlines()) == len(banner_lines(banner)) >= 4
        # folded, then the reference is dropped and chosen again: a folded banner opens for new lines only
        QTest.mouseClick(banner.toggle_button, Qt.MouseButton.LeftButton)
        assert banner.shown_text() == banner_lines(banner)[0]
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_d_and_a_walk_the_images_table_as_sorted_and_filtered(qtbot, tmp_path, no_prompts) -> None:
    """D / A went to the next image in file order while the reviewer had the Images table sorted worst
    first. In the review view they walk the table's rows now, in its order and under its filter; at either
    end they stay and say so. Back in the labeling view D is file order again."""
    project = install_demo(tmp_path / "demo")
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        table, model = view.images.image_table, view.images.image_model
        header_click(table, model.column_of("hd95"))
        if table.horizontalHeader().sortIndicatorOrder() != Qt.SortOrder.DescendingOrder:
            header_click(table, model.column_of("hd95"))
        order = image_ids(view)
        files = list(win.document.project.images)
        assert order != files[: len(order)]
        table_click(table, 0)
        wait_image(qtbot, view)
        walked = [view.image_id]
        for _ in range(len(order) - 1):
            QTest.keyClick(table, Qt.Key.Key_D)
            walked.append(view.image_id)
            assert win.document.current_image_id == view.image_id
        assert walked == order
        QTest.keyClick(table, Qt.Key.Key_D)  # the last row: it stays, and says so
        assert view.image_id == order[-1]
        assert "last" in win.statusBar().currentMessage().lower()
        QTest.keyClick(table, Qt.Key.Key_A)
        QTest.keyClick(table, Qt.Key.Key_A)
        assert view.image_id == order[-3]
        # under a filter: only the rows shown
        QTest.keyClicks(view.images.filter_edit, "Dice < 0.99")
        shown = image_ids(view)
        assert 1 < len(shown) < len(order)
        table_click(table, 0)
        QTest.keyClick(table, Qt.Key.Key_D)
        assert view.image_id == shown[1]
        # the labeling view: file order
        QTest.keyClick(table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        assert not win.review.active
        here = files.index(win.document.current_image_id)
        QTest.keyClick(win.canvas, Qt.Key.Key_D)
        assert win.document.current_image_id == files[here + 1]
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_sorting_a_distance_keeps_mm_and_px_apart_and_n_a_last(qtbot, tmp_path, no_prompts) -> None:
    """With chelsea.jpg and coins.png in mm (a pixel spacing) and the rest in px, sorting by HD95 put
    1.58 mm before 2.00 px before 2.50 mm: numbers of two scales compared as one. The mm rows sort
    together, then the px rows, then n/a, in both orders; each group by its value in the order asked."""
    project = install_demo(tmp_path / "demo")
    for path in (project, project.parent / "reference.json"):
        edit(path, spaced="chelsea.jpg")
        edit(path, spaced="coins.png")
    edit(project, emptied="coffee.jpg")  # an ∞ (the diagonal stands in) among the px rows
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        table, model, proxy = view.images.image_table, view.images.image_model, view.images.image_proxy
        rows = {r["image_id"]: r for r in model.rows}
        assert {r["unit"] for r in rows.values() if not math.isnan(r["hd95"])} == {"mm", "px"}
        col = model.column_of("hd95")
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            header_click(table, col)
            if table.horizontalHeader().sortIndicatorOrder() != order:
                header_click(table, col)
            got = [rows[i] for i in image_ids(view)]
            down = order == Qt.SortOrder.DescendingOrder

            def group(r):
                return 2 if math.isnan(r["hd95"]) else (0 if r["unit"] == "mm" else 1)

            want_groups = sorted(group(r) for r in got)
            assert [group(r) for r in got] == want_groups, [(r["unit"], r["hd95"]) for r in got]
            for g in (0, 1):
                values = [r["hd95"] for r in got if group(r) == g]
                assert values == sorted(values, reverse=down), (g, values)
            shown = [proxy.index(r, col).data() for r in range(proxy.rowCount())]
            assert shown[: want_groups.count(0)] == [t for t in shown if t.endswith(" mm")]
    finally:
        win.document.undo_stack.setClean()
        win.close()
