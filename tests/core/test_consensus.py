"""Consensus objects (majority, STAPLE, box averaging), accepting them, the disagreement map."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core.agreement import Member
from pixelproof.core.coco import dumps_project, new_project
from pixelproof.core.consensus import (
    CONSENSUS_OF,
    accept_consensus,
    consensus_edit,
    consensus_image,
    overlap_images,
)
from pixelproof.core.disagreement import disagreement
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from tests.core.teams_data import H, W, box_annotation, disc, mask_annotation


def _members(per_rater: list[list[tuple[str, object]]]) -> list[Member]:
    """Raters' objects on one image: (category, mask array or box list)."""
    out = []
    for r, objs in enumerate(per_rater):
        p = new_project(["cat", "dog"])
        p.add_image(ImageRecord(1, "a.png", W, H))
        for k, (cat, shape) in enumerate(objs, start=1):
            cid = 1 if cat == "cat" else 2
            ann = (
                box_annotation(k, 1, cid, shape)
                if isinstance(shape, list)
                else mask_annotation(k, 1, cid, shape)
            )
            p.add_annotation(ann)
        out.append(Member(r, p, p.images[1]))
    return out


def _rng_masks() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [disc(30 + k, 24, 11 + k) ^ (rng.random((H, W)) < 0.01) & disc(30, 24, 16) for k in range(3)]


def test_majority_consensus_is_the_pixels_most_annotators_drew() -> None:
    from pixelproof.core.reliability import majority_vote

    masks = _rng_masks()
    result = consensus_image("a.png", _members([[("cat", m)] for m in masks]), "majority")
    [(ann, label)] = result.objects
    assert label == "cat" and ann.review == "pending" and ann.source == "consensus:majority"
    np.testing.assert_array_equal(ann.mask(H, W), majority_vote(masks))
    assert ann.app_extra[CONSENSUS_OF] == [1, 1, 1]


def test_staple_consensus_matches_simpleitk() -> None:
    import SimpleITK as sitk

    masks = _rng_masks()
    result = consensus_image("a.png", _members([[("cat", m)] for m in masks]), "staple")
    f = sitk.STAPLEImageFilter()
    prob = sitk.GetArrayFromImage(f.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in masks]))
    np.testing.assert_array_equal(result.objects[0][0].mask(H, W), prob > 0.5)
    sens = [result.performance[r][0] for r in range(3)]
    np.testing.assert_allclose(sens, f.GetSensitivity(), atol=1e-9)


def test_minority_objects_are_left_out_and_the_majority_label_wins() -> None:
    a, b, c = disc(15, 15, 6), disc(45, 30, 7), disc(45, 12, 5)
    members = _members(
        [
            [("cat", a), ("dog", b), ("cat", [2, 2, 10, 10])],
            [("cat", a), ("cat", b), ("cat", [3, 3, 10, 12])],
            [("dog", a), ("cat", b), ("dog", c)],  # c: drawn by one annotator only
        ]
    )
    result = consensus_image("a.png", members, "majority")
    got = sorted((label, ann.kind, [round(v, 2) for v in ann.bbox]) for ann, label in result.objects)
    assert got == [
        ("cat", "box", [2.5, 2.5, 10.0, 11.0]),
        ("cat", "mask", [9, 9, 13, 13]),
        ("cat", "mask", [38, 23, 15, 15]),
    ]
    assert result.minority == 1


def test_disagreement_map() -> None:
    a = disc(20, 20, 8)
    members = _members([[("cat", a)], [("cat", a)], [("dog", a)]])
    m = disagreement(members).values
    assert m[20, 20] == pytest.approx(1 / 3) and m[0, 0] == 0.0
    assert m.max() == pytest.approx(1 / 3)


def _merged(tmp_path) -> Project:  # type: ignore[no-untyped-def]
    shards = []
    for k, name in enumerate(["ann", "bob", "cy"]):
        p = new_project(["cat", "dog"])
        p.path = tmp_path / f"{name}.json"
        p.add_image(ImageRecord(1, "a.png", W, H))
        p.add_image(ImageRecord(2, "b.png", W, H))
        p.add_annotation(mask_annotation(1, 1, 1, disc(20 + k, 20, 8)))
        p.add_annotation(box_annotation(2, 2, 2, [5 + k, 5, 10, 10]))
        p.app["shard"] = {"annotator": name, "split": "s"}
        shards.append(Shard.of(p, name))
    return merge_shards(shards).project


