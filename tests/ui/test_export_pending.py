"""File > Export and pending objects: a model's predictions nobody accepted were written as labels by every
format but Label Studio. The dialog now says, before the export, which pending objects (and which images
then holding nothing else) it leaves out, and its *Pending objects* choice writes them as labels."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from pixelproof.core.model import Annotation
from tests.ui.test_interop_dialogs import (
    export_yolo_writing_as_labels,
    fill_and_ok,
    window_with_an_unlabelled_image,
)


def _prelabelled(qtbot, tmp_path: Path):
    """a.png labelled by hand and Done; b.png holding only a model's pending prediction (To do)."""
    win, b = window_with_an_unlabelled_image(qtbot, tmp_path)
    project = win.document.project
    guess = Annotation(project.next_annotation_id(), b, 1, [10.0, 10.0, 30.0, 20.0], area=600.0)
    guess.score, guess.source, guess.review = 0.7, "model:yolo-onnx/best.onnx@0123", "pending"
    project.add_annotation(guess)
    return win, guess


def test_export_dialog_names_the_pending_objects_it_leaves_out(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    win, guess = _prelabelled(qtbot, tmp_path)
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    note = dlg.note.text()
    assert "1 pending object (not reviewed yet) will be left out, on b.png" in note
    assert "1 image not labelled yet (no objects, or only pending ones" in note and dlg.note.isVisible()
    choice = dlg.forms["yolo"].widgets["pending"]
    choice.setFocus()
    qtbot.keyClick(choice, Qt.Key.Key_Down)  # Leave out -> Write them as labels
    assert dlg.options()["pending"] == "keep"
    assert "pending" not in dlg.note.text() and "not labelled yet" not in dlg.note.text()
    qtbot.keyClick(choice, Qt.Key.Key_Up)
    assert dlg.options()["pending"] == "leave-out" and "b.png" in dlg.note.text()
    dlg.set_format("labelstudio")  # its tasks hold a model's proposals as predictions: nothing left out
    assert "pending" not in dlg.note.text() and "b.png" not in dlg.note.text()
    fill_and_ok(qtbot, dlg, "yolo", tmp_path / "out")
    assert errors == []
    report = win.interop.report
    written = len((tmp_path / "out" / "labels" / "train" / "a.txt").read_text().splitlines())
    assert f"Exported 1 image and {written} objects as" in report.headline.text()
    assert any("1 pending object left out" in line and "b.png" in line for line in report.lines)
    assert not (tmp_path / "out" / "labels" / "train" / "b.txt").exists()
    assert win.document.project.annotations[guess.id].review == "pending"  # the project keeps it


def test_pending_objects_written_as_labels_when_asked(qtbot, tmp_path: Path, no_prompts, errors) -> None:
    win, _ = _prelabelled(qtbot, tmp_path)
    export_yolo_writing_as_labels(qtbot, win, "pending", tmp_path / "out")
    assert errors == []
    labels = [len(f.read_text().splitlines()) for f in (tmp_path / "out" / "labels" / "train").glob("*.txt")]
    assert f"Exported 2 images and {sum(labels)} objects as" in win.interop.report.headline.text()
    assert len((tmp_path / "out" / "labels" / "train" / "b.txt").read_text().splitlines()) == 1


def test_image_names_in_the_dialogs_note_are_shown_as_they_are(qtbot, tmp_path: Path) -> None:
    """The note naming the images left out was read as rich text when it looked like it: an image file
    named with a tag (``<font color=...>``, a legal file name) coloured or hid the rest of the warning."""
    from PySide6.QtWidgets import QLabel

    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord
    from pixelproof.ui.interop_dialogs import ExportDialog

    project = new_project(["a"])
    project.path = tmp_path / "p.json"
    project.add_image(ImageRecord(1, "done.png", 10, 10))
    project.add_image(ImageRecord(2, 'x<font color="#00000000">hidden.png', 10, 10))
    project.set_image_status(1, "done")
    dlg = ExportDialog(project)
    qtbot.addWidget(dlg)
    dlg.set_format("yolo")
    dlg.path_edit.clear()  # the note starts with the images' names
    dlg.show()
    note = dlg.note
    assert note.text().startswith("1 image not labelled yet") and "hidden.png" in note.text()
    literal = QLabel(note.parentWidget())  # the same words, certainly as plain text
    literal.setTextFormat(Qt.TextFormat.PlainText)
    literal.setWordWrap(True)
    literal.setStyleSheet(note.styleSheet())
    literal.setText(note.text())
    literal.setGeometry(note.geometry())
    assert note.grab().toImage() == literal.grab().toImage()


def _squeezed_rows(dlg) -> list[str]:
    """The option rows of the shown form laid out shorter than they can be drawn (Qt then draws them over
    one another), and the note if it is cut."""
    form = dlg.forms[dlg.format.name]
    bad = [n for n, w in form.widgets.items() if w.height() < w.minimumSizeHint().height()]
    note = dlg.note
    if note.text() and note.height() < note.heightForWidth(note.width()):
        bad.append("note")
    return bad


def test_a_long_note_leaves_the_options_readable(qtbot, tmp_path: Path) -> None:
    """The note naming what an export leaves out took its lines from the options above it: the dialog kept
    the height it had before the note was set, so with six images' pending predictions the rows of the
    Options box (the Pending objects choice among them) were drawn 5-11 px tall over one another at
    1366x768. The dialog now grows to hold the note, and shrinks back when the note does."""
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord
    from pixelproof.ui.interop_dialogs import ExportDialog

    project = new_project(["person"])
    project.path = tmp_path / "p.json"
    for i in range(1, 7):
        project.add_image(ImageRecord(i, f"images/site_a/picture_{i:04d}.png", 100, 100))
        guess = Annotation(project.next_annotation_id(), i, 1, [1.0, 1.0, 10.0, 10.0], area=100.0)
        guess.score, guess.source, guess.review = 0.7, "model:yolo-onnx/yolo11n.onnx@1", "pending"
        project.add_annotation(guess)
    dlg = ExportDialog(project)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    combo = dlg.format_combo
    combo.setFocus()
    for _ in range(combo.count()):  # every format by keys: each form with the note it brings
        qtbot.waitUntil(lambda: not _squeezed_rows(dlg), timeout=10000)
        assert "6 pending objects" in dlg.note.text() or dlg.format.holds_predictions
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    dlg.set_format("yolo")
    choice = dlg.forms["yolo"].widgets["pending"]
    choice.setFocus()
    qtbot.waitUntil(lambda: not _squeezed_rows(dlg), timeout=10000)
    tall = dlg.height()
    qtbot.keyClick(choice, Qt.Key.Key_Down)  # Write them as labels: nothing left out, no note
    assert dlg.note.text() == "" or "pending" not in dlg.note.text()
    qtbot.waitUntil(lambda: dlg.height() < tall, timeout=10000)
    assert not _squeezed_rows(dlg)


def test_the_app_says_how_to_export_the_pending_objects_in_its_own_words(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    """A user who pre-labelled a folder and exports sees fewer labels in the files than on the canvas. The
    dialog said to choose Pending objects but not that accepting them is the other way, and the report
    after the export said 'write them as labels with --pending keep' and '--unlabeled keep' (command-line
    options the app has no field for) and counted the images written but not the objects. Both now name
    the Model menu's accept-all and the dialog's own choices, and the report counts the objects written."""
    win, _ = _prelabelled(qtbot, tmp_path)
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    assert "Accept All Predictions in Project" in dlg.note.text()
    fill_and_ok(qtbot, dlg, "yolo", tmp_path / "out")
    assert errors == []
    report = win.interop.report
    a_objects = len(win.document.project.annotations_of(win.document.project.image_by_file_name("a.png").id))
    assert report.headline.text().startswith(f"Exported 1 image and {a_objects} objects as"), report.headline
    lines = report.lines
    assert not [line for line in lines if "--pending" in line or "--unlabeled" in line], lines
    pending = next(line for line in lines if "pending object" in line)
    assert "Accept All Predictions in Project" in pending
    assert "Pending objects: Write them as labels" in pending
    unlabeled = next(line for line in lines if "not labelled yet" in line)
    assert "Unlabelled images: Write them as images without objects" in unlabeled, unlabeled


def test_a_first_export_says_why_images_without_objects_are_written(
    qtbot, window, tmp_path: Path, errors
) -> None:
    """A new project, nothing marked Done: the dialog offered *Unlabelled images: Leave out* and said
    nothing, then wrote every image, the ones nobody labelled as empty (negative) examples. It now says
    why they are written and that marking the finished images Done leaves the others out."""
    from PySide6.QtTest import QTest

    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # File > Export
    dlg = window.interop.dialog
    assert dlg is not None and dlg.isVisible() and dlg.options()["unlabeled"] == "skip"
    note = dlg.note.text()
    assert "No image is marked Done or Reviewed" in note and dlg.note.isVisible()
    assert "every image is written, 3 images without objects among them" in note and "img2.png" in note
    assert "Mark the finished images Done (Alt+3)" in note
    choice = dlg.forms[dlg.format.name].widgets["unlabeled"]
    choice.setFocus()
    qtbot.keyClick(choice, Qt.Key.Key_Down)  # Write them as images without objects: nothing to explain
    assert dlg.options()["unlabeled"] == "keep" and "No image is marked" not in dlg.note.text()
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # img0: Done
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    note = window.interop.dialog.note.text()
    assert "No image is marked" not in note and "2 images not labelled yet" in note
    window.interop.dialog.reject()
    assert errors == []
