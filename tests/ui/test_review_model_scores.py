"""The review view's model figures (mAP beside "Per class", the Confusion… dialog) on the demo project,
its objects given seeded scores as a model's predictions, driven by real mouse and key events; the
figures shown are the core's (``run_qa``'s ``ap`` and ``confusion``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QTextDocumentFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.qa import run_qa
from pixelproof.interop.references import load_reference
from pixelproof.ui.review.model_scores import ModelDialog, ModelScores
from tests.ui.test_review import enter_review, open_window


def scored_demo(folder: Path, scores: bool) -> tuple[Path, object]:
    """The demo project, its objects scored when ``scores``, and the core's QA result on it."""
    path = install_demo(folder)
    project = load_project(path)
    rng = np.random.default_rng(5)
    for a in project.annotations.values():
        a.score = round(float(rng.uniform(0.1, 1.0)), 3) if scores else None
    save_project(project, path)
    cand = load_project(path)
    return path, run_qa(load_reference(path.parent / "reference.json", cand), cand)


def _dialog(qtbot) -> ModelDialog:
    found: list[ModelDialog] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, ModelDialog) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10000)
    return found[0]


@pytest.mark.parametrize("scores", [True, False])
def test_map_and_confusion_dialog_show_the_core_figures(qtbot, tmp_path, no_prompts, scores):
    path, result = scored_demo(tmp_path / "demo", scores)
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        box = view.images.model_scores
        assert box.isVisible()
        ap = result.ap
        assert ap["computed"] == scores, ap
        if scores:
            kinds = [t for t in ("bbox", "segm") if ap.get(t)]
            names = {"bbox": "boxes", "segm": "masks"}
            want = "mAP " + " · ".join(f"{names[t]} {ap[t]['summary']['AP']:.3f}" for t in kinds)
            assert box.label.text() == want
        else:
            assert box.label.text() == "mAP: no scores" and "no scores" in box.label.toolTip()
        qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
        dialog = _dialog(qtbot)
        labels, matrix = result.confusion["labels"], result.confusion["matrix"]
        table = dialog.matrix
        assert [table.horizontalHeaderItem(c).text() for c in range(len(labels))] == labels
        assert [
            [int(table.item(r, c).text()) for c in range(len(labels))] for r in range(len(labels))
        ] == matrix
        assert [int(table.item(r, len(labels)).text()) for r in range(len(labels))] == list(map(sum, matrix))
        if scores:
            t = next(iter(dialog.ap_tables))
            ap_table = dialog.ap_tables[t]
            assert ap_table.item(0, 0).text() == "(all: mAP)"  # first: never scrolled away
            assert ap_table.item(0, 2).text() == f"{ap[t]['summary']['AP']:.3f}"
            assert ap_table.item(0, 0).font().bold() and not ap_table.item(1, 0).font().bold()
            per_class = ap[t]["per_class"]
            assert [ap_table.item(r, 0).text() for r in range(1, ap_table.rowCount())] == [
                c["category"] for c in per_class
            ]
        else:
            assert not dialog.ap_tables
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    finally:
        if win.document is not None:
            win.document.undo_stack.setClean()
        win.close()


def test_a_long_class_name_is_cut_in_the_dialog_and_whole_in_its_tooltip(qtbot, tmp_path) -> None:
    """A 10,000-character class (another tool's file may name one so) made the AP table's first column
    and the matrix's headers as wide: shown on one short line, the whole name in the row's tooltip."""
    from pixelproof.core.report import to_dict

    huge = "W" * 10_000
    path = install_demo(tmp_path / "demo")
    for f in (path, path.parent / "reference.json"):
        project = load_project(f)
        for c in project.categories.values():
            if c.name == "coin":
                c.name = huge
        for a in project.annotations.values():
            a.score = 0.9
        save_project(project, f)
    cand = load_project(path)
    data = to_dict(run_qa(load_reference(path.parent / "reference.json", cand), cand))
    dialog = ModelDialog(data["ap"], data["confusion"])
    qtbot.addWidget(dialog)
    names = [dialog.matrix.horizontalHeaderItem(i).text() for i in range(dialog.matrix.columnCount())]
    assert huge not in names and any(n.startswith("WWW") and n.endswith("…") for n in names), names
    table = next(iter(dialog.ap_tables.values()))
    rows = [table.item(r, 0) for r in range(table.rowCount())]
    cut = next(item for item in rows if item.text().startswith("WWW"))
    assert len(cut.text()) < 300 and huge in cut.toolTip()


