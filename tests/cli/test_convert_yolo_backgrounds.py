"""``convert --from yolo``: an image without a label file is a background image to Ultralytics and Darknet
(a negative example), so a conversion keeps it by default and says how many it kept; ``--unlabeled skip``
leaves them out and says how many; a label file that could not be read is never made a background."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project


def dataset(root: Path) -> Path:
    """a.png with a cat; b.png and d.png with no label file (backgrounds); c.png with an empty one (checked,
    empty); e.png with a label file holding only a broken line."""
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    for name in "abcde":
        Image.fromarray(np.zeros((10, 20, 3), np.uint8)).save(root / "images" / "train" / f"{name}.png")
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "labels" / "train" / "c.txt").write_text("")
    (root / "labels" / "train" / "e.txt").write_text("0 0.5 0.5\n")
    (root / "data.yaml").write_text("names: [cat]\ntrain: images/train\n")
    return root


def names(path: Path) -> list[str]:
    return sorted(Path(im.file_name).name for im in load_project(path).images.values())


def test_images_without_a_label_file_are_kept_as_backgrounds_and_counted(tmp_path: Path, capsys) -> None:
    src = dataset(tmp_path / "ds")
    out = tmp_path / "out.json"
    assert main(["convert", str(src), str(out), "--from", "yolo", "--to", "coco"]) == 3  # e's broken line
    err = capsys.readouterr().err
    assert "2 images without a label file kept as background" in err
    assert "images/train/b.png, images/train/d.png" in err
    assert names(out) == ["a.png", "b.png", "c.png", "d.png"]  # e: its label file could not be read
    assert "1 image left out as not labelled yet" in err and "images/train/e.png" in err


def test_unlabeled_skip_leaves_them_out_and_says_how_many(tmp_path: Path, capsys) -> None:
    src = dataset(tmp_path / "ds")
    out = tmp_path / "out.json"
    assert main(["convert", str(src), str(out), "--from", "yolo", "--to", "coco", "--unlabeled", "skip"]) == 3
    err = capsys.readouterr().err
    assert "kept as background" not in err
    assert "3 images left out as not labelled yet" in err
    assert "write them all with --unlabeled keep" in err and "unlabeled=" not in err  # convert's flag
    assert names(out) == ["a.png", "c.png"]


def test_a_yolo_to_yolo_conversion_writes_empty_label_files_for_the_backgrounds(tmp_path: Path) -> None:
    src = dataset(tmp_path / "ds")
    out = tmp_path / "yolo"
    assert main(["convert", str(src), str(out), "--from", "yolo", "--to", "yolo"]) == 3
    labels = {p.name: p.read_text() for p in (out / "labels").rglob("*.txt")}
    assert labels["b.txt"] == "" and labels["d.txt"] == "" and labels["a.txt"].startswith("0 ")
