"""The review view (issue 6) on the installed demo project, driven by real mouse and key events."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project
from pixelproof.core.demo import install_demo
from pixelproof.core.qa import run_qa
from pixelproof.interop.references import load_reference
from pixelproof.ui.review.filter import FilterError, parse_filter
from pixelproof.ui.review.tables import OBJECT_COLUMNS
from tests.ui.conftest import jobs_ended, settle, wait_loaded

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NOMOD = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


def open_window(qtbot, path: Path):
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1500, 950)
    with qtbot.waitActive(win):  # window shortcuts (Ctrl+Tab, N, Ctrl+S) need the active window
        win.show()
        win.activateWindow()
    assert win.open_path(path)
    return win


def opened(qtbot, path: Path, size: tuple[int, int] | None = None, review: bool = False):
    """The main window on ``path`` (at ``size``, in the review view if ``review``) for a fixture to yield;
    closed afterwards without a question about unsaved edits."""
    win = open_window(qtbot, path)
    if size is not None:
        win.resize(*size)
    if review:
        enter_review(qtbot, win)
    yield win
    if win.document is not None:
        win.document.undo_stack.setClean()
    win.close()


@pytest.fixture
def window(qtbot, demo: Path, no_prompts):
    yield from opened(qtbot, demo)


def expected_table(project_file: Path) -> list[dict]:
    """The image table computed by the core directly (what the view must show)."""
    cand = load_project(project_file)
    ref = load_reference(project_file.parent / "reference.json", cand)
    return run_qa(ref, cand).image_table()


def enter_review(qtbot, win, image: bool = True) -> None:
    """Ctrl+Tab, then wait for QA, the worst image's pixels and its overlays (``image``: there is one)."""
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    view = win.review.view
    assert win.review.active and win.centralWidget().currentWidget() is view
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    if image:
        wait_image(qtbot, view)


def wait_image(qtbot, view) -> None:
    from pixelproof.ui.canvas.image_item import ImageItem

    qtbot.waitUntil(
        lambda: isinstance(view.ref_pane.image_item, ImageItem) and view.overlays_ready(), timeout=10000
    )


def table_click(table, row: int, col: int = 0) -> None:
    index = table.model().index(row, col)
    table.scrollTo(index)
    QTest.mouseClick(table.viewport(), LEFT, NOMOD, table.visualRect(index).center())


