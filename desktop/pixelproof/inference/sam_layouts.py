"""The SAM export layouts in circulation, found from an encoder/decoder pair's inputs and outputs, and
the pre-/post-processing each needs to give ``SamPredictor``'s masks.

Encoders: ``sam1`` (segment-anything / samexporter without preprocessing, labelme/osam, EdgeSAM,
EfficientViT-SAM: a normalised, padded ``[1,3,S,S]``, S = 1024 or 512), ``sam1-hwc`` (samexporter
``--use-preprocess`` / AnyLabeling: the resized picture ``[H,W,3]`` in 0..255, the rest inside) and ``sam2``
(SAM 2 / 2.1: ``image_embed`` + ``high_res_feats_0/1``, the picture stretched to S×S with ImageNet
normalisation). Decoders take prompts in a 1024 frame (4 × their ``mask_input`` side); their masks are read
from ``low_res_masks`` when there is one (immune to segment-anything 1.0's baked crop, issue #56), else from
``masks`` at image size, else upscaled from low resolution as SAM's ``postprocess_masks`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pixelproof.core.wording import plural
from pixelproof.inference.base import ModelLoadError, check_model_input, check_picture_input
from pixelproof.inference.model_card import detect_family
from pixelproof.inference.onnx_torchvision import pil_resize

PIXEL_MEAN = np.array([123.675, 116.28, 103.53], np.float32)
PIXEL_STD = np.array([58.395, 57.12, 57.375], np.float32)
PROMPT_INPUTS = ("point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size")
DEFAULT_PROMPT_FRAME = 1024


def resized_shape(h: int, w: int, long_side: int) -> tuple[int, int]:
    """SAM's ``ResizeLongestSide.get_preprocess_shape``: (new_h, new_w) with the longest side = long_side."""
    scale = long_side / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


@dataclass(frozen=True, slots=True)
class SamLayout:
    """What was found in a pair, and how to drive it."""

    encoder: str  # "sam1" | "sam1-hwc" | "sam2"
    encoder_size: int  # S of a square encoder input (sam1, sam2); 1024 for sam1-hwc
    prompt_frame: int  # the side of the frame prompts are given in (1024 for every known export)
    decoder_inputs: tuple[str, ...]
    embedding_names: tuple[str, ...]  # decoder inputs fed from encoder outputs of the same name
    mask_output: str  # "low_res_masks" or "masks"
    pads_prompt: bool  # the decoder adds SAM's padding point itself (SAM 2 exports)

    def describe(self) -> str:
        names = {
            "sam1": "SAM encoder [1,3,S,S] (segment-anything, samexporter, labelme/osam, EdgeSAM, "
            "EfficientViT-SAM)",
            "sam1-hwc": "SAM encoder with preprocessing inside [H,W,3] (samexporter --use-preprocess, "
            "AnyLabeling)",
            "sam2": "SAM 2 / 2.1 encoder (image_embed + high_res_feats)",
        }
        return (
            f"{names[self.encoder]}, input {self.encoder_size}; "
            f"decoder inputs {', '.join(self.decoder_inputs)}; "
            f"prompts in a {self.prompt_frame} frame; masks from {self.mask_output}"
        )


def _side(v: Any) -> int | None:
    return v if isinstance(v, int) and v > 0 else None


def is_sam_decoder(session: Any) -> bool:
    """True for a SAM (mask) decoder: it takes the prompt points."""
    names = {i.name for i in session.get_inputs()}
    return {"point_coords", "point_labels"} <= names


def decoder_as_encoder(path: Path) -> str:
    """The message for a SAM decoder given where the encoder is expected."""
    return (
        f"{path}: this is a SAM decoder (it takes point_coords, point_labels), not an encoder: choose the "
        "encoder as the model file (the decoder beside it is found, or set decoder_path)"
    )


# what a model that labels pictures is, and the backend that reads it (``model_card.detect_family``'s words)
_LABELING = {
    "ultralytics": ("an Ultralytics YOLO export", "yolo-onnx (or onnx)"),
    "torchvision-detection": ("a torchvision detector", "onnx"),
    "torchvision-mask-rcnn": ("a Mask R-CNN", "onnx"),
    "semantic": ("a semantic segmentation model", "onnx"),
}


