"""Every consumer of an annotation's pixels honours masks stored cropped (``pixelproof.rle_origin``,
docs/format.md: "any mask may be stored this way").

A differential test: each feature runs on a project whose masks are stored whole and on the same project
with every mask re-stored cropped to its box (same pixels, bbox and area), and must give the same answer.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import annotation_pixels, masks
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.model import Annotation, ImageRecord, Project

W, H = 64, 48
CATS = ["cat", "dog"]


def disc(cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r


def rect(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def stored_cropped(project: Project) -> Project:
    """A copy of ``project`` with every mask annotation stored cropped to its box: the RLE of the crop
    (``masks.encode_cropped`` of its pixels) and ``rle_origin``; bbox and area unchanged."""
    out = copy.deepcopy(project)
    for ann in out.annotations.values():
        if ann.kind != "mask":
            continue
        image = out.images[ann.image_id]
        found = masks.encode_cropped(ann.mask(image.height, image.width))
        assert found is not None
        rle, origin = found
        bbox, area = list(ann.bbox), ann.area
        ann.set_geometry(rle, bbox, area)
        ann.app_extra[RLE_ORIGIN] = origin
    return out


def _mask(aid: int, image_id: int, cid: int, m: np.ndarray, **kw: object) -> Annotation:
    return Annotation(aid, image_id, cid, masks.bbox(m), masks.encode(m), float(m.sum()), **kw)  # type: ignore[arg-type]


def _polygon(aid: int, image_id: int, cid: int, poly: list[float]) -> Annotation:
    seg = [list(map(float, poly))]
    return Annotation(
        aid, image_id, cid, masks.polygons_bbox(seg), seg, masks.segmentation_area(seg, [], H, W)
    )


def _box(aid: int, image_id: int, cid: int, bbox: list[float]) -> Annotation:
    return Annotation(aid, image_id, cid, [float(v) for v in bbox], None, float(bbox[2] * bbox[3]))


def scene(shift: int = 0, swap: bool = False) -> list[tuple[str, list[tuple[str, str, object]]]]:
    """Objects per image: (kind, category, shape). ``shift`` moves the masks (another annotator);
    ``swap`` relabels one object."""
    s = shift
    ring = disc(32 + s, 24, 10) & ~disc(32 + s, 24, 4)  # a mask with a hole
    return [
        (
            "a.png",
            [
                ("mask", "cat", rect(0, 0, 12 + s, 9) | disc(6, 6, 5 + s)),  # touches the top-left corner
                ("mask", "dog" if not swap else "cat", ring),
                ("mask", "cat", disc(60 - s, 44, 8)),  # runs out of the bottom-right edge
                ("polygon", "dog", [2, 40, 14 + s, 30, 20, 46]),
                ("box", "cat", [44, 2 + s, 14, 10]),
            ],
        ),
        (
            "b.png",
            [
                ("mask", "dog", disc(14 + s, 14, 6) | disc(40 + s, 30, 5)),  # two islands
                ("mask", "cat", disc(48, 12 + s, 7) | rect(0, 40, 64, 48)),  # spans the image's width
                ("polygon", "cat", [30, 2, 40 + s, 2, 40, 10, 30, 10]),
            ],
        ),
    ]


def write_images(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in ("a.png", "b.png"):
        path = folder / name
        if not path.exists():
            Image.fromarray(rng.integers(0, 255, (H, W, 3), dtype=np.uint8)).save(path)


def make(folder: Path, name: str, shift: int = 0, swap: bool = False, author: str | None = None) -> Project:
    """A project over real PNGs in ``folder/images``; every mask stored whole."""
    write_images(folder / "images")
    p = new_project(CATS)
    p.path = folder / name
    aid = 1
    for i, (file_name, objects) in enumerate(scene(shift, swap), start=1):
        p.add_image(ImageRecord(i, f"images/{file_name}", W, H))
        for kind, cat, shape in objects:
            cid = CATS.index(cat) + 1
            if kind == "mask":
                ann = _mask(aid, i, cid, shape)  # type: ignore[arg-type]
            elif kind == "polygon":
                ann = _polygon(aid, i, cid, shape)  # type: ignore[arg-type]
            else:
                ann = _box(aid, i, cid, shape)  # type: ignore[arg-type]
            ann.author = author
            p.add_annotation(ann)
            aid += 1
    return p


def pixels(project: Project) -> dict[int, np.ndarray]:
    return {
        a.id: a.mask(project.images[a.image_id].height, project.images[a.image_id].width)
        for a in project.annotations.values()
    }


def assert_same_pixels(a: Project, b: Project) -> None:
    pa, pb = pixels(a), pixels(b)
    assert pa.keys() == pb.keys()
    for k in pa:
        assert np.array_equal(pa[k], pb[k]), f"annotation {k}"


@pytest.fixture
def whole(tmp_path: Path) -> Project:
    return make(tmp_path, "whole.json")


def test_the_helper_keeps_every_pixel_bbox_and_area(whole: Project) -> None:
    cropped = stored_cropped(whole)
    assert_same_pixels(whole, cropped)
    n = 0
    for a, b in zip(whole.annotations.values(), cropped.annotations.values(), strict=True):
        assert (a.bbox, a.area) == (b.bbox, b.area)
        if a.kind == "mask":
            n += 1
            assert b.app_extra[RLE_ORIGIN] == [int(a.bbox[0]), int(a.bbox[1])]
            assert b.segmentation["size"] == [int(a.bbox[3]), int(a.bbox[2])]
    assert n == 5
    save_project(cropped, cropped.path.with_name("cropped.json"))  # valid COCO as written


@pytest.fixture
def other(tmp_path: Path) -> Project:
    """Another annotator's version: masks shifted, one object relabelled."""
    return make(tmp_path, "other.json", shift=2, swap=True)


