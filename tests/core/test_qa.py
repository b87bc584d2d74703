"""QA tables: semantic rows, instance matching, conventions in aggregates, the LabelMe fixture."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.coco import load_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.qa_difference import (
    DIFF_AGREE,
    DIFF_FN,
    DIFF_FP,
    DIFF_WRONG_CLASS,
    difference_image,
    difference_rgba,
)
from pixelproof.core.qa_objects import pair_images
from pixelproof.core.report import to_dict

SHAPE = (64, 80)


def disc(cy, cx, r, shape=SHAPE):
    y, x = np.mgrid[: shape[0], : shape[1]]
    return (y - cy) ** 2 + (x - cx) ** 2 <= r**2


def make_project(objects, images=("a.png",), cats=("cat", "dog"), shape=SHAPE) -> Project:
    """objects: (file_name, category name, mask or [x, y, w, h] box)."""
    p = Project()
    for i, name in enumerate(images, start=1):
        p.add_image(ImageRecord(i, name, shape[1], shape[0]))
    for i, c in enumerate(cats, start=1):
        p.add_category(Category(i, c))
    for k, (file_name, cat, geom) in enumerate(objects, start=1):
        img = p.image_by_file_name(file_name)
        cid = p.category_by_name(cat).id
        if isinstance(geom, np.ndarray):
            ann = Annotation(k, img.id, cid, masks.bbox(geom), masks.encode(geom), float(geom.sum()))
        else:
            ann = Annotation(k, img.id, cid, [float(v) for v in geom], None, float(geom[2] * geom[3]))
        p.add_annotation(ann)
    return p


def rows_by(result, **kw):
    return [r for r in result.per_object if all(getattr(r, k) == v for k, v in kw.items())]


def test_identical_projects_score_perfectly_and_count_both_empty():
    ref = make_project([("a.png", "cat", disc(20, 20, 8)), ("a.png", "cat", disc(40, 60, 9))])
    res = run_qa(ref, ref)
    cat_row = next(r for r in res.per_image if r.category == "cat")
    assert cat_row.dice == 1 and cat_row.value("hd") == 0 and cat_row.value("nsd") == 1
    assert res.categories == ["cat"]  # dog is used by neither project: no rows
    s = res.summary()
    assert s["tp"] == 2 and s["fp"] == 0 and s["fn"] == 0 and s["pq"] == 1


def test_matching_fn_fp_wrong_class_and_counts():
    ref = make_project(
        [
            ("a.png", "cat", disc(15, 15, 8)),  # matched (shifted 1 px)
            ("a.png", "cat", disc(45, 20, 8)),  # missed
            ("a.png", "dog", disc(30, 60, 10)),  # labelled cat by the candidate -> wrong class
        ]
    )
    cand = make_project(
        [
            ("a.png", "cat", disc(15, 16, 8)),
            ("a.png", "cat", disc(31, 60, 10)),
            ("a.png", "dog", disc(55, 70, 5)),  # extra
        ]
    )
    res = run_qa(ref, cand)
    assert len(rows_by(res, status="match")) == 1
    wrong = rows_by(res, status="wrong_class")
    assert len(wrong) == 1 and wrong[0].category == "dog" and wrong[0].cand_category == "cat"
    assert wrong[0].ref_id == 3 and wrong[0].cand_id == 2
    fn = rows_by(res, status="fn")
    fp = rows_by(res, status="fp")
    assert [r.ref_id for r in fn] == [2] and [r.cand_id for r in fp] == [3]
    assert math.isinf(fn[0].value("hd")) and fn[0].reason("hd") == "one mask empty"
    pc = {c["category"]: c for c in res.per_class()}
    assert (pc["cat"]["tp"], pc["cat"]["fp"], pc["cat"]["fn"]) == (1, 1, 1)  # wrong-class cand is FP of cat
    assert (pc["dog"]["tp"], pc["dog"]["fp"], pc["dog"]["fn"], pc["dog"]["wrong_class"]) == (0, 1, 1, 1)
    m = rows_by(res, status="match")[0]
    assert pc["cat"]["pq"] == pytest.approx(m.iou / (1 + 0.5 + 0.5))
    assert pc["cat"]["sq"] * pc["cat"]["rq"] == pytest.approx(pc["cat"]["pq"])
    assert m.bbox == [7.0, 7.0, 18.0, 17.0]  # union of both boxes, for centring a view


def test_threshold_is_strict_and_settable():
    a = np.zeros(SHAPE, bool)
    a[10:20, 10:30] = True
    b = np.zeros(SHAPE, bool)
    b[10:20, 20:40] = True  # IoU = 1/3
    ref, cand = make_project([("a.png", "cat", a)]), make_project([("a.png", "cat", b)])
    assert run_qa(ref, cand).summary()["tp"] == 0
    res = run_qa(ref, cand, QAOptions(iou_threshold=0.3))
    assert res.summary()["tp"] == 1
    assert run_qa(ref, cand, QAOptions(iou_threshold=1 / 3)).summary()["tp"] == 0


def test_box_only_annotations_use_box_iou():
    ref = make_project([("a.png", "cat", [10, 10, 20, 10])])
    cand = make_project([("a.png", "cat", [15, 10, 20, 10])])
    res = run_qa(ref, cand)
    (m,) = rows_by(res, status="match")
    assert m.kind == "box" and m.iou == pytest.approx(150 / 250)


def test_a_box_pairs_boundary_figures_are_its_filled_boxes_as_the_image_row_scores_them():
    """The review's Objects table said HD95 n/a for a box pair while the Images table's row, which fills
    the boxes, said 40.0. A box pair's boundary figures are now those of its filled boxes: the image row's
    when the pair is the image's only objects, and a brute-force check's on pycocotools' rasterization."""
    from pycocotools import mask as mask_utils

    from tests.core.test_metrics import brute

    boxes = ([12.0, 9.0, 30.0, 21.0], [16.5, 11.0, 30.0, 20.0])  # one with a half-pixel edge
    ref = make_project([("a.png", "cat", boxes[0])])
    cand = make_project([("a.png", "cat", boxes[1])])
    res = run_qa(ref, cand)
    (m,) = rows_by(res, status="match")
    (image_row,) = [r for r in res.per_image if r.category == "cat"]
    filled = [
        mask_utils.decode(mask_utils.frPyObjects([[x, y, x + w, y, x + w, y + h, x, y + h]], *SHAPE))[..., 0]
        for x, y, w, h in boxes
    ]
    expected = brute(filled[0].astype(bool), filled[1].astype(bool))
    for name in ("hd", "hd95", "hd95_pooled", "hd95_mean", "assd", "masd"):
        assert m.value(name) == pytest.approx(expected[name], abs=1e-9), name
        assert m.value(name) == image_row.value(name), name
    assert m.kind == "box" and m.iou == pytest.approx(25.5 * 19 / (30 * 21 + 30 * 20 - 25.5 * 19))  # box IoU
    assert to_dict(res)["per_object"][0]["hd95"] == pytest.approx(expected["hd95"])
    # a missed box is as far from nothing as a missed mask: infinite, with the mask rows' reason
    res = run_qa(make_project([("a.png", "cat", boxes[0]), ("a.png", "dog", [60, 50, 8, 8])]), cand)
    (fn,) = rows_by(res, status="fn")
    assert math.isinf(fn.value("hd95")) and fn.reason("hd95") == "one mask empty"


