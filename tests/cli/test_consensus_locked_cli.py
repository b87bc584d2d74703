"""A lead locks the checked objects before ``split``: on overlap images every annotator's copy arrives
locked. Their consensus is the checked object itself - its exact shape and class, locked - so ``consensus
--accept`` replaces the copies by it; where an annotator unlocked and changed their copy, accepting would
change a checked object, and is refused naming the locked copy, the file untouched."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.object_lock import is_locked
from tests.core.teams_data import make_project


def _merged(tmp_path: Path, change_bobs: bool = False) -> tuple[Path, list[str], dict]:
    project = make_project(tmp_path, 10)
    save_project(project)
    shape = {
        (project.images[a.image_id].file_name, a.category_id, tuple(a.bbox)): a
        for a in project.annotations.values()
    }
    assert main(["lock", str(project.path), "--images", "*"]) == 0
    out = tmp_path / "shards"
    split = ["split", str(project.path), "--annotators", "ann,bob,cy", "--overlap", "0.3", "-o", str(out)]
    assert main(split) == 0
    overlap = json.loads((out / "lead-manifest.json").read_text())["overlap"]
    names = list(overlap)  # file name -> the annotators given it
    if change_bobs:  # bob unlocks a box of an overlap image and moves it
        bob = json.loads((out / "bob.json").read_text())
        mine = [n for n, who in overlap.items() if "bob" in who]
        image = next(im["id"] for im in bob["images"] if im["file_name"].endswith(mine[0]))
        box = next(a for a in bob["annotations"] if a["image_id"] == image and "segmentation" not in a)
        box["pixelproof"].pop("locked")
        box["bbox"][0] += 9
        (out / "bob.json").write_text(json.dumps(bob))
    merged = tmp_path / "merged.json"
    shards = [str(out / f"{n}.json") for n in ("ann", "bob", "cy")]
    assert main(["merge", *shards, "-o", str(merged)]) in (0, 3)
    assert main(["consensus", str(merged)]) == 0
    return merged, names, shape


def test_accepting_the_consensus_of_locked_copies_keeps_the_checked_objects_locked(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    merged, names, shape = _merged(tmp_path)
    assert names
    capsys.readouterr()
    assert main(["consensus", str(merged), "--accept"]) == 0
    assert "consensus accepted on" in capsys.readouterr().out
    p = load_project(merged)
    for name in names:
        anns = [a for a in p.annotations.values() if p.images[a.image_id].file_name == name]
        assert len(anns) == 2  # one object for the three copies of each
        for a in anns:
            was = shape[(name, a.category_id, tuple(a.bbox))]  # the checked object's very box and class
            assert a.segmentation == was.segmentation and a.area == was.area
            assert is_locked(a) and a.review == "accepted"
    assert all(is_locked(a) for a in p.annotations.values())


def test_a_changed_copy_of_a_locked_object_refuses_the_accept(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    merged, _, _ = _merged(tmp_path, change_bobs=True)
    before = merged.read_bytes()
    capsys.readouterr()
    assert main(["consensus", str(merged), "--accept"]) == 1
    err = capsys.readouterr().err
    assert "is locked: unlock it to delete it; nothing changed" in err and "Traceback" not in err
    assert merged.read_bytes() == before
