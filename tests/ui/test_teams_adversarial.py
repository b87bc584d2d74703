"""Teams features under adversarial sequences (real widgets, real mouse and key events): the Annotators view
beside the labeling and review views, Split for Annotators… with bad names and folders, the Guidelines
panel with links and special characters."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QPushButton

from pixelproof.core import masks
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from tests.ui.test_teams_ui import _shards
from tests.ui.test_teams_workbench import merge

pytestmark = pytest.mark.gui


def _activate(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()  # a modal dialog had the focus; the window's shortcuts need it active
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10000)


def _back_button(view) -> QPushButton:  # type: ignore[no-untyped-def]
    return next(b for b in view.widget.findChildren(QPushButton) if b.text() == "Back to Labeling")


def test_accept_or_consensus_that_change_nothing_leave_no_undo_step(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    merge(qtbot, window, _shards(project_file))
    doc, view = window.document, window.teams.view
    doc.undo_stack.setClean()
    view.action.trigger()
    steps = doc.undo_stack.count()
    # no consensus worked out yet: Accept Consensus has nothing to accept
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    assert doc.undo_stack.count() == steps and not doc.is_modified()
    assert "Consensus first" in window.statusBar().currentMessage()
    assert len(view.panes) == 4  # the annotators' versions are all still there
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)  # worked out in the background
    assert doc.undo_stack.count() == steps + 1
    # a second press: every image has its consensus already, nothing to add
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)  # worked out in the background
    assert doc.undo_stack.count() == steps + 1
    said = window.statusBar().currentMessage()
    assert "already have a consensus" in said and "review them" not in said


def test_annotators_view_hides_the_labeling_selection_from_delete(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    merge(qtbot, window, _shards(project_file))
    doc, view = window.document, window.teams.view
    m = np.zeros((240, 320), bool)
    m[150:200, 200:300] = True
    image_id = doc.current_image_id
    doc.push(AddAnnotations([Annotation(999, image_id, 2, masks.bbox(m), masks.encode(m), float(m.sum()))]))
    doc.set_selection([999])  # selected in the labeling view
    _activate(qtbot, window)
    qtbot.keyClick(
        window.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.shell.current_view() is view.widget
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_Delete)  # not shown here: must not delete it
    qtbot.keyClick(view.panes[0], Qt.Key.Key_1)
    assert 999 in doc.project.annotations and doc.project.annotations[999].category_id == 2


def test_annotators_view_opened_from_review_gives_the_docks_back(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    merge(qtbot, window, _shards(project_file))
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]
    assert docks
    _activate(qtbot, window)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # review view
    assert window.review.active and not any(d.isVisible() for d in docks)
    view = window.teams.view
    view.action.trigger()  # Review > Annotators Side by Side, from the review view
    assert window.shell.current_view() is view.widget
    assert not window.review.act_toggle.isChecked()
    qtbot.mouseClick(_back_button(view), Qt.MouseButton.LeftButton)
    assert window.shell.current_view() is window.canvas
    assert all(d.isVisible() for d in docks), [d.objectName() for d in docks if not d.isVisible()]
    # and review again, then back: the docks still come back
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.review.active
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert not window.review.active and all(d.isVisible() for d in docks)


def _type(widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Key presses typing ``text``, one character each: ``QTest.keyClicks`` takes ASCII only (it aborts on
    'ö' or '张', which an input method or a keyboard layout types as one key's text)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for c in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, c))


def _split_dialog(qtbot, window, monkeypatch, names: str, out, answer=None):  # type: ignore[no-untyped-def]
    """File > Split for Annotators… typed into; returns (messages shown, the dialog still open or None)."""
    from PySide6.QtWidgets import QMessageBox

    from tests.ui.test_teams_ui import _answer_modal

    said: list[tuple[str, str]] = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(lambda p, t, x, *a: said.append((t, x))))
    asked: list[str] = []

    def question(parent, title, text, *a):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answer or QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    still_open = []

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        _type(dialog.annotators, names)
        dialog.output.selectAll()
        qtbot.keyClicks(dialog.output, str(out))
        qtbot.keyClick(dialog.annotators, Qt.Key.Key_Return)  # OK
        if dialog.isVisible():
            still_open.append(dialog)
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    _answer_modal(qtbot, fill)
    window.teams.act_split.trigger()
    if not still_open:
        qtbot.waitUntil(lambda: bool(said), timeout=20000)
    return said, asked, bool(still_open)


def test_split_dialog_keeps_bad_names_for_correction(qtbot, window, project_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = project_file.parent / "shards"
    for names in (" , ", "ann, ann", "ann, b/ob"):
        said, _, still_open = _split_dialog(qtbot, window, monkeypatch, names, out)
        assert still_open, names  # OK refused: the typed names stay there to be corrected
        assert said and said[0][0] == "Split", (names, said)
    assert not out.exists()


def test_split_never_overwrites_the_project_or_a_shard_with_the_manifest(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    before = project_file.read_bytes()
    said, _, still_open = _split_dialog(qtbot, window, monkeypatch, "project, bob", project_file.parent)
    assert still_open and "would overwrite an input" in said[0][1]
    assert project_file.read_bytes() == before and not (project_file.parent / "bob.json").exists()
    out = project_file.parent / "shards"
    said, _, still_open = _split_dialog(qtbot, window, monkeypatch, "lead-manifest, bob", out)
    assert still_open and "the manifest would overwrite the shard" in said[0][1]
    assert not out.exists()


def test_split_asks_before_replacing_an_earlier_split(qtbot, window, project_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    out = project_file.parent / "shards"
    out.mkdir()
    (out / "ann.json").write_text("{}", encoding="utf-8")  # an annotator's shard from an earlier split
    said, asked, still_open = _split_dialog(qtbot, window, monkeypatch, "ann, bob", out)
    assert still_open and "ann.json" in asked[0] and "Replace" in asked[0]
    assert (out / "ann.json").read_text(encoding="utf-8") == "{}" and not (out / "bob.json").exists()
    said, asked, still_open = _split_dialog(
        qtbot, window, monkeypatch, "ann, bob", out, QMessageBox.StandardButton.Yes
    )
    assert not still_open and said[0][0] == "Split" and "2 shards" in said[0][1]
    assert (out / "bob.json").exists() and (out / "lead-manifest.json").exists()


def test_a_link_in_a_guideline_does_not_replace_it(qtbot, window, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QDesktopServices

    from pixelproof.core import taxonomy
    from tests.ui.test_guidelines_ui import _click_category

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString())))
    notes = tmp_path / "notes.txt"
    notes.write_text("SOMETHING ELSE ENTIRELY", encoding="utf-8")
    guideline = f"# Dogs\n\nSee [the notes](file://{notes}) and [the wiki](https://example.org/dogs).\n"
    doc = window.document
    doc.push(taxonomy.describe_category(doc.project, "dog", guideline=guideline))
    panel = window.panels["guidelinesDock"]
    _click_category(qtbot, window, "dog")
    browser = panel.browser
    qtbot.waitUntil(lambda: "Dogs" in browser.toPlainText(), timeout=10000)
    for text in ("the notes", "the wiki"):
        rect = browser.cursorRect(browser.document().find(text))
        qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=rect.center() - QPoint(10, 0))
        assert "Dogs" in browser.toPlainText() and "SOMETHING ELSE" not in browser.toPlainText(), text
    assert opened == ["https://example.org/dogs"]  # a web link opens in the browser; a file is not opened


def test_annotators_view_open_during_a_big_merge_refreshes_once_and_follows_colours(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QColorDialog

    from pixelproof.core.coco import load_project, save_project

    paths = _shards(project_file)
    for k, path in enumerate(paths):  # 100 more objects per annotator on image 1
        shard = load_project(path)
        for j in range(100):
            m = np.zeros((240, 320), bool)
            m[j % 200 : j % 200 + 20, 3 * k + j : 3 * k + j + 20] = True
            shard.add_annotation(
                Annotation(1000 + 200 * k + j, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
            )
        save_project(shard, path)
    view = window.teams.view
    view.action.trigger()  # open before the merge: nothing to show yet
    assert not view.panes
    refreshes: list[int] = []
    real = view.refresh
    monkeypatch.setattr(view, "refresh", lambda: (refreshes.append(1), real()))
    merge(qtbot, window, paths)
    qtbot.waitUntil(lambda: len(view.panes) == 4, timeout=10000)
    assert len(refreshes) <= 2, len(refreshes)  # was one per merged object (303), each redrawing everything
    # the colour of cat changed in the Categories panel: the annotators' versions are drawn in it
    _activate(qtbot, window)
    panel = window.panels["categoriesDock"]
    from tests.ui.test_guidelines_ui import _click_category

    _click_category(qtbot, window, "cat")
    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *a, **k: QColor("#00ff00")))
    qtbot.mouseClick(panel.buttons["color"], Qt.MouseButton.LeftButton)
    assert window.document.project.category_by_name("cat").color == "#00ff00"
    qtbot.waitUntil(
        lambda: view.overlays_ready() and tuple(view.overlays[0][100, 120]) == (0, 255, 0, 120), timeout=10000
    )


def test_merge_report_is_saved_whole_never_over_the_project_and_a_bad_folder_is_a_message(
    qtbot, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import json

    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from pixelproof.ui.teams import ConflictDialog

    project = tmp_path / "project.json"
    project.write_text('{"images": []}')
    stats = {"shards": 2, "images": 1, "annotations": 0, "overlap_images": 0, "honeypots_left_out": 0}
    report = {"stats": {**stats, "conflicts": 0}, "conflicts": []}
    dialog = ConflictDialog(report, inputs=[project])
    qtbot.addWidget(dialog)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, x, *a: said.append(x)))
    save = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Save Report…")
    for target in (project, tmp_path / "missing" / "r.json", tmp_path / "r.json"):
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, t=target: (str(t), "")))
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert project.read_text() == '{"images": []}'  # the project is no report
    assert len(said) == 2 and str(project) in said[0] and "missing" in said[1]
    assert json.loads((tmp_path / "r.json").read_text()) == report


def test_split_dialog_takes_names_of_any_script_typed_decomposed(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """'Björn' typed as o + combining diaeresis (macOS) is the 'Björn.json' an earlier split wrote: asked
    before it is replaced (before, the typed name missed the file and the split wrote over it unasked)."""
    import unicodedata

    from PySide6.QtWidgets import QMessageBox

    out = project_file.parent / "shards"
    said, _, still_open = _split_dialog(qtbot, window, monkeypatch, "Anna, anna", out)
    assert still_open and "differ only in case" in said[0][1] and not out.exists()
    out.mkdir()
    (out / "Björn.json").write_text("{}", encoding="utf-8")
    typed = unicodedata.normalize("NFD", "Björn") + ", 张伟"
    said, asked, still_open = _split_dialog(qtbot, window, monkeypatch, typed, out)
    assert still_open and "Björn.json" in asked[0]
    assert (out / "Björn.json").read_text(encoding="utf-8") == "{}"
    said, _, still_open = _split_dialog(
        qtbot, window, monkeypatch, typed, out, QMessageBox.StandardButton.Yes
    )
    assert not still_open and "2 shards" in said[0][1]
    assert sorted(p.name for p in out.glob("*.json")) == ["Björn.json", "lead-manifest.json", "张伟.json"]


def test_split_for_one_annotator_with_overlap_says_so_in_the_dialogs_words(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """One annotator and the default overlap (0.1): the dialog stays open and says to set Overlap to 0, in
    its own words; the split failed afterwards with the CLI's `(use --overlap 0)`, a flag the app has not."""
    out = project_file.parent / "shards"
    said, _, still_open = _split_dialog(qtbot, window, monkeypatch, "ann", out)
    assert still_open and said and said[0][0] == "Split", said
    assert "--" not in said[0][1] and "Overlap" in said[0][1], said
    assert not out.exists()
