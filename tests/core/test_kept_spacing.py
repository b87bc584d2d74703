"""A nanometre pixel (electron microscopy: a NIfTI pixdim of 1e-9 mm) is kept as such in the project: the
records kept 6 decimals, so it was saved as 0.0 and QA measured its distances in pixels. Lengths are kept
to 6 significant figures below 0.1 mm now (``measure.kept_mm``), as before above it; a spacing a project
saved with 6 decimals is still the same spacing as the one read now (merge and QA say no disagreement).
Real NIfTI files written by nibabel; the project saved and loaded."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.measure import kept_mm
from pixelproof.core.merge_geometry import geometry_differs
from pixelproof.core.model import Annotation, Category, Project
from pixelproof.core.qa import run_qa
from pixelproof.core.volume_cache import clear_cache

NM = 1e-9  # mm: a nanometre


def _project(tmp_path: Path, voxel: float, name: str = "em") -> Project:
    """A project over a 64 x 64 x 3 NIfTI of ``voxel`` mm voxels, saved and loaded back."""
    clear_cache()
    folder = tmp_path / name
    folder.mkdir()
    affine = np.diag([voxel, voxel, voxel * 50, 1.0])
    nib.save(nib.Nifti1Image(np.zeros((64, 64, 3), np.int16), affine), folder / "stack.nii.gz")
    out = tmp_path / f"{name}.json"
    skipped: list[str] = []
    project = project_from_folder(folder, out, ["cell"], on_skip=skipped.append)
    assert skipped == []
    save_project(project, out)
    return load_project(out)


def _with_disc(project: Project, shift: int, index: int = 1) -> Project:
    """``project`` with a disc of 'cell' on slice ``index``, moved right by ``shift`` pixels."""
    image = sorted(project.images.values(), key=lambda i: i.file_name)[index]
    y, x = np.mgrid[:64, :64]
    m = (y - 30) ** 2 + (x - 30 - shift) ** 2 <= 100
    cat = project.category_by_name("cell") or Category(1, "cell")
    project.add_annotation(Annotation(1, image.id, cat.id, masks.bbox(m), masks.encode(m), float(m.sum())))
    return project


def test_a_nanometre_spacing_survives_save_and_load_and_qa_measures_in_mm(tmp_path: Path) -> None:
    ref = _project(tmp_path, NM, "ref")
    for image in ref.images.values():
        assert image.extra["pixel_spacing"] == pytest.approx([NM, NM], rel=1e-6)
    cand = _with_disc(_project(tmp_path, NM, "cand"), 3)
    result = run_qa(_with_disc(ref, 0), cand)
    (row,) = [r for r in result.per_image if r.comparison.fp or r.comparison.fn]
    assert row.comparison.unit == "mm"
    assert row.value("hd") == pytest.approx(3 * NM, rel=1e-3)  # the disc moved 3 pixels of 1 nm
    assert not [p for p in result.problems if "pixel_spacing" in p or "spacing" in p]


def test_nanometre_slices_keep_their_positions_and_qa_scores_them_in_3d_mm(tmp_path: Path) -> None:
    """Slices 50 nm apart lie at 0, 5e-08 and 1e-07 mm (a plane test that took voxels under 1e-4 mm for null
    put them at 0, 1, 2 - voxel units - and records then rounded positions to 0.0), so QA's 3D distances of
    the stack are in mm."""
    ref = _project(tmp_path, NM, "ref")
    positions = sorted(i.extra["slice_position"] for i in ref.images.values())
    assert positions == pytest.approx([0, 50 * NM, 100 * NM], rel=1e-5, abs=1e-18)
    result = run_qa(_with_disc(ref, 0), _with_disc(_project(tmp_path, NM, "cand"), 3))
    assert not [p for p in result.problems if "voxel units" in p]
    (row,) = [r for r in result.per_volume if r.category == "cell"]
    assert row.spacing == pytest.approx((50 * NM, NM, NM), rel=1e-5)
    assert row.comparison.unit == "mm" and row.comparison.hd == pytest.approx(3 * NM, rel=1e-3)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (3.0468759536743164, 3.046876),  # Slicer's CTChest in float32: 6 decimals, as records kept it
        (0.48828125, 0.488281),
        (-310.25, -310.25),
        (0.0001083333, 0.000108333),  # 6 significant figures below 0.1 mm (it was 0.000108)
        (np.float32(NM), NM),
        (0.0, 0.0),
    ],
)
def test_lengths_are_kept_to_6_decimals_and_6_significant_figures_below(value: float, kept: float) -> None:
    assert kept_mm(value) == kept


def test_a_spacing_saved_with_6_decimals_is_the_one_read_now(tmp_path: Path) -> None:
    """A project saved before kept 0.000108 where one made now keeps 0.000108333: merge and QA take them
    for one spacing (they said "two pixel spacings" otherwise), while two nanometre spacings differ."""
    now = _project(tmp_path, 0.0001083333)
    image = next(iter(now.images.values()))
    assert image.extra["pixel_spacing"] == [0.000108333, 0.000108333]
    before = dataclasses.replace(image, extra={**image.extra, "pixel_spacing": [0.000108, 0.000108]})
    merged = geometry_differs(image.file_name, before, "base", True, [("shard", image)])
    saved = Project()
    saved.add_category(Category(1, "cell"))
    saved.add_image(before)
    result = run_qa(_with_disc(saved, 0, 0), _with_disc(now, 2, 0))
    assert result.per_image[0].comparison.unit == "mm"
    assert [p for p in result.problems if "spacing" in p] == [] and merged == []
    two = dataclasses.replace(image, extra={**image.extra, "pixel_spacing": [2 * NM, 2 * NM]})
    one = dataclasses.replace(image, extra={**image.extra, "pixel_spacing": [NM, NM]})
    assert [r["key"] for r in geometry_differs(image.file_name, one, "base", True, [("shard", two)])] == [
        "pixel_spacing"
    ]
