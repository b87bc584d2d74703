"""Cityscapes: Datumaro's gtFine PNG samples, polygon JSON built from the published schema, QA with gtFine
as the reference, and the round trip COCO -> Cityscapes -> COCO."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

import pixelproof
from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Project
from pixelproof.interop.cityscapes import read_cityscapes
from pixelproof.interop.cityscapes_labels import BY_NAME, LABELS
from pixelproof.interop.cityscapes_writer import write_cityscapes
from pixelproof.interop.formats import detect_format
from pixelproof.interop.panoptic import crop_raster
from tests.bombs import short_idat_png

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cityscapes_dataset"
PACKAGE_DIR = Path(pixelproof.__file__).resolve().parents[1]  # for a child process


def _objects(project: Project) -> dict[str, list[tuple[str, list[int], int]]]:
    """frame -> [(category, 1-row mask as 0/1 list, iscrowd)] sorted."""
    out = {}
    for im in project.images.values():
        frame = Path(im.file_name).name.removesuffix("_leftImg8bit.png")
        rows = []
        for a in project.annotations_of(im.id):
            m = a.mask(im.height, im.width)
            rows.append((project.categories[a.category_id].name, m[0].astype(int).tolist(), a.iscrowd))
        out[frame] = sorted(rows)
    return out


def test_official_table() -> None:
    assert [lb.id for lb in LABELS if lb.id >= 0] == list(range(34))
    assert sorted(lb.train_id for lb in LABELS if 0 <= lb.train_id < 255) == list(range(19))
    assert BY_NAME["car"].color == (0, 0, 142) and BY_NAME["car"].has_instances
    assert {lb.name for lb in LABELS if lb.ignore_in_eval} >= {
        "unlabeled",
        "ego vehicle",
        "polegroup",
        "caravan",
    }


def test_datumaro_instance_ids_8bit_match_datumaro_expectations() -> None:
    """Datumaro's test_can_import: each value is a label id without instance (Datumaro labels = ids)."""
    result = read_cityscapes(DATA / "dataset")
    assert result.problems == [] and not result.semantic
    project = result.project
    assert len(project.images) == 4
    for im in project.images.values():
        assert project.image_path(im).is_file() and (im.width, im.height) == (5, 1)
    splits = sorted(im.extra["pixelproof"]["split"] for im in project.images.values())
    assert splits == ["test", "test", "train", "val"]
    got = _objects(project)
    # label ids 3 out of roi, 27 truck, 12 wall, 31 train, 24 person, 1 ego vehicle
    assert got["defaultcity_000001_000031"] == [
        ("out of roi", [1, 1, 0, 0, 0], 0),
        ("truck", [0, 0, 1, 1, 1], 1),
    ]
    assert got["defaultcity_000001_000032"] == [
        ("out of roi", [0, 0, 0, 1, 1], 0),
        ("train", [1, 1, 0, 0, 0], 1),
        ("wall", [0, 0, 1, 0, 0], 0),
    ]
    assert got["defaultcity_000002_000045"] == [
        ("out of roi", [1, 1, 0, 1, 1], 0),
        ("person", [0, 0, 1, 0, 0], 1),
    ]
    assert got["defaultcity_000001_000019"] == [
        ("ego vehicle", [0, 1, 1, 0, 0], 0),
        ("out of roi", [1, 0, 0, 1, 1], 0),
    ]
    cats = {c.name: c for c in project.categories.values()}
    assert cats["out of roi"].void and cats["ego vehicle"].void and not cats["truck"].void
    assert cats["truck"].id == 27 and cats["truck"].color == "#000046"
    assert project.object_count(next(iter(project.images))) == 1  # the void region is not an object


