"""Agreement over overlap images: figures checked against independent implementations."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.agreement import Rater, raters_from_merged, run_agreement
from pixelproof.core.coco import new_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import ImageRecord, Project
from tests.core.teams_data import H, W, disc, mask_annotation

CATS = ["cat", "dog", "bird"]
# objects per image: centre; labels[rater][image][object] (None: the rater did not draw it)
CENTRES = [(12, 12), (34, 14), (52, 30), (20, 36)]
LABELS = [
    [["cat", "dog", "bird", "cat"], ["dog", "dog", None, "cat"], ["bird", "cat", "cat", "dog"]],
    [["cat", "dog", "dog", "cat"], ["dog", "cat", "bird", None], ["bird", "cat", "cat", "dog"]],
    [["cat", None, "bird", "bird"], ["dog", "dog", "bird", "cat"], ["bird", "cat", "dog", "dog"]],
]


def _rater(folder: Path, name: str, labels: list[list[str | None]], shift: int) -> Project:
    p = new_project(CATS)
    p.path = folder / f"{name}.json"
    aid = 1
    for i, image_labels in enumerate(labels, start=1):
        p.add_image(ImageRecord(i, f"images/{i}.png", W, H))
        for (cx, cy), label in zip(CENTRES, image_labels, strict=True):
            if label is not None:
                m = disc(cx + shift, cy, 6)
                p.add_annotation(mask_annotation(aid, i, CATS.index(label) + 1, m))
                aid += 1
    return p


@pytest.fixture
def raters(tmp_path: Path) -> list[Rater]:
    return [Rater(n, _rater(tmp_path, n, LABELS[k], k - 1)) for k, n in enumerate(["ann", "bob", "cy"])]


def test_kappa_and_alpha_on_class_agnostic_units_match_independent_implementations(raters) -> None:  # type: ignore[no-untyped-def]
    import krippendorff
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    data = run_agreement(raters).to_dict()
    assert data["images"] == 3 and data["summary"]["units"] == 12  # shifted by 1 px: still one object each
    flat = [[lab for image in LABELS[r] for lab in image] for r in range(3)]
    for pair in data["pairs"]:
        a, b = ("ann", "bob", "cy").index(pair["a"]), ("ann", "bob", "cy").index(pair["b"])
        both = [(x, y) for x, y in zip(flat[a], flat[b], strict=True) if x is not None and y is not None]
        expected = cohen_kappa_score([x for x, _ in both], [y for _, y in both])
        assert pair["cohen_kappa"] == pytest.approx(expected, abs=1e-12)
        assert pair["units_both"] == len(both)
    numeric = np.array([[np.nan if v is None else CATS.index(v) for v in row] for row in flat])
    alpha = krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal")
    assert data["summary"]["krippendorff_alpha"] == pytest.approx(alpha, abs=1e-12)
    complete = [[CATS.index(r[u]) for r in flat] for u in range(12) if all(r[u] is not None for r in flat)]
    table, _ = aggregate_raters(np.array(complete))
    assert data["summary"]["fleiss_kappa"] == pytest.approx(fleiss_kappa(table), abs=1e-12)
    assert data["summary"]["units_all_raters"] == len(complete) == 9


def test_pairwise_dice_and_matched_f1_per_class(raters) -> None:  # type: ignore[no-untyped-def]
    data = run_agreement(raters).to_dict()
    row = next(
        r for r in data["per_image"] if r["file_name"] == "images/1.png" and r["category"] == "cat"
        and (r["a"], r["b"]) == ("ann", "bob")
    )  # fmt: skip
    # ann's and bob's "cat" on image 1: objects 0 and 3, shifted by 1 px against each other
    a = disc(12 - 1, 12, 6) | disc(20 - 1, 36, 6)
    b = disc(12, 12, 6) | disc(20, 36, 6)
    assert row["dice"] == pytest.approx(2 * (a & b).sum() / (a.sum() + b.sum()))
    assert row["iou"] == pytest.approx((a & b).sum() / (a | b).sum())
    assert (row["tp"], row["fp"], row["fn"], row["f1"]) == (2, 0, 0, 1.0)
    bird = next(
        r for r in data["per_image"] if r["file_name"] == "images/1.png" and r["category"] == "bird"
        and (r["a"], r["b"]) == ("ann", "bob")
    )  # fmt: skip
    assert (bird["tp"], bird["fp"], bird["fn"], bird["dice"]) == (0, 0, 1, 0.0)  # bob called it a dog


def test_each_raters_objects_are_decoded_once_an_image(raters, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Three raters are three pairs to score and one set of units: each object decoded once, not once
    for every rater it is compared with (10,000 nuclei a rater made the decoding most of the run)."""
    from pixelproof.core import qa_objects

    decoded: list[int] = []
    original = qa_objects.annotations_placed

    def counting(anns, height: int, width: int):  # type: ignore[no-untyped-def]
        decoded.extend(id(ann) for ann in anns)
        return original(anns, height, width)

    monkeypatch.setattr(qa_objects, "annotations_placed", counting)
    run_agreement(raters)
    total = sum(len(r.project.annotations) for r in raters)
    assert len(decoded) == total and len(set(decoded)) == total


