"""``pixelproof relocate`` on a shard, to an annotator's own copy of the pictures: is each copy the picture
dealt out? The split recorded each file's byte size. Where the file dealt out is on this disk, a copy that
is another picture by that name (other bytes, other pixels) is refused and a copy saved again with the same
pixels is taken; where it is not (the annotator's laptop), a copy of another byte size is relocated with a
warning naming both sizes - only the pixels could tell a re-encoded copy from another picture. Before,
any file of that name and size was taken, and merge paired it with the lead's picture."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from tests.core.test_add_and_relocate_images import png
from tests.core.test_merge_copy_identity import other_picture, reencode


@pytest.mark.parametrize("dealt_here", [True, False])
def test_relocating_a_shard_checks_each_copy_against_the_file_dealt_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dealt_here: bool
) -> None:
    lead = tmp_path / "lead"
    for k in range(6):
        png(lead / "images" / f"img{k}.png", 10 + k, 8)
    save_project(project_from_folder(lead / "images", lead / "project.json", ["cat"]))
    assert (
        main(["split", str(lead / "project.json"), "--annotators", "ann,bob", "-o", str(lead / "shards")])
        == 0
    )
    laptop = tmp_path / "ann-laptop"
    shutil.copytree(lead / "images", laptop / "usb" / "photos")
    shard_path = Path(shutil.copy(lead / "shards" / "ann.json", laptop / "ann.json"))
    shard = load_project(shard_path)
    other, saved_again, *same = (Path(shard.images[i].file_name).name for i in sorted(shard.images))
    assert same
    other_picture(laptop / "usb" / "photos" / other)
    reencode(laptop / "usb" / "photos" / saved_again)
    size = {n: (laptop / "usb" / "photos" / n).stat().st_size for n in (other, saved_again)}
    dealt = {n: (lead / "images" / n).stat().st_size for n in (other, saved_again)}
    if not dealt_here:
        (lead / "images").rename(lead / "away")
    capsys.readouterr()
    code = main(["relocate", str(shard_path), "--to", str(laptop / "usb")])
    out, err = capsys.readouterr()
    names = {Path(im.file_name).name: im.file_name for im in load_project(shard_path).images.values()}
    assert all(names[n] == f"usb/photos/{n}" for n in same)
    lines = err.splitlines()
    if dealt_here:
        assert code == 3, err
        (line,) = [x for x in lines if other in x]
        assert "another picture" in line and "not relocated" in line and "error" in line, line
        assert f"{size[other]} bytes" in line and f"{dealt[other]} bytes" in line, line
        assert names[other].startswith("../") and names[saved_again] == f"usb/photos/{saved_again}"
        assert not [x for x in lines if saved_again in x], err  # the same pixels: the picture
        assert f"{len(names) - 1} relocated, 1 still missing" in out
    else:
        assert code == 0, err
        for name in (other, saved_again):
            (line,) = [x for x in lines if name in x]
            assert re.search(rf"warning: .*{size[name]} bytes, dealt out as {dealt[name]} bytes", line), line
            assert names[name] == f"usb/photos/{name}"
        assert len(lines) == 2 and f"{len(names)} relocated, 0 still missing" in out


@pytest.mark.parametrize("dealt_here", [True, False])
def test_a_shard_sent_back_without_its_copies_is_checked_at_merge_and_agreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dealt_here: bool
) -> None:
    """ann relocates her shard to her USB copy, where one file was saved again (other bytes, the same
    pixels), and sends the shard back without the copies. relocate records each copy's byte size in the
    shard. Where the file dealt out was on her disk, relocate compared the pixels: merge pairs the copy.
    Where it was not, nothing ever compared them: merge pairs it no more silently (an image_size_mismatch
    conflict naming the image and both byte sizes, exit 3) and agreement says it leaves it out (stderr and
    the JSON's problems) - before, both paired it with the lead's picture unsaid."""
    lead = tmp_path / "lead"
    for k in range(6):
        png(lead / "images" / f"img{k}.png", 10 + k, 8)
    save_project(project_from_folder(lead / "images", lead / "project.json", ["cat"]))
    split = ["split", str(lead / "project.json"), "--annotators", "ann,bob", "-o", str(lead / "shards")]
    assert main([*split, "--overlap", "1"]) == 0  # every image in both shards: agreement compares them all
    laptop = tmp_path / "ann-laptop"
    shutil.copytree(lead / "images", laptop / "usb" / "photos")
    shard_path = Path(shutil.copy(lead / "shards" / "ann.json", laptop / "ann.json"))
    name = Path(load_project(shard_path).images[min(load_project(shard_path).images)].file_name).name
    reencode(laptop / "usb" / "photos" / name)
    size, dealt = (laptop / "usb" / "photos" / name).stat().st_size, (lead / "images" / name).stat().st_size
    if not dealt_here:
        (lead / "images").rename(lead / "away")
    assert main(["relocate", str(shard_path), "--to", str(laptop / "usb")]) == 0
    if not dealt_here:
        (lead / "away").rename(lead / "images")
    (entry,) = [e for e in load_project(shard_path).app["shard"]["files_at_split"].values()
                if Path(e["path"]).name == name]  # fmt: skip
    assert entry["copy"] == {"name": name, "bytes": size, "compared": dealt_here}
    back = Path(shutil.copy(shard_path, lead / "shards" / "returned-ann.json"))
    laptop.rename(tmp_path / "away")  # the shard alone comes back
    capsys.readouterr()
    shards = [str(back), str(lead / "shards" / "bob.json")]
    code = main(["merge", *shards, "-o", str(lead / "merged.json"), "--into", str(lead / "project.json")])
    _, err = capsys.readouterr()
    said = [x for x in err.splitlines() if name in x and "image_size_mismatch" in x]
    if dealt_here:
        assert code == 0 and not said, err
    else:
        assert code == 3 and len(said) == 1, err
        assert f"{size} bytes" in said[0] and f"{dealt} bytes" in said[0] and "cannot be compared" in said[0]
    out = tmp_path / "agreement.json"
    assert main(["agreement", *shards, "--json", str(out)]) == 0
    _, err = capsys.readouterr()
    problems = [p for p in json.loads(out.read_text())["problems"] if name in p]
    lines = [x for x in err.splitlines() if name in x]
    if dealt_here:
        assert not problems and not lines, err
    else:
        (problem,) = problems
        assert "left out of the comparison" in problem and f"{size} bytes" in problem, problem
        assert len(lines) == 1 and "left out of the comparison" in lines[0], err
