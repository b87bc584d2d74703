"""QA's object matching with crowd regions (``iscrowd: 1``), as COCO's evaluation treats them: a reference
crowd region is never FN and takes no part in the one-to-one matching; a candidate left unmatched with
more than ``iou_threshold`` of its own area inside a reference crowd region of its class is ignored
(neither TP nor FP); a candidate crowd region is not scored as an object. Pixel figures are unchanged."""

from __future__ import annotations

import csv

import numpy as np

from pixelproof.core import masks
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.report import to_dict, write_csv

SHAPE = (80, 100)


def rect(x0, y0, x1, y1, shape=SHAPE):
    m = np.zeros(shape, dtype=bool)
    m[y0:y1, x0:x1] = True
    return m


def project(objects, cats=("person", "car"), shape=SHAPE) -> Project:
    """objects: (category, mask or [x, y, w, h] box, iscrowd); annotation ids 1, 2, ... in order."""
    p = Project()
    p.add_image(ImageRecord(1, "a.png", shape[1], shape[0]))
    for i, c in enumerate(cats, start=1):
        p.add_category(Category(i, c))
    for k, (cat, geom, crowd) in enumerate(objects, start=1):
        cid = p.category_by_name(cat).id
        if isinstance(geom, np.ndarray):
            ann = Annotation(k, 1, cid, masks.bbox(geom), masks.encode(geom), float(geom.sum()), int(crowd))
        else:
            box = [float(v) for v in geom]
            ann = Annotation(k, 1, cid, box, None, box[2] * box[3], int(crowd))
        p.add_annotation(ann)
    return p


def counts(result, category=None):
    s = (
        result.summary()
        if category is None
        else next(c for c in result.per_class() if c["category"] == category)
    )
    # .get: on code without the crowd rules these tests fail on the counts, not on a missing key
    return {k: s.get(k, 0) for k in ("tp", "fp", "fn", "wrong_class", "ignored_in_crowd", "crowd_regions")}


