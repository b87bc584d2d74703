"""SAM-style encoder/decoder ONNX pairs: points and box prompts -> one mask, as ``SamPredictor`` gives it.

The encoder (image -> embeddings) is slow and runs once per image; its outputs are cached by a hash of
the pixels, so each click only runs the small decoder and the mask follows the user live. Which export
layout a pair has (segment-anything, samexporter with or without preprocessing, labelme/osam, EdgeSAM,
EfficientViT-SAM, SAM 2 / 2.1) is found at load (``sam_layouts.detect_layout``); a decoder input the
backend cannot feed is refused then, not at the first click.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pixelproof.core import masks
from pixelproof.inference.base import (
    BackendError,
    ModelLoadError,
    OnnxBackend,
    Prediction,
    Prompt,
    PromptError,
    open_onnx_session,
    parse_int,
)
from pixelproof.inference.rgb8_input import as_rgb8
from pixelproof.inference.sam_layouts import (
    PIXEL_MEAN,
    PIXEL_STD,
    SamLayout,
    choose_mask,
    decoder_as_encoder,
    detect_layout,
    encoder_input,
    is_sam_decoder,
    not_sam_reason,
    prompt_scale,
    resized_shape,
    upscale_logits,
)

__all__ = ["PIXEL_MEAN", "PIXEL_STD", "SamOnnxBackend", "resized_shape"]


def decoder_beside(encoder: Path) -> Path | None:
    """The decoder taken when none is chosen: the encoder's name with "encoder" replaced by "decoder"
    (samexporter's ``X.encoder.onnx`` / ``X.decoder.onnx``); None when the name has no "encoder"."""
    guess = encoder.with_name(encoder.name.replace("encoder", "decoder"))
    return None if guess == encoder else guess


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
        self.layout: SamLayout | None = None
        self.embeddings_computed = 0
        self._cache: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()

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
            guess = decoder_beside(encoder_path)
            if guess is None:  # no "encoder" in the name: say what the file is, if it is wrong
                try:
                    session = open_onnx_session(encoder_path, "SAM encoder", self.threads)
                except BackendError as e:
                    self._error = str(e)
                    raise
                decoder_given = is_sam_decoder(session)
                other = "" if decoder_given else not_sam_reason(session, encoder_path)
                del session
                self._error = (
                    decoder_as_encoder(encoder_path)
                    if decoder_given
                    else other or f"{encoder_path}: choose the decoder too (decoder_path)"
                )
                raise ModelLoadError(self._error)
            decoder = guess
        self._load(encoder_path, Path(decoder))

    @classmethod
    def implied_files(cls, values: dict[str, Any]) -> list[Path]:
        """The decoder found by name when ``decoder_path`` is not given."""
        model = values.get("model_path")
        if not model or values.get("decoder_path"):
            return []
        guess = decoder_beside(Path(model))
        return [guess] if guess is not None else []

    def _load(self, encoder_path: Path, decoder_path: Path) -> None:
        self.encoder = self.decoder = self.layout = None
        self.model_path = self.decoder_path = None
        self._cache.clear()
        self._error = None
        try:
            enc = open_onnx_session(encoder_path, "SAM encoder", self.threads)
            dec = open_onnx_session(decoder_path, "SAM decoder", self.threads)
            layout = detect_layout(enc, dec, encoder_path, decoder_path)
        except BackendError as e:
            self._error = str(e)
            raise
        self.encoder, self.decoder, self.layout = enc, dec, layout
        self.long_side = layout.encoder_size
        self.model_path, self.decoder_path = encoder_path, decoder_path

    def _set_cache_size(self, value: Any) -> None:
        self.cache_size = max(1, parse_int("sam-onnx: cache_size", value))

    def _loaded(self) -> bool:
        return self.encoder is not None

    def categories(self) -> list[str]:
        return [self.category]

    # -- inference -----------------------------------------------------------------------------------
    def model_info(self) -> dict[str, Any] | None:
        if self.layout is None:
            return None
        return {"family": f"sam ({self.layout.encoder})", "layout": self.layout.describe(), "assumptions": []}

    def embedding(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """The encoder's outputs for ``image`` by name, computed once and cached by pixel hash."""
        if self.encoder is None or self.layout is None:
            raise self._not_loaded()
        key = image_key(image) + repr(self.display_window)  # another window is another picture
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        tensor = encoder_input(as_rgb8(image, self.display_window), self.layout)
        outs = self.encoder.run(None, {self.encoder.get_inputs()[0].name: tensor})
        emb = {o.name: v for o, v in zip(self.encoder.get_outputs(), outs, strict=True)}
        self.embeddings_computed += 1
        self._cache[key] = emb
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return emb

    def prepare(self, image: np.ndarray) -> None:
        self.embedding(image)

    def _prompt_feeds(self, prompt: Prompt, h: int, w: int) -> tuple[dict[str, np.ndarray], int]:
        """Decoder prompt inputs in its frame, and the number of prompt tokens sent (SAM's mask rule)."""
        assert self.layout is not None
        coords = [list(p) for p in prompt.points]
        labels = [float(lab) for lab in prompt.labels]
        if prompt.box is not None:
            x, y, bw, bh = prompt.box
            coords += [[x, y], [x + bw, y + bh]]
            labels += [2.0, 3.0]
        elif self.layout.pads_prompt:
            pass  # the graph appends the padding point itself
        else:  # SAM expects a padding point when there is no box
            coords.append([0.0, 0.0])
            labels.append(-1.0)
        sx, sy = prompt_scale(self.layout, h, w)
        pc = np.asarray(coords, np.float32).reshape(1, -1, 2) * np.array([sx, sy], np.float32)
        side = self.layout.prompt_frame // 4
        feeds = {
            "point_coords": pc.astype(np.float32),
            "point_labels": np.asarray(labels, np.float32)[None],
            "mask_input": np.zeros((1, 1, side, side), np.float32),
            "has_mask_input": np.zeros(1, np.float32),
            "orig_im_size": np.array([h, w], np.float32),
        }
        tokens = len(labels) + (1 if self.layout.pads_prompt and prompt.box is None else 0)
        return {k: v for k, v in feeds.items() if k in self.layout.decoder_inputs}, tokens

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        if prompt is None or (not prompt.points and prompt.box is None):
            raise PromptError("sam-onnx needs a prompt: click points or drag a box")
        emb = self.embedding(image)
        assert self.layout is not None
        h, w = image.shape[:2]
        feeds, tokens = self._prompt_feeds(prompt, h, w)
        feeds.update({name: emb[name] for name in self.layout.embedding_names})
        names = [o.name for o in self.decoder.get_outputs()]
        out = dict(zip(names, self.decoder.run(None, feeds), strict=True))
        mask_logits = np.asarray(out[self.layout.mask_output])
        iou = np.asarray(out.get("iou_predictions", out.get("scores", out[names[1]]))).reshape(-1)
        if mask_logits.ndim != 4 or mask_logits.shape[1] != iou.size or 0 in mask_logits.shape:
            raise BackendError(
                f"sam-onnx: decoder returned masks {list(mask_logits.shape)} and scores {list(iou.shape)}; "
                "expected [1, k, H, W] and [1, k]"
            )
        best = choose_mask(iou, tokens)
        logits = mask_logits[0, best]
        if logits.shape != (h, w):  # low-resolution logits: SAM's postprocess_masks outside the graph
            logits = upscale_logits(np.ascontiguousarray(logits, np.float32), self.layout, h, w)
        mask = logits > 0.0
        if not mask.any():
            return []
        score = float(iou[best])
        if math.isfinite(score):  # a predicted IoU, a little below 0 or above 1 at times: a score is 0..1
            score = min(max(score, 0.0), 1.0)
        return [Prediction(self.category, score, masks.bbox(mask), mask=mask)]