def not_sam_reason(session: Any, path: Path, part: str = "encoder") -> str:
    """Why a model chosen as a SAM ``part`` is no SAM part at all (``looks_like``); "" when it may be one."""
    looks = looks_like(session)
    return f"{path}: not a SAM {part}: {looks}" if looks else ""


def looks_like(session: Any) -> str:
    """What a model that is no SAM part looks like from its inputs and outputs (a YOLO detector, a torchvision
    detector, a segmenter, a classifier) and the backend that reads it; "" when it may be a SAM part (a SAM
    encoder or decoder, or a graph no family reads). A YOLO export's square [1,3,640,640] input passes for
    an encoder's, so the family decides, not the input."""
    ins, outs = session.get_inputs(), session.get_outputs()
    meta = dict(session.get_modelmeta().custom_metadata_map or {})
    try:
        family = detect_family(ins, outs, meta).family
    except ModelLoadError as e:  # a SAM encoder or decoder (refused as such), or no family at all
        if "image classifier" not in str(e):
            return ""
        what, backend = "an image classifier (a score per class for the whole picture)", ""
    else:
        if family == "semantic" and not _same_size_logits(ins, outs):  # a SAM embedding is 1/16 the input
            return ""
        what, backend = _LABELING[family]
    seen = ", ".join(f"{i.name} {list(i.shape or [])}" for i in ins)
    seen += " -> " + ", ".join(f"{o.name} {list(o.shape or [])}" for o in outs)
    use = (
        f"choose the {backend} backend for it"
        if backend
        else "no backend pre-labels with it: use a detection or segmentation model"
    )
    return f"this looks like {what}: {seen}; {use}"


def _same_size_logits(ins: list[Any], outs: list[Any]) -> bool:
    """A semantic model's logits are at its input's size (or any size); a SAM encoder's embedding is not."""
    shape_in, shape_out = list(ins[0].shape or []), list(outs[0].shape or [])
    if len(shape_in) != 4 or len(shape_out) != 4:
        return False
    return all(not _side(o) or o == i for i, o in zip(shape_in[2:], shape_out[2:], strict=True))


def detect_layout(encoder: Any, decoder: Any, encoder_path: Path, decoder_path: Path) -> SamLayout:
    """The layout of an encoder/decoder session pair; ``ModelLoadError`` naming the file and the input
    or output that does not fit, e.g. SAM-HQ's ``interm_embeddings`` that this backend does not feed."""
    ins = encoder.get_inputs()
    if is_sam_decoder(encoder):
        raise ModelLoadError(decoder_as_encoder(encoder_path))
    if why := not_sam_reason(encoder, encoder_path):
        raise ModelLoadError(why)
    shape = list(ins[0].shape or []) if len(ins) == 1 else []
    out_names = tuple(o.name for o in encoder.get_outputs())
    if len(shape) == 3 and _side(shape[2]) == 3:
        kind, size = "sam1-hwc", DEFAULT_PROMPT_FRAME
    elif len(shape) == 4 and _side(shape[1]) == 3 and _side(shape[2]) and shape[2] == shape[3]:
        kind, size = ("sam2" if any(n.startswith("high_res_feat") for n in out_names) else "sam1"), shape[2]
    else:
        raise ModelLoadError(
            f"{encoder_path}: unexpected encoder input {[list(i.shape or []) for i in ins]}; expected one "
            "input [1, 3, S, S] (a preprocessed image) or [H, W, 3] (samexporter --use-preprocess)"
        )
    check_picture_input(encoder_path, ins[0])
    check_model_input(encoder_path, size, size)
    dec_in = {i.name: i for i in decoder.get_inputs()}
    missing = [n for n in ("point_coords", "point_labels") if n not in dec_in]
    if missing:
        looks = looks_like(decoder)
        raise ModelLoadError(
            f"{decoder_path}: not a SAM decoder: {plural(len(missing), 'missing input')}: "
            f"{', '.join(missing)} (has {', '.join(dec_in)}){f'; {looks}' if looks else ''}"
        )
    embedding = tuple(n for n in dec_in if n in out_names)
    unfed = [n for n in dec_in if n not in PROMPT_INPUTS and n not in out_names]
    if unfed or not embedding:
        what = "the decoder input for the image embedding"
        if unfed:
            what = f"{plural(len(unfed), 'decoder input')} ({', '.join(unfed)})"
        raise ModelLoadError(
            f"{decoder_path}: {what} not fed by "
            f"this backend (the encoder outputs {', '.join(out_names)}); SAM-HQ's interm_embeddings and "
            "SAM 2 decoders paired with another encoder are not supported"
        )
    dec_out = [o.name for o in decoder.get_outputs()]
    if len(dec_out) < 2:
        raise ModelLoadError(f"{decoder_path}: a SAM decoder returns masks and iou_predictions")
    mask_input = dec_in.get("mask_input")
    side = _side((list(mask_input.shape or []) + [None] * 4)[3]) if mask_input is not None else None
    if side:  # the prompt frame, 4 x side: low-resolution masks are resized to it
        check_model_input(decoder_path, 4 * side, 4 * side)
    return SamLayout(
        encoder=kind,
        encoder_size=int(size),
        prompt_frame=4 * side if side else DEFAULT_PROMPT_FRAME,
        decoder_inputs=tuple(dec_in),
        embedding_names=embedding,
        mask_output="low_res_masks" if "low_res_masks" in dec_out else dec_out[0],
        pads_prompt=kind == "sam2",
    )


