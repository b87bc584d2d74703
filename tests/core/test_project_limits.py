"""What ``validate`` refuses so that no later command crashes (issue 11, items 8, 10, 11, 14), the format 2
migration, and masks of images too big for one RLE (``rle_origin``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import orjson
import pytest
from pycocotools import mask as mask_utils

from pixelproof.cli import main
from pixelproof.core import limits, masks
from pixelproof.core.coco import (
    ProjectFormatError,
    load_project,
    new_project,
    project_from_dict,
    save_project,
)
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.project_json import parse_json
from tests.core.docs import H, W, valid_doc, write


def problems(doc: dict) -> list[str]:
    with pytest.raises(ProjectFormatError) as info:
        project_from_dict(doc)
    return info.value.problems


# -- item 8: values that used to crash pycocotools or ask for tens of GB -------------------------------


def test_huge_coordinates_and_ids_are_located_errors() -> None:
    doc = valid_doc()
    doc["annotations"][0]["segmentation"] = [[1.0, 1.0, 1e9, 1.0, 11.0, 11.0]]
    doc["annotations"][2]["bbox"] = [2, 3, 4e15, 5]
    doc["annotations"][1]["id"] = 2**64 - 1
    found = problems(doc)
    assert any(
        p.startswith("annotations[0].segmentation[0]: x = 1000000000.0 is too far outside") for p in found
    )
    assert any(p.startswith("annotations[2].bbox: x = 4000000000000002.0") for p in found)
    assert "annotations[1].id: id 18446744073709551615 is outside the signed 64-bit range" in "\n".join(found)
    doc = valid_doc()
    doc["images"][1]["id"] = -(2**63) - 1
    assert problems(doc)[0].startswith("images[1].id: id -9223372036854775809 is outside")


def test_coordinates_a_little_outside_the_image_are_fine() -> None:
    doc = valid_doc()  # images are 60 x 40
    doc["annotations"][0]["segmentation"] = [[-900.0, -900.0, 1000.0, 5.0, 5.0, 30.0]]
    doc["annotations"][0]["bbox"] = [-900.0, -900.0, 1900.0, 1900.0]
    ann = project_from_dict(doc).annotations[1]
    assert ann.segmentation == [[-900.0, -900.0, 1000.0, 5.0, 5.0, 30.0]]  # kept as written, not clipped
    assert ann.bbox == [-900.0, -900.0, 1900.0, 1900.0]
    h, w = H, W  # its pixels are the triangle's part in the image, as pycocotools rasterizes it
    expected = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(ann.segmentation, h, w)))
    assert 0 < expected.sum() < h * w and np.array_equal(ann.mask(h, w), expected.astype(bool))


def test_long_outlines_are_refused_before_rasterizing() -> None:
    doc = valid_doc()
    zigzag = [v for i in range(20_000) for v in ((i % 2) * 2000.0 - 1000.0, i * 0.001)]  # 40M px
    doc["annotations"][0]["segmentation"] = [zigzag]
    assert any("outline" in p and p.startswith("annotations[0].segmentation[0]") for p in problems(doc))


def test_declared_gigapixel_image_loads_but_is_not_decoded_at_once(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["images"][1].update(width=100_000, height=100_000)  # a slide: may be declared
    project = project_from_dict(doc)
    box = project.annotations[3]
    with pytest.raises(limits.LimitError, match="10,000,000,000 pixels"):
        box.mask(100_000, 100_000)  # a whole-image mask of it is over the pixel limit: refused, no crash
    doc["images"][1]["width"] = 2**31  # over what any image may declare
    assert problems(doc)[0] == "images[1].width: 2147483648 is over the limit of 2147483647 pixels per side"


def test_rle_of_two_to_the_32_pixels_is_refused_with_the_way_out() -> None:
    doc = valid_doc()
    doc["images"][0].update(width=65536, height=65536)
    doc["annotations"][1]["segmentation"] = {"size": [65536, 65536], "counts": [65536 * 65536]}
    doc["annotations"][0]["segmentation"] = [[1.0, 1.0, 11.0, 1.0, 11.0, 11.0]]
    [p] = problems(doc)
    assert p.startswith("annotations[1].segmentation.size: 65536 x 65536") and "rle_origin" in p


def test_masks_of_huge_images_are_stored_cropped_at_their_origin() -> None:
    m = np.zeros((30, 50), dtype=bool)
    m[12:20, 30:45] = True
    rle, origin = masks.encode_cropped(m)
    assert origin == [30, 12] and rle["size"] == [8, 15]
    doc = valid_doc()
    doc["images"][0].update(width=100_000, height=100_000)
    doc["annotations"] = [
        {"id": 9, "image_id": 1, "category_id": 1, "segmentation": rle, "iscrowd": 0,
         "pixelproof": {"rle_origin": [99_980, 99_990]}},
    ]  # fmt: skip
    project = project_from_dict(doc)
    ann = project.annotations[9]
    assert ann.bbox == [99_980.0, 99_990.0, 15.0, 8.0] and ann.area == 120.0  # derived from the crop
    doc["annotations"][0]["pixelproof"]["rle_origin"] = [99_990, 99_990]  # sticks out of the image
    [p] = problems(doc)
    assert "does not fit image 1" in p
    small = valid_doc()
    small["annotations"] = [
        {
            "id": 9,
            "image_id": 1,
            "category_id": 1,
            "segmentation": rle,
            "pixelproof": {"rle_origin": [30, 12]},
        }
    ]
    placed = project_from_dict(small).annotations[9].mask(40, 60)
    expected = np.zeros((40, 60), dtype=bool)
    expected[:30, :50] = m
    assert np.array_equal(placed, expected)


@pytest.mark.parametrize("seed", range(6))
def test_polygon_area_in_a_crop_equals_pycocotools_on_the_whole_image(seed: int) -> None:
    """The crop used for images too big for one RLE counts exactly what pycocotools counts."""
    rng = np.random.default_rng(seed)
    h, w = 97, 131
    poly = [float(v) for v in rng.uniform(-20, 150, 16).round(rng.integers(0, 4))]
    full = mask_utils.area(mask_utils.merge(mask_utils.frPyObjects([poly], h, w)))
    box = masks.polygons_bbox([poly])
    assert masks._polygons_area_cropped([poly], box, h, w) == full


# -- item 10: non-regular files --------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_fifo_as_project_is_refused_without_hanging(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo)]) == 1
    assert "FIFO" in capsys.readouterr().err


# -- item 11: deep JSON, bytes that are not UTF-8 ----------------------------------------------------


def test_json_nested_beyond_any_parser_is_a_located_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"images": [], "x": ' + "[" * 5000 + "]" * 5000 + "}")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nested deeper" in err and "Traceback" not in err


def test_values_nested_too_deep_to_save_again_are_refused() -> None:
    doc = valid_doc()
    deep: list = []
    for _ in range(300):
        deep = [deep]
    doc["annotations"][0]["pixelproof"] = {"flags": deep}
    doc["images"][0]["meta"] = deep
    found = problems(doc)
    assert "annotations[0].pixelproof.flags: nested deeper than 200 levels" in found
    assert "images[0].meta: nested deeper than 200 levels" in found


def test_extra_keys_of_an_rle_object_are_checked_as_every_kept_value_is(tmp_path: Path) -> None:
    """Keys an RLE object holds besides size and counts are kept like any extra: NaN there was written
    back as null (a changed value) and deep nesting loaded but could never be saved."""
    deep: list = []
    for _ in range(300):
        deep = [deep]
    doc = valid_doc()
    [rle_row] = [i for i, a in enumerate(doc["annotations"]) if isinstance(a.get("segmentation"), dict)]
    doc["annotations"][rle_row]["segmentation"]["deep"] = deep
    doc["annotations"][rle_row]["segmentation"]["bad"] = float("nan")
    found = problems(doc)
    assert f"annotations[{rle_row}].segmentation.deep: nested deeper than 200 levels" in found
    assert (
        f"annotations[{rle_row}].segmentation.bad: holds nan: not a finite number (JSON cannot store it)"
        in found
    )
    doc = valid_doc()
    doc["annotations"][rle_row]["segmentation"]["tool"] = {"name": "x", "version": [1, 2]}
    path = save_project(project_from_dict(doc), tmp_path / "p.json")
    assert json.loads(path.read_text())["annotations"][rle_row]["segmentation"]["tool"] == {
        "name": "x",
        "version": [1, 2],
    }


def test_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    raw = path.read_bytes().replace(b'"cat"', b'"c\xe9t"', 1)
    path.write_bytes(raw)
    with pytest.raises(ProjectFormatError) as info:
        load_project(path)
    [p] = info.value.problems
    assert p.startswith("not UTF-8 text: byte 0xe9 at line ")


# -- item 14: duplicate category names -----------------------------------------------------------------


def test_duplicate_category_names_are_reported(tmp_path: Path, capsys) -> None:
    doc = valid_doc()
    doc["categories"][1]["name"] = "cat"
    path = write(tmp_path / "p.json", doc)
    assert main(["validate", str(path)]) == 1
    assert "categories[1].name: duplicate name 'cat' (also categories[0])" in capsys.readouterr().err


def test_foreign_coco_with_duplicate_names_imports_them_apart(tmp_path: Path) -> None:
    from pixelproof.interop import read_coco

    doc = valid_doc()
    doc["categories"][1]["name"] = "cat"
    result = read_coco(write(tmp_path / "p.json", doc))
    names = sorted(c.name for c in result.project.categories.values())
    assert names == ["cat", "cat (2)"] and len(result.project.annotations) == 3
    assert any("duplicate name 'cat'" in p and "renamed" in p for p in result.problems)


# -- format 2 ------------------------------------------------------------------------------------------


def test_format_1_is_migrated_on_save(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["pixelproof"] = {"format": 1}
    doc["annotations"][0]["pixelproof"] = {"review": "pending"}  # a manual object, pending in v1
    doc["annotations"][1]["pixelproof"] = {"review": "pending", "source": "model:yolo-onnx/a.onnx@1"}
    doc["annotations"][2]["pixelproof"] = {"review": "accepted", "source": "manual"}
    path = write(tmp_path / "p.json", doc)
    project = load_project(path)
    assert project.loaded_format == 1 and not project.applies_exif
    assert [a.review for a in project.annotations.values()] == [None, "pending", "accepted"]
    save_project(project)
    saved = json.loads(path.read_text())
    assert saved["pixelproof"]["format"] == 2 and saved["pixelproof"]["exif_orientation"] == "ignore"
    assert "review" not in saved["annotations"][0].get("pixelproof", {})
    again = load_project(path)
    assert again.loaded_format == 2 and again == project


def test_new_projects_are_format_2_and_apply_exif(tmp_path: Path) -> None:
    project = new_project(["a"])
    project.add_image(ImageRecord(1, "x.png", 10, 10))
    project.add_annotation(Annotation(1, 1, 1, [1.0, 1.0, 2.0, 2.0]))
    save_project(project, tmp_path / "p.json")
    saved = json.loads((tmp_path / "p.json").read_text())
    assert saved["pixelproof"]["format"] == 2 and load_project(tmp_path / "p.json").applies_exif
    doc = valid_doc()
    doc["pixelproof"] = {"format": 3}
    assert problems(doc) == ["pixelproof.format: version 3 is newer than this PixelProof understands (2)"]
    doc["pixelproof"] = {"format": 2, "exif_orientation": "sometimes"}
    assert problems(doc) == ["pixelproof.exif_orientation: expected one of apply, ignore, got 'sometimes'"]


def test_a_kept_integer_json_cannot_write_is_read_as_orjson_reads_it(tmp_path: Path) -> None:
    """A 400-digit number kept in an annotation's extras (orjson refuses it, so the stdlib parser read
    the file): kept as an int, the project loaded and validated, then every save failed ("Integer exceeds
    64-bit range"). Now both parsers read an integer alike: 10**20 a float, 400 digits infinity, refused
    naming where it is."""
    doc = valid_doc()
    doc["annotations"][1]["num_keypoints"] = 10**400
    with pytest.raises(ProjectFormatError, match=r"annotations\[1\]\.num_keypoints: holds inf"):
        load_project(write(tmp_path / "p.json", doc))
    read = parse_json(
        b'{"n": 100000000000000000000, "m": -9223372036854775808, "u": 18446744073709551615, "x": NaN}',
        "p.json",
    )
    assert read["n"] == orjson.loads(b"100000000000000000000") and type(read["n"]) is float
    assert read["m"] == -(2**63) and read["u"] == 2**64 - 1
