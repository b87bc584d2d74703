"""sam-onnx against segment-anything's own ``SamPredictor`` masks (../shared/models/sam-tiny: a tiny
random-weight SAM in the export layouts people bring): IoU >= 0.99 for every prompt, every layout,
including the PyPI-1.0 decoder with its baked crop and the multi-mask export where the caller chooses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

from pixelproof.inference.base import ModelLoadError, Prompt
from pixelproof.inference.onnx_sam import SamOnnxBackend

pytest.importorskip("onnxruntime")

PAIRS = {  # (encoder, decoder): the layouts of sam-tiny/README.md
    "official (fixed decoder)": ("tiny_sam_encoder.onnx", "tiny_sam_fixed_decoder.onnx"),
    "pip 1.0 decoder (baked crop)": ("tiny_sam_encoder.onnx", "tiny_sam_decoder.onnx"),
    "multimask decoder": ("tiny_sam_encoder.onnx", "tiny_sam_multimask_decoder.onnx"),
    "samexporter HWC encoder": ("tiny_sam_hwc.encoder.onnx", "tiny_sam_hwc.decoder.onnx"),
}


@pytest.fixture(scope="module")
def tiny(shared_models: Path) -> Path:
    path = shared_models / "sam-tiny"
    if not (path / "sam_references.json").is_file():
        pytest.skip(f"sam-tiny not found at {path}")
    return path


@pytest.fixture(scope="module")
def encoders(tiny: Path) -> dict[str, SamOnnxBackend]:
    """One backend per pair; pairs share nothing, so each computes its own embeddings."""
    out = {}
    for name, (enc, dec) in PAIRS.items():
        b = SamOnnxBackend()
        b.configure(model_path=tiny / enc, decoder_path=tiny / dec, threads=2)
        out[name] = b
    return out


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.mark.parametrize("pair", list(PAIRS))
def test_masks_equal_sam_predictor(tiny: Path, encoders: dict[str, SamOnnxBackend], pair: str) -> None:
    refs = json.loads((tiny / "sam_references.json").read_text())
    backend = encoders[pair]
    for case, ref in refs.items():
        image = np.asarray(Image.open(tiny / ref["image"]).convert("RGB"))
        p = ref["prompt"]
        prompt = Prompt(
            points=tuple(tuple(pt) for pt in p["points"]),
            labels=tuple(p["labels"]),
            box=tuple(p["box"]) if p["box"] else None,
        )
        (pred,) = backend.predict(image, prompt)
        want = mask_utils.decode(ref["mask_rle"]).astype(bool)
        assert iou(pred.mask, want) >= 0.99, (pair, case, iou(pred.mask, want))
        want_score = min(max(ref["iou_prediction"], 0.0), 1.0)  # a score is a probability: clipped to 0..1
        assert pred.score == pytest.approx(want_score, abs=2e-3), (pair, case)


def test_layouts_are_detected_and_said(encoders: dict[str, SamOnnxBackend]) -> None:
    hwc = encoders["samexporter HWC encoder"].describe()["model"]
    assert hwc["family"] == "sam (sam1-hwc)" and "masks from low_res_masks" in hwc["layout"]
    official = encoders["official (fixed decoder)"].describe()["model"]
    assert official["family"] == "sam (sam1)" and "prompts in a 1024 frame" in official["layout"]


def test_any_picture_shape_matches_the_correct_graph(tiny: Path, encoders: dict[str, SamOnnxBackend]) -> None:
    """Portrait and downscaled pictures (no reference from torch here): the pip-1.0 decoder's masks,
    post-processed outside the graph, equal what the fixed graph computes inside."""
    astronaut = np.asarray(Image.open(tiny / "astronaut.png").convert("RGB"))
    portrait = np.asarray(Image.fromarray(astronaut[:, 96:416]).resize((700, 1100), Image.BILINEAR))
    prompt = Prompt(points=((350.0, 300.0),), labels=(1,))
    fixed, buggy = encoders["official (fixed decoder)"], encoders["pip 1.0 decoder (baked crop)"]
    (a,) = fixed.predict(portrait, prompt)
    (b,) = buggy.predict(portrait, prompt)
    assert iou(a.mask, b.mask) >= 0.99


def test_unfed_decoder_inputs_are_refused_at_load(tmp_path: Path, tiny: Path) -> None:
    """A SAM-HQ-style decoder (an extra interm_embeddings input) fails when chosen, naming the input."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(tiny / "tiny_sam_fixed_decoder.onnx"))
    model.graph.input.append(helper.make_tensor_value_info("interm_embeddings", TensorProto.FLOAT, [1, 8]))
    hq = tmp_path / "hq_decoder.onnx"
    onnx.save(model, str(hq))
    b = SamOnnxBackend()
    with pytest.raises(
        ModelLoadError, match=r"hq_decoder.onnx: 1 decoder input \(interm_embeddings\) not fed"
    ):
        b.configure(model_path=tiny / "tiny_sam_encoder.onnx", decoder_path=hq)
    assert not b.ready()[0] and "interm_embeddings" in b.ready()[1]


