"""The app's writers of a file the user names refuse one of the project's images, its reference and the
project file, as the CLI does (``core.save_targets.dataset_file_problem``): the file dialog's "replace?"
was all that stood between a report, an export or a key map typed as ``img0.png`` and the picture."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from pixelproof.core.demo import install_demo
from tests.ui.test_interop_dialogs import fill_and_ok
from tests.ui.test_review import enter_review, open_window
from tests.ui.test_review_export_report import export


def test_file_export_refuses_an_image_and_the_reference_in_the_dialog(
    qtbot, window, project_file: Path, errors
) -> None:
    """COCO typed as ``images/img0.png`` (the path box takes any name): refused before the job, the dialog
    left open to pick another; so is the review's reference, which nothing guarded."""
    picture = project_file.parent / "images" / "img0.png"
    reference = project_file.parent / "reference.json"
    reference.write_bytes(project_file.read_bytes())
    window.document.project.reference = str(reference)
    before = picture.read_bytes(), reference.read_bytes(), project_file.read_bytes()
    for target, why in ((picture, "is the image images/img0.png of"), (reference, "is the reference")):
        window.interop.act_export.trigger()
        dlg = window.interop.dialog
        fill_and_ok(qtbot, dlg, "coco", target)
        title, text = errors[-1]
        assert title == "Cannot export" and str(target) in text and why in text
        assert dlg.isVisible()  # refused in the dialog: nothing ran, another name can be given
        dlg.reject()
    assert (picture.read_bytes(), reference.read_bytes(), project_file.read_bytes()) == before
    assert len(errors) == 2


def test_export_report_refuses_a_link_to_an_image(qtbot, tmp_path, no_prompts, errors, monkeypatch) -> None:
    """The report's suffix is added to a name without it, so a picture is reached through a link named as a
    report (``latest.html``): the write follows it, and replaced the picture with the HTML."""
    project = install_demo(tmp_path / "demo")
    win = open_window(qtbot, project)
    enter_review(qtbot, win)
    doc = win.document
    image = next(iter(doc.project.images.values()))
    picture = doc.project.image_path(image)
    link = tmp_path / "latest.html"
    os.symlink(picture, link)
    pixels = picture.read_bytes()
    export(qtbot, win, monkeypatch, link, "html")
    (_title, text), *more = errors
    assert not more and str(link) in text and f"is the image {image.file_name}" in text
    assert str(link) in win.statusBar().currentMessage()
    assert picture.read_bytes() == pixels and link.is_symlink()
    win.close()


def test_key_map_export_refuses_an_image(qtbot, window, project_file: Path, errors, monkeypatch) -> None:
    """Key maps are saved with "All files" too: ``img0.png`` typed in the images' folder was replaced."""
    from pixelproof.ui.preferences import PreferencesDialog

    dlg = PreferencesDialog(window)
    qtbot.addWidget(dlg)
    picture = project_file.parent / "images" / "img0.png"
    pixels = picture.read_bytes()
    answer = (str(picture), "All files (*)")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: answer))
    QTest.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert errors and str(picture) in errors[-1][1] and "is the image images/img0.png" in errors[-1][1]
    assert picture.read_bytes() == pixels
