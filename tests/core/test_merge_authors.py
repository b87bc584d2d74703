"""Merge credits the same authors with and without ``--into``: the objects a shard left as dealt keep theirs,
the ones its annotator added take the annotator (before, without a base every object without an author -
the lead's, on images nobody touched too - was credited to the shard's annotator)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Project
from pixelproof.core.split import split_project
from tests.core.teams_data import box_annotation, make_project


def _authors(project: Project) -> dict[tuple[str, tuple[float, ...]], str | None]:
    """Each object's author, by its image's base name (a shard names it from its folder) and its box
    (unique in this test's images)."""
    return {
        (Path(project.images[a.image_id].file_name).name, tuple(a.bbox)): a.author
        for a in project.annotations.values()
    }


def test_authors_are_the_same_with_and_without_a_base(tmp_path: Path) -> None:
    base = make_project(tmp_path, 6)
    first = base.annotations_of(1)[0]
    first.author = "lead"  # an object someone is credited for already
    save_project(base)
    result = split_project(base, ["ann", "bob"], seed=1)
    out = tmp_path / "shards"
    out.mkdir()
    for name, shard in result.shards.items():
        save_project(shard, out / f"{name}.json")
    ann = load_project(out / "ann.json")
    image = next(iter(ann.images.values()))
    ann.add_annotation(
        box_annotation(ann.next_annotation_id(), image.id, 1, [3, 3, 5, 5])
    )  # drawn in the app
    save_project(ann)
    shards = [Shard.of(load_project(out / f"{n}.json"), n) for n in ("ann", "bob")]

    into = _authors(merge_shards(shards, base=load_project(base.path), manifest=result.manifest).project)
    plain = _authors(merge_shards(shards, manifest=result.manifest).project)

    assert into[Path(image.file_name).name, (3.0, 3.0, 5.0, 5.0)] == "ann"
    assert plain == into
    assert sum(1 for who in plain.values() if who is None) == 6 * 2 - 1  # the lead's objects, untouched