def _tabs(dialog: ModelDialog) -> list[str]:
    return [dialog.tabs.tabText(i).replace("&", "") for i in range(dialog.tabs.count())]


@pytest.mark.parametrize("scores", [True, False])
def test_the_confusion_matrix_is_the_first_tab_and_alt_keys_switch(qtbot, tmp_path, scores) -> None:
    """The matrix is what a user opens the dialog for: its tab first and current, the AP tabs after
    (or one saying why there is no AP); Alt+B and Alt+A reach the AP tabs, Alt+M comes back, Ctrl+Tab
    steps through them."""
    _path, result = scored_demo(tmp_path / "demo", scores)
    dialog = ModelDialog(result.ap, result.confusion)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=10000)
    if not scores:
        assert _tabs(dialog) == ["Confusion matrix", "AP"]
        assert "no scores" in dialog.tabs.widget(1).text()
        return
    assert _tabs(dialog) == ["Confusion matrix", "AP, boxes", "AP, masks"]
    assert dialog.tabs.currentIndex() == 0
    for key, shown in ((Qt.Key.Key_B, 1), (Qt.Key.Key_A, 2), (Qt.Key.Key_M, 0)):
        QTest.keyClick(dialog.focusWidget() or dialog, key, Qt.KeyboardModifier.AltModifier)
        assert dialog.tabs.currentIndex() == shown, key
    for shown in (1, 2, 0):  # Ctrl+Tab steps through them, from the tab bar as from a table
        QTest.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        assert dialog.tabs.currentIndex() == shown
        dialog.tabs.currentWidget().setFocus()
    assert dialog.tabs.widget(1) is dialog.ap_tables["bbox"]


def _strength(dialog: ModelDialog, r: int, c: int) -> int:
    """How far a cell's colour is from the table's background (0: none)."""
    base = dialog.matrix.palette().color(QPalette.ColorRole.Base)
    brush = dialog.matrix.item(r, c).background()
    if brush.style() == Qt.BrushStyle.NoBrush:
        return 0
    fill = brush.color()
    return sum(abs(a - b) for a, b in zip(fill.getRgb()[:3], base.getRgb()[:3], strict=True))


def _hue(dialog: ModelDialog, r: int, c: int) -> int:
    return dialog.matrix.item(r, c).background().color().hslHue()


LABELS = ["cat", "dog", "bird", "background"]
MATRIX = [[12, 6, 2, 1], [1, 8, 0, 1], [0, 0, 0, 0], [0, 3, 1, 0]]


def test_the_heat_map_orders_cells_by_their_share_of_the_row(qtbot) -> None:
    """A cell's colour grows with its count's share of its row (the row's reference objects): within one
    kind of cell the order of the colours' strengths is the order of the shares, an empty cell is
    uncoloured, and the diagonal's hue is not a confusion's."""
    dialog = ModelDialog({}, {"labels": LABELS, "matrix": MATRIX})
    qtbot.addWidget(dialog)
    bg = len(LABELS) - 1
    cells = [(r, c) for r in range(len(LABELS)) for c in range(len(LABELS))]
    for r, c in cells:
        assert (_strength(dialog, r, c) > 0) == (MATRIX[r][c] > 0), (r, c)

    def kind(r: int, c: int) -> str:
        return "diagonal" if r == c else "extra" if r == bg else "missed" if c == bg else "confused"

    for which in ("diagonal", "confused", "extra", "missed"):
        filled = [(r, c) for r, c in cells if kind(r, c) == which and MATRIX[r][c]]
        shares = sorted(filled, key=lambda rc: MATRIX[rc[0]][rc[1]] / sum(MATRIX[rc[0]]))
        assert sorted(filled, key=lambda rc: _strength(dialog, *rc)) == shares, which
    assert len({_hue(dialog, 0, 0), _hue(dialog, 0, 1), _hue(dialog, 0, bg), _hue(dialog, bg, 1)}) == 4
    assert dialog.matrix.item(0, 0).font().bold() and not dialog.matrix.item(0, 1).font().bold()
    # the row totals close each row
    assert [dialog.matrix.item(r, len(LABELS)).text() for r in range(len(LABELS))] == ["21", "10", "0", "4"]


