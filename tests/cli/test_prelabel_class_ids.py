"""``prelabel`` with a model that names no classes made categories ``class0``, ``class2`` (``class_<id>``
with the ``onnx`` backend) in the project and said nothing: the reviewer found a project of class ids. It now
warns once per run, counting the categories made from ids and saying how to name them; a model whose names
come from its metadata or a names file gets no such line. ``yolo-onnx --classes FILE`` names such an export
as ``onnx --classes FILE`` does (it answered "takes no classes file")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.coco import load_project
from tests.cli.test_prelabel_cli import make_project, run

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from tests.inference.graphs import constant_graph, yolo_unnamed

IDS_LINE = "2 new categories named from class ids"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    pictures = {f"{i}.png": np.full((64, 64, 3), 40 * i, np.uint8) for i in range(3)}
    return make_project(tmp_path / "p", pictures)


def categories(project: Path) -> list[str]:
    return sorted(c.name for c in load_project(project).categories.values())


def torchvision_unnamed(path: Path) -> Path:
    """A torchvision-shaped detector without a card or names: labels 3 and 1 (0 is the background)."""
    boxes = np.array([[10, 10, 30, 30], [30, 30, 50, 50]], np.float32)
    outputs = {
        "boxes": boxes,
        "labels": np.array([3, 1], np.int64),
        "scores": np.array([0.9, 0.8], np.float32),
    }
    return constant_graph(path, {"images": [3, "h", "w"]}, outputs)


@pytest.mark.parametrize(("backend", "made"), [("yolo-onnx", "class0, class2"), ("onnx", "class_1, class_3")])
def test_categories_made_from_class_ids_are_said_once_with_how_to_name_them(
    capsys, tmp_path: Path, project: Path, backend: str, made: str
) -> None:
    build = yolo_unnamed if backend == "yolo-onnx" else torchvision_unnamed
    model = build(tmp_path / "best.onnx")
    code, _, err = run(capsys, "prelabel", project, "--backend", backend, "--model", model)
    assert code == 0, err
    assert categories(project) == made.split(", ")
    lines = [line for line in err.splitlines() if "named from class ids" in line]
    assert lines == [
        f"pixelproof: warning: {IDS_LINE} ({made}): the model names no classes; "
        "name them with --classes FILE (one name a line, line n = class id n)"
        + (' or a model card <model>.json with "classes"' if backend == "onnx" else "")
        + ", or rename them (pixelproof taxonomy rename)"
    ], err  # once for the run (3 images), not per image


def test_names_from_a_file_or_the_metadata_make_no_such_line(capsys, tmp_path: Path, project: Path) -> None:
    model = yolo_unnamed(tmp_path / "best.onnx")
    names = tmp_path / "names.txt"
    names.write_text("scratch\ndent\nrust\n")
    code, _, err = run(
        capsys, "prelabel", project, "--backend", "yolo-onnx", "--model", model, "--classes", names
    )
    assert code == 0, err
    assert categories(project) == ["rust", "scratch"] and "class ids" not in err, err

    named = yolo_unnamed(tmp_path / "named.onnx", metadata={"names": repr({0: "a", 1: "b", 2: "c"})})
    code, _, err = run(
        capsys, "prelabel", project, "--backend", "onnx", "--model", named, "-o", tmp_path / "o.json"
    )
    assert code == 0, err
    assert categories(tmp_path / "o.json") == ["a", "c", "rust", "scratch"] and "class ids" not in err, err


def test_a_names_file_of_another_model_is_refused_naming_it(capsys, tmp_path: Path, project: Path) -> None:
    model = yolo_unnamed(tmp_path / "best.onnx")
    names = tmp_path / "coco.txt"
    names.write_text("person\nbicycle\n")
    code, _, err = run(
        capsys, "prelabel", project, "--backend", "yolo-onnx", "--model", model, "--classes", names
    )
    assert code == 1 and f"{names}: classes: 2 names, but the model best.onnx has 3 classes" in err, err
    assert "takes no classes file" not in err and categories(project) == []
