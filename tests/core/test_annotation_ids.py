"""Annotation ids are never given out twice: a removed object's id stays taken (``last_annotation_id``),
so what is keyed by an id (a "not a problem" decision, the change log) never passes to a new object; and
the shards of a split draw new ids from ranges of their own, so merging them renumbers nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import ProjectFormatError, dumps_project, load_project, save_project
from pixelproof.core.edits import AddAnnotations, DismissProblems, RemoveAnnotations
from pixelproof.core.lint import LintOptions, dismissed_keys, lint_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import LAST_ANNOTATION_ID
from pixelproof.core.split import ID_RANGE, split_project
from tests.core.teams_data import box_annotation, make_project


def test_the_newest_objects_id_is_not_given_again_after_delete_undo_or_reload(tmp_path: Path) -> None:
    project = make_project(tmp_path, 3)  # ids 1..6
    assert project.next_annotation_id() == 7
    RemoveAnnotations([6]).apply(project)
    assert project.next_annotation_id() == 7  # was 6: the deleted object's id went to the next one
    save_project(project)
    again = load_project(project.path)
    assert again.app[LAST_ANNOTATION_ID] == 6 and again.next_annotation_id() == 7
    drawn = AddAnnotations([box_annotation(7, 1, 1, [1, 1, 5, 5])])
    drawn.apply(again)
    deleted = RemoveAnnotations([7])
    deleted.apply(again)
    assert again.next_annotation_id() == 8
    before = dumps_project(again)
    deleted.revert(again)
    drawn.revert(again)  # undo restores the file exactly: the drawing never happened, 7 is free again
    assert again.app[LAST_ANNOTATION_ID] == 6 and again.next_annotation_id() == 7
    drawn.apply(again)
    deleted.apply(again)  # redo
    assert dumps_project(again) == before


def test_a_dismissed_problem_of_a_deleted_object_does_not_hide_a_new_objects(tmp_path: Path) -> None:
    """Before: the tiny box 7 was dismissed, deleted, and a new tiny box drawn got id 7 - its problem
    ('tiny|1|7') was hidden as already dismissed."""
    project = make_project(tmp_path, 3)
    project.add_annotation(box_annotation(project.next_annotation_id(), 1, 1, [30, 30, 1, 1]))
    (problem,) = lint_project(project).problems
    DismissProblems(project, [problem.key]).apply(project)
    RemoveAnnotations([problem.annotation_id]).apply(project)
    save_project(project)
    project = load_project(project.path)
    new_id = project.next_annotation_id()
    AddAnnotations([box_annotation(new_id, 1, 1, [40, 30, 1, 1])]).apply(project)
    found = lint_project(project, options=LintOptions(dismissed=dismissed_keys(project)))
    assert [(p.kind, p.annotation_id) for p in found.problems] == [("tiny", new_id)]
    assert new_id != problem.annotation_id and found.dismissed == 0


@pytest.mark.parametrize("value", [-1, 2.5, "7", True, None])
def test_a_bad_last_annotation_id_is_refused_with_its_place(tmp_path: Path, value: object) -> None:
    project = make_project(tmp_path, 1)
    project.app[LAST_ANNOTATION_ID] = value
    save_project(project)
    with pytest.raises(ProjectFormatError, match=f"pixelproof.{LAST_ANNOTATION_ID}: expected a non-negative"):
        load_project(project.path)


def test_shards_draw_new_ids_from_ranges_of_their_own_and_merge_keeps_them(tmp_path: Path) -> None:
    """Before: every annotator's first new object got the same id (the project's highest + 1), so a
    routine merge renumbered all but one and reported each as a conflict (exit 3)."""
    base = make_project(tmp_path, 12)  # ids 1..24
    result = split_project(base, ["ann", "bob", "cy"], overlap=0.0, seed=1)
    drawn = {}
    for k, (name, shard) in enumerate(result.shards.items()):
        assert shard.next_annotation_id() == 25 + (k + 1) * ID_RANGE  # 25 + ...: the lead's own
        image = next(iter(shard.images))
        ids = [shard.next_annotation_id(), shard.next_annotation_id() + 1]
        shard.add_annotation(box_annotation(ids[0], image, 1, [2, 2, 6, 6]))
        shard.add_annotation(box_annotation(ids[1], image, 2, [9, 9, 6, 6]))
        drawn[name] = ids
        save_project(shard, tmp_path / f"{name}.json")
    shards = [Shard.of(load_project(tmp_path / f"{n}.json"), n) for n in result.shards]
    merged = merge_shards(shards, base=base, manifest=result.manifest)
    assert merged.conflicts == []
    assert {a.id for a in merged.project.annotations.values()} == set(range(1, 25)) | {
        i for ids in drawn.values() for i in ids
    }
    assert {merged.project.annotations[i].author for i in drawn["bob"]} == {"bob"}
    # merged without the base project, its ids go on from the highest present, not from a shard's range
    alone = merge_shards(shards)
    assert alone.project.next_annotation_id() == max(drawn["cy"]) + 1
