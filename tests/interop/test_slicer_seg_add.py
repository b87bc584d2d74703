"""``pixelproof add`` and the app's Add Images read a 3D Slicer segmentation as ``new`` does: onto a volume
added in the same call or one the project has, pixel for pixel its labelmap; one undo step; added twice,
its masks are not put on the slices again (said as an image already there is); a lone one is left out
naming the import."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import dumps_project, load_project
from pixelproof.core.model import Project
from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.slicer_seg_folder import images_and_segmentations_to_add, project_with_segmentations
from tests.interop.test_slicer_seg import OVERLAP, SEG, masks
from tests.interop.test_slicer_seg_folder import _labelmap_masks
from tests.interop.test_slicer_seg_nrrd import _ct_nrrd


def _add(project: Project, *paths: Path) -> tuple[list[str], list[str], list[str]]:
    """Add ``paths`` as the app and the CLI do (one edit, applied): what was skipped, read, already there."""
    skipped: list[str] = []
    read: list[str] = []
    found, edit = images_and_segmentations_to_add(project, paths, skipped.append, on_read=read.append)
    if edit is not None:
        edit.apply(project)
    return skipped, read, found.already


def _photos(tmp_path: Path) -> Project:
    photos = tmp_path / "photos"
    photos.mkdir(exist_ok=True)
    cv2.imwrite(str(photos / "a.png"), np.zeros((8, 8), np.uint8))
    return project_with_segmentations(photos, tmp_path / "p.json", ["tumour"])


def _pixels_are_the_labelmap(project: Project, stem: str = "ct.nrrd") -> None:
    segments = [c for c in project.categories.values() if c.name != "tumour"]  # in label value order
    value_of = {c.name: n for n, c in enumerate(segments, start=1)}
    got = {(f, value_of[c]): m for (f, c), m in masks(project).items()}
    want = _labelmap_masks(SEG, stem)
    assert got.keys() == want.keys() and len(got) > 100
    assert all(np.array_equal(got[k], want[k]) for k in want)


def test_a_segmentation_comes_in_on_a_volume_added_with_it_or_already_there(tmp_path: Path) -> None:
    clear_cache()
    project = _photos(tmp_path)
    scene = tmp_path / "scene"
    scene.mkdir()
    _ct_nrrd(scene / "ct.nrrd")
    shutil.copy(SEG, scene / "ct.seg.nrrd")
    before = dumps_project(project)
    found, edit = images_and_segmentations_to_add(project, [scene], lambda m: None)
    assert edit is not None and len(found.images) == 34 and edit.label == "Add 34 images and 1 segmentation"
    edit.apply(project)
    _pixels_are_the_labelmap(project)
    assert [c.name for c in project.categories.values()][:2] == ["tumour", "ribs"]
    assert {project.image_status(i.id) for i in found.images} == {"done"}
    edit.revert(project)
    assert dumps_project(project) == before  # one undo step takes all of it back

    # the volume first, its segmentation later: onto the project's slices of it
    project = _photos(tmp_path)
    os.rename(scene / "ct.seg.nrrd", tmp_path / "later.seg.nrrd")
    assert _add(project, scene)[:2] == ([], [])
    shutil.move(tmp_path / "later.seg.nrrd", scene / "ct.seg.nrrd")
    skipped, read, already = _add(project, scene / "ct.seg.nrrd")
    n = len(project.annotations)
    assert skipped == [] and already == [] and len(project.images) == 35
    assert read == [f"{scene / 'ct.seg.nrrd'}: 7 segments, {n} objects on the slices of ct.nrrd"]
    _pixels_are_the_labelmap(project)


def test_added_twice_its_masks_are_not_put_there_again(tmp_path: Path) -> None:
    """The folder again (and the file besides it in the same call): 'already there', nothing changed; a
    file holding some of the same masks (Slicer's Segmentation_1 beside it) is left out and said."""
    clear_cache()
    project = _photos(tmp_path)
    scene = tmp_path / "scene"
    scene.mkdir()
    _ct_nrrd(scene / "ct.nrrd")
    shutil.copy(SEG, scene / "ct.seg.nrrd")
    _add(project, scene, scene / "ct.seg.nrrd")  # given twice in one call: read once
    once = dumps_project(project)
    n = len(project.annotations)
    assert n == len(project_with_segmentations(scene, tmp_path / "q.json").annotations)
    found, edit = images_and_segmentations_to_add(project, [scene], lambda m: None)
    assert edit is None and found.already[-1] == str(scene / "ct.seg.nrrd") and len(found.already) == 35
    shutil.copy(OVERLAP, scene / "Segmentation_1.seg.nrrd")  # the same 7 segments and a sphere
    skipped, read, _ = _add(project, scene)
    assert read == [] and dumps_project(project) == once
    assert len(skipped) == 1 and skipped[0].startswith(
        f"{scene / 'Segmentation_1.seg.nrrd'}: {n} of its 175 objects are on the slices of ct.nrrd already"
    )


def test_pixelproof_add_reads_the_segmentation_and_names_the_import_of_a_lone_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clear_cache()
    photos = tmp_path / "photos"
    photos.mkdir()
    cv2.imwrite(str(photos / "a.png"), np.zeros((8, 8), np.uint8))
    out = tmp_path / "p.json"
    assert main(["new", str(photos), "-o", str(out)]) == 0
    scene = tmp_path / "scene"
    scene.mkdir()
    _ct_nrrd(scene / "ct.nrrd")
    shutil.copy(SEG, scene / "ct.seg.nrrd")
    capsys.readouterr()
    assert main(["add", str(out), str(scene)]) == 0
    said = capsys.readouterr()
    project = load_project(out)
    n = len(project.annotations)
    assert said.out.splitlines()[-2:] == [
        f"{scene / 'ct.seg.nrrd'}: 7 segments, {n} objects on the slices of ct.nrrd",
        "34 added, 0 already there, 0 skipped",
    ]
    assert "ct.seg.nrrd" not in said.err
    _pixels_are_the_labelmap(project)
    assert main(["add", str(out), str(scene)]) == 0  # again: nothing added, said
    said = capsys.readouterr()
    assert f"already there: {scene / 'ct.seg.nrrd'}\n" in said.out and said.err == ""
    assert said.out.endswith("0 added, 35 already there, 0 skipped\n")
    assert len(load_project(out).annotations) == n
    lone = tmp_path / "labels"
    lone.mkdir()
    shutil.copy(SEG, lone / "ct.seg.nrrd")
    assert main(["add", str(out), str(lone)]) == 1
    seg = lone / "ct.seg.nrrd"
    command = f"pixelproof convert {seg} OUT.json --from slicer-seg --to coco --image-dir VOLUME_FOLDER"
    assert (
        f"pixelproof: warning: {seg}: a 3D Slicer segmentation with no image volume (NRRD or NIfTI) or DICOM "
        f"series folder of its name in its folder to lie on; not made into slices (they would show no "
        f"image); to import it onto its volume: "
        f"{command}\n"
    ) in capsys.readouterr().err
