"""A dataset read as the wrong format says which format it looks like: "y2: is a folder, not a file to
read ... nothing to convert (no images found as coco)" left a user with a YOLO folder guessing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.interop.format_guess import a_title, another_format_hint
from pixelproof.interop.formats import FORMATS


def _yolo(root: Path) -> Path:
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    Image.new("RGB", (32, 24)).save(root / "images" / "train" / "a.jpg")
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.25 0.25\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: ['cat']\n")
    return root


def _labelme(root: Path) -> Path:
    root.mkdir()
    Image.new("RGB", (32, 24)).save(root / "a.jpg")
    shape = {"label": "cat", "points": [[1, 1], [9, 9]], "shape_type": "rectangle"}
    doc = {"shapes": [shape], "imagePath": "a.jpg", "imageHeight": 24, "imageWidth": 32}
    (root / "a.json").write_text(json.dumps(doc))
    return root


def test_the_hint_names_the_format_the_dataset_looks_like(tmp_path: Path) -> None:
    yolo = _yolo(tmp_path / "y")
    hint = another_format_hint(yolo, FORMATS["coco"])
    assert hint == "it looks like a YOLO dataset (Ultralytics) (--from yolo)"
    assert another_format_hint(yolo, FORMATS["yolo"]) == ""  # its own format: nothing to say
    assert another_format_hint(tmp_path / "nothing", FORMATS["coco"]) == ""


def test_convert_from_the_wrong_format_names_the_right_one(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    yolo = _yolo(tmp_path / "y")
    assert main(["convert", str(yolo), str(tmp_path / "p.json"), "--from", "coco", "--to", "coco"]) == 1
    err = capsys.readouterr().err
    assert (
        "nothing to convert (no images found as coco); it looks like a YOLO dataset (Ultralytics) "
        "(--from yolo)" in err
    )
    labelme = _labelme(tmp_path / "lm")  # its pictures read as a YOLO dataset without labels
    code = main(["convert", str(labelme), str(tmp_path / "q.json"), "--from", "yolo", "--to", "coco"])
    err = capsys.readouterr().err
    assert "no annotations read as yolo; it looks like a LabelMe folder (--from labelme)" in err
    assert code == 0  # the pictures are read all the same, as before


def test_every_format_is_named_with_its_article() -> None:
    """'looks like LabelMe folder' read as a slip: each format has its own phrase, with "a" or "an"."""
    from pixelproof.interop.formats import readable

    for fmt in readable():
        assert a_title(fmt).startswith(("a ", "an ")), fmt.name
        assert fmt.title.split(" ")[0].split("(")[0] in a_title(fmt) or fmt.name == "nifti", fmt.name
    assert a_title(FORMATS["mvtec"]) == "an MVTec AD folder"
    assert a_title(FORMATS["labelme"]) == "a LabelMe folder"
    assert a_title(FORMATS["coco"]) == "a COCO JSON file"
