"""Review > Choose Reference Dataset Folder…: a Cityscapes gtFine folder (detected) and a folder whose
layout says nothing (the user names the format), scored through the same readers as ``pixelproof qa``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog, QInputDialog

from pixelproof.core.coco import save_project
from pixelproof.interop.cityscapes import read_cityscapes
from tests.ui.test_review import open_window


def _cityscapes(root: Path) -> None:
    gt = root / "gtFine" / "val" / "aachen"
    gt.mkdir(parents=True)
    img = root / "leftImg8bit" / "val" / "aachen"
    img.mkdir(parents=True)
    Image.new("RGB", (64, 48), (40, 40, 40)).save(img / "aachen_000000_000019_leftImg8bit.png")
    doc = {"imgHeight": 48, "imgWidth": 64, "objects": [
        {"label": "road", "polygon": [[0, 24], [63, 24], [63, 47], [0, 47]]},
        {"label": "car", "polygon": [[10, 20], [30, 20], [30, 35], [10, 35]]},
        {"label": "ego vehicle", "polygon": [[0, 40], [63, 40], [63, 47], [0, 47]]},
    ]}  # fmt: skip
    (gt / "aachen_000000_000019_gtFine_polygons.json").write_text(json.dumps(doc))


@pytest.fixture
def cityscapes_candidate(tmp_path: Path) -> tuple[Path, Path]:
    """A Cityscapes folder and a candidate project over its photo (read from it, so it agrees)."""
    _cityscapes(tmp_path / "cs")
    project = read_cityscapes(tmp_path / "cs").project
    candidate = tmp_path / "cs" / "candidate.json"
    save_project(project, candidate)
    return tmp_path / "cs", candidate


def _choose_folder(win, folder: Path, answer: str | None = None) -> None:
    asked: list[str] = []
    saved = QFileDialog.getExistingDirectory, QInputDialog.getItem  # del would remove Qt's own for good
    QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(folder))  # type: ignore[method-assign]

    def pick(parent, title, label, items, *rest):  # type: ignore[no-untyped-def]
        asked.append(label)
        return next(i for i in items if i.endswith(f"({answer})")), True

    QInputDialog.getItem = staticmethod(pick)  # type: ignore[method-assign]
    try:
        win.review.act_choose_folder.trigger()
    finally:
        QFileDialog.getExistingDirectory, QInputDialog.getItem = saved
    assert bool(asked) == (answer is not None)


def test_cityscapes_gtfine_is_detected_and_scored(qtbot, cityscapes_candidate, no_prompts) -> None:
    folder, candidate = cityscapes_candidate
    win = open_window(qtbot, candidate)
    view = win.review.view
    _choose_folder(win, folder)
    assert win.document.project.reference == "." and "reference_format" not in win.document.project.app
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=15000)
    assert view.scored.reference.kind == "cityscapes"
    line = "labels in the folder cs, read as Cityscapes (gtFine) · Candidate: this project's objects"
    assert view.header.reference_label.whole == line
    rows = {r.category: r for r in view.scored.result.per_image}
    assert sorted(rows) == ["car", "road"]  # ego vehicle is void: not scored
    assert all(r.dice == 1.0 for r in rows.values())
    assert view.images.image_proxy.rowCount() == 1
    win.document.undo_stack.setClean()
    win.close()


def test_an_unrecognised_folder_is_read_as_the_format_the_user_names(qtbot, cityscapes_candidate, no_prompts):
    folder, candidate = cityscapes_candidate
    from pixelproof.interop import write_labelme

    hidden = folder.parent / "labels"
    project = read_cityscapes(folder).project
    for ann in [a for a in project.annotations.values() if project.is_void(a)]:
        project.remove_annotation(ann.id)  # (this test is about the dialog, not about void regions)
    write_labelme(project, hidden / "deep" / "er")  # JSONs 2 folders down: too deep to be recognised
    win = open_window(qtbot, candidate)
    view = win.review.view
    _choose_folder(win, hidden, answer="labelme")
    assert win.document.project.app["reference_format"] == "labelme"
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=15000)
    assert view.scored.reference.kind == "labelme"
    assert [r.dice for r in view.scored.result.per_image] == [1.0, 1.0]
    win.document.undo_stack.undo()  # the format goes with the reference
    assert "reference_format" not in win.document.project.app
    win.document.undo_stack.setClean()
    win.close()