def _qa(ref: Project, cand: Project) -> dict:
    from pixelproof.core.qa import run_qa
    from pixelproof.core.report import to_dict

    data = to_dict(run_qa(ref, cand))
    data.pop("meta", None)
    return data


def test_qa_figures(whole: Project, other: Project) -> None:
    want = _qa(other, whole)
    assert want["summary"]["images"] == 2
    assert _qa(stored_cropped(other), stored_cropped(whole)) == want
    assert _qa(other, stored_cropped(whole)) == want


def test_qa_difference_overlay(whole: Project, other: Project) -> None:
    from pixelproof.core.qa import run_qa
    from pixelproof.core.qa_difference import difference_image

    res = run_qa(other, whole)
    cref, ccand = stored_cropped(other), stored_cropped(whole)
    cres = run_qa(cref, ccand)
    for pair, cpair in zip(res.pairs, cres.pairs, strict=True):
        want = difference_image(pair, other, whole)
        assert want.any()
        assert np.array_equal(difference_image(cpair, cref, ccand), want)
        assert np.array_equal(
            difference_image(cpair, cref, ccand, category="cat"),
            difference_image(pair, other, whole, category="cat"),
        )


def _raters(projects: list[Project]):  # type: ignore[no-untyped-def]
    from pixelproof.core.agreement import Rater

    return [Rater(f"r{k}", p) for k, p in enumerate(projects)]


def test_agreement(whole: Project, other: Project, tmp_path: Path) -> None:
    from pixelproof.core.agreement import run_agreement

    third = make(tmp_path, "third.json", shift=1)
    want = run_agreement(_raters([whole, other, third])).to_dict()
    got = run_agreement(_raters([stored_cropped(p) for p in (whole, other, third)])).to_dict()
    assert got == want


def _merged(projects: list[Project]) -> Project:
    from pixelproof.core.merge import Shard, merge_shards

    for k, p in enumerate(projects):
        p.app["shard"] = {"annotator": f"r{k}", "split": "s1"}
    return merge_shards([Shard.of(p, f"r{k}") for k, p in enumerate(projects)]).project


