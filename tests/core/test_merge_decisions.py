"""Lint's "not a problem" decisions through a merge: every shard's and the base's decision still names its
own object after ids are renumbered, and none comes to name another object (it only kept the base's, or
the first shard's, keys as they were)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import dumps_project, new_project
from pixelproof.core.edits import DismissProblems
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_edit import merge_edit
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.split import split_project
from tests.core.teams_data import box_annotation, make_project


def _named(project: Project) -> set[tuple[str, str, tuple[float, ...] | str, str | None]]:
    """What each decision of ``project`` names: (kind, image file, the object's box or the key's tail,
    the object's annotator tag)."""
    out = set()
    for key in project.app.get("lint", {}).get("dismissed", []):
        kind, image, tail = key.split("|", 2)
        name = project.images[int(image)].file_name
        if tail == "-" or "@" in tail:
            out.add((kind, name, tail, None))
            continue
        for aid in tail.split("+"):
            a = project.annotations[int(aid)]
            assert a.image_id == int(image), key
            out.add((kind, name, tuple(a.bbox), a.app_extra.get(ANNOTATOR_KEY)))
    return out


def _shard(
    folder: Path, name: str, file_name: str, boxes: list[list[float]], dismissed: list[str]
) -> Project:
    """A project made apart (a batch job's): image 1 with objects 1, 2, ... (all of class cat)."""
    p = new_project(["cat", "dog", "bird"])
    p.path = folder / f"{name}.json"
    p.add_image(ImageRecord(1, file_name, 64, 48))
    for n, b in enumerate(boxes, start=1):
        p.add_annotation(box_annotation(n, 1, 1, b))
    DismissProblems(p, dismissed).apply(p)
    return p


def test_each_shards_decision_follows_its_object_through_renumbering(tmp_path: Path) -> None:
    a = _shard(tmp_path, "a", "images/a.png", [[5, 5, 1, 1], [30, 30, 1, 1]], ["tiny|1|1"])
    b = _shard(tmp_path, "b", "images/b.png", [[10, 10, 1, 1], [40, 20, 1, 1]], ["tiny|1|2", "border|1|-"])
    result = merge_shards([Shard.of(a, "a"), Shard.of(b, "b")])
    types = [c.type for c in result.conflicts]
    assert types.count("image_id_collision") == 1 and types.count("annotation_id_collision") == 2
    assert _named(result.project) == {
        ("tiny", "images/a.png", (5.0, 5.0, 1.0, 1.0), None),
        ("tiny", "images/b.png", (40.0, 20.0, 1.0, 1.0), None),
        ("border", "images/b.png", "-", None),
    }
    assert result.stats["dismissed_dropped"] == 0


def test_a_base_and_a_shard_each_keep_their_decisions(tmp_path: Path) -> None:
    base = _shard(tmp_path, "base", "images/p.png", [[5, 5, 1, 1]], ["tiny|1|1"])
    late = _shard(
        tmp_path,
        "late",
        "images/q.png",
        [[7, 7, 1, 1], [9, 9, 1, 1]],
        ["tiny|1|1", "missing_object|1|dog@1,2,3,4"],
    )
    result = merge_shards([Shard.of(late, "late")], base=base)
    assert _named(result.project) == {
        ("tiny", "images/p.png", (5.0, 5.0, 1.0, 1.0), None),
        ("tiny", "images/q.png", (7.0, 7.0, 1.0, 1.0), None),
        ("missing_object", "images/q.png", "dog@1,2,3,4", None),
    }
    # the app's File > Merge Shards… brings them too, as one undo step
    before = dumps_project(base)
    edit = merge_edit(base, result)
    edit.apply(base)
    assert base.app["lint"] == result.project.app["lint"]
    edit.revert(base)
    assert dumps_project(base) == before


def test_on_an_overlap_image_a_decision_stays_with_its_annotators_copy(tmp_path: Path) -> None:
    """Both annotators keep the split's objects, side by side: ann's copy keeps the ids (shards merge in
    their annotators' name order, whatever order they are given in), bob's is renumbered; bob's decision is
    on bob's copy, not on ann's same-numbered one."""
    base = make_project(tmp_path, 4)
    split = split_project(base, ["ann", "bob"], overlap=1.0, seed=0)
    ann, bob = split.shards["ann"], split.shards["bob"]
    iid = next(iter(bob.images))
    target = bob.annotations_of(iid)[1]
    DismissProblems(bob, [f"wrong_class|{iid}|{target.id}"]).apply(bob)
    result = merge_shards([Shard.of(bob, "bob"), Shard.of(ann, "ann")], base=base, manifest=split.manifest)
    name = base.images[iid].file_name
    assert _named(result.project) == {("wrong_class", name, tuple(target.bbox), "bob")}
    assert result.project.annotations[target.id].app_extra[ANNOTATOR_KEY] == "ann"  # the key as it was


def test_a_decision_on_an_object_gone_from_the_merge_is_dropped_and_counted(tmp_path: Path) -> None:
    base = make_project(tmp_path, 2)
    DismissProblems(base, ["tiny|1|1", "tiny|2|3"]).apply(base)
    split = split_project(base, ["ann", "bob"], overlap=0.0, seed=0)
    shards = split.shards
    who = next(n for n, s in shards.items() if 1 in s.images)
    shards[who].remove_annotation(1)  # the object the base's (and the shard's copy of) decision is on
    result = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=base, manifest=split.manifest)
    assert 1 not in result.project.annotations
    assert result.project.app["lint"]["dismissed"] == ["tiny|2|3"]
    assert result.stats["dismissed_dropped"] == 1


