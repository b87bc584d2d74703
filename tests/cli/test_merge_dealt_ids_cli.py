"""`pixelproof merge` without `--into` of shards where one annotator moved an object of an overlap image
dealt out to two: the object dealt out, not two new objects sharing an id - before, `annotation_id_collision
... renumbered to ...` and exit 3, where `--into` merged the same shards cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
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


def test_a_shard_whose_record_claims_another_annotators_new_id_takes_it_not(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """ann and bob each add an object numbered 1000 to an overlap image: a true collision, bob's renumbered.
    bob's hand-edited record then named 1000 as dealt out on that image: his object kept 1000 and ann's,
    renumbered, was the one said to collide. The split deals every annotator of an image the same objects, so
    an id only one shard's record claims is none dealt out: as without the edit."""
    project = make_project(tmp_path, 10)
    save_project(project)
    out = tmp_path / "shards"
    assert (
        main(["split", str(project.path), "--annotators", "ann,bob", "--overlap", "0.3", "-o", str(out)]) == 0
    )
    name = sorted(json.loads((out / "lead-manifest.json").read_text())["overlap"])[0]
    for who, x in (("ann", 5.0), ("bob", 30.0)):
        shard = load_project(out / f"{who}.json")
        image = next(im.id for im in shard.images.values() if Path(im.file_name).name == Path(name).name)
        shard.add_annotation(Annotation(1000, image, next(iter(shard.categories)), [x, x, 10.0, 10.0]))
        if who == "bob":
            shard.app["shard"]["stacking_at_split"][str(image)].append(1000)
        save_project(shard)
    capsys.readouterr()
    merged = tmp_path / "merged.json"
    assert main(["merge", str(out / "ann.json"), str(out / "bob.json"), "-o", str(merged)]) == 3
    printed = capsys.readouterr()
    assert "annotation id 1000 is already used" in printed.out + printed.err
    new = {
        a.app_extra["annotator"]: a.id
        for a in load_project(merged).annotations_of(image)
        if a.bbox[2] == 10.0
    }
    assert new["ann"] == 1000 and new["bob"] != 1000
