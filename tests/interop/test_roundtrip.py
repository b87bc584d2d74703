"""Round trips keep what the target format can hold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.model import Annotation, Project
from pixelproof.interop import read_coco, write_coco
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.labelme_writer import write_labelme
from pixelproof.interop.masks_folder import read_masks, write_masks
from pixelproof.interop.voc import read_voc, write_voc
from pixelproof.interop.yolo import read_yolo, write_yolo


def _by_stem(project: Project) -> dict[str, list[Annotation]]:
    return {
        Path(im.file_name).stem: sorted(project.annotations_of(im.id), key=lambda a: a.id)
        for im in project.images.values()
    }


def _name(project: Project, a: Annotation) -> str:
    return project.categories[a.category_id].name


def _via_coco(project: Project, tmp_path: Path) -> Project:
    """Write the result to a COCO file and read it back, as ``convert --to coco`` would."""
    assert write_coco(project, tmp_path / "back" / "project.json") == []
    result = read_coco(tmp_path / "back" / "project.json")
    assert result.problems == []
    return result.project


def test_coco_labelme_coco(sample_project: Project, tmp_path: Path) -> None:
    warnings = write_labelme(sample_project, tmp_path / "lm")
    assert warnings == []
    result = read_labelme(tmp_path / "lm")
    assert result.problems == [] and not result.skipped
    back = _via_coco(result.project, tmp_path)
    assert [c.name for c in back.categories.values()] == ["cat", "dog", "traffic light"]
    for image in back.images.values():  # the image files are found from the new location
        assert back.image_path(image).is_file()
    orig, new = _by_stem(sample_project), _by_stem(back)
    assert orig.keys() == new.keys()
    for stem in orig:
        im = next(i for i in sample_project.images.values() if Path(i.file_name).stem == stem)
        assert len(orig[stem]) == len(new[stem])
        for a, b in zip(orig[stem], new[stem], strict=True):
            assert _name(sample_project, a) == _name(back, b)
            assert a.kind == b.kind
            assert np.allclose(a.bbox, b.bbox)
            if a.kind == "polygon":
                assert len(a.segmentation) == len(b.segmentation)
                for p, q in zip(a.segmentation, b.segmentation, strict=True):
                    assert np.allclose(p, q)
            assert np.array_equal(a.mask(im.height, im.width), b.mask(im.height, im.width))
            assert (a.score, a.review, a.note) == (b.score, b.review, b.note)


def test_coco_yolo_coco_segment(sample_project: Project, tmp_path: Path) -> None:
    warnings = write_yolo(sample_project, tmp_path / "yolo", images="copy")
    assert any("holes" in w for w in warnings)
    assert any("several parts" in w for w in warnings)
    assert any("4-corner polygons" in w for w in warnings)
    assert (tmp_path / "yolo" / "labels" / "train" / "a.txt").is_file()
    assert (tmp_path / "yolo" / "images" / "train" / "a.png").is_file()
    result = read_yolo(tmp_path / "yolo" / "data.yaml")
    assert result.problems == []
    back = _via_coco(result.project, tmp_path)
    assert [c.name for c in back.categories.values()] == ["cat", "dog", "traffic light"]
    orig, new = _by_stem(sample_project), _by_stem(back)
    # b's two-part polygon became two objects: one YOLO line per part
    assert [len(v) for v in new.values()] == [3, 3]
    for stem in orig:
        im = next(i for i in back.images.values() if Path(i.file_name).stem == stem)
        h, w = im.height, im.width
        for a in orig[stem]:
            theirs = [b for b in new[stem] if _name(back, b) == _name(sample_project, a)]
            union = np.zeros((h, w), dtype=bool)
            for b in theirs:
                union |= b.mask(h, w)
            expected = a.mask(h, w)
            if a.kind == "mask":  # YOLO polygons cannot hold the hole: it comes back filled
                from scipy import ndimage

                expected = ndimage.binary_fill_holes(expected)
            assert np.array_equal(union, expected), (stem, _name(sample_project, a))
            assert all(b.kind == "polygon" for b in theirs)


def test_coco_yolo_coco_detect_keeps_boxes_and_splits(sample_project: Project, tmp_path: Path) -> None:
    warnings = write_yolo(sample_project, tmp_path / "yolo", task="detect", val_fraction=0.5)
    assert any("bounding boxes" in w for w in warnings)
    assert sorted(p.name for p in (tmp_path / "yolo" / "labels").iterdir()) == ["train", "val"]
    result = read_yolo(tmp_path / "yolo")
    assert result.problems == []
    back = result.project
    assert sorted(im.extra["pixelproof"]["split"] for im in back.images.values()) == ["train", "val"]
    orig, new = _by_stem(sample_project), _by_stem(back)
    for stem in orig:
        assert [_name(sample_project, a) for a in orig[stem]] == [_name(back, b) for b in new[stem]]
        for a, b in zip(orig[stem], new[stem], strict=True):
            assert b.kind == "box"
            assert np.allclose(a.bbox, b.bbox, atol=1e-3)
    # the split is kept on the way back out
    write_yolo(back, tmp_path / "again", task="detect")
    assert sorted(p.name for p in (tmp_path / "again" / "labels").iterdir()) == ["train", "val"]


@pytest.mark.parametrize("images", ["link", "keep"])
def test_coco_masks_coco_instance_pixel_exact(sample_project: Project, tmp_path: Path, images: str) -> None:
    warnings = write_masks(sample_project, tmp_path / "masks", images=images)
    assert warnings == ["2 box-only objects written as filled boxes"]
    result = read_masks(tmp_path / "masks")
    assert result.problems == []
    back = _via_coco(result.project, tmp_path)
    orig, new = _by_stem(sample_project), _by_stem(back)
    for stem in orig:
        im = next(i for i in back.images.values() if Path(i.file_name).stem == stem)
        assert [_name(sample_project, a) for a in orig[stem]] == [_name(back, b) for b in new[stem]]
        for a, b in zip(orig[stem], new[stem], strict=True):
            assert b.kind == "mask"
            assert np.array_equal(a.mask(im.height, im.width), b.mask(im.height, im.width))
    hole = new["a"][2].mask(60, 80)
    assert not hole[40, 22] and hole[32, 12]  # the hole is still a hole


def test_coco_masks_coco_semantic(sample_project: Project, tmp_path: Path) -> None:
    write_masks(sample_project, tmp_path / "sem", mode="semantic")
    result = read_masks(tmp_path / "sem", mode="semantic")
    assert result.problems == []
    back = result.project
    assert {c.id: c.name for c in back.categories.values()} == {1: "cat", 2: "dog", 3: "traffic light"}
    for stem, anns in _by_stem(sample_project).items():
        im = next(i for i in back.images.values() if Path(i.file_name).stem == stem)
        h, w = im.height, im.width
        for cat in sample_project.categories.values():
            want = np.zeros((h, w), dtype=bool)
            for a in anns:
                if a.category_id == cat.id:
                    want |= a.mask(h, w)
            got = np.zeros((h, w), dtype=bool)
            for b in back.annotations_of(im.id):
                if _name(back, b) == cat.name:
                    got |= b.mask(h, w)
            assert np.array_equal(want, got)


def test_masks_semantic_category_name_with_a_line_break(sample_project: Project, tmp_path: Path) -> None:
    """classes.txt is line n = class value n: a name with a line break written as it is made the next
    class's objects come back under the second half of that name (dog as 'cat') and shifted every later
    class."""
    sample_project.categories[1].name = "tabby\ncat"
    warnings = write_masks(sample_project, tmp_path / "sem", mode="semantic")
    assert any("one line" in w for w in warnings)
    back = read_masks(tmp_path / "sem", mode="semantic").project
    assert {c.id: c.name for c in back.categories.values()} == {1: "tabby cat", 2: "dog", 3: "traffic light"}
    want = sorted(_name(sample_project, a).replace("\n", " ") for a in sample_project.annotations.values())
    assert sorted(set(want)) == sorted({_name(back, a) for a in back.annotations.values()})


def test_masks_16bit_when_more_than_255_objects(tmp_path: Path) -> None:
    from PIL import Image

    from pixelproof.core import masks
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord

    project = new_project(["dot"])
    Image.new("L", (40, 20)).save(tmp_path / "dots.png")
    project.path = tmp_path / "p.json"
    project.add_image(ImageRecord(1, "dots.png", 40, 20))
    for k in range(300):
        m = np.zeros((20, 40), dtype=bool)
        m[k // 20, (k % 20) * 2] = True
        project.add_annotation(Annotation(k + 1, 1, 1, masks.bbox(m), masks.encode(m), 1.0))
    warnings = write_masks(project, tmp_path / "out")
    assert "1 mask written as 16-bit PNGs (more than 254 ids)" in warnings
    assert Image.open(tmp_path / "out" / "masks" / "dots.png").mode.startswith("I")
    back = read_masks(tmp_path / "out").project
    assert len(back.annotations) == 300
    assert all(a.area == 1 for a in back.annotations.values())


def test_coco_voc_coco(sample_project: Project, tmp_path: Path) -> None:
    sample_project.annotations[1].app_extra["difficult"] = 1
    warnings = write_voc(sample_project, tmp_path / "voc", images="copy")
    assert "3 polygon/mask objects written as bounding boxes (VOC XML holds boxes)" in warnings
    assert (tmp_path / "voc" / "JPEGImages" / "b.jpg").is_file()
    result = read_voc(tmp_path / "voc")
    assert result.problems == []
    back = _via_coco(result.project, tmp_path)
    orig, new = _by_stem(sample_project), _by_stem(back)
    for stem in orig:
        for a, b in zip(orig[stem], new[stem], strict=True):
            assert _name(sample_project, a) == _name(back, b) and b.kind == "box"
            x, y, w, h = a.bbox
            x1, y1, x2, y2 = round(x), round(y), round(x + w), round(y + h)
            assert b.bbox == [x1, y1, x2 - x1, y2 - y1]  # whole pixels, the VOC way
    assert new["a"][0].app_extra["difficult"] == 1


def test_coco_reader_remaps_and_tolerates_foreign_files(tmp_path: Path) -> None:
    import json

    doc = {
        "images": [{"id": 0, "file_name": "x.jpg", "width": 10, "height": 10}],
        "categories": [{"id": 0, "name": "a"}, {"id": 7, "name": "b"}],
        "annotations": [
            {"id": 0, "image_id": 0, "category_id": 7, "bbox": [1, 1, 2, 2], "segmentation": [], "area": 4},
            {"id": 1, "image_id": 0, "category_id": 9, "bbox": [1, 1, 2, 2], "area": 4},
            {"id": 2, "image_id": 0, "category_id": 0, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0},
        ],
    }
    (tmp_path / "foreign.json").write_text(json.dumps(doc))
    seen: list[str] = []
    result = read_coco(tmp_path / "foreign.json", remap_categories=True, on_problem=seen.append)
    assert seen == result.problems
    assert any("annotations[1].category_id: category 9 does not exist; skipped" in p for p in seen)
    assert any("x.jpg not found" in p for p in seen)
    project = result.project
    assert {c.id: c.name for c in project.categories.values()} == {1: "a", 2: "b"}
    assert sorted((a.id, a.category_id, a.kind) for a in project.annotations.values()) == [
        (0, 2, "box"),
        (2, 1, "box"),
    ]
    assert result.skipped == {"annotations": 1}


def test_masks_of_images_named_past_the_file_system_limit_and_too_large(tmp_path: Path) -> None:
    """Found by the fuzzer: a 300-character image name stopped the export (a mask file name over 255
    bytes); an image over the size limit stops it with LimitError, as before the masks ran on workers."""
    from PIL import Image

    from pixelproof.core.coco import new_project
    from pixelproof.core.limits import LimitError
    from pixelproof.core.model import ImageRecord

    project = new_project(["dot"])
    project.path = tmp_path / "p.json"
    long_a, long_b = "é" * 150 + "a.png", "é" * 150 + "b.png"  # 300+ bytes each, alike for 300 bytes
    for image_id, name in enumerate((long_a, long_b), start=1):
        project.add_image(ImageRecord(image_id, name, 8, 6))
        project.add_annotation(Annotation(image_id, image_id, 1, [1, 1, 2, image_id], None, 1.0))
    write_masks(project, tmp_path / "out", images="keep")
    written = sorted(p.name for p in (tmp_path / "out" / "masks").iterdir())
    assert len(written) == 2 and all(len(n.encode()) <= 255 for n in written)
    drawn = [int((np.asarray(Image.open(tmp_path / "out" / "masks" / n)) == 1).sum()) for n in written]
    assert sorted(drawn) == [2, 4]  # each image's own box, in a file of its own
    project.add_image(ImageRecord(3, "huge.png", 10**6, 10**6))
    with pytest.raises(LimitError, match=r"huge\.png"):
        write_masks(project, tmp_path / "again", images="keep")
