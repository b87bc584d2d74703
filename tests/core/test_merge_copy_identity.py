"""Annotators relocated to copies of their own: is each copy the picture dealt out? ``split`` records each
file's byte size (``files_at_split``); merge, where the copy and the file dealt out are both on this disk,
pairs them only when the two are byte-identical or decode to the same pixels (a re-encoded copy is the
picture; another picture by that name and size is not: an ``image_size_mismatch`` conflict says so), and
takes a copy under another file name (renamed) for the image dealt out under its id the same way, whether
the copy is reachable or the shard was sent back. Before, a copy that was another picture of the same
name and size was paired silently (the objects landed on the lead's picture), and a renamed copy was
paired with a base but not reported, made a second image ('image id 3 is already used; renumbered'), or
was merged under the annotator's laptop path."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge_image import content_key
from pixelproof.core.model import Project
from pixelproof.core.shard_match import FILES_AT_SPLIT
from pixelproof.core.split import image_key
from tests.core.test_merge_relocated_copies import _contents, _merge, _team


def other_picture(path: Path) -> None:
    """Another picture of the same size and file name (another dataset's img3.png)."""
    with Image.open(path) as im:
        w, h = im.size
    Image.fromarray((np.arange(w * h) % 251).astype(np.uint8).reshape(h, w)).save(path)


def reencode(path: Path) -> None:
    """The same pixels saved again (another compression): other bytes, another byte size."""
    with Image.open(path) as im:
        pixels = np.asarray(im)
    before = path.stat().st_size
    Image.fromarray(pixels).save(path, compress_level=0)
    assert path.stat().st_size != before


def _pick(t: dict, overlap: bool) -> tuple[Project, int]:
    """ann's shard, and one of its images (an overlap image or one only ann has)."""
    ann = load_project(t["copies"][0])
    shared = {Path(n).name for n in t["manifest"]["overlap"]}
    iid = next(i for i, im in sorted(ann.images.items()) if (Path(im.file_name).name in shared) == overlap)
    return ann, iid


def _send_back(t: dict, returned: bool) -> list[Path]:
    if not returned:
        return t["copies"]
    back = t["lead"] / "shards" / "returned"
    back.mkdir()
    return [Path(shutil.copy(p, back / p.name)) for p in t["copies"]]


def test_split_records_each_files_byte_size(tmp_path: Path) -> None:
    t = _team(tmp_path, absolute=False, returned=False, honeypots=True)
    for path in t["plain"]:
        shard = load_project(path)
        files = shard.app["shard"][FILES_AT_SPLIT]
        assert set(files) == {str(i) for i in shard.images}
        for entry in files.values():
            assert entry["bytes"] == os.stat(entry["path"]).st_size > 0


@pytest.mark.parametrize("overlap", [False, True])
@pytest.mark.parametrize("into", [True, False])
def test_a_copy_that_is_another_picture_of_that_name_and_size_is_not_paired(
    tmp_path: Path, into: bool, overlap: bool
) -> None:
    t = _team(tmp_path, absolute=False, returned=False, honeypots=False)
    lead = t["lead"]
    ann, iid = _pick(t, overlap)
    copy = Path(os.path.normpath(ann.image_path(ann.images[iid])))
    dealt = Path(ann.app["shard"][FILES_AT_SPLIT][str(iid)]["path"])
    other_picture(copy)
    base = lead / "project.json" if into else None
    got = _merge(t["copies"], base, t["manifest"])
    (conflict,) = [c for c in got.conflicts if c.type == "image_size_mismatch"]  # (and its id renumbered)
    assert conflict.shards == ["ann"]
    text = conflict.message
    assert "another picture" in text and f"image id {iid}" in text, text
    assert f"{copy.stat().st_size} bytes" in text and f"{dealt.stat().st_size} bytes" in text, text
    # ann's objects on that picture are not on the lead's: the lead's image has what the others gave it
    mine = {content_key(a, "cat") for a in ann.annotations_of(iid) if a.author == "ann"}
    on_lead = [a for a in got.project.annotations.values()
               if image_key(got.project, got.project.images[a.image_id]) == str(dealt)]  # fmt: skip
    assert mine and not mine & {content_key(a, "cat") for a in on_lead}
    assert str(copy) in {image_key(got.project, im) for im in got.project.images.values()}  # its own image
    relocated = got.report()["relocated_files"]
    assert not [
        r for r in relocated if r["shard"] == "ann" and r["relocated_to"] == ann.images[iid].file_name
    ]
    assert len(relocated) == sum(len(load_project(p).images) for p in t["copies"]) - 1


@pytest.mark.parametrize("into", [True, False])
def test_a_reencoded_copy_with_the_same_pixels_is_the_picture(tmp_path: Path, into: bool) -> None:
    t = _team(tmp_path, absolute=False, returned=False, honeypots=False)
    ann, iid = _pick(t, overlap=True)
    reencode(ann.image_path(ann.images[iid]))
    base = t["lead"] / "project.json" if into else None
    want = _merge(t["plain"], base, t["manifest"])
    got = _merge(t["copies"], base, t["manifest"])
    assert got.conflicts == want.conflicts == [] and got.stats == want.stats
    assert _contents(got.project) == _contents(want.project)
    assert len(got.report()["relocated_files"]) == sum(len(load_project(p).images) for p in t["copies"])


@pytest.mark.parametrize("returned", [False, True])
@pytest.mark.parametrize("into", [True, False])
def test_a_copy_relocated_and_renamed_is_the_image_dealt_out_under_its_id(
    tmp_path: Path, into: bool, returned: bool
) -> None:
    """ann's copy of an overlap image was saved as renamed<id>.png and her shard points at it: paired with
    the image dealt out (and bob's copy of it), under the lead's path, reported as relocated and renamed -
    with a base or without, the copy on this disk or the shard sent back alone."""
    t = _team(tmp_path, absolute=False, returned=False, honeypots=False)
    ann, iid = _pick(t, overlap=True)
    im = ann.images[iid]
    old = ann.image_path(im)
    im.file_name = str(Path(im.file_name).with_name(f"renamed{iid + 1}.png"))
    old.rename(ann.image_path(im))
    save_project(ann)
    copies = _send_back(t, returned)
    base = t["lead"] / "project.json" if into else None
    want = _merge(t["plain"], base, t["manifest"])
    got = _merge(copies, base, t["manifest"])
    assert got.conflicts == want.conflicts == [] and got.stats == want.stats
    assert _contents(got.project) == _contents(want.project)
    assert got.project.app.get("overlap_annotators") == want.project.app.get("overlap_annotators")
    if into:
        names = {im.file_name for im in load_project(base).images.values()}
        assert {im.file_name for im in got.project.images.values()} == names
    report = got.report()
    assert report["renamed_files"] == []
    (row,) = [r for r in report["relocated_files"] if r["relocated_to"] == im.file_name]
    assert row["shard"] == "ann" and row["renamed"] is True
    assert Path(row["file_name"]).name == old.name
    assert sum(r["renamed"] for r in report["relocated_files"]) == 1


def test_shards_split_before_byte_sizes_were_recorded_pair_as_before(tmp_path: Path) -> None:
    """A shard whose files_at_split has no byte sizes (split by the previous version): a copy of the name
    and size dealt out is paired, as that version did."""
    t = _team(tmp_path, absolute=False, returned=False, honeypots=False)
    ann, iid = _pick(t, overlap=False)
    for entry in ann.app["shard"][FILES_AT_SPLIT].values():
        del entry["bytes"]
    save_project(ann)
    other_picture(ann.image_path(ann.images[iid]))
    want = _merge(t["plain"], t["lead"] / "project.json", t["manifest"])
    got = _merge(t["copies"], t["lead"] / "project.json", t["manifest"])
    assert got.conflicts == [] and _contents(got.project) == _contents(want.project)


def _relocate_on_laptop(t: dict, ann: Project, dealt_here: bool) -> None:
    """ann's USB folder moved (her shard's copies missing), then her shard relocated to it as the app and
    the CLI do (find_moved, check_copies, one RelocateImages), with or without the lead's disk there."""
    from pixelproof.core.edits.images import RelocateImages
    from pixelproof.core.image_folder import find_moved
    from pixelproof.core.shard_match import check_copies

    usb = Path(os.path.normpath(ann.image_path(next(iter(ann.images.values()))))).parents[1]
    moved = usb.with_name("usb2")
    usb.rename(moved)
    if not dealt_here:
        (t["lead"] / "images").rename(t["lead"] / "away")
    found, problems = find_moved(ann, moved)
    found, refused, _warnings, copies = check_copies(ann, found)
    assert problems == refused == [] and len(found) == len(ann.images)
    RelocateImages(found, copies=copies).apply(ann)
    save_project(ann)
    if not dealt_here:
        (t["lead"] / "away").rename(t["lead"] / "images")


@pytest.mark.parametrize("picture", ["reencoded", "other"])
@pytest.mark.parametrize("into", [True, False])
def test_a_copy_relocated_unchecked_and_sent_back_without_it_is_not_paired_unsaid(
    tmp_path: Path, into: bool, picture: str
) -> None:
    """ann relocated her shard on her laptop (the file dealt out not there) to a copy of another byte size
    than dealt out - saved again, or another picture by that name: relocate warned her, and the shard
    recorded the copy's byte size. Sent back without the copy, nothing can compare its pixels now; merge
    paired it silently with the lead's picture. It is now an image_size_mismatch conflict naming the
    image and both byte sizes, kept as an image of its own - and agreement says it leaves it out."""
    from pixelproof.core.agreement import Rater, run_agreement
    from pixelproof.core.merge import Shard

    t = _team(tmp_path, absolute=False, returned=False, honeypots=False)
    ann, iid = _pick(t, overlap=True)
    copy = Path(os.path.normpath(ann.image_path(ann.images[iid])))
    (reencode if picture == "reencoded" else other_picture)(copy)
    _relocate_on_laptop(t, ann, dealt_here=False)
    entry = ann.app["shard"][FILES_AT_SPLIT][str(iid)]
    size = Path(os.path.normpath(ann.image_path(ann.images[iid]))).stat().st_size
    assert entry["copy"] == {"name": copy.name, "bytes": size, "compared": False} and entry["bytes"] != size
    copies = _send_back(t, returned=True)
    laptop = tmp_path / "ann-laptop"
    laptop.rename(tmp_path / "ann-laptop-away")  # the copies are not on the lead's disk
    base = t["lead"] / "project.json" if into else None
    got = _merge(copies, base, t["manifest"])
    (conflict,) = [c for c in got.conflicts if c.type == "image_size_mismatch"]
    assert conflict.shards == ["ann"] and f"image id {iid}" in conflict.message, conflict.message
    assert f"{size} bytes" in conflict.message and f"{entry['bytes']} bytes" in conflict.message
    assert "cannot be compared" in conflict.message, conflict.message
    dealt = entry["path"]
    on_lead = [a for a in got.project.annotations.values()
               if image_key(got.project, got.project.images[a.image_id]) == dealt]  # fmt: skip
    mine = {content_key(a, "cat") for a in ann.annotations_of(iid) if a.author == "ann"}
    assert mine and not mine & {content_key(a, "cat") for a in on_lead}
    shards = [Shard.of(load_project(p), p.stem) for p in copies]
    raters = [Rater(s.name, s.project, s.split) for s in shards]
    result = run_agreement(raters)
    (said,) = [p for p in result.problems if f"image id {iid}" in p]
    assert "ann" in said and "left out of the comparison" in said and f"{size} bytes" in said, said


def test_a_copy_whose_pixels_were_compared_when_relocated_pairs_when_sent_back(tmp_path: Path) -> None:
    """The same, relocated where the file dealt out was (its pixels compared then: the same picture saved
    again): sent back without the copy, it is the image dealt out, as before."""
    t = _team(tmp_path, absolute=False, returned=False, honeypots=False)
    ann, iid = _pick(t, overlap=True)
    reencode(Path(os.path.normpath(ann.image_path(ann.images[iid]))))
    _relocate_on_laptop(t, ann, dealt_here=True)
    assert ann.app["shard"][FILES_AT_SPLIT][str(iid)]["copy"]["compared"] is True
    copies = _send_back(t, returned=True)
    (tmp_path / "ann-laptop").rename(tmp_path / "ann-laptop-away")
    want = _merge(t["plain"], t["lead"] / "project.json", t["manifest"])
    got = _merge(copies, t["lead"] / "project.json", t["manifest"])
    assert got.conflicts == want.conflicts == [] and _contents(got.project) == _contents(want.project)
