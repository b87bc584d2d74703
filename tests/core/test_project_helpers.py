"""Qt-free helpers the app and the CLI share: Project.snapshot for workers, where a project's reference is,
and a new project over a folder of images (with progress and skip callbacks, nothing printed)."""

from __future__ import annotations

import os
import sys
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


def test_snapshot_keeps_the_maps_edits_change_in_place(tmp_path: Path) -> None:
    """Status, consensus marks and overlap lists are maps in ``app`` edited in place: a snapshot taken
    once they existed shared them, so a background job (the consensus) read the edits made meanwhile, or
    failed with "dictionary changed size during iteration"."""
    from pixelproof.core.overlap_versions import consensus_marks, overlap_annotators

    p = small_project(tmp_path)
    for edit in (
        edits.SetImageStatus(1, "done"),
        edits.SetConsensusMethod({1: "staple"}),
        edits.SetOverlapAnnotators({1: ["ann", "bob"]}),
    ):
        edit.apply(p)
    snap = p.snapshot()
    for edit in (
        edits.SetImageStatus(2, "done"),
        edits.SetConsensusMethod({2: "majority"}),
        edits.SetOverlapAnnotators({2: ["ann", "cy"]}),
    ):
        edit.apply(p)
    assert consensus_marks(p) == {1: "staple", 2: "majority"} and p.image_status(2) == "done"
    assert snap.image_status(2) == "todo" and consensus_marks(snap) == {1: "staple"}
    assert overlap_annotators(snap) == {1: ["ann", "bob"]}


def test_snapshot_keeps_the_not_a_problem_list_x_changes_in_place(tmp_path: Path) -> None:
    """X (not a problem) changes the stored decision list in place, one level deeper than the maps: a
    snapshot shared it, so a background job (a merge landing later) could see, or overwrite, a decision
    made while it ran."""
    from pixelproof.core.edits.lint import DismissProblems

    p = small_project(tmp_path)
    DismissProblems(p, ["a"]).apply(p)
    snap = p.snapshot()
    DismissProblems(p, ["b"]).apply(p)
    assert p.app["lint"]["dismissed"] == ["a", "b"]
    assert snap.app["lint"]["dismissed"] == ["a"]


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


@pytest.mark.skipif(os.name != "posix" or sys.platform == "darwin", reason="file names as raw bytes (Linux)")
def test_an_image_named_in_another_encoding_is_skipped_so_the_project_saves(tmp_path: Path) -> None:
    """Linux hands ``caf\\xe9.png`` (Latin-1) to Python as ``caf\\udce9.png``; kept in the project, it made
    every save fail (orjson writes UTF-8 only). It is skipped, named, and the rest saves."""
    images = tmp_path / "data"
    images.mkdir()
    cv2.imwrite(str(images / "ok.png"), np.zeros((5, 7), np.uint8))
    cv2.imwrite(str(images / "tmp.png"), np.zeros((5, 7), np.uint8))
    os.rename(os.fsencode(images / "tmp.png"), os.fsencode(images) + b"/caf\xe9.png")
    skipped: list[str] = []
    p = project_from_folder(images, tmp_path / "p.json", on_skip=skipped.append)
    assert [im.file_name for im in p.images.values()] == ["data/ok.png"]
    # named as ``ls -b`` shows it (the message said ``caf\udce9.png``, a name no one sees anywhere else)
    assert skipped == [
        f"{images}/caf\\xe9.png: file name is not UTF-8 text (character 9): rename the file; skipped"
    ]
    save_project(p, tmp_path / "p.json")
    assert "data/ok.png" in (tmp_path / "p.json").read_text()


def test_readers_refuse_text_no_save_could_write(tmp_path: Path) -> None:
    """Every reader builds through ``Builder``: a file name, a category name, a note or a kept extra that
    is not UTF-8 is refused there (a ``LimitError`` the reader reports), so what it built always saves."""
    from pixelproof.core.limits import LimitError
    from pixelproof.interop._util import Builder

    build = Builder(Project(path=tmp_path / "p.json"))
    with pytest.raises(LimitError, match="file name is not UTF-8"):
        build.image("caf\udce9.png", 4, 4)
    with pytest.raises(LimitError, match="name is not UTF-8"):
        build.category("c\ud800t")
    image = build.image("ok.png", 4, 4)
    cat = build.category("cat")
    with pytest.raises(LimitError, match="note is not UTF-8"):
        build.annotation(image, cat.id, bbox=[0, 0, 1, 1], note="x\udfff")
    with pytest.raises(LimitError, match="key is not UTF-8"):
        build.image("b.png", 4, 4, pixelproof={"k\ud800": 1})
    with pytest.raises(LimitError, match="text is not UTF-8"):
        build.image("c.png", 4, 4, pixelproof={"labels": [["x", "\ud800"]]})
    assert [im.file_name for im in build.project.images.values()] == ["ok.png"]
    save_project(build.project, tmp_path / "p.json")


