"""What a FiftyOne or cleanlab user takes out of ``pixelproof lint``: the images with a listed problem as a
project of their own (``--subset``, as one exports a filtered view), and per-image scores to join on the
file name (``--json``'s ``objectlab``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from pixelproof.core.demo import install_demo


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def results_file(project_file: Path) -> Path:
    """A model agreeing with every label but two: a coin it sees as a cup (wrong_class) and the cup's box,
    which it sees much smaller (oversized_box)."""
    doc = json.loads(project_file.read_text(encoding="utf-8"))
    cup = next(c["id"] for c in doc["categories"] if c["name"] == "cup")
    coin = next(a for a in doc["annotations"] if a["image_id"] == 1)
    results = []
    for a in doc["annotations"]:
        x, y, w, h = a["bbox"]
        if a["category_id"] == cup:
            x, y, w, h = x + 60, y + 40, w * 0.6, h * 0.6
        category = cup if a["id"] == coin["id"] else a["category_id"]
        results.append(
            {"image_id": a["image_id"], "category_id": category, "bbox": [x, y, w, h], "score": 0.97}
        )
    out = project_file.parent / "results.json"
    out.write_text(json.dumps(results), encoding="utf-8")
    return out


def test_subset_holds_the_images_with_a_listed_problem(capsys, tmp_path: Path) -> None:
    project_file = install_demo(tmp_path / "demo")
    results = results_file(project_file)
    before = project_file.read_bytes()
    target = tmp_path / "relabel" / "to-relabel.json"
    target.parent.mkdir()
    report = tmp_path / "lint.json"
    argv = ["lint", project_file, "--predictions", results, "--min-score", "0.6", "--json", report]
    code, out, err = run(capsys, *argv, "--subset", target)
    assert code == 1, err
    listed = {p["file_name"] for p in json.loads(report.read_text(encoding="utf-8"))["problems"]}
    assert listed == {"images/coins.png", "images/coffee.jpg"}
    assert f"{target}: 2 of 10 images (those with a problem listed)" in out
    subset, project = load_project(target), load_project(project_file)
    # the images in the project's order, every object of theirs, every class, pictures found from there
    assert [im.id for im in subset.images.values()] == [1, 6]
    for iid in (1, 6):
        assert [a.bbox for a in subset.annotations_of(iid)] == [a.bbox for a in project.annotations_of(iid)]
        assert Path(subset.image_path(subset.images[iid])).is_file()
    assert [c.name for c in subset.categories.values()] == [c.name for c in project.categories.values()]
    assert project_file.read_bytes() == before  # lint never writes the project
    # nothing listed: a project of no images, said so
    code, out, _ = run(capsys, "lint", project_file, "--min-score", "0.99", "--subset", target)
    assert code == 0 and "0 of 10 images" in out and load_project(target).images == {}


def test_subset_never_replaces_what_is_not_a_project(capsys, tmp_path: Path) -> None:
    """Checked before the run, as the reports are: a picture or a folder that cannot be made is refused,
    exit 2."""
    project_file = install_demo(tmp_path / "demo")
    picture = project_file.parent / "images" / "coins.png"
    before = picture.read_bytes()
    code, _, err = run(capsys, "lint", project_file, "--subset", picture)
    assert code == 2 and "coins.png" in err
    assert picture.read_bytes() == before
    code, _, err = run(capsys, "lint", project_file, "--subset", picture / "nowhere" / "s.json")
    assert code == 2 and "coins.png is a file, not a folder" in err
    code, _, err = run(capsys, "lint", project_file, "--subset", project_file)
    assert code == 2


def test_per_image_scores_name_their_file(capsys, tmp_path: Path) -> None:
    """The JSON's per-image ObjectLab scores (cleanlab's ``get_label_quality_scores``) were keyed by image id
    alone: joining them on the file name, as the problems and the CSV give it, needed the project too."""
    project_file = install_demo(tmp_path / "demo")
    report = tmp_path / "lint.json"
    code, _, err = run(
        capsys, "lint", project_file, "--predictions", results_file(project_file), "--json", report
    )
    assert code == 1, err
    scores = json.loads(report.read_text(encoding="utf-8"))["objectlab"]
    names = {str(im.id): im.file_name for im in load_project(project_file).images.values()}
    assert {k: v["file_name"] for k, v in scores.items()} == names
    worst = sorted(scores.values(), key=lambda v: v["label_quality"])[:2]
    assert {v["file_name"] for v in worst} == {"images/coins.png", "images/coffee.jpg"}
