"""`pixelproof split` of a project of a 30-frame video and stills to three annotators deals each one
contiguous range of the video (the manifest's assignments; the default overlap shares the frames at the
boundaries), and `pixelproof merge` of the shards of a split without overlap gives the project back,
outside marks included."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from tests.core.test_merge_marks import marked
from tests.core.test_split_ranges import NAMES, clip_and_stills, contents


def test_split_deals_contiguous_video_ranges_and_merge_gives_the_project_back(tmp_path: Path) -> None:
    project = clip_and_stills(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", ",".join(NAMES), "-o", str(out)]) == 0
    manifest = json.loads((out / "lead-manifest.json").read_text(encoding="utf-8"))
    frames = {
        n: [int(f[-6:-4]) for f in files if f.startswith("clip/")]
        for n, files in manifest["assignments"].items()
    }
    assert frames == {"ann": list(range(0, 11)), "bob": list(range(9, 21)), "cy": list(range(19, 30))}
    again = tmp_path / "no-overlap"  # overlap frames come back side by side, each annotator's version
    assert (
        main(
            ["split", str(project.path), "--annotators", ",".join(NAMES), "--overlap", "0", "-o", str(again)]
        )
        == 0
    )
    shards = [str(again / f"{n}.json") for n in NAMES]
    merged = tmp_path / "merged.json"
    assert main(["merge", *shards, "--into", str(project.path), "-o", str(merged)]) == 0
    back = load_project(merged)
    assert marked(back) == marked(project) and contents(back) == contents(project)
