"""File > Import as a CVAT migrant: an unzipped COCO export (several splits) or a Datumaro export folder is
picked with the Input row's Folder… button, whatever Format is chosen; the Format follows what the picked
path looks like, the note says so, and the splits reach the Images panel. The one Browse… button chose by
the format's main kind: COCO (a file format) offered only a file, so the export folder could not be picked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.conftest import settle, tooltip_of
from tests.ui.test_images_bulk_status import row_point
from tests.ui.test_images_filter import _shown, _type
from tests.ui.test_interop_dialogs import new_window

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro"


def _open_import(qtbot, win, fmt: str):  # type: ignore[no-untyped-def]
    win.interop.act_import.trigger()
    dlg = win.interop.dialog
    assert dlg is not None and dlg.isVisible()
    dlg.set_format(fmt)
    dlg.path_edit.clear()
    return dlg


def _pick(qtbot, dlg, monkeypatch, folder: Path | None = None, file: Path | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """Click Folder… (or File…) with Qt's dialog answering ``folder`` (``file``); returns which was asked."""
    asked: list[str] = []

    def folder_dialog(*_a, **_k) -> str:
        asked.append("folder")
        return str(folder) if folder else ""

    def file_dialog(*_a, **_k) -> tuple[str, str]:
        asked.append("file")
        return (str(file) if file else "", "")

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder_dialog))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(file_dialog))
    button = dlg.path_row.property("folder_button" if folder else "file_button")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return asked


def _import(qtbot, win, dlg) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.document is not None, timeout=10000)
    settle()


def test_a_cvat_coco_export_folder_is_picked_recognised_and_opens_with_its_splits(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_prompts, errors
) -> None:
    export = tmp_path / "task_export"
    shutil.copytree(DATA / "coco_dataset" / "coco_instances", export)  # instances_train/val.json + images/
    win = new_window(qtbot)
    dlg = _open_import(qtbot, win, "yolo")  # the last format used, not this export's
    assert _pick(qtbot, dlg, monkeypatch, folder=export) == ["folder"]
    assert dlg.path_edit.text() == str(export)
    assert dlg.format.name == "coco"  # the Format follows the folder
    assert dlg.note.text().startswith("task_export looks like a COCO JSON file.")
    assert "annotations/instances_<split>.json" in dlg.note.text()
    _import(qtbot, win, dlg)
    assert errors == []
    project = win.document.project
    assert len(project.images) == 2 and len(project.annotations) == 3
    report = win.interop.report
    assert report is not None and report.isVisible()
    # how the export was read is said as notes, not counted as problems: the renumbered ids are the one
    assert any(line.startswith("Note: ") and "as one project; each image's split is its file's" in line
               for line in report.lines)  # fmt: skip
    assert sum("their names now lead there" in line for line in report.lines) == 2
    assert any("instances_val.json: 1 annotation id also in an earlier file" in line for line in report.lines)
    assert report.headline.text().endswith("\n1 problem and 3 notes:"), report.headline.text()
    assert "; 1 problem (Import report)" in win.statusBar().currentMessage()  # it said 4
    panel = win.panels["imagesDock"]
    _type(panel, "split:train")
    assert _shown(panel) == ["a.jpg"]
    _type(panel, "split:val")
    assert _shown(panel) == ["b.jpg"]
    tip = tooltip_of(qtbot, panel.table.viewport(), row_point(panel.table, 0), "Split: val")
    assert tip.removesuffix("</p>").endswith("Split: val"), tip


def test_a_datumaro_folder_picked_while_coco_is_chosen_is_read_as_datumaro(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_prompts, errors
) -> None:
    export = tmp_path / "with_skeleton"
    shutil.copytree(DATA / "datumaro_dataset" / "with_skeleton", export)
    win = new_window(qtbot)
    dlg = _open_import(qtbot, win, "coco")
    assert _pick(qtbot, dlg, monkeypatch, folder=export) == ["folder"]
    assert dlg.format.name == "datumaro"
    assert dlg.note.text().startswith("with_skeleton looks like a Datumaro JSON export.")
    dlg.set_format("coco")  # chosen back by hand: the note says what the folder looks like
    assert dlg.note.text().startswith(
        "with_skeleton looks like a Datumaro JSON export, not a COCO JSON file: choose it"
    )
    dlg.set_format("datumaro")
    _import(qtbot, win, dlg)
    assert errors == [] and len(win.document.project.images) == 1
    # its skeleton is an object with keypoints (Datumaro's points category names and joins them)
    from pixelproof.core.keypoints import keypoints_of

    project = win.document.project
    posed = [
        a
        for a in project.annotations.values()
        if keypoints_of(a, project.images[a.image_id], project.categories.get(a.category_id)) is not None
    ]
    assert len(posed) == 1