def test_iou_matrix_measures_only_pairs_that_can_overlap(monkeypatch):
    """Every pair was measured: an image of 10,000 tiny objects took minutes of QA against itself. The
    matrix is the same, pairs whose extents are apart are 0 without a measurement."""
    from pixelproof.core import qa_objects

    shifted = disc(30, 40, 8)
    shifted[:, 45:] = False  # pixels left of the box it claims: the extent covers both
    objects = [("a.png", "cat", disc(10, 10, 3)), ("a.png", "cat", [60, 50, 5, 5]), ("a.png", "dog", shifted)]
    objects += [("a.png", "cat", [float(x), 0.0, 0.0, 2.0]) for x in range(0, 80, 20)]  # zero width
    objects += [("a.png", "dog", [float(x), 40.0, 2.0, 2.0]) for x in range(0, 80, 4)]
    project = make_project(objects)
    image = project.images[1]
    objs = qa_objects.image_objects(project, image, SHAPE)
    objs[2].ann.bbox = [40.0, 22.0, 20.0, 17.0]  # a stored box off its mask: box pairs use it
    calls = []
    measure = qa_objects.pair_iou
    monkeypatch.setattr(qa_objects, "pair_iou", lambda a, b: calls.append(1) or measure(a, b))
    got = qa_objects.iou_pairs(objs, objs).toarray()
    want = np.array([[measure(a, b) for b in objs] for a in objs])
    np.testing.assert_array_equal(got, want)
    assert (want > 0).sum() <= len(calls) < len(objs) ** 2 // 4


