"""An inspection engineer opens an MVTec AD folder as a folder of images (``pixelproof FOLDER``, File > New
Project from Folder): the app asks whether to import its ground_truth masks as labels, as it asks for a
LabelMe folder, rather than listing the masks as pictures to label and their defects as nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton

from pixelproof.ui import dialogs
from tests.ui.conftest import wait_loaded
from tests.ui.test_accessibility import run_modal
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_labelme_folder_open import answer_categories, click_in_next_message_box
from tests.ui.test_new_project_flow import when_modal


def mvtec_object(root: Path) -> Path:
    """``plate/``: two good images and a scratch of 3 px with its 0/255 mask."""
    plate = root / "plate"
    for split, defect in (("train", "good"), ("test", "good"), ("test", "scratch")):
        (plate / split / defect).mkdir(parents=True, exist_ok=True)
        Image.new("L", (32, 24), 128).save(plate / split / defect / "000.png")
    (plate / "ground_truth" / "scratch").mkdir(parents=True)
    mask = np.zeros((24, 32), np.uint8)
    mask[10, 4:7] = 255
    Image.fromarray(mask).save(plate / "ground_truth" / "scratch" / "000_mask.png")
    return plate


def test_opening_an_mvtec_folder_imports_its_masks(qtbot, tmp_path: Path, no_prompts) -> None:
    plate = mvtec_object(tmp_path)
    win = new_window(qtbot)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Import", seen)
    assert win.open_path(plate)  # what `pixelproof FOLDER` calls
    assert "MVTec AD dataset" in seen[0]
    wait_loaded(qtbot, win)
    doc = win.document
    project = doc.project
    assert sorted(Path(im.file_name).parent.name for im in project.images.values()) == [
        "good",
        "good",
        "scratch",
    ]  # no mask listed as a picture
    (ann,) = project.annotations.values()
    assert project.categories[ann.category_id].name == "plate/scratch"
    assert int(ann.mask(32, 24).sum()) == 3
    assert doc.untitled and project.path == plate.resolve() / "project.json"
    doc.undo_stack.setClean()


def test_images_only_reads_the_masks_as_pictures_as_the_question_says(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """The question says what Images Only gives here (the masks as pictures: it said "the pictures alone",
    as for a LabelMe folder) and asks to import the masks, not "them" after "its images"."""
    plate = mvtec_object(tmp_path)
    win = new_window(qtbot)
    seen: list[str] = []

    def answer(box: QMessageBox) -> None:
        seen.extend((box.text(), box.informativeText()))
        button = next(b for b in box.findChildren(QPushButton) if b.text().replace("&", "") == "Images Only")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    when_modal(answer)
    answer_categories("scratch")
    assert win.open_path(plate)
    assert "MVTec AD dataset" in seen[0] and seen[0].endswith("Import the masks as labels?")
    assert "Images Only starts a project over every picture here, the masks too" in seen[1]
    wait_loaded(qtbot, win)
    assert len(win.document.project.images) == 4 and win.document.project.annotations == {}


def test_the_question_names_the_categories_found_in_the_folder(qtbot, tmp_path: Path, no_prompts) -> None:
    """Not the pattern "<object>/<defect>": the names the import will make, the first few and how many more;
    a defect folder without ground truth makes none, so it is not named."""
    for obj, defect in (
        ("bottle", "contamination"),
        ("bottle", "broken_large"),
        ("bottle", "broken_small"),
        ("cable", "cut"),
    ):
        (tmp_path / obj / "test" / defect).mkdir(parents=True)
        Image.new("L", (8, 8), 128).save(tmp_path / obj / "test" / defect / "000.png")
        (tmp_path / obj / "ground_truth" / defect).mkdir(parents=True)
        Image.new("L", (8, 8), 255).save(tmp_path / obj / "ground_truth" / defect / "000_mask.png")
    (tmp_path / "cable" / "test" / "bent").mkdir()  # images, but no masks for them
    Image.new("L", (8, 8), 128).save(tmp_path / "cable" / "test" / "bent" / "000.png")
    win = new_window(qtbot)
    seen: list[str] = []

    def answer(box: QMessageBox) -> None:
        seen.extend((box.text(), box.informativeText()))
        button = next(b for b in box.findChildren(QPushButton) if b.text().replace("&", "") == "Cancel")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    when_modal(answer)
    assert not win.open_path(tmp_path)
    assert "MVTec AD dataset" in seen[0]
    said = seen[1]
    assert "<object>" not in said
    assert "4 categories: bottle/broken_large, bottle/broken_small, bottle/contamination and 1 more" in said
    assert "bent" not in said


def test_the_question_is_answered_with_keys_alone(qtbot, tmp_path: Path) -> None:
    """Keyboard only: Enter imports (the default), Alt+I and Alt+O pick Import and Images Only (both begin
    with I: neither had a letter), Esc cancels rather than opening the folder either way."""
    plate = mvtec_object(tmp_path)
    alt = Qt.KeyboardModifier.AltModifier
    for pressed, modifier, expected in (
        (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "import"),
        (Qt.Key.Key_I, alt, "import"),
        (Qt.Key.Key_O, alt, "images"),
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier, "cancel"),
    ):
        said: list[str] = []

        def press(box: QMessageBox, k=pressed, m=modifier) -> list[str]:  # type: ignore[no-untyped-def]
            texts = [b.text() for b in box.buttons()]
            QTest.keyClick(box, k, m)
            qtbot.waitUntil(lambda: not box.isVisible(), timeout=10000)  # Alt+letter: an animated click
            return texts

        def ask(said: list[str] = said) -> None:
            said.append(dialogs.ask_import_labels(None, plate, "MVTec AD dataset found", "Import?", "(MVTec"))

        buttons = run_modal(qtbot, ask, press)  # fails if a key left the question open
        assert said == [expected], (pressed, said)
    letters = [t.lower()[t.index("&") + 1] for t in buttons if "&" in t]
    assert sorted(letters) == sorted(set(letters)) and {"i", "o"} <= set(letters)
