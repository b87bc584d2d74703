"""Annotation ids are never given out twice: a removed object's id stays taken (``last_annotation_id``),
so what is keyed by an id (a "not a problem" decision, the change log) never passes to a new object; and
the shards of a split draw new ids from ranges of their own, so merging them renumbers nothing. An undo
never frees an id the project file has held: a drawing saved, then undone, leaves its id given out."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from pixelproof.core import history
from pixelproof.core.coco import ProjectFormatError, dumps_project, load_project, save_project
from pixelproof.core.edits import AddAnnotations, DismissProblems, RemoveAnnotations
from pixelproof.core.limits import ID_MAX
from pixelproof.core.lint import LintOptions, dismissed_keys, lint_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import LAST_ANNOTATION_ID
from pixelproof.core.split import ID_RANGE, SplitError, split_project
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


def test_undoing_a_saved_drawing_does_not_give_its_id_again(tmp_path: Path) -> None:
    """Before: draw, save, undo, draw gave the new object the saved one's id; a shard split from the file
    in between, the change log and the file's "not a problem" decisions know that id as the other one."""
    project = make_project(tmp_path, 3)  # ids 1..6
    save_project(project)
    project = load_project(project.path)
    before = dumps_project(project)
    drawn = AddAnnotations([box_annotation(project.next_annotation_id(), 1, 1, [30, 30, 4, 4])])
    drawn.apply(project)
    drawn.revert(project)  # never in the file: undo restores it exactly, 7 is free again
    assert dumps_project(project) == before and project.next_annotation_id() == 7
    drawn.apply(project)
    save_project(project)
    drawn.revert(project)
    assert project.app[LAST_ANNOTATION_ID] == 7 and project.next_annotation_id() == 8
    drawn.apply(project)  # redo, undo again: still taken
    drawn.revert(project)
    assert project.next_annotation_id() == 8
    save_project(project)
    again = load_project(project.path)
    assert 7 not in again.annotations and again.next_annotation_id() == 8


def test_the_change_log_and_decisions_keep_an_undone_saved_drawing_apart_from_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny cat box drawn and saved, then undone; a tiny dog box drawn on the same image. Before, the dog
    took the cat's id: the change log counted one object changed (not a cat removed and a dog added), and
    the "not a problem" decision a teammate made on the saved cat (in a copy of the file) hid the dog's
    problem."""
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "dana")
    project = make_project(tmp_path, 3)
    save_project(project)
    project = load_project(project.path)
    drawn = AddAnnotations([box_annotation(project.next_annotation_id(), 1, 1, [30, 30, 1, 1])])
    drawn.apply(project)
    save_project(project)
    teammate = load_project(project.path)
    (problem,) = lint_project(teammate).problems
    DismissProblems(teammate, [problem.key]).apply(teammate)
    drawn.revert(project)
    new_id = project.next_annotation_id()
    AddAnnotations([box_annotation(new_id, 1, 2, [50, 40, 1, 1])]).apply(project)
    save_project(project)
    entry = orjson.loads(history.sidecar(project.path).read_bytes().splitlines()[-1])
    assert entry["totals"] == {"added": 1, "removed": 1, "changed": 0}
    assert entry["per_image"] == {"images/img001.png": {"cat": [0, 1, 0], "dog": [1, 0, 0]}}
    found = lint_project(project, options=LintOptions(dismissed=dismissed_keys(teammate)))
    assert [(p.kind, p.annotation_id) for p in found.problems] == [("tiny", new_id)]
    assert found.dismissed == 0 and new_id != problem.annotation_id


@pytest.mark.parametrize("value", [-1, 2.5, "7", True, None, 2**63, 2**64 - 1])
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


def test_redoing_an_undone_saved_drawing_gives_back_the_saved_file(tmp_path: Path) -> None:
    """Draw, save, undo, redo: the undo stack is at the saved state again (the app shows it unmodified),
    yet the project kept the mark the undo wrote (``last_annotation_id`` 7, with 7 present), so it was not
    the file any more and a Save rewrote it. The undo after the redo still keeps 7 given out."""
    project = make_project(tmp_path, 3)  # ids 1..6
    save_project(project)
    project = load_project(project.path)
    drawn = AddAnnotations([box_annotation(project.next_annotation_id(), 1, 1, [30, 30, 4, 4])])
    drawn.apply(project)
    save_project(project)
    saved = project.path.read_bytes()
    drawn.revert(project)
    drawn.apply(project)
    assert dumps_project(project) == saved
    drawn.revert(project)
    assert project.next_annotation_id() == 8


def test_merging_into_the_base_keeps_the_id_of_an_object_an_annotator_deleted(tmp_path: Path) -> None:
    """An annotator deleted the base's newest object (id 8): the merged project (the CLI's merge, where the
    app's merge already kept it) gave 8 to the next object drawn, an id the base file, its change log and
    its "not a problem" decisions know as the deleted one."""
    base = make_project(tmp_path, 4)  # ids 1..8, 8 on image 4
    save_project(base)
    result = split_project(base, ["a", "b"], overlap=0.0, seed=1)
    for name, shard in result.shards.items():
        if 8 in shard.annotations:
            shard.remove_annotation(8)
        save_project(shard, tmp_path / f"{name}.json")
    shards = [Shard.of(load_project(tmp_path / f"{n}.json"), n) for n in result.shards]
    merged = merge_shards(shards, base=base, manifest=result.manifest).project
    assert 8 not in merged.annotations and merged.next_annotation_id() == 9
    save_project(merged, tmp_path / "merged.json")
    assert load_project(tmp_path / "merged.json").next_annotation_id() == 9


def test_a_split_with_no_room_for_the_annotators_ranges_is_refused(tmp_path: Path) -> None:
    """Objects numbered near 2**63 (another tool's ids): each shard's range of new ids went past the
    signed 64-bit range, so a shard's last_annotation_id was one no project may hold and the shard did not
    open (before the marks were checked, its first new object had such an id and the saved shard did not
    open). The split is refused, saying why; with room for every range the shards open."""
    base = make_project(tmp_path, 4)  # ids 1..8
    moved = base.annotations[8]
    base.remove_annotation(8)
    base.app.pop(LAST_ANNOTATION_ID)
    top = ID_MAX - 3 * ID_RANGE  # the lead's range and two annotators' end at ID_MAX
    base.add_annotation(box_annotation(top, moved.image_id, moved.category_id, [1, 1, 4, 4]))
    with pytest.raises(SplitError, match=f"object ids reach {top}: no room for 3 annotators"):
        split_project(base, ["a", "b", "c"], overlap=0.0, seed=1)
    result = split_project(base, ["a", "b"], overlap=0.0, seed=1)
    for name, shard in result.shards.items():
        save_project(shard, tmp_path / f"{name}.json")
        assert load_project(tmp_path / f"{name}.json").next_annotation_id() <= ID_MAX