def test_wrong_class_pass_compares_classes_per_object_not_per_pair(monkeypatch):
    """The leftovers of the same-class pass had their classes compared pair by pair in Python: an image of
    10,000 objects with a class confused was 10**7 comparisons. Same rows, classes compared per object."""
    from pixelproof.core import qa

    calls = []

    class Counted(str):
        __hash__ = str.__hash__

        def __eq__(self, other):
            calls.append(1)
            return str.__eq__(self, other)

    real = qa.image_objects

    def counted_objects(*args, **kwargs):
        objects = real(*args, **kwargs)
        for o in objects:
            o.category = Counted(o.category)
        return objects

    monkeypatch.setattr(qa, "image_objects", counted_objects)
    n = 200
    boxes = [[float(4 * (k % 20)), float(6 * (k // 20)), 3.0, 5.0] for k in range(n)]
    ref = make_project([("a.png", "cat", b) for b in boxes])
    cand = make_project([("a.png", "dog" if k % 2 else "cat", b) for k, b in enumerate(boxes)])
    res = run_qa(ref, cand)
    assert len(calls) < (n // 2) ** 2 // 4
    assert [(r.status, r.ref_id, r.cand_id) for r in res.per_object if r.status != "match"] == [
        ("wrong_class", k + 1, k + 1) for k in range(1, n, 2)
    ]


def test_percentiles_of_a_comparison_are_computed_once(monkeypatch):
    """Every read of hd95 / hd95_mean / hd95_pooled ran np.percentile again, and a report reads each row's
    figures four times: QA of 50,000 small images took minutes. Same figures, one percentile a set."""
    names = [f"{k}.png" for k in range(6)]
    ref = make_project([(n, "cat", disc(20 + k, 20, 6 + k)) for k, n in enumerate(names)], images=names)
    cand = make_project([(n, "cat", disc(22, 21 + k, 7)) for k, n in enumerate(names)], images=names)
    calls = []
    percentile = np.percentile
    monkeypatch.setattr(np, "percentile", lambda *a, **k: calls.append(1) or percentile(*a, **k))
    res = run_qa(ref, cand)
    data = to_dict(res)
    rows = res.per_image
    compared = len(rows) + sum(r.comparison is not None for r in res.per_object)  # 3 sets each
    assert len(rows) == len(names) and len(calls) <= 3 * compared
    for row, written in zip(rows, data["per_image"], strict=True):
        c = row.comparison
        a, b = percentile(c.d_ref, 95), percentile(c.d_cand, 95)
        assert (c.hd95, c.hd95_mean) == (max(a, b), (a + b) / 2) == (written["hd95"], written["hd95_mean"])
        assert c.hd95_pooled == percentile(np.concatenate([c.d_ref, c.d_cand]), 95) == written["hd95_pooled"]


def test_both_empty_option_and_inf_replaced_by_diagonal_in_means():
    ref = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("b.png", "dog", disc(20, 20, 8))], images=("a.png", "b.png")
    )
    cand = make_project(
        [("a.png", "cat", disc(20, 21, 8)), ("b.png", "cat", disc(30, 30, 5))], images=("a.png", "b.png")
    )
    res = run_qa(ref, cand)
    pc = {c["category"]: c for c in res.per_class()}
    # dog: a.png both empty (n/a, counted), b.png reference only (one empty: Dice 0, HD inf)
    assert pc["dog"]["n_both_empty"] == 1 and pc["dog"]["n_one_empty"] == 1
    assert pc["dog"]["dice"] == 0
    assert pc["dog"]["hd"] == pytest.approx(math.hypot(*SHAPE)) and pc["dog"]["hd_inf_replaced"] == 1
    res1 = run_qa(ref, cand, QAOptions(both_empty_as_one=True))
    pc1 = {c["category"]: c for c in res1.per_class()}
    assert pc1["dog"]["dice"] == pytest.approx(0.5)  # (1.0 + 0) / 2
    data = to_dict(res)
    dog_b = next(r for r in data["per_image"] if r["category"] == "dog" and r["file_name"] == "b.png")
    assert dog_b["hd"] is None and dog_b["hd_reason"] == "one mask empty"
    dog_a = next(r for r in data["per_image"] if r["category"] == "dog" and r["file_name"] == "a.png")
    assert dog_a["dice"] is None and dog_a["dice_reason"] == "both empty"
    json.dumps(data, allow_nan=False)


def test_pairing_by_name_then_stem_and_unmatched_listed():
    ref = Project()
    cand = Project()
    for i, n in enumerate(["x/a.png", "b.png", "c.png"], 1):
        ref.add_image(ImageRecord(i, n, 10, 10))
    for i, n in enumerate(["x/a.png", "JPEGImages/b.jpg", "d.jpg"], 1):
        cand.add_image(ImageRecord(i, n, 10, 10))
    pairs, un_r, un_c = pair_images(ref, cand)
    assert sorted((p.ref.file_name, p.cand.file_name) for p in pairs) == [
        ("b.png", "JPEGImages/b.jpg"),
        ("x/a.png", "x/a.png"),
    ]
    assert un_r == ["c.png"] and un_c == ["d.jpg"]


def test_pairing_by_the_path_under_differing_roots():
    """A colleague's copy of an MVTec AD dataset in another folder: every defect folder holds a 000.png, so
    neither the whole name nor the stem pairs them; the path parts they end with (the shortest ending that
    is one image's on each side) do. An ending two images share on one side pairs neither."""
    rel = ["test/dent/000.png", "test/scratch/000.png", "test/good/000.png", "train/good/000.png"]
    ref, cand = Project(), Project()
    for i, n in enumerate(rel, 1):
        ref.add_image(ImageRecord(i, f"mvtec_bob/plate/{n}", 10, 10))
        cand.add_image(ImageRecord(i, "C:\\data\\mvtec\\plate\\" + n.replace("/", "\\"), 10, 10))
    ref.add_image(ImageRecord(8, "p/dup/9.png", 10, 10))  # dup/9.png twice in the reference: no pair
    ref.add_image(ImageRecord(9, "q/dup/9.png", 10, 10))
    cand.add_image(ImageRecord(9, "r/dup/9.png", 10, 10))
    pairs, un_r, un_c = pair_images(ref, cand)
    got = {p.ref.file_name: p.cand.file_name for p in pairs}
    assert got == {f"mvtec_bob/plate/{n}": "C:\\data\\mvtec\\plate\\" + n.replace("/", "\\") for n in rel}
    assert un_r == ["p/dup/9.png", "q/dup/9.png"] and un_c == ["r/dup/9.png"]


def test_difference_image_codes():
    ref = make_project([("a.png", "cat", disc(20, 20, 8)), ("a.png", "dog", disc(40, 60, 6))])
    cand = make_project([("a.png", "cat", disc(20, 23, 8)), ("a.png", "cat", disc(40, 60, 6))])
    res = run_qa(ref, cand)
    codes = difference_image(res.pairs[0], ref, cand)
    a, b = disc(20, 20, 8), disc(20, 23, 8)
    assert (codes[a & b] == DIFF_AGREE).all()
    assert (codes[a & ~b] == DIFF_FN).all()
    assert (codes[b & ~a] == DIFF_FP).all()
    assert (codes[disc(40, 60, 6)] == DIFF_WRONG_CLASS).all()
    only_cat = difference_image(res.pairs[0], ref, cand, category="cat")
    assert (only_cat[disc(40, 60, 6)] == DIFF_FP).all()
    rgba = difference_rgba(codes)
    assert rgba.shape == (*SHAPE, 4) and rgba[0, 0, 3] == 0
    outline = difference_rgba(codes, outline=True)
    assert outline[20, 20, 3] == 0 and outline[20, 12, 3] == 255


def test_worst_images_sorted_and_object_rows_per_image():
    ref = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("b.png", "cat", disc(20, 20, 8))], images=("a.png", "b.png")
    )
    cand = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("b.png", "cat", disc(20, 24, 8))], images=("a.png", "b.png")
    )
    res = run_qa(ref, cand)
    worst = res.worst_images(2)
    assert [w["file_name"] for w in worst] == ["b.png"]  # a.png is perfect: nothing to look at
    assert [w["file_name"] for w in res.worst_images(2, key="hd95")] == ["b.png"]
    assert len(res.object_rows("b.png")) == 1 and res.object_rows("b.png")[0].iou < 1


