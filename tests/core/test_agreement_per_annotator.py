"""Agreement per annotator (Label Studio's "agreement per annotator"): each annotator's mean over its
pairs, derivable from the pairs table, and its agreement with the pixel majority of the others, so a
lead finds the annotator who needs training; an image both left empty is agreement, as in the pairs."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core.agreement import Rater, run_agreement
from pixelproof.core.coco import new_project
from pixelproof.core.model import ImageRecord, Project
from tests.core.teams_data import H, W, disc, mask_annotation

# image -> annotator -> the one "cat" disc's centre x (None: no object; absent: image not labelled)
SCENE: dict[int, dict[str, int | None]] = {
    1: {"ann": 20, "bob": 20, "cy": 25},
    2: {"ann": 30, "bob": 32, "cy": 35},
    3: {"ann": 24, "bob": 24, "cy": 29},
    4: {"ann": None, "bob": None, "cy": None},  # all three left it empty: agreement
    5: {"ann": 40, "bob": 41},  # cy never saw it: ann/bob have one more row than the pairs with cy
}


def _mask(x: int | None) -> np.ndarray:
    return disc(x, 20, 8) if x is not None else np.zeros((H, W), bool)


def _project(name: str) -> Project:
    p = new_project(["cat"])
    aid = 1
    for image, drawn in SCENE.items():
        if name not in drawn:
            continue
        p.add_image(ImageRecord(image, f"images/{image}.png", W, H))
        if drawn[name] is not None:
            p.add_annotation(mask_annotation(aid, image, 1, _mask(drawn[name])))
            aid += 1
    return p


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    return 1.0 if not (a.any() or b.any()) else 2 * float((a & b).sum()) / float(a.sum() + b.sum())


@pytest.fixture
def data() -> dict:
    return run_agreement([Rater(n, _project(n)) for n in ("ann", "bob", "cy")]).to_dict()


def test_the_annotator_systematically_off_ranks_first_on_both_scores(data: dict) -> None:
    rows = data["per_annotator"]
    assert rows[0]["annotator"] == "cy"
    assert rows[0]["dice"] < min(a["dice"] for a in rows[1:])
    assert rows[0]["consensus_dice"] < min(a["consensus_dice"] for a in rows[1:])
    by = {a["annotator"]: a for a in rows}
    assert (by["ann"]["images"], by["cy"]["images"], by["cy"]["others"]) == (5, 4, 2)
    assert by["ann"]["consensus_images"] == by["cy"]["consensus_images"] == 4  # image 5: two annotators


def test_each_annotators_mean_is_that_of_its_pairs_rows_worked_out_by_hand(data: dict) -> None:
    by = {a["annotator"]: a for a in data["per_annotator"]}
    for name in ("ann", "bob", "cy"):
        rows = [
            _dice(_mask(drawn[name]), _mask(drawn[other]))
            for drawn in SCENE.values()
            if name in drawn
            for other in drawn
            if other != name
        ]
        assert by[name]["dice"] == pytest.approx(np.mean(rows), abs=1e-12)
        assert by[name]["rows"] == len(rows)
        assert by[name]["n_both_empty"] == 2  # image 4, with each of the two others: 1 each


def test_each_annotators_figures_derive_from_the_pairs_table(data: dict) -> None:
    for a in data["per_annotator"]:
        mine = [p for p in data["pairs"] if a["annotator"] in (p["a"], p["b"])]
        weights = [p["rows"] for p in mine]
        assert a["rows"] == sum(weights)
        assert a["dice"] == pytest.approx(np.average([p["dice"] for p in mine], weights=weights))
        assert a["iou"] == pytest.approx(np.average([p["iou"] for p in mine], weights=weights))
        tp, fp, fn = (sum(p[k] for p in mine) for k in ("tp", "fp", "fn"))
        assert (a["tp"], a["fp"], a["fn"]) == (tp, fp, fn)
        assert a["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))
    # the weights differ: cy shares image 5 with nobody, so an unweighted mean of pair means would not do
    assert len({p["rows"] for p in data["pairs"]}) == 2


def test_agreement_with_the_others_majority_leaves_their_ties_out(data: dict) -> None:
    """Two others: the majority is where both drew; where only one did they tie, and no pixel counts."""
    by = {a["annotator"]: a for a in data["per_annotator"]}
    for name in ("ann", "bob", "cy"):
        dice = []
        for drawn in SCENE.values():
            if len(drawn) < 3:
                continue
            me = _mask(drawn[name])
            o1, o2 = (_mask(drawn[o]) for o in drawn if o != name)
            truth, scored = o1 & o2, ~(o1 ^ o2)
            tp, fp, fn = ((x & scored).sum() for x in (me & truth, me & ~truth, ~me & truth))
            dice.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)  # image 4: nothing, agreed
        assert by[name]["consensus_dice"] == pytest.approx(np.mean(dice), abs=1e-12)
    assert by["ann"]["consensus_dice"] < 1.0  # image 2: bob's and cy's majority is not ann's disc


def test_two_annotators_each_get_the_pairs_figures_and_no_consensus() -> None:
    data = run_agreement([Rater(n, _project(n)) for n in ("ann", "bob")]).to_dict()
    (pair,) = data["pairs"]
    for a in data["per_annotator"]:
        assert (a["dice"], a["iou"], a["f1"], a["rows"]) == (
            pair["dice"],
            pair["iou"],
            pair["f1"],
            pair["rows"],
        )
        assert (a["consensus_images"], a["consensus_dice"], a["consensus_iou"]) == (0, None, None)
