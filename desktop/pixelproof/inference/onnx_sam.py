"""SAM-style encoder/decoder ONNX pairs: points and box prompts -> one mask.

The encoder (image -> embeddings) is slow and runs once per image; its result is cached by a hash of
the pixels, so each click only runs the small decoder and the mask follows the user live. The decoder
interface is the segment-anything ONNX export (``SamOnnxModel``): ``image_embeddings``, ``point_coords``,
``point_labels`` (1 +, 0 -, 2/3 box corners, -1 padding), ``mask_input``, ``has_mask_input``,
``orig_im_size`` -> ``masks`` (logits at the image size), ``iou_predictions``.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np

from pixelproof.core import masks
from pixelproof.inference.base import (
    BackendError,
    ModelLoadError,
    OnnxBackend,
    Prediction,
    Prompt,
    PromptError,
    as_rgb8,
    open_onnx_session,
    parse_int,
)

PIXEL_MEAN = np.array([123.675, 116.28, 103.53], np.float32)
PIXEL_STD = np.array([58.395, 57.12, 57.375], np.float32)
DECODER_INPUTS = (
    "image_embeddings",
    "point_coords",
    "point_labels",
    "mask_input",
    "has_mask_input",
    "orig_im_size",
)


def resized_shape(h: int, w: int, long_side: int) -> tuple[int, int]:
    """SAM's ``ResizeLongestSide.get_preprocess_shape``: (new_h, new_w) with the longest side = long_side."""
    scale = long_side / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def preprocess(image: np.ndarray, long_side: int) -> np.ndarray:
    """RGB uint8 -> 1x3xSxS float32: resize longest side to S, normalise with SAM's mean/std, pad
    bottom/right with zeros (after normalisation), as ``Sam.preprocess``."""
    rgb = as_rgb8(image)
    nh, nw = resized_shape(rgb.shape[0], rgb.shape[1], long_side)
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    out = np.zeros((1, 3, long_side, long_side), np.float32)
    out[0, :, :nh, :nw] = ((resized.astype(np.float32) - PIXEL_MEAN) / PIXEL_STD).transpose(2, 0, 1)
    return out