def test_staple_per_annotator_matches_simpleitk_on_one_image(tmp_path: Path) -> None:
    import SimpleITK as sitk

    rng = np.random.default_rng(0)
    masks = []
    raters = []
    for k in range(3):
        m = disc(30 + k, 24, 12 + 2 * k) ^ (rng.random((H, W)) < 0.01)
        masks.append(m)
        p = new_project(["cell"])
        p.path = tmp_path / f"r{k}.json"
        p.add_image(ImageRecord(1, "a.png", W, H))
        p.add_annotation(mask_annotation(1, 1, 1, m))
        raters.append(Rater(f"r{k}", p))
    staple = run_agreement(raters).to_dict()["per_class"][0]["staple"]
    f = sitk.STAPLEImageFilter()
    f.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in masks])
    for k in range(3):
        assert staple[f"r{k}"]["sensitivity"] == pytest.approx(f.GetSensitivity()[k], abs=1e-9)
        assert staple[f"r{k}"]["specificity"] == pytest.approx(f.GetSpecificity()[k], abs=1e-9)


def test_agreement_of_a_merged_project_equals_that_of_its_shards(raters) -> None:  # type: ignore[no-untyped-def]
    for r in raters:
        r.project.app["shard"] = {"annotator": r.name, "split": "s1"}
    merged = merge_shards([Shard.of(r.project, r.name) for r in raters]).project
    from_merged = run_agreement(raters_from_merged(merged)).to_dict()
    from_shards = run_agreement(raters).to_dict()
    assert from_merged["summary"] == from_shards["summary"]
    assert from_merged["pairs"] == from_shards["pairs"]
    assert from_merged["per_annotator"] == from_shards["per_annotator"]


def _average_linkage(objects: list, threshold: float) -> list[list[tuple[int, int]]]:
    """Units by their definition, every pair measured: merge the two units of largest mean cross IoU
    (over every pair of their objects, 0 where apart) that share no rater, while it is > ``threshold``."""
    from pixelproof.core.qa_objects import pair_iou

    nodes = [(r, j) for r, objs in enumerate(objects) for j in range(len(objs))]
    iou = {(a, b): pair_iou(objects[a[0]][a[1]], objects[b[0]][b[1]]) for a in nodes for b in nodes}
    units = [[n] for n in nodes]
    while True:
        best = None
        for u, v in itertools.combinations(range(len(units)), 2):
            if {r for r, _ in units[u]} & {r for r, _ in units[v]}:
                continue
            link = np.mean([iou[a, b] for a in units[u] for b in units[v]])
            if link > threshold and (best is None or link > best[0]):
                best = (link, u, v)
        if best is None:
            return sorted(sorted(u) for u in units)
        _, u, v = best
        units[u] += units.pop(v)


def _scene(seed: int, raters: int, objects: int = 12) -> list:
    """Objects of ``raters`` annotators on one image: jittered copies of shared objects (discs and boxes,
    some close together, so matches are contested), some left out, a few extra ones."""
    from pixelproof.core import qa_objects
    from tests.core.teams_data import box_annotation

    rng = np.random.default_rng(seed)
    truth = [
        (rng.uniform(8, W - 8), rng.uniform(8, H - 8), rng.uniform(3, 7), rng.random() < 0.3)
        for _ in range(objects)
    ]
    per_rater = []
    for _ in range(raters):
        p = new_project(["cat"])
        p.add_image(ImageRecord(1, "a.png", W, H))
        drawn = [t for t in truth if rng.random() < 0.8]
        drawn += [(rng.uniform(8, W - 8), rng.uniform(8, H - 8), rng.uniform(3, 7), False) for _ in range(2)]
        for k, (cx, cy, r, is_box) in enumerate(drawn, start=1):
            cx, cy, r = cx + rng.normal(0, 1.5), cy + rng.normal(0, 1.5), r * rng.uniform(0.8, 1.25)
            if seed % 2:  # whole pixels: many exactly equal IoUs
                cx, cy, r = round(cx), round(cy), round(r)
            if is_box:
                p.add_annotation(box_annotation(k, 1, 1, [cx - r, cy - r, 2 * r, 2 * r]))
            else:
                p.add_annotation(mask_annotation(k, 1, 1, disc(cx, cy, r)))
        per_rater.append(qa_objects.image_objects(p, p.images[1], (H, W)))
    return per_rater


