"""Hostile files for the less-travelled readers (a number where a list is, a run count of 1e308, a million
bad rows, ...): each problem is one message naming its file and place, a flood of them a few lines and a
count, the rest of the dataset still imports, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pixelproof.interop.datumaro import read_datumaro
from pixelproof.interop.openimages import read_openimages


def _datumaro(tmp_path: Path, doc: dict) -> Path:
    (tmp_path / "images" / "default").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "default" / "a.png")
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_text(json.dumps(doc))
    return tmp_path


def test_datumaro_values_of_the_wrong_type_are_skipped_with_their_place(tmp_path: Path) -> None:
    """``annotations: 5``, ``labels: 7``, ``colormap: 5`` and RLE counts of 1e308 each stopped the whole
    import with a TypeError or OverflowError."""
    box = {"type": "bbox", "label_id": 0, "bbox": [1, 1, 2, 2]}
    huge = {"type": "mask", "label_id": 0, "rle": {"size": [10, 20], "counts": [1e308, 5]}}
    doc = {
        "categories": {"label": {"labels": [{"name": "cat"}]}, "mask": {"colormap": 5}},
        "items": [
            {"id": "a", "image": {"path": "a.png", "size": [10, 20]}, "annotations": 5},
            {"id": "b", "image": {"path": "a.png", "size": [10, 20]}, "annotations": [huge, box]},
        ],
    }
    result = read_datumaro(_datumaro(tmp_path, doc))
    said = "\n".join(result.problems)
    assert "default.json: items[0] ('a'): annotations is 5, not a list; skipped" in said
    assert "default.json: items[1] ('b'): annotations[0] (mask):" in said
    assert [a.bbox for a in result.project.annotations.values()] == [[1.0, 1.0, 2.0, 2.0]]
    doc["categories"] = {"label": {"labels": 7}}
    assert read_datumaro(_datumaro(tmp_path / "2", doc)).project.images  # no labels, items still read


def test_openimages_a_flood_of_bad_rows_is_a_few_lines_and_a_count(tmp_path: Path) -> None:
    """300,000 rows naming images that are not there printed 300,001 lines (one per row): the first few
    of each kind are named with their line, the rest counted per file, every one still counted skipped."""
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "train" / "a.jpg")
    head = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\n"
    rows = [f"gone{k},x,/m/1,1,0.1,0.5,0.1,0.5\n" for k in range(40)] + ["a,x,/m/1,1,0.1,0.5,0.1,0.5\n"]
    rows += ["a,x,/m/1,1,nan,0.5,0.1,0.5\n"] * 40
    (tmp_path / "train-annotations-bbox.csv").write_text(head + "".join(rows))
    result = read_openimages(tmp_path)
    assert len(result.project.annotations) == 1
    assert result.skipped["images"] == 40 and result.skipped["boxes"] == 40
    csv = tmp_path / "train-annotations-bbox.csv"
    assert f"... and 35 more images not found in {csv}" in result.problems
    assert f"... and 35 more boxes skipped in {csv}" in result.problems
    assert f"{csv}:2: image gone0 not found" in "\n".join(result.problems)
    assert len(result.problems) < 20


def test_builder_numbers_new_categories_without_scanning_them_all(tmp_path: Path, monkeypatch) -> None:
    """Each new category asked ``next_category_id``, a scan of every category: 200,000 KITTI types (one
    line each) ran for minutes. The builder counts its ids, above any id given (a dataset's own) or added
    beside it, so they stay unique."""
    from pixelproof.core.model import Category, Project
    from pixelproof.interop._util import Builder, folder_project

    build = Builder(folder_project(tmp_path))

    def scan(self: Project, count: int = 1) -> int:
        raise AssertionError("a scan of every category")

    monkeypatch.setattr(Project, "next_category_id", scan)
    assert build.category("a").id == 1
    assert build.category("b", 7).id == 7  # a dataset's id, free
    assert build.category("c").id == 8
    build.project.add_category(Category(9, "added beside"))
    assert build.category("d", 1).id == 10  # 1 is taken
    assert len({c.id for c in build.project.categories.values()}) == 5


def test_kitti_a_flood_of_bad_lines_is_a_few_lines_and_a_count(tmp_path: Path) -> None:
    """300,000 lines of 14 values printed 300,000 lines: the first 5 are named, the rest counted."""
    from pixelproof.interop.kitti import read_kitti

    (tmp_path / "image_2").mkdir()
    Image.new("RGB", (20, 10)).save(tmp_path / "image_2" / "a.png")
    (tmp_path / "label_2").mkdir()
    good = "Car 0 0 0 1 1 5 5 1 1 1 1 1 1 0\n"
    (tmp_path / "label_2" / "a.txt").write_text(good + "Car 0 0 0 1 1 5 5 1 1 1 1 1 1\n" * 30 + good)
    result = read_kitti(tmp_path)
    assert len(result.project.annotations) == 2 and result.skipped["lines"] == 30
    assert f"{tmp_path / 'label_2' / 'a.txt'}:2: expected 15 values" in "\n".join(result.problems)
    assert result.problems[-1] == f"... and 25 more lines skipped in {tmp_path / 'label_2' / 'a.txt'}"
    assert len(result.problems) == 6


def _rgb_mask_folder(tmp_path: Path) -> Path:
    import numpy as np

    (tmp_path / "images").mkdir(parents=True)
    (tmp_path / "masks").mkdir()
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "a.png")
    pixels = np.zeros((10, 20, 3), np.uint8)
    pixels[2:5, 2:5] = (128, 0, 0)
    Image.fromarray(pixels).save(tmp_path / "masks" / "a.png")
    return tmp_path


def test_masks_colour_map_entries_out_of_range_are_said_and_the_others_kept(tmp_path: Path) -> None:
    """A colour component of 99999999999999999999 (labelmap.txt, label_colors.txt) or 1e308
    (dataset_meta.json) stopped the import with an OverflowError; two components failed every mask as
    "not a readable PNG". That entry is said with its line or index; the next classes keep their values."""
    from pixelproof.interop.masks_folder import read_masks

    maps = {
        "labelmap.txt": (
            "background:0,0,0::\nbad:99999999999999999999,0,0::\nshort:1,2::\ndog:128,0,0::\n",
            ":2",
        ),
        "label_colors.txt": (
            "0 0 0 background\n99999999999999999999 0 0 bad\n1 2 short\n128 0 0 dog\n",
            ":2",
        ),
        "dataset_meta.json": (
            json.dumps(
                {
                    "label_map": {"0": "background", "1": "bad", "2": "short", "3": "dog"},
                    "segmentation_colors": [[0, 0, 0], [1e308, 0, 0], [1, 2], [128, 0, 0]],
                }
            ),
            ": segmentation_colors[1]",
        ),
    }
    for name, (text, place) in maps.items():
        root = _rgb_mask_folder(tmp_path / name)
        (root / name).write_text(text)
        result = read_masks(root)
        assert f"{root / name}{place}: colour " in "\n".join(result.problems), name
        names = {result.project.categories[a.category_id].name for a in result.project.annotations.values()}
        assert names == {"dog"}, name


def test_masks_class_map_values_past_64_bits_are_that_entry_only(tmp_path: Path) -> None:
    """A class map value past 64 bits (classes.json key, classes.csv row) ended the whole import with
    "id ... is outside the signed 64-bit range"; a key that is no integer ignored the whole map."""
    import numpy as np

    from pixelproof.interop.masks_folder import read_masks

    for name, text in {
        "classes.json": json.dumps({"1": "cat", "9" * 30: "huge", "abc": "word"}),
        "classes.csv": "value,class\n1,cat\n" + "9" * 30 + ",huge\n",
    }.items():
        root = tmp_path / name
        (root / "images").mkdir(parents=True)
        (root / "masks").mkdir()
        Image.new("RGB", (20, 10)).save(root / "images" / "a.png")
        pixels = np.zeros((10, 20), np.uint8)
        pixels[2:5, 2:5] = 1
        Image.fromarray(pixels).save(root / "masks" / "a.png")
        (root / name).write_text(text)
        result = read_masks(root)
        assert "outside the signed 64-bit range" in "\n".join(result.problems), name
        names = {result.project.categories[a.category_id].name for a in result.project.annotations.values()}
        assert names == {"cat"}, name


def test_cityscapes_a_flood_of_bad_objects_or_unknown_ids_is_a_few_lines_and_a_count(tmp_path: Path) -> None:
    """100,000 two-point polygons printed 100,001 lines, and a KITTI/Cityscapes 16-bit id PNG of 1,024
    unknown label ids a line for each: the first 5 are named, the rest counted per file."""
    import numpy as np

    from pixelproof.interop.cityscapes import read_cityscapes
    from pixelproof.interop.kitti import read_kitti

    photo = tmp_path / "cs" / "leftImg8bit" / "train" / "c" / "c_000000_000000_leftImg8bit.png"
    photo.parent.mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(photo)
    gt = tmp_path / "cs" / "gtFine" / "train" / "c" / "c_000000_000000_gtFine_polygons.json"
    gt.parent.mkdir(parents=True)
    objects = [{"label": "car", "polygon": [[0, 0], [1, 1]]}] * 30
    objects.append({"label": "car", "polygon": [[1, 1], [5, 1], [5, 5]]})
    gt.write_text(json.dumps({"imgWidth": 20, "imgHeight": 10, "objects": objects}))
    result = read_cityscapes(tmp_path / "cs")
    assert len(result.project.annotations) == 1 and result.skipped["objects"] == 30
    assert result.problems[-1] == f"... and 25 more objects skipped in {gt}" and len(result.problems) == 6

    (tmp_path / "kitti" / "image_2").mkdir(parents=True)
    Image.new("RGB", (64, 16)).save(tmp_path / "kitti" / "image_2" / "a.png")
    (tmp_path / "kitti" / "semantic").mkdir()
    ids = np.repeat(np.arange(1000, 1064, dtype=np.uint16)[None, :], 16, axis=0)  # 64 unknown label ids
    Image.fromarray(ids).save(tmp_path / "kitti" / "semantic" / "a.png")
    result = read_kitti(tmp_path / "kitti")
    assert len(result.project.annotations) == 64
    png = tmp_path / "kitti" / "semantic" / "a.png"
    assert result.problems[-1] == f"... and 59 more label ids not in the Cityscapes table in {png}"
    assert len(result.problems) == 6


def test_waymo_a_flood_of_bad_rows_is_a_few_lines_and_a_count(tmp_path: Path) -> None:
    """200,000 camera_box rows of NaN centres printed 200,000 lines: the first 5 are named, the rest
    counted per file."""
    import pytest

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from pixelproof.interop.waymo import read_waymo

    box = "[CameraBoxComponent]"
    n = 30
    table = pa.table(
        {
            "key.segment_context_name": ["s"] * n,
            "key.frame_timestamp_micros": [1] * n,
            "key.camera_name": [1] * n,
            f"{box}.box.center.x": [float("nan")] * (n - 1) + [10.0],
            f"{box}.box.center.y": [10.0] * n,
            f"{box}.box.size.x": [4.0] * n,
            f"{box}.box.size.y": [4.0] * n,
            f"{box}.type": [1] * n,
        }
    )
    (tmp_path / "camera_box").mkdir()
    pq.write_table(table, tmp_path / "camera_box" / "seg.parquet")
    result = read_waymo(tmp_path)
    assert len(result.project.annotations) == 1 and result.skipped["boxes"] == n - 1
    file = tmp_path / "camera_box" / "seg.parquet"
    assert f"... and {n - 6:,} more boxes skipped in {file}" in result.problems
    assert len(result.problems) == 7  # 5 named, the count, the cameras' published sizes
