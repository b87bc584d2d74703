"""fragmented_mask on an image read from MVTec AD: MVTec stores one mask per image and defect, so two
scratches on one plate are one object in two blobs, as the dataset has them. lint scored every such image
0.96 and offered to split it; on an MVTec image (its ``mvtec`` extras) blobs far apart are separate
defects of one mask, not islands, while specks beside the main body and pinholes are still said. The same mask
on any other image is still an island to split off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.lint.apply import fix_edit
from pixelproof.core.model import Project
from pixelproof.interop.mvtec import read_mvtec

RULES = parse_rules({})


def _mvtec(root: Path, mask: np.ndarray) -> Project:
    """plate/test/scratch/000.png with ``mask`` as its ground truth, plate/train/good/000.png."""
    for folder in ("test/scratch", "train/good", "ground_truth/scratch"):
        (root / "plate" / folder).mkdir(parents=True)
    h, w = mask.shape
    Image.new("RGB", (w, h)).save(root / "plate" / "test" / "scratch" / "000.png")
    Image.new("RGB", (w, h)).save(root / "plate" / "train" / "good" / "000.png")
    Image.fromarray(mask.astype(np.uint8) * 255).save(
        root / "plate" / "ground_truth" / "scratch" / "000_mask.png"
    )
    result = read_mvtec(root)
    assert result.problems == []
    return result.project


def _two_scratches() -> np.ndarray:
    m = np.zeros((48, 64), bool)
    m[5:15, 5:15] = True
    m[30:40, 45:58] = True  # 30 px away: another scratch
    return m


def _fragmented(project: Project) -> list:
    return [p for p in lint_project(project, RULES).problems if p.kind == "fragmented_mask"]


def test_blobs_of_an_mvtec_mask_are_separate_defects_not_islands(tmp_path: Path) -> None:
    project = _mvtec(tmp_path, _two_scratches())
    assert _fragmented(project) == []


def test_the_same_mask_on_another_image_is_still_an_island_to_split_off(tmp_path: Path) -> None:
    project = _mvtec(tmp_path, _two_scratches())
    for image in project.images.values():
        del image.extra["pixelproof"]["mvtec"]  # as if drawn in PixelProof, or read from another format
    (problem,) = _fragmented(project)
    assert problem.figures["islands_far"] == 1 and problem.fix["action"] == "split"


def test_specks_and_pinholes_of_an_mvtec_mask_are_still_said(tmp_path: Path) -> None:
    m = _two_scratches()
    m[41:43, 48:50] = True  # a 4-px speck 1 px below the larger scratch (the main body)
    m[34, 50] = False  # a pinhole
    project = _mvtec(tmp_path, m)
    (problem,) = _fragmented(project)
    assert problem.figures == {"islands_far": 0, "specks": 1, "pinholes": 1}
    assert problem.fix["action"] != "split"
    fix_edit(project, problem.fix).apply(project)  # the fix drops the speck, fills the pinhole
    (ann,) = project.annotations.values()
    assert np.array_equal(ann.mask(48, 64), _two_scratches())  # both scratches stay in their one mask
