"""Annotators who work on their own copies of the images: each copies the pictures to their laptop (another
folder, another parent), opens their shard, finds the images missing and relocates it to the copy
(``find_moved`` + ``RelocateImages``, what ``pixelproof relocate`` and Locate Missing Images do). Merge and
agreement must pair each relocated record with the image the split dealt out under its id, as if the
shards had never been relocated, and keep the lead's paths. Before, merge paired nothing (every image
came back as a second one, its id renumbered, reported as an id collision)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from pixelproof.core.agreement import raters_from_shards, run_agreement
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits.images import RelocateImages
from pixelproof.core.image_folder import find_moved, project_from_folder
from pixelproof.core.merge import MergeResult, Shard, merge_shards, relocated_lines
from pixelproof.core.merge_image import content_key
from pixelproof.core.model import LAST_ANNOTATION_ID, Project
from pixelproof.core.shard_match import FILES_AT_SPLIT
from pixelproof.core.split import image_key, manifest_keys, split_project
from tests.core.teams_data import box_annotation
from tests.core.test_add_and_relocate_images import png

SIZES = [(10, 8), (12, 8), (10, 9), (14, 6), (9, 9), (16, 10), (11, 11)]
NAMES = ["ann", "bob"]


def _edit(shard: Project, who: str) -> None:
    """What the annotator does: a box of their own on every image they were dealt (a different one each)."""
    ids = iter(shard.new_ids(LAST_ANNOTATION_ID, len(shard.images)))
    for iid in sorted(shard.images):
        x = 1 + NAMES.index(who)
        shard.add_annotation(box_annotation(next(ids), iid, 1, [x, 1, 3, 2 + iid % 3], author=who))


def _team(
    tmp_path: Path, *, absolute: bool, returned: bool, honeypots: bool = True, older: bool = False
) -> dict:
    """The lead splits; every annotator copies the images (honeypots too) to a USB folder of their own,
    relocates their shard there, edits it and saves. ``returned``: the shards are sent back to the lead's
    shards/returned/ (their copies' paths lead nowhere there); else merged where they were saved (the
    team walkthrough, one machine: the copies exist). Also the same edits on shards never relocated.
    ``older``: shards as an earlier version split them, without the files they were dealt."""
    lead = tmp_path / "lead"
    for k, (w, h) in enumerate(SIZES):
        png(lead / "images" / f"img{k}.png", w, h)
    base = project_from_folder(lead / "images", lead / "project.json", ["cat"])
    if absolute:
        for im in base.images.values():
            im.file_name = str(base.image_path(im))
    base.add_annotation(box_annotation(1, min(base.images), 1, [2, 2, 4, 4]))
    save_project(base)
    gold = None
    if honeypots:
        png(lead / "gold" / "hp0.png", 13, 7)
        gold = project_from_folder(lead / "gold", lead / "gold.json", ["cat"])
        save_project(gold)
    split = split_project(base, NAMES, overlap=0.3, seed=1, honeypots=gold, honeypot_fraction=0.2)
    assert len(split.overlap) == 2 and len(split.honeypots) == int(honeypots)
    (lead / "shards").mkdir()
    (lead / "plain").mkdir()
    (lead / "shards" / "lead-manifest.json").write_text(json.dumps(split.manifest))
    plain, copies = [], []
    for name, shard in split.shards.items():
        if older:
            del shard.app["shard"][FILES_AT_SPLIT]
        save_project(shard, lead / "shards" / f"{name}.json")
        mine = load_project(lead / "shards" / f"{name}.json")
        _edit(mine, name)
        save_project(mine, lead / "plain" / f"{name}.json")
        plain.append(lead / "plain" / f"{name}.json")
    (lead / "images").rename(lead / "away")  # the lead's disk is not on the laptops
    if honeypots:
        (lead / "gold").rename(lead / "gold-away")
    for name in NAMES:
        usb = tmp_path / f"{name}-laptop" / "usb"
        shutil.copytree(lead / "away", usb / "pictures")
        if honeypots:
            shutil.copytree(lead / "gold-away", usb / "gold")
        work = tmp_path / f"{name}-laptop" / "work" / name
        work.mkdir(parents=True)
        shutil.copy(lead / "shards" / f"{name}.json", work / f"{name}.json")
        shard = load_project(work / f"{name}.json")
        found, problems = find_moved(shard, usb)
        assert problems == [] and len(found) == len(shard.images)
        RelocateImages(found).apply(shard)
        _edit(shard, name)
        save_project(shard)
        copies.append(work / f"{name}.json")
    (lead / "away").rename(lead / "images")
    if honeypots:
        (lead / "gold-away").rename(lead / "gold")
    if returned:
        (lead / "shards" / "returned").mkdir()
        copies = [Path(shutil.copy(p, lead / "shards" / "returned" / p.name)) for p in copies]
    for path in copies:  # relocated: absolute names stay absolute, relative ones lead to the copy
        for im in load_project(path).images.values():
            assert "usb/" in im.file_name
            assert Path(im.file_name).is_absolute() == (absolute and "/gold/" not in im.file_name)
    return {"lead": lead, "plain": plain, "copies": copies, "manifest": split.manifest}


def _merge(paths: list[Path], base: Path | None, manifest: dict | None) -> MergeResult:
    shards = [Shard.of(load_project(p), p.stem) for p in paths]
    return merge_shards(shards, base=load_project(base) if base else None, manifest=manifest)


def _contents(project: Project) -> Counter:
    """Every object by the file (absolute) of its image: what the merge holds, whatever the ids."""
    cats = {c.id: c.name for c in project.categories.values()}
    return Counter(
        (image_key(project, project.images[a.image_id]), content_key(a, cats[a.category_id]))
        for a in project.annotations.values()
    )


@pytest.mark.parametrize("returned", [False, True])
@pytest.mark.parametrize("absolute", [False, True])
@pytest.mark.parametrize("into", [True, False])
@pytest.mark.parametrize("with_manifest", [True, False])
def test_shards_relocated_to_copies_merge_as_if_never_relocated(
    tmp_path: Path, returned: bool, absolute: bool, into: bool, with_manifest: bool
) -> None:
    t = _team(tmp_path, absolute=absolute, returned=returned)
    lead = t["lead"]
    base = lead / "project.json" if into else None
    manifest = t["manifest"] if with_manifest else None
    want = _merge(t["plain"], base, manifest)
    got = _merge(t["copies"], base, manifest)
    assert got.conflicts == want.conflicts == []
    assert got.stats == want.stats
    lead_project = load_project(lead / "project.json")
    assert len(got.project.images) == len(lead_project.images) + (0 if with_manifest else 1)  # honeypot
    # the lead's paths, not the laptops'
    lead_files = {image_key(lead_project, im) for im in lead_project.images.values()}
    hp = {str(lead / "gold" / "hp0.png")}
    got_files = {image_key(got.project, im) for im in got.project.images.values()}
    assert got_files == lead_files | (set() if with_manifest else hp)
    assert got_files == {image_key(want.project, im) for im in want.project.images.values()}
    if into:  # the base's file names as the base writes them
        names = {i: im.file_name for i, im in got.project.images.items()}
        assert {names[i] for i in lead_project.images} == {
            im.file_name for im in lead_project.images.values()
        }
    assert _contents(got.project) == _contents(want.project)
    assert got.project.app.get("overlap_annotators") == want.project.app.get("overlap_annotators")
    # reported as relocations, not as conflicts nor as renames: one entry per copy relocated
    report = got.report()
    assert report["renamed_files"] == [] and report["conflict_counts"] == {}
    relocated = report["relocated_files"]
    shards = [load_project(p) for p in t["copies"]]
    kept = {im.file_name for im in got.project.images.values()}
    every = {(im.file_name, s.app["shard"]["annotator"]) for s in shards for im in s.images.values()}
    honeypot = manifest_keys(t["manifest"], "honeypots")
    if with_manifest:  # a honeypot is left out, not relocated into the project
        every = {(f, w) for f, w in every if not f.endswith("hp0.png")}
        assert all(k.endswith("/gold/hp0.png") for k in honeypot)
    assert {(r["relocated_to"], r["shard"]) for r in relocated} == every
    assert all(r["file_name"] in kept for r in relocated)
    assert not any(r.get("shard_moved") for r in relocated)  # copies indeed
    assert all("copies of their files" in line for line in relocated_lines(relocated))


def _moved_shards(tmp_path: Path, with_copies: bool):  # type: ignore[no-untyped-def]
    """Shards saved in lead/shards/ (names ``../images/imgN.png``), then moved into lead/shards/in/;
    ``with_copies``: the pictures copied to lead/shards/images/, where those names now lead."""
    lead = tmp_path / "lead"
    for k, (w, h) in enumerate(SIZES[:4]):
        png(lead / "images" / f"img{k}.png", w, h)
    base = project_from_folder(lead / "images", lead / "project.json", ["cat"])
    save_project(base)
    split = split_project(base, NAMES, overlap=0.0, seed=1)  # each picture in one shard
    (lead / "shards" / "in").mkdir(parents=True)
    if with_copies:
        shutil.copytree(lead / "images", lead / "shards" / "images")
    moved = []
    for name, shard in split.shards.items():
        _edit(shard, name)
        save_project(shard, lead / "shards" / f"{name}.json")
        moved.append(Path(shutil.move(lead / "shards" / f"{name}.json", lead / "shards" / "in")))
    return lead, base, split, moved


def test_a_shard_moved_to_another_folder_is_said_moved_not_relocated_to_copies(tmp_path: Path) -> None:
    """A shard saved with paths relative to its folder and then moved (mailed back into shards/in/): its
    paths lead nowhere from there, and merge pairs each record with the file dealt out under its id -
    rightly - but said the annotator had "relocated ... to copies of their files", which they never did."""
    lead, base, split, moved = _moved_shards(tmp_path, with_copies=False)
    got = _merge(moved, lead / "project.json", split.manifest)
    want = _merge(moved, None, None)  # without a base
    assert got.conflicts == [] and len(got.project.images) == len(base.images)
    assert want.conflicts == [] and len(want.project.images) == len(base.images)
    for result in (got, want):
        rows = result.report()["relocated_files"]
        assert len(rows) == len(base.images) and all(r["shard_moved"] for r in rows)
        lines = relocated_lines(rows)
        assert len(lines) == 2 and not any("copies" in line for line in lines)
        assert lines[0].startswith(
            "ann's shard was moved from the folder it was saved in: its relative paths"
        )
        assert "2 images paired with the files dealt out (../images/img" in lines[0]


@pytest.mark.parametrize("returned", [False, True])
@pytest.mark.parametrize("into", [True, False])
def test_shards_of_an_earlier_split_relocated_to_copies_pair_by_id_size_and_name(
    tmp_path: Path, returned: bool, into: bool
) -> None:
    """Shards that do not record the files they were dealt: a record is the image of its dealt id in the
    base (or in another shard) when both have the same size and file name; with a base, its name stays.
    (Without a base nothing tells the lead's paths, nor the manifest's overlap images: merged without it.)"""
    t = _team(tmp_path, absolute=False, returned=returned, honeypots=False, older=True)
    base = t["lead"] / "project.json" if into else None
    manifest = t["manifest"] if into else None
    want = _merge(t["plain"], base, manifest)
    got = _merge(t["copies"], base, manifest)
    lead_project = load_project(t["lead"] / "project.json")
    assert got.conflicts == want.conflicts == [] and got.stats == want.stats
    assert len(got.project.images) == len(lead_project.images)
    assert Counter(content for _, content in _contents(got.project).elements()) == Counter(
        content for _, content in _contents(want.project).elements()
    )
    assert got.project.app.get("overlap_annotators") == want.project.app.get("overlap_annotators")
    if into:
        assert _contents(got.project) == _contents(want.project)  # under the base's paths
    if into and not returned:  # (a copy gone here, the base's file there: as if the lead moved it, unsaid)
        assert {(r["relocated_to"], r["shard"]) for r in got.report()["relocated_files"]} == {
            (im.file_name, s.app["shard"]["annotator"])
            for s in map(load_project, t["copies"])
            for im in s.images.values()
        }


def test_agreement_on_relocated_shards_is_agreement_on_the_shards_as_dealt(tmp_path: Path) -> None:
    t = _team(tmp_path, absolute=False, returned=True)
    leave_out = manifest_keys(t["manifest"], "honeypots")

    def figures(paths: list[Path]) -> dict:
        shards = [Shard.of(load_project(p), p.stem) for p in paths]
        data = run_agreement(raters_from_shards(shards), leave_out=leave_out).to_dict()
        for row in data["per_image"]:  # named from the first shard's folder: the lead's file
            row["file_name"] = (paths[0].parent / row["file_name"]).resolve()
        return data

    plain = figures(t["plain"])
    assert plain["images"] == 2, plain  # the overlap images, the honeypot left out
    assert {row["file_name"].parent for row in plain["per_image"]} == {t["lead"] / "images"}
    assert figures(t["copies"]) == plain


def test_a_shard_record_pointed_at_another_picture_by_that_name_is_not_paired(tmp_path: Path) -> None:
    """ann's USB folder holds another picture named img0.png, of another size (relocate refuses it; a
    hand edit or another tool set the record to it): its objects were drawn on that picture, not on the
    lead's img0.png. Not merged onto it: a conflict says why, the lead's image keeps what it had."""
    t = _team(tmp_path, absolute=False, returned=False, honeypots=False)
    lead = t["lead"]
    path = t["copies"][0]
    ann = load_project(path)
    overlap = {Path(n).name for n in t["manifest"]["overlap"]}
    image = next(im for im in ann.images.values() if Path(im.file_name).name not in overlap)
    name = f"images/{Path(image.file_name).name}"
    size = SIZES[int(Path(name).stem[3:])]
    png(ann.image_path(image), 30, 20)
    image.width, image.height = 30, 20
    save_project(ann)
    before = _contents(load_project(lead / "project.json"))
    got = _merge(t["copies"], lead / "project.json", t["manifest"])
    (conflict,) = [c for c in got.conflicts if c.type == "image_size_mismatch"]
    text = conflict.message
    assert "30x20" in text and f"{size[0]}x{size[1]}" in text and "another picture" in text, text
    assert conflict.file_name == name and conflict.shards == ["ann"]
    theirs = next(i for i, im in got.project.images.items() if im.file_name == name)
    mine = {content_key(a, "cat") for a in ann.annotations_of(image.id) if a.author == "ann"}
    assert mine and not mine & {content_key(a, "cat") for a in got.project.annotations_of(theirs)}
    assert {k for k in _contents(got.project) if k[0].endswith(name)} == {
        k for k in before if k[0].endswith(name)
    }
    assert not [r for r in got.report()["relocated_files"] if r["relocated_to"] == image.file_name]


def test_a_shard_moved_with_copies_of_its_images_is_said_relocated_to_copies(tmp_path: Path) -> None:
    """Moved with its pictures (``../images/imgN.png`` from its new folder names real copies): those are
    copies indeed, not paths that lead nowhere."""
    lead, base, split, moved = _moved_shards(tmp_path, with_copies=True)
    got = _merge(moved, lead / "project.json", split.manifest)
    assert got.conflicts == [] and len(got.project.images) == len(base.images)
    rows = got.report()["relocated_files"]
    assert rows and not any(r.get("shard_moved") for r in rows)
    assert all("copies of their files" in line for line in relocated_lines(rows))
