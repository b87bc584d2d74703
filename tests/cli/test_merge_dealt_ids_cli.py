"""`pixelproof merge` without `--into` of shards where one annotator moved an object of an overlap image
dealt out to two: the object dealt out, not two new objects sharing an id - before, `annotation_id_collision
... renumbered to ...` and exit 3, where `--into` merged the same shards cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.core.teams_data import make_project


@pytest.mark.parametrize("manifest", [True, False])
def test_merge_without_into_takes_an_edited_overlap_object_for_the_one_dealt_out(
    tmp_path: Path, capsys, manifest: bool
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 10)
    for i in project.images:  # one object per image: the split recorded no order for such an image
        project.remove_annotation(project.annotation_ids_of(i)[-1])
    save_project(project)
    out = tmp_path / "shards"
    split = ["split", str(project.path), "--annotators", "ann,bob,cy", "--overlap", "0.3", "-o", str(out)]
    assert main(split) == 0
    overlap = json.loads((out / "lead-manifest.json").read_text())["overlap"]
    name, (who, _) = sorted(overlap.items())[0]
    shard = load_project(out / f"{who}.json")
    image = next(im.id for im in shard.images.values() if Path(im.file_name).name == Path(name).name)
    moved = shard.annotation_ids_of(image)[0]
    shard.annotations[moved].set_geometry(None, [2.0, 2.0, 9.0, 9.0], 81.0)
    save_project(shard)
    capsys.readouterr()
    merged = tmp_path / "merged.json"
    args = ["merge", *(str(out / f"{n}.json") for n in ("ann", "bob", "cy")), "-o", str(merged)]
    if manifest:
        args += ["--manifest", str(out / "lead-manifest.json")]
    assert main(args) == 0
    printed = capsys.readouterr()
    assert "annotation_id_collision" not in printed.out + printed.err
    assert "0 conflicts" in printed.out
    result = load_project(merged)
    versions = {(a.app_extra["annotator"], tuple(a.bbox)) for a in result.annotations_of(image)}
    assert (who, (2.0, 2.0, 9.0, 9.0)) in versions and len(versions) == 2  # both ratings, side by side
    assert result.annotations[moved].image_id == image  # the first version keeps the id dealt out
