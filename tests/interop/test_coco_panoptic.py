"""COCO panoptic: Datumaro's sample (written by another tool), panopticapi's id encoding, a pixel round trip
checked without pycocotools, and each disagreement between a JSON and its PNGs said with its place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.wording import plural
from pixelproof.interop.coco_io import read_coco
from pixelproof.interop.coco_panoptic import read_coco_panoptic, write_coco_panoptic
from pixelproof.interop.formats import FORMATS, detect_format
from pixelproof.interop.panoptic import id2rgb, read_rgb_ids, rgb2id
from tests.interop.conftest import _add

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_panoptic"


# panopticapi/utils.py (github.com/cocodataset/panopticapi, MIT), as published: panopticapi is not installed
# here (not on PyPI as a wheel), so its two functions are re-derived from its source, not imported
def panopticapi_rgb2id(color):  # type: ignore[no-untyped-def]
    if isinstance(color, np.ndarray) and len(color.shape) == 3:
        if color.dtype == np.uint8:
            color = color.astype(np.int32)
        return color[:, :, 0] + 256 * color[:, :, 1] + 256 * 256 * color[:, :, 2]
    return int(color[0] + 256 * color[1] + 256 * 256 * color[2])


def panopticapi_id2rgb(id_map):  # type: ignore[no-untyped-def]
    if isinstance(id_map, np.ndarray):
        id_map_copy = id_map.copy()
        rgb_shape = tuple(list(id_map.shape) + [3])  # noqa: RUF005 (as published)
        rgb_map = np.zeros(rgb_shape, dtype=np.uint8)
        for i in range(3):
            rgb_map[..., i] = id_map_copy % 256
            id_map_copy //= 256
        return rgb_map
    color = []
    for _ in range(3):
        color.append(id_map % 256)
        id_map //= 256
    return color


def _png_ids(path: Path) -> np.ndarray:
    """A written PNG's segment ids as panopticapi reads them (PIL, then its rgb2id)."""
    return panopticapi_rgb2id(np.array(Image.open(path), dtype=np.uint8))


def test_ids_are_panopticapis_both_ways() -> None:
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (31, 17, 3), dtype=np.uint8)
    rgb[0, :3] = [[0, 0, 0], [255, 255, 255], [7, 7, 7]]  # void, the largest id, Datumaro's 460551
    ours = rgb2id(rgb)
    assert np.array_equal(ours, panopticapi_rgb2id(rgb))
    assert ours[0, 1] == (1 << 24) - 1 and ours[0, 2] == 460551
    assert np.array_equal(id2rgb(ours), panopticapi_id2rgb(ours.astype(np.int64)))
    assert np.array_equal(id2rgb(ours), rgb)
    png = DATA / "annotations" / "panoptic_val" / "b.png"
    assert np.array_equal(read_rgb_ids(png), _png_ids(png))


