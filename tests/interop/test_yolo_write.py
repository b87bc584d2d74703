"""What ``write_yolo`` puts in label files: boxes that leave the image are clipped to it first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, Category, ImageRecord
from pixelproof.interop.yolo import read_yolo, write_yolo


@pytest.mark.parametrize("task", ["detect", "segment"])
def test_boxes_leaving_the_image_are_clipped_to_it_with_a_warning(task: str, tmp_path: Path) -> None:
    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(tmp_path / "x.png")
    project = new_project(["a"])
    project.path = tmp_path / "project.json"
    project.add_image(ImageRecord(1, "x.png", 80, 60))
    boxes = {
        # box -> its part inside the 80 x 60 image
        (-10.0, -20.0, 15.0, 30.0): (0.0, 0.0, 5.0, 10.0),  # the centre is outside: clamping it moved the box
        (70.0, 50.0, 20.0, 20.0): (70.0, 50.0, 10.0, 10.0),
        (10.0, 10.0, 20.0, 20.0): (10.0, 10.0, 20.0, 20.0),
    }
    for n, box in enumerate(boxes, start=1):
        project.add_annotation(Annotation(n, 1, 1, list(box), None, box[2] * box[3]))
    warnings = write_yolo(project, tmp_path / "yolo", task=task)
    assert any("2 objects reaching outside the image clipped to it" in w for w in warnings)
    back = read_yolo(tmp_path / "yolo").project
    got = [a.bbox for a in sorted(back.annotations.values(), key=lambda a: a.id)]
    for bbox, want in zip(got, boxes.values(), strict=True):
        assert bbox == pytest.approx(want, abs=1e-4)


@pytest.mark.parametrize("images", ["copy", "link"])
def test_an_image_moved_to_another_split_leaves_no_copy_in_its_old_one(images: str, tmp_path: Path) -> None:
    """Exported again into the same folder with a validation share, an image that went to ``val`` kept its
    earlier copy and label in ``train``: Ultralytics then trained on validation images (silently)."""
    project = new_project(["a"])
    project.path = tmp_path / "project.json"
    for i in range(1, 5):
        Image.fromarray(np.full((6, 8, 3), i, np.uint8)).save(tmp_path / f"im{i}.png")
        project.add_image(ImageRecord(i, f"im{i}.png", 8, 6))
        project.add_annotation(Annotation(i, i, 1, [1.0, 1.0, 2.0, 2.0], None, 4.0))
    out = tmp_path / "yolo"
    write_yolo(project, out, images=images)
    (out / "labels" / "train" / "notes.txt").write_text("mine")  # not a name the export writes
    write_yolo(project, out, images=images, val_fraction=0.5)
    train = {p.stem for p in (out / "images" / "train").iterdir()}
    val = {p.stem for p in (out / "images" / "val").iterdir()}
    assert len(val) == 2 and train == {"im1", "im2", "im3", "im4"} - val
    assert {p.stem for p in (out / "labels" / "val").iterdir()} == val
    assert {p.stem for p in (out / "labels" / "train").iterdir()} == train | {"notes"}
    back = read_yolo(out).project
    assert (
        sorted(im.extra["pixelproof"]["split"] for im in back.images.values()) == ["train"] * 2 + ["val"] * 2
    )


def test_a_validation_share_too_small_for_the_images_says_how_many_it_needs(tmp_path: Path) -> None:
    """README's `--to yolo --val-fraction 0.2` on three images wrote no validation split and told the user
    to use --val-fraction, which they had: it says now that 0.2 needs five images to hold one out."""
    project = new_project(["a"])
    project.path = tmp_path / "project.json"
    for i in range(1, 4):
        Image.fromarray(np.full((6, 8, 3), i, np.uint8)).save(tmp_path / f"im{i}.png")
        project.add_image(ImageRecord(i, f"im{i}.png", 8, 6))
    (split,) = [w for w in write_yolo(project, tmp_path / "a", val_fraction=0.2) if "validation split" in w]
    assert "(--val-fraction) of 0.2 needs at least 5 images without a split of their own" in split
    assert not [w for w in write_yolo(project, tmp_path / "b", val_fraction=0.34) if "validation split" in w]
    (split,) = [w for w in write_yolo(project, tmp_path / "c") if "validation split" in w]
    assert "a Validation share (--val-fraction) above 0 holds some images out" in split


def test_an_export_over_an_earlier_one_says_which_class_indices_moved(tmp_path: Path) -> None:
    """YOLO class indices are the categories' in id order: a class merged away since the last export
    shifted every later index, and a model trained on that export read the new labels as other classes,
    unsaid. A class renamed in place or added at the end moves no index and is not warned about."""
    from pixelproof.core import taxonomy

    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(tmp_path / "x.png")
    project = new_project(["cat", "kitten", "dog", "bird"])
    project.path = tmp_path / "project.json"
    project.add_image(ImageRecord(1, "x.png", 80, 60))
    project.add_annotation(Annotation(1, 1, 3, [10.0, 10.0, 20.0, 20.0], None, 400.0))
    out = tmp_path / "yolo"
    assert not any("indices" in w for w in write_yolo(project, out))
    taxonomy.rename_category(project, "bird", "songbird").apply(project)
    project.add_category(Category(9, "fish"))
    assert not any("indices" in w for w in write_yolo(project, out))
    taxonomy.merge_categories(project, "kitten", "cat").apply(project)
    moved = [w for w in write_yolo(project, out) if "indices" in w]
    assert len(moved) == 1 and "'dog' 2 -> 1; 'songbird' 3 -> 2; 'fish' 4 -> 3" in moved[0]
    assert read_yolo(out).project.categories[2].name == "dog"  # written all the same, as data.yaml says


@pytest.mark.parametrize("task", ["detect", "segment"])
def test_rows_written_twice_are_warned_about_with_the_image_and_count(task: str, tmp_path: Path) -> None:
    """A model's box accepted on top of the same hand-drawn box is two identical rows: Ultralytics drops one
    ("duplicate labels removed") without a word here. The export says which image and how many, and
    points at lint, which lists the pair as ``duplicate``."""
    from pixelproof.core.lint.engine import lint_project

    project = new_project(["scratch", "dent"])
    project.path = tmp_path / "project.json"
    for i in (1, 2):
        Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(tmp_path / f"im{i}.png")
        project.add_image(ImageRecord(i, f"im{i}.png", 80, 60))
    box = [10.0, 10.0, 20.0, 16.0]
    project.add_annotation(Annotation(1, 1, 1, list(box), None, 320.0))  # drawn by hand
    accepted = Annotation(2, 1, 1, list(box), None, 320.0, score=0.9, source="model:yolo", review="accepted")
    project.add_annotation(accepted)
    project.add_annotation(Annotation(3, 1, 2, list(box), None, 320.0))  # the same box, another class: kept
    project.add_annotation(Annotation(4, 2, 1, list(box), None, 320.0))  # the same box on another image
    warnings = write_yolo(project, tmp_path / "yolo", task=task)
    (said,) = [w for w in warnings if "Ultralytics drops them" in w]
    assert said.startswith("1 label row repeating another of the same class and box, on 1 image: im1.png (1)")
    assert "pixelproof lint" in said and "duplicate" in said
    rows = (tmp_path / "yolo" / "labels" / "train" / "im1.txt").read_text().splitlines()
    assert len(rows) == 3  # written as drawn: the export does not choose which of the two to keep
    assert [p.kind for p in lint_project(project).problems if p.kind == "duplicate"] == ["duplicate"]


def test_polygons_with_one_box_are_duplicates_to_ultralytics_too(tmp_path: Path) -> None:
    """For a segment dataset Ultralytics compares each row's class and the box around its polygon: a
    triangle drawn in a square's box is dropped as the square's duplicate."""
    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(tmp_path / "x.png")
    project = new_project(["a"])
    project.path = tmp_path / "project.json"
    project.add_image(ImageRecord(1, "x.png", 80, 60))
    square = [[10.0, 10.0, 30.0, 10.0, 30.0, 30.0, 10.0, 30.0]]
    triangle = [[10.0, 10.0, 30.0, 10.0, 10.0, 30.0]]
    box = [10.0, 10.0, 20.0, 20.0]
    project.add_annotation(Annotation(1, 1, 1, list(box), square, 400.0))
    project.add_annotation(Annotation(2, 1, 1, list(box), triangle, 200.0))
    warnings = write_yolo(project, tmp_path / "yolo", task="segment")
    assert any(w.startswith("1 label row repeating another of the same class and box, on 1 image: x.png (1)")
               for w in warnings)  # fmt: skip
