"""``sam-onnx`` given a model that is no SAM part (a YOLO detector, a torchvision detector, a segmenter, a
classifier) said "choose the decoder too", sending the user after a decoder that would not help; with a
decoder given, a YOLO export's square [1,3,640,640] input passed for an encoder's and the error named the
decoder's embedding input. It now says what the file looks like and which backend reads it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import ModelLoadError
from pixelproof.inference.onnx_sam import SamOnnxBackend

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from tests.inference.graphs import constant_graph, sam_decoder, sam_encoder


def load_error(**values: Path) -> str:
    with pytest.raises(ModelLoadError) as e:
        SamOnnxBackend().configure(**values)
    return str(e.value)


def yolo(path: Path) -> Path:
    return constant_graph(path, {"images": [1, 3, 64, 64]}, {"output0": np.zeros((1, 84, 20), np.float32)})


def test_a_yolo_detector_is_named_as_one_with_its_backend(tmp_path: Path) -> None:
    model = yolo(tmp_path / "yolo11n.onnx")
    text = load_error(model_path=model)
    assert text == (
        f"{model}: not a SAM encoder: this looks like an Ultralytics YOLO export: images [1, 3, 64, 64] -> "
        "output0 [1, 84, 20]; choose the yolo-onnx (or onnx) backend for it"
    )
    decoder = sam_decoder(tmp_path / "sam.decoder.onnx")  # a decoder given too: the same answer
    assert load_error(model_path=model, decoder_path=decoder) == text
    encoder = sam_encoder(tmp_path / "sam.encoder.onnx")  # the YOLO export chosen as the decoder
    assert load_error(model_path=encoder, decoder_path=model) == (
        f"{model}: not a SAM decoder: 2 missing inputs: point_coords, point_labels (has images); "
        + text.split("not a SAM encoder: ")[1]
    )


def test_a_torchvision_detector_a_segmenter_and_a_classifier_are_named(tmp_path: Path) -> None:
    detector = constant_graph(
        tmp_path / "frcnn.onnx",
        {"images": [3, "h", "w"]},
        {
            "boxes": np.zeros((1, 4), np.float32),
            "labels": np.ones(1, np.int64),
            "scores": np.ones(1, np.float32),
        },
    )
    text = load_error(model_path=detector)
    assert text.startswith(
        f"{detector}: not a SAM encoder: this looks like a torchvision detector: images"
    ), text
    assert text.endswith("; choose the onnx backend for it"), text
    segmenter = constant_graph(
        tmp_path / "lraspp.onnx", {"input": [1, 3, 64, 64]}, {"out": np.zeros((1, 4, 64, 64), np.float32)}
    )
    assert (
        "this looks like a semantic segmentation model: input [1, 3, 64, 64] -> out [1, 4, 64, 64]; "
        "choose the onnx backend" in load_error(model_path=segmenter)
    )
    classifier = constant_graph(
        tmp_path / "resnet.onnx", {"input": [1, 3, 64, 64]}, {"logits": np.zeros((1, 1000), np.float32)}
    )
    text = load_error(model_path=classifier)
    assert "not a SAM encoder: this looks like an image classifier" in text, text
    assert text.endswith("no backend pre-labels with it: use a detection or segmentation model"), text
    assert not any("choose the decoder too" in t for t in (text, load_error(model_path=detector)))


def test_a_sam_encoder_without_its_decoder_is_still_asked_for_it(tmp_path: Path) -> None:
    """An encoder whose name says nothing of a decoder: the decoder is what is missing, as before; an
    embedding 1/16 of its input is not a segmenter's logits."""
    encoder = constant_graph(
        tmp_path / "vit_b.onnx", {"x": [1, 3, 64, 64]}, {"embeddings": np.zeros((1, 8, 4, 4), np.float32)}
    )
    assert load_error(model_path=encoder) == f"{encoder}: choose the decoder too (decoder_path)"
    named = sam_encoder(tmp_path / "vit_h.onnx")
    assert load_error(model_path=named) == f"{named}: choose the decoder too (decoder_path)"
    backend = SamOnnxBackend()  # and the pair still loads
    backend.configure(model_path=named, decoder_path=sam_decoder(tmp_path / "d.onnx"))
    assert backend.layout is not None and backend.layout.encoder == "sam1"