def image_key(image: np.ndarray) -> str:
    """Identity of an image's pixels (shape, dtype and content), for the embedding cache."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((image.shape, str(image.dtype))).encode())
    h.update(np.ascontiguousarray(image).data)
    return h.hexdigest()


class SamOnnxBackend(OnnxBackend):
    """Interactive segmentation with a Segment-Anything encoder/decoder ONNX pair the user chooses."""

    name = "sam-onnx"
    kind = "interactive"
    needs_model = True
    no_model = "no model file chosen (encoder and decoder .onnx)"
    options: ClassVar[dict[str, str]] = {
        "model_path": "encoder .onnx (image [1, 3, S, S] -> embeddings)",
        "decoder_path": "decoder .onnx (segment-anything export); default: the encoder's name with "
        '"encoder" replaced by "decoder"',
        "category": 'category name of the result (default "object")',
        "cache_size": "image embeddings kept in memory (default 4)",
        "threads": "onnxruntime intra-op threads (default: the cores this process may use, max 8)",
        "score_threshold": "ignored for prompts (the mask is always returned); accepted for a uniform CLI",
    }

    def __init__(self) -> None:
        super().__init__()
        self.category = "object"
        self.cache_size = 4
        self.decoder_path: Path | None = None
        self.encoder: Any = None
        self.decoder: Any = None
        self.long_side = 1024
        self.embeddings_computed = 0
        self._cache: OrderedDict[str, tuple[np.ndarray, tuple[int, int]]] = OrderedDict()

    # -- configuration -------------------------------------------------------------------------------
    def configure(self, **values: Any) -> None:
        """As ``Backend.configure``; the pair is loaded once both paths are known."""
        model = values.pop("model_path", None)
        decoder = values.pop("decoder_path", None)
        super().configure(**values)
        if model is None and decoder is None:
            return
        encoder_path = Path(model) if model is not None else self.model_path
        if encoder_path is None:
            raise BackendError("sam-onnx: choose the encoder (model_path) too")
        if decoder is None:
            guess = encoder_path.with_name(encoder_path.name.replace("encoder", "decoder"))
            if guess == encoder_path:
                self._error = f"{encoder_path}: choose the decoder too (decoder_path)"
                raise ModelLoadError(self._error)
            decoder = guess
        self._load(encoder_path, Path(decoder))

    def _load(self, encoder_path: Path, decoder_path: Path) -> None:
        self.encoder = self.decoder = None
        self.model_path = self.decoder_path = None
        self._cache.clear()
        self._error = None
        try:
            enc = open_onnx_session(encoder_path, "SAM encoder", self.threads)
            ins = enc.get_inputs()
            if len(ins) != 1 or len(ins[0].shape) != 4 or not isinstance(ins[0].shape[2], int):
                raise ModelLoadError(
                    f"{encoder_path}: unexpected encoder input {[list(i.shape) for i in ins]}; "
                    "expected one input [1, 3, S, S] (a preprocessed image)"
                )
            dec = open_onnx_session(decoder_path, "SAM decoder", self.threads)
            names = {i.name for i in dec.get_inputs()}
            missing = [n for n in DECODER_INPUTS if n not in names]
            if missing:
                raise ModelLoadError(
                    f"{decoder_path}: not a SAM decoder: missing input(s) {', '.join(missing)} "
                    f"(has {', '.join(sorted(names))})"
                )
            if len(dec.get_outputs()) < 2:
                raise ModelLoadError(f"{decoder_path}: a SAM decoder returns masks and iou_predictions")
        except BackendError as e:
            self._error = str(e)
            raise
        self.encoder, self.decoder = enc, dec
        self.long_side = int(ins[0].shape[2])
        self.model_path, self.decoder_path = encoder_path, decoder_path

    def _set_cache_size(self, value: Any) -> None:
        self.cache_size = max(1, parse_int("sam-onnx: cache_size", value))

    def _loaded(self) -> bool:
        return self.encoder is not None

    def categories(self) -> list[str]:
        return [self.category]

    # -- inference -----------------------------------------------------------------------------------
    def embedding(self, image: np.ndarray) -> np.ndarray:
        """The encoder's output for ``image``, computed once and cached by pixel hash."""
        if self.encoder is None:
            raise self._not_loaded()
        key = image_key(image)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit[0]
        tensor = preprocess(image, self.long_side)
        emb = self.encoder.run(None, {self.encoder.get_inputs()[0].name: tensor})[0]
        self.embeddings_computed += 1
        self._cache[key] = (emb, image.shape[:2])
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return emb

    def prepare(self, image: np.ndarray) -> None:
        self.embedding(image)

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        if prompt is None or (not prompt.points and prompt.box is None):
            raise PromptError("sam-onnx needs a prompt: click points or drag a box")
        emb = self.embedding(image)
        h, w = image.shape[:2]
        nh, nw = resized_shape(h, w, self.long_side)
        sx, sy = nw / w, nh / h
        coords = [list(p) for p in prompt.points]
        labels = [float(lab) for lab in prompt.labels]
        if prompt.box is not None:
            x, y, bw, bh = prompt.box
            coords += [[x, y], [x + bw, y + bh]]
            labels += [2.0, 3.0]
        else:  # the export expects a padding point when there is no box
            coords.append([0.0, 0.0])
            labels.append(-1.0)
        pc = np.asarray(coords, np.float32).reshape(1, -1, 2) * np.array([sx, sy], np.float32)
        feeds = {
            "image_embeddings": emb,
            "point_coords": pc.astype(np.float32),
            "point_labels": np.asarray(labels, np.float32)[None],
            "mask_input": np.zeros((1, 1, 256, 256), np.float32),
            "has_mask_input": np.zeros(1, np.float32),
            "orig_im_size": np.array([h, w], np.float32),
        }
        out = self.decoder.run(None, feeds)
        mask_logits, iou = np.asarray(out[0]), np.asarray(out[1]).reshape(-1)
        if mask_logits.ndim != 4 or mask_logits.shape[1] != iou.size:
            raise BackendError(
                f"sam-onnx: decoder returned masks {list(mask_logits.shape)} and scores {list(iou.shape)}; "
                "expected [1, k, H, W] and [1, k]"
            )
        best = int(np.argmax(iou))
        logits = mask_logits[0, best]
        if logits.shape != (h, w):  # a decoder that returns low-resolution masks
            logits = cv2.resize(logits, (w, h), interpolation=cv2.INTER_LINEAR)
        mask = logits > 0.0
        if not mask.any():
            return []
        return [Prediction(self.category, float(iou[best]), masks.bbox(mask), mask=mask)]
