"""Objects a merge left out (its report's left_out_objects) come back into the merged project: with new
ids, their class (by name; created when the project lacks it), their author, as one edit; with ``replace``
each takes the place of the object of its id, a locked object never removed. Another project's report is
refused; an object whose image is missing or of another size is skipped and said."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_restore import RestoreRefused, left_out_reasons, restore_left_out
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.object_lock import with_locked
from pixelproof.core.split import split_project
from tests.core.teams_data import box_annotation, make_project


def _shapes(project: Project, image_id: int) -> list[tuple]:
    cats = {c.id: c.name for c in project.categories.values()}
    return sorted((cats[a.category_id], a.bbox, a.author or "") for a in project.annotations_of(image_id))


def _outsider_merge(tmp_path: Path) -> tuple[Project, dict, ImageRecord, int]:
    """bob labels one of ann's images outside his shard: the merge keeps ann's (the base's) version and
    leaves bob's box out. Returns the merged project, the report, the image and bob's box's id."""
    base = make_project(tmp_path, 12)
    save_project(base)
    split = split_project(base, ["ann", "bob"], overlap=0.0, seed=3)
    shards = {n: load_project(save_project(s, tmp_path / f"{n}.json")) for n, s in split.shards.items()}
    theirs = next(iter(shards["ann"].images.values()))
    bob = shards["bob"]
    new_id = bob.next_image_id()
    bob.add_image(ImageRecord(new_id, theirs.file_name, theirs.width, theirs.height))
    drawn = box_annotation(bob.next_annotation_id(), new_id, 2, [3, 3, 7, 7], author="bob")
    bob.add_annotation(drawn)
    result = merge_shards([Shard.of(p, n) for n, p in shards.items()], base=load_project(base.path))
    assert [c.type for c in result.conflicts] == ["edited_outside_shard"]
    merged = result.project
    return merged, copy.deepcopy(result.report()), merged.image_by_file_name(theirs.file_name), drawn.id


def test_an_outsiders_left_out_box_comes_back_with_a_new_id_its_class_and_author(tmp_path: Path) -> None:
    merged, report, image, _ = _outsider_merge(tmp_path)
    [row] = report["left_out_objects"]
    assert row["category"] == "dog" and row["image_size"] == [image.width, image.height]
    before = _shapes(merged, image.id)
    ids_before = set(merged.annotations)
    done = restore_left_out(merged, report, "merged.merge-report.json")
    assert done.skipped == [] and done.created == [] and done.removed == []
    label = "Restore 1 left-out object from merged.merge-report.json (bob 1)"
    assert done.edit is not None and done.edit.label == label
    done.edit.apply(merged)
    [back] = [a for a in merged.annotations.values() if a.id not in ids_before]
    assert back.id > max(ids_before)  # a new id, never the shard's
    assert back.image_id == image.id and back.bbox == [3.0, 3.0, 7.0, 7.0]
    assert merged.categories[back.category_id].name == "dog" and back.author == "bob"
    assert _shapes(merged, image.id) == sorted([*before, ("dog", [3.0, 3.0, 7.0, 7.0], "bob")])
    done.edit.revert(merged)  # one edit: one undo step takes it all back
    assert set(merged.annotations) == ids_before


def test_a_class_the_project_lacks_is_created_and_selectors_narrow(tmp_path: Path) -> None:
    merged, report, image, _ = _outsider_merge(tmp_path)
    report["left_out_objects"][0]["category"] = "zebra"  # the lead deleted the class since
    with pytest.raises(RestoreRefused, match=r"r\.json: no left-out object of shard 'ann' \(shards: bob\)"):
        restore_left_out(merged, report, "r.json", shards=["ann"])
    with pytest.raises(RestoreRefused, match="no left-out object on an image 'nope/\\*' names"):
        restore_left_out(merged, report, "r.json", images=["nope/*"])
    done = restore_left_out(merged, report, "r.json", shards=["bob"], images=[image.file_name])
    assert done.created == ["zebra"]
    done.edit.apply(merged)  # type: ignore[union-attr]
    zebra = merged.category_by_name("zebra")
    assert zebra is not None and [a.category_id for a in done.objects] == [zebra.id]
    done.edit.revert(merged)  # type: ignore[union-attr]
    assert merged.category_by_name("zebra") is None


def test_another_projects_report_is_refused_and_missing_or_mis_sized_images_are_skipped(
    tmp_path: Path,
) -> None:
    merged, report, image, _ = _outsider_merge(tmp_path)
    other = make_project(tmp_path, 3, name="other.json", prefix="other")
    with pytest.raises(
        RestoreRefused, match=r"r\.json: none of the images of its left-out objects \(images/img"
    ):
        restore_left_out(other, report, "r.json")
    with pytest.raises(RestoreRefused, match="not a merge report"):
        restore_left_out(merged, {"conflicts": []}, "r.json")
    row = report["left_out_objects"][0]
    report["left_out_objects"] += [
        dict(row, file_name="images/gone.png"),
        dict(row, image_size=[image.width * 2, image.height]),
        dict(row, bbox="wide"),
    ]
    done = restore_left_out(merged, report, "r.json")
    assert len(done.objects) == 1
    assert done.skipped[0] == "r.json: left_out_objects[1]: images/gone.png: no such image in the project"
    assert done.skipped[1] == (
        f"r.json: left_out_objects[2]: {image.file_name}: drawn on a copy of "
        f"{image.width * 2}x{image.height}, the project's image is {image.width}x{image.height}"
    )
    assert done.skipped[2] == "r.json: left_out_objects[3].bbox: expected a list of 4 numbers, got a string"


def _base_edited_merge(tmp_path: Path, lock: bool) -> tuple[Project, dict, int, list[int]]:
    """The lead changed an image's objects since the split (reclassified one; ``lock``: and locked it)
    and its annotator moved them: the shard's version is kept, the base's objects it replaces left out."""
    base = make_project(tmp_path, 8)
    save_project(base)
    split = split_project(base, ["ann", "bob"], overlap=0.0, seed=1)
    shards = {n: load_project(save_project(s, tmp_path / f"{n}.json")) for n, s in split.shards.items()}
    ann = shards["ann"]
    iid = next(iter(ann.images))
    a, b = ann.annotations_of(iid)
    for x in (a, b):  # the annotator moves both objects
        ann.replace_annotation(replace(x, bbox=[x.bbox[0] + 1, *x.bbox[1:]], author="ann"))
    save_project(ann)
    lead = load_project(base.path)
    la = lead.annotations[a.id]
    other = next(c for c in lead.categories if c != la.category_id)
    la = replace(la, category_id=other)
    lead.replace_annotation(with_locked(la, True) if lock else la)
    save_project(lead)
    result = merge_shards(
        [Shard.of(load_project(p.path), n) for n, p in shards.items()], base=load_project(base.path)
    )
    return result.project, copy.deepcopy(result.report()), iid, [a.id, b.id]


def test_replace_gives_back_the_bases_version_of_an_image(tmp_path: Path) -> None:
    merged, report, iid, ids = _base_edited_merge(tmp_path, lock=False)
    assert [c["type"] for c in report["conflicts"]] == ["edited_in_base_and_shard"]
    assert sorted(r["id"] for r in report["left_out_objects"]) == sorted(ids)
    base = load_project(tmp_path / "project.json")
    done = restore_left_out(merged, report, "r.json", shards=["base"], replace=True)
    assert sorted(done.removed) == sorted(ids) and done.locked == []
    done.edit.apply(merged)  # type: ignore[union-attr]
    assert _shapes(merged, iid) == _shapes(base, iid)  # the lead's version, as it was
    assert not set(ids) & {a.id for a in merged.annotations_of(iid)}  # new ids


def test_replace_never_removes_a_locked_object(tmp_path: Path) -> None:
    merged, report, _, ids = _base_edited_merge(tmp_path, lock=True)
    locked_id = ids[0]
    # the base's locked object is kept over the shard's version of it, that one left out
    assert {c["type"] for c in report["conflicts"]} >= {"locked_in_base"}
    rows = [r for r in report["left_out_objects"] if r["shard"] == "ann"]
    assert [r["id"] for r in rows] == [locked_id]
    done = restore_left_out(merged, report, "r.json", shards=["ann"], replace=True)
    assert done.locked == [locked_id] and done.removed == []
    done.edit.apply(merged)  # type: ignore[union-attr]
    assert locked_id in merged.annotations
    assert [a.bbox for a in done.objects] == [rows[0]["bbox"]]


def test_each_left_out_object_says_why_from_the_conflict_of_its_image(tmp_path: Path) -> None:
    """The rows record no reason: the app's list of them takes it from the conflict that left them out."""
    _, report, _, _ = _outsider_merge(tmp_path)
    assert left_out_reasons(report) == ["the image was not dealt to bob"]
    for folder in ("b", "c"):
        (tmp_path / folder).mkdir()
    _, locked, _, ids = _base_edited_merge(tmp_path / "c", lock=True)
    keys = [(r["shard"], r["id"]) for r in locked["left_out_objects"]]
    why = dict(zip(keys, left_out_reasons(locked), strict=True))
    assert why[("ann", ids[0])] == "ann changed an object locked in the base"
    _, report, _, _ = _base_edited_merge(tmp_path / "b", lock=False)
    assert left_out_reasons(report) == ["the base's, replaced by ann's version"] * 2
    row = dict(report["left_out_objects"][0], shard="cy")  # a shard no conflict of its image names
    report["left_out_objects"] += [row, "junk"]
    assert left_out_reasons(report)[2:] == ["", ""]
    assert left_out_reasons({"conflicts": []}) == []
