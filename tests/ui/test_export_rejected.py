"""File > Export and rejected objects: the objects a reviewer rejected (the review view's Reject Object, or
Reject Image) were written as labels by every format. The dialog now says, before the export, which rejected
objects and which images rejected in review it leaves out, and its *Rejected objects* choice writes them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from pixelproof.core.edits.image_state import ReviewDecision
from tests.ui.test_interop_dialogs import (
    export_yolo_writing_as_labels,
    fill_and_ok,
    import_through_dialog,
    make_labelme_folder,
    new_window,
)


def _reviewed(qtbot, tmp_path: Path):
    """a.png (3 objects, Done) with its dog polygon rejected; b.png (1 object) rejected as a whole (a pore
    missed, say), which rejects its object and marks it Reviewed - decisions as the review view makes them."""
    folder = make_labelme_folder(tmp_path / "lm")
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    doc = win.document
    project = doc.project
    a, b = (project.image_by_file_name(n).id for n in ("a.png", "b.png"))
    (dog,) = [x for x in project.annotations_of(a) if x.kind == "polygon"]
    project.set_image_status(a, "done")
    doc.push(ReviewDecision(project, a, "rejected", "not a dog", ann_ids=[dog.id]))
    doc.push(ReviewDecision(project, b, "rejected", "a cat missed"))
    return win, dog


def test_export_dialog_names_the_rejected_objects_it_leaves_out(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    win, dog = _reviewed(qtbot, tmp_path)
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    note = dlg.note.text()
    assert "2 rejected objects (a reviewer said they are wrong) will be left out, on a.png, b.png" in note
    assert "1 image rejected in review" in note and note.endswith("will be left out: b.png.")
    assert dlg.note.isVisible()
    choice = dlg.forms["yolo"].widgets["rejected"]
    choice.setFocus()
    qtbot.keyClick(choice, Qt.Key.Key_Down)  # Leave out -> Write them as labels
    assert dlg.options()["rejected"] == "keep"
    assert "rejected" not in dlg.note.text()
    qtbot.keyClick(choice, Qt.Key.Key_Up)
    assert dlg.options()["rejected"] == "leave-out" and "b.png" in dlg.note.text()
    dlg.set_format("labelstudio")  # a rejected object is no proposal to make again there either
    assert "2 rejected objects" in dlg.note.text()
    fill_and_ok(qtbot, dlg, "yolo", tmp_path / "out")
    assert errors == []
    report = win.interop.report
    assert "Exported 1 image and 2 objects as" in report.headline.text()  # a.txt's two
    assert any("2 rejected objects left out" in line and "b.png" in line for line in report.lines)
    labels = tmp_path / "out" / "labels" / "train"
    assert not (labels / "b.txt").exists()
    assert len((labels / "a.txt").read_text().splitlines()) == 2  # the cat box and the cat ring
    assert win.document.project.annotations[dog.id].review == "rejected"  # the project keeps it


def test_rejected_objects_written_as_labels_when_asked(qtbot, tmp_path: Path, no_prompts, errors) -> None:
    win, _ = _reviewed(qtbot, tmp_path)
    export_yolo_writing_as_labels(qtbot, win, "rejected", tmp_path / "out")
    assert errors == []
    assert "Exported 2 images and 4 objects as" in win.interop.report.headline.text()
    labels = tmp_path / "out" / "labels" / "train"
    assert len((labels / "a.txt").read_text().splitlines()) == 3
    assert len((labels / "b.txt").read_text().splitlines()) == 1