def test_datumaro_sample_reads_as_datumaro_reads_it_and_its_disagreements_are_said() -> None:
    """Datumaro's test (``test_can_import_panoptic``) expects b.jpg's two masks - columns 0-1 of ``a``
    (id 7), columns 2-3 of ``b`` (id 20, a crowd) - and both classes as stuff (isthing 0). Its JSON's
    bboxes are not the pixels' ([0, 0, 1, 9] for a 2 x 10 segment): said, the pixels read. Its a.png is
    5 x 5 for the 10 x 5 image a.jpg; Datumaro reads it anyway as a 5 x 5 mask: here that is said and its
    segment skipped (a mask must be the image's size)."""
    assert detect_format(DATA).name == "coco-panoptic"
    assert detect_format(DATA / "annotations" / "panoptic_val.json").name == "coco-panoptic"
    result = FORMATS["coco-panoptic"].read(DATA)
    project = result.project
    names = {c.id: c.name for c in project.categories.values()}
    assert sorted(names.values()) == ["a", "b"]
    assert {c.name: c.extra["isthing"] for c in project.categories.values()} == {"a": 0, "b": 0}
    b = next(im for im in project.images.values() if im.file_name.endswith("b.jpg"))
    assert b.file_name == "images/val/b.jpg" and b.extra["pixelproof"]["split"] == "val"
    got = sorted(
        (names[a.category_id], a.mask(b.height, b.width).astype(int).tolist(), a.iscrowd, a.app_extra)
        for a in project.annotations_of(b.id)
    )
    assert got == [
        ("a", [[1, 1, 0, 0, 0]] * 10, 0, {"coco_panoptic": {"id": 7}}),
        ("b", [[0, 0, 1, 1, 0]] * 10, 1, {"coco_panoptic": {"id": 20}}),
    ]
    a = next(im for im in project.images.values() if im.file_name.endswith("a.jpg"))
    assert (a.width, a.height) == (10, 5) and project.annotations_of(a.id) == []
    train, val = (str(DATA / "annotations" / f"panoptic_{s}.json") for s in ("train", "val"))
    assert result.problems == [
        f"{train}: annotations[0] (a.png): the PNG is 5 x 5 but image images/train/a.jpg is 10 x 5; its 1 "
        "segment skipped",
        f"{val}: annotations[0] (b.png): area or bbox other than the PNG's pixels: segments_info[0] (id 7): "
        "bbox [0.0, 0.0, 1.0, 9.0] (pixels [0, 0, 2, 10]); segments_info[1] (id 20): bbox [2.0, 0.0, 1.0, "
        "9.0] (pixels [2, 0, 2, 10]); the pixels are read",
    ]
    assert result.skipped == {"annotations": 1}
    assert project.image_status(a.id) != "done"  # its record skipped something: no checked negative
    one = read_coco_panoptic(DATA / "annotations" / "panoptic_val.json").project  # one split, by its file
    assert [im.file_name for im in one.images.values()] == ["images/val/b.jpg"]


def _scene(tmp_path: Path) -> tuple[Project, dict[str, np.ndarray]]:
    """Two images, masks and boxes only (their pixels known without pycocotools): on ``x.png`` a road
    (stuff, isthing 0) under a car with a hole and a crowd of cars over that car, and a person wholly under
    a later bus; on ``y.jpg`` (split val) one box. Returns the project and, per image, the expected owner
    map (the id of the annotation on top, 0 none) painted in id order with numpy."""
    src = tmp_path / "src"
    src.mkdir()
    project = new_project(["road", "car", "person", "bus"])
    project.categories[1].extra["isthing"] = 0
    project.categories[1].supercategory = "flat"
    project.categories[2].color = "#102030"
    rng = np.random.default_rng(1)
    expected = {}
    for i, (name, (w, h)) in enumerate([("x.png", (40, 30)), ("y.jpg", (20, 16))], start=1):
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(src / name)
        project.add_image(ImageRecord(i, name, w, h))
        expected[name] = np.zeros((h, w), np.int64)
    project.images[2].extra["pixelproof"] = {"split": "val"}
    x, y = project.images[1], project.images[2]

    def mask(
        image: ImageRecord, rows: slice, cols: slice, hole: tuple[slice, slice] | None = None
    ) -> np.ndarray:
        m = np.zeros((image.height, image.width), bool)
        m[rows, cols] = True
        if hole:
            m[hole] = False
        return m

    shapes = [
        (x, 1, mask(x, slice(20, 30), slice(0, 40)), {}),  # road
        (x, 2, mask(x, slice(10, 25), slice(5, 20), (slice(14, 18), slice(9, 13))), {}),  # car with a hole
        (x, 2, mask(x, slice(12, 24), slice(15, 30)), {"iscrowd": 1}),  # crowd of cars over the first
        (x, 3, mask(x, slice(0, 5), slice(30, 35)), {}),  # a person ...
        (x, 4, mask(x, slice(0, 8), slice(28, 40)), {}),  # ... wholly under a later bus
    ]
    for image, cat, m, fields in shapes:
        a = _add(project, image, cat, mask=m)
        a.iscrowd = fields.get("iscrowd", 0)
        expected[image.file_name][m] = a.id
    box = _add(project, y, 4, bbox=[3.0, 2.0, 9.0, 7.0])
    expected["y.jpg"][2:9, 3:12] = box.id
    project.path = src / "project.json"
    return project, expected