def test_three_candidates_inside_a_reference_crowd_region_are_ignored_and_the_region_is_no_fn(tmp_path):
    ref = project([("person", rect(10, 10, 70, 60), True)])
    cand = project(
        [
            ("person", rect(12, 12, 25, 40), False),
            ("person", rect(30, 15, 45, 55), False),
            ("person", rect(50, 20, 68, 58), False),
        ]
    )
    res = run_qa(ref, cand)
    want = {"tp": 0, "fp": 0, "fn": 0, "wrong_class": 0, "ignored_in_crowd": 3, "crowd_regions": 1}
    assert counts(res) == want
    assert counts(res, "person") == want
    ignored = [r for r in res.per_object if r.status == "ignored"]
    assert sorted(r.cand_id for r in ignored) == [1, 2, 3]
    assert all(r.ref_id == 1 and r.ref_bbox == [10.0, 10.0, 60.0, 50.0] for r in ignored)
    assert not [r for r in res.per_object if r.status in ("fp", "fn")]
    # pixel figures are as before: the crowd pixels are the class's
    row = res.per_image[0]
    assert row.comparison.fp == 0 and row.comparison.fn == 60 * 50 - (13 * 28 + 15 * 40 + 18 * 38)
    # the JSON and CSV carry the new counts (summary, per class, per image; object rows "ignored")
    data = to_dict(res)
    assert data["summary"]["ignored_in_crowd"] == 3 and data["summary"]["crowd_regions"] == 1
    assert data["per_class"][0]["ignored_in_crowd"] == 3
    assert data["per_image"][0]["ignored_in_crowd"] == 3 and data["per_image"][0]["cand_crowd_regions"] == 0
    assert [o["status"] for o in data["per_object"]] == ["ignored"] * 3
    write_csv(data, tmp_path / "qa.csv")
    with open(tmp_path / "qa.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["ignored_in_crowd"] == "3" and rows[0]["crowd_regions"] == "1" and rows[0]["fp"] == "0"


def test_a_candidate_only_half_inside_a_crowd_region_is_fp():
    """Exactly half inside: not > 0.5 (the strict convention); a bit more than half: ignored."""
    ref = project([("person", rect(0, 0, 40, 80), True)])
    half = project([("person", rect(30, 10, 50, 30), False)])  # 10 of 20 columns inside
    res = run_qa(ref, half)
    assert counts(res) == {
        "tp": 0,
        "fp": 1,
        "fn": 0,
        "wrong_class": 0,
        "ignored_in_crowd": 0,
        "crowd_regions": 1,
    }
    assert [r.status for r in res.per_object] == ["fp"]
    more = project([("person", rect(29, 10, 49, 30), False)])  # 11 of 20 columns inside
    assert counts(run_qa(ref, more))["ignored_in_crowd"] == 1
    assert counts(run_qa(ref, more, QAOptions(iou_threshold=0.6)))["fp"] == 1


def test_a_crowd_region_of_another_class_does_not_absorb_nor_match_across_classes():
    ref = project([("car", rect(10, 10, 70, 60), True)])
    cand = project(
        [
            ("person", rect(20, 20, 40, 40), False),  # inside the car crowd: still an FP of person
            ("person", rect(10, 10, 70, 58), False),  # IoU 0.97 with the car crowd: no wrong_class either
        ]
    )
    res = run_qa(ref, cand)
    assert counts(res) == {
        "tp": 0,
        "fp": 2,
        "fn": 0,
        "wrong_class": 0,
        "ignored_in_crowd": 0,
        "crowd_regions": 1,
    }
    assert counts(res, "car")["crowd_regions"] == 1 and counts(res, "car")["fn"] == 0
    assert sorted(r.status for r in res.per_object) == ["fp", "fp"]


def test_a_reference_object_inside_a_crowd_region_is_matched_first():
    ref = project(
        [
            ("person", rect(10, 10, 70, 60), True),
            ("person", rect(20, 20, 35, 50), False),  # a person drawn inside the crowd
        ]
    )
    cand = project(
        [
            ("person", rect(21, 20, 35, 50), False),  # that person: TP, not absorbed by the crowd
            ("person", rect(45, 20, 60, 50), False),  # another one in the crowd: ignored
        ]
    )
    res = run_qa(ref, cand)
    assert counts(res) == {
        "tp": 1,
        "fp": 0,
        "fn": 0,
        "wrong_class": 0,
        "ignored_in_crowd": 1,
        "crowd_regions": 1,
    }
    match = next(r for r in res.per_object if r.status == "match")
    assert (match.ref_id, match.cand_id) == (2, 1)


def test_candidate_crowd_regions_are_counted_not_scored():
    ref = project([("person", rect(10, 10, 30, 30), False)])
    cand = project([("person", rect(10, 10, 30, 30), True), ("person", rect(50, 10, 90, 60), True)])
    res = run_qa(ref, cand)
    s = res.summary()
    assert (s["tp"], s["fp"], s["fn"], s["cand_crowd_regions"]) == (0, 0, 1, 2)
    assert [r.status for r in res.per_object] == ["fn"]
    c = res.per_image[0].comparison  # pixels still count as the class's
    assert (c.tp, c.fp, c.fn) == (400, 40 * 50, 0)


def test_box_only_crowd_regions_use_box_cover():
    ref = project([("person", [10, 10, 60, 50], True), ("person", [80, 0, 10, 10], False)])
    cand = project(
        [
            ("person", [12, 12, 10, 20], False),  # inside
            ("person", [30, 30, 15, 15], False),  # inside
            ("person", [60, 20, 20, 10], False),  # half inside: FP
            ("person", [80, 0, 10, 10], False),  # TP
        ]
    )
    res = run_qa(ref, cand)
    assert counts(res) == {
        "tp": 1,
        "fp": 1,
        "fn": 0,
        "wrong_class": 0,
        "ignored_in_crowd": 2,
        "crowd_regions": 1,
    }
    assert {r.kind for r in res.per_object} == {"box"}


def test_agreement_keeps_scoring_crowd_regions_as_objects():
    """Agreement has no reference side: its pairwise scores do not apply the crowd rules."""
    from pixelproof.core.qa import score_image
    from pixelproof.core.qa_objects import pair_images

    ref = project([("person", rect(10, 10, 70, 60), True)])
    cand = project([("person", rect(12, 12, 25, 40), False)])
    pair = pair_images(ref, cand)[0][0]
    score = score_image(pair, ref, cand, crowd=False)
    c = score.rows[0].instances
    assert (c.fp, c.fn, c.ignored_in_crowd) == (1, 1, 0)
