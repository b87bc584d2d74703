"""MVTec AD export of a project made from a folder of photos (no splits): every image went to test, so
MVTec AD's and Anomalib's training folder ``train/good`` stayed empty, silently, and nothing in the app or
CLI could give an image a split. ``--good-train-fraction`` sends a share of the defect-free images there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop.mvtec import read_mvtec, write_mvtec


def photos(tmp_path: Path, extra_split: bool = False):  # type: ignore[no-untyped-def]
    """Six defect-free parts, one scratched part and one defect image read without its mask; the
    categories name one object, ``plate``."""
    project = new_project(["plate/scratch"])
    project.path = tmp_path / "project.json"
    for i in range(1, 9):
        Image.fromarray(np.full((16, 16), i, np.uint8)).save(tmp_path / f"part{i}.png")
        project.add_image(ImageRecord(i, f"part{i}.png", 16, 16))
    m = np.zeros((16, 16), bool)
    m[3, 2:12] = True  # a 1 px scratch
    project.add_annotation(Annotation(1, 7, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    project.images[8].extra = {"pixelproof": {"mvtec": {"object": "plate", "defect": "dent"}}}
    if extra_split:
        project.images[1].extra = {"pixelproof": {"split": "test"}}
    return project


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png"))


def test_without_a_share_every_image_goes_to_test_and_a_warning_says_train_good_is_empty(
    tmp_path: Path,
) -> None:
    warnings = write_mvtec(photos(tmp_path), tmp_path / "out")
    got = files(tmp_path / "out")
    assert not any("/train/" in f for f in got)
    # the good parts belong to the object every category names (plate/scratch: plate), not to "object/"
    assert [f for f in got if "/good/" in f] == [f"plate/test/good/part{i}.png" for i in range(1, 7)]
    (said,) = [w for w in warnings if "train/good" in w]
    assert (
        said.startswith("no defect-free image in train/good for plate:") and "--good-train-fraction" in said
    )


def test_a_share_of_the_defect_free_images_goes_to_train_good_evenly(tmp_path: Path) -> None:
    warnings = write_mvtec(photos(tmp_path, extra_split=True), tmp_path / "out", good_train_fraction=0.5)
    got = files(tmp_path / "out")
    # part1 keeps its own split; of the five others without one, every second goes to train (the first: test)
    assert [f for f in got if "/train/" in f] == ["plate/train/good/part3.png", "plate/train/good/part5.png"]
    assert "plate/test/good/part1.png" in got and "plate/test/good/part2.png" in got
    assert (
        "plate/test/scratch/part7.png" in got and "plate/test/dent/part8.png" in got
    )  # defects stay in test
    assert not any("train/good" in w for w in warnings)
    back = read_mvtec(tmp_path / "out").project
    splits = {Path(im.file_name).name: im.extra["pixelproof"]["split"] for im in back.images.values()}
    assert splits["part3.png"] == "train" and splits["part2.png"] == "test"


def test_the_cli_option_and_its_range(tmp_path: Path) -> None:
    save_project(photos(tmp_path), tmp_path / "project.json")
    out = tmp_path / "out"
    assert main(["convert", str(tmp_path / "project.json"), str(out), "--to", "mvtec",
                 "--good-train-fraction", "1"]) == 0  # fmt: skip
    assert [f for f in files(out) if "/good/" in f] == [f"plate/train/good/part{i}.png" for i in range(1, 7)]
    with pytest.raises(ValueError, match="good_train_fraction"):
        write_mvtec(photos(tmp_path), tmp_path / "bad", good_train_fraction=1.5)
