"""``convert --to yolo`` says which image has rows written twice (Ultralytics drops them as "duplicate
labels removed", naming no object), and points at ``pixelproof lint``, which lists the pair."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main


def test_convert_to_yolo_names_the_image_with_repeated_rows(tmp_path: Path, capsys) -> None:
    src = tmp_path / "ds"
    (src / "images" / "train").mkdir(parents=True)
    (src / "labels" / "train").mkdir(parents=True)
    for name in "ab":
        Image.fromarray(np.zeros((10, 20, 3), np.uint8)).save(src / "images" / "train" / f"{name}.png")
    row = "0 0.500000 0.500000 0.200000 0.400000\n"
    (src / "labels" / "train" / "a.txt").write_text(row * 3 + "0 0.250000 0.500000 0.200000 0.400000\n")
    (src / "labels" / "train" / "b.txt").write_text(row)
    (src / "data.yaml").write_text("names: [cat]\ntrain: images/train\n")
    out = tmp_path / "out"
    code = main(["convert", str(src), str(out), "--from", "yolo", "--to", "yolo"])
    err = capsys.readouterr().err
    assert code == 0, err  # warnings, nothing left out
    assert (
        "2 label rows repeating another of the same class and box, on 1 image: images/train/a.png (2)" in err
    )
    assert "pixelproof lint" in err
    assert (out / "labels" / "train" / "a.txt").read_text().count(row) == 3  # written as read
    project = tmp_path / "project.json"  # what the warning points at finds them
    assert main(["convert", str(src), str(project), "--from", "yolo", "--to", "coco"]) == code
    capsys.readouterr()
    assert main(["lint", str(project), "--kinds", "duplicate"]) == 1
    assert "duplicate" in capsys.readouterr().out
