"""File > Export and Import driven like a user, against what ``pixelproof convert`` does with the same
request: the same files, the same refusals, nothing of the project or its sources overwritten."""

from __future__ import annotations

from pathlib import Path

from tests.ui.test_interop_dialogs import (
    fill_and_ok,
    import_through_dialog,
    make_labelme_folder,
    new_window,
)


def test_export_into_the_imported_folder_is_refused_like_convert(
    qtbot, tmp_path: Path, no_prompts, errors, capsys
) -> None:
    """An imported LabelMe folder exported as LabelMe into itself rewrote its JSON files without what the
    import skipped (b.json lost its point); ``convert lm lm`` refuses it."""
    from pixelproof.cli import main

    folder = make_labelme_folder(tmp_path / "lm")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["convert", str(folder), str(folder), "--from", "labelme", "--to", "labelme"]) == 2
    assert "is the input" in capsys.readouterr().err
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    for target in (folder, folder / "sub"):
        win.interop.act_export.trigger()
        dlg = win.interop.dialog
        fill_and_ok(qtbot, dlg, "labelme", target)
        title, text = errors[-1]
        assert title == "Cannot export" and str(target) in text and str(folder) in text
        assert dlg.isVisible()  # stays open to pick another folder
        dlg.reject()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_export_of_side_by_side_versions_warns_like_convert(
    qtbot, tmp_path: Path, no_prompts, errors, capsys
) -> None:
    """A merged project before its consensus holds each annotator's version of an overlap image as
    ordinary objects: ``convert`` warns that every version is written, File > Export wrote them silently."""
    from pixelproof.cli import main
    from pixelproof.core.coco import load_project, save_project
    from pixelproof.core.model import Annotation
    from pixelproof.interop.formats import FORMATS
    from pixelproof.ui.import_words import export_words
    from tests.ui.conftest import make_project

    path = make_project(tmp_path / "p", n_images=2)
    project = load_project(path)
    for ann_id, who in ((1, "ann"), (2, "bob")):
        ann = Annotation(ann_id, 1, 1, [10.0, 10.0, 30.0, 20.0], area=600.0)
        ann.app_extra["annotator"] = who
        project.add_annotation(ann)
    save_project(project, path)
    assert main(["convert", str(path), str(tmp_path / "cli"), "--from", "coco", "--to", "voc"]) == 0
    cli_warning = next(line for line in capsys.readouterr().err.splitlines() if "versions" in line)

    win = new_window(qtbot)
    assert win.open_path(path)
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "voc", tmp_path / "gui")
    assert errors == []
    report = win.interop.report
    assert report is not None and report.isVisible()
    said = export_words(cli_warning, FORMATS["voc"].write_options)  # convert's warning in the app's words
    assert "pixelproof consensus" in cli_warning and "pixelproof consensus" not in said
    assert any(line in said for line in report.lines if "versions" in line)


def test_export_errors_name_the_path_and_leave_the_project_alone(
    qtbot, tmp_path: Path, no_prompts, errors, monkeypatch
) -> None:
    """A full disk and a mask about to land on a picture: a message naming the file, the project file,
    its images and the open document unchanged."""
    import errno
    import shutil

    from PIL import Image

    from pixelproof.core.coco import load_project, save_project
    from pixelproof.core.model import Annotation
    from pixelproof.interop import coco_io
    from tests.ui.conftest import make_project

    path = make_project(tmp_path / "data", n_images=1)
    project = load_project(path)
    project.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 30.0, 20.0], area=600.0))
    save_project(project, path)
    (tmp_path / "data" / "masks").mkdir()  # the picture where the masks writer puts img0's mask
    picture = tmp_path / "data" / "masks" / "img0.png"
    shutil.copy(tmp_path / "data" / "images" / "img0.png", picture)
    project.images[1].file_name = str(picture)
    path = tmp_path / "proj" / "project.json"  # not in the output folder
    path.parent.mkdir()
    save_project(project, path)
    saved, pixels = path.read_bytes(), picture.read_bytes()

    win = new_window(qtbot)
    assert win.open_path(path)
    doc = win.document
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "masks", tmp_path / "data")  # masks/img0.png is the picture
    title, text = errors[-1]
    assert title == "Cannot export" and str(picture) in text and "is the image" in text

    def full(target, data, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(coco_io, "atomic_write", full)
    out = tmp_path / "out.json"
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "coco", out)
    title, text = errors[-1]
    assert title == "Cannot export" and str(out) in text and "no space left on device" in text
    assert "[Errno" not in text  # said as the CLI says it (core.errors.error_text), not in Python's words
    assert not out.exists() and win.document is doc and not doc.is_modified()
    assert path.read_bytes() == saved and picture.read_bytes() == pixels
    assert Image.open(picture).size == (320, 240)


def test_cancel_of_a_coco_export_keeps_the_previous_file(
    qtbot, tmp_path: Path, no_prompts, errors, monkeypatch
) -> None:
    """Cancel pressed in the progress dialog while the images are copied: the COCO file already there is
    left as it was (it is written in one step at the end), the status says so."""
    import threading

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

    from pixelproof.interop import coco_io
    from tests.ui.conftest import make_project

    path = make_project(tmp_path / "p", n_images=3)
    out = tmp_path / "out.json"
    out.write_text('{"images": [], "annotations": [], "categories": []}')
    before = out.read_bytes()
    win = new_window(qtbot)
    assert win.open_path(path)
    real = coco_io.image_exists
    pressed = threading.Event()

    def slow(src):  # the copy is still at its first image when Cancel is pressed, however loaded the machine
        pressed.wait(30)
        return real(src)

    def press_cancel() -> None:
        boxes = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()
        ]
        if not boxes:  # the export has not started yet: look again on a later turn
            QTimer.singleShot(20, press_cancel)
            return
        qtbot.mouseClick(boxes[0].findChild(QPushButton), Qt.MouseButton.LeftButton)
        pressed.set()

    monkeypatch.setattr(coco_io, "image_exists", slow)
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    images = dlg.forms["coco"].widgets["images"]
    images.setCurrentIndex(images.findData("copy"))
    QTimer.singleShot(0, press_cancel)
    fill_and_ok(qtbot, dlg, "coco", out)
    assert errors == [] and out.read_bytes() == before
    assert "Export cancelled" in win.statusBar().currentMessage()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no temporary left