# ------------------------------------------------------------------------------------------------
# the LabelMe fixture


COCO = "labelme/instance_segmentation/data_dataset_coco"


def test_labelme_export_against_itself_is_perfect(shared_fixtures):
    project = load_project(shared_fixtures / COCO / "annotations.json")
    res = run_qa(project, project)
    dice = [r.dice for r in res.per_image if not math.isnan(r.dice)]
    assert dice and all(d == 1.0 for d in dice)
    assert all(r.status == "match" and r.iou == 1.0 for r in res.per_object)
    assert len(res.per_object) == len(project.annotations)
    assert not res.unmatched_reference and not res.unmatched_candidate


def test_labelme_one_polygon_shifted_by_3px_is_flagged(shared_fixtures, tmp_path):
    src = shared_fixtures / COCO / "annotations.json"
    data = json.loads(src.read_text())
    target = max(data["annotations"], key=lambda a: a["area"])  # a polygon well inside its image
    target["segmentation"] = [
        [v + 3 if i % 2 == 0 else v for i, v in enumerate(p)] for p in target["segmentation"]
    ]
    target["bbox"][0] += 3
    cand_path = tmp_path / "candidate.json"
    cand_path.write_text(json.dumps(data))
    shutil.copytree(shared_fixtures / COCO / "JPEGImages", tmp_path / "JPEGImages")
    ref = load_project(src)
    res = run_qa(ref, load_project(cand_path))
    imperfect = [r for r in res.per_object if r.iou < 1]
    assert [(r.ref_id, r.cand_id) for r in imperfect] == [(target["id"], target["id"])]
    assert imperfect[0].status == "match"
    lowest = min(res.per_object, key=lambda r: r.iou)
    assert lowest.ref_id == target["id"] and lowest.value("hd") == pytest.approx(3.0, abs=1.01)
    worst = res.worst_images(1)[0]
    assert worst["file_name"] == ref.images[target["image_id"]].file_name


