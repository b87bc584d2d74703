"""Hypothesis: projects round-trip exactly, masks survive RLE, traced polygons rasterize back."""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage

from pixelproof.core import coco_rules, coco_values, masks, rle_check
from pixelproof.core.coco import load_project, project_from_dict, save_project
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.core.model import IMAGE_STATES, REVIEW_STATES, Annotation, Category, ImageRecord, Project

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)


def extras(reserved: set[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(text.filter(lambda k: k not in reserved), json_values, max_size=2)


coord = st.floats(0, 50, allow_nan=False).map(lambda v: round(v, 3))
file_names = text.filter(lambda name: name and "\x00" not in name)  # NUL: no file system allows it


@st.composite
def projects(draw: st.DrawFn) -> Project:
    p = Project(extra=draw(extras({"images", "annotations", "categories", "pixelproof"})))
    image_ids = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=4, unique=True))
    for iid in image_ids:
        h, w = draw(st.integers(1, 30)), draw(st.integers(1, 30))
        p.add_image(
            ImageRecord(iid, draw(file_names), w, h, draw(extras({"id", "file_name", "width", "height"})))
        )
    cids = draw(st.lists(st.integers(0, 1000), min_size=1, max_size=3, unique=True))
    names = draw(st.lists(text, min_size=len(cids), max_size=len(cids), unique=True))  # names are unique
    for cid, name in zip(cids, names, strict=True):
        p.add_category(
            Category(
                cid,
                name,
                draw(st.none() | text),
                draw(st.none() | st.integers(0, 0xFFFFFF).map(lambda v: f"#{v:06x}")),
                draw(st.none() | text),
                draw(extras({"id", "name", "supercategory", "pixelproof"})),
                draw(extras({"color", "shortcut"})),
            )
        )
    ann_ids = draw(st.lists(st.integers(0, 10**9), max_size=6, unique=True))
    for aid in ann_ids:
        image = p.images[draw(st.sampled_from(image_ids))]
        kind = draw(st.sampled_from(["box", "polygon", "mask"]))
        if kind == "box":
            seg = None
        elif kind == "polygon":
            seg = [draw(st.lists(coord, min_size=6, max_size=12).filter(lambda v: len(v) % 2 == 0))]
        else:
            m = draw(arrays(bool, (image.height, image.width)))
            seg = masks.encode(m)
        bbox = [draw(coord) for _ in range(4)]
        p.add_annotation(
            Annotation(
                aid,
                image.id,
                draw(st.sampled_from(sorted(p.categories))),
                bbox,
                seg,
                draw(st.floats(0, 1e6, allow_nan=False) | st.integers(0, 10**6)),
                draw(st.sampled_from([0, 1])),
                draw(st.none() | st.floats(0, 1)),
                draw(st.none() | st.sampled_from(["manual", "model:classical/grabcut@1"])),
                draw(st.none() | st.sampled_from(REVIEW_STATES)),
                draw(st.none() | text),
                draw(st.none() | text),
                draw(st.none() | st.just("2026-01-02T03:04:05Z")),
                draw(extras(set(coco_rules.ANN_KEYS))),
                draw(extras({*coco_rules.APP_KEYS, coco_rules.RLE_ORIGIN})),
            )
        )
    for iid in draw(st.lists(st.sampled_from(image_ids), max_size=2, unique=True)):
        p.set_image_status(iid, draw(st.sampled_from(IMAGE_STATES)))
    return p


@FAST
@given(projects())
def test_random_projects_round_trip_exactly(project: Project) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.json"
        save_project(project, path)
        first = path.read_bytes()
        again = load_project(path)
        assert again == project
        assert project_to_dict(again) == project_to_dict(project)
        save_project(again)  # the same bytes: nothing is written (no .bak made of an unchanged file)
        assert path.read_bytes() == first and not Path(tmp, "p.json.bak").exists()


@FAST
@given(projects())
def test_valid_projects_pass_every_rule_in_bulk(project: Project) -> None:
    """What PixelProof writes passes each rule's bulk check (the fast path) and builds the same project."""
    doc = project_to_dict(project)
    rows = doc["annotations"]
    ctx = _ctx(rows, project)
    for rule in coco_rules.RULES:
        col = ctx.columns[rule.key]
        assert not col or rule.column_ok(col, ctx), rule.key
    assert project_from_dict(doc) == project


def _ctx(rows: list[dict], project: Project) -> coco_rules.Ctx:
    columns = {r.key: [row.get(r.key, coco_values.MISSING) for row in rows] for r in coco_rules.RULES}
    images = [project.images.get(v) if type(v) is int else None for v in columns["image_id"]]
    return coco_rules.Ctx(project.images, project.categories, columns, images, list(range(len(rows))))


def _deep(n: int) -> list:
    value: list = []
    for _ in range(n):
        value = [value]
    return value