def test_consensus_objects(whole: Project, other: Project, tmp_path: Path) -> None:
    from pixelproof.core.consensus import consensus_image, overlap_images

    third = make(tmp_path, "third.json", shift=1)
    group = [whole, other, third]
    for method in ("majority", "staple"):
        results = []
        for projects in (group, [stored_cropped(p) for p in group]):
            merged = _merged(copy.deepcopy(projects))
            out = []
            for image_id, members in sorted(overlap_images(merged).items()):
                im = merged.images[image_id]
                res = consensus_image(im.file_name, members, method)
                out.append([(label, a.bbox, a.area, a.mask(H, W).tobytes()) for a, label in res.objects])
            results.append(out)
        assert results[0] and results[0] == results[1], method


def test_merge_of_shards_keeps_the_pixels(whole: Project, other: Project) -> None:
    merged = _merged([copy.deepcopy(whole), copy.deepcopy(other)])
    cmerged = _merged([stored_cropped(whole), stored_cropped(other)])
    assert_same_pixels(merged, cmerged)


def test_diff_of_a_project_with_itself_re_stored_is_empty(whole: Project) -> None:
    from pixelproof.core.diff import diff_projects

    d = diff_projects(whole, stored_cropped(whole)).to_dict()
    assert d["objects"] == [], d["objects"]


def test_diff_between_annotators(whole: Project, other: Project) -> None:
    from pixelproof.core.diff import diff_projects

    want = diff_projects(other, whole).to_dict()
    assert want["objects"]
    got = diff_projects(stored_cropped(other), stored_cropped(whole)).to_dict()
    assert [(o["status"], o["old_id"], o["new_id"], o["iou"], o["what"]) for o in got["objects"]] == [
        (o["status"], o["old_id"], o["new_id"], o["iou"], o["what"]) for o in want["objects"]
    ]


def test_taxonomy_split_and_merge_keep_the_pixels(whole: Project) -> None:
    from pixelproof.core import taxonomy

    cropped = stored_cropped(whole)
    for p in (whole, cropped):
        edit, _ids = taxonomy.split_category(p, "cat", "cat", "kitten")
        edit.apply(p)
        taxonomy.merge_categories(p, "dog", "cat").apply(p)
    assert_same_pixels(whole, cropped)


def test_preserve_others_union(whole: Project) -> None:

    cropped = stored_cropped(whole)
    for image_id in whole.images:
        want = annotation_pixels.others_mask(whole.annotations_of(image_id), H, W)
        assert np.array_equal(annotation_pixels.others_mask(cropped.annotations_of(image_id), H, W), want)
        lazy = annotation_pixels.OthersMask(cropped.annotations_of(image_id), H, W)
        assert np.array_equal(lazy[0:H, 0:W], want)


def _same_after(whole: Project, edit_of) -> tuple[Project, Project]:  # type: ignore[no-untyped-def]
    """``edit_of(project)`` applied to the project stored whole and stored cropped: same pixels, boxes
    and areas; reverting gives back each project as it was."""
    from pixelproof.core.coco import dumps_project

    cropped = stored_cropped(whole)
    before = [dumps_project(whole), dumps_project(cropped)]
    edits = [edit_of(whole), edit_of(cropped)]
    for p, e in zip((whole, cropped), edits, strict=True):
        e.apply(p)
    assert_same_pixels(whole, cropped)
    for a in whole.annotations.values():
        b = cropped.annotations[a.id]
        assert (a.kind, a.bbox, a.area) == (b.kind, b.bbox, b.area), a.id
    for p, e, was in zip((whole, cropped), edits, before, strict=True):
        e.revert(p)
        assert dumps_project(p) == was
    return whole, cropped