def encoder_input(rgb: np.ndarray, layout: SamLayout) -> np.ndarray:
    """The encoder's input for an 8-bit RGB picture, as each layout's own predictor makes it (Pillow
    bilinear resizing, antialiased when shrinking, as ``ResizeLongestSide.apply_image``)."""
    h, w = rgb.shape[:2]
    s = layout.encoder_size
    if layout.encoder == "sam2":  # stretched to S x S, pixel/255 then ImageNet mean/std
        resized = pil_resize(rgb, (s, s)).astype(np.float32)
        return ((resized - PIXEL_MEAN) / PIXEL_STD).transpose(2, 0, 1)[None].astype(np.float32)
    nh, nw = resized_shape(h, w, s)
    resized = pil_resize(rgb, (nh, nw))
    if layout.encoder == "sam1-hwc":
        return resized.astype(np.float32)
    out = np.zeros((1, 3, s, s), np.float32)
    out[0, :, :nh, :nw] = ((resized.astype(np.float32) - PIXEL_MEAN) / PIXEL_STD).transpose(2, 0, 1)
    return out


def prompt_scale(layout: SamLayout, h: int, w: int) -> tuple[float, float]:
    """(sx, sy) from image pixels to the decoder's prompt frame."""
    f = layout.prompt_frame
    if layout.encoder == "sam2":
        return f / w, f / h
    nh, nw = resized_shape(h, w, f)
    return nw / w, nh / h


def choose_mask(iou: np.ndarray, tokens: int) -> int:
    """SAM's answer among k masks: 4 (multimask export) -> best of 1..3 by predicted IoU when at most 2
    prompt tokens were sent, else mask 0; otherwise the best predicted IoU."""
    if iou.size == 4:
        return 1 + int(np.argmax(iou[1:])) if tokens <= 2 else 0
    return int(np.argmax(iou))


def upscale_logits(low: np.ndarray, layout: SamLayout, h: int, w: int) -> np.ndarray:
    """Low-resolution logits -> image-size logits as SAM's ``postprocess_masks``: bilinear to the prompt
    frame, crop the padding, bilinear to the image (SAM 2: straight to the image, nothing padded)."""
    if layout.encoder == "sam2":
        return cv2.resize(low, (w, h), interpolation=cv2.INTER_LINEAR)
    f = layout.prompt_frame
    nh, nw = resized_shape(h, w, f)
    full = cv2.resize(low, (f, f), interpolation=cv2.INTER_LINEAR)[:nh, :nw]
    return cv2.resize(np.ascontiguousarray(full), (w, h), interpolation=cv2.INTER_LINEAR)
