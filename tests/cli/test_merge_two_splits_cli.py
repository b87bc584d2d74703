"""One annotator's shards of two different splits merged together (no manifest to tell): both versions of
an image would be tagged as that annotator's, so consensus and agreement would count one annotator twice
and the objects double. Refused before anything is merged, naming both files, both splits and what to do."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import LAST_ANNOTATION_ID
from tests.core.teams_data import box_annotation, make_project


def _add_box(shard: Path, file_name: str) -> None:
    p = load_project(shard)
    im = next(im for im in p.images.values() if im.file_name == file_name)
    p.add_annotation(box_annotation(p.id_counter(LAST_ANNOTATION_ID).take(), im.id, 1, [2, 2, 5, 5]))
    save_project(p)


def test_one_annotators_shards_of_two_splits_are_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 20)
    save_project(project)
    new, old = tmp_path / "shards", tmp_path / "old"
    split = ["split", str(project.path), "--annotators", "ann,bob,cy,dee", "--overlap", "0.2"]
    assert main([*split, "-o", str(new)]) == 0
    assert main([*split, "--seed", "1", "-o", str(old)]) == 0
    ids = [json.loads((d / "lead-manifest.json").read_text())["split"] for d in (old, new)]
    assert ids[0] != ids[1]
    both = {im.file_name for im in load_project(new / "ann.json").images.values()} & {
        im.file_name for im in load_project(old / "ann.json").images.values()
    }
    shared = sorted(both)[0]
    for d in (old, new):
        _add_box(d / "ann.json", shared)
    before = Path(project.path).read_bytes()
    capsys.readouterr()
    merged = tmp_path / "merged.json"
    into = ["--into", str(project.path), "-o", str(merged)]
    code = main(["merge", str(old / "ann.json"), str(new / "ann.json"), *into])
    assert code == 1
    err = capsys.readouterr().err
    assert (
        f"{old / 'ann.json'} and {new / 'ann.json'} are two shards of ann from different splits "
        f"(split {ids[0]} and split {ids[1]})"
    ) in err
    assert "Merge the shards of one split" in err
    assert Path(project.path).read_bytes() == before and not merged.exists()
    # one split's shards of each annotator merge as before
    assert main(["merge", str(new / "ann.json"), str(new / "bob.json"), *into]) in (0, 3)
    assert merged.exists()