def test_file_still_picks_one_coco_json_and_an_unknown_folder_keeps_the_format(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_prompts, errors
) -> None:
    export = tmp_path / "coco"
    shutil.copytree(DATA / "coco_dataset" / "coco_instances", export)
    win = new_window(qtbot)
    dlg = _open_import(qtbot, win, "coco")
    empty = tmp_path / "nothing here"
    empty.mkdir()
    assert _pick(qtbot, dlg, monkeypatch, folder=empty) == ["folder"]
    assert dlg.format.name == "coco"
    assert dlg.note.text().startswith("nothing here is not recognised as any format")
    one = export / "annotations" / "instances_train.json"
    assert _pick(qtbot, dlg, monkeypatch, file=one) == ["file"]
    assert dlg.path_edit.text() == str(one) and dlg.format.name == "coco"
    assert dlg.note.text().startswith("instances_train.json looks like a COCO JSON file.")
    qtbot.keyClicks(dlg.path_edit, "x")  # typed over: the note no longer speaks of the pick
    assert "looks like" not in dlg.note.text()
    qtbot.keyClick(dlg.path_edit, Qt.Key.Key_Backspace)
    assert dlg.note.text().startswith("instances_train.json looks like a COCO JSON file.")
    _import(qtbot, win, dlg)
    assert errors == [] and len(win.document.project.images) == 1


def test_a_typed_path_is_recognised_as_a_picked_one(qtbot, tmp_path: Path, no_prompts, errors) -> None:  # type: ignore[no-untyped-def]
    """Typed or pasted into the Input field (no File… or Folder…), the path is recognised once the keys
    rest: the Format follows and the note says so, as for a pick; a half-typed path is said nothing of."""
    export = tmp_path / "typed_export"
    shutil.copytree(DATA / "coco_dataset" / "coco_instances", export)
    win = new_window(qtbot)
    dlg = _open_import(qtbot, win, "yolo")
    dlg.path_edit.setFocus()
    qtbot.keyClicks(dlg.path_edit, str(tmp_path / "typ"))  # not a path yet
    qtbot.keyClick(dlg.path_edit, Qt.Key.Key_Tab)  # the field left (editingFinished): detected at once
    qtbot.waitUntil(lambda: not dlg.path_edit.hasFocus(), timeout=10000)
    settle()
    assert dlg.format.name == "yolo" and "looks like" not in dlg.note.text()
    dlg.path_edit.setFocus()
    dlg.path_edit.end(False)
    qtbot.keyClicks(dlg.path_edit, "ed_export")  # typed on: detected once the keys rest
    qtbot.waitUntil(lambda: dlg.format.name == "coco", timeout=10000)
    assert dlg.path_edit.text() == str(export)
    assert dlg.note.text().startswith("typed_export looks like a COCO JSON file.")
    _import(qtbot, win, dlg)
    assert errors == [] and len(win.document.project.images) == 2


def test_a_format_chosen_after_typing_is_kept(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """The user typed a path, then chose a Format before the typing was recognised: the choice stays,
    the note says what the path looks like."""
    export = tmp_path / "typed_export"
    shutil.copytree(DATA / "coco_dataset" / "coco_instances", export)
    win = new_window(qtbot)
    dlg = _open_import(qtbot, win, "coco")
    dlg.path_edit.setFocus()
    qtbot.keyClicks(dlg.path_edit, str(export))
    dlg.format_combo.setFocus()
    qtbot.keyClick(dlg.format_combo, Qt.Key.Key_Down)  # the next format, chosen by the user
    chosen = dlg.format
    assert chosen.name != "coco"
    qtbot.waitUntil(
        lambda: dlg.note.text().startswith("typed_export looks like a COCO JSON file, not"), timeout=10000
    )
    assert dlg.format is chosen
    dlg.reject()
