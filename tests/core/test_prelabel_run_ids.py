"""The record of the last "Pre-label all" (``pixelproof.prelabel_run``) names images by id: every operation
that renumbers, drops or moves images keeps it right (``core.run_ids``): renumber maps its ids (a resume
runs only the images not done), removing an image takes it out (its id, reused, never counts as done),
shards hold none, a merge keeps the base's in the merged ids and leaves a shard's out. No Qt."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits.images import AddImages
from pixelproof.core.edits.prelabel_choice import ONLY_EXISTING
from pixelproof.core.edits.prelabel_run import RUN, MarkPrelabeled, RunMark, plan_run
from pixelproof.core.image_maps import written_app
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import ImageRecord
from pixelproof.core.renumber import check_renumberable, renumber
from pixelproof.core.split import split_project, subset
from tests.core.teams_data import make_project

INPUTS = {"--backend": "onnx", "--model": "sha256:aa"}


def _record(images: list[int], done: list[int], run: str = "r1") -> dict:
    return {"run": run, "inputs": dict(INPUTS), "images": images, "done": done}


def test_renumber_maps_the_record_and_a_resume_runs_only_the_images_not_done(tmp_path: Path) -> None:
    p = make_project(tmp_path, 3)
    for old, new in ((1, 100), (2, 7), (3, 50)):  # ids out of order: renumbering changes each
        im = p.images.pop(old)
        for a in p.annotations_of(old):
            a.image_id = new
        im.id = new
        p.images[new] = im
    save_project(p)
    p = load_project(p.path)
    order = list(p.images)  # file order: the new ids are 1..3 in it
    p.app[RUN] = _record([*order, 999], [order[0], 999])  # 999: an image no longer in the project
    p.app[ONLY_EXISTING] = True
    assert check_renumberable(p) == []
    done = renumber(p)
    assert done.project.app[RUN] == _record([1, 2, 3], [1])
    assert done.project.app[ONLY_EXISTING] is True
    assert done.removed[f"pixelproof.{RUN}"] == 2  # 999 asked and done: it names nothing now
    plan = plan_run(done.project, [1, 2, 3], dict(INPUTS), "t2")
    assert (plan.todo, plan.done, plan.mark.run) == ([2, 3], 1, "r1")
    save_project(done.project, tmp_path / "new.json")
    again = renumber(load_project(tmp_path / "new.json"))  # a second renumber changes nothing
    assert not again.ids_changed and not again.removed and again.project.app[RUN] == _record([1, 2, 3], [1])


def test_a_record_not_of_the_apps_shape_is_dropped_by_renumber_not_refused(tmp_path: Path) -> None:
    p = make_project(tmp_path, 2)
    p.app[RUN] = {"run": "r", "images": "all"}
    done = renumber(p)
    assert RUN not in done.project.app and done.removed[f"pixelproof.{RUN}"] == 1


def test_removing_an_image_takes_it_out_and_an_id_reused_is_not_done(tmp_path: Path) -> None:
    p = make_project(tmp_path, 4)
    mark = RunMark("r1", INPUTS, (1, 2, 3, 4))
    MarkPrelabeled(mark, [1, 2]).apply(p)
    add = AddImages([ImageRecord(5, "images/new.png", 64, 64)])
    add.apply(p)
    add.revert(p)  # an add undone removes the image: never in the record, untouched
    assert p.app[RUN]["images"] == [1, 2, 3, 4]
    p.remove_image(2)
    assert (p.app[RUN]["images"], p.app[RUN]["done"]) == ([1, 3, 4], [1])
    # a file whose record still names a removed image (hand-edited, older): an image taking that id
    p.app[RUN] = _record([1, 2, 3, 4], [1, 2])
    before = dict(p.app[RUN])
    add = AddImages([ImageRecord(2, "images/other.png", 64, 64)])
    add.apply(p)
    plan = plan_run(p, [1, 2, 3, 4], dict(INPUTS), "t2")
    assert (plan.todo, plan.done) == ([2, 3, 4], 1)  # the new image 2 is not done
    order = list(p.app)
    add.revert(p)  # the undo puts the record back exactly, in its place
    assert p.app[RUN] == before and list(p.app) == order
    p.app[RUN] = _record([1, 3, 4], [1])
    for i in (1, 3, 4):
        p.remove_image(i)
    assert RUN not in p.app  # no image asked is left: the record goes


def test_shards_hold_no_record_and_a_merge_keeps_the_bases_only(tmp_path: Path) -> None:
    p = make_project(tmp_path, 6)
    p.app[RUN] = _record([1, 2, 3, 4, 5, 6], [1, 2, 3])
    save_project(p)
    base = load_project(p.path)
    result = split_project(base, ["ann", "bob"], seed=1)
    assert all(RUN not in s.app for s in result.shards.values())
    assert base.app[RUN] == _record([1, 2, 3, 4, 5, 6], [1, 2, 3])  # the project keeps its
    ann = result.shards["ann"]
    ann.app[RUN] = _record(sorted(ann.images), [], run="in-shard")  # a run started in the shard
    shards = [Shard.of(s, n) for n, s in result.shards.items()]
    merged = merge_shards(shards, base=base)
    assert merged.project.app[RUN] == _record([1, 2, 3, 4, 5, 6], [1, 2, 3])
    assert merged.stats["prelabel_runs_dropped"] == 1
    plan = plan_run(merged.project, list(merged.project.images), dict(INPUTS), "t2")
    assert (sorted(plan.todo), plan.done) == ([4, 5, 6], 3)
    alone = merge_shards(shards)  # no base: ids are the merge's own, the run no file's
    assert RUN not in alone.project.app and alone.stats["prelabel_runs_dropped"] == 1


def test_a_subset_or_an_export_keeps_its_images_part_of_the_record(tmp_path: Path) -> None:
    p = make_project(tmp_path, 4)
    p.app[RUN] = _record([1, 2, 3, 4], [1, 3])
    part = subset(p, [3, 4])
    assert part.app[RUN] == _record([3, 4], [3])
    assert p.app[RUN] == _record([1, 2, 3, 4], [1, 3])
    assert written_app(part)[RUN] == _record([3, 4], [3])
    part.images.pop(4)  # an export leaving image 4 out
    assert written_app(part)[RUN] == _record([3], [3])
    assert subset(p, [2]).app[RUN] == _record([2], [])
