"""`prelabel` with a COCO model on a project whose categories are spelt in another case (Person and Cat
from a classes.txt, as X-AnyLabeling and LabelImg users keep them): each model class became a new category
beside the project's (person beside Person), so the labels split in two classes in every export. A model
class the project has in another case (or with _ for a space) now goes to that category, said once."""

from __future__ import annotations

from pathlib import Path

import pytest
from skimage import data

from pixelproof.core.coco import load_project
from tests.cli.test_prelabel_cli import make_project, run


def test_model_classes_go_to_the_projects_categories_in_another_case(
    capsys, tmp_path: Path, shared_models: Path
) -> None:
    pytest.importorskip("onnxruntime")
    model = shared_models / "yolo11n.onnx"
    project = make_project(
        tmp_path / "p",
        {"astronaut.png": data.astronaut(), "chelsea.png": data.chelsea()},
        ["Person", "Cat", "dining_table"],
    )
    code, out, err = run(capsys, "prelabel", project, "--backend", "yolo-onnx", "--model", model)
    assert code == 0, err
    done = load_project(project)
    names = sorted(c.name for c in done.categories.values())
    assert "person" not in names and "cat" not in names, names
    by_name = {done.categories[a.category_id].name for a in done.annotations.values()}
    assert {"Person", "Cat"} <= by_name, by_name
    assert "person -> Person" in out + err and "cat -> Cat" in out + err, (out, err)


def test_an_ambiguous_spelling_makes_no_guess(capsys, tmp_path: Path, shared_models: Path) -> None:
    """Two categories matching one class but for case: neither is picked; the class is its own."""
    pytest.importorskip("onnxruntime")
    model = shared_models / "yolo11n.onnx"
    project = make_project(tmp_path / "p", {"chelsea.png": data.chelsea()}, ["Cat", "CAT"])
    code, _, err = run(capsys, "prelabel", project, "--backend", "yolo-onnx", "--model", model)
    assert code == 0, err
    done = load_project(project)
    assert {done.categories[a.category_id].name for a in done.annotations.values()} == {"cat"}