def test_datumaro_instance_ids_16bit_agree_with_label_train_ids() -> None:
    project = read_cityscapes(DATA / "train_dataset").project
    got = _objects(project)
    trucks = [r for r in got["defaultcity_000001_000031"] if r[0] == "truck"]
    assert trucks == [("truck", [0, 0, 0, 1, 1], 0), ("truck", [0, 0, 1, 0, 0], 0)]  # 27002, 27001
    # every frame's classes match its labelTrainIds PNG (trainId 255 / 19 is background there)
    for im in project.images.values():
        frame = Path(im.file_name).name.removesuffix("_leftImg8bit.png")
        split = im.extra["pixelproof"]["split"]
        train = np.asarray(
            Image.open(
                DATA
                / "train_dataset"
                / "gtFine"
                / split
                / "defaultcity"
                / f"{frame}_gtFine_labelTrainIds.png"
            )
        )[0]
        for a in project.annotations_of(im.id):
            name = project.categories[a.category_id].name
            m = a.mask(im.height, im.width)[0]
            if not BY_NAME[name].ignore_in_eval:
                assert (train[m] == BY_NAME[name].train_id).all(), (frame, name)


def _polygon_dataset(root: Path) -> dict:
    """A frame built from the published polygon JSON schema: drawn back to front."""
    gt = root / "gtFine" / "val" / "aachen"
    gt.mkdir(parents=True)
    img = root / "leftImg8bit" / "val" / "aachen"
    img.mkdir(parents=True)
    Image.new("RGB", (64, 48)).save(img / "aachen_000000_000019_leftImg8bit.png")
    doc = {
        "imgHeight": 48,
        "imgWidth": 64,
        "objects": [
            {"label": "road", "polygon": [[0, 24], [63, 24], [63, 47], [0, 47]], "deleted": 0, "id": 0},
            {
                "label": "car",
                "polygon": [[10, 20], [30, 20], [30, 35], [10, 35]],
                "deleted": 0,
                "id": 1,
                "user": "annotator",
                "date": "01-Jan-2015 10:00:00",
            },
            {"label": "cargroup", "polygon": [[40, 10], [60, 10], [60, 20], [40, 20]], "id": 2},
            {"label": "person", "polygon": [[12, 22], [14, 22], [14, 30]], "deleted": 1, "id": 3},
            {"label": "bicycle", "polygon": [[12, 25], [20, 25], [20, 30], [12, 30]], "id": 4},
            {"label": "ego vehicle", "polygon": [[12, 24], [22, 24], [22, 31], [12, 31]], "id": 5},
            {"label": "car", "polygon": [[5, 5], [8, 5], [8]], "id": 6},
        ],
    }
    (gt / "aachen_000000_000019_gtFine_polygons.json").write_text(json.dumps(doc))
    return doc


def _raster(poly: list[list[float]], h: int = 48, w: int = 64) -> np.ndarray:
    rle = mask_utils.frPyObjects([np.asarray(poly, dtype=float).reshape(-1).tolist()], h, w)
    return mask_utils.decode(rle)[:, :, 0].astype(bool)


def test_polygon_json_keeps_the_visible_part_of_each_object(tmp_path: Path) -> None:
    doc = _polygon_dataset(tmp_path)
    result = read_cityscapes(tmp_path)
    gt = tmp_path / "gtFine" / "val" / "aachen" / "aachen_000000_000019_gtFine_polygons.json"
    assert result.problems == [
        f"{gt}: objects[6] (car): 'polygon' needs at least 3 [x, y] points of finite numbers; skipped",
        f"{gt}: 1 object marked deleted skipped (objects[3])",
        f"{gt}: objects[4] (bicycle): hidden by later objects; skipped",
    ]
    assert result.skipped == {"objects": 2, "deleted": 1}
    project = result.project
    (image,) = project.images.values()
    assert image.file_name == "leftImg8bit/val/aachen/aachen_000000_000019_leftImg8bit.png"
    anns = {project.categories[a.category_id].name: a for a in project.annotations.values()}
    assert sorted(anns) == ["car", "ego vehicle", "road"]  # the crowd is a car too: see below
    objs = doc["objects"]
    road, car, ego = _raster(objs[0]["polygon"]), _raster(objs[1]["polygon"]), _raster(objs[5]["polygon"])
    # road is covered by the car and the ego vehicle: a mask of what stays visible
    assert anns["road"].kind == "mask"
    assert np.array_equal(anns["road"].mask(48, 64), road & ~car & ~ego)
    assert anns["road"].app_extra["hidden_px"] == int((road & (car | ego)).sum())
    cars = sorted(
        (a for a in project.annotations.values() if project.categories[a.category_id].name == "car"),
        key=lambda a: a.id,
    )
    assert [c.iscrowd for c in cars] == [0, 1]
    assert np.array_equal(cars[0].mask(48, 64), car & ~ego)
    assert cars[0].app_extra["cityscapes"] == {"id": 1, "user": "annotator", "date": "01-Jan-2015 10:00:00"}
    assert cars[1].kind == "polygon" and cars[1].segmentation == [
        [40.0, 10.0, 60.0, 10.0, 60.0, 20.0, 40.0, 20.0]
    ]
    assert cars[1].app_extra["cityscapes"]["label"] == "cargroup"
    assert anns["ego vehicle"].kind == "polygon"  # drawn last, nothing covers it
    assert project.categories[anns["ego vehicle"].category_id].void