def test_consensus_on_a_merged_project_then_accept_as_undoable_edits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = _merged(tmp_path)
    assert len(project.annotations) == 6
    before = dumps_project(project)
    edit, summary = consensus_edit(project, "staple")
    edit.apply(project)
    assert summary == {
        "images": 2,
        "objects": 2,
        "minority": 0,
        "ties": 0,
        "half": 0,
        "tie_rule": "pending",
        "skipped": [],
        "waiting": 0,
    }
    pending = [a for a in project.annotations.values() if a.review == "pending"]
    assert len(pending) == 2 and all(a.app_extra.get(ANNOTATOR_KEY) is None for a in pending)
    _again, summary = consensus_edit(project, "staple")
    assert summary["skipped"] == ["a.png", "b.png"]  # an image gets one consensus
    project.annotations[pending[1].id].review = "rejected"
    accept = accept_consensus(project)
    accept.apply(project)
    assert [a.review for a in project.annotations.values()] == ["accepted"]
    accept.revert(project)
    project.annotations[pending[1].id].review = "pending"
    edit.revert(project)
    assert dumps_project(project) == before


def _two_annotators(tmp_path, bob_draws: bool) -> Project:  # type: ignore[no-untyped-def]
    """Two annotators' shards of one overlap image: ann drew two discs; bob the same two, or nothing."""
    shards = []
    for name in ("ann", "bob"):
        p = new_project(["cat"])
        p.path = tmp_path / f"{name}.json"
        p.add_image(ImageRecord(1, "a.png", W, H))
        if name == "ann" or bob_draws:
            p.add_annotation(mask_annotation(1, 1, 1, disc(15, 15, 6)))
            p.add_annotation(mask_annotation(2, 1, 1, disc(40, 30, 6)))
        p.app["shard"] = {"annotator": name, "split": "s"}
        shards.append(Shard.of(p, name))
    return merge_shards(shards).project


def test_an_empty_consensus_is_marked_and_accepting_it_clears_the_versions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """bob drew nothing where ann drew two objects: no object has a majority (ties "drop"). The image is
    still an overlap image of two raters, its consensus is worked out (empty) and marked; accepting it
    removes ann's versions and the image's overlap entries, as one undoable edit."""
    project = _two_annotators(tmp_path, bob_draws=False)
    assert project.app["overlap_annotators"] == {"1": ["ann", "bob"]}
    before = dumps_project(project)
    edit, summary = consensus_edit(project, "majority", ties="drop")
    edit.apply(project)
    assert summary == {
        "images": 1,
        "objects": 0,
        "minority": 2,
        "ties": 0,
        "half": 0,
        "tie_rule": "drop",
        "skipped": [],
        "waiting": 0,
    }
    assert project.app["consensus"] == {"1": "majority"}
    assert consensus_edit(project, "majority")[1]["skipped"] == ["a.png"]
    accept = accept_consensus(project)
    accept.apply(project)
    assert project.annotations == {}
    assert "overlap_annotators" not in project.app and "consensus" not in project.app
    accept.revert(project)
    edit.revert(project)
    assert dumps_project(project) == before


def test_accepting_without_a_consensus_changes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = _two_annotators(tmp_path, bob_draws=False)
    before = dumps_project(project)
    accept_consensus(project).apply(project)
    assert dumps_project(project) == before


def test_the_same_polygon_from_every_annotator_stays_a_polygon(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shards = []
    poly = [[10.1, 10.5, 30.2, 11.0, 28.7, 25.3, 12.0, 24.9]]
    for name in ("ann", "bob", "cy"):
        p = new_project(["cat"])
        p.path = tmp_path / f"{name}.json"
        p.add_image(ImageRecord(1, "a.png", W, H))
        p.add_annotation(Annotation(1, 1, 1, [10.1, 10.5, 20.1, 14.8], [list(poly[0])], 250.0))
        if name == "cy":  # cy's second object differs from the others': it becomes a mask
            p.add_annotation(mask_annotation(2, 1, 1, disc(45, 30, 6)))
        else:
            p.add_annotation(mask_annotation(2, 1, 1, disc(44, 30, 6)))
        p.app["shard"] = {"annotator": name, "split": "s"}
        shards.append(Shard.of(p, name))
    project = merge_shards(shards).project
    for method in ("majority", "staple"):
        result = consensus_image("a.png", overlap_images(project)[1], method)
        kept = sorted(result.objects, key=lambda o: o[0].bbox[0])
        assert [type(a.segmentation).__name__ for a, _ in kept] == ["list", "dict"]
        assert kept[0][0].segmentation == poly and kept[0][0].bbox == [10.1, 10.5, 20.1, 14.8]