def test_pixel_round_trip_without_pycocotools(tmp_path: Path) -> None:
    project, expected = _scene(tmp_path)
    out = tmp_path / "out"
    warnings = FORMATS["coco-panoptic"].write(project, out)
    x = project.images[1]
    masks = {a.id: a.mask(x.height, x.width) for a in project.annotations_of(x.id)}
    shown = {k: int((expected["x.png"] == k).sum()) for k in masks}
    partly = [k for k, m in masks.items() if 0 < shown[k] < m.sum()]  # the road, the car under the crowd
    lost = sum(int(masks[k].sum()) - shown[k] for k in partly)
    assert (
        len(partly) == 2
        and (
            "2 objects partly covered by ones in front: panoptic segments cannot overlap, so "
            f"{plural(lost, 'shared pixel', thousands=True)} went to the object in front "
            "(Bring to Front / Send to Back set which)"
        )
        in warnings
    )
    assert any("1 object wholly covered by ones in front: not written" in w for w in warnings), warnings
    assert any("1 box-only object written as filled boxes" in w for w in warnings), warnings
    docs = {
        s: json.loads((out / "annotations" / f"panoptic_{s}.json").read_text()) for s in ("default", "val")
    }
    cats = docs["default"]["categories"]
    assert cats[0] == {
        "id": 1,
        "name": "road",
        "supercategory": "flat",
        "isthing": 0,
        "color": cats[0]["color"],
    }
    assert cats[1]["color"] == [16, 32, 48] and [c["isthing"] for c in cats] == [0, 1, 1, 1]
    for split, name in (("default", "x.png"), ("val", "y.jpg")):
        doc = docs[split]
        (entry,) = doc["annotations"]
        (image,) = doc["images"]
        assert image["file_name"] == name and (out / "images" / split / name).is_file()
        ids = _png_ids(out / "annotations" / f"panoptic_{split}" / entry["file_name"])
        assert entry["file_name"] == Path(name).stem + ".png"  # Detectron2 finds the image by this stem
        want = expected[name]
        by_id = {s["id"]: s for s in entry["segments_info"]}
        assert set(np.unique(ids)) - {0} == set(by_id)
        assert len(set(np.unique(want)) - {0}) == len(by_id)  # the hidden person has no segment
        for seg_id, seg in by_id.items():
            pixels = ids == seg_id
            (owner,) = np.unique(want[pixels])  # one object's pixels, all of them
            assert np.array_equal(pixels, want == owner)
            ys, xs = np.nonzero(pixels)
            assert seg["area"] == pixels.sum()
            assert seg["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
            assert seg["category_id"] == project.annotations[owner].category_id
            assert seg["iscrowd"] == project.annotations[owner].iscrowd
    back = read_coco_panoptic(out)
    assert back.problems == [] and not back.skipped
    got = {}
    for a in back.project.annotations.values():
        im = back.project.images[a.image_id]
        got.setdefault(Path(im.file_name).name, []).append(
            (a.mask(im.height, im.width), a.category_id, a.iscrowd)
        )
    for name, want in expected.items():
        rows = got[name]
        assert len(rows) == len(set(np.unique(want)) - {0})
        for m, cat, crowd in rows:
            (owner,) = np.unique(want[m])
            assert np.array_equal(m, want == owner)
            assert (cat, crowd) == (
                project.annotations[owner].category_id,
                project.annotations[owner].iscrowd,
            )
    assert {c.name: c.extra.get("isthing") for c in back.project.categories.values()}["road"] == 0
    val = next(im for im in back.project.images.values() if im.file_name.endswith("y.jpg"))
    assert val.extra["pixelproof"] == {"split": "val"}
    again = tmp_path / "again"  # what was read writes the same files again (segment ids kept)
    assert FORMATS["coco-panoptic"].write(back.project, again, images="copy") == []
    for split in ("default", "val"):
        one, two = (
            json.loads((d / "annotations" / f"panoptic_{split}.json").read_text()) for d in (out, again)
        )
        assert one["annotations"] == two["annotations"] and one["categories"] == two["categories"]


def test_isthing_survives_a_coco_file_in_between(tmp_path: Path) -> None:
    project = read_coco_panoptic(DATA).project
    assert (
        main(["convert", str(DATA), str(tmp_path / "p.json"), "--from", "coco-panoptic", "--to", "coco"]) == 3
    )
    coco = json.loads((tmp_path / "p.json").read_text())
    assert [c["isthing"] for c in coco["categories"]] == [0, 0]
    back = tmp_path / "back"
    args = ["convert", str(tmp_path / "p.json"), str(back), "--from", "coco", "--to", "coco-panoptic"]
    assert main([*args, "--images", "copy"]) == 0
    doc = json.loads((back / "annotations" / "panoptic_val.json").read_text())
    assert [c["isthing"] for c in doc["categories"]] == [0, 0]
    assert [(s["id"], s["area"], s["bbox"]) for s in doc["annotations"][0]["segments_info"]] == [
        (7, 20, [0, 0, 2, 10]),
        (20, 20, [2, 0, 2, 10]),
    ]
    assert len(project.annotations) == 2


def _broken_dataset(tmp_path: Path) -> Path:
    """A dataset whose JSON disagrees with its PNGs in every way panopticapi's checks name."""
    root = tmp_path / "ds"
    shutil.copytree(DATA / "images", root / "images")
    pngs = root / "annotations" / "panoptic_val"
    pngs.mkdir(parents=True)
    ids = np.zeros((10, 5), np.uint32)
    ids[:, 0:2], ids[:, 2:4], ids[0, 4] = 7, 20, 99  # 99: in no segments_info
    Image.fromarray(panopticapi_id2rgb(ids.astype(np.int64))).save(pngs / "b.png")
    Image.fromarray(np.zeros((10, 5), np.uint8)).save(pngs / "grey.png")
    Image.fromarray(panopticapi_id2rgb(np.full((3, 3), 7))).save(pngs / "small.png")
    (pngs / "bad.png").write_bytes(b"not a png")

    def seg(i: int, cat: int = 1, **kw: object) -> dict:
        return {"id": i, "category_id": cat, "iscrowd": 0, **kw}

    doc = {
        "images": [{"id": n, "file_name": "b.jpg", "width": 5, "height": 10} for n in (1, 2, 3, 4, 5, 6)]
        + [{"id": 7, "file_name": "b.jpg"}],  # no size
        "categories": [{"id": 1, "name": "a", "isthing": 1}, {"id": 2, "name": "b", "isthing": 0}],
        "annotations": [
            {
                "image_id": 1,
                "file_name": "b.png",
                "segments_info": [
                    seg(7, area=20, bbox=[0, 0, 2, 10]),
                    seg(7, 2),  # duplicate id
                    seg(20, 2, area=5),  # area other than the pixels'
                    seg(21),  # no pixel holds it
                    seg(0),  # void is no segment
                    seg(22, 9),  # unknown category
                    "x",
                ],
            },
            {"image_id": 1, "file_name": "b.png", "segments_info": []},  # a second one for image 1
            {"image_id": 2, "file_name": "grey.png", "segments_info": [seg(1)]},
            {"image_id": 3, "file_name": "small.png", "segments_info": [seg(7)]},
            {"image_id": 4, "file_name": "bad.png", "segments_info": [seg(7)]},
            {"image_id": 5, "file_name": "../../../b.png", "segments_info": [seg(7)]},
            {"image_id": 6, "file_name": "missing.png", "segments_info": [seg(7)]},
            {"image_id": 99, "file_name": "b.png", "segments_info": []},
            {"image_id": 7, "file_name": "b.png"},
        ],
    }
    (root / "annotations" / "panoptic_val.json").write_text(json.dumps(doc))
    return root


def test_every_disagreement_is_said_with_its_place_and_the_rest_is_read(tmp_path: Path) -> None:
    root = _broken_dataset(tmp_path)
    result = read_coco_panoptic(root)
    f = root / "annotations" / "panoptic_val.json"
    said = "\n".join(result.problems)
    for line in (
        f"{f}: images[6]: expected an object with an integer id, file_name, width and height; skipped",
        f"{f}: annotations[0] (b.png): segments_info[1] (id 7): duplicate id (also segments_info[0]); "
        "skipped",
        f"{f}: annotations[0] (b.png): segments_info[3] (id 21): no pixel of the PNG holds this id "
        "(RGB (21, 0, 0)); skipped",
        f"{f}: annotations[0] (b.png): segments_info[4]: id 0 is no segment id (1 to 16777215; 0 is "
        "unlabelled); skipped",
        f"{f}: annotations[0] (b.png): segments_info[5] (id 22): category_id 9 is not in categories; skipped",
        f"{f}: annotations[0] (b.png): segments_info[6]: id None is no segment id",
        f"{f}: annotations[0] (b.png): 1 id in the PNG that no segments_info lists: 99; their pixels are "
        "no object",
        f"{f}: annotations[0] (b.png): area or bbox other than the PNG's pixels: segments_info[2] (id 20): "
        "area 5 (pixels 20); the pixels are read",
        f"{f}: annotations[1]: a second annotation of image 1 (also annotations[0]); skipped",
        f"{f}: annotations[2] (grey.png): {root / 'annotations/panoptic_val/grey.png'} not readable "
        "(L image: expected RGB-encoded segment ids (id = R + 256 G + 256^2 B)); its 1 segment skipped",
        f"{f}: annotations[3] (small.png): the PNG is 3 x 3 but image images/val/b.jpg is 5 x 10; its 1 "
        "segment skipped",
        f"{f}: annotations[4] (bad.png): {root / 'annotations/panoptic_val/bad.png'} not readable",
        f"{f}: annotations[5]: file_name '../../../b.png' leads out of {root / 'annotations/panoptic_val'}; "
        "skipped",
        f"{f}: annotations[6] (missing.png): {root / 'annotations/panoptic_val/missing.png'} not readable",
        f"{f}: annotations[7]: image_id 99 is not in images; skipped",
        f"{f}: annotations[8]: expected an object with image_id, file_name and a segments_info list; skipped",
    ):
        assert line in said, line
    project = result.project
    first = project.annotations_of(1)
    assert sorted((a.app_extra["coco_panoptic"]["id"], a.area, a.bbox) for a in first) == [
        (7, 20.0, [0.0, 0.0, 2.0, 10.0]),
        (20, 20.0, [2.0, 0.0, 2.0, 10.0]),
    ]
    assert len(project.annotations) == 2 and len(project.images) == 6
    assert result.skipped["regions"] == 1 and result.skipped["segments"] == 5
    assert result.skipped["annotations"] == 8 and result.skipped["images"] == 1
    args = ["convert", str(root), str(tmp_path / "p.json"), "--from", "coco-panoptic", "--to", "coco"]
    assert main(args) == 3  # converted, not all of it


def test_scattered_ids_are_refused_as_other_id_maps_are(tmp_path: Path) -> None:
    """A PNG of hundreds of ids, each a pixel at the top and one far off at the bottom (a crafted map),
    would cost ids x picture to crop: ``IdRegions`` refuses it, that image's segments alone are skipped."""
    root = tmp_path / "ds"
    pngs = root / "annotations" / "panoptic_val"
    pngs.mkdir(parents=True)
    n, h, w = 600, 300, 2000
    ids = np.zeros((h, w), np.int64)
    ids[0, 1 : n + 1] = np.arange(1, n + 1)  # id i at the top's column i and the bottom's column w - 1 - i
    ids[h - 1, w - 1 - np.arange(1, n + 1)] = np.arange(1, n + 1)
    Image.fromarray(panopticapi_id2rgb(ids)).save(pngs / "s.png")
    doc = {
        "images": [{"id": 1, "file_name": "s.jpg", "width": w, "height": h}],
        "categories": [{"id": 1, "name": "a", "isthing": 1}],
        "annotations": [
            {
                "image_id": 1,
                "file_name": "s.png",
                "segments_info": [{"id": i, "category_id": 1} for i in range(1, n + 1)],
            }
        ],
    }
    (root / "annotations" / "panoptic_val.json").write_text(json.dumps(doc))
    result = read_coco_panoptic(root)
    assert result.project.annotations == {} and result.skipped["annotations"] == 1
    assert any("times (at most 256): not a label map; its 600 segments skipped" in p for p in result.problems)


def test_the_distinct_ids_are_numpys_unique() -> None:
    """``IdRegions`` finds a wide map's values by a sort (numpy 2's hashing ``np.unique`` took 17 s over a
    PNG of 2^24 ids): the same values, ascending, of the same type."""
    from pixelproof.interop.panoptic import distinct

    rng = np.random.default_rng(3)
    maps = [
        np.zeros((0, 4), np.uint32),
        np.array([[9]], np.int64),
        rng.integers(-3, 3, (17, 5)).astype(np.int32),
        rng.integers(0, 2**24, (64, 48)).astype(np.uint32),
        np.arange(5000, dtype=np.int64).reshape(50, 100)[::-1],
    ]
    for ids in maps:
        got, want = distinct(ids), np.unique(ids)
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_a_png_of_a_million_ids_is_refused_before_any_per_id_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PNG whose every pixel holds its own id (an 8 KB file for 1024 x 1024: the ids count up, which
    PNG's filters compress to nothing) made one box, one dict entry and one listed id per pixel: 4.6 s and
    660 MB for 2**20 ids, 10 GB for a 4096 x 4096 one's 2**24. ``IdRegions`` refuses more distinct values
    than ``MAX_ID_VALUES`` from the sorted values alone, before any box is found; that image's segments
    alone are skipped, said with the count."""
    from scipy import ndimage  # panoptic imports it when used (not at app start-up)

    from pixelproof.interop import panoptic

    boxes_of: list[int] = []
    find_objects = ndimage.find_objects

    def counted(labels, max_label=0):  # type: ignore[no-untyped-def]
        boxes_of.append(int(max_label))
        return find_objects(labels, max_label)

    monkeypatch.setattr(ndimage, "find_objects", counted)
    root = tmp_path / "ds"
    pngs = root / "annotations" / "panoptic_val"
    pngs.mkdir(parents=True)
    w = 1024
    h = panoptic.MAX_ID_VALUES // w + 1  # one id more than the limit, and 0
    ids = np.arange(h * w, dtype=np.int64).reshape(h, w)
    Image.fromarray(panopticapi_id2rgb(ids)).save(pngs / "many.png")
    Image.fromarray(panopticapi_id2rgb(np.array([[1, 2], [2, 0]]))).save(pngs / "fine.png")
    doc = {
        "images": [
            {"id": 1, "file_name": "many.jpg", "width": w, "height": h},
            {"id": 2, "file_name": "fine.jpg", "width": 2, "height": 2},
        ],
        "categories": [{"id": 1, "name": "a", "isthing": 1}],
        "annotations": [
            {"image_id": k, "file_name": f"{name}.png", "segments_info": [{"id": 1, "category_id": 1}]}
            for k, name in ((1, "many"), (2, "fine"))
        ],
    }
    (root / "annotations" / "panoptic_val.json").write_text(json.dumps(doc))
    result = read_coco_panoptic(root)
    distinct = len(np.unique(ids))
    assert distinct > panoptic.MAX_ID_VALUES
    said = [p for p in result.problems if "many.png" in p]
    assert len(said) == 1 and f"{distinct:,} distinct values" in said[0], said
    assert f"at most {panoptic.MAX_ID_VALUES:,}" in said[0] and "its 1 segment skipped" in said[0]
    assert max(boxes_of) <= panoptic.MAX_ID_VALUES  # no box looked for past the limit
    (fine,) = result.project.annotations.values()  # the other image read
    assert fine.image_id == 2


def test_a_coco_instances_reader_names_the_panoptic_format(tmp_path: Path) -> None:
    src = tmp_path / "panoptic_val.json"
    shutil.copy(DATA / "annotations" / "panoptic_val.json", src)
    (problem,) = read_coco(src).problems
    assert problem.endswith(
        "not read as instances; read the file as COCO panoptic (convert --from coco-panoptic)"
    )
    assert detect_format(src).name == "coco-panoptic"  # segments_info near its start
    instances = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"
    assert detect_format(next((instances / "annotations").glob("*.json"))).name == "coco"


def test_void_regions_and_a_bad_split_are_said(tmp_path: Path) -> None:
    project, _ = _scene(tmp_path)
    void = project.add_category(Category(9, "ignore", app_extra={"void": True}))
    project.add_annotation(Annotation(99, 1, void.id, [0.0, 0.0, 3.0, 3.0], None, 9.0))
    project.images[2].extra["pixelproof"] = {"split": "../x"}
    warnings = write_coco_panoptic(project, tmp_path / "out")
    assert "1 void region left unlabelled (id 0): a panoptic PNG holds no void class" in warnings
    assert any("1 image whose split is no plain folder name" in w for w in warnings)
    assert sorted(p.name for p in (tmp_path / "out" / "annotations").glob("*.json")) == [
        "panoptic_default.json"
    ]
    doc = json.loads((tmp_path / "out" / "annotations" / "panoptic_default.json").read_text())
    assert "ignore" not in [c["name"] for c in doc["categories"]]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("images", ["keep", "copy"])
def test_image_modes(tmp_path: Path, images: str) -> None:
    project, _ = _scene(tmp_path)
    out = tmp_path / "out"
    write_coco_panoptic(project, out, images=images)
    back = read_coco_panoptic(out)
    assert back.problems == []
    assert sorted(
        Path(back.project.image_path(im)).resolve() for im in back.project.images.values()
    ) == sorted(
        (tmp_path / "src" / n if images == "keep" else out / "images" / s / n).resolve()
        for s, n in (("default", "x.png"), ("val", "y.jpg"))
    )


def test_two_workers_write_the_same_files_as_one(tmp_path: Path) -> None:
    """``convert --workers 2`` draws the PNGs in worker processes (``parallel_writer``): the same files."""
    from pixelproof.core.coco import save_project

    project, _ = _scene(tmp_path)
    save_project(project, project.path)
    trees = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        argv = ["convert", str(project.path), str(out), "--from", "coco", "--to", "coco-panoptic"]
        assert main([*argv, "--workers", workers]) == 0
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert sum(k.endswith(".png") and k.startswith("annotations/") for k in trees[0]) == 2
    assert trees[0] == trees[1]


def test_pngs_still_zipped_as_coco_ships_them_are_said_once_with_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    shutil.copy(DATA / "annotations" / "panoptic_val.json", root / "annotations" / "panoptic_val2017.json")
    (root / "annotations" / "panoptic_val2017.zip").write_bytes(b"PK")
    result = read_coco_panoptic(root)
    want = f"folder {root / 'annotations' / 'panoptic_val2017'} of its PNGs not found (panoptic_val2017.zip"
    assert sum(want in p for p in result.problems) == 1, result.problems
    assert result.skipped == {"annotations": 1} and len(result.project.images) == 1
