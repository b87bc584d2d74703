"""Consensus on cases with known answers: class disagreement under STAPLE, class ties, crowd and void
regions, undo/redo byte-exact (the basic cases are in test_consensus.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pixelproof.core.coco import dumps_project, new_project
from pixelproof.core.consensus import accept_consensus, consensus_edit, consensus_image, overlap_images
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import ImageRecord, Project
from tests.core.teams_data import H, W, box_annotation, disc, mask_annotation

NAMES = ("ann", "bob", "cy")


def _merged(tmp_path: Path, draw: Callable[[int, Project], None], names: tuple[str, ...] = NAMES) -> Project:
    """Shards of one split with one overlap image; ``draw(k, shard)`` adds annotator k's objects.
    Categories: cat, dog, bird, ignore (void)."""
    shards = []
    for k, name in enumerate(names):
        p = new_project(["cat", "dog", "bird", "ignore"])
        p.categories[4].app_extra["void"] = True
        p.path = tmp_path / f"{name}.json"
        p.add_image(ImageRecord(1, "a.png", W, H))
        draw(k, p)
        p.app["shard"] = {"annotator": name, "split": "s"}
        shards.append(Shard.of(p, name))
    return merge_shards(shards).project


def _masks_of(labels: list[int]) -> Callable[[int, Project], None]:
    """Annotator k draws one disc (slightly shifted) of category ``labels[k]``."""
    return lambda k, p: p.add_annotation(mask_annotation(1, 1, labels[k], disc(30 + k % 2, 24 + k // 2, 10)))


def test_staple_keeps_an_object_one_annotator_gave_another_class(tmp_path: Path) -> None:
    """2 annotators say cat, 1 dog, on nearly the same disc: the shape is STAPLE of the three objects
    (SimpleITK on the same masks), not cat's STAPLE in which the dog annotator's pixels count against."""
    import SimpleITK as sitk

    project = _merged(tmp_path, _masks_of([1, 1, 2]))
    members = overlap_images(project)[1]
    [(ann, label)] = consensus_image("a.png", members, "staple").objects
    drawn = [disc(30 + k % 2, 24 + k // 2, 10) for k in range(3)]
    f = sitk.STAPLEImageFilter()
    prob = sitk.GetArrayFromImage(f.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in drawn]))
    assert label == "cat"
    np.testing.assert_array_equal(ann.mask(H, W), prob > 0.5)
    assert ann.mask(H, W).sum() > 0.9 * drawn[0].sum()


def test_a_class_tie_is_noted_on_the_pending_object(tmp_path: Path) -> None:
    """cat, dog, bird on one object: no class has a majority; the object is pending with a note naming
    the tied classes (the first annotator's class stands until the reviewer decides)."""
    for labels, note in (([1, 2, 3], "class tie: cat, dog, bird"), ([2, 1, 1], None)):
        project = _merged(tmp_path, _masks_of(labels))
        [(ann, label)] = consensus_image("a.png", overlap_images(project)[1], "majority").objects
        assert (label, ann.note) == (project.categories[labels[0] if note else 1].name, note)
    # two of four annotators said dog, two cat: a tie too
    project = _merged(tmp_path, _masks_of([2, 1, 1, 2]), ("ann", "bob", "cy", "dan"))
    edit, summary = consensus_edit(project, "staple")
    edit.apply(project)
    [ann] = [a for a in project.annotations.values() if a.review == "pending"]
    assert ann.note == "class tie: dog, cat" and ann.category_id == 2 and summary["ties"] == 1


def test_crowd_regions_stay_crowd_regions(tmp_path: Path) -> None:
    def draw(k: int, p: Project) -> None:
        p.add_annotation(mask_annotation(1, 1, 1, disc(20 + k, 20, 8), iscrowd=1))
        p.add_annotation(box_annotation(2, 1, 2, [40 + k, 5, 20, 20], iscrowd=int(k < 2)))
        p.add_annotation(mask_annotation(3, 1, 3, disc(15, 38, 6 + k % 2)))

    project = _merged(tmp_path, draw)
    for method in ("majority", "staple"):
        objects = consensus_image("a.png", overlap_images(project)[1], method).objects
        assert sorted((label, a.iscrowd) for a, label in objects) == [("bird", 0), ("cat", 1), ("dog", 1)]


def test_void_regions_most_annotators_drew_survive_accept(tmp_path: Path) -> None:
    """Void regions are the annotators' versions too: one most of them drew becomes a pending consensus
    region (never matched with an object), so accepting does not drop it; one drawn by one annotator goes."""

    def draw(k: int, p: Project) -> None:
        p.add_annotation(mask_annotation(1, 1, 1, disc(20 + k, 20, 8)))
        p.add_annotation(box_annotation(2, 1, 4, [19 + k, 12, 16, 16]))  # void, over the cat
        if k == 0:
            p.add_annotation(box_annotation(3, 1, 4, [50, 30, 10, 10]))

    project = _merged(tmp_path, draw)
    edit, summary = consensus_edit(project, "majority")
    edit.apply(project)
    assert summary["objects"] == 2 and summary["minority"] == 1
    accept_consensus(project).apply(project)
    kept = sorted((project.categories[a.category_id].name, a.kind) for a in project.annotations.values())
    assert kept == [("cat", "mask"), ("ignore", "box")]
    [void] = [a for a in project.annotations.values() if a.category_id == 4]
    np.testing.assert_allclose(void.bbox, [20, 12, 16, 16])


def test_consensus_and_accept_undo_and_redo_byte_exact(tmp_path: Path) -> None:
    def draw(k: int, p: Project) -> None:
        p.add_annotation(mask_annotation(1, 1, 1 + (k == 2), disc(20 + k, 20, 8), iscrowd=int(k == 0)))
        p.add_annotation(box_annotation(2, 1, 4, [40, 5 + k, 20, 20]))
        p.add_annotation(mask_annotation(3, 1, 3, disc(45, 35, 5)))

    project = _merged(tmp_path, draw)
    states = [dumps_project(project)]
    edit, _ = consensus_edit(project, "staple")
    edit.apply(project)
    states.append(dumps_project(project))
    accept = accept_consensus(project)
    accept.apply(project)
    states.append(dumps_project(project))
    for _ in range(2):
        accept.revert(project)
        assert dumps_project(project) == states[1]
        edit.revert(project)
        assert dumps_project(project) == states[0]
        edit.apply(project)
        assert dumps_project(project) == states[1]
        accept.apply(project)
        assert dumps_project(project) == states[2]


def test_boxes_and_masks_of_one_object_follow_most_annotators(tmp_path: Path) -> None:
    """One annotator drew a box where two drew masks: the consensus is a mask (the pixels most annotators
    put inside, the box counting as its pixels); two boxes and a mask give the mean box."""
    box, m1, m2 = [12, 12, 17, 17], disc(20, 20, 8), disc(21, 20, 8)
    filled = np.zeros((H, W), bool)
    filled[12:29, 12:29] = True

    def one_box(k: int, p: Project) -> None:
        p.add_annotation(
            box_annotation(1, 1, 1, box) if k == 0 else mask_annotation(1, 1, 1, [m1, m2][k - 1])
        )

    project = _merged(tmp_path, one_box)
    [(ann, _)] = consensus_image("a.png", overlap_images(project)[1], "majority").objects
    assert ann.kind == "mask"
    np.testing.assert_array_equal(ann.mask(H, W), filled.astype(int) + m1 + m2 >= 2)

    def two_boxes(k: int, p: Project) -> None:
        p.add_annotation(
            mask_annotation(1, 1, 1, m1) if k == 0 else box_annotation(1, 1, 1, [12 + k, 12, 17, 17])
        )

    project = _merged(tmp_path, two_boxes)
    [(ann, _)] = consensus_image("a.png", overlap_images(project)[1], "majority").objects
    assert ann.kind == "box"
    # the mask's box counts in the mean: masks.bbox(m1) is [12, 12, 17, 17]
    np.testing.assert_allclose(ann.bbox, [(12 + 13 + 14) / 3, 12, 17, 17])


def test_an_object_all_three_annotators_drew_is_one_object_whoever_drew_which(tmp_path: Path) -> None:
    """Three versions of one object, pairwise IoU 0.49 (A-B), 0.62 (A-C), 0.62 (B-C), threshold 0.5.
    Grouped rater by rater in name order, A and B did not match, A became an object of its own, dropped
    as a minority, and the consensus was B and C's overlap; with C named first, all three matched.
    Whoever drew which, it is now one object of all three (mean IoU 0.57 > 0.5) whose majority mask is
    the pixels two of three drew, and agreement sees one unit every annotator drew."""
    from pixelproof.core.agreement import raters_from_merged, run_agreement
    from pixelproof.core.qa_objects import image_objects, pair_iou

    yy, xx = np.mgrid[:H, :W]
    drawn = [(xx >= x) & (xx < x + 16) & (yy >= y) & (yy < y + 16) for x, y in ((10, 10), (12, 14), (13, 11))]
    majority = np.sum(drawn, axis=0) >= 2
    for order in itertools.permutations(range(3)):
        project = _merged(
            tmp_path, lambda k, p, order=order: p.add_annotation(mask_annotation(1, 1, 1, drawn[order[k]]))
        )
        members = overlap_images(project)[1]
        objects = [image_objects(m.project, m.image, (H, W))[0] for m in members]
        a, b, c = (objects[order.index(k)] for k in range(3))
        assert [round(pair_iou(*p), 2) for p in ((a, b), (a, c), (b, c))] == [0.49, 0.62, 0.62]
        found = consensus_image("a.png", members, "majority")
        [(ann, _)] = found.objects
        assert found.minority == 0
        np.testing.assert_array_equal(ann.mask(H, W), majority)
        summary = run_agreement(raters_from_merged(project)).to_dict()["summary"]
        assert (summary["units"], summary["units_all_raters"]) == (1, 1), order
