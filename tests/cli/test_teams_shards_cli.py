"""Merging shards on LabelMe's own example data: a shard of another split, and a file an annotator renamed
on an overlap image (``pixelproof split`` makes the shards, ``pixelproof merge`` merges them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project


@pytest.fixture
def project(tmp_path: Path, shared_fixtures: Path) -> Path:
    """LabelMe's three annotated photographs, each twice, converted to a project."""
    source = shared_fixtures / "labelme" / "instance_segmentation" / "data_annotated"
    if not source.is_dir():
        pytest.skip(f"LabelMe fixtures not found at {source}")
    images = tmp_path / "imgs"
    images.mkdir()
    for k in (1, 2):
        for js in sorted(source.glob("*.json")):
            data = json.loads(js.read_text())
            shutil.copy(source / data["imagePath"], images / f"{js.stem}_{k}.jpg")
            data["imagePath"] = f"{js.stem}_{k}.jpg"
            (images / f"{js.stem}_{k}.json").write_text(json.dumps(data))
    out = tmp_path / "project.json"
    assert main(["convert", str(images), str(out), "--from", "labelme", "--to", "coco"]) == 0
    return out


def _split(project: Path, out: Path, *options: str) -> Path:
    assert main(["split", str(project), "--annotators", "ann,bob", "-o", str(out), *options]) == 0
    return out


def test_a_shard_of_another_split_is_refused_with_the_manifest(tmp_path: Path, project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    lead = _split(project, tmp_path / "shards", "--overlap", "0.5")
    other = _split(project, tmp_path / "shards7", "--overlap", "0.5", "--seed", "7")
    manifest = lead / "lead-manifest.json"
    ours = json.loads(manifest.read_text())["split"]
    theirs = load_project(other / "bob.json").app["shard"]["split"]
    assert ours != theirs
    capsys.readouterr()
    merged, report = tmp_path / "merged.json", tmp_path / "report.json"
    code = main(["merge", str(lead / "ann.json"), str(other / "bob.json"), "--into", str(project),
                 "--manifest", str(manifest), "-o", str(merged), "--report", str(report)])  # fmt: skip
    # before: a split_mismatch conflict was listed (exit 3) and bob's untouched copies of the manifest's
    # overlap images joined them as his ratings, though that split never gave them to him
    err = capsys.readouterr().err
    assert code == 1, err
    assert not merged.exists() and not report.exists()  # refused before anything is written
    line = next(x for x in err.splitlines() if str(other / "bob.json") in x)
    assert theirs in line and ours in line and str(manifest) in line and "without a manifest" in line
    # the way on it names: without --manifest the two merge
    assert main(["merge", str(lead / "ann.json"), str(other / "bob.json"), "--into", str(project),
                 "-o", str(merged)]) in (0, 3)  # fmt: skip
    assert len(load_project(merged).images) == len(load_project(project).images)
    # shards of the manifest's own split still merge with it
    assert main(["merge", str(lead / "ann.json"), str(lead / "bob.json"), "--into", str(project),
                 "--manifest", str(manifest), "-o", str(merged)]) == 0  # fmt: skip