def test_crop_raster_equals_the_whole_image_raster() -> None:
    rng = np.random.default_rng(1)
    for _ in range(30):
        pts = rng.uniform(-10, 70, (int(rng.integers(3, 9)), 2))
        flat = pts.reshape(-1).tolist()
        full = _raster(pts.tolist())
        crop = crop_raster(flat, 48, 64)
        if crop is None:
            assert not full.any()
            continue
        y0, x0, m = crop
        rebuilt = np.zeros((48, 64), bool)
        rebuilt[y0 : y0 + m.shape[0], x0 : x0 + m.shape[1]] = m
        assert np.array_equal(rebuilt, full)


def test_qa_takes_gtfine_as_reference_void_left_out(tmp_path: Path) -> None:
    _polygon_dataset(tmp_path / "cs")
    assert detect_format(tmp_path / "cs").name == "cityscapes"
    project = read_cityscapes(tmp_path / "cs").project
    project.path = tmp_path / "cs" / "candidate.json"
    # the candidate paints its car over the ego vehicle too: those pixels are void, not FP
    for a in project.annotations.values():
        if project.categories[a.category_id].name == "car" and not a.iscrowd:
            m = np.zeros((48, 64), bool)
            m[20:35, 10:31] = True
            from pixelproof.core import masks

            a.set_geometry(masks.encode(m), masks.bbox(m), float(m.sum()))
    save_project(project, tmp_path / "cs" / "candidate.json")
    report = tmp_path / "r.json"
    assert (
        main(["qa", str(tmp_path / "cs"), str(tmp_path / "cs" / "candidate.json"), "--json", str(report)])
        == 0
    )
    data = json.loads(report.read_text())
    assert data["reference_kind"] == "cityscapes"
    rows = {r["category"]: r for r in data["per_image"]}
    assert "ego vehicle" not in rows  # void categories are not scored
    assert rows["road"]["dice"] == 1.0
    car = rows["car"]
    assert (
        car["fn_px"] == 0 and car["fp_px"] > 0
    )  # the candidate's car is a full box; only outside void counts
    ego = _raster([[12, 24], [22, 24], [22, 31], [12, 31]])
    box = np.zeros((48, 64), bool)
    box[20:35, 10:31] = True
    ref_car = _raster([[10, 20], [30, 20], [30, 35], [10, 35]]) | _raster(
        [[40, 10], [60, 10], [60, 20], [40, 20]]
    )
    assert car["fp_px"] == int((box & ~ref_car & ~ego).sum())


