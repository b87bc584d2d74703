"""The app started on a picture (``pixelproof photo.jpg``, as ``labelme photo.jpg`` opens one; File > Open
Project… given one): the picture's folder opens as ``pixelproof FOLDER`` opens it (the categories question,
the skipped-file note, the project saved there, the LabelMe labels offered), then that picture is shown -
selected in the Images panel, on the canvas - and the status bar says so. The CLI still refuses a picture
as a project (tests/core/test_picture_not_project.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.conftest import wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_folder_saved_project import ModalWatch, labelled_folder
from tests.ui.test_folder_saved_project import save_where_suggested as save_where_suggested  # fixture
from tests.ui.test_labelme_folder_open import answer_categories, click_in_next_message_box
from tests.ui.test_labelme_folder_open import labelme_folder as labelme_folder  # the fixture
from tests.ui.test_new_project_flow import image_folder


@pytest.fixture(autouse=True)
def refusals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The 'Cannot open project' box records its problems instead of blocking: a picture refused as a
    project fails the test rather than hanging it."""
    from pixelproof.ui import dialogs

    said: list[str] = []
    monkeypatch.setattr(dialogs, "show_format_error", lambda _parent, e: said.extend(e.problems))
    return said


SIZES = {"a.png": (30, 20), "b.png": (40, 25), "c.png": (50, 30)}  # told apart on the canvas too


def three_pictures(folder: Path) -> Path:
    folder.mkdir()
    for name, (w, h) in SIZES.items():
        cv2.imwrite(str(folder / name), np.full((h, w, 3), 90, np.uint8))
    (folder / "readme.txt").write_text("inspection notes")
    return folder


def shown_name(qtbot, win) -> str:  # type: ignore[no-untyped-def]
    """The file name of the image shown, once it is on the canvas and selected in the Images panel."""
    qtbot.waitUntil(lambda: win.document is not None, timeout=5000)
    wait_loaded(qtbot, win)
    doc = win.document
    image = doc.project.images[doc.current_image_id]
    assert win.canvas.image_id == image.id
    rect = win.canvas.image_item.boundingRect()
    assert (round(rect.width()), round(rect.height())) == (image.width, image.height)
    assert win.panels["imagesDock"].selected_image_ids() == [image.id]
    return image.file_name


def test_a_picture_opens_its_folder_and_shows_that_picture(qtbot, tmp_path: Path, no_prompts) -> None:
    folder = three_pictures(tmp_path / "parts")
    win = new_window(qtbot)
    answer_categories("scratch, dent")  # the question `pixelproof FOLDER` asks
    assert win.open_path(folder / "b.png")  # what `pixelproof parts/b.png` calls once the window painted
    assert shown_name(qtbot, win) == "b.png"
    doc = win.document
    assert doc.untitled and doc.project.path == folder.resolve() / "project.json"  # as `pixelproof FOLDER`
    assert len(doc.project.images) == 3
    assert [c.name for c in doc.project.categories.values()] == ["scratch", "dent"]
    said = [m for m in win.shell.messages.messages if m.text.startswith("New project over")][-1]
    assert said.text.endswith("; 1 file skipped: readme.txt: not an image; showing b.png"), said.text
    assert said.kind == "warning"  # the file left out, as for the folder
    assert win.statusBar().currentMessage() == said.text
    doc.undo_stack.setClean()


def test_file_open_project_given_a_picture_does_the_same(
    qtbot, monkeypatch, tmp_path: Path, no_prompts
) -> None:
    folder = three_pictures(tmp_path / "parts")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(folder / "c.png"), "All files (*)"))
    )
    win = new_window(qtbot)
    answer_categories("scratch")
    win.act_open.trigger()  # File > Open Project…, a picture chosen under "All files"
    assert shown_name(qtbot, win) == "c.png"
    assert win.statusBar().currentMessage().endswith("; showing c.png")
    win.document.undo_stack.setClean()


def test_a_picture_beside_its_saved_project_opens_that_project(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested
) -> None:
    folder = image_folder(tmp_path)  # two images
    win = new_window(qtbot)
    box = labelled_folder(qtbot, win, folder, save_where_suggested)  # saved as folder/project.json
    qtbot.keyRelease(win, Qt.Key.Key_Control)  # Ctrl+S's Ctrl let go: held, a click would add to a selection
    second = sorted(p for p in folder.iterdir() if p.suffix == ".png")[1]
    watch = ModalWatch()
    try:
        opened = win.open_path(second)
    finally:
        seen = watch.stop()
    assert opened and seen == []  # no categories question: yesterday's project, as `pixelproof FOLDER`
    assert shown_name(qtbot, win) == second.name
    doc = win.document
    assert not doc.untitled and doc.path == folder.resolve() / "project.json"
    assert box in doc.project.annotations
    message = win.statusBar().currentMessage()
    assert "the project saved in this folder" in message and message.endswith(f"; showing {second.name}")


def test_a_picture_in_a_labelme_folder_imports_its_labels(qtbot, labelme_folder: Path, no_prompts) -> None:
    win = new_window(qtbot)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Import", seen)
    assert win.open_path(labelme_folder / "2011_000025.jpg")
    assert "LabelMe annotations for 3 images" in seen[0]  # the LabelMe folder's question
    assert shown_name(qtbot, win) == "2011_000025.jpg"
    doc = win.document
    assert doc.project.annotations_of(doc.current_image_id)  # its labels, imported
    assert doc.untitled and doc.project.path == labelme_folder.resolve() / "project.json"
    assert win.statusBar().currentMessage().endswith("; showing 2011_000025.jpg")
    assert any(m.text.startswith("Imported 3 images") for m in win.shell.messages.messages)
    doc.undo_stack.setClean()


def test_a_volume_shows_its_first_slice(qtbot, tmp_path: Path, no_prompts) -> None:
    import nibabel as nib

    folder = three_pictures(tmp_path / "scans")
    nib.save(nib.Nifti1Image(np.zeros((6, 5, 3), np.uint8), np.eye(4)), folder / "ct.nii.gz")
    win = new_window(qtbot)
    answer_categories("lesion")
    assert win.open_path(folder / "ct.nii.gz")
    assert shown_name(qtbot, win) == "ct.nii.gz#z=000"  # not a.png, the folder's first image
    assert win.statusBar().currentMessage().endswith("; showing ct.nii.gz")
    win.document.undo_stack.setClean()


def test_an_unreadable_picture_opens_its_folder_and_says_so(qtbot, tmp_path: Path, no_prompts) -> None:
    folder = three_pictures(tmp_path / "parts")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    win = new_window(qtbot)
    answer_categories("scratch")
    assert win.open_path(folder / "broken.jpg")
    assert shown_name(qtbot, win) == "a.png"  # the folder's first, as `pixelproof FOLDER` shows
    said = [m for m in win.shell.messages.messages if m.text.startswith("New project over")][-1]
    assert "broken.jpg" in said.text and said.text.endswith("; broken.jpg is not one of its images")
    assert said.kind == "warning"
    win.document.undo_stack.setClean()
