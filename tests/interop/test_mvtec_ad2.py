"""MVTec AD 2: one ``bad`` folder, the ground truth inside the public test split
(``<object>/test_public/ground_truth/bad/<name>_mask.png``), read and written back in that layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.interop.mvtec import read_mvtec, write_mvtec


def _ad2(root: Path) -> np.ndarray:
    obj = root / "sheet_metal"
    for folder in ("train/good", "validation/good", "test_public/good", "test_public/bad"):
        (obj / folder).mkdir(parents=True)
        Image.fromarray(np.full((12, 16), 1800, np.uint16)).save(obj / folder / "000_regular.png")
    (obj / "test_public" / "ground_truth" / "bad").mkdir(parents=True)
    m = np.zeros((12, 16), np.uint8)
    m[2:10, 7:9] = 255  # a crack 2 px wide
    Image.fromarray(m).save(obj / "test_public" / "ground_truth" / "bad" / "000_regular_mask.png")
    (obj / "test_private").mkdir()  # AD 2's private tests: no defect folder, no ground truth
    Image.fromarray(np.zeros((12, 16), np.uint16)).save(obj / "test_private" / "000_regular.png")
    return m > 0


def test_ad2_reads_the_masks_inside_the_test_split(tmp_path: Path) -> None:
    want = _ad2(tmp_path / "ad2")
    result = read_mvtec(tmp_path / "ad2")
    project = result.project
    names = sorted(im.file_name for im in project.images.values())
    assert names == [
        "sheet_metal/test_public/bad/000_regular.png",
        "sheet_metal/test_public/good/000_regular.png",
        "sheet_metal/train/good/000_regular.png",
        "sheet_metal/validation/good/000_regular.png",
    ]
    bad = next(im for im in project.images.values() if "/bad/" in im.file_name)
    (ann,) = project.annotations_of(bad.id)
    assert project.categories[ann.category_id].name == "sheet_metal/bad"
    assert np.array_equal(ann.mask(12, 16), want)
    assert project.image_status(bad.id) == "done"
    # nothing unsaid: the ground_truth folder is no defect, the private test images are named as not read
    assert len(result.problems) == 1, result.problems
    assert "test_private" in result.problems[0] and "000_regular.png" in result.problems[0]


def test_ad2_written_back_keeps_its_layout(tmp_path: Path) -> None:
    want = _ad2(tmp_path / "ad2")
    project = read_mvtec(tmp_path / "ad2").project
    out = tmp_path / "out"
    write_mvtec(project, out, images="copy")
    mask = out / "sheet_metal" / "test_public" / "ground_truth" / "bad" / "000_regular_mask.png"
    assert np.array_equal(np.asarray(Image.open(mask)) > 0, want)
    assert not (out / "sheet_metal" / "ground_truth").exists()
    again = read_mvtec(out).project
    assert sorted(im.file_name for im in again.images.values()) == sorted(
        im.file_name for im in project.images.values()
    )
    assert len(again.annotations) == 1
