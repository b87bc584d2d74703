"""`pixelproof merge` of an image two annotators edited (two rounds of `pixelproof split`), each changing
other objects: merged object by object, said in the summary line, the same bytes in any shard order and
with worker processes."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.core.teams_data import box_annotation, make_project


def test_merge_says_how_many_images_merged_object_by_object_and_is_the_same_in_any_order(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 8)
    save_project(project)
    for names, seed, folder in (("ann,bob", "1", "r1"), ("cy,dan", "2", "r2")):
        split = ["split", str(project.path), "--annotators", names, "--overlap", "0", "--seed", seed]
        assert main([*split, "-o", str(tmp_path / folder)]) == 0
    shards = sorted(tmp_path.glob("r?/*.json"))
    shards = [p for p in shards if p.name != "lead-manifest.json"]
    edited = []
    for folder, change in (("r1", "move"), ("r2", "draw")):
        path = next(p for p in shards if p.parent.name == folder and 3 in load_project(p).images)
        shard = load_project(path)
        if change == "move":
            shard.annotations[6].set_geometry(None, [2.0, 2.0, 9.0, 9.0], 81.0)
        else:
            shard.remove_annotation(5)
            shard.add_annotation(box_annotation(shard.next_annotation_id(), 3, 2, [30, 30, 6, 6]))
        save_project(shard)
        edited.append(path)
    capsys.readouterr()
    outputs = []
    for k, (order, extra) in enumerate(((shards, []), (shards[::-1], ["--workers", "2"]))):
        out, report = tmp_path / f"merged{k}.json", tmp_path / f"report{k}.json"
        args = [
            "merge",
            *map(str, order),
            "--into",
            str(project.path),
            "-o",
            str(out),
            "--report",
            str(report),
        ]
        assert main([*args, *extra]) == 0
        printed = capsys.readouterr().out
        assert (
            "0 overlap images kept side by side, 1 image edited in two shards merged object by object, "
            "0 honeypots left out, 0 conflicts"
        ) in printed
        assert json.loads(report.read_text())["stats"]["merged_by_object"] == 1
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    merged = load_project(tmp_path / "merged0.json")
    assert sorted(a.bbox for a in merged.annotations_of(3)) == [[2.0, 2.0, 9.0, 9.0], [30.0, 30.0, 6.0, 6.0]]