def test_coco_cityscapes_coco_round_trip(sample_project: Project, tmp_path: Path) -> None:
    warnings = write_cityscapes(sample_project, tmp_path / "cs")
    assert sorted(warnings) == sorted(
        [
            "2 categories not in the Cityscapes table: given label ids from 34 on in the PNGs "
            "(names kept in the JSON)",
            "1 mask with holes: Cityscapes polygons cannot hold holes, so the holes are filled",
            "1 object in several parts written as one polygon per part",
            "2 box-only objects written as 4-corner polygons",
        ]
    )
    gt = tmp_path / "cs" / "gtFine" / "train" / "default"
    ids = np.asarray(Image.open(gt / "a_gtFine_instanceIds.png"))
    assert sorted(np.unique(ids).tolist()) == [
        0,
        19,
        34001,
        35001,
    ]  # traffic light (a label without instances), cat, dog
    result = read_cityscapes(tmp_path / "cs")
    assert result.problems == []
    back = result.project
    from pixelproof.interop import read_coco, write_coco

    write_coco(back, tmp_path / "back.json")
    back = read_coco(tmp_path / "back.json").project
    by_stem = {Path(im.file_name).stem.removesuffix("_leftImg8bit"): im for im in back.images.values()}
    for im in sample_project.images.values():
        theirs = by_stem[Path(im.file_name).stem]
        assert back.image_path(theirs).is_file()
        mine = sorted(sample_project.annotations_of(im.id), key=lambda a: a.id)
        got = sorted(back.annotations_of(theirs.id), key=lambda a: a.id)
        if im.file_name.endswith("b.jpg"):  # the two-part polygon came back as two objects
            assert len(got) == len(mine) + 1
            continue
        assert len(got) == len(mine)
        for a, b in zip(mine, got, strict=True):
            assert sample_project.categories[a.category_id].name == back.categories[b.category_id].name
            want = a.mask(im.height, im.width)
            if a.kind == "mask":
                from scipy import ndimage

                want = ndimage.binary_fill_holes(want)
            assert np.array_equal(b.mask(im.height, im.width), want)
            assert (a.review, a.note, a.score) == (b.review, b.note, b.score)


@pytest.mark.parametrize("mode", ["instance", "semantic"])
def test_written_pngs_read_back_like_the_json(tmp_path: Path, mode: str) -> None:
    """What the writer paints into instanceIds/labelIds is what the polygons say, object by object."""
    _polygon_dataset(tmp_path / "src")
    source = read_cityscapes(tmp_path / "src").project
    assert write_cityscapes(source, tmp_path / "cs") == []
    from_json = read_cityscapes(tmp_path / "cs")
    from_png = read_cityscapes(tmp_path / "cs", mode=mode)
    assert from_json.problems == [] and from_png.problems == []
    assert from_png.semantic == (mode == "semantic")
    assert len(from_png.project.images) == 1

    def union(project: Project) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for a in project.annotations.values():
            name = project.categories[a.category_id].name
            out[name] = out.get(name, np.zeros((48, 64), bool)) | a.mask(48, 64)
        return out

    got, want = union(from_png.project), union(from_json.project)
    assert got.pop("unlabeled").sum() == 48 * 64 - sum(int(m.sum()) for m in want.values())  # background
    assert got.keys() == want.keys()
    for name in want:
        assert np.array_equal(got[name], want[name]), name
    if mode == "instance":
        crowd = sorted(
            (a.iscrowd, a.app_extra.get("cityscapes", {}).get("instance"))
            for a in from_png.project.annotations.values()
            if from_png.project.categories[a.category_id].name == "car"
        )
        assert crowd == [(0, 1), (1, None)]  # car 26001 and the cargroup region (26)


def test_a_polygon_corner_far_outside_the_image_is_reported_not_rasterized(tmp_path: Path) -> None:
    """Found by fuzzing: a polygon corner at 1e9 (finite, so past the NaN check) went to pycocotools, which
    walks the outline at 5x: the process died of a segmentation fault (or took gigabytes and half a
    minute). Read in a child process with its address space capped, as tests/fuzz_worker.py does, so a
    crash fails this test rather than the test run."""
    gt = tmp_path / "gtFine" / "val" / "aachen" / "aachen_000000_000019_gtFine_polygons.json"
    gt.parent.mkdir(parents=True)
    objects = [
        {"label": "road", "polygon": [[0, 5], [19, 5], [19, 9], [0, 9]]},
        {"label": "car", "polygon": [[0, 0], [1e9, 0], [5, 5]]},
    ]
    gt.write_text(json.dumps({"imgHeight": 10, "imgWidth": 20, "objects": objects}))
    code = (
        "import json, resource, sys; "
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.RLIM_INFINITY)); "
        "from pixelproof.interop.cityscapes import read_cityscapes; r = read_cityscapes(sys.argv[1]); "
        "print(json.dumps([r.problems, [a.category_id for a in r.project.annotations.values()]]))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PACKAGE_DIR), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    problems, categories = json.loads(done.stdout)
    assert categories == [BY_NAME["road"].id]  # the other object is still read
    assert any(p.startswith(f"{gt}: objects[1] (car): x = 1000000000.0 is too far outside") for p in problems)


