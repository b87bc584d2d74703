"""``pixelproof set-split``: images chosen by glob get a split the YOLO export then writes them into."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.split_names import split_of


def make(tmp_path: Path) -> Path:
    p = Project()
    for i, name in enumerate(["day/a.png", "night/b.png", "night/c.png"], 1):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(tmp_path / name)
        p.add_image(ImageRecord(i, name, 8, 6))
        p.set_image_status(i, "done")
    path = tmp_path / "p.json"
    save_project(p, path)
    return path


def splits(path: Path) -> dict[str, str | None]:
    return {im.file_name: split_of(im) for im in load_project(path).images.values()}


def test_set_split_by_glob_and_the_export_follows(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    assert main(["set-split", str(path), "val", "--images", "night/*"]) == 0
    assert "2 images set to val" in capsys.readouterr().out
    assert splits(path) == {"day/a.png": None, "night/b.png": "val", "night/c.png": "val"}
    assert main(["set-split", str(path), "validation", "--images", "night/*"]) == 0
    assert "0 images set to val (2 already there)" in capsys.readouterr().out
    out = tmp_path / "yolo"
    assert main(["convert", str(path), str(out), "--from", "coco", "--to", "yolo"]) == 0
    val = out / "images" / "val"  # day/ and night/ kept (the export keeps the images' folders)
    assert sorted(p.relative_to(val).as_posix() for p in val.rglob("*.png")) == ["night/b.png", "night/c.png"]


def test_unknown_split_no_match_and_output_file(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    assert main(["set-split", str(path), "trian"]) == 2
    assert "unknown split 'trian'" in capsys.readouterr().err
    assert main(["set-split", str(path), "test", "--images", "nope/*"]) == 1
    assert "no image matches 'nope/*'" in capsys.readouterr().err
    other = tmp_path / "other.json"
    assert main(["set-split", str(path), "test", "-o", str(other)]) == 0
    assert set(splits(other).values()) == {"test"} and set(splits(path).values()) == {None}


def test_a_project_without_images_says_so_not_that_none_matches_none(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.json"
    save_project(Project(), path)
    assert main(["set-split", str(path), "val"]) == 1
    err = capsys.readouterr().err
    assert "has no images" in err and "None" not in err


def test_an_image_named_like_a_glob_is_named_by_its_exact_name(tmp_path: Path, capsys) -> None:
    p = Project()
    for i, name in enumerate(["img[1].png", "img1.png", "img[2].png"], 1):
        p.add_image(ImageRecord(i, name, 8, 6))
    path = tmp_path / "p.json"
    save_project(p, path)
    assert main(["set-split", str(path), "test", "--images", "img[1].png"]) == 0
    # the literal image, and img1.png which the glob reading names too; never img[2].png
    assert splits(path) == {"img[1].png": "test", "img1.png": "test", "img[2].png": None}
    assert main(["set-split", str(path), "val", "--images", "img[3].png"]) == 1
    err = capsys.readouterr().err
    assert "no image matches 'img[3].png'" in err and "an exact file name or relative path, or a glob" in err
