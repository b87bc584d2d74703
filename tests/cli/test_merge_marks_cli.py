"""`pixelproof split` then `pixelproof merge` of a project of two videos with outside marks (Track Leaves
View Here): a mark one annotator adds on their frame and one another removes come through the merge, with
`--into` and without."""

from __future__ import annotations

from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from tests.core.test_merge_marks import _edit, file, marked, two_videos


def test_split_edit_merge_carries_the_annotators_outside_marks(tmp_path: Path) -> None:
    project = two_videos(tmp_path)
    out = tmp_path / "shards"
    assert (
        main(["split", str(project.path), "--annotators", "ann,bob", "--overlap", "0", "-o", str(out)]) == 0
    )
    shards = {n: load_project(out / f"{n}.json") for n in ("ann", "bob")}
    _edit(shards)
    want = {(file(tmp_path, "a/f2.png"), "3"), (file(tmp_path, "a/f4.png"), "3")}
    given = [str(out / "ann.json"), str(out / "bob.json")]
    assert main(["merge", *given, "--into", str(project.path), "-o", str(tmp_path / "into.json")]) == 0
    assert marked(load_project(tmp_path / "into.json")) == want
    assert main(["merge", *given, "-o", str(tmp_path / "alone.json")]) == 0
    alone = load_project(tmp_path / "alone.json")
    assert marked(alone) == want
    assert {e["sequence"] for e in alone.extra["cvat_video"]["outside"]} == {"a"}  # from the merged file
