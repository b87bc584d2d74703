"""Merging shards on LabelMe's own example data: a shard of another split, and a file an annotator renamed
on an overlap image (``pixelproof split`` makes the shards, ``pixelproof merge`` merges them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, overlap_annotators


def nudge(a: Annotation) -> None:
    """An annotator's edit: the polygon and its box moved 2 px to the right."""
    a.set_geometry([[v + 2 if k % 2 == 0 else v for k, v in enumerate(s)] for s in a.segmentation],
                   [a.bbox[0] + 2, *a.bbox[1:]], a.area)  # fmt: skip


@pytest.fixture
def project(tmp_path: Path, shared_fixtures: Path) -> Path:
    return labelme_twice(tmp_path, shared_fixtures)


def labelme_twice(tmp_path: Path, shared_fixtures: Path) -> Path:
    """LabelMe's three annotated photographs, each twice, converted to a project (tmp_path/project.json)."""
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


@pytest.mark.parametrize("order", [("ann", "bob"), ("bob", "ann")])
@pytest.mark.parametrize("with_manifest", [False, True])
def test_an_overlap_image_one_annotator_renamed_is_one_image_without_into(
    tmp_path: Path, project: Path, capsys, order: tuple[str, str], with_manifest: bool
) -> None:  # type: ignore[no-untyped-def]
    shards = _split(project, tmp_path / "shards", "--overlap", "1")  # both have every image
    # ann moves a person by 2 px; bob leaves his copy as dealt
    p = load_project(shards / "ann.json")
    a = next(a for a in p.annotations.values() if p.categories[a.category_id].name == "person")
    nudge(a)
    save_project(p)
    manifest = ["--manifest", str(shards / "lead-manifest.json")] if with_manifest else []
    every = [str(shards / f"{n}.json") for n in order]

    def merge(out: Path) -> tuple[int, str, dict, object]:
        capsys.readouterr()
        code = main(["merge", *every, *manifest, "-o", str(out), "--report", str(out.with_suffix(".r.json"))])
        return (
            code,
            capsys.readouterr().out,
            json.loads(out.with_suffix(".r.json").read_text()),
            load_project(out),
        )

    code, _, report, unrenamed = merge(tmp_path / "unrenamed.json")  # what the merge is, files as dealt
    # then ann renames that image's file and points her shard at it (Locate Missing Images in the app)
    image = p.images[a.image_id]
    old = Path(image.file_name).name
    new = old.replace(".jpg", "_ann.jpg")
    (tmp_path / "imgs" / old).rename(tmp_path / "imgs" / new)
    image.file_name = image.file_name.replace(old, new)
    save_project(p)
    merged = tmp_path / "merged.json"
    code2, out, report2, result = merge(merged)
    # before: two images, one per name (the second's id renumbered, exit 3), each holding one annotator's
    # version alone, so neither counted as an overlap image rated by both
    assert (code2, report2["conflict_counts"]) == (code, report["conflict_counts"])
    assert report2["stats"] == report["stats"]
    assert len(result.images) == len(unrenamed.images) == len(load_project(project).images)
    (mine,) = [im for im in result.images.values() if Path(im.file_name).name in (old, new)]
    assert Path(mine.file_name).name == new and (merged.parent / mine.file_name).is_file()
    assert mine.id == image.id and Path(unrenamed.images[mine.id].file_name).name == old
    assert overlap_annotators(result) == overlap_annotators(unrenamed)
    assert sorted(overlap_annotators(result)[mine.id]) == ["ann", "bob"]
    tags = [(a.app_extra.get(ANNOTATOR_KEY), a.category_id, a.bbox) for a in result.annotations_of(mine.id)]
    were = [
        (a.app_extra.get(ANNOTATOR_KEY), a.category_id, a.bbox) for a in unrenamed.annotations_of(mine.id)
    ]
    assert sorted(tags) == sorted(were)
    line = next(x for x in out.splitlines() if x.startswith("renamed in its shard: "))
    # names as the merge's other messages give them (here from the first shard's folder)
    assert f"/{old} -> " in line and line.endswith(f"/{new} (in ann's); merged under the new name")


def test_the_manifest_given_among_the_shards_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """split writes lead-manifest.json beside the shards, so `merge shards/*.json` gives it as a shard. It
    was refused as another tool's file ('File > Import or pixelproof convert reads other tools' files'),
    which sent the lead the wrong way: it is named as the split's manifest, to give with --manifest."""
    from tests.core.teams_data import make_project

    base = make_project(tmp_path, 6)
    save_project(base)
    shards = tmp_path / "shards"
    assert (
        main(["split", str(base.path), "--annotators", "ann,bob", "--overlap", "0.5", "-o", str(shards)]) == 0
    )
    capsys.readouterr()
    given = sorted(str(p) for p in shards.glob("*.json"))  # what a shell makes of shards/*.json
    manifest = str(shards / "lead-manifest.json")
    assert manifest in given
    for command in (["merge", *given, "-o", str(tmp_path / "merged.json")], ["agreement", *given]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert f"{manifest}: top level: the manifest of a split (pixelproof split), not a shard" in err
        assert "give it as --manifest" in err and "File > Import" not in err
    assert not (tmp_path / "merged.json").exists()
    # as it says: the shards, the manifest as --manifest
    shard_files = [g for g in given if g != manifest]
    assert main(["merge", *shard_files, "--manifest", manifest, "-o", str(tmp_path / "merged.json")]) == 0