def header_click(table, col: int) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    QTest.mouseClick(header.viewport(), LEFT, NOMOD, QPoint(x, header.height() // 2))


def column_values(view, metric: str) -> list[float]:
    col = view.images.image_model.column_of(metric)
    proxy = view.images.image_proxy
    return [proxy.index(r, col).data(Qt.ItemDataRole.UserRole + 1) for r in range(proxy.rowCount())]


def image_ids(view) -> list[int]:
    proxy = view.images.image_proxy
    return [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(proxy.rowCount())]


def assert_centred(view, bbox: list[float], tol: float = 1.5) -> None:
    cx, cy = bbox[0] + bbox[2] / 2, bbox[1] + bbox[3] / 2
    zooms = {round(p.zoom, 6) for p in view.panes}
    assert len(zooms) == 1, f"panes at different zooms: {zooms}"
    for pane in view.panes:
        c = pane.center()
        assert abs(c.x() - cx) <= tol and abs(c.y() - cy) <= tol, (pane.title, c, (cx, cy))
        # the whole object is in sight
        shown = pane.mapToScene(pane.viewport().rect()).boundingRect()
        assert shown.contains(QPointF(bbox[0], bbox[1])) and shown.contains(
            QPointF(bbox[0] + bbox[2], bbox[1] + bbox[3])
        )


# ------------------------------------------------------------------------------------------------


def test_sort_jump_reject_save_reopen(qtbot, window, demo: Path) -> None:
    win = window
    view = win.review.view
    enter_review(qtbot, win)
    assert not view.header.banner.isVisible() or "Cannot" not in view.header.banner.text()

    # sort by HD95 (a click on its header), then by Dice: worst Dice first, n/a last
    header_click(view.images.image_table, view.images.image_model.column_of("hd95"))
    header_click(view.images.image_table, view.images.image_model.column_of("dice"))
    if view.images.image_table.horizontalHeader().sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        header_click(view.images.image_table, view.images.image_model.column_of("dice"))
    dice = column_values(view, "dice")
    finite = [d for d in dice if not math.isnan(d)]
    assert finite == sorted(finite) and len(finite) < len(dice)
    assert all(math.isnan(d) for d in dice[len(finite) :]), "n/a rows go last"
    table = expected_table(demo)
    worst = min((r for r in table if not math.isnan(r["dice"])), key=lambda r: r["dice"])
    assert worst["file_name"] == "images/cell.png"  # the cell with a hole
    assert image_ids(view)[0] == worst["image_id"]

    # jump to the worst image: a click on the first row
    table_click(view.images.image_table, 2)  # somewhere else first, so the click below changes the image
    wait_image(qtbot, view)
    table_click(view.images.image_table, 0)
    assert view.image_id == worst["image_id"]
    wait_image(qtbot, view)
    assert win.document.current_image_id == worst["image_id"]  # the labeling view follows
    assert view.ref_pane.image_size == (660, 550)

    # click the object row: all three views centre on it, same zoom
    rows = view.object_model.rows
    assert [r.status for r in rows] == ["match"]
    table_click(view.object_table, 0)
    assert_centred(view, rows[0].bbox)
    assert view.ref_pane.focus_item is not None

    # reject it with a note, keyboard only: N (note field), type, Ctrl+Backspace
    cand_id = rows[0].cand_id
    QTest.keyClick(view.object_table, Qt.Key.Key_N)
    assert view.decision.note_edit.hasFocus()
    QTest.keyClicks(view.decision.note_edit, "hole not in the reference")
    QTest.keyClick(view.decision.note_edit, Qt.Key.Key_Backspace, CTRL)
    ann = win.document.project.annotations[cand_id]
    assert ann.review == "rejected" and ann.note == "hole not in the reference"
    assert view.decision.note_edit.text() == ""
    assert "rejected" in view.object_model.index(0, OBJECT_COLUMNS.index("Review")).data()
    assert win.isWindowModified()

    # undo (Ctrl+Z) and redo (Ctrl+Shift+Z) of the decision
    QTest.keyClick(view.object_table, Qt.Key.Key_Z, CTRL)
    ann = win.document.project.annotations[cand_id]
    assert ann.review is None and ann.note is None
    QTest.keyClick(view.object_table, Qt.Key.Key_Z, CTRL | SHIFT)
    assert win.document.project.annotations[cand_id].review == "rejected"

    # save (Ctrl+S), reopen: the decision is in the file and in the reopened review view
    QTest.keyClick(view.object_table, Qt.Key.Key_S, CTRL)
    assert not win.isWindowModified()
    data = json.loads(demo.read_text())
    saved = next(a for a in data["annotations"] if a["id"] == cand_id)
    assert saved["pixelproof"]["review"] == "rejected"
    assert saved["pixelproof"]["note"] == "hole not in the reference"
    assert win.open_path(demo)
    view = win.review.view
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    view.select_image(worst["image_id"])
    assert win.document.project.annotations[cand_id].review == "rejected"
    review = view.object_model.index(0, OBJECT_COLUMNS.index("Review")).data()
    assert review == "rejected: hole not in the reference"


def test_filter_dice_below(qtbot, window, demo: Path) -> None:
    view = window.review.view
    enter_review(qtbot, window)
    total = view.images.image_proxy.rowCount()
    assert total == 10
    QTest.mouseClick(view.images.filter_edit, LEFT)
    QTest.keyClicks(view.images.filter_edit, "Dice < 0.9")
    want = {r["image_id"] for r in expected_table(demo) if r["dice"] < 0.9}
    assert want and len(want) < total
    assert set(image_ids(view)) == want
    assert view.images.filter_note.text() == f"{len(want)} of {total} images"
    # a bad filter says why and keeps the last good one; clearing shows everything again
    view.images.filter_edit.clear()
    QTest.keyClicks(view.images.filter_edit, "Dice < x")
    assert "expected metric" in view.images.filter_note.text()
    view.images.filter_edit.clear()
    assert view.images.image_proxy.rowCount() == total
    QTest.keyClicks(view.images.filter_edit, "dice < 0.99 and FP > 0")
    want = {r["image_id"] for r in expected_table(demo) if r["dice"] < 0.99 and r["fp"] > 0}
    assert set(image_ids(view)) == want == {1}  # coins: the extra blob


def test_object_rows_pane_click_and_linked_pan(qtbot, window) -> None:
    view = window.review.view
    enter_review(qtbot, window)
    view.select_image(1)  # coins: missed, shifted, eroded coins and an extra blob
    wait_image(qtbot, view)
    statuses = [r.status for r in view.object_model.rows]
    assert statuses[:2] == ["fn", "fp"] and statuses.count("match") == 23
    # missed object: nothing to mark on the candidate side
    table_click(view.object_table, 0)
    assert not view.decision.accept_object_button.isEnabled() and not window.review.act_reject.isEnabled()
    assert view.decision.accept_image_button.isEnabled()
    assert_centred(view, view.object_model.rows[0].bbox)
    # a click on the extra blob in the difference view picks its row
    fp = view.object_model.rows[1]
    view.linked.fit()
    x, y, w, h = fp.bbox
    target = view.diff_pane.mapFromScene(x + w / 2, y + h / 2)
    QTest.mouseClick(view.diff_pane.viewport(), LEFT, NOMOD, target)
    assert view.object_table.currentIndex().row() == 1
    # a drag in the reference pans all three
    before = view.cand_pane.center()
    start = view.ref_pane.viewport().rect().center()
    vp = view.ref_pane.viewport()
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + QPoint(-20 * i, -10 * i))
    QTest.mouseRelease(vp, LEFT, NOMOD, start + QPoint(-80, -40))
    z = view.ref_pane.zoom
    after = view.cand_pane.center()
    assert abs((after.x() - before.x()) - 80 / z) < 1.5 and abs((after.y() - before.y()) - 40 / z) < 1.5
    assert abs(view.diff_pane.center().x() - after.x()) < 0.5
    # wheel zoom in one pane zooms all
    QTest.keyClick(view.diff_pane, Qt.Key.Key_Equal, CTRL)
    assert abs(view.ref_pane.zoom - z * 1.25) < 1e-6 and abs(view.cand_pane.zoom - z * 1.25) < 1e-6
    # D / A step through the Images table's rows here (sorted worst Dice first), not file order
    following = image_ids(view)[image_ids(view).index(1) + 1]
    QTest.keyClick(view.object_table, Qt.Key.Key_D)
    assert view.image_id == following != 2 and window.document.current_image_id == following
    wait_image(qtbot, view)
    assert view.images.image_table.currentIndex().data(Qt.ItemDataRole.UserRole) == following


def test_pane_titles_stay_after_a_pan(qtbot, window) -> None:
    """A pan scrolls the pixels painted already (the title with them) and repaints only what comes into
    view: each pane's title must be painted again where it belongs, in all three linked panes - after a
    drag, and after another image is shown (it is centred: a scroll too)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QRegion

    view = window.review.view
    enter_review(qtbot, window)

    class Painted(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.region = QRegion()

        def eventFilter(self, obj, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.region = self.region.united(event.region())
            return False

    panes = [view.ref_pane, view.cand_pane, view.diff_pane]

    def titles_painted_after(act) -> None:
        jobs_ended()  # earlier paints are behind us
        spies = [Painted() for _ in panes]
        for pane, spy in zip(panes, spies, strict=True):
            pane.viewport().installEventFilter(spy)
        act()
        for pane, spy in zip(panes, spies, strict=True):
            title = QRegion(pane.title_rect())
            qtbot.waitUntil(lambda s=spy, t=title: t.subtracted(s.region).isEmpty(), timeout=10000)
            pane.viewport().removeEventFilter(spy)

    def drag() -> None:
        vp = view.ref_pane.viewport()
        start = vp.rect().center()
        QTest.mousePress(vp, LEFT, NOMOD, start)
        for i in range(1, 4):
            QTest.mouseMove(vp, start + QPoint(15 * i, 12 * i))
        QTest.mouseRelease(vp, LEFT, NOMOD, start + QPoint(45, 36))

    titles_painted_after(drag)
    for row in range(view.images.image_table.model().rowCount()):
        titles_painted_after(lambda r=row: table_click(view.images.image_table, r))


def test_whole_image_decision_undo_and_outline(qtbot, window) -> None:
    win = window
    view = win.review.view
    enter_review(qtbot, win)
    view.select_image(1)
    wait_image(qtbot, view)
    doc = win.document
    anns = [a.id for a in doc.project.annotations_of(1)]
    table_click(view.object_table, 2)
    QTest.keyClick(view.object_table, Qt.Key.Key_Return, CTRL)  # accept that one object
    first = view.object_model.rows[2].cand_id
    assert doc.project.annotations[first].review == "accepted"
    QTest.keyClick(view.object_table, Qt.Key.Key_N)
    QTest.keyClicks(view.decision.note_edit, "extra blob top right")
    QTest.keyClick(view.decision.note_edit, Qt.Key.Key_Backspace, CTRL | SHIFT)  # reject the whole image
    assert doc.project.image_status(1) == "reviewed"
    entry = doc.project.app["image_review"]["1"]
    assert entry["review"] == "rejected" and entry["note"] == "extra blob top right"
    assert doc.project.annotations[first].review == "accepted"  # the object's own decision stays
    assert all(doc.project.annotations[i].review == "rejected" for i in anns if i != first)
    assert "rejected" in view.decision.image_decision_label.text()
    QTest.keyClick(view.object_table, Qt.Key.Key_Z, CTRL)  # one undo step for the whole image
    assert doc.project.image_status(1) == "done"
    assert "image_review" not in doc.project.app
    assert all(doc.project.annotations[i].review is None for i in anns if i != first)
    assert doc.project.annotations[first].review == "accepted"

    # O: outlines in all panes (fewer coloured pixels than the filled difference)
    filled = view.diff_pane.overlay.image.copy()
    QTest.keyClick(view.object_table, Qt.Key.Key_O)
    assert view.outline and view.header.outline_box.isChecked()
    qtbot.waitUntil(lambda: view.overlays_ready() and view.diff_pane.overlay.image != filled, timeout=10000)
    outlined = view.diff_pane.overlay.image

    def coloured(img) -> int:
        pixels = ((x, y) for y in range(0, img.height(), 2) for x in range(0, img.width(), 2))
        return sum(1 for x, y in pixels if img.pixelColor(x, y).alpha())

    assert 0 < coloured(outlined) < coloured(filled)

    # Ctrl+Tab goes back to labeling with its docks; review keys are off there
    QTest.keyClick(view.object_table, Qt.Key.Key_Tab, CTRL)
    assert not win.review.active and win.docks["imagesDock"].isVisible()
    assert not win.review.act_reject.isEnabled()


def test_missing_and_unreadable_reference(qtbot, demo: Path, no_prompts) -> None:
    data = json.loads(demo.read_text())
    data["pixelproof"]["reference"] = "nowhere/ref.json"
    demo.write_text(json.dumps(data))
    win = open_window(qtbot, demo)
    view = win.review.view
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: view.job is None and view.header.banner.isVisible(), timeout=10000)
    assert "Cannot read the reference" in view.header.banner.text()
    assert str(demo.parent / "nowhere" / "ref.json") in view.header.banner.text()
    assert view.scored is None and view.images.image_proxy.rowCount() == 0

    # a broken file: its problems are listed with its name
    bad = demo.parent / "broken.json"
    bad.write_text('{"images": [{"id": "x"}], "annotations": [], "categories": []}')
    win.review.set_reference(bad)
    assert win.document.project.reference == "broken.json"
    qtbot.waitUntil(lambda: view.job is None and "broken.json" in view.header.banner.text(), timeout=10000)
    assert "images[0]" in view.header.banner.text()

    # Review > Choose Reference Project… (the dialog answered): stored relative, undoable, scored
    from PySide6.QtWidgets import QFileDialog

    good = demo.parent / "reference.json"
    with pytest.MonkeyPatch.context() as mp:  # a del of the class attribute took Qt's own away too
        mp.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(good), "")))
        win.review.act_choose_project.trigger()
    assert win.document.project.reference == "reference.json"
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    assert not view.header.banner.isVisible()
    win.document.undo_stack.undo()
    assert win.document.project.reference == "broken.json"
    win.document.undo_stack.setClean()
    win.close()


def test_no_reference_shows_the_candidate_and_a_call_to_choose_one(qtbot, window, demo, monkeypatch) -> None:
    """Issue 19 item 8: the candidate pane shows the current image and its objects; a card in place of the
    reference and difference panes says what is missing, and its button chooses the reference."""
    from PySide6.QtWidgets import QFileDialog

    from pixelproof.core.edits import SetReference
    from pixelproof.ui.canvas.image_item import ImageItem

    win = window
    wait_loaded(qtbot, win)
    win.document.push(SetReference(None))
    QTest.keyClick(win.canvas, Qt.Key.Key_D)  # the second image
    shown = win.document.current_image_id
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    view = win.review.view
    card = view.no_reference
    qtbot.waitUntil(lambda: card.isVisible(), timeout=10000)
    assert not view.ref_pane.isVisible() and not view.diff_pane.isVisible() and view.cand_pane.isVisible()
    assert not view.header.banner.isVisible()
    label = view.header.reference_label  # plain text (a file name): no markup shown as characters
    assert label.textFormat() == Qt.TextFormat.PlainText and label.text() == "none"
    qtbot.waitUntil(
        lambda: isinstance(view.cand_pane.image_item, ImageItem) and view.cand_pane.overlay is not None,
        timeout=10000,
    )
    assert view.image_id == shown and win.document.current_image_id == shown
    assert card.geometry().width() > view.cand_pane.width()  # it stands for two panes
    pane = view.cand_pane
    h, w = pane.image_size
    seen = pane.mapToScene(pane.viewport().rect()).boundingRect()  # the whole image, centred
    assert seen.width() >= w - 1 and seen.height() >= h - 1 and abs(seen.center().x() - w / 2) < 2
    chosen = str(demo.parent / "reference.json")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (chosen, "")), raising=False
    )
    QTest.mouseClick(card.project_button, LEFT)
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    assert not card.isVisible() and view.ref_pane.isVisible() and view.diff_pane.isVisible()
    assert view.image_id == shown and win.document.current_image_id == shown


def test_review_opens_on_the_current_image_and_sorting_does_not_move_it(qtbot, window, demo: Path) -> None:
    """Issue 19 item 5: the review view starts on the image being labeled (not the worst-Dice one), a sort
    keeps it, and back in the labeling view (and after a reopen) it is still the current image."""
    win = window
    wait_loaded(qtbot, win)
    QTest.keyClick(win.canvas, Qt.Key.Key_D)
    QTest.keyClick(win.canvas, Qt.Key.Key_D)
    here = win.document.current_image_id
    worst = min((r for r in expected_table(demo) if not math.isnan(r["dice"])), key=lambda r: r["dice"])
    assert here != worst["image_id"]
    enter_review(qtbot, win)
    view = win.review.view
    assert view.image_id == here and win.document.current_image_id == here
    assert image_ids(view)[0] == worst["image_id"]  # sorted worst first, but the user stays put
    header_click(view.images.image_table, view.images.image_model.column_of("dice"))
    assert view.image_id == here and win.document.current_image_id == here
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Tab, CTRL)  # back to labeling
    assert not win.review.active and win.document.current_image_id == here
    win.document.undo_stack.setClean()
    assert win.open_path(demo)
    wait_loaded(qtbot, win)
    assert win.document.current_image_id == here


def test_shortcuts_dialog_lists_review_keys(window) -> None:
    from pixelproof.ui.shortcuts import REGISTRY

    rows = {what: keys for keys, what, _ in REGISTRY.rows()}
    assert "Ctrl+Tab" in rows["Review View"]
    assert "Ctrl+Backspace" in rows["Reject Object"]
    assert "Ctrl+Return" in rows["Accept Object"]
    assert "Ctrl+Shift+Backspace" in rows["Reject Image"]
    assert "Review: click an object row" in rows.values()
    # none of them is taken by the labeling key map (DESIGN.md §4)
    taken = {"V", "B", "P", "R", "E", "F", "M", "A", "D", "L", *map(str, range(1, 10))}
    review_keys = {k.strip() for name in ("Review View", "Accept Object", "Reject Object", "Accept Image",
                                          "Reject Image", "Write a Note", "Difference Outlines")
                   for k in rows[name].split("/")}  # fmt: skip
    assert not review_keys & taken


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Dice < 0.9", [("dice", "<", 0.9)]),
        ("hd95>=5 and FP > 0", [("hd95", ">=", 5.0), ("fp", ">", 0.0)]),
        ("Boundary IoU <= .5, wrong class != 0", [("boundary_iou", "<=", 0.5), ("wrong_class", "!=", 0.0)]),
        ("clDice < 0.8 and centreline dice > 0.1", [("cldice", "<", 0.8), ("cldice", ">", 0.1)]),
        ("", []),
    ],
)
def test_parse_filter(text: str, want: list) -> None:
    assert [(c.metric, c.op, c.value) for c in parse_filter(text)] == want


@pytest.mark.parametrize("text", ["Dice", "Dice < abc", "foo < 1", "__import__('os') < 1", "Dice < 1; 2"])
def test_parse_filter_rejects(text: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(text)


def test_back_to_review_after_an_edit_opens_on_the_image_being_labeled(qtbot, window) -> None:
    """An edit in the labeling view makes QA re-run on return; the view opens on the image just edited (not
    the one reviewed before) and does not move the labeling view back there."""
    win = window
    view = win.review.view
    doc = win.document
    enter_review(qtbot, win)
    before = view.image_id
    QTest.keyClick(view.object_table, Qt.Key.Key_Tab, CTRL)  # back to labeling
    QTest.keyClick(win.canvas, Qt.Key.Key_D)
    while not list(doc.project.annotations_of(doc.current_image_id)):
        QTest.keyClick(win.canvas, Qt.Key.Key_D)
    here = doc.current_image_id
    assert here != before
    win.canvas.setFocus()
    doc.set_selection([next(iter(doc.project.annotations_of(here))).id])
    QTest.keyClick(win.canvas, Qt.Key.Key_Delete)  # an edit: QA is out of date
    assert view.stale
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: view.job is None and not view.stale, timeout=10000)
    assert view.image_id == here and doc.current_image_id == here
    assert view.images.image_table.currentIndex().data(Qt.ItemDataRole.UserRole) == here


def test_filter_count_follows_a_rerun(qtbot, window) -> None:
    """The filter's "n of N images" is the count of rows shown after QA re-runs (an edit moved an image into
    the filter), not the count of the run before."""
    win = window
    view = win.review.view
    doc = win.document
    enter_review(qtbot, win)
    QTest.mouseClick(view.images.filter_edit, LEFT)
    QTest.keyClicks(view.images.filter_edit, "Dice < 0.9")
    shown = view.images.image_proxy.rowCount()
    assert view.images.filter_note.text() == f"{shown} of 10 images"
    # empty a well-labelled image (Dice 0 then) through the labeling view, and come back
    good = next(r["image_id"] for r in view.scored.image_table if r["dice"] >= 0.9)
    QTest.keyClick(view.images.filter_edit, Qt.Key.Key_Tab, CTRL)
    doc.set_current_image(good)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_A, CTRL)  # select all
    QTest.keyClick(win.canvas, Qt.Key.Key_Delete)
    assert not list(doc.project.annotations_of(good))
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: view.job is None and not view.stale, timeout=10000)
    assert good in image_ids(view) and view.images.image_proxy.rowCount() == shown + 1
    assert view.images.filter_note.text() == f"{shown + 1} of 10 images"


def test_an_unreadable_reference_after_a_good_one_leaves_no_old_scores(qtbot, window, demo: Path) -> None:
    """Choosing a reference that cannot be read, after a good one, must not leave the old reference's scores
    in the tables (under the new reference's name), nor decisions enabled against them."""
    win = window
    view = win.review.view
    enter_review(qtbot, win)
    assert view.images.image_proxy.rowCount() == 10
    bad = demo.parent / "broken.json"
    bad.write_text('{"images": [{"id": "x"}], "annotations": [], "categories": []}')
    QTest.keyClicks(view.decision.note_edit, "typed before the change")
    win.review.set_reference(bad)
    qtbot.waitUntil(lambda: view.job is None and "broken.json" in view.header.banner.text(), timeout=10000)
    assert view.scored is None
    assert view.images.image_proxy.rowCount() == 0 and view.object_model.rowCount() == 0
    assert view.images.class_model.rowCount() == 0 and view.images.histogram.values.size == 0
    assert view.header.reference_label.whole == "the file broken.json · Candidate: this project's objects"
    assert not view.decision.accept_image_button.isEnabled() and not win.review.act_reject_image.isEnabled()
    QTest.keyClick(view.decision.note_edit, Qt.Key.Key_Backspace, CTRL | SHIFT)  # nothing to decide on
    assert "image_review" not in win.document.project.app
    # undo: the good reference again, scored
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    assert view.images.image_proxy.rowCount() == 10 and not view.header.banner.isVisible()


def test_renaming_a_category_scores_again(qtbot, window, monkeypatch) -> None:
    """Categories are paired with the reference's by name: renaming one in the Categories panel changes the
    scores, so QA runs again (it kept showing the matches of the old name)."""
    from PySide6.QtWidgets import QInputDialog

    win = window
    view = win.review.view
    doc = win.document
    enter_review(qtbot, win)
    assert "coin" in [r["category"] for r in view.images.class_model.rows]
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Tab, CTRL)  # back to labeling
    panel = win.panels["categoriesDock"]
    tree = panel.tree
    item = next(
        tree.topLevelItem(n)
        for n in range(tree.topLevelItemCount())
        if tree.topLevelItem(n).data(0, Qt.ItemDataRole.UserRole) == 1
    )
    QTest.mouseClick(tree.viewport(), LEFT, NOMOD, tree.visualItemRect(item).center())
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("coins", True)))
    QTest.mouseClick(panel.buttons["rename"], LEFT)
    assert doc.project.categories[1].name == "coins"
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: view.job is None and not view.stale, timeout=10000)
    names = [r["category"] for r in view.images.class_model.rows]
    assert "coins" in names  # the candidate's class has no reference of its name now
    view.select_image(1)
    wait_image(qtbot, view)
    assert {r.status for r in view.object_model.rows} >= {"wrong_class"}