def nuclei_projects(side: int = 100) -> tuple[Project, Project]:
    """One image of side x side boxes 6 px wide, touching in rows; the candidate of each is 1 px to the
    right (IoU 0.71 with it, 0.09 with the next: rows are chains) and every second one is a "dog"."""
    boxes = [[6.0 * (k % side), 7.0 * (k // side), 6.0, 6.0] for k in range(side * side)]
    ref = make_project([("a.png", "cat", b) for b in boxes], shape=(7 * side, 6 * side + 1))
    cand = make_project(
        [("a.png", "dog" if k % 2 else "cat", [b[0] + 1, *b[1:]]) for k, b in enumerate(boxes)],
        shape=(7 * side, 6 * side + 1),
    )
    return ref, cand


def test_one_image_of_ten_thousand_objects_is_matched_without_a_full_table():
    """10,000 objects an image (nuclei on a slide) took 9-19 s and ~2.5 GB: the IoU table was refs x
    candidates (400 MB here for the cat pass) before the assignment. Matching by groups of overlapping
    pairs stays far below, same-class pass and wrong-class pass alike; the rows are the expected ones."""
    import tracemalloc

    from pixelproof.core.metrics import InstanceCounts
    from pixelproof.core.qa_object_matching import match_objects
    from pixelproof.core.qa_objects import image_objects

    ref, cand = nuclei_projects()
    shape = (ref.images[1].height, ref.images[1].width)
    refs, cands = image_objects(ref, ref.images[1], shape), image_objects(cand, cand.images[1], shape)
    base = {"file_name": "a.png", "image_id": 1, "ref_image_id": 1}
    counts = {"cat": InstanceCounts(), "dog": InstanceCounts()}
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        # no boundary figures (cmp): the matching alone is measured here
        objects = match_objects(base, refs, cands, ["cat", "dog"], counts, 0.5, lambda *_: None)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, peak
    statuses = [o.status for o in objects]
    assert statuses.count("match") == statuses.count("wrong_class") == 5_000
    assert "fn" not in statuses and "fp" not in statuses
    assert {round(o.iou, 6) for o in objects} == {round(30 / 42, 6)}  # the 0.09 pairs lost in their rows
    assert counts["cat"].tp == 5_000 and counts["cat"].wrong_class == counts["dog"].fp == 5_000


def test_a_mask_stored_cropped_is_scored_where_it_lies():
    """A mask stored cropped to its box (``pixelproof.rle_origin``, docs/format.md) was decoded at the
    image's top-left corner: the same disc stored whole in the reference and cropped in the candidate
    scored Dice 0.0 with one FN and one FP. It is the same object: Dice 1.0 and one match."""
    shape = disc(30, 40, 8)
    ref = make_project([("a.png", "cat", shape)])
    cand = make_project([("a.png", "cat", shape)])
    rle, origin = masks.encode_cropped(shape)
    cand.annotations[1].segmentation = rle
    cand.annotations[1].app_extra["rle_origin"] = origin
    res = run_qa(ref, cand)
    row = next(r for r in res.per_image if r.category == "cat")
    assert row.dice == 1.0 and row.value("hd95") == 0.0
    assert (row.instances.tp, row.instances.fp, row.instances.fn) == (1, 0, 0)
    (obj,) = res.per_object
    assert obj.status == "match" and obj.iou == 1.0 and obj.cand_bbox == masks.bbox(shape)


def test_a_cropped_mask_that_runs_past_the_image_is_cut_at_its_edge():
    """A crop placed at its origin is cut at the image's edge, as ``Annotation.mask`` cuts it."""
    from pixelproof.core.qa_objects import annotation_placed

    crop = np.ones((6, 10), dtype=bool)
    ann = Annotation(1, 1, 1, [75.0, 60.0, 5.0, 4.0], masks.encode(crop), 20.0)
    ann.app_extra["rle_origin"] = [75, 60]
    placed = annotation_placed(ann, *SHAPE)
    assert (placed.y0, placed.x0, placed.mask.shape) == (60, 75, (4, 5))
    assert np.array_equal(placed.to_full(*SHAPE), ann.mask(*SHAPE))


def test_summary_images_counts_the_images_scored_not_those_skipped_for_their_size(tmp_path):
    ref = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("b.png", "cat", disc(20, 20, 8))], images=("a.png", "b.png")
    )
    cand = make_project([("a.png", "cat", disc(20, 20, 8))], images=("a.png", "b.png"))
    cand.image_by_file_name("b.png").width = SHAPE[1] + 10  # skipped: listed under problems
    res = run_qa(ref, cand)
    assert len(res.pairs) == 2 and any("b.png" in p and "skipped" in p for p in res.problems)
    assert res.summary()["images"] == 1
    data = to_dict(res)
    assert data["summary"]["images"] == 1
    assert {r["file_name"] for r in data["per_image"]} == {"a.png"}


def test_qa_html_report_on_a_slide_writes_no_whole_slide_thumbnail(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """QA on a 100,000^2 slide scores the masks within their boxes; the HTML report's difference thumbnail
    (and the review's difference pane, the same ``difference_image``) needed six 10 G-pixel arrays: now
    refused by the pixel limit, the report says so in the thumbnail's place."""
    from pixelproof.core.limits import RLE_ORIGIN, LimitError
    from pixelproof.core.report import write_html

    side = 100_000

    def slide_project(shift: int) -> Project:
        p = Project(categories={1: Category(1, "tissue")})
        p.add_image(ImageRecord(1, "slide.tif", side, side))
        m = np.zeros((200, 300), bool)
        m[20:180, 30 + shift : 250] = True
        rle, (dx, dy) = masks.encode_cropped(m)
        x, y = 50_000 + dx, 60_000 + dy
        ann = Annotation(
            1, 1, 1, [float(x), float(y), *map(float, rle["size"][::-1])], rle, area=float(m.sum())
        )
        ann.app_extra[RLE_ORIGIN] = [x, y]
        p.add_annotation(ann)
        return p

    ref, cand = slide_project(0), slide_project(40)
    result = run_qa(ref, cand, QAOptions())
    (pair,) = result.pairs
    with pytest.raises(LimitError, match=r"slide.tif: difference image of 100000 x 100000"):
        difference_image(pair, ref, cand)
    out = tmp_path / "report.html"
    write_html(to_dict(result), out, result, ref, cand)
    text = out.read_text()
    assert (
        "slide.tif" in text and "no difference image: slide.tif: difference image of 100000 x 100000" in text
    )


def test_objects_are_matched_in_the_classes_of_the_image_not_in_every_class(monkeypatch):
    """Each image ran the matching (sparse tables, assignment) for every class of the projects: 1,000 classes
    made QA take half a second an image with ten objects. Classes with no object on the image are skipped;
    their rows (both empty) stay, as the conventions want."""
    from pixelproof.core import qa_object_matching as matching

    cats = [f"c{k}" for k in range(300)]
    images = ("a.png", "b.png", "c.png")
    objects = [
        (name, cats[100 * i + k], [10.0 * k, 5.0, 6.0, 6.0])
        for i, name in enumerate(images)
        for k in range(2)
    ]
    ref = make_project(objects, images=images, cats=cats)
    cand = make_project(objects[:-1], images=images, cats=cats)  # one missed on c.png
    calls = []
    real = matching.iou_pairs
    monkeypatch.setattr(matching, "iou_pairs", lambda a, b: calls.append((len(a), len(b))) or real(a, b))
    res = run_qa(ref, cand)
    assert len(calls) <= len(images) * (2 + 1)  # the classes present, and the wrong-class pass
    assert [(r.status, r.file_name, r.category) for r in res.per_object] == [
        *(
            ("match", name, cats[100 * i + k])
            for i, name in enumerate(images)
            for k in range(2)
            if (i, k) != (2, 1)
        ),
        ("fn", "c.png", cats[201]),
    ]
    assert len(res.per_image) == len(images) * len(res.categories) and len(res.categories) == 6
    s = res.summary()
    assert (s["tp"], s["fn"], s["fp"], s["n_both_empty"]) == (5, 1, 0, 3 * 6 - 6)


@pytest.mark.parametrize("spacing", [[0, 0], [0.5, 0], [-0.5, 0.5], [0.5, math.inf]])
def test_a_pixel_spacing_that_is_no_length_scores_in_pixels(spacing):
    """A record's pixel_spacing of zero (a hand edit, another tool's COCO file) scored two discs 6 px apart
    as hd 0 mm, as if they met; a negative or infinite one is no spacing either. Distances are then in px,
    as without a spacing."""
    from pixelproof.core.qa_objects import image_spacing

    ref = make_project([("a.png", "cat", disc(20, 20, 8))])
    cand = make_project([("a.png", "cat", disc(20, 26, 8))])
    for p in (ref, cand):
        p.images[1].extra["pixel_spacing"] = spacing
    assert image_spacing(ref.images[1]) is None
    row = next(r for r in run_qa(ref, cand).per_image if r.category == "cat")
    assert row.value("hd") == pytest.approx(6.0) and row.comparison.unit == "px"