def test_sam2_layout_is_fed_as_sam2_exports_expect(tmp_path: Path) -> None:
    """SAM 2 / 2.1 (samexporter, sam2-onnx, osam): encoder outputs image_embed + high_res_feats_0/1, fed
    to the decoder by name; the picture is stretched to S x S (prompts scaled per axis); the graph adds
    the padding point itself; 3 low-resolution masks -> the best by predicted IoU, resized to the image."""
    from tests.inference.graphs import constant_graph

    feats = {
        "high_res_feats_0": np.zeros((1, 4, 16, 16)),
        "high_res_feats_1": np.zeros((1, 4, 8, 8)),
        "image_embed": np.zeros((1, 4, 4, 4)),
    }
    constant_graph(tmp_path / "s2.encoder.onnx", {"image": [1, 3, 64, 64]}, feats)
    low = np.full((1, 3, 16, 16), -5.0)
    low[0, 2, 4:8, 0:8] = 5.0  # mask 2: left half of rows 4..7 in the 64-frame / 4
    constant_graph(
        tmp_path / "s2.decoder.onnx",
        {
            "image_embed": [1, 4, 4, 4],
            "high_res_feats_0": [1, 4, 16, 16],
            "high_res_feats_1": [1, 4, 8, 8],
            "point_coords": [1, "n", 2],
            "point_labels": [1, "n"],
            "mask_input": [1, 1, 16, 16],
            "has_mask_input": [1],
        },
        {"masks": low, "iou_predictions": np.array([[0.1, 0.2, 0.9]])},
    )
    b = SamOnnxBackend()
    b.configure(model_path=tmp_path / "s2.encoder.onnx")
    info = b.describe()["model"]
    assert info["family"] == "sam (sam2)" and "prompts in a 64 frame" in info["layout"]
    sent: list[dict] = []
    run = b.decoder.run
    b.decoder.run = lambda names, feeds: sent.append(feeds) or run(names, feeds)  # type: ignore[method-assign]
    image = np.full((100, 200, 3), 90, np.uint8)
    (pred,) = b.predict(image, Prompt(points=((50.0, 25.0),), labels=(1,)))
    assert sent[0]["point_coords"].tolist() == [[[16.0, 16.0]]]  # x * 64/200, y * 64/100; no padding point
    assert sent[0]["point_labels"].tolist() == [[1.0]] and "orig_im_size" not in sent[0]
    assert set(feats) <= set(sent[0]) and pred.score == pytest.approx(0.9)
    assert pred.mask.shape == (100, 200) and pred.bbox == [0.0, 25.0, 100.0, 25.0]  # rows 4..7 of 16


def test_a_decoder_found_by_name_and_replaced_on_disk_is_loaded_again_by_workers(
    tmp_path: Path, tiny: Path
) -> None:
    """Worker processes and a batch's second lane keep a model per ``BackendSpec.cache_key`` (the spec and
    its files' stamps). The decoder sam-onnx finds by name beside the encoder (``X.decoder.onnx``, no
    decoder_path) was no file of the spec, so a decoder written over it kept the old one in them."""
    import os
    import shutil
    from functools import partial

    from pixelproof.core.batch import cached
    from pixelproof.inference.batch import BackendSpec

    encoder, decoder = tmp_path / "tiny_sam_hwc.encoder.onnx", tmp_path / "tiny_sam_hwc.decoder.onnx"
    for path in (encoder, decoder):
        shutil.copyfile(tiny / path.name, path)
    spec = BackendSpec("sam-onnx", (("model_path", str(encoder)),))

    def model() -> SamOnnxBackend:
        return cached(spec.cache_key(), partial(spec.make, True)).value

    def masks_given(b: SamOnnxBackend) -> int:  # iou_predictions [1, k]: k masks per prompt
        return b.decoder.get_outputs()[1].shape[-1]

    first = model()
    assert first.decoder_path == decoder and masks_given(first) == 1
    shutil.copyfile(tiny / "tiny_sam_multimask_decoder.onnx", decoder)  # a new export saved over it
    st = decoder.stat()
    os.utime(decoder, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a coarse clock: a later time
    again = model()
    assert again is not first and masks_given(again) == 4
    ref = json.loads((tiny / "sam_references.json").read_text())["astronaut/pos"]
    image = np.asarray(Image.open(tiny / ref["image"]).convert("RGB"))
    prompt = Prompt(points=tuple(tuple(p) for p in ref["prompt"]["points"]), labels=(1,))
    (pred,) = again.predict(image, prompt)  # the new decoder, driven by SAM's rule for 4 masks
    assert iou(pred.mask, mask_utils.decode(ref["mask_rle"]).astype(bool)) >= 0.99
