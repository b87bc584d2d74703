"""An overlap image's object dealt out to two annotators and changed by one is one object, merged with or
without a base: without ``--into`` the merge took the changed copy for a new object whose id collided
(``annotation_id_collision``, exit 3), where ``--into`` reported nothing. Each shard records the ids dealt out
on its images (``stacking_at_split``), so the merge without a base keeps what ``--into`` keeps: the same
versions, the same ids dealt out, the same conflicts (core, no Qt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import MergeResult, Shard, merge_shards
from pixelproof.core.model import Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.split import split_project
from tests.core.teams_data import box_annotation, make_project


def _split(tmp_path: Path, per_image: int) -> tuple[Project, dict[str, Project], int, list[str]]:
    """The base, saved, with ``per_image`` objects on each image, and the shards of ann, bob and cy as
    saved: one overlap image's id and its two annotators."""
    base = make_project(tmp_path, 6)
    if per_image == 1:  # an object alone on its image: the split recorded no order for it
        for i in base.images:
            base.remove_annotation(base.annotation_ids_of(i)[-1])
    save_project(base)
    split = split_project(base, ["ann", "bob", "cy"], overlap=0.4, seed=0)
    shards = {n: load_project(save_project(s, tmp_path / f"{n}.json")) for n, s in split.shards.items()}
    name, who = sorted(split.overlap.items())[0]
    image = next(i for i, im in base.images.items() if im.file_name == name)
    return base, shards, image, who


def _merge(shards: dict[str, Project], base: Project | None) -> MergeResult:
    return merge_shards([Shard.of(s, n) for n, s in shards.items()], base=base)


def _outcome(result: MergeResult, dealt: set[int]) -> tuple[list, dict]:
    """What must not depend on ``--into``: each conflict (type, image, old id) and each image's objects
    (annotator, class, box, and the id when it is one dealt out, which no renumbering may take)."""
    conflicts = sorted((c.type, c.file_name or "", c.data.get("old_id", 0)) for c in result.conflicts)
    p = result.project
    names = {c.id: c.name for c in p.categories.values()}
    images = {
        im.file_name: sorted(
            (
                str(a.app_extra.get(ANNOTATOR_KEY)),
                names[a.category_id],
                a.bbox,
                a.id if a.id in dealt else 0,
            )
            for a in p.annotations_of(im.id)
        )
        for im in p.images.values()
    }
    return conflicts, images


def _edit(shards: dict[str, Project], who: list[str], image: int, case: str) -> int:
    """Change the overlap image in its annotators' shards as ``case`` says; the object dealt out concerned."""
    one, two = shards[who[0]], shards[who[1]]
    first = one.annotation_ids_of(image)[0]
    if case in ("one edits", "both edit"):
        one.annotations[first].set_geometry(None, [2.0, 2.0, 9.0, 9.0], 81.0)
    if case == "both edit":  # the same object, each elsewhere
        two.annotations[first].set_geometry(None, [4.0, 4.0, 9.0, 9.0], 81.0)
    if case == "both add":  # new objects of one id (a shard made otherwise, one that outgrew its range)
        one.add_annotation(box_annotation(900, image, 2, [30, 30, 6, 6]))
        two.add_annotation(box_annotation(900, image, 2, [20, 20, 5, 5]))
    if case == "one deletes":
        one.remove_annotation(first)
    return first


@pytest.mark.parametrize("per_image", [1, 2])
@pytest.mark.parametrize("case", ["one edits", "both edit", "both add", "one deletes"])
def test_merging_without_a_base_keeps_what_merging_into_it_keeps(
    tmp_path: Path, per_image: int, case: str
) -> None:
    base, shards, image, who = _split(tmp_path, per_image)
    first = _edit(shards, who, image, case)
    dealt = set(base.annotations)
    into = _outcome(_merge(shards, load_project(base.path)), dealt)
    alone = _merge(shards, None)
    assert _outcome(alone, dealt) == into
    collisions = [c.data["old_id"] for c in alone.conflicts if c.type == "annotation_id_collision"]
    assert collisions == ([900] if case == "both add" else [])  # a true collision is still reported
    held = {a.id: a.app_extra[ANNOTATOR_KEY] for a in alone.project.annotations_of(image) if a.id in dealt}
    # the object dealt out keeps its id in the first version holding it (ann's before bob's); its copy in
    # the other takes a new one, said nowhere: as ``--into``
    assert held[first] == (who[1] if case == "one deletes" else who[0])
    if case in ("one edits", "both edit"):
        moved = alone.project.annotations[first]
        assert moved.bbox == [2.0, 2.0, 9.0, 9.0]


def test_a_shard_of_an_earlier_split_that_records_no_ids_is_merged_as_before(tmp_path: Path) -> None:
    """A split before 2026-12-07 recorded the order of images of two objects or more only: an object
    alone on its image, changed in one shard, is still taken for a new one whose id collides (reported)."""
    base, shards, image, who = _split(tmp_path, 1)
    first = _edit(shards, who, image, "one edits")
    for shard in shards.values():
        record = shard.app["shard"]["stacking_at_split"]
        shard.app["shard"]["stacking_at_split"] = {k: v for k, v in record.items() if len(v) > 1}
    alone = _merge(shards, None)
    assert [c.data["old_id"] for c in alone.conflicts if c.type == "annotation_id_collision"] == [first]
    assert not _merge(shards, load_project(base.path)).conflicts


def test_shards_of_two_splits_do_not_take_each_others_ids_for_one_object(tmp_path: Path) -> None:
    """The ids a split records name its own project's objects: shards of two splits (no manifest) may come
    from two projects whose object 7 is another object, so their copies are not taken for one."""
    _, shards, image, who = _split(tmp_path, 1)
    first = _edit(shards, who, image, "both edit")
    shards[who[1]].app["shard"]["split"] = "another"
    alone = _merge({n: shards[n] for n in who}, None)
    kinds = [(c.type, c.data.get("old_id")) for c in alone.conflicts]
    assert kinds == [("edited_in_two_shards", None), ("annotation_id_collision", first)]


def test_split_records_the_object_of_an_image_holding_one(tmp_path: Path) -> None:
    _, shards, image, who = _split(tmp_path, 1)
    for name in who:
        record = shards[name].app["shard"]["stacking_at_split"]
        assert record[str(image)] == shards[name].annotation_ids_of(image)