def test_object_fields_of_the_wrong_type_are_reported_with_the_object(tmp_path: Path) -> None:
    """Found by fuzzing: an object's ``pixelproof`` fields of the wrong type (a score that is text, a
    review state not PixelProof's) or extras nested 300 deep raised LimitError out of the reader, naming
    the image instead of the JSON object: the whole import lost."""
    gt = tmp_path / "gtFine" / "val" / "aachen" / "aachen_000000_000019_gtFine_polygons.json"
    gt.parent.mkdir(parents=True)

    def square(x: int) -> list[list[int]]:
        return [[x, 1], [x + 3, 1], [x + 3, 4], [x, 4]]

    objects = [
        {"label": "car", "polygon": square(0), "pixelproof": {"score": "high"}},
        {"label": "car", "polygon": square(5), "pixelproof": {"review": "maybe"}},
        {"label": "car", "polygon": square(10), "user": "DEEP"},
        {"label": "road", "polygon": [[0, 5], [19, 5], [19, 9], [0, 9]], "pixelproof": {"score": 0.5}},
    ]
    text = json.dumps({"imgHeight": 10, "imgWidth": 20, "objects": objects})
    gt.write_text(text.replace('"DEEP"', "[" * 300 + "]" * 300))
    result = read_cityscapes(tmp_path)
    assert [a.score for a in result.project.annotations.values()] == [0.5]
    assert result.skipped == {"objects": 3}
    assert result.problems[1:] == [  # after: the photo is not found
        f"{gt}: objects[0] (car): score: expected a number, got 'high'; skipped",
        f"{gt}: objects[1] (car): review: expected one of pending, accepted, rejected, got 'maybe'; skipped",
        f"{gt}: objects[2] (car): nested deeper than 200 levels; skipped",
    ]


def test_a_file_name_not_utf8_or_ids_scattered_over_the_picture_are_reported(tmp_path: Path) -> None:
    """Found by fuzzing: Builder's refusals (a frame whose name is not UTF-8; an instanceIds PNG whose ids
    lie scattered over the whole picture) raised LimitError out of the reader: the whole import lost."""
    gt = tmp_path / "gtFine" / "train" / "city"
    gt.mkdir(parents=True)
    Image.fromarray(np.full((4, 6), 7, np.uint8)).save(gt / "ok_000000_000000_gtFine_labelIds.png")
    Image.fromarray(np.full((4, 6), 7, np.uint8)).save(gt / "tmp_000000_000000_gtFine_labelIds.png")
    os.rename(
        gt / "tmp_000000_000000_gtFine_labelIds.png", os.fsencode(gt) + b"/caf\xe9_0_0_gtFine_labelIds.png"
    )
    ids = np.zeros((300, 300), np.uint16)  # 60000 ids, each at two far-apart pixels
    ids.reshape(-1)[:60000] = np.arange(1, 60001)
    ids.reshape(-1)[-60000:] = np.arange(60000, 0, -1)
    scattered = gt / "bad_000000_000000_gtFine_instanceIds.png"
    Image.fromarray(ids).save(scattered)
    result = read_cityscapes(tmp_path)
    # the refused PNG's frame is left out, not imported as a frame without objects
    names = [Path(im.file_name).name for im in result.project.images.values()]
    assert names == ["ok_000000_000000_leftImg8bit.png"]
    assert [BY_NAME["road"].id] == [a.category_id for a in result.project.annotations.values()]
    assert result.skipped == {"frames": 2}
    assert any("caf\\xe9_0_0_leftImg8bit.png: file name is not UTF-8 text" in p for p in result.problems)
    assert any(p.startswith(f"{scattered}: 60,000 values whose boxes cover") for p in result.problems)


