"""The Problems dock with real keys and clicks: find problems in the background (with or without a model,
Cancel), sort and filter, a click shows the object, Shift+F fixes as one undo step, X marks "not a problem"
in the project, Shift+D / Shift+A step through the list, the rules dialog edits the project's rules."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QPushButton, QStyle, QStyleOptionComboBox

from pixelproof.core.coco import load_project, new_category, save_project
from pixelproof.core.model import Annotation
from pixelproof.inference import registry as inference
from pixelproof.inference.base import Backend, Prediction
from pixelproof.inference.registry import BackendInfo
from pixelproof.ui.panels.problems.rules_dialog import HEADERS
from tests.ui.conftest import header_reads_whole, make_project, settle

LEFT = Qt.MouseButton.LeftButton
SHIFT = Qt.KeyboardModifier.ShiftModifier
NOMOD = Qt.KeyboardModifier.NoModifier


def box(aid: int, image: int, bbox: list[float], cid: int = 1, **kw) -> Annotation:
    return Annotation(aid, image, cid, [float(v) for v in bbox], None, bbox[2] * bbox[3], **kw)


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """(Overrides conftest's.) Image 1: a cat and its duplicate; image 2: a 1-px cat (tiny) and a dog half
    outside; image 3: a pending model prediction of a dog nothing covers."""
    path = make_project(tmp_path)
    p = load_project(path)
    p.add_annotation(box(1, 1, [40, 40, 80, 60]))
    p.add_annotation(box(2, 1, [40.5, 40, 80, 60]))
    p.add_annotation(box(3, 2, [200, 100, 1, 1]))
    p.add_annotation(box(4, 2, [280, 150, 80, 50], cid=2))
    p.add_annotation(box(5, 3, [100, 60, 90, 70], cid=2, score=0.97, source="model:x/y@1", review="pending"))
    save_project(p, path)
    return path


@pytest.fixture
def win(problems_window):  # type: ignore[no-untyped-def]
    return problems_window


def key(win, k, modifier=NOMOD) -> None:
    QTest.keyClick(win, k, modifier)


def find(qtbot, win, source: str = "none", click: bool = False):
    """F6 (or a click on Find problems) and wait for the new result."""
    panel = win.panels["problemsDock"]
    panel.source.setCurrentIndex(panel.source.findData(source))
    before = panel.result
    if click:
        qtbot.mouseClick(panel.findChild(QPushButton, "button_lint.run"), LEFT)
    else:
        key(win, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: panel.result is not before and not panel.runner.running, timeout=20000)
    return panel


def rows(panel) -> list[tuple[str, int | None]]:
    out = []
    for r in range(panel.proxy.rowCount()):
        p = panel.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1)
        out.append((p.kind, p.annotation_id))
    return out


def click_row(qtbot, panel, row: int) -> None:
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    qtbot.mouseClick(panel.table.viewport(), LEFT, pos=rect.center())


def test_find_sort_filter_and_show(qtbot, win) -> None:
    panel = find(qtbot, win)
    assert win.docks["problemsDock"].isVisible()  # F6 shows the dock
    assert sorted(rows(panel)) == [("duplicate", 2), ("out_of_bounds", 4), ("tiny", 3)]
    assert rows(panel)[0] == ("duplicate", 2)  # worst first
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(header.sectionViewportPosition(0) + 5, 5))
    scores = [panel.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).score for r in range(3)]
    assert scores == sorted(scores) or scores == sorted(scores, reverse=True)
    first = scores[0]
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(header.sectionViewportPosition(0) + 5, 5))
    assert panel.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1).score != first  # order flipped
    # filters: class, then kind, then score
    panel.class_filter.setCurrentIndex(panel.class_filter.findData("dog"))
    assert rows(panel) == [("out_of_bounds", 4)]
    panel.class_filter.setCurrentIndex(0)
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("tiny"))
    assert rows(panel) == [("tiny", 3)]
    panel.kind_filter.setCurrentIndex(0)
    panel.min_score.clear()
    QTest.keyClicks(panel.min_score, "0.95")
    QTest.keyClick(panel.min_score, Qt.Key.Key_Return)
    assert {k for k, _ in rows(panel)} == {"duplicate"}
    panel.min_score.setValue(0.5)
    # a click shows the object: its image, selected, zoomed in, outlined
    doc = win.document
    row = next(r for r, (k, _) in enumerate(rows(panel)) if k == "tiny")
    click_row(qtbot, panel, row)
    assert doc.current_image_id == 2 and doc.selection == [3]
    assert win.canvas.zoom > 1.5 and panel.marks.items
    assert "tiny" in panel.detail.text() and "delete annotation 3" in panel.detail.text()


def test_double_click_takes_you_back_to_the_selected_problem(qtbot, win) -> None:
    """Having moved on (another image), a double-click on the problem still selected shows it again,
    centred; nothing happened, the row being current already."""
    panel = find(qtbot, win)
    doc = win.document
    row = rows(panel).index(("tiny", 3))
    click_row(qtbot, panel, row)
    key(win, Qt.Key.Key_A)  # the previous image
    doc.set_selection([])
    assert doc.current_image_id == 1
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    qtbot.mouseDClick(panel.table.viewport(), LEFT, pos=rect.center())
    assert doc.current_image_id == 2 and doc.selection == [3]
    centre = win.canvas.mapFromScene(QPointF(200.5, 100.5))  # the 1-px cat's centre
    view = win.canvas.viewport().rect().center()
    assert abs(centre.x() - view.x()) <= 2 and abs(centre.y() - view.y()) <= 2
    assert panel.marks.items


def test_fix_key_is_one_undo_step_and_the_list_follows(qtbot, win) -> None:
    panel = find(qtbot, win)
    doc = win.document
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "duplicate"))
    win.canvas.setFocus()
    n = doc.undo_stack.count()
    key(win, Qt.Key.Key_F, SHIFT)
    assert 2 not in doc.project.annotations and doc.undo_stack.count() == n + 1
    assert ("duplicate", 2) not in rows(panel)
    assert panel.table.currentIndex().isValid()  # the next problem is selected
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert 2 in doc.project.annotations
    qtbot.waitUntil(lambda: ("duplicate", 2) in rows(panel), timeout=10000)  # re-checked after the undo
    # out of bounds: the clip fix
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "out_of_bounds"))
    key(win, Qt.Key.Key_F, SHIFT)
    assert doc.project.annotations[4].bbox == [280.0, 150.0, 40.0, 50.0]
    assert ("out_of_bounds", 4) not in rows(panel)


def test_not_a_problem_is_stored_in_the_project(qtbot, win, project_file: Path) -> None:
    panel = find(qtbot, win)
    doc = win.document
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "tiny"))
    key(win, Qt.Key.Key_X)
    keys = doc.project.app["lint"]["dismissed"]
    assert keys == ["tiny|2|3"] and ("tiny", 3) not in rows(panel)
    qtbot.mouseClick(panel.show_dismissed, LEFT)
    assert ("tiny", 3) in rows(panel)
    qtbot.mouseClick(panel.show_dismissed, LEFT)
    win.files.save()
    assert load_project(project_file).app["lint"]["dismissed"] == ["tiny|2|3"]
    panel = find(qtbot, win)  # a new run leaves it out too
    assert ("tiny", 3) not in rows(panel)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "lint" not in doc.project.app
    qtbot.waitUntil(lambda: ("tiny", 3) in rows(panel), timeout=10000)


def test_next_and_previous_problem_keys(qtbot, win) -> None:
    panel = find(qtbot, win)
    assert panel.table.currentIndex().row() == 0
    key(win, Qt.Key.Key_D, SHIFT)
    assert panel.table.currentIndex().row() == 1
    key(win, Qt.Key.Key_D, SHIFT)
    key(win, Qt.Key.Key_D, SHIFT)  # stays on the last
    assert panel.table.currentIndex().row() == 2
    key(win, Qt.Key.Key_A, SHIFT)
    assert panel.table.currentIndex().row() == 1
    shown = panel.proxy.index(1, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert win.document.current_image_id == shown.image_id


def test_pending_predictions_as_the_model_stay_out_of_the_labels(qtbot, win) -> None:
    before = dict(win.document.project.annotations)
    panel = find(qtbot, win, "pending")
    assert ("missing_object", None) in rows(panel)
    assert win.document.project.annotations == before
    assert not win.document.is_modified()


def test_fixing_a_missing_object_from_pending_predictions_accepts_the_proposal(qtbot, win) -> None:
    """Shift+F on a missing object seen by a pending prediction accepts that prediction (one undo step);
    it was refused as "applied already", or added a copy beside the still-pending proposal."""
    panel = find(qtbot, win, "pending")
    doc = win.document
    click_row(qtbot, panel, rows(panel).index(("missing_object", None)))
    assert "accept the model&#x27;s pending dog (annotation 5)" in panel.detail.text()
    key(win, Qt.Key.Key_F, SHIFT)
    assert sorted(doc.project.annotations) == [1, 2, 3, 4, 5]
    assert doc.project.annotations[5].review == "accepted"
    assert ("missing_object", None) not in rows(panel)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[5].review == "pending"
    qtbot.waitUntil(lambda: ("missing_object", None) in rows(panel), timeout=10000)


def test_pending_predictions_not_scored_as_probabilities_are_left_out_and_said(qtbot, win) -> None:
    logit = box(6, 1, [200, 20, 40, 40], cid=2, score=3.5, source="model:x/y@1", review="pending")
    win.document.project.add_annotation(logit)
    panel = find(qtbot, win, "pending")
    assert all(0 <= p.score <= 1 for p in panel.model.problems)
    assert (
        "1 left out: annotation 6 (" in panel.summary.text()
        and "score 3.5 is not in 0..1" in panel.summary.text()
    )


def test_pending_predictions_pre_labeled_skipping_labels_say_what_they_cannot_judge(qtbot, win) -> None:
    """Pending predictions pre-labeled skipping those that repeat a label (as prelabel marks them) judged
    each label against the leftovers: the line under the list now says which kinds were left out, and to
    choose the model as the source to judge them."""
    from pixelproof.core.labels import SKIPPED_OVERLAPPING

    win.document.project.annotations[5].app_extra[SKIPPED_OVERLAPPING] = 0.5
    panel = find(qtbot, win, "pending")
    text = panel.summary.text()
    assert "pre-labeled skipping those that repeat a label (IoU > 0.5)" in text, text
    assert "unsupported_label were not judged" in text and "Model panel's backend" in text
    assert ("missing_object", None) in rows(panel)  # still judged: nothing labelled is near it
    del win.document.project.annotations[5].app_extra[SKIPPED_OVERLAPPING]
    assert "skipping" not in find(qtbot, win, "pending").summary.text()


def test_no_pending_predictions_says_to_pre_label_first(qtbot, win) -> None:
    """With the project's pending predictions as the source and none pending, the line under the list
    asked whether the model "was run on these images"; it says, as `lint --predictions pending` does, that
    the project has none and to pre-label it first (or choose another source)."""
    win.document.project.annotations[5].review = "accepted"  # decided: nothing pending any more
    text = find(qtbot, win, "pending").summary.text()
    assert (
        "The project has no pending model predictions: missing object and wrong class can find nothing"
        in text
    )
    assert "pre-label it first, or choose “+ the Model panel's backend” or “+ a results file…” above" in text
    assert "was it run on these images" not in text and "--backend" not in text


class SlowDetector(Backend):
    """A dog box per image, once ``gate`` is open: a test closes it to press Cancel mid-run."""

    name = "slow-dogs"
    kind = "detect"
    gate = threading.Event()

    def categories(self) -> list[str]:
        return ["dog"]

    def predict(self, image, prompt=None):
        assert self.gate.wait(10)
        return [Prediction("dog", 0.99, [10, 10, 30, 30])]


def register(monkeypatch: pytest.MonkeyPatch, backend: type) -> None:
    """``backend`` listed among the installed ones for this test."""
    real = inference.discover
    fake = BackendInfo(backend.name, f"tests:{backend.__name__}", None, backend)
    monkeypatch.setattr(inference, "discover", lambda: sorted([*real(), fake], key=lambda i: i.name))


@pytest.fixture
def slow_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    register(monkeypatch, SlowDetector)


def choose_backend(qtbot, win, name: str = "slow-dogs"):
    model = win.panels["modelDock"]
    qtbot.waitUntil(lambda: model.backends.combo.findData(name) >= 0, timeout=10000)
    model.backends.choose_backend(name)
    qtbot.waitUntil(
        lambda: (
            model.session.backend is not None
            and model.session.backend.name == name
            and model.session.is_idle()
        ),
        timeout=10000,
    )


def test_with_the_model_panels_backend_and_cancel(qtbot, slow_backend, win) -> None:
    SlowDetector.gate.set()
    choose_backend(qtbot, win)
    panel = find(qtbot, win, "model")
    missing = [p for p in panel.model.problems if p.kind == "missing_object"]
    assert {p.image_id for p in missing} == {1, 2, 3} and all(p.category == "dog" for p in missing)
    n = len(win.document.project.annotations)
    assert n == 5  # the model's boxes are not annotations
    # Cancel while predicting: the list stays as it was, the window keeps answering
    before = rows(panel)
    SlowDetector.gate.clear()  # the model now waits on the first image
    panel.source.setCurrentIndex(panel.source.findData("model"))
    key(win, Qt.Key.Key_F6)
    cancel = panel.findChild(QPushButton, "button_lint.cancel")
    qtbot.waitUntil(cancel.isEnabled, timeout=10000)
    qtbot.mouseClick(cancel, LEFT)
    SlowDetector.gate.set()
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
    assert rows(panel) == before and "Cancelled" in panel.summary.text()
    assert panel.findChild(QPushButton, "button_lint.run").isEnabled()


def test_rules_dialog_edits_the_projects_rules(qtbot, win, monkeypatch) -> None:
    from pixelproof.ui.panels.problems.rules_dialog import RulesDialog

    panel = find(qtbot, win)
    assert ("tiny", 3) in rows(panel)
    doc = win.document
    seen = {}

    def drive(self) -> int:  # the dialog, typed into as a user would, instead of a modal loop
        seen["dialog"] = self
        self.show()
        self.activateWindow()
        qtbot.waitActive(self)
        table = self.table
        row = self.rows.index("cat")
        col = list(HEADERS).index("min_width")
        table.setCurrentCell(row, col)
        rect = table.visualItemRect(table.item(row, col))
        qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), LEFT, pos=rect.center())
        editor = table.viewport().findChild(QLineEdit)  # the cell's editor the double-click opened
        assert editor is not None and editor.isVisible()
        QTest.keyClicks(editor, "95")  # wider than the 80-px cat
        QTest.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: table.item(row, col).text() == "95", timeout=10000)  # committed (queued)
        bad = table.item(row, list(HEADERS).index("max_area"))
        bad.setText("lots")
        assert not self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        assert "cat, max area" in self.problems.text()
        bad.setText("")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled()
        qtbot.mouseClick(ok, LEFT)
        return self.result()

    monkeypatch.setattr(RulesDialog, "exec", drive)
    qtbot.mouseClick(panel.findChild(QPushButton, "button_lint.rules"), LEFT)
    assert doc.project.app["rules"] == {"classes": {"cat": {"min_width": 95}}}
    panel = find(qtbot, win, click=True)  # the offscreen platform does not give focus back after a dialog
    assert ("tiny", 1) in rows(panel)  # the 80-px cat is now too narrow
    doc.undo_stack.undo()  # one undoable edit (the key is tested above; focus stays off the window here)
    assert "rules" not in doc.project.app
    assert seen["dialog"].rows[0] == "(every class)"


def test_a_laptop_screen_shows_the_panel_whole_and_problems_in_context(qtbot, win) -> None:
    """At 1366x768 the docked panel fits without scrolling (its wrapped labels would otherwise make the
    dock's scroll area size it by their preferred height); a 1-px object is zoomed in only so far that
    its surroundings show; a problem of the whole image shows the whole image; the source is remembered."""
    from pixelproof.ui.panels.problems import ProblemsPanel

    win.document.project.set_image_status(3, "done")  # only a pending prediction there: unlabeled
    win.resize(1366, 768)
    panel = find(qtbot, win, "pending")
    dock = win.docks["problemsDock"]
    win.resizeDocks([dock], [270], Qt.Orientation.Vertical)  # what a 768-px screen leaves it
    scroll = dock.widget()
    qtbot.waitUntil(lambda: scroll.viewport().height() < 260, timeout=10000)
    assert panel.height() <= scroll.viewport().height()
    summary = panel.summary.geometry().translated(panel.summary.parentWidget().mapTo(panel, QPoint()))
    assert panel.rect().contains(summary) and "shown of" in panel.summary.text()
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "tiny"))
    canvas = win.canvas
    assert 1.5 < canvas.zoom <= 4  # 1 image px = at most 4 screen px
    spot = canvas.mapFromScene(panel.marks.items[0].rect()).boundingRect()
    assert spot.width() * 3 <= canvas.viewport().width() and canvas.viewport().rect().contains(spot)
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "unlabeled_image"))
    assert win.document.current_image_id == 3
    shown = canvas.zoom
    canvas.fit()
    assert canvas.zoom == pytest.approx(shown)
    assert ProblemsPanel().source.currentData() == "pending"  # the next panel (next start) offers it


def test_an_edit_elsewhere_does_not_pull_back_to_the_selected_problem(qtbot, win) -> None:
    """After an edit the touched image is checked again; the problem still selected in the list (on another
    image) stayed selected, but was shown again: the window jumped back to its image and selected its
    objects, away from the image and objects being edited."""
    panel = find(qtbot, win)
    doc = win.document
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "duplicate"))
    assert doc.current_image_id == 1
    win.canvas.setFocus()
    key(win, Qt.Key.Key_D)  # image 2: the tiny cat and the dog half outside
    assert doc.current_image_id == 2
    key(win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select both
    QTest.keyClick(win.canvas, Qt.Key.Key_Left)  # nudge them: image 2 is checked again
    assert doc.project.annotations[4].bbox[0] != 280.0  # moved (kept inside the image)
    qtbot.waitUntil(lambda: not panel._recheck_timer.isActive(), timeout=10000)
    assert doc.current_image_id == 2 and sorted(doc.selection) == [3, 4]
    assert rows(panel)[panel.table.currentIndex().row()] == ("duplicate", 2)  # still the list's choice


def test_a_problem_fixed_by_hand_leaves_the_detail(qtbot, win) -> None:
    """The selected problem fixed by hand (its object deleted) leaves the list on the re-check; its detail
    line, marks and Fix / Not a problem must go with it."""
    panel = find(qtbot, win)
    doc = win.document
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "tiny"))
    assert "tiny" in panel.detail.text() and panel.marks.items and doc.selection == [3]
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: ("tiny", 3) not in rows(panel), timeout=10000)
    assert not panel.table.currentIndex().isValid()
    assert "tiny" not in panel.detail.text() and not panel.marks.items
    assert not panel.act_fix.isEnabled() and not panel.act_dismiss.isEnabled()


@pytest.mark.parametrize("size", [(1366, 740), (1280, 720)])
def test_on_a_laptop_screen_every_column_reads_whole(qtbot, win, size) -> None:
    """The default layout at 1366x768: the Image column showed "mage" and "coi…" while Kind kept room for
    its longest possible name. At 1280x720 (a 1080p laptop at 150 %) Kind and Image were both cut
    ("out…nds", "im…ng") while Class kept room for "motorcycle": every kind, class and image name of the
    list now reads whole, without a horizontal scroll bar."""
    win.resize(*size)
    panel = find(qtbot, win)
    settle()  # the layout: turns of the event loop, not ms
    table = panel.table
    assert table.viewport().width() < 560  # the narrow case this is about
    fm = table.fontMetrics()
    for col in (1, 2, 3):
        width = table.columnWidth(col)
        for r in range(panel.proxy.rowCount()):
            text = str(panel.proxy.index(r, col).data())
            assert fm.horizontalAdvance(text) + 8 <= width, (col, text, width)
    header = table.horizontalHeader()
    for col in range(header.count()):  # the headers read whole too ("Score" with its sort arrow)
        assert header_reads_whole(table, col), (col, table.columnWidth(col))
    assert header.length() <= table.viewport().width()
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle  # a name cut anyway keeps its extension
    # the room the list gained is not taken from the controls beside it: buttons and sources read whole
    for button in panel.findChildren(QPushButton):
        if button.isVisible():
            assert button.width() >= button.sizeHint().width(), button.text()
    combo = panel.source
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    for n in range(combo.count()):
        assert combo.fontMetrics().horizontalAdvance(combo.itemText(n)) <= field.width(), combo.itemText(n)


def test_rules_dialog_explains_itself_and_leaves_room_for_the_classes(qtbot, win) -> None:
    """The per-class table showed four rows under a one-column form of twelve thresholds; its conventions
    (pixels or %, empty = no limit, grey box = as the first row) were only in a tooltip; "min mask dice"
    had a bare "set" check box under it."""
    from PySide6.QtWidgets import QCheckBox, QLabel

    from pixelproof.ui.panels.problems.rules_dialog import RulesDialog

    for n in range(3, 9):  # 8 classes: the table needs room for 9 rows
        win.document.project.add_category(new_category(win.document.project, f"class{n}"))
    dialog = RulesDialog(win.document, win)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1366 and dialog.height() <= 740
    table = dialog.table
    shown = table.viewport().height() // table.rowHeight(0)
    assert shown >= 7, f"only {shown} class rows in sight"
    hint = dialog.findChild(QLabel, "rulesHint")
    assert hint is not None and hint.wordWrap() and hint.isVisible()
    for words in ("5%", "no limit", "first row"):
        assert words in hint.text()
    dice = dialog.spins["min_mask_dice"]
    use = dialog.findChild(QCheckBox, "threshold_min_mask_dice_set")
    assert "mask dice" in use.text()  # the check box names what it switches on
    assert not use.isChecked() and not dice.isEnabled()  # unset: nothing to type into
    qtbot.mouseClick(use, LEFT, pos=use.rect().center() - QPoint(use.width() // 2 - 6, 0))
    assert use.isChecked() and dice.isEnabled()
    dice.setValue(0.5)
    assert dialog.document()["thresholds"] == {"min_mask_dice": 0.5}


def test_the_model_maps_its_classes_as_the_model_panel_shows(qtbot, slow_backend, win) -> None:
    """The Model panel sends the model's `dog` to `cat` (remembered for the model): Find problems with
    the model reads its boxes as cats, as pre-labeling would add them (it read them as dogs)."""
    from pixelproof.core.edits.model_mapping import remembered

    SlowDetector.gate.set()
    choose_backend(qtbot, win)
    model = win.panels["modelDock"]
    combo = model.mapping.combo("dog")
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)  # the first project category: cat
    assert remembered(win.document.project, "slow-dogs/builtin") == {"dog": "cat"}
    panel = find(qtbot, win, "model")
    missing = [p for p in panel.model.problems if p.kind == "missing_object"]
    assert missing and {p.category for p in missing} == {"cat"}


class ZebraDetector(SlowDetector):
    """A model of classes the project does not have (cat, dog): a zebra box per image."""

    name = "zebras"

    def categories(self) -> list[str]:
        return ["zebra", "horse"]

    def predict(self, image, prompt=None):
        return [Prediction("zebra", 0.99, [10, 10, 30, 30])]


@pytest.fixture
def zebra_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    register(monkeypatch, ZebraDetector)


def test_a_model_that_knows_none_of_the_classes_says_so(qtbot, zebra_backend, win) -> None:
    """It said "0 predictions" and nothing more; now, as `lint --backend`, it says why: none of the
    model's predictions is of a class the project has; the classes are mapped in the Model panel."""
    model = win.panels["modelDock"]
    choose_backend(qtbot, win, "zebras")
    panel = find(qtbot, win)  # a list without the model first: a refused run leaves it as it was
    before = rows(panel)
    panel.source.setCurrentIndex(panel.source.findData("model"))
    key(win, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: "class the project has" in panel.summary.text(), timeout=20000)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
    text = panel.summary.text()
    assert (
        "none of the model's 3 predictions is of a class" in text
        and "Class mapping in the Model panel" in text
    )
    assert win.statusBar().currentMessage() == text
    assert rows(panel) == before
    # mapped as the message says: the zebras are read as cats
    combo = model.mapping.combo("zebra")
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)  # "+ new zebra"
    QTest.keyClick(combo, Qt.Key.Key_Down)  # the first project category: cat
    assert combo.currentText() == "cat"
    panel = find(qtbot, win, "model")
    missing = [p for p in panel.model.problems if p.kind == "missing_object"]
    assert {p.image_id for p in missing} == {1, 2, 3} and {p.category for p in missing} == {"cat"}


def test_the_image_column_sorts_the_names_it_shows_in_natural_order(qtbot, win, project_file: Path) -> None:
    """It sorted by the full path in text order (a/img10 before m/img2 before z/img1) while showing only
    the names; now by the names shown, numbers read as numbers: img1, img1, img2, img10."""
    from pixelproof.core.model import ImageRecord

    project = win.document.project
    for n, name in enumerate(("z/img1.png", "a/img10.png", "m/img2.png"), start=10):
        (project_file.parent / name).parent.mkdir()
        shutil.copy(project_file.parent / "images" / "img0.png", project_file.parent / name)
        project.add_image(ImageRecord(n, name, 320, 240))
        project.add_annotation(box(n, n, [200, 100, 1, 1]))  # tiny, as annotation 3 on images/img1.png
    panel = find(qtbot, win)
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("tiny"))
    header = panel.table.horizontalHeader()
    shown = []
    for _ in range(2):  # ascending, then descending
        qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(header.sectionViewportPosition(3) + 5, 5))
        shown.append([panel.proxy.index(r, 3).data() for r in range(panel.proxy.rowCount())])
    ascending = ["img1.png", "img1.png", "img2.png", "img10.png"]
    assert shown in ([ascending, ascending[::-1]], [ascending[::-1], ascending])


