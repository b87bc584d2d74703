"""sam-onnx on tiny encoder/decoder graphs: prompt encoding (coordinates, labels), caching, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import BackendError, ModelLoadError, Prompt, PromptError, predict_safely
from pixelproof.inference.onnx_sam import PIXEL_MEAN, PIXEL_STD, SamOnnxBackend
from tests.inference.graphs import constant_graph, constant_model, sam_decoder, sam_encoder

pytest.importorskip("onnxruntime")


@pytest.fixture
def sam(tmp_path: Path) -> SamOnnxBackend:
    sam_encoder(tmp_path / "tiny_encoder.onnx", size=64)
    sam_decoder(tmp_path / "tiny_decoder.onnx", radius=10, mask_side=16)  # prompts in a 64 frame
    b = SamOnnxBackend()
    b.configure(model_path=tmp_path / "tiny_encoder.onnx")  # decoder found by name
    return b


def disc(h: int, w: int, cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return (xx - cx) ** 2 + (yy - cy) ** 2 < r * r


def test_point_is_scaled_like_sam_and_labels_are_sent(sam: SamOnnxBackend) -> None:
    assert sam.ready() == (True, "") and sam.long_side == 64
    img = np.full((96, 128, 3), 200, np.uint8)
    # longest side 128 -> 64: scale 0.5, so the point (100, 40) reaches the decoder as (50, 20); the
    # tiny decoder draws a radius-10 disc there on the original-size grid
    (pred,) = sam.predict(img, Prompt(points=((100, 40),), labels=(1,)))
    assert np.array_equal(pred.mask, disc(96, 128, 50, 20, 10))
    assert pred.score == 0.0  # labels [1, -1]: the positive point and SAM's padding point
    assert pred.bbox == [41.0, 11.0, 19.0, 19.0]
    # a box goes as two corner points labelled 2 and 3, after the clicked points
    (pred,) = sam.predict(img, Prompt(points=((100, 40), (10, 10)), labels=(1, 0), box=(20, 20, 40, 30)))
    assert pred.score == pytest.approx((1 + 0 + 2 + 3) / 100)  # the labels' sum / 100
    # box only: the first point is its top-left corner (20, 20) -> (10, 10)
    (pred,) = sam.predict(img, Prompt(box=(20, 20, 40, 30)))
    assert pred.score == pytest.approx(0.05) and np.array_equal(pred.mask, disc(96, 128, 10, 10, 10))


def test_embedding_is_computed_once_per_image(sam: SamOnnxBackend) -> None:
    img = np.full((96, 128, 3), 200, np.uint8)
    sam.prepare(img)
    emb = sam.embedding(img)
    for x in (10, 20, 30):
        sam.predict(img, Prompt(points=((x, 10),), labels=(1,)))
    sam.predict(img.copy(), Prompt(points=((5, 5),), labels=(1,)))  # same pixels, other array
    assert sam.embeddings_computed == 1
    # the encoder (mean per channel) saw SAM's preprocessing: a 48x64 normalised block, zero padding
    expected = (200 - PIXEL_MEAN) / PIXEL_STD * (48 * 64) / (64 * 64)
    assert np.allclose(emb["image_embeddings"].reshape(3), expected, atol=1e-4)
    other = img.copy()
    other[0, 0] = 0
    sam.predict(other, Prompt(points=((5, 5),), labels=(1,)))
    assert sam.embeddings_computed == 2


def test_errors_are_clear(sam: SamOnnxBackend, tmp_path: Path) -> None:
    img = np.zeros((32, 32, 3), np.uint8)
    with pytest.raises(PromptError, match="needs a prompt"):
        sam.predict(img, None)
    with pytest.raises(PromptError, match="labels"):
        Prompt(points=((1, 1),), labels=())
    b = SamOnnxBackend()
    assert b.ready()[0] is False and "no model file chosen" in b.ready()[1]
    with pytest.raises(ModelLoadError, match="SAM encoder not found"):  # said before the decoder's name
        b.configure(model_path=tmp_path / "tiny_model.onnx")
    shutil.copy(tmp_path / "tiny_encoder.onnx", tmp_path / "tiny_model.onnx")
    with pytest.raises(ModelLoadError, match="choose the decoder"):  # no decoder name to guess from
        b.configure(model_path=tmp_path / "tiny_model.onnx")
    shutil.copy(tmp_path / "tiny_decoder.onnx", tmp_path / "tiny_model.onnx")
    with pytest.raises(ModelLoadError, match=r"this is a SAM decoder .*, not an encoder: choose the encoder"):
        b.configure(model_path=tmp_path / "tiny_model.onnx")
    with pytest.raises(ModelLoadError, match="this is a SAM decoder"):  # as both
        b.configure(model_path=tmp_path / "tiny_decoder.onnx", decoder_path=tmp_path / "tiny_decoder.onnx")
    not_decoder = constant_model(tmp_path / "nd.onnx", {"output0": np.zeros((1, 2), np.float32)})
    with pytest.raises(
        ModelLoadError, match="not a SAM decoder: 2 missing inputs: point_coords, point_labels"
    ):
        b.configure(model_path=tmp_path / "tiny_encoder.onnx", decoder_path=not_decoder)
    junk = tmp_path / "junk_encoder.onnx"
    junk.write_bytes(b"\x00garbage")
    with pytest.raises(ModelLoadError, match="not an ONNX model"):
        b.configure(model_path=junk, decoder_path=tmp_path / "tiny_decoder.onnx")
    assert "not an ONNX model" in b.ready()[1]


def test_a_nan_or_infinite_iou_prediction_is_a_message_not_a_score(tmp_path: Path) -> None:
    """The mask's score is the decoder's predicted IoU: NaN was stored as a null score."""
    sam_encoder(tmp_path / "enc.onnx", size=64)
    inputs = {"image_embeddings": [1, 3, 1, 1], "point_coords": [1, "n", 2], "point_labels": [1, "n"]}
    inputs.update({"mask_input": [1, 1, 16, 16], "has_mask_input": [1], "orig_im_size": [2]})
    masks = np.full((1, 1, 24, 24), 5.0, np.float32)
    for value in (np.nan, np.inf):
        dec = constant_graph(
            tmp_path / "dec.onnx", inputs, {"masks": masks, "iou_predictions": np.full((1, 1), value)}
        )
        b = SamOnnxBackend()
        b.configure(model_path=tmp_path / "enc.onnx", decoder_path=dec)
        with pytest.raises(BackendError, match=r"the model enc\.onnx gave a box or score that is not a"):
            predict_safely(b, np.zeros((24, 24, 3), np.uint8), Prompt(box=(2, 2, 10, 10)))


@pytest.mark.parametrize("shape", [(1, 0, 24, 24), (1, 1, 0, 24)])
def test_empty_masks_from_the_decoder_are_a_clear_message(tmp_path: Path, shape: tuple[int, ...]) -> None:
    """No mask or a side of 0: 'attempt to get argmax of an empty sequence' or an OpenCV assertion."""
    sam_encoder(tmp_path / "enc.onnx", size=64)
    inputs = {"image_embeddings": [1, 3, 1, 1], "point_coords": [1, "n", 2], "point_labels": [1, "n"]}
    inputs.update({"mask_input": [1, 1, 16, 16], "has_mask_input": [1], "orig_im_size": [2]})
    iou = np.zeros((1, shape[1]), np.float32)
    dec = constant_graph(
        tmp_path / "dec.onnx", inputs, {"masks": np.zeros(shape, np.float32), "iou_predictions": iou}
    )
    b = SamOnnxBackend()
    b.configure(model_path=tmp_path / "enc.onnx", decoder_path=dec)
    with pytest.raises(BackendError, match=r"decoder returned masks \[.*\]; expected \[1, k, H, W\]"):
        predict_safely(b, np.zeros((24, 24, 3), np.uint8), Prompt(box=(2, 2, 10, 10)))


def test_an_encoder_input_the_backend_cannot_feed_is_a_load_error(tmp_path: Path) -> None:
    """A uint8 encoder input loaded, then every click failed with onnxruntime's 'Unexpected input data
    type', naming no file."""
    import onnx
    from onnx import TensorProto

    encoder = sam_encoder(tmp_path / "enc.onnx")
    model = onnx.load(str(encoder))
    model.graph.input[0].type.tensor_type.elem_type = TensorProto.UINT8
    model.graph.input[0].name = "image_u8"
    model.graph.node.insert(0, onnx.helper.make_node("Cast", ["image_u8"], ["image"], to=TensorProto.FLOAT))
    onnx.save(model, str(encoder))
    with pytest.raises(
        ModelLoadError, match=r"enc\.onnx: input image_u8 is tensor\(uint8\); expected float32"
    ):
        SamOnnxBackend().configure(model_path=encoder, decoder_path=sam_decoder(tmp_path / "dec.onnx"))