def test_a_cells_tooltip_says_what_it_counts(qtbot) -> None:
    dialog = ModelDialog({}, {"labels": LABELS, "matrix": MATRIX})
    qtbot.addWidget(dialog)

    def tip(r: int, c: int) -> str:
        index = dialog.matrix.model().index(r, c)
        return QTextDocumentFragment.fromHtml(index.data(Qt.ItemDataRole.ToolTipRole)).toPlainText()

    assert tip(0, 0) == "12 reference cat objects matched as cat (57% of the 21 reference cat objects)"
    assert tip(0, 1) == "6 reference cat objects matched as dog (29% of the 21 reference cat objects)"
    assert tip(1, 0) == "1 reference dog object matched as cat (10% of the 10 reference dog objects)"
    assert tip(0, 3) == (
        "1 reference cat object missed: no candidate object matched (5% of the 21 reference cat objects)"
    )
    assert tip(3, 1) == (
        "3 objects of class dog in the candidate extra: no reference object matched (75% of the 4 objects "
        "extra in the candidate)"
    )
    assert tip(2, 2) == "0 reference bird objects matched as bird"


def test_the_dialog_fits_its_tables_within_the_screen(qtbot, tmp_path) -> None:
    """Sized to what it shows: every row of the demo's matrix without a scroll bar, rows as compact as the
    review view's tables; a matrix of 60 classes stops at the screen's edge and scrolls."""
    _path, result = scored_demo(tmp_path / "demo", True)
    dialog = ModelDialog(result.ap, result.confusion)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    m = dialog.matrix
    assert m.verticalScrollBar().maximum() == 0 and m.horizontalScrollBar().maximum() == 0
    assert m.rowHeight(0) == m.fontMetrics().height() + 6
    for table in dialog.ap_tables.values():
        dialog.tabs.setCurrentWidget(table)
        assert table.verticalScrollBar().maximum() == 0 and table.horizontalScrollBar().maximum() == 0
    names = [f"class {i}" for i in range(60)] + ["background"]
    big = ModelDialog({}, {"labels": names, "matrix": [[i == j for j in range(61)] for i in range(61)]})
    qtbot.addWidget(big)
    big.show()
    qtbot.waitExposed(big)
    room = big.screen().availableGeometry()
    assert big.width() <= room.width() and big.height() <= room.height()
    assert big.matrix.verticalScrollBar().maximum() > 0


def test_confusion_button_looks_like_a_button_beside_the_map_label(qtbot) -> None:
    """At 1366x768 'mAP boxes 0.888 · masks 0.830   Confusion…' read as one line of text: the flat
    (auto-raise) button drew no frame until hovered, so nothing said it opens the matrix. Unhovered, its
    frame is now drawn: its top and bottom rows hold pixels other than the panel's background, the
    label's none."""
    from PySide6.QtGui import QColor

    scores = ModelScores()
    qtbot.addWidget(scores)
    scores.label.setText("mAP boxes 0.888 · masks 0.830")
    scores.show()
    qtbot.waitExposed(scores)
    background = scores.palette().color(QPalette.ColorRole.Window).rgb()

    shot = scores.grab().toImage()  # as the panel paints them, its background under both

    def edge_colours(widget) -> set[int]:  # type: ignore[no-untyped-def]
        r = widget.geometry()
        xs = range(r.left(), r.right() + 1)  # its top and bottom rows: the label's text reaches its sides
        points = [(x, y) for x in xs for y in (r.top(), r.top() + 1, r.bottom() - 1, r.bottom())]
        return {QColor(shot.pixel(x, y)).rgb() for x, y in points}

    assert edge_colours(scores.label) <= {background}  # the check sees no frame where none is
    assert edge_colours(scores.button) - {background}


