"""File > Import / Export through the real dialogs: widgets filled, OK clicked, the result in the window."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from tests.ui.conftest import click_button, jobs_ended, settle, wait_loaded

W, H = 120, 90


def new_window(qtbot):
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    return win


def _png_b64(mask: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def make_labelme_folder(root: Path) -> Path:
    """Two images: a box, a polygon and a ring-shaped mask (a hole) on a.png; a polygon and a point (which
    LabelMe import skips) on b.png. 4 annotations in all."""
    root.mkdir(parents=True)
    ring = np.zeros((30, 30), dtype=bool)
    ring[2:28, 2:28] = True
    ring[10:20, 10:20] = False
    docs = {
        "a": [
            {"label": "cat", "shape_type": "rectangle", "points": [[5, 5], [40, 30]]},
            {"label": "dog", "shape_type": "polygon", "points": [[50, 10], [90, 10], [70, 40]]},
            {"label": "cat", "shape_type": "mask", "points": [[60, 50], [89, 79]], "mask": _png_b64(ring)},
        ],
        "b": [
            {"label": "dog", "shape_type": "polygon", "points": [[10, 10], [60, 10], [60, 60], [10, 60]]},
            {"label": "cat", "shape_type": "point", "points": [[5, 5]]},
        ],
    }
    for stem, shapes in docs.items():
        img = np.full((H, W, 3), 90 if stem == "a" else 160, dtype=np.uint8)
        cv2.imwrite(str(root / f"{stem}.png"), img)
        for s in shapes:
            s.setdefault("group_id", None)
            s.setdefault("flags", {})
        doc = {"version": "5.4.1", "flags": {}, "shapes": shapes, "imagePath": f"{stem}.png",
               "imageData": None, "imageHeight": H, "imageWidth": W}  # fmt: skip
        (root / f"{stem}.json").write_text(json.dumps(doc))
    return root


def objects_shown(win) -> int:
    """Sum of the Objects column of the Images panel: what the user sees."""
    model = win.panels["imagesDock"].model
    return sum(int(model.data(model.index(r, 2))) for r in range(model.rowCount()))


def fill_and_ok(qtbot, dlg, fmt: str, path: Path) -> None:
    dlg.set_format(fmt)
    dlg.path_edit.clear()
    qtbot.keyClicks(dlg.path_edit, str(path))
    assert dlg.ok_button.isEnabled()
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)


def import_through_dialog(qtbot, win, fmt: str, path: Path):
    win.interop.act_import.trigger()
    dlg = win.interop.dialog
    assert dlg is not None and dlg.isVisible()
    fill_and_ok(qtbot, dlg, fmt, path)
    return dlg


def window_with_an_unlabelled_image(qtbot, tmp_path: Path):
    """make_labelme_folder imported through the dialog, a.png marked Done and b.png's objects removed: the
    image an export leaves out unless told otherwise. Returns the window and b.png's id."""
    folder = make_labelme_folder(tmp_path / "lm")
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    project = win.document.project
    a, b = (project.image_by_file_name(n).id for n in ("a.png", "b.png"))
    for ann in list(project.annotations_of(b)):
        project.remove_annotation(ann.id)
    project.set_image_status(a, "done")
    return win, b


def export_yolo_writing_as_labels(qtbot, win, option: str, out: Path) -> None:
    """File > Export to YOLO with the `option` choice (pending, rejected) moved by key from Leave out to
    Write them as labels, then OK."""
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    choice = dlg.forms["yolo"].widgets[option]
    choice.setFocus()
    qtbot.keyClick(choice, Qt.Key.Key_Down)
    fill_and_ok(qtbot, dlg, "yolo", out)