def test_labeling_selection_and_problem_keys_do_not_act_unseen_in_review(qtbot, window) -> None:
    """The review view shows neither the labeling view's selection nor the Problems panel: Delete there
    deleted the object selected before Ctrl+Tab (not the row selected in the review's object table), and
    X / Shift+F dismissed or fixed the problem selected in the hidden panel."""
    win = window
    doc = win.document
    wait_loaded(qtbot, win)
    panel = win.panels["problemsDock"]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: panel.result is not None and not panel.runner.running, timeout=20000)
    assert panel.table.currentIndex().isValid()  # a problem is selected (its image and object shown)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_A, CTRL)  # select all objects of the image
    assert doc.selection
    chosen = list(doc.selection)
    n = doc.undo_stack.count()
    enter_review(qtbot, win)
    view = win.review.view
    table_click(view.object_table, 0)
    steps = ((Qt.Key.Key_Delete, NOMOD), (Qt.Key.Key_X, NOMOD), (Qt.Key.Key_F, SHIFT))
    # Shift+D selected the next problem's objects (unseen), which Delete then deleted
    steps += (
        (Qt.Key.Key_D, SHIFT),
        (Qt.Key.Key_Delete, NOMOD),
        (Qt.Key.Key_A, SHIFT),
        (Qt.Key.Key_Delete, NOMOD),
    )
    for key, mod in steps:
        QTest.keyClick(view.object_table, key, mod)
    assert doc.undo_stack.count() == n and all(i in doc.project.annotations for i in chosen)
    assert "lint" not in doc.project.app
    # back in labeling with the panel shown, X works again
    QTest.keyClick(view.object_table, Qt.Key.Key_Tab, CTRL)
    assert win.docks["problemsDock"].isVisible()
    QTest.mouseClick(
        panel.table.viewport(), LEFT, NOMOD, panel.table.visualRect(panel.proxy.index(0, 1)).center()
    )
    QTest.keyClick(win.canvas, Qt.Key.Key_X)
    assert doc.project.app["lint"]["dismissed"]