def test_mask_to_polygons(whole: Project) -> None:
    from pixelproof.core.edits import shapes

    mask_ids = [a.id for a in whole.annotations.values() if a.kind == "mask"]
    _same_after(whole, lambda p: shapes.to_polygons(p, mask_ids, lambda ann, conv: "convert"))
    _same_after(whole, lambda p: shapes.to_polygons(p, mask_ids, lambda ann, conv: "split"))


def test_merge_masks(whole: Project) -> None:
    from pixelproof.core.edits import shapes

    _same_after(whole, lambda p: shapes.merge_masks(p, [1, 3]))  # two cat masks of a.png
    _same_after(whole, lambda p: shapes.merge_masks(p, [7, 8]))  # a cat mask and a cat polygon of b.png


def test_split_mask(whole: Project) -> None:
    from pixelproof.core.edits import shapes

    _same_after(whole, lambda p: shapes.split_mask(p, 6))  # two islands


def test_fill_holes(whole: Project) -> None:
    from pixelproof.core.edits import shapes

    _same_after(whole, lambda p: shapes.fill_holes(p, 2))  # the ring


def test_paint_on_a_mask(whole: Project) -> None:
    from pixelproof.core import mask_edit
    from pixelproof.core.edits.shapes import PaintMask

    def stroke(p: Project) -> PaintMask:
        ann = p.annotations[2]
        before = ann.mask(H, W)
        after = before.copy()
        after[20:30, 40:50] = True  # paints outside the ring's box too
        after[24, :] = False
        return PaintMask(ann, mask_edit.make_patch((0, 0, W, H), before, after))

    _same_after(whole, stroke)


def test_shape_edits_on_a_slide_keep_masks_cropped_where_they_lie() -> None:
    """On an image too big for one RLE, split / merge / fill holes / to polygons work in the mask's box
    and store their masks cropped at their own origin (split gave each piece the crop's frame box)."""
    from pixelproof.core.edits import shapes

    side = 70_000
    p = new_project(CATS)
    p.add_image(ImageRecord(1, "slide.tif", side, side))
    crop = np.zeros((20, 30), bool)
    crop[2:8, 3:9] = True  # an island with a hole
    crop[4, 5] = False
    crop[12:18, 20:28] = True
    rle, (dx, dy) = masks.encode_cropped(crop)
    ann = Annotation(1, 1, 1, [60_003.0, 50_002.0, 25.0, 16.0], rle, float(crop.sum()))
    ann.app_extra[RLE_ORIGIN] = [60_000 + dx, 50_000 + dy]
    p.add_annotation(ann)

    def where(a: Annotation) -> tuple:
        (x, y, w, h), c = annotation_pixels.annotation_crop(a, side, side)
        return (x, y, w, h), int(c.sum())

    shapes.split_mask(p, 1).apply(p)
    assert [where(a) for a in p.annotations.values()] == [
        ((60_020, 50_012, 8, 6), 48),
        ((60_003, 50_002, 6, 6), 35),
    ]
    for a in p.annotations.values():
        assert a.bbox == [float(v) for v in where(a)[0]] and a.app_extra[RLE_ORIGIN] == list(where(a)[0][:2])
    from pixelproof.core.geometry import translated

    moved = translated(p.annotations[2], 100.0, -50.0, side, side)  # the crop's origin moves, no whole mask
    assert where(moved) == ((60_103, 49_952, 6, 6), 35) and moved.app_extra[RLE_ORIGIN] == [60_103, 49_952]
    shapes.fill_holes(p, 2).apply(p)
    assert where(p.annotations[2]) == ((60_003, 50_002, 6, 6), 36)
    shapes.merge_masks(p, [1, 2]).apply(p)
    (merged,) = p.annotations.values()
    assert where(merged) == ((60_003, 50_002, 25, 16), 84) and merged.bbox == [60_003.0, 50_002.0, 25.0, 16.0]
    shapes.to_polygons(p, [1], lambda a, c: "split").apply(p)
    assert sorted(masks.polygons_bbox(a.segmentation) for a in p.annotations.values()) == [
        [60_003.0, 50_002.0, 6.0, 6.0],
        [60_020.0, 50_012.0, 8.0, 6.0],
    ]
    assert all(RLE_ORIGIN not in a.app_extra for a in p.annotations.values())