def test_short_of_room_the_name_columns_give_up_the_same_share() -> None:
    """Too narrow for every name: Score and Object keep their headers' width and Kind, Class and Image
    are cut alike, the whole row exactly as wide as the list (no scroll bar, no gap)."""
    from pixelproof.ui.fitted_table import share_widths

    needs = [60, 120, 80, 100, 60]
    wide = share_widths(needs, 500, (1, 2, 3))  # spare room goes to the names
    assert wide[0] == 60 and wide[4] == 60 and sum(wide) == 500
    assert all(wide[c] > needs[c] for c in (1, 2, 3))
    cut = share_widths(needs, 270, (1, 2, 3))
    assert cut[0] == 60 and cut[4] == 60 and sum(cut) == 270
    assert [round(cut[c] / needs[c], 2) for c in (1, 2, 3)] == [0.5, 0.5, 0.5]
    assert min(share_widths(needs, 100, (1, 2, 3))[1:4]) >= 28  # never thinner than a header section


def test_one_click_on_score_lists_the_worst_first(qtbot, win) -> None:
    """Sorted by Image, a click on Score put the least likely problems first (Qt's ascending default), so
    the worst needed a second click; the score column now starts from the highest, as the list opens."""
    panel = find(qtbot, win)
    header = panel.table.horizontalHeader()
    for section in (3, 0):  # Image, then Score
        qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(header.sectionViewportPosition(section) + 5, 5))
    scores = [panel.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).score for r in range(3)]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(header.sectionViewportPosition(0) + 5, 5))
    scores = [panel.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).score for r in range(3)]
    assert scores == sorted(scores)  # a second click still turns it round


