"""Qt-free helpers the app and the CLI share: Project.snapshot for workers, where a project's reference is,
and a new project over a folder of images (with progress and skip callbacks, nothing printed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pixelproof.core import edits
from pixelproof.core.coco import save_project
from pixelproof.core.geometry import clone
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.references import reference_path, stored_reference


def small_project(tmp_path: Path) -> Project:
    p = Project(path=tmp_path / "p.json")
    for i in (1, 2, 3):
        p.add_image(ImageRecord(i, f"images/{i}.png", 10, 10))
    p.add_category(Category(1, "cat"))
    p.add_annotation(Annotation(1, 1, 1, [0, 0, 2, 2], None, 4.0))
    p.add_annotation(Annotation(2, 2, 1, [0, 0, 3, 3], None, 9.0))
    return p


def test_snapshot_keeps_the_moment_while_the_project_is_edited(tmp_path: Path) -> None:
    p = small_project(tmp_path)
    snap = p.snapshot()
    moved = clone(p.annotations[1])
    moved.bbox = [5.0, 5.0, 2.0, 2.0]
    for edit in (
        edits.ReplaceAnnotations([moved]),
        edits.RemoveAnnotations([2]),
        edits.ReplaceCategory(Category(1, "feline")),
        edits.SetImageStatus(1, "done"),
    ):
        edit.apply(p)
    (tmp_path / "elsewhere").mkdir()
    save_project(p, tmp_path / "elsewhere" / "p.json")  # rewrites relative file names in place
    assert snap.annotations[1].bbox == [0, 0, 2, 2] and 2 in snap.annotations
    assert snap.categories[1].name == "cat" and snap.image_status(1) == "todo"
    assert snap.images[1].file_name == "images/1.png" and snap.path == tmp_path / "p.json"
    assert p.images[1].file_name == "../images/1.png"
    part = p.snapshot([2, 3])
    assert list(part.images) == [2, 3] and not part.annotations  # image 2's only object was removed
    assert part.annotations_of(2) == []


def test_reference_path_and_how_a_chosen_reference_is_stored(tmp_path: Path) -> None:
    p = Project(path=tmp_path / "work" / "p.json")
    assert reference_path(p) is None
    p.reference = "../refs/gt.json"
    assert reference_path(p) == tmp_path / "refs" / "gt.json"
    p.reference = str(tmp_path / "abs" / "masks")
    assert reference_path(p) == tmp_path / "abs" / "masks"
    (tmp_path / "work" / "masks").mkdir(parents=True)
    assert stored_reference(p, tmp_path / "work" / "masks") == "masks"  # below: relative
    assert stored_reference(p, tmp_path / "refs") == "../refs"  # beside: relative
    far = tmp_path.parent / "far"
    assert stored_reference(p, far) == str(far.resolve())  # two levels up: absolute
    assert stored_reference(Project(), far) == str(far.resolve())  # never saved: absolute


def test_project_from_folder_reports_progress_and_skips_without_printing(tmp_path: Path, capfd) -> None:
    images = tmp_path / "data"
    (images / "sub").mkdir(parents=True)
    cv2.imwrite(str(images / "b.png"), np.zeros((5, 7), np.uint8))
    cv2.imwrite(str(images / "sub" / "a.png"), np.zeros((6, 4, 3), np.uint8))
    (images / "broken.png").write_bytes(b"not a png")
    (images / "notes.txt").write_text("hello")
    skipped: list[str] = []
    steps: list[tuple[int, int]] = []
    target = tmp_path / "out" / "project.json"
    p = project_from_folder(
        images, target, ["cat", "dog"], on_skip=skipped.append, progress=lambda d, t: steps.append((d, t))
    )
    assert [(im.id, im.file_name, im.width, im.height) for im in p.images.values()] == [
        (1, "../data/b.png", 7, 5),
        (2, "../data/sub/a.png", 4, 6),
    ]
    assert [c.name for c in p.categories.values()] == ["cat", "dog"] and p.path == target
    assert steps == [(1, 3), (2, 3), (3, 3)]
    assert len(skipped) == 2 and "notes.txt: not an image" in skipped[0] and "broken.png" in skipped[1]
    assert capfd.readouterr() == ("", "")

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):  # a cancelled job stops it through its progress callback
        project_from_folder(images, target, progress=stop)
