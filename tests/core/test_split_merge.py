"""Split -> edit in each shard -> merge: the union of the edits; seeded conflicts reported by type."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_image import content_key
from pixelproof.core.model import Category, ImageRecord, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.split import SplitError, copy_annotation, image_key, split_project, subset
from tests.core.teams_data import box_annotation, disc, make_project, mask_annotation


def _contents(project: Project, image_id: int) -> Counter[bytes]:
    cats = {c.id: c.name for c in project.categories.values()}
    return Counter(content_key(a, cats[a.category_id]) for a in project.annotations_of(image_id))


def _by_key(project: Project) -> dict[str, int]:
    return {image_key(project, im): im.id for im in project.images.values()}


def test_split_is_deterministic_and_covers_every_image_once_except_overlap(tmp_path: Path) -> None:
    project = make_project(tmp_path, 40)
    a = split_project(project, ["ann", "bob", "cy"], overlap=0.25, seed=7)
    b = split_project(project, ["ann", "bob", "cy"], overlap=0.25, seed=7)
    c = split_project(project, ["ann", "bob", "cy"], overlap=0.25, seed=8)
    assert a.manifest == b.manifest
    assert a.manifest["assignments"] != c.manifest["assignments"]
    seen = Counter(im.file_name for s in a.shards.values() for im in s.images.values())
    assert set(seen) == {im.file_name for im in project.images.values()}
    assert {n for n, k in seen.items() if k > 1} == set(a.overlap) and len(a.overlap) == 10
    assert all(k == 2 for k in seen.values() if k > 1)
    sizes = sorted(len(s.images) for s in a.shards.values())
    assert sizes[-1] - sizes[0] <= 1  # balanced
    for name, shard in a.shards.items():
        info = shard.app["shard"]
        assert (info["annotator"], info["split"]) == (name, a.manifest["split"])
        assert set(info["at_split"]) == {str(i) for i in shard.images}  # what each image held
        assert shard.categories == project.categories
        for im in shard.images.values():  # same objects as the project on each image
            assert _contents(shard, im.id) == _contents(project, im.id)


def test_split_rejects_bad_input(tmp_path: Path) -> None:
    project = make_project(tmp_path, 4)
    with pytest.raises(SplitError, match="annotator name"):
        split_project(project, ["../evil"])
    with pytest.raises(SplitError, match=r"'a b' holds a space: use letters, digits"):
        split_project(project, ["ann", "a b"])
    with pytest.raises(SplitError, match="twice"):
        split_project(project, ["a", "a"])
    with pytest.raises(SplitError, match="overlap"):
        split_project(project, ["a", "b"], overlap=float("nan"))
    with pytest.raises(SplitError, match="two annotators"):
        split_project(project, ["a"], overlap=0.5)


def test_honeypots_are_in_every_shard_unlabelled_and_left_out_of_merge(tmp_path: Path) -> None:
    project = make_project(tmp_path, 30)
    (tmp_path / "ref").mkdir()
    reference = make_project(tmp_path / "ref", 10, prefix="gold")
    result = split_project(
        project, ["a", "b"], overlap=0.0, honeypots=reference, honeypot_fraction=0.2, seed=1
    )
    hp = result.honeypots
    assert len(hp) == 4  # 20 % of a 15-image shard is ~3.75 honeypots among 19 images
    for shard in result.shards.values():
        names = {im.file_name for im in shard.images.values()}
        assert set(hp) <= names
        for im in shard.images.values():
            if im.file_name in hp:
                assert not shard.annotations_of(im.id)  # unlabelled
                assert im.file_name.startswith("ref/images/gold")  # relative to the project folder
        # (the files dealt out are named in full: this test's folder, named after it, is no mark)
        assert "honeypot" not in repr(shard.app).replace(str(tmp_path), "")
    shards = [Shard.of(s, n) for n, s in result.shards.items()]
    merged = merge_shards(shards, base=project, manifest=result.manifest)
    assert sorted(merged.honeypots_left_out) == sorted(hp)
    assert not any(im.file_name in hp for im in merged.project.images.values())
    assert merged.conflicts == []


def _plain(project: Project, image_id: int) -> Counter[bytes]:
    """Contents of an image with authors left out (merge sets them; checked apart)."""
    cats = {c.id: c.name for c in project.categories.values()}
    return Counter(
        content_key(copy_annotation(a, author=None), cats[a.category_id])
        for a in project.annotations_of(image_id)
    )


def test_round_trip_split_edit_merge_equals_union_of_edits(tmp_path: Path) -> None:
    base = make_project(tmp_path, 24)
    save_project(base)
    result = split_project(base, ["ann", "bob", "cy"], overlap=0.25, seed=3)
    out = tmp_path / "shards"
    out.mkdir()
    for name, shard in result.shards.items():
        save_project(shard, out / f"{name}.json")
    shards = {n: load_project(out / f"{n}.json") for n in result.shards}
    keys = _by_key(base)
    overlap_keys = {image_key(base, base.image_by_file_name(n)) for n in result.overlap}

    def own(name: str) -> list[ImageRecord]:
        s = shards[name]
        return [im for im in s.images.values() if image_key(s, im) not in overlap_keys]

    # ann adds an object, bob changes a class, cy deletes one object and moves another
    a_img = own("ann")[0]
    shards["ann"].add_annotation(
        mask_annotation(shards["ann"].next_annotation_id(), a_img.id, 2, disc(10, 30, 5))
    )
    b_obj = shards["bob"].annotations_of(own("bob")[0].id)[0]
    b_obj.category_id = b_obj.category_id % 3 + 1
    c_img, c_img2 = own("cy")[:2]
    shards["cy"].remove_annotation(shards["cy"].annotations_of(c_img.id)[0].id)
    shards["cy"].annotations_of(c_img2.id)[-1].set_geometry(None, [1.0, 2.0, 10.0, 10.0], 100.0)
    # both annotators of an overlap image add an object of their own there
    ov_name, ov_who = next(iter(result.overlap.items()))
    ov_key = image_key(base, base.image_by_file_name(ov_name))
    for who in ov_who:
        s = shards[who]
        im = next(i for i in s.images.values() if image_key(s, i) == ov_key)
        s.add_annotation(box_annotation(s.next_annotation_id(), im.id, 1, [5, 5, 9, 9]))
    expected = {iid: _plain(base, iid) for iid in base.images}
    for s in shards.values():
        for im in s.images.values():
            if image_key(s, im) not in overlap_keys:
                expected[keys[image_key(s, im)]] = _plain(s, im.id)
    for s in shards.values():
        save_project(s)
    loaded = [Shard.of(load_project(out / f"{n}.json"), n) for n in result.shards]

    merged_result = merge_shards(loaded, base=load_project(base.path), manifest=result.manifest)
    merged = merged_result.project
    assert set(merged.images) == set(base.images)
    ov_id = keys[ov_key]
    overlap_ids = {keys[k] for k in overlap_keys}
    for iid, want in expected.items():
        if iid not in overlap_ids:
            assert _plain(merged, iid) == want, merged.images[iid].file_name
    # added or changed objects carry their annotator as author; untouched ones keep theirs (none)
    authors = Counter(a.author for a in merged.annotations.values() if a.image_id not in overlap_ids)
    assert authors == Counter({None: 2 * (24 - len(overlap_ids)) - 2 - 1, "ann": 1, "bob": 1, "cy": 1})
    # every overlap image keeps each annotator's version side by side, tagged with their name, those
    # left as they were too (each is a rating: agreement counts it)
    tags = Counter(a.app_extra.get(ANNOTATOR_KEY) for a in merged.annotations_of(ov_id))
    assert tags == Counter({who: 3 for who in ov_who})
    mcats = {c.id: c.name for c in merged.categories.values()}
    bcats = {c.id: c.name for c in base.categories.values()}
    for name, who in result.overlap.items():
        iid = keys[image_key(base, base.image_by_file_name(name))]
        for rater in who:
            version = [a for a in merged.annotations_of(iid) if a.app_extra.get(ANNOTATOR_KEY) == rater]
            untagged = Counter(
                content_key(copy_annotation(a, author=None, id=0, app_extra={}), mcats[a.category_id])
                for a in version
            )
            if iid != ov_id:
                assert untagged == Counter(
                    content_key(copy_annotation(a, id=0), bcats[a.category_id])
                    for a in base.annotations_of(iid)
                )
    want = {n: sorted(w) for n, w in result.overlap.items()}
    assert {n: sorted(w) for n, w in merged_result.overlap_images.items()} == want
    listed = {merged.images[int(i)].file_name: sorted(w) for i, w in merged.app["overlap_annotators"].items()}
    assert listed == want
    # each shard's new objects took ids from its own range (split): none is renumbered or reported
    assert merged_result.conflicts == []
    base_max = max(base.annotations)
    new_ids = {a.id for s in loaded for a in s.project.annotations.values() if a.id > base_max}
    assert len(new_ids) == 3 and new_ids <= set(merged.annotations)


def test_an_image_listed_twice_under_two_ids_stays_two_images(tmp_path: Path) -> None:
    """A project may list one file under two ids (two records, each with its own objects). Keyed by the
    path alone they were one image: merging into that project raised ValueError('image id ... already
    exists'). Each record is merged with its own version, whichever shard holds it."""
    base = make_project(tmp_path, 6)
    twin = base.images[2]
    base.add_image(ImageRecord(100, twin.file_name, twin.width, twin.height))
    base.add_annotation(box_annotation(100, 100, 1, [1, 1, 5, 5]))
    save_project(base)
    result = split_project(base, ["ann", "bob"], seed=0)
    shards = {n: load_project(save_project(s, tmp_path / f"{n}.json")) for n, s in result.shards.items()}
    holder = next(s for s in shards.values() if 100 in s.images)
    holder.annotations_of(100)[0].set_geometry(None, [2.0, 2.0, 6.0, 6.0], 36.0)
    loaded = [Shard.of(p, n) for n, p in shards.items()]
    merged_result = merge_shards(loaded, base=load_project(base.path), manifest=result.manifest)
    merged = merged_result.project
    assert set(merged.images) == set(base.images)
    assert merged_result.conflicts == []
    assert [a.bbox for a in merged.annotations_of(100)] == [[2.0, 2.0, 6.0, 6.0]]
    assert _contents(merged, 2) == _contents(base, 2)


def test_seeded_conflicts_are_each_reported_with_their_type(tmp_path: Path) -> None:
    base = make_project(tmp_path, 6)
    one = subset(base, [1, 2, 3, 4])
    two = subset(base, [3, 4, 5, 6])
    one.app["shard"] = {"annotator": "ann"}
    two.app["shard"] = {"annotator": "bob"}
    # image 3 edited in both (not an overlap image)
    one.add_annotation(box_annotation(100, 3, 1, [1, 1, 5, 5]))
    two.add_annotation(box_annotation(100, 3, 2, [30, 30, 5, 5]))  # also collides with ann's id 100
    # bob renamed "bird" (id 3) to "parrot" and added "fish"
    two.categories[3].name = "parrot"
    two.add_category(Category(4, "fish"))
    two.add_annotation(box_annotation(101, 5, 4, [2, 2, 4, 4]))
    # image 4 has another size in ann's copy
    one.images[4].width = 99
    result = merge_shards([Shard.of(one, "one"), Shard.of(two, "two")], base=base)
    types = Counter(c.type for c in result.conflicts)
    assert types["edited_in_two_shards"] == 1
    assert types["category_renamed"] == 1 and types["category_added"] == 1
    # bob has no "bird" because he renamed it: said once, as category_renamed (its message names both);
    # a category_missing for "bird" as well said the same thing twice
    assert types["category_missing"] == 0
    assert types["image_size_mismatch"] == 1
    assert types["annotation_id_collision"] >= 1
    by_type = {c.type: c for c in result.conflicts}
    assert by_type["edited_in_two_shards"].shards == ["ann", "bob"]
    assert by_type["category_renamed"].data == {"category_id": 3, "name": "parrot", "expected": "bird"}
    assert by_type["image_size_mismatch"].file_name.endswith("img004.png")
    # nothing lost: ann's objects on the mis-sized image are in the report, both versions of image 3 kept
    assert {d["id"] for d in result.left_out} == {a.id for a in one.annotations_of(4)}
    names = {c.name for c in result.project.categories.values()}
    assert names == {"cat", "dog", "bird", "parrot", "fish"}
    merged3 = result.project.annotations_of(3)
    assert {a.app_extra[ANNOTATOR_KEY] for a in merged3} == {"ann", "bob"}
    assert len({a.id for a in result.project.annotations.values()}) == len(result.project.annotations)
    report = result.report()
    assert report["conflict_counts"]["edited_in_two_shards"] == 1


def test_merge_into_an_open_project_is_one_undoable_edit(tmp_path: Path) -> None:
    from pixelproof.core.coco import dumps_project
    from pixelproof.core.coco_dump import project_to_dict
    from pixelproof.core.edits.images import RecordTime
    from pixelproof.core.merge_edit import merge_edit

    base = make_project(tmp_path, 6)
    one = subset(base, [1, 2, 3])
    two = subset(base, [4, 5, 6])
    one.add_annotation(box_annotation(200, 1, 2, [1, 1, 5, 5]))
    two.remove_annotation(two.annotations_of(5)[0].id)
    two.add_category(Category(4, "fish"))
    two.add_image(ImageRecord(7, "images/new.png", 64, 48))
    two.add_annotation(box_annotation(201, 7, 4, [2, 2, 4, 4]))
    two.set_image_status(6, "done")
    RecordTime(4, "zed", 5.0).apply(base)  # recorded before the split: in the base and in two
    RecordTime(4, "zed", 5.0).apply(two)
    RecordTime(4, "bob", 3.0).apply(two)
    RecordTime(2, "ann", 30.0).apply(one)
    RecordTime(7, "bob", 12.0).apply(two)  # a new image
    result = merge_shards([Shard.of(one, "ann"), Shard.of(two, "bob")], base=base)
    before = dumps_project(base)
    edit = merge_edit(base, result)
    edit.apply(base)
    want, got = project_to_dict(result.project), project_to_dict(base)
    for key in ("images", "categories"):
        assert got[key] == want[key]
    assert sorted(got["annotations"], key=lambda a: a["id"]) == sorted(
        want["annotations"], key=lambda a: a["id"]
    )
    assert base.image_status(6) == "done"
    # the time spent per image and author, as `pixelproof merge` writes it (the same merged figures)
    assert got["pixelproof"]["time_spent"] == want["pixelproof"]["time_spent"]
    assert base.app["time_spent"] == {"2": {"ann": 30.0}, "4": {"zed": 5.0, "bob": 3.0}, "7": {"bob": 12.0}}
    edit.revert(base)
    assert dumps_project(base) == before


def test_record_time_adds_per_author_and_reverts_exactly(tmp_path: Path) -> None:
    from pixelproof.core.coco import dumps_project
    from pixelproof.core.edits.images import RecordTime

    p = make_project(tmp_path, 2)
    before = dumps_project(p)
    first = RecordTime(1, "ann", 12.5)
    first.apply(p)
    second = RecordTime(1, "ann", 2.0)
    second.apply(p)
    RecordTime(2, "bob", 3.0).apply(p)
    assert p.app["time_spent"] == {"1": {"ann": 14.5}, "2": {"bob": 3.0}}
    with pytest.raises(ValueError):
        RecordTime(9, "ann", 1.0).apply(p)
    p.app["time_spent"].pop("2")
    second.revert(p)
    assert p.app["time_spent"] == {"1": {"ann": 12.5}}
    first.revert(p)
    assert dumps_project(p) == before


def test_merge_into_an_open_project_brings_who_labelled_each_overlap_image(tmp_path: Path) -> None:
    from pixelproof.core.coco import dumps_project
    from pixelproof.core.merge_edit import merge_edit

    base = make_project(tmp_path, 4)
    one, two = subset(base, [1, 2, 3]), subset(base, [2, 3, 4])
    for p, name in ((one, "ann"), (two, "bob")):
        p.app["shard"] = {"annotator": name, "split": "s1"}
    one.add_annotation(box_annotation(300, 2, 1, [1, 1, 5, 5]))  # only ann adds one on image 2
    result = merge_shards([Shard.of(one, "ann"), Shard.of(two, "bob")], base=base)
    assert result.project.app["overlap_annotators"] == {"2": ["ann", "bob"], "3": ["ann", "bob"]}
    before = dumps_project(base)
    edit = merge_edit(base, result)
    edit.apply(base)
    assert base.app["overlap_annotators"] == result.project.app["overlap_annotators"]
    assert Counter(a.app_extra.get(ANNOTATOR_KEY) for a in base.annotations_of(3)) == {"ann": 2, "bob": 2}
    edit.revert(base)
    assert dumps_project(base) == before


def test_a_subset_keeps_the_per_image_entries_of_its_images_only(tmp_path: Path) -> None:
    base = make_project(tmp_path, 4)
    base.app["overlap_annotators"] = {"1": ["ann", "bob"], "3": ["ann", "bob"]}
    base.app["consensus"] = {"1": "staple", "3": "majority"}
    base.app["image_review"] = {"3": {"review": "accepted"}}
    base.set_image_status(3, "done")
    part = subset(base, [2, 3])
    assert part.app["overlap_annotators"] == {"3": ["ann", "bob"]}
    assert part.app["consensus"] == {"3": "majority"}
    assert part.app["image_review"] == {"3": {"review": "accepted"}}
    assert part.app["image_status"] == {"3": "done"}
    assert subset(base, [1]).app["image_review"] == {}


def _tagged(project: Project) -> dict[str, Counter[tuple[str | None, bytes]]]:
    """Per image (by file name): each object as (annotator tag, contents without id, author or tag)."""
    cats = {c.id: c.name for c in project.categories.values()}
    out: dict[str, Counter[tuple[str | None, bytes]]] = {}
    for im in project.images.values():
        out[im.file_name] = Counter(
            (
                a.app_extra.get(ANNOTATOR_KEY),
                content_key(copy_annotation(a, id=0, app_extra={}), cats[a.category_id]),
            )
            for a in project.annotations_of(im.id)
        )
    return out


def test_a_late_shard_merged_into_a_merged_project_joins_the_versions_side_by_side(tmp_path: Path) -> None:
    """ann's and bob's shards are merged first, cy's arrives later and is merged into that merged project:
    the overlap images keep ann's and bob's versions and add cy's, exactly as when all three are merged at
    once (before, cy's version replaced the other two and the image's annotator list was dropped, with no
    conflict reported)."""
    from pixelproof.core.agreement import raters_from_merged, run_agreement

    base = make_project(tmp_path, 4)
    result = split_project(base, ["ann", "bob", "cy"], overlap=1.0, overlap_copies=3, seed=1)
    shards = result.shards
    for k, name in enumerate(["ann", "bob", "cy"]):
        s = shards[name]
        for im in s.images.values():
            s.add_annotation(box_annotation(s.next_annotation_id(), im.id, 1 + k % 2, [2 + 3 * k, 2, 10, 10]))
            s.set_image_status(im.id, "done" if k else "in_progress")
        first = s.annotations_of(1)[0]
        if name == "bob":  # bob deletes a pre-existing object
            s.remove_annotation(first.id)
    every = [Shard.of(shards[n], n) for n in ("ann", "bob", "cy")]
    at_once = merge_shards(every, base=base, manifest=result.manifest)
    first = merge_shards(every[:2], base=base, manifest=result.manifest).project
    late = merge_shards(every[2:], base=first, manifest=result.manifest)
    assert _tagged(late.project) == _tagged(at_once.project)
    assert late.project.app["overlap_annotators"] == at_once.project.app["overlap_annotators"]
    assert late.project.app["image_status"] == at_once.project.app["image_status"]
    assert late.overlap_images == at_once.overlap_images
    assert len({a.id for a in late.project.annotations.values()}) == len(late.project.annotations)
    assert run_agreement(raters_from_merged(late.project)).to_dict() == (
        run_agreement(raters_from_merged(at_once.project)).to_dict()
    )
    # bob delivers his shard again: his version is replaced, not held twice
    again = merge_shards(every[1:2], base=late.project, manifest=result.manifest)
    assert _tagged(again.project) == _tagged(at_once.project)


def test_shards_merged_one_at_a_time_keep_every_annotators_version(tmp_path: Path) -> None:
    """Two copies of each overlap image; ann's shard is merged as soon as it comes, bob's later into that
    merged project. ann's version of an overlap image must wait, tagged, for bob's to join it: before,
    it was merged as a plain edit and bob's version then replaced it (ann's work gone, no conflict)."""
    from pixelproof.core.agreement import raters_from_merged, run_agreement

    base = make_project(tmp_path, 6)
    result = split_project(base, ["ann", "bob"], overlap=0.5, seed=2)
    shards = result.shards
    for k, name in enumerate(["ann", "bob"]):
        s = shards[name]
        for im in s.images.values():
            if name == "ann":  # bob leaves every image as it was
                s.add_annotation(box_annotation(s.next_annotation_id(), im.id, 1, [2 + 3 * k, 2, 10, 10]))
    every = [Shard.of(shards[n], n) for n in ("ann", "bob")]
    at_once = merge_shards(every, base=base, manifest=result.manifest)
    first = merge_shards(every[:1], base=base, manifest=result.manifest)
    overlap_ids = {int(i) for i in at_once.project.app["overlap_annotators"]}
    assert {int(i): w for i, w in first.project.app["overlap_annotators"].items()} == {
        i: ["ann"] for i in overlap_ids
    }  # waiting for bob
    late = merge_shards(every[1:], base=first.project, manifest=result.manifest)
    assert _tagged(late.project) == _tagged(at_once.project)
    assert late.project.app["overlap_annotators"] == at_once.project.app["overlap_annotators"]
    for i in overlap_ids:  # ann's added box is still there, in ann's version
        assert any(a.bbox == [2.0, 2.0, 10.0, 10.0] and a.app_extra["annotator"] == "ann"
                   for a in late.project.annotations_of(i))  # fmt: skip
    assert run_agreement(raters_from_merged(late.project)).to_dict() == (
        run_agreement(raters_from_merged(at_once.project)).to_dict()
    )


def test_a_late_shard_outdates_the_consensus_worked_out_before_it(tmp_path: Path) -> None:
    """Consensus run on ann's and bob's versions, then cy's late shard merged in: the pending consensus
    objects summarise two of three versions. They go (counted in the stats) and the image is no longer
    marked, so consensus runs again - and gives what it gives on all three merged at once."""
    from pixelproof.core.consensus import consensus_edit

    base = make_project(tmp_path, 3)
    result = split_project(base, ["ann", "bob", "cy"], overlap=1.0, overlap_copies=3, seed=1)
    for k, name in enumerate(["ann", "bob", "cy"]):
        s = result.shards[name]
        for im in s.images.values():
            s.add_annotation(box_annotation(s.next_annotation_id(), im.id, 1, [2 + 20 * (k == 2), 2, 10, 10]))
    every = [Shard.of(result.shards[n], n) for n in ("ann", "bob", "cy")]
    two = merge_shards(every[:2], base=base, manifest=result.manifest).project
    edit, summary = consensus_edit(two, "majority")
    edit.apply(two)
    pending = summary["objects"]
    assert pending > 0 and len(two.app["consensus"]) == 3
    late = merge_shards(every[2:], base=two, manifest=result.manifest)
    assert "consensus" not in late.project.app
    assert late.stats["outdated_consensus_objects"] == pending
    assert not any((a.source or "").startswith("consensus:") for a in late.project.annotations.values())
    # the app's Merge Shards into the open project: the same, as one undo step
    from pixelproof.core.coco import dumps_project
    from pixelproof.core.merge_edit import merge_edit

    before = dumps_project(two)
    into_open = merge_edit(two, late)
    into_open.apply(two)
    assert "consensus" not in two.app and _tagged(two) == _tagged(late.project)
    into_open.revert(two)
    assert dumps_project(two) == before
    _, summary = consensus_edit(late.project, "majority")
    at_once = merge_shards(every, base=base, manifest=result.manifest).project
    _, want = consensus_edit(at_once, "majority")
    assert summary == want and summary["images"] == 3 and not summary["skipped"]


def test_split_refuses_fewer_than_two_overlap_copies_and_says_how_many_it_made(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """``--overlap-copies 1`` (or 0, or -3) asks for overlap images labelled by one annotator: it was
    silently made 2. Refused now, with the option named; more copies than annotators give each overlap
    image to every annotator, and the CLI says how many each went to."""
    from pixelproof.cli import main

    project = make_project(tmp_path, 6)
    for copies in (1, 0, -3):
        with pytest.raises(SplitError, match="--overlap-copies"):
            split_project(project, ["a", "b"], overlap=0.5, overlap_copies=copies)
    assert split_project(project, ["a"], overlap=0.0, overlap_copies=1).manifest["overlap_copies"] == 1
    save_project(project)
    assert main(["split", str(project.path), "--annotators", "a,b", "--overlap", "0.5",
                 "--overlap-copies", "1", "-o", str(tmp_path / "x")]) == 2  # fmt: skip
    assert "--overlap-copies" in capsys.readouterr().err
    assert main(["split", str(project.path), "--annotators", "a,b,c", "--overlap", "0.5",
                 "--overlap-copies", "5", "-o", str(tmp_path / "y")]) == 0  # fmt: skip
    assert "3 overlap images (each to 3 annotators)" in capsys.readouterr().out


def test_a_whole_image_review_made_in_a_shard_comes_back_with_the_merge(tmp_path: Path) -> None:
    """``pixelproof.image_review`` is a per-image map like the status: split keeps it per shard, merge
    (the CLI's and the app's edit) brings each shard's back, keyed by the merged image ids."""
    from pixelproof.core.coco import dumps_project
    from pixelproof.core.edits import ReviewDecision
    from pixelproof.core.merge_edit import merge_edit

    base = make_project(tmp_path, 4)
    base.app["image_review"] = {"4": {"review": "rejected", "updated": "t0"}}
    split = split_project(base, ["ann", "bob"], seed=1)
    shards = [Shard.of(split.shards[n], n) for n in ("ann", "bob")]
    reviewed = {}
    for s in shards:
        iid = min(s.project.images)
        ReviewDecision(s.project, iid, "accepted", "fine").apply(s.project)
        reviewed[s.project.images[iid].file_name] = s.project.app["image_review"][str(iid)]
    for into in (None, base):
        merged = merge_shards(shards, base=into).project
        by_name = {im.file_name: iid for iid, im in merged.images.items()}
        review = merged.app.get("image_review", {})
        for name, entry in reviewed.items():
            assert review.get(str(by_name[name])) == entry
            assert merged.image_status(by_name[name]) == "reviewed"
        assert review.get(str(by_name["images/img004.png"])) == {"review": "rejected", "updated": "t0"}
    result = merge_shards(shards, base=base)
    before = dumps_project(base)
    edit = merge_edit(base, result)
    edit.apply(base)
    assert base.app["image_review"] == result.project.app["image_review"]
    edit.revert(base)
    assert dumps_project(base) == before


def test_what_the_lead_did_to_the_base_since_the_split_is_kept_or_reported(tmp_path: Path) -> None:
    """Before: a merge took every shard's copy of an image that differed from the base as the annotator's
    edit, so an object the lead added to the base after the split, on an image its annotator left alone,
    was deleted by the merge - 0 conflicts. Split records what each image held (``at_split``): a copy left
    as it was given is no edit (the base keeps the lead's work); when the annotator changed it too, the
    shard's version wins and the lead's objects it replaces are a conflict with the objects in the report."""
    base = make_project(tmp_path, 6)
    save_project(base)
    result = split_project(base, ["ann", "bob"], overlap=0.0, seed=1)
    ann = result.shards["ann"]
    untouched, edited = sorted(ann.images)[:2]
    lead_new = []
    for i in (untouched, edited):  # the lead goes on labelling the base after handing out the shards
        lead_new.append(base.add_annotation(box_annotation(base.next_annotation_id(), i, 1, [3, 3, 5, 5])))
    ann.add_annotation(box_annotation(ann.next_annotation_id(), edited, 2, [30, 20, 6, 6]))
    merged = merge_shards([Shard.of(s, n) for n, s in result.shards.items()], base=base)
    objects = merged.project.annotations
    kept = merged.project.annotations_of(untouched)
    assert lead_new[0].id in objects and objects[lead_new[0].id] in kept  # ann left that image as given
    assert lead_new[1].id not in objects  # replaced by ann's version of that image ...
    assert not any(c.type == "annotation_id_collision" for c in merged.conflicts)  # ann's ids: her range
    (conflict,) = merged.conflicts  # ... and said, with the object in the report
    assert conflict.type == "edited_in_base_and_shard" and conflict.shards == ["ann"]
    assert [o["id"] for o in merged.left_out] == [lead_new[1].id]
    assert len(merged.project.annotations_of(edited)) == 3  # ann's: the two from the split and hers


def test_shards_merge_into_a_base_that_relocated_their_images_since(tmp_path: Path) -> None:
    """The lead splits, then moves the images and relocates the project (ids kept, names changed): the
    shards still name the old paths. Each shard image is the base's image of that id under its new name;
    paired by path alone, the annotators' objects went onto second images whose files are missing."""
    import shutil

    from pixelproof.core.edits.images import RelocateImages
    from pixelproof.core.image_folder import find_moved, project_from_folder
    from tests.core.test_add_and_relocate_images import png

    for k in range(4):
        png(tmp_path / "img" / f"{k}.png")
    base = project_from_folder(tmp_path / "img", tmp_path / "p.json", ["cat"])
    save_project(base, tmp_path / "p.json")
    result = split_project(base, ["a", "b"])
    shards = []
    for name, shard in result.shards.items():
        iid = min(shard.images)
        shard.add_annotation(box_annotation(100 + iid, iid, 1, [1, 1, 3, 3]))
        save_project(shard, tmp_path / f"{name}.json")
        shards.append(Shard.of(load_project(tmp_path / f"{name}.json"), name))
    shutil.move(tmp_path / "img", tmp_path / "archive" / "img")
    base = load_project(tmp_path / "p.json")
    names, problems = find_moved(base, tmp_path / "archive")
    assert problems == [] and len(names) == 4
    RelocateImages(names).apply(base)
    merged = merge_shards(shards, base=base).project
    assert sorted(im.file_name for im in merged.images.values()) == [f"archive/img/{k}.png" for k in range(4)]
    drawn = {a.image_id for a in merged.annotations.values()}
    assert len(drawn) == 2 and all(merged.images[i].file_name.startswith("archive/") for i in drawn)


def test_an_image_removed_since_the_split_does_not_give_its_work_to_the_one_that_took_its_id(
    tmp_path: Path,
) -> None:
    """The lead removes an image (its file too) after the split and adds another photo of the same size,
    which takes the free id (as PixelProof did before ``last_image_id``, and other tools may). The
    annotator's work on the removed image is not the new photo's: paired by id
    alone (a rename by the lead), its objects landed on a picture they were never drawn on."""
    from pixelproof.core.image_folder import project_from_folder
    from tests.core.test_add_and_relocate_images import png

    for k in range(3):
        png(tmp_path / "img" / f"{k}.png")
    base = project_from_folder(tmp_path / "img", tmp_path / "p.json", ["cat"])
    last = max(base.images)
    base.add_annotation(box_annotation(1, last, 1, [1, 1, 3, 3]))
    save_project(base, tmp_path / "p.json")
    (shard,) = split_project(base, ["a"], overlap=0).shards.values()
    shard.add_annotation(box_annotation(500, last, 1, [4, 4, 2, 2]))
    save_project(shard, tmp_path / "a.json")
    removed = base.images[last].file_name
    base.remove_image(last)
    (tmp_path / removed).unlink()
    png(tmp_path / "img" / "new.png")
    assert base.next_image_id() == last + 1  # PixelProof no longer gives the removed image's id again ...
    base.add_image(ImageRecord(last, "img/new.png", 10, 8))  # ... an earlier version or another tool may
    merged = merge_shards([Shard.of(load_project(tmp_path / "a.json"), "a")], base=base).project
    (new,) = [im for im in merged.images.values() if im.file_name == "img/new.png"]
    assert merged.annotations_of(new.id) == []
    (old,) = [im for im in merged.images.values() if im.file_name == removed]
    assert sorted(a.id for a in merged.annotations_of(old.id)) == [1, 500]


def test_an_image_an_annotator_renamed_in_case_only_is_the_projects_image(tmp_path: Path) -> None:
    """On a case-insensitive disk (macOS, Windows) an annotator renames IMG.png to img.png and points the
    shard at it: the base's name still opens the file, so the rename was not followed and the shard's
    work became a second image of the same file (ids renumbered) beside the base's, left as dealt out.
    The same file by another name - here a link, as the case-insensitive disk gives it - is the base's
    image."""
    from pixelproof.core.image_folder import project_from_folder
    from tests.core.test_add_and_relocate_images import png

    for k in range(2):
        png(tmp_path / "img" / f"IMG{k}.png")
    base = project_from_folder(tmp_path / "img", tmp_path / "p.json", ["cat"])
    save_project(base, tmp_path / "p.json")
    (shard,) = split_project(base, ["a"], overlap=0).shards.values()
    (image,) = [im for im in shard.images.values() if im.file_name == "img/IMG0.png"]
    (tmp_path / "img" / "img0.png").symlink_to("IMG0.png")
    image.file_name = "img/img0.png"
    shard.add_annotation(box_annotation(500, image.id, 1, [4, 4, 2, 2]))
    save_project(shard, tmp_path / "a.json")
    result = merge_shards([Shard.of(load_project(tmp_path / "a.json"), "a")], base=base)
    merged = result.project
    assert len(merged.images) == 2 and not [c for c in result.conflicts if c.type == "image_id_collision"]
    assert [a.id for a in merged.annotations_of(image.id)] == [500]
    assert merged.images[image.id].file_name == "img/img0.png"
    assert result.renamed_files == [("img/IMG0.png", "img/img0.png", "a")]


def test_a_shard_slice_of_the_same_volume_file_by_another_name_is_paired_only_with_that_slice(
    tmp_path: Path,
) -> None:
    """A volume is one file for all its slices: the same file by another name pairs a shard's slice with
    the base's record of its id only when that record is the same slice (the lead's volume read again
    with ids in another order must not put one slice's work on another)."""
    from pixelproof.core.coco import new_project

    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "vol.tif").write_bytes(b"not read here")
    (tmp_path / "img" / "link.tif").symlink_to("vol.tif")
    base = new_project(["cat"])
    for k in range(2):
        base.add_image(ImageRecord(k + 1, f"img/vol.tif#z={k:03d}", 10, 8))
    save_project(base, tmp_path / "p.json")
    (shard,) = split_project(base, ["a"], overlap=0).shards.values()
    shard.images[1].file_name = "img/link.tif#z=000"  # the same slice through the link: paired
    shard.images[2].file_name = "img/link.tif#z=000"  # another slice than the base's id 2: not paired
    shard.add_annotation(box_annotation(500, 1, 1, [4, 4, 2, 2]))
    shard.add_annotation(box_annotation(501, 2, 1, [4, 4, 2, 2]))
    save_project(shard, tmp_path / "a.json")
    result = merge_shards([Shard.of(load_project(tmp_path / "a.json"), "a")], base=base)
    assert [(old, new) for old, new, _ in result.renamed_files] == [
        ("img/vol.tif#z=000", "img/link.tif#z=000")
    ]
    merged = result.project
    assert [a.id for a in merged.annotations_of(1)] == [500] and merged.annotations_of(2) == []


@pytest.mark.parametrize("key", ["²", "١٢", "+1", " 1", "1" * 40])
def test_a_hand_edited_per_image_key_is_ignored_not_a_crash(tmp_path: Path, key: str) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` raises: a key like that in a per-image map stopped
    split (its subsets), the overlap annotators and the consensus marks; such keys are ignored."""
    from pixelproof.core.model import id_key
    from pixelproof.core.overlap_versions import consensus_marks, overlap_annotators

    project = make_project(tmp_path, n_images=3)
    first = next(iter(project.images))
    for name in ("image_status", "overlap_annotators", "consensus"):
        value = {"image_status": "done", "overlap_annotators": ["ann", "bob"], "consensus": "staple"}[name]
        project.app[name] = {str(first): value, key: value}
    assert id_key(key) is None and id_key(str(first)) == first
    part = subset(project, [first])
    assert part.app["image_status"] == {str(first): "done"}
    assert overlap_annotators(project) == {first: ["ann", "bob"]}
    assert consensus_marks(project) == {first: "staple"}


def test_a_status_an_annotator_set_comes_back_though_the_objects_were_left_alone(tmp_path: Path) -> None:
    """An annotator who checks an image, finds its objects right and marks it done changed no object: the
    merge kept the base's status there (todo), so the lead lost which images were finished. A status the
    annotator changed since the split is theirs; one left as dealt out keeps what the lead set since."""
    from pixelproof.core.merge_edit import merge_edit

    base = make_project(tmp_path, 8)
    base.set_image_status(1, "done")
    base.set_image_status(2, "done")
    result = split_project(base, ["ann", "bob"], seed=3)
    base.set_image_status(3, "reviewed")  # the lead, after the split
    want: dict[int, str] = {}
    for shard in result.shards.values():
        for iid in shard.images:
            if iid == 1:
                shard.set_image_status(iid, "in_progress")  # back from done: to look at again
                want[iid] = "in_progress"
            elif iid in (2, 3):
                want[iid] = base.image_status(iid)  # left as dealt out: the lead's
            else:
                shard.set_image_status(iid, "done")
                want[iid] = "done"
    shards = [Shard.of(p, n) for n, p in result.shards.items()]
    merged = merge_shards(shards, base=base)
    by_name = {im.file_name: iid for iid, im in merged.project.images.items()}
    got = {iid: merged.project.image_status(by_name[base.images[iid].file_name]) for iid in base.images}
    assert got == want
    merge_edit(base, merged).apply(base)  # the app's Merge Shards
    assert {iid: base.image_status(iid) for iid in base.images} == want


def test_a_status_the_lead_set_since_stands_and_merging_a_shard_again_changes_nothing(tmp_path: Path) -> None:
    """An annotator's status is theirs where the base still holds the status dealt out. Where the lead set
    one since (reviewed the image, sent it back), the lead's stands: merging the same shards again (sent
    twice, Merge Shards run again) took the annotators' 'done' over every review made after the first
    merge, and over an image sent back, without a word - the objects, equal, were left alone. (No overlap
    image: their versions are kept side by side, ratings, and join a merged project's as a late shard's.)"""
    from pixelproof.core.merge_edit import merge_edit

    base = make_project(tmp_path, 8)
    result = split_project(base, ["ann", "bob"], overlap=0.0, seed=3)
    base.set_image_status(2, "in_progress")  # the lead, after the split: looking at it again
    for shard in result.shards.values():
        for iid in shard.images:
            shard.set_image_status(iid, "done")
    shards = [Shard.of(p, n) for n, p in result.shards.items()]
    merge_edit(base, merge_shards(shards, base=base)).apply(base)
    want = {iid: "done" for iid in base.images} | {2: "in_progress"}
    assert {iid: base.image_status(iid) for iid in base.images} == want
    for iid in base.images:  # the lead reviews what came back, and sends image 5 back
        base.set_image_status(iid, "reviewed")
    base.set_image_status(5, "in_progress")
    want = {iid: base.image_status(iid) for iid in base.images}
    again = merge_shards(shards, base=base)
    assert again.conflicts == []
    merge_edit(base, again).apply(base)
    assert {iid: base.image_status(iid) for iid in base.images} == want


def test_the_same_shards_merged_again_leave_an_overlap_images_versions_consensus_and_status(
    tmp_path: Path,
) -> None:
    """Shards merged into the project they were merged into before (sent twice, Merge Shards run again)
    bring the versions it holds already: no new rating. Each overlap image's pending consensus was dropped
    as outdated (its mark too, so consensus had to run again), its status set back to the shards' over a
    review made since, and objects renumbered. The project now comes out as it went in."""
    from pixelproof.core.coco import dumps_project
    from pixelproof.core.consensus import consensus_edit
    from pixelproof.core.merge_edit import merge_edit

    base = make_project(tmp_path, 3)
    result = split_project(base, ["ann", "bob"], overlap=1.0, seed=1)
    for k, name in enumerate(["ann", "bob"]):
        s = result.shards[name]
        for im in s.images.values():
            s.add_annotation(box_annotation(s.next_annotation_id(), im.id, 1, [2 + 20 * k, 2, 10, 10]))
            s.set_image_status(im.id, "done")
    shards = [Shard.of(result.shards[n], n) for n in ("ann", "bob")]
    merged = merge_shards(shards, base=base, manifest=result.manifest).project
    edit, summary = consensus_edit(merged, "majority")
    edit.apply(merged)
    assert summary["objects"] > 0 and len(merged.app["consensus"]) == 3
    merged.set_image_status(2, "reviewed")
    before = dumps_project(merged)
    again = merge_shards(shards, base=merged, manifest=result.manifest)
    assert again.conflicts == [] and again.stats["outdated_consensus_objects"] == 0
    merge_edit(merged, again).apply(merged)
    assert dumps_project(merged) == before
    late = result.shards["bob"]  # bob sends a changed shard: a new rating, the consensus outdated again
    late.add_annotation(box_annotation(late.next_annotation_id(), 1, 2, [30, 30, 5, 5]))
    newer = merge_shards([Shard.of(late, "bob")], base=merged, manifest=result.manifest)
    assert newer.stats["outdated_consensus_objects"] > 0 and "1" not in newer.project.app.get("consensus", {})


def test_shard_annotator_names_whose_shard_a_project_is() -> None:
    """What the app shows of an open shard (its title, status bar) and merge credits: split's record, in
    NFC; a project that records no shard, or a damaged record, is nobody's."""
    from pixelproof.core.coco import new_project
    from pixelproof.core.shard_match import shard_annotator

    project = new_project(["cat"])
    assert shard_annotator(project) is None
    project.app["shard"] = {"annotator": "Jose\u0301", "split": "s"}
    assert shard_annotator(project) == "Jos\u00e9"
    for damaged in ({"annotator": 7}, {"annotator": " "}, "ann"):
        project.app["shard"] = damaged
        assert shard_annotator(project) is None