def test_import_labelme_folder_opens_a_new_unsaved_project_with_a_report(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    folder = make_labelme_folder(tmp_path / "lm")
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    doc = win.document
    assert doc is not None and errors == []
    assert len(doc.project.images) == 2 and len(doc.project.annotations) == 4
    assert objects_shown(win) == 4
    assert {c.name for c in doc.project.categories.values()} == {"cat", "dog"}
    kinds = sorted(a.kind for a in doc.project.annotations.values())
    assert kinds == ["box", "mask", "polygon", "polygon"]
    assert doc.untitled and doc.is_modified() and win.isWindowModified()  # closing it asks first
    assert doc.project.path == folder / "lm.json"  # relative image names resolve from the folder
    assert "Imported 2 images, 4 annotations" in win.statusBar().currentMessage()
    wait_loaded(qtbot, win)  # the images are found: the canvas shows the first one
    report = win.interop.report
    assert report is not None and report.isVisible()
    assert "Skipped: 1 point" in report.headline.text()
    assert any("b.json" in line and "1 point" in line for line in report.lines)
    assert report.text.toPlainText().splitlines() == report.lines  # one line per problem
    click_button(report.copy_button)
    assert "b.json" in QApplication.clipboard().text()
    # Save As asks for a name and writes a normal project over the same images
    target = tmp_path / "saved" / "project.json"
    target.parent.mkdir()
    assert doc.save(target) == target and not win.isWindowModified()
    saved = json.loads(target.read_text())
    assert sorted(i["file_name"] for i in saved["images"]) == ["../lm/a.png", "../lm/b.png"]


def test_import_labelme_fixture_made_by_labelme(qtbot, shared_fixtures: Path, no_prompts, errors) -> None:
    folder = shared_fixtures / "labelme" / "instance_segmentation" / "data_annotated"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    assert errors == []
    assert len(win.document.project.images) == 3
    void = win.document.project.void_category_ids()
    regions = sum(a.category_id in void for a in win.document.project.annotations.values())
    assert len(win.document.project.annotations) == 14 and regions == 2  # __ignore__ regions are void
    assert objects_shown(win) == 12
    assert win.interop.report is None  # nothing to report: no dialog in the way
    wait_loaded(qtbot, win)


def test_import_asks_about_unsaved_changes_and_cancel_keeps_the_project(
    window, qtbot, tmp_path: Path, monkeypatch, errors
) -> None:
    folder = make_labelme_folder(tmp_path / "lm")
    old = window.document
    old.undo_stack.resetClean()  # unsaved changes
    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    import_through_dialog(qtbot, window, "labelme", folder)
    assert asked == ["Unsaved changes"]
    assert window.document is old and len(old.project.images) == 3

    discard = QMessageBox.StandardButton.Discard
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: discard))
    import_through_dialog(qtbot, window, "labelme", folder)
    assert window.document is not old and len(window.document.project.annotations) == 4
    assert errors == []