def test_units_do_not_depend_on_the_order_of_the_annotators() -> None:
    """Units were built rater by rater in name order (each rater's objects matched to the units so far):
    renaming an annotator changed the units, hence kappa, alpha and the consensus. Every order of the
    raters now gives the same units (as sets of objects), equal IoUs (whole-pixel boxes) too, and they are
    the definition's."""
    from pixelproof.core.agreement import cluster_objects

    for seed in range(12):
        n = 3 + seed % 3
        per_rater = _scene(seed, n)
        want = {frozenset(u) for u in cluster_objects(per_rater, 0.5)}
        if seed % 2 == 0:  # no exactly equal means: the definition's units
            assert want == {frozenset(u) for u in _average_linkage(per_rater, 0.5)}
        orders = list(itertools.permutations(range(n)))
        for order in orders[:: max(1, len(orders) // 24)]:  # every order of 3 or 4 raters, 24 of 5
            units = cluster_objects([per_rater[r] for r in order], 0.5)
            assert {frozenset((order[r], j) for r, j in u) for u in units} == want, (seed, order)
            for u in units:
                assert [r for r, _ in u] == sorted({r for r, _ in u})  # one object a rater, in rater order


def test_units_measure_only_objects_that_can_overlap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Units were built by measuring every object against every unit in Python: 10,000 objects an image
    kept ``agreement`` busy for minutes. The units are those of the definition measured on every pair."""
    from pixelproof.core import agreement, qa_objects
    from tests.core.teams_data import box_annotation

    rng = np.random.default_rng(4)
    per_rater = []
    for rater in range(3):
        p = new_project(["cat"])
        p.add_image(ImageRecord(1, "a.png", W, H))
        for k in range(40):
            if k % 2:
                x, y = rng.uniform(0, W - 6), rng.uniform(0, H - 6)
                p.add_annotation(box_annotation(k + 1, 1, 1, [x, y, 4 + rater, 5]))
            else:
                cx, cy = rng.uniform(3, W - 3), rng.uniform(3, H - 3)
                p.add_annotation(mask_annotation(k + 1, 1, 1, disc(cx, cy, 2 + rater % 2)))
        per_rater.append(qa_objects.image_objects(p, p.images[1], (H, W)))

    want = _average_linkage(per_rater, 0.3)
    assert any(len(u) > 1 for u in want) and any(len(u) == 1 for u in want)  # some match, some do not
    calls = []
    measure = qa_objects.pair_iou
    for module in (qa_objects, agreement):  # wherever it is looked up
        monkeypatch.setattr(module, "pair_iou", lambda a, b: calls.append(1) or measure(a, b), raising=False)
    assert sorted(sorted(u) for u in agreement.cluster_objects(per_rater, 0.3)) == want
    assert len(calls) < 3 * 40 * 40 // 4  # pairs with rater 0 and 1 for rater 2, 0 for 1: 3 x 1,600 in full


def test_units_of_ten_thousand_objects_an_image_build_no_full_table() -> None:
    """A slide of 10,000 nuclei a rater: the unit table (objects x units) and the IoU tables behind it
    were dense, 800 MB each. They are sparse tables of the overlapping pairs; the units are the right ones
    (rows of touching boxes: each object also overlaps a neighbour a little)."""
    import tracemalloc

    from pixelproof.core import agreement, qa_objects
    from tests.core.teams_data import box_annotation

    side = 100
    shape = (7 * side, 6 * side + 2)
    per_rater = []
    for dx, dy, step in ((0, 0, 1), (1, 0, 1), (0, 1, 2)):  # rater 2 drew every second object only
        p = new_project(["cat"])
        p.add_image(ImageRecord(1, "a.png", shape[1], shape[0]))
        for k in range(0, side * side, step):
            box = [6.0 * (k % side) + dx, 7.0 * (k // side) + dy, 6.0, 6.0]
            p.add_annotation(box_annotation(k + 1, 1, 1, box))
        per_rater.append(qa_objects.image_objects(p, p.images[1], shape))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        units = agreement.cluster_objects(per_rater, 0.5)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, peak
    assert len(units) == side * side
    for unit in units:
        ids = {per_rater[r][j].ann.id for r, j in unit}
        assert len(ids) == 1  # one object, drawn by each rater that drew it
        assert [r for r, _ in unit] == ([0, 1, 2] if next(iter(ids)) % 2 else [0, 1])


def test_a_merged_project_counts_an_annotator_who_drew_nothing_and_identical_versions(
    raters,  # type: ignore[no-untyped-def]
) -> None:
    """On an overlap image one annotator left empty, the others' objects are ones it missed; an image every
    annotator left as it was is perfect agreement. Merged, the first had lost that rater (it has no
    object to carry its name) and the second was merged into one untagged version: both were left out
    of the agreement, while the shards counted them."""
    for k, r in enumerate(raters):
        r.project.app["shard"] = {"annotator": r.name, "split": "s1"}
        r.project.add_image(ImageRecord(4, "images/4.png", W, H))
        r.project.add_image(ImageRecord(5, "images/5.png", W, H))
        aid = max(r.project.annotations) + 1
        if r.name != "bob":  # bob found nothing on image 4
            for j, (cx, cy) in enumerate(CENTRES[:2]):
                r.project.add_annotation(mask_annotation(aid + j, 4, 1, disc(cx + k, cy, 6)))
        r.project.add_annotation(mask_annotation(aid + 5, 5, 2, disc(30, 24, 7)))  # the same for all
    merged = merge_shards([Shard.of(r.project, r.name) for r in raters]).project
    assert merged.app["overlap_annotators"]["4"] == ["ann", "bob", "cy"]
    assert merged.app["overlap_annotators"]["5"] == ["ann", "bob", "cy"]
    from_merged = run_agreement(raters_from_merged(merged)).to_dict()
    from_shards = run_agreement(raters).to_dict()
    for key in ("images", "summary", "pairs", "per_class", "per_image"):
        assert from_merged[key] == from_shards[key], key
    assert from_merged["images"] == 5
    bob_and_ann = next(p for p in from_merged["pairs"] if {p["a"], p["b"]} == {"ann", "bob"})
    assert bob_and_ann["images"] == 5


def test_a_pairs_image_count_includes_images_both_left_empty(tmp_path: Path) -> None:
    """ann and bob both labelled three images; on one neither drew anything (they agree it is empty), on
    one only ann drew. The pair compared three images: the report said two (it counted images with a
    Dice/F1 row, and an image both left empty has none). A third annotator who shares one image only
    with ann is counted on that one."""
    projects = {n: new_project(CATS) for n in ("ann", "bob", "cy")}
    for n, p in projects.items():
        p.path = tmp_path / f"{n}.json"
        for i in (1, 2, 3) if n != "cy" else (3, 4):
            p.add_image(ImageRecord(i, f"images/{i}.png", W, H))
    projects["ann"].add_annotation(mask_annotation(1, 1, 1, disc(20, 20, 6)))
    projects["bob"].add_annotation(mask_annotation(1, 1, 1, disc(21, 20, 6)))
    projects["ann"].add_annotation(mask_annotation(2, 2, 2, disc(30, 20, 6)))  # bob left image 2 empty
    projects["ann"].add_image(ImageRecord(4, "images/4.png", W, H))
    projects["cy"].add_annotation(mask_annotation(1, 4, 1, disc(20, 20, 6)))  # image 3: all left it empty
    data = run_agreement([Rater(n, p) for n, p in projects.items()]).to_dict()
    assert data["images"] == 4
    images = {(p["a"], p["b"]): p["images"] for p in data["pairs"]}
    assert images == {("ann", "bob"): 3, ("ann", "cy"): 2, ("bob", "cy"): 1}


def test_pooled_staple_counts_the_overlap_images_where_nobody_drew_the_class(tmp_path: Path) -> None:
    """STAPLE per class is pooled over the overlap images: on an image where no annotator drew the class,
    every pixel is background for each of them. Those images were left out (only images where someone
    drew the class were pooled): "cat" drawn on image 1 only gave r0 a specificity of 0.9893 where
    SimpleITK on the two images stacked gives 0.9949."""
    import SimpleITK as sitk

    rng = np.random.default_rng(0)
    raters, stacked = [], {"cat": [], "dog": []}
    for k in range(3):
        p = new_project(CATS)
        p.path = tmp_path / f"r{k}.json"
        p.add_image(ImageRecord(1, "1.png", W, H))
        p.add_image(ImageRecord(2, "2.png", W, H))
        cat = disc(30 + k, 24, 10 + 2 * k) ^ (rng.random((H, W)) < 0.01)
        dog = disc(40, 20, 8 + k)
        p.add_annotation(mask_annotation(1, 1, 1, cat))  # cat on image 1 only
        p.add_annotation(mask_annotation(2, 2, 2, dog))  # dog on image 2 only
        raters.append(Rater(f"r{k}", p))
        stacked["cat"].append(np.concatenate([cat, np.zeros_like(cat)]))
        stacked["dog"].append(np.concatenate([np.zeros_like(dog), dog]))
    per_class = run_agreement(raters).to_dict()["per_class"]
    assert [c["category"] for c in per_class] == ["cat", "dog"]
    for c in per_class:
        f = sitk.STAPLEImageFilter()
        f.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in stacked[c["category"]]])
        for k in range(3):
            assert c["staple"][f"r{k}"]["sensitivity"] == pytest.approx(f.GetSensitivity()[k], abs=1e-9)
            assert c["staple"][f"r{k}"]["specificity"] == pytest.approx(f.GetSpecificity()[k], abs=1e-9)


def test_an_image_listed_twice_in_one_shard_is_one_rating_not_a_second_rater(tmp_path: Path) -> None:
    """A shard listing an image's file under two ids (lint's ``duplicate_image``) made its annotator two
    raters of that image: compared with itself (pair rows ann/ann, Dice 0 on image 1), an image only
    cy labelled counted as an overlap image (images 2, not 1) with a cy/cy row of Dice 1, and ann/bob
    scored twice (summary Dice 0.43 where ann's first record agrees with bob: 1.0). Agreement sees one
    record, as README's lint table says, and names the duplicate under problems."""
    projects = {n: new_project(CATS) for n in ("ann", "bob", "cy")}
    for n, p in projects.items():
        p.path = tmp_path / f"{n}.json"
    ann, bob, cy = projects.values()
    ann.add_image(ImageRecord(1, "images/1.png", W, H))
    ann.add_image(ImageRecord(2, "images/1.png", W, H))  # the same file again
    ann.add_annotation(mask_annotation(1, 1, 1, disc(12, 14, 7)))
    ann.add_annotation(mask_annotation(2, 1, 2, disc(40, 14, 7)))
    ann.add_annotation(mask_annotation(3, 2, 3, disc(30, 34, 7)))
    bob.add_image(ImageRecord(1, "images/1.png", W, H))
    bob.add_annotation(mask_annotation(1, 1, 1, disc(12, 14, 7)))
    bob.add_annotation(mask_annotation(2, 1, 2, disc(40, 14, 7)))
    cy.add_image(ImageRecord(5, "images/9.png", W, H))
    cy.add_image(ImageRecord(6, "images/9.png", W, H))
    cy.add_annotation(mask_annotation(1, 5, 1, disc(12, 14, 7)))
    cy.add_annotation(mask_annotation(2, 6, 1, disc(12, 14, 7)))
    data = run_agreement([Rater(n, p) for n, p in projects.items()]).to_dict()
    assert data["images"] == 1
    assert all(r["a"] != r["b"] for r in data["per_image"])
    pair = next(p for p in data["pairs"] if (p["a"], p["b"]) == ("ann", "bob"))
    assert (pair["images"], pair["dice"], pair["tp"], pair["fp"], pair["fn"]) == (1, 1.0, 2, 0, 0)
    assert data["summary"]["dice"] == 1.0 and data["summary"]["units"] == 2
    assert data["summary"]["fleiss_raters_per_unit"] == 2
    assert sum("listed twice" in p for p in data["problems"]) == 2  # ann's images/1.png, cy's images/9.png


def test_staple_names_no_sensitivity_for_an_annotator_who_never_saw_the_class(tmp_path: Path) -> None:
    """An annotator who labelled only images where nobody drew "cat" has no cat sensitivity to estimate
    (no pixel of theirs is likely cat): they are left out of cat's STAPLE, not given 0.0."""
    rng = np.random.default_rng(1)
    raters = []
    for k in range(4):
        p = new_project(CATS)
        p.path = tmp_path / f"r{k}.json"
        if k < 3:
            p.add_image(ImageRecord(1, "1.png", W, H))
            p.add_annotation(mask_annotation(1, 1, 1, disc(30 + k, 24, 10) ^ (rng.random((H, W)) < 0.01)))
        p.add_image(ImageRecord(2, "2.png", W, H))
        p.add_annotation(mask_annotation(2, 2, 2, disc(40, 20, 8 + k % 2)))
        raters.append(Rater(f"r{k}", p))
    staple = {c["category"]: c["staple"] for c in run_agreement(raters).to_dict()["per_class"]}
    assert sorted(staple["cat"]) == ["r0", "r1", "r2"]
    assert sorted(staple["dog"]) == ["r0", "r1", "r2", "r3"]


def test_fleiss_kappa_says_how_many_objects_it_used_when_images_have_different_raters(tmp_path: Path) -> None:
    """Fleiss' kappa needs one number of raters per object: with image 1 labelled by ann and bob (cat/cat,
    dog/dog) and image 2 by all three (cat/dog/cat), only image 1's two objects count - kappa 1.0 while
    Krippendorff's alpha (every object) sees the disagreement. ``fleiss_units`` says so (2 of 3); the kappa
    equals statsmodels' on those objects."""
    from statsmodels.stats.inter_rater import fleiss_kappa

    projects = {n: new_project(CATS) for n in ("ann", "bob", "cy")}
    for n, p in projects.items():
        p.path = tmp_path / f"{n}.json"
    drawn = {"ann": [(1, 1), (1, 2), (2, 1)], "bob": [(1, 1), (1, 2), (2, 2)], "cy": [(2, 1)]}
    where = {(1, 1): (12, 14), (1, 2): (40, 14), (2, 1): (20, 30), (2, 2): (20, 30)}
    for n, objects in drawn.items():
        p = projects[n]
        for image in sorted({i for i, _ in objects}):
            p.add_image(ImageRecord(image, f"images/{image}.png", W, H))
        for k, (image, cat) in enumerate(objects, start=1):
            p.add_annotation(mask_annotation(k, image, cat, disc(*where[(image, cat)], 7)))
    summary = run_agreement([Rater(n, p) for n, p in projects.items()]).to_dict()["summary"]
    assert (summary["units_all_raters"], summary["fleiss_units"], summary["fleiss_raters_per_unit"]) == (
        3,
        2,
        2,
    )
    assert summary["fleiss_kappa"] == pytest.approx(fleiss_kappa(np.array([[2, 0], [0, 2]])))
    assert summary["krippendorff_alpha"] < 1.0


def test_near_class_names_are_found_once_per_class_in_a_large_taxonomy(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A species-level taxonomy (thousands of classes in the reference and in each annotator's project):
    each class name is folded once, not once per pair (compared pair by pair, 3,000 classes each were
    18 million foldings, and 100,000 classes - the taxonomy limit - never ended); the lines said are those
    of the pairwise comparison."""
    from pixelproof.core import qa_categories, scorecards
    from pixelproof.core.model import Category

    def project(names: list[str]) -> Project:
        p = new_project()
        for k, n in enumerate(names, 1):
            p.add_category(Category(k, n))
        return p

    n = 3000
    reference = project([f"Species {k}" for k in range(n)])
    ann = project([f"species  {k}" if k % 1000 == 0 else f"genus {k}" for k in range(n)])
    bob = project([f"Species {k}" for k in range(n)] + ["SPECIES 7 "])
    folded = qa_categories.name_key
    calls = 0

    def counting(name: str) -> str:
        nonlocal calls
        calls += 1
        return folded(name)

    monkeypatch.setattr(qa_categories, "name_key", counting)
    lines = scorecards.near_names(reference, [("ann", ann), ("bob", bob)])
    assert calls <= 2 * (n + 2 * n + 1)
    pairs = {(r, c) for r in ("Species 0", "Species 1000", "Species 2000", "Species 7")
             for c in ("species  0", "species  1000", "species  2000", "SPECIES 7 ")
             if folded(r) == folded(c)}  # fmt: skip
    assert len(lines) == len(pairs) == 4
    for r, c in pairs:
        assert any(repr(r) in line and repr(c) in line for line in lines)
