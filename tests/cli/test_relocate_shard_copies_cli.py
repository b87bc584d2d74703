"""``pixelproof relocate`` on a shard, to an annotator's own copy of the pictures: is each copy the picture
dealt out? The split recorded each file's byte size. Where the file dealt out is on this disk, a copy that
is another picture by that name (other bytes, other pixels) is refused and a copy saved again with the same
pixels is taken; where it is not (the annotator's laptop), a copy of another byte size is relocated with a
warning naming both sizes - only the pixels could tell a re-encoded copy from another picture. Before,
any file of that name and size was taken, and merge paired it with the lead's picture."""

from __future__ import annotations

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
