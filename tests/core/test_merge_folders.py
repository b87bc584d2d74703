"""Shards saved in other folders than the project they are merged into (or than each other): the merged
project's images are the files the shards labelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, new_category, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Annotation, ImageRecord, Project


def _shard(tmp_path: Path, where: str, images: dict[int, str], annotator: str) -> Project:
    """A project at ``where`` over images given relative to ``tmp_path``, one box on each."""
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    project = Project()
    project.path = tmp_path / "p.json"
    project.add_category(new_category(project, "cat"))
    for iid, name in images.items():
        project.add_image(ImageRecord(iid, name, 10, 8))
        project.add_annotation(Annotation(iid, iid, 1, [1.0, 1.0, 3.0, 3.0]))
    project.app["shard"] = {"annotator": annotator, "split": "s"}
    save_project(project, path)  # names rewritten relative to where it is saved
    return load_project(path)


@pytest.mark.parametrize("into", [False, True])
def test_shards_in_other_folders_keep_their_images(tmp_path: Path, into: bool) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / "imgs").mkdir(exist_ok=True)
        (tmp_path / "imgs" / f"{name}.png").write_bytes(b"")
    one = _shard(tmp_path, "s1/s.json", {1: "imgs/a.png"}, "ann")
    two = _shard(tmp_path, "deep/er/s2/s.json", {2: "imgs/b.png", 3: "imgs/c.png"}, "bob")
    base = _shard(tmp_path, "base/p.json", {1: "imgs/a.png"}, "lead") if into else None
    result = merge_shards([Shard.of(one, "one"), Shard.of(two, "two")], base=base)
    out = tmp_path / "out" / "merged.json"
    out.parent.mkdir()
    save_project(result.project, out)
    merged = load_project(out)
    found = sorted(merged.image_path(im).resolve() for im in merged.images.values())
    assert found == [(tmp_path / "imgs" / f"{n}.png").resolve() for n in "abc"]
