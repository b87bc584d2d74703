"""``yolo-onnx`` takes a names file (``classes_file``, ``--classes FILE``) as the ``onnx`` backend does for
the same export: an Ultralytics export without names in its metadata (stripped, or written by another tool)
was named ``class0``.. with no way to name it but switching backends. A file whose count differs from the
model's classes (its output rows, or its metadata's names) is refused naming the file, in the same words
as the ``onnx`` backend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import ModelLoadError
from pixelproof.inference.onnx_models import OnnxModelBackend
from pixelproof.inference.onnx_yolo import YoloOnnxBackend

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from tests.inference.graphs import yolo_unnamed


def names_file(path: Path, *names: str) -> Path:
    path.write_text("".join(f"{n}\n" for n in names))
    return path


def test_a_names_file_names_an_unnamed_export(tmp_path: Path) -> None:
    model = yolo_unnamed(tmp_path / "best.onnx")
    names = names_file(tmp_path / "names.txt", "scratch", "dent", "rust")
    backend = YoloOnnxBackend()
    backend.configure(model_path=model)  # the file after the model: the model takes the names
    assert backend.categories() == ["class0", "class1", "class2"]
    backend.configure(classes_file=names)
    assert backend.categories() == ["scratch", "dent", "rust"]
    info = backend.model_info()
    assert info is not None and info["classes_from"] == f"file {names}", info
    assert not any(a.startswith("class names") for a in info["assumptions"]), info
    got = backend.predict(np.zeros((64, 64, 3), np.uint8))
    assert sorted((p.category, p.bbox) for p in got) == [
        ("rust", [10, 10, 20, 20]),
        ("scratch", [30, 30, 20, 20]),
    ]

    other = YoloOnnxBackend()  # the file first, as prelabel gives them
    other.configure(classes_file=names, model_path=model)
    assert other.categories() == ["scratch", "dent", "rust"]


def test_a_names_file_of_another_count_is_refused_naming_it_as_the_onnx_backend_does(tmp_path: Path) -> None:
    model = yolo_unnamed(tmp_path / "best.onnx")
    names = names_file(tmp_path / "coco.txt", "person", "bicycle")
    errors = []
    for backend in (YoloOnnxBackend(), OnnxModelBackend()):
        with pytest.raises(ModelLoadError) as e:
            backend.configure(classes_file=names, model_path=model)
        errors.append(str(e.value))
    assert errors[0] == f"{names}: classes: 2 names, but the model best.onnx has 3 classes"
    assert errors[0] == errors[1]
    with pytest.raises(ModelLoadError, match=r"missing\.txt: classes file not found"):
        YoloOnnxBackend().configure(classes_file=tmp_path / "missing.txt")


def test_a_names_file_overrides_the_metadata_names_and_counts_them(tmp_path: Path) -> None:
    meta = {"names": repr({0: "a", 1: "b", 2: "c"})}
    model = yolo_unnamed(tmp_path / "m.onnx", metadata=meta)
    backend = YoloOnnxBackend()
    backend.configure(classes_file=names_file(tmp_path / "n.txt", "x", "y", "z"), model_path=model)
    assert backend.categories() == ["x", "y", "z"]
    with pytest.raises(ModelLoadError, match=r"n4\.txt: classes: 4 names, but the model m\.onnx has 3"):
        backend.configure(classes_file=names_file(tmp_path / "n4.txt", "w", "x", "y", "z"))