def _cell_point(table, r: int, c: int):  # type: ignore[no-untyped-def]
    table.scrollTo(table.model().index(r, c))
    return table.visualRect(table.model().index(r, c)).center()


def test_a_matrix_cell_clicked_or_entered_lists_its_images_and_show_all_clears(qtbot, tmp_path, no_prompts):
    """A click on a cell of the confusion matrix (or Enter on it, reached with the arrow keys) keeps the
    Images table to the images whose objects it counts (the core's ``confusion_images``): a class's
    matches, its missed objects (background column), the candidate's extra ones (background row), a
    row's total (every image of the row); the bar above the table says which cell and its button (or
    the dialog's Show all images) lists every image again. An empty cell lists nothing new."""
    path, result = scored_demo(tmp_path / "demo", False)
    labels = result.confusion["labels"]
    images = [
        [result.confusion_images.get((r, c), []) for c in range(len(labels))] for r in range(len(labels))
    ]
    k, bg = len(labels), len(labels) - 1
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        images_panel = view.images
        every = set(images_panel.listed_ids())
        assert len(every) == len(result.pairs) > 1
        qtbot.mouseClick(images_panel.model_scores.button, Qt.MouseButton.LeftButton)
        dialog = _dialog(qtbot)
        table = dialog.matrix
        cells = [(r, c) for r in range(k) for c in range(k) if images[r][c]]
        missed = next((r, c) for r, c in cells if c == bg)
        extra = next((r, c) for r, c in cells if r == bg)
        diagonal = next((r, c) for r, c in cells if r == c)
        for r, c in (diagonal, missed, extra):
            qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=_cell_point(table, r, c))
            assert set(images_panel.listed_ids()) == set(images[r][c]) < every, (r, c)
            assert view.image_id in images[r][c]  # the current image is one of them
            bar = images_panel.cell_note.text()
            assert images_panel.cell_bar.isVisible() and labels[r if r != bg else c] in bar, bar
        assert "extra" in bar
        # the keyboard: arrows from the extra cell to the missed one, Enter
        table.setFocus()
        r0, c0 = extra
        r1, c1 = missed
        for key, n in ((Qt.Key.Key_Up, r0 - r1), (Qt.Key.Key_Right, c1 - c0), (Qt.Key.Key_Left, c0 - c1)):
            for _ in range(max(n, 0)):
                QTest.keyClick(table, key)
        assert (table.currentRow(), table.currentColumn()) == missed
        shot = table.viewport().grab().toImage()  # the cell the keys reached is framed, the others not
        frame = table.palette().color(QPalette.ColorRole.Highlight).rgb()
        for r, c in (missed, extra):
            rect = table.visualRect(table.model().index(r, c))
            edge = {shot.pixel(rect.left() + 1, y) for y in range(rect.top() + 2, rect.bottom() - 1)}
            assert (edge == {frame}) == ((r, c) == missed), (r, c)
        QTest.keyClick(table, Qt.Key.Key_Return)
        assert set(images_panel.listed_ids()) == set(images[r1][c1])
        assert dialog.isVisible()  # Enter chose the cell, it did not close the dialog
        assert "missed" in images_panel.cell_note.text()
        # a row's total: every image of the row
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=_cell_point(table, r1, k))
        assert set(images_panel.listed_ids()) == set().union(*images[r1])
        # an empty cell changes nothing
        empty = next((r, c) for r in range(bg) for c in range(k) if not images[r][c])
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=_cell_point(table, *empty))
        assert set(images_panel.listed_ids()) == set().union(*images[r1])
        assert "no objects" in dialog.cell_note.text()
        # the dialog's Show all images (Alt+I), then the bar's button
        assert dialog.show_all.isEnabled()
        dialog.activateWindow()  # Alt+I is the dialog's while it is the active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=10000)
        QTest.keyClick(table, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # a mnemonic's animated click
        qtbot.waitUntil(lambda: set(images_panel.listed_ids()) == every, timeout=10000)
        assert not images_panel.cell_bar.isVisible()
        assert not dialog.show_all.isEnabled()
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=_cell_point(table, *diagonal))
        assert set(images_panel.listed_ids()) == set(images[diagonal[0]][diagonal[1]])
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
        assert images_panel.cell_bar.isVisible()  # the list stays as chosen, the bar says how to undo it
        before = view.scored
        qtbot.mouseClick(view.header.run_button, Qt.MouseButton.LeftButton)  # a re-run keeps the cell
        qtbot.waitUntil(lambda: view.job is None and view.scored not in (None, before), timeout=10000)
        assert set(images_panel.listed_ids()) == set(images[diagonal[0]][diagonal[1]])
        assert (
            images_panel.filter_note.text()
            == f"{len(images[diagonal[0]][diagonal[1]])} of {len(every)} images"
        )
        qtbot.mouseClick(images_panel.cell_clear, Qt.MouseButton.LeftButton)
        assert set(images_panel.listed_ids()) == every and not images_panel.cell_bar.isVisible()
        assert images_panel.filter_note.isHidden()
    finally:
        if win.document is not None:
            win.document.undo_stack.setClean()
        win.close()


