"""Lint of masks on a real picture (scikit-image's coins, 24 coins segmented by the threshold backend):
planted errors of every shape kind are found as their kind, rank above the clean coins, and their fixes
(applied as one edit each) remove the problem; reverting the edit restores the project exactly."""

from __future__ import annotations

import copy
from pathlib import Path

import cv2
import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.coco import dumps_project
from pixelproof.core.lint import LintOptions, lint_project, parse_rules
from pixelproof.core.lint.apply import fix_edit
from pixelproof.core.model import Project
from tests.core.lint_scenes import coin_scene, disc_like, jagged, set_mask

RULES = parse_rules({"default": {"countable": True}})


@pytest.fixture(scope="module")
def coins(tmp_path_factory: pytest.TempPathFactory):
    return coin_scene(tmp_path_factory.mktemp("coins"))


def nearest(project: Project, aid: int, exclude: set[int]) -> int:
    def centre(a):  # type: ignore[no-untyped-def]
        x, y, w, h = a.bbox
        return np.array([x + w / 2, y + h / 2])

    c = centre(project.annotations[aid])
    others = [a for a in project.annotations.values() if a.id not in exclude and a.id != aid]
    return min(others, key=lambda a: float(np.hypot(*(centre(a) - c)))).id


def free_spot(project: Project, aid: int, size: int = 6, gap: int = 14) -> tuple[int, int]:
    """Top-left of a size x size square about ``gap`` px from the object that touches no other object."""
    image = project.images[1]
    H, W = image.height, image.width
    taken = np.zeros((H, W), bool)
    for a in project.annotations.values():
        taken |= a.mask(H, W)
    taken = cv2.dilate(taken.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    x, y, w, h = (int(v) for v in project.annotations[aid].bbox)
    for ty, tx in (
        (y + h // 2, x + w + gap),
        (y + h // 2, x - gap - size),
        (y + h + gap, x + w // 2),
        (y - gap - size, x + w // 2),
    ):
        if (
            ty >= 0
            and ty + size <= H
            and tx >= 0
            and tx + size <= W
            and not taken[ty : ty + size, tx : tx + size].any()
        ):
            return ty, tx
    raise AssertionError("no free spot")


def plant(project: Project) -> dict[str, int]:
    A = project.annotations
    H, W = project.images[1].height, project.images[1].width
    ids = sorted(A)
    planted: dict[str, int] = {}
    set_mask(A[ids[2]], disc_like(A[ids[2]], (H, W), scale=2.6))
    planted["size_outlier"] = ids[2]
    set_mask(A[ids[4]], disc_like(A[ids[4]], (H, W), squash=3))
    planted["aspect_outlier"] = ids[4]
    set_mask(A[ids[6]], jagged(A[ids[6]].mask(H, W)))
    planted["jagged_contour"] = ids[6]
    island = A[ids[8]].mask(H, W).copy()
    ty, tx = free_spot(project, ids[8])
    island[ty : ty + 6, tx : tx + 6] = True
    set_mask(A[ids[8]], island)
    planted["fragmented_mask"] = ids[8]
    x, y, w, h = A[ids[10]].bbox
    A[ids[10]].bbox = [x + 8, y, w, h]
    planted["box_mask_mismatch"] = ids[10]
    ring = masks.mask_to_polygons(A[ids[12]].mask(H, W)).polygons[0]
    pts = np.array(ring).reshape(-1, 2)
    n = len(pts)
    pts[[n // 4, 3 * n // 4]] = pts[[3 * n // 4, n // 4]]  # a bow tie
    poly = [pts.reshape(-1).tolist()]
    A[ids[12]].set_geometry(
        poly, masks.polygons_bbox(poly), masks.segmentation_area(poly, [0, 0, 0, 0], H, W)
    )
    planted["invalid_polygon"] = ids[12]
    m = A[ids[14]].mask(H, W)
    set_mask(A[ids[14]], m & ~cv2.erode(m.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool))
    planted["low_mask_agreement"] = ids[14]
    grow, other = ids[16], nearest(project, ids[16], set(planted.values()))
    g = A[grow].mask(H, W).astype(np.uint8)
    while np.count_nonzero(g.astype(bool) & A[other].mask(H, W)) < 40:
        g = cv2.dilate(g, np.ones((3, 3), np.uint8))
    set_mask(A[grow], g.astype(bool))
    planted["unseparated_overlap"] = max(grow, other)  # reported on the later annotation of the pair
    return planted


def test_planted_mask_errors_are_found_and_ranked_first(coins) -> None:
    project, predictions = copy.deepcopy(coins)
    planted = plant(project)
    result = lint_project(project, RULES, predictions)
    involved = set(planted.values())
    scores = {}
    for kind, aid in planted.items():
        hits = [p for p in result.problems if p.kind == kind and p.annotation_id == aid]
        assert hits, (
            f"{kind} not found on annotation {aid}: {[(p.kind, p.annotation_id) for p in result.problems]}"
        )
        scores[kind] = hits[0].score
    clean = [p for p in result.problems if p.annotation_id not in involved and p.related_id not in involved]
    assert len(clean) <= 1  # the threshold backend's outline of one coin is genuinely rough
    assert min(scores.values()) > max((p.score for p in clean), default=0.0)
    without_model = lint_project(project, RULES)
    assert {"low_mask_agreement", "bad_location"}.isdisjoint(p.kind for p in without_model.problems)


@pytest.mark.parametrize(
    "kind",
    ["fragmented_mask", "box_mask_mismatch", "invalid_polygon", "low_mask_agreement", "unseparated_overlap"],
)
def test_applying_the_fix_removes_the_problem_and_revert_restores(coins, kind: str) -> None:
    project, predictions = copy.deepcopy(coins)
    aid = plant(project)[kind]
    problem = next(
        p
        for p in lint_project(project, RULES, predictions).problems
        if p.kind == kind and p.annotation_id == aid
    )
    before = dumps_project(project)
    edit = fix_edit(project, problem.fix)
    edit.apply(project)
    after = lint_project(project, RULES, predictions, LintOptions(frozenset({kind})))
    assert not [p for p in after.problems if p.annotation_id == aid], after.problems
    edit.revert(project)
    assert dumps_project(project) == before


def test_fragment_fix_splits_a_large_far_island_into_its_own_object(coins) -> None:
    project, _ = copy.deepcopy(coins)
    A = project.annotations
    H, W = project.images[1].height, project.images[1].width
    a, b = sorted(A)[:2]
    merged = A[a].mask(H, W) | A[b].mask(H, W)  # two coins drawn as one mask
    project.remove_annotation(b)
    set_mask(A[a], merged)
    (problem,) = [p for p in lint_project(project, RULES).problems if p.kind == "fragmented_mask"]
    assert problem.fix["action"] == "split" and len(problem.fix["parts"]) == 2
    fix_edit(project, problem.fix).apply(project)
    new = max(project.annotations)
    assert project.annotations[new].category_id == A[a].category_id
    got = sorted(np.count_nonzero(project.annotations[i].mask(H, W)) for i in (a, new))
    want = sorted(np.count_nonzero(coins[0].annotations[i].mask(H, W)) for i in (a, b))
    assert got == want
    assert not [p for p in lint_project(project, RULES).problems if p.kind == "fragmented_mask"]


def test_dismissed_problems_stay_out_until_listed_again(coins) -> None:
    from pixelproof.core.edits import DismissProblems
    from pixelproof.core.lint import dismissed_keys

    project, predictions = copy.deepcopy(coins)
    plant(project)
    first = lint_project(project, RULES, predictions).problems
    target = first[0]
    edit = DismissProblems(project, [target.key])
    edit.apply(project)
    again = lint_project(project, RULES, predictions, LintOptions(dismissed=dismissed_keys(project)))
    assert target.key not in [p.key for p in again.problems]
    assert again.dismissed == 1 and len(again.problems) == len(first) - 1
    edit.revert(project)
    assert dismissed_keys(project) == frozenset()
    assert "lint" not in project.app


def test_lint_never_changes_the_project(coins, tmp_path: Path) -> None:
    project, predictions = copy.deepcopy(coins)
    plant(project)
    before = dumps_project(project)
    lint_project(project, RULES, predictions)
    assert dumps_project(project) == before


def test_recheck_of_edited_images_follows_the_edits(coins) -> None:
    project, predictions = copy.deepcopy(coins)
    planted = plant(project)
    result = lint_project(project, RULES, predictions)
    rechecker = result.rechecker
    assert rechecker is not None
    again, scores = rechecker.image(project, 1)  # nothing edited: the run's problems
    assert sorted(p.key for p in again) == sorted(p.key for p in result.problems)
    assert scores is not None and scores.score == result.image_scores[1].score
    problem = next(p for p in result.problems if p.kind == "box_mask_mismatch")
    fix_edit(project, problem.fix).apply(project)
    after, _ = rechecker.image(project, 1)
    assert problem.key not in {p.key for p in after}
    aid = problem.annotation_id
    assert {p.key for p in after if aid not in (p.annotation_id, p.related_id)} == {
        p.key for p in again if aid not in (p.annotation_id, p.related_id)
    }
    project.categories[1].name = "penny"  # renamed since the run
    assert {p.category for p in rechecker.image(project, 1)[0]} == {"penny"}
    assert planted