def test_a_label_png_damaged_inside_its_data_is_reported(tmp_path: Path) -> None:
    """Found by fuzzing: a labelIds PNG whose IDAT length was off made Pillow raise SyntaxError ("broken
    PNG file") while decoding, which escaped the reader (its callers expect OSError or ValueError)."""
    gt = tmp_path / "gtFine" / "train" / "city"
    gt.mkdir(parents=True)
    rng = np.random.default_rng(0)
    broken = gt / "bad_000000_000000_gtFine_labelIds.png"
    broken.write_bytes(short_idat_png(rng.integers(0, 9, (30, 40), dtype=np.uint8)))
    Image.fromarray(np.full((4, 6), 7, np.uint8)).save(gt / "ok_000000_000000_gtFine_labelIds.png")
    result = read_cityscapes(tmp_path)
    assert [Path(im.file_name).name for im in result.project.images.values()] == [
        "ok_000000_000000_leftImg8bit.png"
    ]
    assert result.skipped == {"frames": 1}
    assert any(
        p.startswith(f"{broken}: not readable Cityscapes ground truth (damaged image data (broken PNG")
        for p in result.problems
    )


def test_crowd_of_a_category_outside_the_table_round_trips(sample_project: Project, tmp_path: Path) -> None:
    """A crowd of ``car`` is written as ``cargroup``; a crowd of ``dog`` (no ``doggroup`` label in the
    table) came back as a single object: its crowd flag now rides in the object's ``pixelproof`` fields."""
    crowd = next(
        a
        for a in sample_project.annotations.values()
        if sample_project.categories[a.category_id].name == "dog"
    )
    crowd.iscrowd = 1
    write_cityscapes(sample_project, tmp_path / "cs")
    back = read_cityscapes(tmp_path / "cs").project
    crowds = [back.categories[a.category_id].name for a in back.annotations.values() if a.iscrowd]
    assert crowds == ["dog"]


def test_instance_ids_count_from_class_x_1000_as_json2instance_img_does(tmp_path: Path) -> None:
    """cityscapesscripts' json2instanceImg numbers the instances of a class from 0 (the first car is 26000,
    the next 26001); only the class id alone (26) is a group. 26000 was read as a crowd region."""
    gt = tmp_path / "gtFine" / "val" / "x"
    gt.mkdir(parents=True)
    ids = np.full((20, 30), 7, np.uint16)  # road
    ids[2:6, 2:6] = 26000  # first car
    ids[2:6, 10:14] = 26001  # second car
    ids[10:15, 2:8] = 26  # cargroup
    ids[10:15, 10:14] = 24000  # first person
    Image.fromarray(ids).save(gt / "f_000000_000019_gtFine_instanceIds.png")
    project = read_cityscapes(tmp_path).project
    got = sorted(
        (project.categories[a.category_id].name, a.bbox, a.iscrowd, a.app_extra.get("cityscapes"))
        for a in project.annotations.values()
    )
    assert got == [
        ("car", [2.0, 2.0, 4.0, 4.0], 0, {"instance": 0}),
        ("car", [2.0, 10.0, 6.0, 5.0], 1, None),
        ("car", [10.0, 2.0, 4.0, 4.0], 0, {"instance": 1}),
        ("person", [10.0, 10.0, 4.0, 5.0], 0, {"instance": 0}),
        ("road", [0.0, 0.0, 30.0, 20.0], 0, None),
    ]


def test_label_ids_regions_are_class_unions_not_crowds(tmp_path: Path) -> None:
    """A labelIds PNG holds one region per class (all cars together), as labelTrainIds does: the two read
    the same. labelIds car and person regions were crowd regions (``iscrowd: 1``), which COCO's
    evaluation ignores."""
    ids = np.full((20, 30), BY_NAME["road"].id, np.uint8)
    ids[2:6, 2:6] = BY_NAME["car"].id
    ids[10:15, 10:14] = BY_NAME["person"].id
    train = np.vectorize(lambda v: next(lb.train_id for lb in LABELS if lb.id == v))(ids).astype(np.uint8)
    for name, pixels in (("labelIds", ids), ("labelTrainIds", train)):
        gt = tmp_path / name / "gtFine" / "val" / "x"
        gt.mkdir(parents=True)
        Image.fromarray(pixels).save(gt / f"f_000000_000019_gtFine_{name}.png")

    def objects(project: Project) -> list[tuple[str, list[float], int]]:
        return sorted(
            (project.categories[a.category_id].name, a.bbox, a.iscrowd) for a in project.annotations.values()
        )

    got = objects(read_cityscapes(tmp_path / "labelIds").project)
    assert got == objects(read_cityscapes(tmp_path / "labelTrainIds").project)
    assert got == [
        ("car", [2.0, 2.0, 4.0, 4.0], 0),
        ("person", [10.0, 10.0, 4.0, 5.0], 0),
        ("road", [0.0, 0.0, 30.0, 20.0], 0),
    ]