BAD_VALUES = {
    "id": [None, "7", 1.5, True, 2**63, -(2**63) - 1],
    "image_id": [None, "1", 99, 1.0],
    "category_id": [None, 4.0, -5],
    "segmentation": [None, 3, "x", [[1, 2, 3]], [[0, 0, 1, 1, 2]], [[0, 0, 1e9, 0, 0, 5]],
                     [[0, 0, "a", 1, 2, 2]], [[float("nan"), 0, 1, 1, 2, 2]], {"size": [1, 1]},
                     {"size": [2, 2], "counts": "zz"}, {"size": [65536, 65536], "counts": []}],
    "bbox": ["x", [1, 2, 3], [0, 0, -1, 2], [float("inf"), 0, 1, 1], [0, 0, 1e12, 1], [True, 0, 1, 1]],
    "area": [-1, float("nan"), "5", True],
    "iscrowd": [2, -1, True, None, "0"],
    "score": [float("inf"), "0.5", [0.5]],
    "pixelproof": ["x", 3, {"review": "maybe"}, {"source": 5}, {"rle_origin": [-1, 0]},
                   {"flags": _deep(300)}],
}  # fmt: skip


@FAST
@given(projects(), st.data())
def test_bulk_and_one_by_one_agree_on_every_rule(project: Project, data: st.DataObject) -> None:
    """One source of rules: for any column, valid or broken, a rule's bulk check passes exactly when
    its one-by-one check finds nothing - and a broken value is always reported where it is."""
    rows = project_to_dict(project)["annotations"]
    if not rows:
        return
    rule = data.draw(st.sampled_from(coco_rules.RULES))
    broken = data.draw(st.booleans())
    where = data.draw(st.integers(0, len(rows) - 1))
    if broken:
        rows[where][rule.key] = data.draw(st.sampled_from(BAD_VALUES[rule.key]))
    ctx = _ctx(rows, project)
    found: list[tuple[int, str]] = []
    rule.check(ctx.columns[rule.key], ctx, lambda row, m: found.append((row, m)))
    assert rule.column_ok(ctx.columns[rule.key], ctx) == (not found)
    assert all(m.startswith(f"annotations[{row}]") for row, m in found)
    if broken and rule.key not in ("image_id", "category_id"):  # an id may exist by chance
        assert found and found[0][0] == where
    problems: list[str] = []
    coco_rules.read_annotations(rows, project.images, project.categories, problems)
    assert set(m for _, m in found) <= set(problems)


@settings(max_examples=60, deadline=None)
@given(arrays(bool, st.tuples(st.integers(1, 40), st.integers(1, 40))))
def test_random_masks_survive_rle(mask: np.ndarray) -> None:
    rle = masks.encode(mask)
    assert rle["size"] == list(mask.shape) and isinstance(rle["counts"], str)
    assert np.array_equal(masks.decode(rle), mask)
    assert masks.compress(rle) == rle
    assert masks.segmentation_area(rle, [0, 0, 0, 0], *mask.shape) == mask.sum()
    assert masks.segmentation_bbox(rle, *mask.shape) == masks.bbox(mask)
    problems: list[str] = []
    rle_check.check_rles([(0, "m", rle, None, coco_values.MISSING)], problems.append)
    assert problems == []


@st.composite
def blobs(draw: st.DrawFn) -> np.ndarray:
    """Unions of ellipses, rectangles and convex polygons (>= 200 px, holes filled)."""
    m = np.zeros((80, 96), dtype=np.uint8)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["ellipse", "rect", "poly"]))
        cx, cy = draw(st.integers(5, 90)), draw(st.integers(5, 75))
        if kind == "ellipse":
            axes = (draw(st.integers(2, 30)), draw(st.integers(2, 30)))
            cv2.ellipse(m, (cx, cy), axes, draw(st.floats(0, 180)), 0, 360, 1, -1)
        elif kind == "rect":
            cv2.rectangle(m, (cx, cy), (cx + draw(st.integers(1, 40)), cy + draw(st.integers(1, 40))), 1, -1)
        else:
            pts = draw(st.lists(st.tuples(st.integers(0, 95), st.integers(0, 79)), min_size=3, max_size=7))
            cv2.fillPoly(m, [cv2.convexHull(np.array(pts, dtype=np.int32))], 1)
    mask = ndimage.binary_fill_holes(m.astype(bool))
    assume(mask.sum() >= 200)
    return mask


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(blobs())
def test_traced_polygons_rasterize_back(mask: np.ndarray) -> None:
    traced = masks.mask_to_polygons(mask)
    assert traced.holes == 0
    back = masks.polygons_to_mask(traced.polygons, *mask.shape)
    assert masks.iou(mask, back) >= 0.95  # the bar
    assert np.array_equal(back, mask)  # what tracing along pixel edges actually gives
    assert all(len(p) >= 6 and len(p) % 2 == 0 for p in traced.polygons)


def test_traced_mask_with_hole_says_so() -> None:
    mask = np.zeros((40, 40), dtype=bool)
    mask[5:35, 5:35] = True
    mask[15:25, 15:25] = False
    traced = masks.mask_to_polygons(mask)
    assert traced.holes == 1 and not traced.lossless
    assert masks.polygons_to_mask(traced.polygons, 40, 40).sum() == 900  # the hole is filled


def test_rectangle_traces_to_its_pixel_edges() -> None:
    mask = np.zeros((20, 30), dtype=bool)
    mask[3:9, 4:14] = True
    [poly] = masks.mask_to_polygons(mask).polygons
    xs, ys = poly[0::2], poly[1::2]
    assert (min(xs), max(xs), min(ys), max(ys)) == (4, 14, 3, 9)
    assert np.array_equal(masks.polygons_to_mask([poly], 20, 30), mask)