class HerdDetector(ZebraDetector):
    """A dog the project knows, and two zebras and a horse it does not, on every image."""

    name = "herd"

    def categories(self) -> list[str]:
        return ["dog", "zebra", "horse"]

    def predict(self, image, prompt=None):
        return [
            Prediction("dog", 0.99, [10, 10, 30, 30]),
            Prediction("zebra", 0.9, [50, 10, 30, 30]),
            Prediction("horse", 0.9, [90, 10, 30, 30]),
            Prediction("zebra", 0.8, [130, 10, 30, 30]),
        ]


@pytest.fixture
def herd_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    register(monkeypatch, HerdDetector)


def test_the_run_summary_names_the_classes_the_project_lacks(qtbot, herd_backend, win) -> None:
    """The summary said nothing of the predictions left out: it now names their classes with counts,
    the most frequent first, as `lint --backend` does, and where to map them."""
    choose_backend(qtbot, win, "herd")
    panel = find(qtbot, win, "model")
    text = panel.summary.text()
    assert "9 predictions of classes the project lacks ignored: zebra 6, horse 3" in text, text
    assert "Class mapping in the Model panel" in text
    panel = find(qtbot, win, "none")  # a run without the model names none
    assert "lacks" not in panel.summary.text()


def test_the_kind_filter_and_column_give_the_name_lint_uses(qtbot, win) -> None:
    """The panel spells kinds with spaces ("missing object") while `lint --kinds`, its JSON and CSV say
    `missing_object`: the kind filter's entries and the list's rows now give that name in their tooltip."""
    panel = find(qtbot, win, "pending")
    combo = panel.kind_filter
    at = combo.findData("missing_object")
    assert combo.itemText(at) == "missing object"
    assert combo.itemData(at, Qt.ItemDataRole.ToolTipRole).startswith("missing_object: ")
    row = rows(panel).index(("missing_object", None))
    tip = panel.proxy.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "missing_object: a confident prediction" in tip


def test_a_filter_hiding_the_problem_shown_after_a_long_visit_lists_the_right_rows(qtbot, win) -> None:
    """The kind filter hides the current problem: the rows are as the filter says and the image stays (it
    used to open the next problem's image inside the filter's removals, test_problems_filter_stays); the
    visit goes on, and once the user moves on (Shift+D) its time is recorded, once."""
    panel = find(qtbot, win)
    doc = win.document
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "tiny"))
    assert doc.current_image_id == 2
    win.teams.timer.since -= 5
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("duplicate"))
    assert rows(panel) == [("duplicate", 2)] and doc.current_image_id == 2
    key(win, Qt.Key.Key_D, SHIFT)
    assert doc.current_image_id == 1 and panel.table.currentIndex().row() == 0
    qtbot.waitUntil(lambda: "2" in doc.project.app.get("time_spent", {}), timeout=10000)
    assert rows(panel) == [("duplicate", 2)]
    assert (
        list(doc.project.app["time_spent"]) == ["2"] and sum(doc.project.app["time_spent"]["2"].values()) >= 5
    )