def test_export_to_yolo_writes_files_and_warns_about_the_hole(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    folder = make_labelme_folder(tmp_path / "lm")
    win = new_window(qtbot)
    assert not win.interop.act_export.isEnabled()  # nothing to export yet
    file_actions = win.menus[0].actions()
    assert win.interop.act_import in file_actions and win.interop.act_export in file_actions
    import_through_dialog(qtbot, win, "labelme", folder)
    assert win.interop.act_export.isEnabled()
    before = json.dumps(sorted((a.id, a.kind) for a in win.document.project.annotations.values()))

    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    assert dlg.path_edit.text() == str(tmp_path / "lm_yolo")  # beside the images folder, not in it
    images = dlg.forms["yolo"].widgets["images"]
    images.setCurrentIndex(images.findData("copy"))
    out = tmp_path / "yolo_out"
    fill_and_ok(qtbot, dlg, "yolo", out)

    assert errors == []
    assert (out / "data.yaml").is_file() and (out / "classes.txt").is_file()
    assert (out / "images" / "train" / "a.png").is_file() and (out / "images" / "train" / "b.png").is_file()
    lines = (out / "labels" / "train" / "a.txt").read_text().splitlines()
    assert len(lines) == 3  # box, polygon, ring (filled)
    report = win.interop.report
    assert report is not None and report.isVisible() and report.windowTitle() == "Export warnings"
    assert any("hole" in w for w in report.lines)
    after = json.dumps(sorted((a.id, a.kind) for a in win.document.project.annotations.values()))
    assert after == before  # the project is not changed by exporting


def test_bad_input_and_unwritable_output_show_a_message_naming_the_file(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    win = new_window(qtbot)
    missing = tmp_path / "nowhere"
    dlg = import_through_dialog(qtbot, win, "labelme", missing)
    assert errors and errors[-1][0] == "Cannot import" and str(missing) in errors[-1][1]
    assert dlg.isVisible()  # stays open to fix the path
    dlg.reject()

    garbage = tmp_path / "broken.json"
    garbage.write_text("{not json")
    import_through_dialog(qtbot, win, "coco", garbage)
    title, text = errors[-1]
    assert title == "Nothing imported" and str(garbage) in text and "not valid JSON" in text
    assert win.document is None

    import_through_dialog(qtbot, win, "labelme", make_labelme_folder(tmp_path / "lm"))
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "voc", blocker / "voc_out")  # a folder inside a file
    title, text = errors[-1]
    assert title == "Cannot export" and str(blocker / "voc_out") in text
    assert win.document is not None and len(win.document.project.annotations) == 4  # still running


def test_cancel_stops_the_job_and_returns(qtbot, tmp_path: Path) -> None:
    from pixelproof.ui.dialogs import run_job

    win = new_window(qtbot)
    steps: list[int] = []

    def slow(progress, _on_problem):
        for i in range(1000):
            progress(i, 1000)
            steps.append(i)
            time.sleep(0.005)
        return "finished"

    def press_cancel() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
        box = next(b for b in boxes if b.isVisible())
        qtbot.mouseClick(box.findChild(QPushButton), Qt.MouseButton.LeftButton)

    QTimer.singleShot(200, press_cancel)
    outcome = run_job(win, "Slow work", slow)
    assert outcome.cancelled and outcome.result is None and outcome.error is None
    assert 0 < len(steps) < 1000
    n = len(steps)
    jobs_ended()
    assert len(steps) == n  # the worker had really stopped


def test_job_errors_are_reported_not_raised(qtbot) -> None:
    from pixelproof.ui.dialogs import run_job

    win = new_window(qtbot)

    def broken(_progress, _on_problem):
        raise KeyError("bug")

    outcome = run_job(win, "Broken", broken)
    assert outcome.error is not None and "KeyError" in outcome.error


def _form_label(form, widget) -> str:
    from PySide6.QtWidgets import QFormLayout

    layout: QFormLayout = form.layout()
    for row in range(layout.rowCount()):
        field = layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
        label = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
        if field is not None and (field.widget() is widget or field.widget().isAncestorOf(widget)):
            return label.widget().text() if label is not None and label.widget() is not None else ""
    raise AssertionError(f"{widget.objectName()} is not in the form")


def test_dialog_forms_are_generated_from_the_format_declarations(qtbot, tmp_path: Path) -> None:
    """Each dialog lists exactly the formats that read (write), and each format's form is its declared
    options: the widget for the type, the declared default, title and help."""
    from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit

    from pixelproof.core.model import Project
    from pixelproof.interop import FORMATS
    from pixelproof.ui.interop_dialogs import ExportDialog, ImportDialog

    widget_types = {"bool": QCheckBox, "choice": QComboBox, "float": QDoubleSpinBox, "folder": QLineEdit,
                    "file": QLineEdit, "text": QLineEdit}  # fmt: skip
    checked = 0
    for dlg in (ImportDialog(), ExportDialog(Project(path=tmp_path / "p.json"))):
        qtbot.addWidget(dlg)
        listed = [dlg.format_combo.itemData(i) for i in range(dlg.format_combo.count())]
        can = "can_read" if dlg.direction == "read" else "can_write"
        assert listed == [name for name, fmt in FORMATS.items() if getattr(fmt, can)]
        for name in listed:
            form, declared = dlg.forms[name], FORMATS[name].options(dlg.direction)
            assert [o.name for o in form.options] == [o.name for o in declared]
            for opt in declared:
                widget = form.widgets[opt.name]
                assert isinstance(widget, widget_types[opt.type]), (name, opt.name)
                assert widget.toolTip().lower() == opt.help.lower()
                title = widget.text() if isinstance(widget, QCheckBox) else _form_label(form, widget)
                assert title.replace("&&", "\0").replace("&", "").replace("\0", "&") == opt.title
                checked += 1
            defaults = {o.name: o.default for o in declared if o.type not in ("folder", "file", "text")}
            assert form.values() == defaults, name  # empty fields are left out: the function's default
    # every declared option of every format, both ways (CVAT's tracks and LabelMe's labels among them, and
    # each writer's "Unlabelled images", "Pending objects" and "Rejected objects"), none passed over
    declared_all = sum(len(f.options("read")) for f in FORMATS.values() if f.can_read)
    declared_all += sum(len(f.options("write")) for f in FORMATS.values() if f.can_write)
    writers = sum(1 for f in FORMATS.values() if f.can_write)
    assert checked == declared_all and declared_all >= 40 + writers * 3


def test_options_set_by_clicks_reach_the_reader(qtbot, no_prompts, errors) -> None:
    """VOC's "Corners are 1-based" unticked with a mouse click: the boxes are Datumaro's own numbers."""
    voc = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "voc_dataset" / "voc_dataset1"
    win = new_window(qtbot)
    win.interop.act_import.trigger()
    dlg = win.interop.dialog
    dlg.set_format("voc")
    box = dlg.forms["voc"].widgets["one_based"]
    assert box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # its tick box
    assert not box.isChecked() and dlg.options() == {"one_based": False}
    fill_and_ok(qtbot, dlg, "voc", voc)
    assert errors == []
    project = win.document.project
    boxes = {project.categories[a.category_id].name: a.bbox for a in project.annotations.values()}
    assert boxes == {"cat": [1, 2, 2, 2], "person": [4, 5, 2, 2], "head": [5.5, 6, 2, 2]}


def test_export_choice_picked_with_the_keyboard_reaches_the_writer(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    folder = make_labelme_folder(tmp_path / "lm")
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("masks")
    mode = dlg.forms["masks"].widgets["mode"]
    assert mode.currentData() == "instance"
    mode.setFocus()
    qtbot.keyClick(mode, Qt.Key.Key_Down)  # instance -> semantic
    assert dlg.options()["mode"] == "semantic"
    out = tmp_path / "masks_out"
    fill_and_ok(qtbot, dlg, "masks", out)
    assert errors == []
    assert (out / "masks" / "a.png").is_file() and not (out / "instances.json").exists()
    classes = (out / "classes.txt").read_text().split()
    a = np.asarray(Image.open(out / "masks" / "a.png"))
    assert a[20, 20] == classes.index("cat") and a[15, 70] == classes.index("dog")  # class ids, not objects


def test_the_options_box_is_as_tall_as_the_chosen_formats_options(qtbot) -> None:
    """The options stack was as tall as the format with the most options: COCO's one check box sat in a
    box with a blank band under it; switching formats resizes the dialog to the new form."""

    from pixelproof.interop import FORMATS
    from pixelproof.ui.interop_dialogs import ImportDialog

    dlg = ImportDialog()
    qtbot.addWidget(dlg)
    most = max(dlg.forms, key=lambda n: len(FORMATS[n].options("read")))
    for name in ("coco", most, "coco"):
        dlg.set_format(name)
        dlg.show()
        settle()  # the layout: turns of the event loop, not ms
        form = dlg.forms[name]
        assert dlg.stack.height() <= form.sizeHint().height() + 4, (name, dlg.stack.height())
        assert dlg.height() <= dlg.sizeHint().height() + 4 and dlg.height() <= 740, name


def test_export_report_says_what_to_do_with_an_image_outside_the_dataset(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    """The app has no --allow-outside-root: its report says what the user can do, and where that flag is."""
    folder = make_labelme_folder(tmp_path / "lm")
    (tmp_path / "elsewhere").mkdir()
    (folder / "b.png").rename(tmp_path / "elsewhere" / "b.png")
    doc = json.loads((folder / "b.json").read_text())
    (folder / "b.json").write_text(json.dumps({**doc, "imagePath": "../elsewhere/b.png"}))
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    images = dlg.forms["yolo"].widgets["images"]
    images.setCurrentIndex(images.findData("copy"))
    out = tmp_path / "yolo_out"
    fill_and_ok(qtbot, dlg, "yolo", out)
    assert errors == []
    assert sorted(p.name for p in (out / "images" / "train").iterdir()) == ["a.png"]
    line = next(w for w in win.interop.report.lines if "b.png" in w)
    assert "outside the dataset folder" in line and "move it into that folder and import again" in line
    assert "use --allow-outside-root" not in line and "command line's --allow-outside-root" in line


def test_yolo_export_warnings_name_the_option_that_changes_them(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    """A first YOLO export (the dialog's defaults) warned "no validation split: data.yaml's val points at the
    training images" without saying how to get one; it names the Validation share now (the Export dialog's,
    not convert's --val-fraction), and a share typed there gives the split and no warning."""
    folder = make_labelme_folder(tmp_path / "lm")
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "yolo", tmp_path / "first")
    lines = win.interop.report.lines
    (split,) = [w for w in lines if "no validation split" in w]
    assert "Validation share (in the Export dialog)" in split and "--" not in split  # not convert's flag
    (boxes,) = [w for w in lines if "4-corner polygons" in w]
    assert "task detect writes boxes" in boxes  # what writes them as boxes
    win.interop.report.close()

    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    share = dlg.forms["yolo"].widgets["val_fraction"]
    share.setFocus()
    share.selectAll()
    qtbot.keyClicks(share, "0.5")
    fill_and_ok(qtbot, dlg, "yolo", tmp_path / "second")
    report = win.interop.report
    assert report is None or not any("validation split" in w for w in report.lines)
    assert len(list((tmp_path / "second" / "images" / "val").iterdir())) == 1


def test_export_report_counts_the_images_written_and_names_the_left_out_one(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    """An image not labelled yet is left out of the export: the report's summary said "Exported 2 images"
    though one was written; it counts the written ones, as convert does; its first line names the other."""
    win, _ = window_with_an_unlabelled_image(qtbot, tmp_path)
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "yolo", tmp_path / "out")
    report = win.interop.report
    assert report is not None and report.isVisible()
    written = len((tmp_path / "out" / "labels" / "train" / "a.txt").read_text().splitlines())
    assert f"Exported 1 image and {written} objects as" in report.headline.text()
    assert "left out" in report.lines[0] and "b.png" in report.lines[0]
    assert not (tmp_path / "out" / "labels" / "train" / "b.txt").exists()


def test_export_dialog_says_before_export_which_images_will_be_left_out(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    """The images not labelled yet were named only in the report after the export: the dialog says so
    under the options while Unlabelled images is 'Leave out', and not once 'Write them' is picked."""
    win, _ = window_with_an_unlabelled_image(qtbot, tmp_path)
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    assert "1 image not labelled yet" in dlg.note.text() and "b.png" in dlg.note.text()
    assert dlg.note.isVisible()
    choice = dlg.forms["yolo"].widgets["unlabeled"]
    choice.setFocus()
    qtbot.keyClick(choice, Qt.Key.Key_Down)  # Leave out -> Write them
    assert dlg.options()["unlabeled"] == "keep"
    assert "not labelled yet" not in dlg.note.text()
    fill_and_ok(qtbot, dlg, "yolo", tmp_path / "out")
    assert (tmp_path / "out" / "labels" / "train" / "b.txt").is_file()
