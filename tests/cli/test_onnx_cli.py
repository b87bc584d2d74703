"""The ``onnx`` backend from the command line: ``backends --model`` says what it detected, ``prelabel``
runs a semantic model with ``--classes``, and Ultralytics exports give what ``yolo-onnx`` gives."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import load_project
from pixelproof.core.masks import decode
from pixelproof.inference.onnx_models import OnnxModelBackend
from pixelproof.inference.onnx_yolo import YoloOnnxBackend
from tests.cli.test_prelabel_cli import make_project, run

pytest.importorskip("onnxruntime")


def test_backends_model_prints_the_family(capsys, shared_models: Path) -> None:
    code, out, _ = run(capsys, "backends", "--model", shared_models / "seed" / "retinanet.onnx")
    assert code == 0
    lines = out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("onnx "))
    assert "ready" in lines[row] and "not ready" not in lines[row]
    assert lines[row + 1].split() == ["model:", "torchvision-detection"]
    assert "boxes=boxes, labels=labels, scores=scores" in lines[row + 2]  # RetinaNet order, bound by dtype
    assert any("assumed: class names class_<id>" in line for line in lines[row + 3 : row + 7])


def test_prelabel_semantic_model_with_classes_file(capsys, tmp_path: Path, shared_models: Path) -> None:
    seed = shared_models / "seed"
    coffee = np.asarray(Image.open(seed / "images" / "coffee.png").convert("RGB"))
    project_file = make_project(tmp_path / "p", {"coffee.png": coffee}, ["person"])
    names = tmp_path / "classes.txt"
    names.write_text("background\nperson\ncar\ndog\n")
    code, out, err = run(
        capsys, "prelabel", project_file, "--backend", "onnx", "--model", seed / "unet.onnx",
        "--classes", names, "--option", "min_area=20", "--map", "dog=",
    )  # fmt: skip
    assert code == 0, err
    speckles = re.search(r", (\d+) speckles under 20 px dropped \(min_area\)", out)
    assert speckles and int(speckles[1]) > 100, out  # never silently: the report says how many
    project = load_project(project_file)
    anns = list(project.annotations.values())
    assert anns and {project.category(a.category_id).name for a in anns} <= {"person", "car"}
    assert project.category_by_name("person").id == 1  # the existing category took the class
    want = np.asarray(Image.open(seed / "reference" / "unet__coffee.png"))
    person = np.zeros(want.shape, bool)
    for a in anns:
        m = decode(a.segmentation).astype(bool)
        assert a.area == m.sum() >= 20 and a.review == "pending" and 0 < a.score <= 1
        assert a.source.startswith("model:onnx/unet.onnx@")
        if project.category(a.category_id).name == "person":
            person |= m
    assert (person == (want == 1)).mean() > 0.99  # small components were dropped (min_area)
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "onnx", "--model", seed / "unet.onnx",
                       "--classes", tmp_path / "missing.txt")  # fmt: skip
    assert code == 1 and "missing.txt: classes file not found" in err
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "threshold", "--classes", names)
    assert code == 1 and "threshold: takes no classes file" in err


def test_ultralytics_export_is_delegated_to_yolo_onnx(shared_models: Path) -> None:
    from skimage import data

    ours, theirs = OnnxModelBackend(), YoloOnnxBackend()
    for b in (ours, theirs):
        b.configure(model_path=shared_models / "yolo11n.onnx", threads=2, score_threshold=0.3)
    assert ours.family == "ultralytics" and ours.kind == "detect" and ours.categories() == theirs.categories()
    image = data.coffee()
    got, want = ours.predict(image), theirs.predict(image)
    assert [(p.category, p.score, p.bbox) for p in got] == [(p.category, p.score, p.bbox) for p in want]
    assert any(p.category == "cup" for p in got)
    assert ours.source.startswith("model:onnx/yolo11n.onnx@8.")  # the model's own version


def test_backends_model_says_what_yolo_onnx_found_as_for_onnx(capsys, shared_models: Path) -> None:
    """yolo-onnx printed only 'ready' under ``backends --model yolo11n.onnx`` while the onnx backend said
    the family, where the class names came from and what it assumed, for the same file."""
    code, out, _ = run(capsys, "backends", "--model", shared_models / "yolo11n.onnx")
    assert code == 0
    lines = out.splitlines()

    def found(name: str) -> list[str]:
        row = next(i for i, line in enumerate(lines) if line.startswith(f"{name} "))
        end = next((i for i in range(row + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
        return lines[row + 1 : end]

    yolo = found("yolo-onnx")
    assert yolo == found("onnx"), out
    assert yolo[0].split() == ["model:", "ultralytics"] and "classes: ONNX metadata 'names'" in yolo[2], yolo