def test_polygons_json_with_a_bom_or_a_nan_is_read_object_by_object(tmp_path: Path) -> None:
    """cityscapesscripts reads the JSON with Python's json, which writes and reads NaN; a JSON saved by a
    Windows editor starts with a BOM. orjson refused both: the whole frame was skipped for one NaN corner
    (or a BOM). Now the BOM is no part of the JSON and the NaN object alone is reported."""
    gt = tmp_path / "gtFine" / "val" / "aachen" / "aachen_000000_000019_gtFine_polygons.json"
    gt.parent.mkdir(parents=True)
    objects = [
        {"label": "road", "polygon": [[0, 5], [19, 5], [19, 9], [0, 9]], "id": 10**30},  # as orjson: float
        {"label": "car", "polygon": [[0, 0], [float("nan"), 0], [5, 5]]},
        {"label": "\ud800", "polygon": [[0, 0], [4, 0], [4, 4]]},  # unpaired: Python's json takes it
    ]
    doc = json.dumps({"imgHeight": 10, "imgWidth": 20, "objects": objects})
    gt.write_bytes(b"\xef\xbb\xbf" + doc.encode())
    result = read_cityscapes(tmp_path)
    assert [a.category_id for a in result.project.annotations.values()] == [BY_NAME["road"].id]
    assert any(p.startswith(f"{gt}: objects[1] (car): 'polygon' needs") for p in result.problems)
    surrogate = f"{gt}: objects[2]: label name is not UTF-8 text (character 1 of '\\ud800'); skipped"
    assert surrogate in result.problems
    assert result.skipped == {"objects": 2}
    save_project(result.project, tmp_path / "p.json")  # what was read can be saved and loaded
    assert load_project(tmp_path / "p.json").annotations[1].app_extra["cityscapes"] == {"id": 1e30}


def test_objects_whose_boxes_cover_the_picture_hundreds_of_times_are_refused(tmp_path: Path) -> None:
    """Each polygon is rasterized over its box and drawn over the ones before: thousands of objects each
    spanning the picture cost objects x picture (a 22 KB JSON of 300 on a 2048 x 1024 frame took 3 s,
    7 MB minutes). Past MAX_BOX_COVER pictures' worth of boxes, as for id maps, the frame is refused
    before any is drawn (nor its full-size owner array made); the other frames are read."""
    from pixelproof.interop.panoptic import MAX_BOX_COVER

    city = tmp_path / "gtFine" / "val" / "aachen"
    city.mkdir(parents=True)
    whole = {"label": "road", "polygon": [[0, 0], [19, 0], [19, 9], [0, 9]]}
    for frame, n in (("000000", MAX_BOX_COVER), ("000001", MAX_BOX_COVER + 1)):
        doc = {"imgHeight": 10, "imgWidth": 20, "objects": [whole] * n}
        (city / f"aachen_000000_{frame}_gtFine_polygons.json").write_text(json.dumps(doc))
    result = read_cityscapes(tmp_path)
    bad = city / "aachen_000000_000001_gtFine_polygons.json"
    message = (
        f"{bad}: {MAX_BOX_COVER + 1} objects whose boxes cover the 20 x 10 picture {MAX_BOX_COVER + 1} times "
        f"(at most {MAX_BOX_COVER}): not ground truth to draw; skipped"
    )
    assert message in result.problems
    (image,) = result.project.images.values()  # the refused frame is not an image without objects
    assert "000000_leftImg8bit" in image.file_name
    assert result.skipped["frames"] == 1