def test_pixelproof_merge_says_how_many_decisions_it_dropped(capsys, tmp_path: Path) -> None:
    import json

    from pixelproof.cli import main
    from pixelproof.core.coco import load_project, save_project

    base = make_project(tmp_path, 2)
    DismissProblems(base, ["tiny|1|1", "tiny|2|3"]).apply(base)
    save_project(base)
    shard = _shard(tmp_path, "late", "images/img001.png", [[5, 5, 1, 1]], [])  # base's image 1, redone
    shard.remove_annotation(1)
    shard.add_annotation(box_annotation(4, 1, 1, [5, 5, 1, 1]))  # its id is the base's object 4's
    DismissProblems(shard, ["tiny|1|4"]).apply(shard)
    save_project(shard)
    out, report = tmp_path / "merged.json", tmp_path / "report.json"
    code = main(["merge", str(shard.path), "--into", str(base.path), "-o", str(out), "--report", str(report)])
    assert code in (0, 3)
    assert '1 "not a problem" decision dropped' in capsys.readouterr().out  # the base's object 1 is gone
    assert json.loads(report.read_text())["stats"]["dismissed_dropped"] == 1
    merged = load_project(out)
    assert _named(merged) == {
        ("tiny", "images/img001.png", (5.0, 5.0, 1.0, 1.0), None),  # the shard's, renumbered
        ("tiny", "images/img002.png", tuple(base.annotations[3].bbox), None),  # the base's
    }


def test_a_decision_on_an_object_with_a_negative_id_follows_it(tmp_path: Path) -> None:
    """Another tool's ids may be negative (a project takes -2**63 .. 2**63 - 1): a decision naming such an
    object ("tiny|1|-5") was dropped by the merge, as if its object were gone."""
    a = new_project(["cat", "dog", "bird"])
    a.path = tmp_path / "a.json"
    a.add_image(ImageRecord(1, "images/a.png", 64, 48))
    a.add_annotation(box_annotation(-5, 1, 1, [5, 5, 1, 1]))
    a.add_annotation(box_annotation(-4, 1, 1, [30, 30, 1, 1]))
    DismissProblems(a, ["tiny|1|-5", "duplicate|1|-5+-4"]).apply(a)
    b = _shard(tmp_path, "b", "images/b.png", [[10, 10, 1, 1]], ["tiny|1|1"])
    result = merge_shards([Shard.of(a, "a"), Shard.of(b, "b")])
    assert result.stats["dismissed_dropped"] == 0
    named = _named(result.project)
    assert ("tiny", "images/a.png", (5.0, 5.0, 1.0, 1.0), None) in named
    assert ("duplicate", "images/a.png", (30.0, 30.0, 1.0, 1.0), None) in named
    assert ("tiny", "images/b.png", (10.0, 10.0, 1.0, 1.0), None) in named
