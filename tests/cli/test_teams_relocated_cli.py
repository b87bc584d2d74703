"""The team walkthrough with the README's commands: the lead splits, each annotator copies the images to a
folder of their own, runs ``pixelproof relocate`` on their shard, labels and sends it back; the lead merges
(``--into`` and ``--manifest``, and without ``--into``) and measures agreement. Before, the merge paired
nothing: every image came back as a second one, its id renumbered, each an ``image_id_collision``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import LAST_ANNOTATION_ID
from pixelproof.core.split import image_key
from tests.core.teams_data import box_annotation
from tests.core.test_add_and_relocate_images import png


def _walkthrough(tmp_path: Path) -> tuple[Path, list[Path]]:
    lead = tmp_path / "lead"
    for k in range(7):
        png(lead / "images" / f"img{k}.png", 10 + k, 8)
    png(lead / "gold" / "hp0.png", 13, 7)
    save_project(project_from_folder(lead / "images", lead / "project.json", ["cat"]))
    save_project(project_from_folder(lead / "gold", lead / "gold.json", ["cat"]))
    shards = lead / "shards"
    gold = ["--honeypots", str(lead / "gold.json"), "--honeypot-fraction", "0.2"]
    split = ["split", str(lead / "project.json"), "--annotators", "ann,bob", "--overlap", "0.3", *gold]
    assert main([*split, "-o", str(shards)]) == 0
    returned = shards / "returned"
    returned.mkdir()
    out = []
    (lead / "images").rename(lead / "images-away")  # not on the laptops
    (lead / "gold").rename(lead / "gold-away")
    for n, name in enumerate(("ann", "bob")):
        laptop = tmp_path / f"{name}-laptop"
        shutil.copytree(lead / "images-away", laptop / "usb" / "photos")
        shutil.copytree(lead / "gold-away", laptop / "usb" / "gold")
        shutil.copy(shards / f"{name}.json", laptop / f"{name}.json")
        assert main(["relocate", str(laptop / f"{name}.json"), "--to", str(laptop / "usb")]) == 0
        shard = load_project(laptop / f"{name}.json")  # what the annotator draws in the app
        ids = iter(shard.new_ids(LAST_ANNOTATION_ID, len(shard.images)))
        for iid in shard.images:
            shard.add_annotation(box_annotation(next(ids), iid, 1, [1 + n, 1, 3, 3], author=name))
        save_project(shard)
        out.append(Path(shutil.copy(laptop / f"{name}.json", returned / f"{name}.json")))
    (lead / "images-away").rename(lead / "images")
    (lead / "gold-away").rename(lead / "gold")
    return lead, out


@pytest.mark.parametrize("into", [True, False])
def test_shards_relocated_to_each_annotators_copy_merge_into_the_leads_images(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], into: bool
) -> None:
    lead, shards = _walkthrough(tmp_path)
    manifest = lead / "shards" / "lead-manifest.json"
    merged, report = lead / "merged.json", lead / "conflicts.json"
    capsys.readouterr()
    base = ["--into", str(lead / "project.json")] if into else []
    code = main(["merge", *map(str, shards), *base, "--manifest", str(manifest), "-o", str(merged),
                 "--report", str(report)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "renumbered" not in err and "conflict" not in err
    project, result = load_project(lead / "project.json"), load_project(merged)
    # every image once, at the lead's file; the honeypot left out
    assert sorted(image_key(result, im) for im in result.images.values()) == sorted(
        image_key(project, im) for im in project.images.values()
    )
    if into:
        assert {i: im.file_name for i, im in result.images.items()} == {
            i: im.file_name for i, im in project.images.items()
        }
    authors = {(a.image_id, a.author) for a in result.annotations.values()}
    dealt = {
        (im.id, s.app["shard"]["annotator"]) for s in map(load_project, shards) for im in s.images.values()
    }
    assert authors == {(i, who) for i, who in dealt if i in project.images}  # each one's work, on its image
    data = json.loads(report.read_text())
    assert data["conflicts"] == [] and data["stats"]["honeypots_left_out"] == 1
    assert data["stats"]["overlap_images"] == 2
    assert len(data["relocated_files"]) == len(authors)
    for name in ("ann", "bob"):
        (line,) = [x for x in out.splitlines() if x.startswith(f"relocated in {name}'s shard")]
        n = sum(who == name for _, who in authors)
        # the lead's name (from the merged project's folder) -> the annotator's, as their shard has it
        example = r"\((\.\./)*images/img(\d)\.png -> usb/photos/img\2\.png, \.\.\.\)"
        assert re.fullmatch(
            f"relocated in {name}'s shard to copies of their files: {n} images {example}; merged under the "
            "project's names",
            line,
        ), line
    # agreement on the shards as sent back: the two overlap images, the honeypot left out
    capsys.readouterr()
    agreement = lead / "agreement.json"
    assert main(["agreement", *map(str, shards), "--manifest", str(manifest), "--json", str(agreement)]) == 0
    assert json.loads(agreement.read_text())["images"] == 2


@pytest.mark.parametrize("into", [True, False])
def test_a_copy_renamed_on_the_annotators_disk_merges_into_the_image_dealt_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], into: bool
) -> None:
    """ann saved her copy of one picture as renamed<k>.png and pointed her shard at it: merged into the
    lead's image of that id, said as a relocation, renamed. Before: with --into it was paired but not
    said; without, merged under ann's laptop path."""
    lead, shards = _walkthrough(tmp_path)
    ann = load_project(shards[0])
    im = ann.images[min(ann.images)]
    k = re.fullmatch(r"usb/photos/img(\d)\.png", im.file_name)[1]  # type: ignore[index]
    im.file_name = f"usb/photos/renamed{k}.png"
    save_project(ann)
    merged, report = lead / "merged.json", lead / "conflicts.json"
    base = ["--into", str(lead / "project.json")] if into else []
    manifest = ["--manifest", str(lead / "shards" / "lead-manifest.json")]
    capsys.readouterr()
    code = main(["merge", *map(str, shards), *base, *manifest, "-o", str(merged), "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == 0 and "renumbered" not in err and "conflict" not in err, err
    result = load_project(merged)
    assert sorted(image_key(result, i) for i in result.images.values()) == sorted(
        image_key(result, i) for i in load_project(lead / "project.json").images.values()
    )
    assert {a.author for a in result.annotations_of(im.id)} >= {"ann"}
    (line,) = [x for x in out.splitlines() if x.startswith("relocated in ann's shard")]
    assert re.search(
        rf", 1 of them renamed \((\.\./)*images/img{k}\.png -> usb/photos/renamed{k}\.png\);", line
    )
    rows = json.loads(report.read_text())["relocated_files"]
    assert [r["relocated_to"] for r in rows if r["renamed"]] == [im.file_name]
