"""diff of two project versions; tag / checkout snapshots."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pixelproof.core import taxonomy
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.diff import diff_projects
from pixelproof.core.model import Category, ImageRecord
from pixelproof.core.split import copy_annotation
from pixelproof.core.versions import VersionError, checkout, list_tags, tag, versions_dir
from tests.core.teams_data import box_annotation, disc, make_project, mask_annotation


def test_diff_reports_added_removed_changed_per_image_and_class(tmp_path: Path) -> None:
    old = make_project(tmp_path, 6)
    save_project(old)
    new = load_project(old.path)
    # image 1: a box moved by 2 px (geometry); image 2: a class change; image 3: review state
    box = next(a for a in new.annotations_of(1) if a.kind == "box")
    box.set_geometry(None, [42.0, box.bbox[1], 12.0, 14.0], 168.0)
    two = new.annotations_of(2)[0]
    two.category_id = two.category_id % 3 + 1
    new.annotations_of(3)[0].review = "accepted"
    # image 4: one removed, one added; image 5: redrawn with a new id (matched by geometry)
    new.remove_annotation(new.annotations_of(4)[0].id)
    new.add_annotation(mask_annotation(900, 4, 1, disc(50, 40, 4)))
    five = new.annotations_of(5)[0]
    new.remove_annotation(five.id)
    new.add_annotation(copy_annotation(five, id=901))
    new.add_image(ImageRecord(99, "images/new.png", 64, 48))
    new.add_category(Category(4, "fish"))
    d = diff_projects(old, new).to_dict()
    by_id = {(o["old_id"], o["new_id"]): o for o in d["objects"]}
    assert by_id[(box.id, box.id)]["what"] == ["geometry"]
    assert by_id[(box.id, box.id)]["iou"] == pytest.approx(10 * 14 / (14 * 14))
    assert by_id[(two.id, two.id)]["what"] == ["class"] and by_id[(two.id, two.id)]["iou"] == 1.0
    review = next(o for o in d["objects"] if o["file_name"] == "images/img003.png")
    assert (review["old_review"], review["new_review"], review["what"]) == (None, "accepted", ["review"])
    assert by_id[(five.id, 901)]["what"] == ["other"] and by_id[(five.id, 901)]["iou"] == 1.0
    assert [o["status"] for o in d["objects"] if o["file_name"] == "images/img004.png"] == [
        "removed",
        "added",
    ]
    assert d["totals"] == {"added": 1, "removed": 1, "changed": 4, "unchanged": 12 - 5}
    assert d["images_added"] == ["images/new.png"] and d["images_removed"] == []
    assert d["categories"] == {"added": ["fish"], "removed": [], "renamed": []}
    assert sum(r["changed"] for r in d["per_class"]) == 4
    assert {r["file_name"] for r in d["per_image"]} == {f"images/img00{i}.png" for i in range(1, 6)}


def test_diff_of_identical_projects_in_other_folders_is_empty(tmp_path: Path) -> None:
    old = make_project(tmp_path, 4)
    save_project(old)
    (tmp_path / "copy").mkdir()
    save_project(load_project(old.path), tmp_path / "copy" / "p.json")  # file names rebased: ../images/...
    d = diff_projects(old, load_project(tmp_path / "copy" / "p.json")).to_dict()
    assert d["objects"] == [] and d["totals"]["unchanged"] == 8 and d["images_added"] == []


def test_tag_and_checkout_give_back_the_tagged_state(tmp_path: Path) -> None:
    project = make_project(tmp_path, 5)
    save_project(project)
    t = tag(project.path, "v1", "before the relabel", author="lead")
    assert (versions_dir(project.path) / "v1.json.gz").stat().st_size < project.path.stat().st_size
    project.add_annotation(box_annotation(500, 2, 1, [1, 1, 3, 3]))
    save_project(project)
    old = checkout(project.path, "v1")
    assert 500 not in old.annotations and len(old.annotations) == 10
    assert old.path == project.path  # image names resolve as before
    assert [x.name for x in list_tags(project.path)] == ["v1"] and t.message == "before the relabel"
    d = diff_projects(old, load_project(project.path)).to_dict()
    assert d["totals"]["added"] == 1
    with pytest.raises(VersionError, match="exists already"):
        tag(project.path, "v1")
    tag(project.path, "v1", force=True)
    assert 500 in checkout(project.path, "v1").annotations


def test_a_checked_out_version_is_written_as_tagged_without_a_made_up_change(tmp_path: Path) -> None:
    """Writing a checkout out is no edit: the file is the tagged one byte for byte (its change log head
    too) and no log entry claims every object and image was added."""
    project = make_project(tmp_path, 3)
    project.app["image_review"] = {"2": {"review": "accepted"}}
    save_project(project)
    tagged = project.path.read_bytes()
    tag(project.path, "v1")
    project.add_annotation(box_annotation(500, 2, 1, [1, 1, 3, 3]))
    save_project(project)
    out = tmp_path / "old.json"
    save_project(checkout(project.path, "v1"), out)
    assert out.read_bytes() == tagged
    assert not (tmp_path / "old.history.jsonl").exists()


@pytest.mark.parametrize("name", ["../x", ".hidden", "a/b", "", "v..1", "x" * 101])
def test_tag_names_cannot_escape_the_versions_folder(tmp_path: Path, name: str) -> None:
    project = make_project(tmp_path, 1)
    save_project(project)
    with pytest.raises(VersionError, match="tag"):
        tag(project.path, name)
    assert not versions_dir(project.path).exists()


def test_a_damaged_snapshot_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path, 2)
    save_project(project)
    tag(project.path, "v1")
    snap = versions_dir(project.path) / "v1.json.gz"
    snap.write_bytes(gzip.compress(project.path.read_bytes().replace(b'"cat"', b'"cow"')))
    with pytest.raises(VersionError, match="does not match"):
        checkout(project.path, "v1")
    snap.write_bytes(b"not gzip")
    with pytest.raises(VersionError, match="cannot read the snapshot"):
        checkout(project.path, "v1")
    with pytest.raises(VersionError, match="no tag 'v2'"):
        checkout(project.path, "v2")


def test_a_snapshot_inflating_past_its_tag_is_refused_without_holding_it(tmp_path: Path) -> None:
    """A gzip bomb planted as a snapshot (a shared folder): 512 MB of zeros in a 0.5 MB file. With the size
    the tag recorded, and for an older tag without it, by ``SNAPSHOT_RATIO``; a FIFO is not waited on."""
    import json
    import os
    import tracemalloc

    project = make_project(tmp_path, 2)
    save_project(project)
    assert tag(project.path, "v1").size == project.path.stat().st_size
    snap = versions_dir(project.path) / "v1.json.gz"
    snap.write_bytes(gzip.compress(bytes(1 << 29), compresslevel=9))  # 0.5 MB
    tracemalloc.start()
    try:
        with pytest.raises(VersionError, match=f"inflates past {project.path.stat().st_size:,} bytes"):
            checkout(project.path, "v1")
        index = versions_dir(project.path) / "tags.json"
        older = json.loads(index.read_text())
        del older["tags"][0]["size"]
        index.write_text(json.dumps(older))
        with pytest.raises(VersionError, match="inflates past"):
            checkout(project.path, "v1")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 160 * 2**20, peak  # the older tag's bound: 100 x 0.5 MB
    snap.unlink()
    os.mkfifo(snap)
    with pytest.raises(VersionError, match=r"v1\.json\.gz"):
        checkout(project.path, "v1")


def test_recreated_objects_are_measured_only_where_their_extents_overlap(monkeypatch) -> None:
    """Objects left over after pairing by id were measured against each other pair by pair in Python: a
    re-labeled image of 10,000 objects was 10**8 pairs. Same IoUs as measuring every pair."""
    from pycocotools import mask as mask_utils

    from pixelproof.core import diff, metrics_overlap
    from pixelproof.core.annotation_pixels import annotation_rle

    image = ImageRecord(1, "a.png", 64, 48)
    olds = [box_annotation(k + 1, 1, 1, [8.0 * (k % 8), 6.0 * (k // 8), 5, 4]) for k in range(40)]
    olds += [mask_annotation(100 + k, 1, 2, disc(4 + 8 * k, 40, 3, 64, 48)) for k in range(8)]
    olds += [copy_annotation(olds[3], id=200, segmentation=[[24.0, 0, 29, 0, 29, 4]])]  # a polygon
    news = [copy_annotation(a, id=1000 + a.id) for a in olds]
    for a in news[::3]:
        a.bbox = [a.bbox[0] + 1, *a.bbox[1:]]
    news += [mask_annotation(2000, 1, 2, disc(30, 30, 12, 64, 48))]  # across many
    calls = []
    box_iou, iou = metrics_overlap.box_iou, mask_utils.iou
    monkeypatch.setattr(metrics_overlap, "box_iou", lambda a, b: calls.append(1) or box_iou(a, b))
    monkeypatch.setattr(mask_utils, "iou", lambda d, g, c: calls.append(len(d) * len(g)) or iou(d, g, c))
    got = diff.iou_pairs(olds, news, image, image).toarray()
    measured = sum(calls)
    calls.clear()

    def one(a, b):  # type: ignore[no-untyped-def]
        if a.kind == "box" or b.kind == "box":
            return box_iou(a.bbox, b.bbox)
        return iou([annotation_rle(b, 48, 64)], [annotation_rle(a, 48, 64)], [0])[0][0]

    want = [[one(a, b) for b in news] for a in olds]
    assert got.tolist() == want
    assert (got > 0).sum() <= measured < len(olds) * len(news) // 4


def test_edited_objects_are_measured_in_one_sweep_an_image_with_the_same_ious(monkeypatch) -> None:
    """Objects kept under their id but edited were measured one pair at a time, each pair its own sweep
    and table: 10,000 edited nuclei were 10,000 sweeps; then one sweep and table an image, of which only
    the diagonal was read. Now each pair is measured alone with no sweep, and each IoU is still the one
    ``iou_pairs`` gives that pair."""
    from pixelproof.core import diff, matching

    image = ImageRecord(1, "a.png", 64, 48)
    olds = [box_annotation(k + 1, 1, 1, [8.0 * (k % 8), 6.0 * (k // 8), 5, 4]) for k in range(40)]
    olds += [mask_annotation(100 + k, 1, 2, disc(4 + 8 * k, 40, 3, 64, 48)) for k in range(8)]
    news = [copy_annotation(a) for a in olds]
    for k, a in enumerate(news):
        if k % 3 == 0:
            a.bbox = [a.bbox[0] + 1 + k % 5, *a.bbox[1:]]  # moved (some off their old box entirely)
    news[41] = mask_annotation(101, 1, 2, disc(12, 38, 3, 64, 48))
    news[43] = mask_annotation(103, 1, 2, disc(60, 10, 3, 64, 48))  # moved away: IoU 0
    want = {
        a.id: 1.0
        if diff._same_geometry(a, b, image, image)
        else float(diff.iou_pairs([a], [b], image, image)[0, 0])
        for a, b in zip(olds, news, strict=True)
    }
    sweeps = []
    sweep = matching.overlapping_pairs
    monkeypatch.setattr(matching, "overlapping_pairs", lambda a, b: sweeps.append(1) or sweep(a, b))
    changes = diff.diff_image("a.png", image, [(a, "c") for a in olds], image, [(b, "c") for b in news])
    edited = {a.id for a, b in zip(olds, news, strict=True) if not diff._same_geometry(a, b, image, image)}
    assert {c.old_id: c.iou for c in changes} == {k: want[k] for k in edited}
    assert want[103] == 0.0 and 0 < want[101] < 1 and len(changes) > 10
    assert sweeps == []  # no table of every overlapping pair for the diagonal of it


def test_a_renamed_class_is_a_rename_not_a_new_class_nor_changed_objects(tmp_path: Path) -> None:
    old = make_project(tmp_path, 3)
    save_project(old)
    new = load_project(old.path)
    taxonomy.rename_category(new, "cat", "feline").apply(new)
    box = next(a for a in new.annotations.values() if a.category_id == 1 and a.kind == "box")
    box.set_geometry(None, [41.0, box.bbox[1], 12.0, 14.0], 168.0)  # one cat also moved
    d = diff_projects(old, new)
    data = d.to_dict()
    assert data["categories"] == {
        "added": [],
        "removed": [],
        "renamed": [{"id": 1, "old": "cat", "new": "feline"}],
    }
    [moved] = data["objects"]
    assert (moved["old_category"], moved["category"], moved["what"]) == ("cat", "feline", ["geometry"])
    assert data["totals"] == {"added": 0, "removed": 0, "changed": 1, "unchanged": 5}
    cats = {a.image_id for a in new.annotations.values() if a.category_id == 1}
    assert d.changed_files() == {new.images[i].file_name for i in cats}  # exports must follow the new name


def test_objects_on_new_and_removed_images_are_counted(tmp_path: Path) -> None:
    old = make_project(tmp_path, 3)
    save_project(old)
    new = load_project(old.path)
    new.add_image(ImageRecord(10, "images/x.png", 64, 48))
    new.add_annotation(box_annotation(50, 10, 1, [1, 1, 5, 5]))
    new.remove_image(3)  # its 2 objects go with it
    d = diff_projects(old, new)
    data = d.to_dict()
    assert data["totals"] == {"added": 1, "removed": 2, "changed": 0, "unchanged": 4}
    assert data["totals"]["removed"] + data["totals"]["unchanged"] == len(old.annotations)
    assert data["totals"]["added"] + data["totals"]["unchanged"] == len(new.annotations)
    rows = {r["file_name"]: (r["added"], r["removed"], r["changed"]) for r in data["per_image"]}
    assert rows == {"images/x.png": (1, 0, 0), "images/img003.png": (0, 2, 0)}
    assert d.changed_files() == {"images/x.png"}  # names in the new project only


def test_a_tag_equal_but_for_case_to_another_is_refused(tmp_path: Path) -> None:
    """On Windows and macOS 'V1.json.gz' is the file of tag 'v1': tagging V1 replaced v1's snapshot, and
    checking out v1 then failed its hash check ('damaged')."""
    project = make_project(tmp_path, 1)
    save_project(project)
    tag(project.path, "v1")
    with pytest.raises(VersionError, match="'v1'"):
        tag(project.path, "V1", force=True)
    tag(project.path, "v1", force=True)  # moving the tag itself is fine
    assert [t.name for t in list_tags(project.path)] == ["v1"]


@pytest.mark.parametrize(
    "index",
    [
        b'{"tags": [1]}',
        b'{"tags": "ab"}',
        b'{"tags": [{"name": null, "sha256": "x"}]}',
        b'{"tags": [{"name": "v1", "sha256": "x", "history": [1]}]}',
    ],
)
def test_a_damaged_tag_index_is_named_not_a_traceback(tmp_path: Path, index: bytes) -> None:
    project = make_project(tmp_path, 1)
    save_project(project)
    tag(project.path, "v1")
    (versions_dir(project.path) / "tags.json").write_bytes(index)
    with pytest.raises(VersionError, match=r"tags\.json: not a tag index"):
        list_tags(project.path)


def test_tagging_a_file_whose_pixelproof_section_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"pixelproof": 5, "images": []}')
    with pytest.raises(VersionError, match="not a project file"):
        tag(path, "v1")
