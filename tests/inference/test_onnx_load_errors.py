"""Model files an ML engineer brings that onnxruntime cannot open or that no family reads: a PyTorch
checkpoint for the ONNX export, a copy cut short, an export with a newer opset or IR version than the
installed onnxruntime runs, an image classifier, a model of two inputs. Each is refused at load naming the
file, what it is and what to do (onnxruntime's own text was a C++ signature, or "does not parse")."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import ModelLoadError
from pixelproof.inference.onnx_models import OnnxModelBackend
from pixelproof.inference.onnx_yolo import YoloOnnxBackend

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from tests.inference.graphs import constant_graph  # noqa: E402 - needs onnx


def load_error(path: Path, backend: type = OnnxModelBackend) -> str:
    with pytest.raises(ModelLoadError) as e:
        backend().configure(model_path=path)
    return str(e.value)


def detector(path: Path) -> Path:
    """A small Ultralytics-shaped model (raw [1, 84, 50]) with enough weights to be cut mid-tensor."""
    return constant_graph(path, {"images": [1, 3, 64, 64]}, {"output0": np.zeros((1, 84, 50), np.float32)})


@pytest.mark.parametrize("backend", [OnnxModelBackend, YoloOnnxBackend])
def test_a_pytorch_checkpoint_is_named_as_one_with_how_to_export_it(tmp_path: Path, backend: type) -> None:
    pt = tmp_path / "best.pt"  # torch.save's zip layout: <name>/data.pkl, <name>/version
    with zipfile.ZipFile(pt, "w") as z:
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("best/version", "3\n")
    text = load_error(pt, backend)
    assert text.startswith(f"{pt}: not an ONNX model: this is a PyTorch checkpoint"), text
    assert "yolo export model=best.pt format=onnx" in text and "torch.onnx.export" in text


def test_an_onnx_file_cut_short_is_named_as_damaged_not_as_another_format(tmp_path: Path) -> None:
    whole = detector(tmp_path / "whole.onnx").read_bytes()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(whole[: len(whole) // 2])
    assert load_error(cut) == (
        f"{cut}: the file starts as an ONNX model but does not parse: it is cut short or damaged "
        "(an interrupted copy or download?); copy or export it again"
    )
    text = tmp_path / "notes.onnx"  # neither: the message it always gave
    text.write_text("hello")
    assert load_error(text) == f"{text}: not an ONNX model (the file does not parse as ONNX)"


def _rewrite(path: Path, opset: int | None = None, ir: int | None = None) -> Path:
    model = onnx.load(str(path))
    if opset is not None:
        for entry in model.opset_import:
            if entry.domain in ("", "ai.onnx"):
                entry.version = opset
    if ir is not None:
        model.ir_version = ir
    onnx.save(model, str(path))
    return path


@pytest.mark.parametrize("backend", [OnnxModelBackend, YoloOnnxBackend])
def test_an_opset_newer_than_onnxruntime_runs_says_both_and_what_to_do(tmp_path: Path, backend: type) -> None:
    model = _rewrite(detector(tmp_path / "new.onnx"), opset=99)
    text = load_error(model, backend)
    assert text.startswith(
        f"{model}: the model needs ONNX opset 99; the installed onnxruntime {ort.__version__} "
        "runs up to opset "
    ), text
    assert "export it again with opset_version=" in text and "upgrade onnxruntime" in text
    assert "ValidateOpsetForDomain" not in text and "\n" not in text


def test_an_ir_version_newer_than_onnxruntime_reads_says_both(tmp_path: Path) -> None:
    model = _rewrite(detector(tmp_path / "ir.onnx"), ir=99)
    text = load_error(model)
    assert text.startswith(f"{model}: the model file has ONNX IR version 99; the installed onnxruntime"), text
    assert "upgrade onnxruntime" in text and "model.cc" not in text


def test_an_image_classifier_is_named_as_one_not_sent_to_write_a_card(tmp_path: Path) -> None:
    """A card cannot make a [1,1000] score vector into boxes or masks: the old advice sent the user to
    write one, which then failed on the family it named."""
    model = constant_graph(
        tmp_path / "resnet.onnx", {"input": [1, 3, 224, 224]}, {"logits": np.zeros((1, 1000), np.float32)}
    )
    text = load_error(model)
    assert text.startswith(
        f"{model}: this looks like an image classifier (inputs input [1,3,224,224]; "
        "outputs logits [1,1000] tensor(float))"
    ), text
    assert "use a detection or segmentation model" in text and "model card" not in text


def test_a_model_of_two_inputs_names_them(tmp_path: Path) -> None:
    model = constant_graph(
        tmp_path / "two.onnx",
        {"image": [1, 3, 64, 64], "scale": [1, 2]},
        {"out": np.zeros((1, 3, 64, 64), np.float32)},
    )
    text = load_error(model)
    assert text == (
        f"{model}: the model takes 2 inputs (image, scale); the onnx backend feeds one picture: export it "
        "with the picture as its only input (the others as constants)"
    )