def test_a_reference_change_while_labeling_does_not_move_the_labeling_view(qtbot, window, demo: Path) -> None:
    """QA re-runs in the background when the reference changes (here a redo in the labeling view); a
    reference without the image being labeled must not move the labeling view to the image the review view
    showed last."""
    from PySide6.QtWidgets import QFileDialog

    win = window
    view = win.review.view
    doc = win.document
    data = json.loads((demo.parent / "reference.json").read_text())
    cell = next(i["id"] for i in data["images"] if i["file_name"].endswith("cell.png"))
    data["images"] = [i for i in data["images"] if i["id"] != cell]
    data["annotations"] = [a for a in data["annotations"] if a["image_id"] != cell]
    (demo.parent / "no_cell.json").write_text(json.dumps(data))
    enter_review(qtbot, win)
    with pytest.MonkeyPatch.context() as mp:
        chosen = str(demo.parent / "no_cell.json")
        mp.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (chosen, "")))
        win.review.act_choose_project.trigger()
    qtbot.waitUntil(lambda: view.job is None and doc.project.reference == "no_cell.json", timeout=10000)
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Z, CTRL)  # back to reference.json
    qtbot.waitUntil(lambda: view.job is None and len(image_ids(view)) == 10, timeout=10000)
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Tab, CTRL)  # labeling
    doc_image = doc.project.images[cell].file_name
    while doc.current_image_id != cell:
        QTest.keyClick(win.canvas, Qt.Key.Key_A if doc.current_image_id > cell else Qt.Key.Key_D)
    QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: the reference without the cell image
    assert doc.project.reference == "no_cell.json"
    qtbot.waitUntil(lambda: view.job is None and len(image_ids(view)) == 9, timeout=10000)
    assert doc.current_image_id == cell, f"the labeling view left {doc_image}"


