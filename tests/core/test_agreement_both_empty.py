"""An image two annotators both left empty is agreement: Dice = IoU = 1 for that pair there (Label
Studio's convention), counted (``n_both_empty``); kappa and alpha, measured on objects, are unchanged and
still agree with krippendorff / scikit-learn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.agreement import Rater, raters_from_merged, run_agreement
from pixelproof.core.merge import Shard, merge_shards
from tests.core.test_agreement import CATS, LABELS, _rater


def _with_empty_images(tmp_path: Path, n: int) -> list[Rater]:
    """The three raters of test_agreement, plus ``n`` images all three left empty."""
    from pixelproof.core.model import ImageRecord

    out = []
    for k, name in enumerate(["ann", "bob", "cy"]):
        p = _rater(tmp_path, name, LABELS[k], k - 1)
        for i in range(n):
            p.add_image(ImageRecord(10 + i, f"images/empty{i}.png", 64, 48))
        out.append(Rater(name, p))
    return out


def test_images_both_left_empty_count_as_agreement_and_change_no_kappa(tmp_path: Path) -> None:
    """A pair whose only shared image both left empty had every figure n/a (no Dice row: the image was
    counted in the pair's images and scored nowhere); two empty annotations are agreement."""
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    plain = run_agreement(_with_empty_images(tmp_path / "a", 0)).to_dict()
    data = run_agreement(_with_empty_images(tmp_path / "b", 2)).to_dict()
    assert data["images"] == 5
    empty = [r for r in data["per_image"] if r.get("both_empty")]
    assert len(empty) == 2 * 3  # two images, three pairs
    assert all(
        (r["category"], r["dice"], r["iou"], r["f1"], r["tp"], r["fp"], r["fn"])
        == (None, 1.0, 1.0, 1.0, 0, 0, 0)
        for r in empty
    )
    assert data["summary"]["n_both_empty"] == 6 and plain["summary"]["n_both_empty"] == 0
    for pair, before in zip(data["pairs"], plain["pairs"], strict=True):
        rows = [r["dice"] for r in data["per_image"] if (r["a"], r["b"]) == (pair["a"], pair["b"])]
        assert pair["n_both_empty"] == 2 and pair["images"] == 5
        assert pair["dice"] == pytest.approx(np.mean(rows)) and pair["dice"] > before["dice"]
        # kappa is on objects, as scikit-learn's: the empty images hold none
        assert pair["cohen_kappa"] == before["cohen_kappa"]
        assert pair["f1"] == before["f1"]  # pooled over objects
    flat = [[lab for image in LABELS[r] for lab in image] for r in range(3)]
    numeric = np.array([[np.nan if v is None else CATS.index(v) for v in row] for row in flat])
    alpha = krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal")
    assert data["summary"]["krippendorff_alpha"] == pytest.approx(alpha, abs=1e-12)
    assert data["summary"]["fleiss_kappa"] == plain["summary"]["fleiss_kappa"]
    both = [(x, y) for x, y in zip(flat[0], flat[1], strict=True) if x is not None and y is not None]
    assert data["pairs"][0]["cohen_kappa"] == pytest.approx(cohen_kappa_score(*zip(*both, strict=True)))
    assert [c["category"] for c in data["per_class"]] == sorted(CATS)  # no class for an empty image
    # only empty images shared: agreement 1, not n/a; kappa/alpha have no object to measure
    alone = run_agreement([Rater(r.name, _only_empty(r)) for r in _with_empty_images(tmp_path / "c", 1)])
    pair = alone.to_dict()["pairs"][0]
    assert (pair["dice"], pair["iou"], pair["n_both_empty"], pair["cohen_kappa"]) == (1.0, 1.0, 1, None)


def _only_empty(rater: Rater):  # type: ignore[no-untyped-def]
    from pixelproof.core.split import subset

    return subset(rater.project, [i for i in rater.project.images if i >= 10])


def test_a_merged_project_scores_images_both_left_empty_as_its_shards_do(tmp_path: Path) -> None:
    raters = _with_empty_images(tmp_path, 1)
    for r in raters:  # shards of one split: every version of an overlap image kept, an empty one too
        r.project.app["shard"] = {"annotator": r.name, "split": "s1"}
    merged = merge_shards([Shard.of(r.project, r.name) for r in raters])
    from_merged = run_agreement(raters_from_merged(merged.project)).to_dict()
    from_shards = run_agreement(raters).to_dict()
    assert from_merged["summary"]["n_both_empty"] == from_shards["summary"]["n_both_empty"] == 3
    assert from_merged["pairs"] == from_shards["pairs"]