def test_a_cell_click_after_a_while_on_an_image_it_does_not_list_lists_its_images(
    qtbot, tmp_path, no_prompts
):
    """A reviewer who spent a second or more on the current image, then clicked a matrix cell without it,
    got an empty Images table: the filter moved the current row off that image in the middle of its
    removals, the view left the image there and then, recording the time spent on it, which changed its
    row's data within the proxy's removals, and the proxy removed the wrong rows (under CI load, where
    the test before took over a second to get to its click)."""
    path, result = scored_demo(tmp_path / "demo", False)
    labels = result.confusion["labels"]
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        images_panel = view.images
        shown = view.image_id
        cell, ids = next(
            ((r, c), set(ids))
            for (r, c), ids in sorted(result.confusion_images.items())
            if ids and shown not in ids and c < len(labels)
        )
        qtbot.mouseClick(images_panel.model_scores.button, Qt.MouseButton.LeftButton)
        table = _dialog(qtbot).matrix
        win.teams.timer.since -= 5  # five seconds on the image: leaving it records them
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=_cell_point(table, *cell))
        assert set(images_panel.listed_ids()) == ids, cell
        assert view.image_id in ids
        app = win.document.project.app  # the visit was recorded on the way, once the click was over
        qtbot.waitUntil(lambda: str(shown) in app.get("time_spent", {}), timeout=10000)
        assert set(images_panel.listed_ids()) == ids
    finally:
        if win.document is not None:
            win.document.undo_stack.setClean()
        win.close()


def test_a_missed_cell_says_its_objects_on_reference_images_the_candidate_lacks(qtbot, tmp_path):
    """Reference objects on an image the candidate lacks are counted as missed (as COCOeval) but no image
    of the Images table holds them: clicking their class's missed cell says how many are there, beside
    the images it lists, or instead of them (the table then stays as it was)."""
    path = install_demo(tmp_path / "demo")
    cand = load_project(path)
    gone = max(cand.images, key=lambda i: len(cand.annotations_of(i)))
    cand.remove_image(gone)
    save_project(cand, path)
    cand = load_project(path)
    result = run_qa(load_reference(path.parent / "reference.json", cand), cand)
    labels = result.confusion["labels"]
    lacking = {name: c.fn for name, c in result.missed.items() if c.fn}
    assert lacking, result.missed  # the image taken away had reference objects
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)
        images_panel = win.review.view.images
        every = set(images_panel.listed_ids())
        qtbot.mouseClick(images_panel.model_scores.button, Qt.MouseButton.LeftButton)
        dialog = _dialog(qtbot)
        for name, n in lacking.items():
            r, bg = labels.index(name), len(labels) - 1
            listed = set(result.confusion_images.get((r, bg), []))
            qtbot.mouseClick(
                dialog.matrix.viewport(), Qt.MouseButton.LeftButton, pos=_cell_point(dialog.matrix, r, bg)
            )
            note = dialog.cell_note.text()
            assert f"{n} " in note and "the candidate lacks" in note, note
            assert set(images_panel.listed_ids()) == (listed or every), note
            if not listed:
                assert "stays as it is" in note
            images_panel.model_scores.clear_cell()
    finally:
        win.close()
