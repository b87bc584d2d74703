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