def test_ctrl_tab_from_an_image_the_reference_lacks_shows_another_and_leaves_labeling_there(
    qtbot, demo: Path, no_prompts
) -> None:
    """Labeling an image the reference does not hold, Ctrl+Tab showed the worst image and silently moved
    the labeling view there; now the status bar says the image is not scored and Ctrl+Tab goes back to it.
    A row picked by hand in the review view still moves the labeling view with it."""
    data = json.loads((demo.parent / "reference.json").read_text())
    cell = next(i["id"] for i in data["images"] if i["file_name"].endswith("cell.png"))
    data["images"] = [i for i in data["images"] if i["id"] != cell]
    data["annotations"] = [a for a in data["annotations"] if a["image_id"] != cell]
    (demo.parent / "reference.json").write_text(json.dumps(data))
    win = open_window(qtbot, demo)
    doc, view = win.document, win.review.view
    while doc.current_image_id != cell:
        QTest.keyClick(win.canvas, Qt.Key.Key_A if doc.current_image_id > cell else Qt.Key.Key_D)
    enter_review(qtbot, win)
    assert view.image_id not in (-1, cell)
    assert "cell.png is not scored (see the banner)" in win.statusBar().currentMessage()
    assert doc.current_image_id == cell
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Tab, CTRL)  # back to labeling: where it was
    assert not win.review.active and doc.current_image_id == cell
    enter_review(qtbot, win)
    shown = view.image_id
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Down)  # a row picked by hand: labeling follows
    qtbot.waitUntil(lambda: view.image_id != shown, timeout=10000)
    assert doc.current_image_id == view.image_id
    doc.undo_stack.setClean()
    win.close()


