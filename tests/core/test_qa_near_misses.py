"""The near-miss hint of qa and agreement: a missed object overlapping an extra one of its class with an IoU
not above the threshold (a 3x3 pit drawn 5x5 by another inspector: IoU 0.36) is said once per run, counted,
with a threshold that would pair them. Only an extra object counts: one paired with another object, or of
another class, does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixelproof.core.agreement import Rater, run_agreement
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.qa_near_misses import suggested_threshold
from pixelproof.core.report import to_dict
from tests.core.test_qa_crowd import project, rect

SHAPE = (40, 100)
CATS = ("pit", "scratch")


def _pits() -> tuple:
    ref = project(
        [
            ("pit", rect(10, 10, 13, 13, SHAPE), False),  # drawn 5x5 in the candidate: IoU 9/25
            ("pit", rect(20, 10, 23, 13, SHAPE), False),  # the same
            ("pit", rect(30, 10, 33, 13, SHAPE), False),  # drawn alike: a match
            ("pit", rect(40, 10, 46, 16, SHAPE), False),  # matched exactly ...
            ("pit", rect(43, 13, 49, 19, SHAPE), False),  # ... and this one overlaps that match (IoU 0.14)
            ("pit", rect(70, 10, 73, 13, SHAPE), False),  # drawn 5x5 as a scratch: another class
        ],
        CATS,
        SHAPE,
    )
    cand = project(
        [
            ("pit", rect(9, 9, 14, 14, SHAPE), False),
            ("pit", rect(19, 9, 24, 14, SHAPE), False),
            ("pit", rect(30, 10, 33, 13, SHAPE), False),
            ("pit", rect(40, 10, 46, 16, SHAPE), False),
            ("scratch", rect(69, 9, 74, 14, SHAPE), False),
        ],
        CATS,
        SHAPE,
    )
    return ref, cand


def test_qa_says_how_many_missed_objects_overlap_an_extra_one_and_a_threshold_that_pairs_them() -> None:
    ref, cand = _pits()
    result = run_qa(ref, cand, QAOptions())
    s = result.summary()
    assert (s["tp"], s["fn"], s["fp"]) == (2, 4, 3)
    notes = [p for p in result.problems if "below the IoU threshold" in p]
    assert notes == [
        "2 missed objects overlap an extra one of their class below the IoU threshold 0.5 (IoU 0.36; small"
        " objects drawn a pixel larger lose IoU fast: a 3x3 drawn 5x5 is 0.36): "
        "`pixelproof qa --iou-threshold 0.35` would pair up to 2 of them"
    ]
    assert notes[0] in to_dict(result, "ref", "cand")["problems"]  # the JSON report's problems
    again = run_qa(ref, cand, QAOptions(iou_threshold=0.35))  # as suggested
    assert again.summary()["tp"] == 4
    assert not [p for p in again.problems if "below the IoU threshold" in p]


def test_no_note_without_near_misses() -> None:
    ref, _ = _pits()
    assert not [p for p in run_qa(ref, ref, QAOptions()).problems if "IoU" in p]


def test_agreement_says_it_once_for_the_run(tmp_path: Path) -> None:
    ref, cand = _pits()
    for p, name in ((ref, "ann"), (cand, "bob")):
        p.path = tmp_path / f"{name}.json"
    result = run_agreement([Rater("ann", ref), Rater("bob", cand)])
    notes = [p for p in result.problems if "below the IoU threshold" in p]
    assert len(notes) == 1
    assert notes[0].startswith("2 objects of one rater overlap an extra one of their class")
    assert notes[0].endswith("`pixelproof agreement --iou-threshold 0.35` would pair up to 2 of them")
    assert notes[0] in result.to_dict()["problems"]


def test_the_suggested_threshold_is_a_step_below_the_median_and_never_under_0_1() -> None:
    assert suggested_threshold([0.36]) == 0.35
    assert suggested_threshold([0.35]) == 0.3  # IoU > T pairs: 0.35 would not
    assert suggested_threshold([0.2, 0.36, 0.45]) == 0.35
    assert suggested_threshold([0.1, 0.1, 0.4]) == 0.1  # floored: pairs 1 of 3
    assert suggested_threshold([0.1, 0.1]) is None  # 0.1 pairs none (IoU > 0.1)
    assert suggested_threshold([]) is None
    assert np.isclose(suggested_threshold([0.12, 0.13]) or 0, 0.1)