def test_object_counts_look_at_the_objects_of_the_image_not_at_every_class(monkeypatch) -> None:
    """The Images panel asks ``object_count`` for every row at each filter keystroke: it scanned every class
    for void ones each time (100,000 images x 1,000 classes: a minute per keystroke)."""
    p = Project()
    for cid in range(1, 501):
        p.add_category(Category(cid, f"c{cid}", app_extra={"void": True} if cid == 500 else {}))
    for iid in range(1, 201):
        p.add_image(ImageRecord(iid, f"{iid}.png", 10, 10))
        for k, cid in enumerate((1 + iid % 7, 500) if iid % 2 else (2, 3, 4)):
            p.add_annotation(Annotation(iid * 10 + k, iid, cid, [0, 0, 1, 1], None, 1.0))
    reads = []
    real = Category.void
    monkeypatch.setattr(Category, "void", property(lambda c: reads.append(c.id) or real.fget(c)))
    counts = [p.object_count(iid) for iid in sorted(p.images)]
    assert counts == [1 if iid % 2 else 3 for iid in sorted(p.images)]  # the void region is not an object
    n_objects = len(p.annotations)
    assert len(reads) <= n_objects, len(reads)


def test_distinct_object_counts_are_the_images_object_counts_each_once() -> None:
    """The Images panel widens its Objects column by these after an edit of every image (a fill)."""
    p = Project()
    p.add_category(Category(1, "car"))
    p.add_category(Category(2, "__ignore__", app_extra={"void": True}))
    for iid in range(1, 7):
        p.add_image(ImageRecord(iid, f"{iid}.png", 10, 10))
    add = [(1, 1, None), (1, 2, None), (2, 1, "model:m"), (2, 1, None), (3, 1, None), (4, 2, None)]
    add += [(5, 1, None), (5, 1, "model:m")]
    for n, (iid, cid, source) in enumerate(add, start=1):
        p.add_annotation(Annotation(n, iid, cid, [0, 0, 1, 1], None, 1.0, source=source))
    ids = [1, 2, 3, 4, 5, 6, 99]  # 99: no such image
    assert p.distinct_object_counts(ids) == {p.object_counts(i) for i in ids}
    assert p.distinct_object_counts(ids) == {(1, 0), (1, 1), (0, 0)}  # the void region left out


def test_a_dcm2niix_sidecar_is_not_called_a_skipped_file(tmp_path: Path) -> None:
    # dcm2niix writes ct.json beside ct.nii.gz; the app reads it (its Modality gives HU), yet a new project
    # over such a folder said "N files skipped, first: ct.json: not an image", one per case
    import nibabel as nib

    from pixelproof.core.nifti_modality import nifti_modality

    images = tmp_path / "data"
    images.mkdir()
    for name in ("ct.nii.gz", "mr.nii"):
        nib.save(nib.Nifti1Image(np.zeros((4, 5, 2), np.int16), np.eye(4)), images / name)
    (images / "ct.json").write_text('{"Modality": "CT"}')
    (images / "mr.json").write_text('{"Modality": "MR"}')
    (images / "notes.json").write_text("{}")  # no volume of that name: not a sidecar
    skipped: list[str] = []
    p = project_from_folder(images, tmp_path / "project.json", ["organ"], on_skip=skipped.append)
    assert len(p.images) == 4
    assert len(skipped) == 1 and "notes.json: not an image" in skipped[0]
    assert nifti_modality(images / "ct.nii.gz") == "CT" and nifti_modality(images / "mr.nii") == "MR"


def test_a_project_shows_as_one_line_of_counts(tmp_path: Path) -> None:
    """A notebook shows a project by its repr: it was the dataclass's, every image and object in it."""
    p = Project(path=tmp_path / "p.json")
    p.add_category(Category(1, "cat"))
    for i in range(50):
        p.add_image(ImageRecord(i + 1, f"{i}.png", 8, 8))
        p.add_annotation(Annotation(i + 1, i + 1, 1, [0, 0, 2, 2], None, 4.0))
    assert repr(p) == "<Project 'p.json': 50 images, 1 categories, 50 annotations>"
    assert repr(Project()) == "<Project unsaved: 0 images, 0 categories, 0 annotations>"