def test_at_1366_the_note_hint_reads_whole_and_names_the_keys(qtbot, window) -> None:
    """The note's placeholder ("Note (optional), then Ctrl+Enter accept / Ctrl+Backspace reject") was cut
    at "Ctrl+Backspa…" on a 1366-px screen; the keys are in its tooltip and the buttons' now, as the user
    has them."""
    from pixelproof.ui.shortcuts import REGISTRY

    window.resize(1366, 740)
    enter_review(qtbot, window)
    settle()  # the layout: turns of the event loop, not ms
    d = window.review.view.decision
    note = d.note_edit
    inner = note.width() - 2 * note.fontMetrics().averageCharWidth() - 8  # frame and text margins
    assert note.fontMetrics().horizontalAdvance(note.placeholderText()) <= inner, note.placeholderText()
    for id, button in (("review.accept_object", d.accept_object_button),
                       ("review.reject_object", d.reject_object_button),
                       ("review.accept_image", d.accept_image_button),
                       ("review.reject_image", d.reject_image_button)):  # fmt: skip
        first = REGISTRY.text(id).split(" / ")[0]
        assert first in button.toolTip(), (id, button.toolTip())
    assert REGISTRY.text("review.accept_object").split(" / ")[0] in note.toolTip()


def test_run_qa_without_a_reference_is_greyed_out_until_one_is_chosen(
    qtbot, window, demo, monkeypatch
) -> None:
    """A first-time user clicked Run QA in a project without a reference and nothing happened at all (no
    score, no message). The button is greyed out until a reference is chosen; then it scores."""
    from PySide6.QtWidgets import QFileDialog

    from pixelproof.core.edits import SetReference

    win = window
    wait_loaded(qtbot, win)
    win.document.push(SetReference(None))
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    view = win.review.view
    qtbot.waitUntil(lambda: view.no_reference.isVisible(), timeout=10000)
    run = view.header.run_button
    assert not run.isEnabled() and "reference" in run.toolTip().lower()
    chosen = str(demo.parent / "reference.json")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (chosen, "")), raising=False
    )
    QTest.mouseClick(view.no_reference.project_button, LEFT)
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    assert run.isEnabled()
    scored = view.scored
    QTest.mouseClick(run, LEFT)  # scores again
    qtbot.waitUntil(
        lambda: view.scored is not None and view.scored is not scored and view.job is None, timeout=10000
    )
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)  # the reference undone: greyed out again
    qtbot.waitUntil(lambda: view.no_reference.isVisible(), timeout=10000)
    assert not run.isEnabled()


def test_the_review_view_does_not_show_the_labeling_tools_hint(qtbot, window) -> None:
    """In the review view the status bar still said 'Box: drag to draw a new "cat" box' (the labeling tool's
    hint), though a drag there pans the three views; it says nothing of a tool there, and the hint is back
    with the labeling view."""
    win = window
    wait_loaded(qtbot, win)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_B)
    target = win.readout.target_label
    assert target.whole.startswith("Box:")
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    view = win.review.view
    qtbot.waitUntil(lambda: view.isVisible() and view.job is None, timeout=10000)
    assert target.whole == ""
    QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: win.canvas.isVisible(), timeout=10000)
    assert target.whole.startswith("Box:")
