"""``pixelproof agreement`` on shards ``pixelproof split`` made of LabelMe's own example data: a shard of
another split with the manifest, and an overlap image one annotator renamed (compared as ``merge`` pairs it,
so the figures on the shards stay those on the merged project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.consensus import overlap_images
from tests.cli.test_teams_shards_cli import _split, nudge, project  # noqa: F401 (project: the fixture)


def test_agreement_refuses_a_shard_of_another_split_with_the_manifest(
    tmp_path: Path,
    project: Path,  # noqa: F811
    capsys,
) -> None:  # type: ignore[no-untyped-def]
    lead = _split(project, tmp_path / "shards", "--overlap", "0.5")
    other = _split(project, tmp_path / "shards7", "--overlap", "0.5", "--seed", "7")
    manifest = lead / "lead-manifest.json"
    ours = json.loads(manifest.read_text())["split"]
    theirs = load_project(other / "bob.json").app["shard"]["split"]
    assert ours != theirs
    out = tmp_path / "agreement.json"
    capsys.readouterr()
    code = main(["agreement", str(lead / "ann.json"), str(other / "bob.json"), "--manifest", str(manifest),
                 "--json", str(out)])  # fmt: skip
    # before: compared, bob's untouched copies of the manifest's overlap images counting as his ratings of
    # images that split never gave him (merge --manifest refuses the same shards)
    err = capsys.readouterr().err
    assert code == 1, err
    assert not out.exists()
    line = next(x for x in err.splitlines() if str(other / "bob.json") in x)
    assert theirs in line and ours in line and str(manifest) in line and "without a manifest" in line
    assert "Compare it with the manifest of its own split" in line  # agreement merges nothing
    # shards of the manifest's own split are still compared with it
    assert main(["agreement", str(lead / "ann.json"), str(lead / "bob.json"), "--manifest", str(manifest),
                 "--json", str(out)]) == 0  # fmt: skip
    assert json.loads(out.read_text())["images"] == len(json.loads(manifest.read_text())["overlap"])


@pytest.mark.parametrize("order", [("ann", "bob"), ("bob", "ann")])
@pytest.mark.parametrize("with_manifest", [False, True])
def test_agreement_on_shards_compares_an_overlap_image_one_annotator_renamed(
    tmp_path: Path,
    project: Path,  # noqa: F811
    capsys,
    order: tuple[str, str],
    with_manifest: bool,
) -> None:  # type: ignore[no-untyped-def]
    shards = _split(project, tmp_path / "shards", "--overlap", "1")  # both have every image
    # ann moves a person by 2 px on one image and deletes a car on another; bob leaves his copies as dealt
    p = load_project(shards / "ann.json")
    a = next(a for a in p.annotations.values() if p.categories[a.category_id].name == "person")
    nudge(a)
    car = next(c for c in p.annotations.values() if p.categories[c.category_id].name == "car")
    p.remove_annotation(car.id)
    save_project(p)
    manifest = ["--manifest", str(shards / "lead-manifest.json")] if with_manifest else []

    def agreement(*inputs: Path) -> dict:
        out = tmp_path / "agreement.json"
        capsys.readouterr()
        code = main(["agreement", *map(str, inputs), *manifest, "--json", str(out)])
        assert code == 0, capsys.readouterr().err
        return json.loads(out.read_text())

    every = [shards / f"{n}.json" for n in order]
    before = agreement(*every)
    n = len(load_project(project).images)
    assert before["images"] == n
    # ann renames the file of the image she edited and points her shard at it (Locate Missing Images)
    image = p.images[a.image_id]
    old = Path(image.file_name).name
    new = old.replace(".jpg", "_ann.jpg")
    (tmp_path / "imgs" / old).rename(tmp_path / "imgs" / new)
    image.file_name = image.file_name.replace(old, new)
    save_project(p)
    after = agreement(*every)
    # before the fix: that image was compared by path, so nobody's two copies met: n - 1 images, and ann's
    # moved person (the only disagreement but the car) was not counted
    assert after["images"] == n
    for key in ("summary", "pairs", "per_class"):
        assert after[key] == before[key], key
    renamed = [{**r, "file_name": r["file_name"].replace(f"/{old}", f"/{new}")} for r in before["per_image"]]
    assert after["per_image"] == renamed
    assert any(r["file_name"].endswith(f"/{new}") and r["dice"] < 1 for r in after["per_image"])
    # the figures on the shards are those on the project merged from them (README), the renamed image one
    # image there under the new name, rated by both
    merged = shards / "merged.json"
    assert main(["merge", *map(str, every), *manifest, "-o", str(merged)]) in (0, 3)
    from_merged = agreement(merged)
    from_shards = agreement(shards / "ann.json", shards / "bob.json")  # the merged project's rater order
    for data in (from_merged, from_shards):  # the shards' images named as the split project names them
        for row in data["per_image"]:  # (with --manifest), the merged project's from its own folder
            row["file_name"] = Path(row["file_name"]).name
    for key in ("raters", "images", "summary", "pairs", "per_class", "per_image"):
        assert from_merged[key] == from_shards[key], key
    # the app's Annotators Side by Side lists the merged project's overlap images (consensus.overlap_images,
    # by image id): the renamed one is among them, under the new name, with both annotators' versions
    opened = load_project(merged)
    listed = overlap_images(opened)
    assert len(listed) == from_merged["images"] == n
    (mine,) = [i for i in listed if Path(opened.images[i].file_name).name == new]
    assert len(listed[mine]) == 2


@pytest.mark.parametrize(("units", "said"), [(1, "(1 object, 0 seen"), (2, "(2 objects, 0 seen")])
def test_the_printed_summary_counts_objects_in_words(capsys, units: int, said: str) -> None:  # type: ignore[no-untyped-def]
    """One object compared was printed "(1 objects, ...)"."""
    from pixelproof.commands.agreement import _print

    figures = dict.fromkeys(("dice", "iou", "f1", "fleiss_kappa", "krippendorff_alpha"), 1.0)
    summary = {**figures, "units": units, "units_one_rater": 0}
    _print({"summary": summary, "images": 1, "raters": ["ann", "bob"], "pairs": [], "per_annotator": []})
    assert said in capsys.readouterr().out