def _written(folder: Path) -> dict[str, object]:
    """Every file under ``folder``: PNG pixels, else bytes (the export marker: its format, not the
    project file it names)."""
    out: dict[str, object] = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            rel = str(f.relative_to(folder))
            out[rel] = np.asarray(Image.open(f)).tobytes() if f.suffix == ".png" else f.read_bytes()
            if f.name == ".pixelproof-export":
                out[rel] = json.loads(f.read_bytes())["format"]
    return out


# dicom-seg needs a DICOM series to write against; it reads pixels through masks.annotation_mask
WRITABLE = [
    "coco",
    "coco-panoptic",
    "labelme",
    "yolo",
    "voc",
    "cityscapes",
    "kitti",
    "openimages",
    "cvat",
    "labelstudio",
    "mvtec",
    "nifti",
    "masks",
    "geojson",
]


def _read_back(fmt: str, out: Path) -> list[tuple[str, str, bytes]]:
    """The objects a format's reader finds in ``out``: (image, class, pixels), sorted."""
    from pixelproof.interop.formats import FORMATS

    project = FORMATS[fmt].read(out).project
    cats = {c.id: c.name for c in project.categories.values()}
    found = []
    for a in project.annotations.values():
        im = project.images[a.image_id]
        found.append((Path(im.file_name).name, cats[a.category_id], a.mask(im.height, im.width).tobytes()))
    return sorted(found)


@pytest.mark.parametrize("fmt", WRITABLE)
def test_convert_writes_the_same_pixels(whole: Project, tmp_path: Path, fmt: str) -> None:
    """Each writer, given the project stored whole and stored cropped, writes the same files (COCO: the
    same objects), and its reader reads the same pixels back."""
    from pixelproof.interop.formats import FORMATS

    if fmt == "nifti":  # the two images as the slices of a label volume
        import nibabel as nib

        nib.save(
            nib.Nifti1Image(np.zeros((W, H, 2), np.int16), np.eye(4)), tmp_path / "images" / "vol.nii.gz"
        )
        for k, im in enumerate(whole.images.values()):
            im.file_name = f"images/vol.nii.gz#z={k:03d}"
    cropped = stored_cropped(whole)
    cropped.path = whole.path.with_name("cropped.json")
    outs, back = [], []
    for p, name in ((whole, "out_whole"), (cropped, "out_cropped")):
        save_project(p, p.path)
        out = tmp_path / name / ("out.json" if fmt == "coco" else "out")
        FORMATS[fmt].write(p, out)
        outs.append(_written(tmp_path / name))
        back.append(_read_back(fmt, out) if FORMATS[fmt].can_read else None)
    assert outs[0].keys() == outs[1].keys() and outs[0]
    assert back[0] == back[1]
    if fmt not in ("coco", "cvat"):  # COCO keeps the storage; CVAT names the project
        differ = [k for k in outs[0] if outs[0][k] != outs[1][k]]
        assert not differ, differ


def test_an_rle_origin_in_a_labelme_file_does_not_move_the_shapes_read(
    whole: Project, tmp_path: Path
) -> None:
    """LabelMe and Cityscapes files written from masks stored cropped carried ``rle_origin`` in each
    shape's ``pixelproof`` block; read back it placed the mask read (whole-image) that far off: the ring
    read back 22 px right and 14 px down. Readers drop it; writers no longer write it."""
    import json

    from pixelproof.interop.formats import FORMATS

    out = tmp_path / "lm"
    FORMATS["labelme"].write(whole, out)
    want = _read_back("labelme", out)
    doc = json.loads((out / "a.json").read_text())
    for shape in doc["shapes"]:
        shape.setdefault("pixelproof", {})["rle_origin"] = [22, 14]
    (out / "a.json").write_text(json.dumps(doc))
    assert _read_back("labelme", out) == want


