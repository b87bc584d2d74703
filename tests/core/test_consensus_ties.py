"""Objects exactly half of the annotators drew (a tie; with two annotators, one drew it alone): proposed as
pending consensus objects to decide (``ties="pending"``, the default) or left out (``"drop"``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.coco import dumps_project, new_project
from pixelproof.core.consensus import (
    accept_consensus,
    consensus_edit,
    dropped_by_accept,
    summary_line,
    ties_advice,
    ties_left_pending,
)
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, CONSENSUS_TIE, versions_side_by_side
from tests.core.teams_data import H, W, disc, mask_annotation

BOTH, ALONE = disc(15, 15, 6), disc(40, 30, 6)


def _merged(tmp_path: Path, drawn: list[list[np.ndarray]]) -> Project:
    """One overlap image; annotator k drew the masks ``drawn[k]`` (class cat)."""
    shards = []
    for k, masks in enumerate(drawn):
        name = f"a{k}"
        p = new_project(["cat"])
        p.path = tmp_path / f"{name}.json"
        p.add_image(ImageRecord(1, "a.png", W, H))
        for j, m in enumerate(masks, start=1):
            p.add_annotation(mask_annotation(j, 1, 1, m))
        p.app["shard"] = {"annotator": name, "split": "s"}
        shards.append(Shard.of(p, name))
    return merge_shards(shards).project


def _consensus(project: Project) -> list:
    return sorted(
        (a for a in project.annotations.values() if a.app_extra.get(ANNOTATOR_KEY) is None),
        key=lambda a: a.bbox[0],
    )


@pytest.mark.parametrize("method", ["majority", "staple"])
def test_an_object_one_of_two_annotators_drew_is_proposed_pending_and_survives_accept(
    tmp_path: Path, method: str
) -> None:
    project = _merged(tmp_path, [[BOTH, ALONE], [BOTH]])
    before = dumps_project(project)
    edit, summary = consensus_edit(project, method)  # ties "pending" by default
    edit.apply(project)
    assert (summary["objects"], summary["half"], summary["minority"]) == (2, 1, 0)
    assert "(1 tie among them, an object drawn by exactly half of the annotators;" in summary_line(summary)
    assert ties_advice(summary, "ALL", "ACCEPT") == (
        "The tie stays pending until you decide: accept or reject it in the Review mode (its note says how "
        "many drew it), or every tie at once with ALL; ACCEPT does not decide it"
    )
    both, alone = _consensus(project)
    assert CONSENSUS_TIE not in both.app_extra and both.note is None
    assert alone.review == "pending" and alone.app_extra[CONSENSUS_TIE] == [1, 2]
    assert alone.note == "drawn by 1 of 2 annotators"
    np.testing.assert_array_equal(alone.mask(H, W), ALONE)  # what its annotator drew, whatever the method
    assert dropped_by_accept(project) == {}  # the lone object is kept by its tie object: nothing lost
    assert ties_left_pending(project) == 1
    accept = accept_consensus(project)
    accept.apply(project)
    both_after, alone_after = _consensus(project)
    assert both_after.review == "accepted"
    assert alone_after.review == "pending" and alone_after.app_extra[CONSENSUS_TIE] == [1, 2]
    np.testing.assert_array_equal(alone_after.mask(H, W), ALONE)
    assert len(project.annotations) == 2 and versions_side_by_side(project) == {}
    accept.revert(project)
    edit.revert(project)
    assert dumps_project(project) == before


def test_a_tie_the_reviewer_decided_is_kept_or_deleted_on_accept(tmp_path: Path) -> None:
    project = _merged(tmp_path, [[BOTH, ALONE, disc(50, 10, 4)], [BOTH]])
    consensus_edit(project, "majority")[0].apply(project)
    _, yes, no = _consensus(project)
    yes.review, no.review = "accepted", "rejected"
    assert dropped_by_accept(project) == {1: 1}  # the rejected tie's source goes
    assert ties_left_pending(project) == 0
    accept_consensus(project).apply(project)
    kept = _consensus(project)
    assert [a.review for a in kept] == ["accepted", "accepted"] and kept[1].bbox == yes.bbox


def test_ties_drop_leaves_them_out_as_before(tmp_path: Path) -> None:
    project = _merged(tmp_path, [[BOTH, ALONE], [BOTH]])
    edit, summary = consensus_edit(project, "majority", ties="drop")
    edit.apply(project)
    assert (summary["objects"], summary["half"], summary["minority"]) == (1, 0, 1)
    assert "1 object drawn by half or fewer of the annotators left out" in summary_line(summary)
    assert dropped_by_accept(project) == {1: 1}
    with pytest.raises(ValueError, match="ties 'keep'"):
        consensus_edit(project, "majority", ties="keep")


@pytest.mark.parametrize("method", ["majority", "staple"])
def test_three_annotators_two_of_three_is_unchanged_and_one_of_three_still_left_out(
    tmp_path: Path, method: str
) -> None:
    drawn = [[BOTH, ALONE], [BOTH, ALONE], [disc(16, 15, 6), disc(50, 10, 4)]]
    results = {}
    for ties in ("pending", "drop"):
        project = _merged(tmp_path, drawn)
        edit, summary = consensus_edit(project, method, ties=ties)
        edit.apply(project)
        assert (summary["objects"], summary["half"], summary["minority"]) == (2, 0, 1)
        results[ties] = dumps_project(project)
    assert results["pending"] == results["drop"]


def test_with_four_annotators_two_is_a_tie_whose_pixels_both_drew(tmp_path: Path) -> None:
    left, right = disc(30, 24, 8), disc(33, 24, 8)
    project = _merged(tmp_path, [[left], [right], [], []])
    consensus_edit(project, "staple")[0].apply(project)
    [tie] = _consensus(project)
    assert tie.app_extra[CONSENSUS_TIE] == [2, 4] and tie.note == "drawn by 2 of 4 annotators"
    np.testing.assert_array_equal(tie.mask(H, W), left & right)


def test_decide_ties_decides_every_pending_tie_in_one_edit_and_its_revert_undoes_it(tmp_path: Path) -> None:
    from pixelproof.core.consensus import decide_ties

    project = _merged(tmp_path, [[BOTH, ALONE], [BOTH]])
    edit, _ = consensus_edit(project, "majority")
    edit.apply(project)
    with pytest.raises(ValueError):
        decide_ties(project, "pending")
    ties = decide_ties(project, "accepted")
    assert ties is not None and ties.label == "Accept 1 tie"
    ties.apply(project)
    both, alone = _consensus(project)
    assert alone.review == "accepted" and both.review == "pending"  # only the tie
    assert ties_left_pending(project) == 0 and decide_ties(project, "rejected") is None
    ties.revert(project)
    assert _consensus(project)[1].review == "pending" and ties_left_pending(project) == 1
    accept_consensus(project).apply(project)  # an accepted tie stays after Accept Consensus
    assert [a.review for a in _consensus(project)] == ["accepted", "pending"]
    reject = decide_ties(project, "rejected")
    assert reject is not None and reject.label == "Reject 1 tie"
    reject.apply(project)
    assert [a.review for a in _consensus(project)] == ["accepted", "rejected"]
