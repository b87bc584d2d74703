"""A reference that looks like several formats (a Cityscapes ``gtFine/`` beside Open Images CSVs) was read as
the first, and the review banner told the app's user to "name the format to read with --ref-format", a flag
of ``pixelproof qa`` with no terminal in the app. Choose Reference Dataset Folder… now asks which of the
formats it looks like to read (as it asks for a folder it does not recognise), and the banner of a
reference stored without a format names that menu item instead of the flag (``compute.IN_APP_WORDS``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QFileDialog, QInputDialog

from pixelproof.core.edits import SetReference
from tests.ui.test_new_project_flow import when_modal
from tests.ui.test_review import open_window
from tests.ui.test_review_datasets import cityscapes_candidate  # noqa: F401  (fixture)


def _also_open_images(folder: Path) -> None:
    """Open Images' box CSV beside the Cityscapes dataset: the folder looks like both."""
    (folder / "annotations").mkdir()
    (folder / "annotations" / "train-annotations-bbox.csv").write_text(
        "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\n"
    )


def test_a_folder_of_two_formats_asks_which_to_read(
    qtbot,
    cityscapes_candidate,  # noqa: F811
    no_prompts,
    monkeypatch,
) -> None:
    folder, candidate = cityscapes_candidate
    _also_open_images(folder)
    win = open_window(qtbot, candidate)
    view = win.review.view
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    asked: dict[str, object] = {}

    def answer(dialog: QInputDialog) -> None:
        combo = dialog.findChild(QComboBox)
        asked["label"] = dialog.labelText()
        asked["items"] = [combo.itemText(i) for i in range(combo.count())]
        QTest.keyClick(combo, Qt.Key.Key_End)  # the last offered, then back to the first: Cityscapes
        QTest.keyClick(combo, Qt.Key.Key_Home)
        QTest.keyClick(dialog, Qt.Key.Key_Return)

    when_modal(answer)
    win.review.act_choose_folder.trigger()
    assert asked["label"] == "cs looks like several formats. Read it as:", asked
    assert asked["items"] == ["Cityscapes (gtFine) (cityscapes)", "Open Images (V6/V7 CSV) (openimages)"]
    assert win.document.project.app["reference_format"] == "cityscapes"  # stored, as a named format is
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=15000)
    assert view.scored.reference.kind == "cityscapes"
    banner = view.header.banner
    assert "also looks like" not in banner.text() and "--" not in banner.text(), banner.text()
    win.document.undo_stack.setClean()
    win.close()


def test_a_reference_stored_without_its_format_names_the_menu_item_not_the_flag(
    qtbot,
    cityscapes_candidate,  # noqa: F811
    no_prompts,
) -> None:
    """A project whose reference was set without a format (by ``pixelproof qa``'s user, or before the app
    asked): read as the first format it looks like, the banner says how to choose another in the app."""
    folder, candidate = cityscapes_candidate
    _also_open_images(folder)
    win = open_window(qtbot, candidate)
    view = win.review.view
    win.document.push(SetReference("."))
    win.review.set_active(True)
    banner = view.header.banner
    qtbot.waitUntil(lambda: view.job is None and "also looks like" in banner.text(), timeout=15000)
    said = banner.text()
    assert "choose it again with Review > Choose Reference Dataset Folder" in said, said
    assert "which asks which of them to read" in said and "--" not in said, said
    win.document.undo_stack.setClean()
    win.close()