def test_moving_a_mask(whole: Project) -> None:
    """The select tool's move (``geometry.translated``), also past the image's edges."""
    from pixelproof.core.edits.annotations import ReplaceAnnotations
    from pixelproof.core.geometry import translated

    for dx, dy in ((3.4, -2.0), (-30.0, 20.0), (0.0, 0.0)):

        def move(p: Project, dx: float = dx, dy: float = dy) -> ReplaceAnnotations:
            return ReplaceAnnotations([translated(a, dx, dy, W, H) for a in p.annotations.values()])

        _same_after(whole, move)


def test_lint_problems_and_fixes(tmp_path: Path) -> None:
    """Lint on the coins scene with planted errors of every kind (tests/core/test_lint_masks.py): the
    same problems, scores and fixed pixels whether the masks are stored whole or cropped."""
    from pixelproof.core.lint import lint_project
    from pixelproof.core.lint.apply import fix_edit
    from tests.core.lint_scenes import coin_scene
    from tests.core.test_lint_masks import RULES, plant

    project, predictions = coin_scene(tmp_path)
    plant(project)
    cropped = stored_cropped(project)
    cpredictions = {k: list(stored_cropped_annotations(project, v)) for k, v in predictions.items()}
    found = [
        lint_project(p, RULES, preds).problems
        for p, preds in ((project, predictions), (cropped, cpredictions))
    ]

    def key(problem):  # type: ignore[no-untyped-def]
        return (
            problem.kind,
            problem.annotation_id,
            problem.related_id,
            round(problem.score, 9),
            problem.bbox,
        )

    assert len(found[0]) > 8
    assert [key(p) for p in found[0]] == [key(p) for p in found[1]]
    for a, b in zip(*found, strict=True):
        if a.fix is None or a.fix.get("action") == "dismiss":
            continue
        fixed = []
        for p, problem in ((project, a), (cropped, b)):
            q = copy.deepcopy(p)
            fix_edit(q, problem.fix).apply(q)
            fixed.append(q)
        assert_same_pixels(*fixed)


def stored_cropped_annotations(project: Project, anns: list[Annotation]) -> list[Annotation]:
    """Predictions (not in the project) stored cropped as ``stored_cropped`` stores the project's."""
    out = []
    for a in copy.deepcopy(anns):
        if a.kind == "mask":
            im = project.images[a.image_id]
            rle, origin = masks.encode_cropped(a.mask(im.height, im.width))
            a.set_geometry(rle, list(a.bbox), a.area)
            a.app_extra[RLE_ORIGIN] = origin
        out.append(a)
    return out


def test_lint_predictions_stored_cropped_keep_their_place(whole: Project) -> None:
    """A pending model prediction stored cropped, without a score, lost its rle_origin when lint took it
    as a prediction (placed at the image's top-left corner); an "add" fix of a cropped prediction added
    the crop without its origin."""
    from pixelproof.core.lint import fixes
    from pixelproof.core.lint.apply import fix_edit
    from pixelproof.core.lint.predictions import pending_predictions

    cropped = stored_cropped(whole)
    ring = cropped.annotations[2]
    ring.review, ring.source, ring.score = "pending", "model:test", None
    (pred,) = [p for p in pending_predictions(cropped)[0][1] if p.id == 2]
    assert np.array_equal(pred.mask(H, W), whole.annotations[2].mask(H, W))
    cropped.remove_annotation(2)
    fix_edit(cropped, fixes.add(pred, W, H)).apply(cropped)
    (added,) = [a for a in cropped.annotations.values() if a.id not in whole.annotations or a.id == 2]
    assert np.array_equal(added.mask(H, W), whole.annotations[2].mask(H, W))
