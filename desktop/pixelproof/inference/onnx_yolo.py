"""Ultralytics YOLO detect / segment ONNX exports through onnxruntime.

Pre- and post-processing follow Ultralytics step by step (``LetterBox(auto=False, scaleup=True,
center=True)``, ``non_max_suppression``, ``scale_boxes``, ``process_mask``, ``scale_masks``) because that
is where ports drift: a detection that differs from what the model's own pipeline gives is a bug here.
Both output layouts are read: raw ``[1, 4+nc(+nm), N]`` (we run NMS) and end-to-end ``[1, max_det,
6(+nm)]`` (x1, y1, x2, y2, score, class, mask coefficients), with prototypes ``[1, nm, mh, mw]`` as the
second output of segmentation models.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np

from pixelproof.inference.base import (
    BackendError,
    ModelLoadError,
    OnnxBackend,
    Prediction,
    Prompt,
    box_xyxy_to_xywh,
    check_model_input,
    open_onnx_session,
    parse_bool,
    parse_fraction,
    parse_int,
)
from pixelproof.inference.model_card import (
    NO_NAMES,
    classes_count_error,
    detect_family,
    parse_names,
    read_classes_file,
)
from pixelproof.inference.rgb8_input import as_rgb8

PAD_VALUE = 114
MAX_WH = 7680  # Ultralytics' class offset for class-aware NMS
MAX_NMS = 30000  # boxes kept for NMS, highest scores first


@dataclass(frozen=True, slots=True)
class Letterbox:
    """Where the image went in the network input: scale ``gain`` and padding (left, top)."""

    gain: float
    left: int
    top: int
    new_w: int
    new_h: int


def letterbox(
    image: np.ndarray, size: tuple[int, int], out: np.ndarray | None = None
) -> tuple[np.ndarray, Letterbox]:
    """Resize keeping aspect (up or down), centre on a (h, w) canvas filled with 114, as Ultralytics'
    ``LetterBox(auto=False, scaleup=True, center=True)``. Reuses ``out`` (h, w, 3 uint8) if given."""
    h0, w0 = image.shape[:2]
    th, tw = size
    r = min(th / h0, tw / w0)
    new_w, new_h = round(w0 * r), round(h0 * r)
    dw, dh = (tw - new_w) / 2, (th - new_h) / 2
    top, left = round(dh - 0.1), round(dw - 0.1)
    if out is None:
        out = np.empty((th, tw, 3), np.uint8)
    out[...] = PAD_VALUE
    resized = (
        image
        if (w0, h0) == (new_w, new_h)
        else cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    )
    out[top : top + new_h, left : left + new_w] = resized
    return out, Letterbox(r, left, top, new_w, new_h)


def to_tensor(canvas: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """HxWx3 uint8 RGB -> 1x3xHxW float32 in 0..1 (the network input)."""
    h, w = canvas.shape[:2]
    if out is None:
        out = np.empty((1, 3, h, w), np.float32)
    np.multiply(canvas.transpose(2, 0, 1), np.float32(1 / 255), out=out[0], casting="unsafe")
    return out


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy NMS as ``torchvision.ops.nms``: highest score first, drop boxes with IoU > threshold."""
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    keep: list[int] = []
    while order.size:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        w = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        h = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = w * h
        iou = inter / (areas[i] + areas[rest] - inter + 1e-12)
        order = rest[iou <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def decode_raw(
    pred: np.ndarray,
    nc: int,
    conf: float,
    iou: float,
    max_det: int,
    agnostic: bool = False,
) -> np.ndarray:
    """Raw head output (4+nc+nm, N) -> rows [x1, y1, x2, y2, score, class, coeffs...] after NMS, as
    Ultralytics' ``non_max_suppression`` (best class per box, class-aware unless ``agnostic``)."""
    cls_scores = pred[4 : 4 + nc]
    best = cls_scores.max(axis=0)
    cand = np.flatnonzero(best > conf)
    if cand.size == 0:
        return np.zeros((0, 6 + pred.shape[0] - 4 - nc), np.float32)
    x = pred[:, cand].T  # (n, 4+nc+nm)
    j = cls_scores[:, cand].argmax(axis=0)
    score = best[cand]
    cx, cy, w, h = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    rows = np.concatenate([boxes, score[:, None], j[:, None].astype(np.float32), x[:, 4 + nc :]], axis=1)
    if rows.shape[0] > MAX_NMS:
        rows = rows[np.argsort(-rows[:, 4], kind="stable")[:MAX_NMS]]
    offset = 0.0 if agnostic else MAX_WH
    keep = nms(rows[:, :4] + rows[:, 5:6] * offset, rows[:, 4], iou)[:max_det]
    return rows[keep]


def scale_boxes(boxes: np.ndarray, input_hw: tuple[int, int], image_hw: tuple[int, int]) -> np.ndarray:
    """Network-input xyxy -> image xyxy: subtract the padding, divide by the gain, clip (Ultralytics
    ``scale_boxes`` with ``padding=True``)."""
    ih, iw = input_hw
    h0, w0 = image_hw
    gain = min(ih / h0, iw / w0)
    pad_x = round((iw - w0 * gain) / 2 - 0.1)
    pad_y = round((ih - h0 * gain) / 2 - 0.1)
    out = boxes.astype(np.float64, copy=True)
    out[:, [0, 2]] -= pad_x
    out[:, [1, 3]] -= pad_y
    out /= gain
    out[:, [0, 2]] = out[:, [0, 2]].clip(0, w0)
    out[:, [1, 3]] = out[:, [1, 3]].clip(0, h0)
    return out


def process_masks(
    protos: np.ndarray,
    coeffs: np.ndarray,
    boxes_in: np.ndarray,
    input_hw: tuple[int, int],
    image_hw: tuple[int, int],
) -> list[np.ndarray]:
    """Mask coefficients x prototypes -> sigmoid -> crop to the (downsampled) box -> bilinear upsample
    to the network input -> > 0.5, then ``scale_masks``: cut the padding, resize to the image, > 0.5."""
    nm, mh, mw = protos.shape
    ih, iw = input_hw
    h0, w0 = image_hw
    logits = (coeffs.astype(np.float32) @ protos.reshape(nm, -1)).reshape(-1, mh, mw)
    prob = 1.0 / (1.0 + np.exp(-logits))
    gain = min(ih / h0, iw / w0)
    pad_w, pad_h = (iw - w0 * gain) / 2, (ih - h0 * gain) / 2
    top, left = round(pad_h - 0.1), round(pad_w - 0.1)
    bottom, right = ih - round(pad_h + 0.1), iw - round(pad_w + 0.1)
    cols = np.arange(mw)[None, :]
    rows = np.arange(mh)[:, None]
    out = []
    for m, (x1, y1, x2, y2) in zip(prob, boxes_in, strict=True):
        bx1, bx2 = x1 * mw / iw, x2 * mw / iw
        by1, by2 = y1 * mh / ih, y2 * mh / ih
        cropped = m * ((cols >= bx1) & (cols < bx2) & (rows >= by1) & (rows < by2))
        up = cv2.resize(cropped, (iw, ih), interpolation=cv2.INTER_LINEAR) > 0.5
        inner = up[top:bottom, left:right].astype(np.float32)
        out.append(cv2.resize(inner, (w0, h0), interpolation=cv2.INTER_LINEAR) > 0.5)
    return out


def _dim(v: Any) -> int | None:
    return v if isinstance(v, int) and v > 0 else None


def _input_size(shape: Any, imgsz: str, path: Path) -> tuple[int, int]:
    """The model's (height, width): its input's fixed sides, else the ``imgsz`` metadata (an int or
    [h, w]). A garbage value or a size over the pixel limit (``core.limits``; a 100000^2 input would ask
    for 120 GB) is a ``ModelLoadError``, never a traceback or an allocation."""
    h, w = _dim(shape[2]), _dim(shape[3])
    if h is None or w is None:
        try:
            size = ast.literal_eval(imgsz) if len(imgsz) < 100 else None
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            size = None
        if type(size) is int:
            size = [size, size]
        if not (isinstance(size, list | tuple) and len(size) == 2 and all(type(v) is int for v in size)):
            raise ModelLoadError(f"{path}: metadata imgsz {imgsz[:60]!r} is not a size ([h, w] or an int)")
        h, w = size
    check_model_input(path, h, w)
    return h, w


def _found(
    inputs: list[Any],
    outputs: list[Any],
    meta: dict[str, str],
    hw: tuple[int, int],
    e2e: bool,
    flagged_e2e: bool,
    nm: int,
) -> tuple[str, str, str, list[str]]:
    """What a loaded export was found to be, as the onnx backend says it for any family: (layout, why it
    is Ultralytics, where the class names come from, what was guessed)."""
    try:
        detected = detect_family(inputs, outputs, meta)
    except ModelLoadError:  # an output named as a SAM encoder's: read as YOLO all the same
        detected = None
    seen = detected.layout if detected is not None else ""
    ours = detected is not None and detected.family == "ultralytics" and detected.assumptions
    family_from = detected.assumptions[0] if ours else ""
    h, w = hw
    masks = f" + {nm} mask coefficients" if nm else ""
    how = (
        f"end-to-end rows x1, y1, x2, y2, score, class{masks}: NMS in the graph"
        if e2e
        else f"raw boxes + class scores{masks}: NMS here"
    )
    layout = f"{seen}; letterboxed to {w}x{h}; {how}".lstrip("; ")
    assumed = []
    if "names" in meta:
        classes_from = "ONNX metadata 'names'"
    else:
        classes_from = f"{NO_NAMES}: class<id>"
        assumed.append("class names class<id> (no 'names' in the ONNX metadata)")
    shape = inputs[0].shape
    if _dim(shape[2]) is None or _dim(shape[3]) is None:
        given = (
            "the ONNX metadata 'imgsz'"
            if "imgsz" in meta
            else "no 'imgsz' in the metadata: Ultralytics' default"
        )
        assumed.append(f"input size {w}x{h} ({given}; the graph's input size is not fixed)")
    if e2e and not flagged_e2e:
        assumed.append("end-to-end output, from its shape (the metadata does not say nms or end2end)")
    return layout, family_from, classes_from, assumed


class YoloOnnxBackend(OnnxBackend):
    """Ultralytics YOLO (v8/11 style) detection and segmentation ONNX exports."""

    name = "yolo-onnx"
    kind = "detect"
    needs_model = True
    options: ClassVar[dict[str, str]] = {
        "model_path": "Ultralytics YOLO .onnx export (detect or segment; raw or nms=True)",
        "classes_file": "class names, one a line (line n = class id n); overrides the metadata's names "
        "(as the onnx backend reads it)",
        "score_threshold": "minimum confidence (default 0.25, as Ultralytics)",
        "iou_threshold": "NMS IoU threshold (default 0.7, as Ultralytics)",
        "max_det": "maximum detections per image (default 300)",
        "agnostic": "class-agnostic NMS (default false)",
        "threads": "onnxruntime intra-op threads (default: the cores this process may use, max 8)",
    }

    def __init__(self) -> None:
        super().__init__()
        self.score_threshold = 0.25
        self.iou_threshold = 0.7
        self.max_det = 300
        self.agnostic = False
        self.session: Any = None
        self.names: dict[int, str] = {}
        self.background: int | None = None  # a class id that makes no objects (the onnx backend's card)
        self.classes_file: Path | None = None
        self.end2end = False
        self.input_name = ""
        self.input_hw = (640, 640)
        self.nm = 0
        self._meta: dict[str, str] = {}
        # what ``_load`` found (``model_info``; the onnx backend shows the same for Ultralytics files)
        self.layout = ""
        self.family_from = ""  # why the graph is an Ultralytics export (``detect_family``'s word)
        self.classes_from = ""
        self.assumed: list[str] = []  # guesses: class names first, then the input size, the layout
        self._canvas: np.ndarray | None = None
        self._tensor: np.ndarray | None = None

    # -- configuration -------------------------------------------------------------------------------
    def _set_iou_threshold(self, value: Any) -> None:
        self.iou_threshold = parse_fraction("yolo-onnx: iou_threshold", value)

    def _set_max_det(self, value: Any) -> None:
        self.max_det = max(1, parse_int("yolo-onnx: max_det", value))

    def _set_agnostic(self, value: Any) -> None:
        self.agnostic = parse_bool("yolo-onnx: agnostic", value)

    def _set_classes_file(self, value: Any) -> None:
        """Names for an export without them (or other names): read as the onnx backend reads them, now, so
        a missing or malformed file is said with its name; a model loaded already takes them."""
        self.classes_file = Path(value) if value else None
        read_classes_file(self.classes_file) if self.classes_file else None
        if self.model_path is not None:
            self._set_model_path(self.model_path)

    def _set_model_path(self, value: Any) -> None:
        self.session = None
        self.model_path = None
        self._error = None
        try:
            self._load(Path(value))
        except BackendError as e:
            self._error = str(e)
            raise
        self.model_path = Path(value)

    def _load(self, path: Path, session: Any = None) -> None:
        """Read the model's layout; ``session`` is an already opened one for ``path`` (the ``onnx``
        backend opens it once to find the family, then hands it over)."""
        if session is None:
            session = open_onnx_session(path, "YOLO ONNX model", self.threads)
        meta = dict(session.get_modelmeta().custom_metadata_map or {})
        inputs, outputs = session.get_inputs(), session.get_outputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4 or inputs[0].shape[1] not in (3, None, "channels"):
            shapes = [list(i.shape) for i in inputs]
            raise ModelLoadError(
                f"{path}: unexpected input shape {shapes}; a YOLO export has one input [1, 3, H, W]"
            )
        batch = inputs[0].shape[0]
        if _dim(batch) not in (1, None):
            raise ModelLoadError(
                f"{path}: input {inputs[0].name} {list(inputs[0].shape)} takes a batch of {batch}; "
                "pictures are fed one at a time (export with batch 1 or a dynamic batch)"
            )
        if "float" not in inputs[0].type or "16" in inputs[0].type:
            raise ModelLoadError(
                f"{path}: input is {inputs[0].type}; expected float32 (fp16 is not supported)"
            )
        h, w = _input_size(inputs[0].shape, meta.get("imgsz", "[640, 640]"), path)
        names: dict[int, str] = {}
        if "names" in meta:
            listed = parse_names(meta["names"])
            if listed is None:
                raise ModelLoadError(f"{path}: metadata 'names' is not a dict or list of class names")
            names = dict(enumerate(listed))
        out0 = outputs[0].shape
        protos = outputs[1].shape if len(outputs) > 1 else None
        nm = 0
        if protos is not None:
            if len(protos) != 4:
                raise ModelLoadError(
                    f"{path}: second output has shape {list(protos)}; expected prototypes [1, nm, mh, mw]"
                )
            nm = _dim(protos[1]) or 32
        if len(out0) != 3:
            raise ModelLoadError(
                f"{path}: unexpected output shape {list(out0)}; expected [1, 4+classes(+{nm or 32}), N] (raw)"
                " or [1, N, 6(+32)] (end-to-end)"
            )
        d1, d2 = _dim(out0[1]), _dim(out0[2])
        nc = len(names) or None
        args = meta.get("args", "")
        flagged_e2e = meta.get("end2end") == "True" or "'nms': True" in args
        raw = d1 is not None and (d1 == 4 + nc + nm if nc else d1 > 4 + nm and d2 != 6 + nm)
        e2e = d2 == 6 + nm and (flagged_e2e or not raw)
        if not raw and not e2e:
            raise ModelLoadError(
                f"{path}: unexpected output shape {list(out0)} for {nc or 'unknown'} classes and {nm} mask "
                f"coefficients; expected [1, {4 + (nc or 80) + nm}, N] (raw) or [1, N, {6 + nm}] (end-to-end)"
            )
        found = _found(inputs, outputs, meta, (h, w), e2e, flagged_e2e, nm)
        if not names and raw:
            names = {i: f"class{i}" for i in range(d1 - 4 - nm)}
        if self.classes_file is not None:  # checked against the metadata's names or the output rows
            listed = read_classes_file(self.classes_file)
            if names and len(listed) != len(names):  # a names file for another model
                raise classes_count_error(self.classes_file, len(listed), path, len(names))
            names = dict(enumerate(listed))
            layout, family_from, _, assumed = found
            assumed = [a for a in assumed if not a.startswith("class names")]
            found = layout, family_from, f"file {self.classes_file}", assumed
        try:
            canvas, tensor = np.empty((h, w, 3), np.uint8), np.empty((1, 3, h, w), np.float32)
        except MemoryError:  # an input within the pixel limit, but not in this machine's memory
            raise ModelLoadError(
                f"{path}: not enough memory for the model's {w}x{h} input ({15 * h * w >> 20:,} MB)"
            ) from None
        self.session = session
        self.names = names
        self.end2end = e2e
        self.nm = nm
        self.input_name = inputs[0].name
        self.input_hw = (h, w)
        self.kind = "segment" if nm else "detect"
        self._meta = meta
        self._canvas, self._tensor = canvas, tensor
        self.layout, self.family_from, self.classes_from, self.assumed = found

    # -- state ---------------------------------------------------------------------------------------
    def _loaded(self) -> bool:
        return self.session is not None

    def categories(self) -> list[str]:
        return [self.names[k] for k in sorted(self.names)]

    def model_input(self) -> tuple[int, int] | None:
        return self.input_hw if self.session is not None else None  # every picture letterboxed to it

    @property
    def model_version(self) -> str:
        return self._meta.get("version", "unknown")

    def model_info(self) -> dict[str, Any] | None:
        if self.session is None:
            return None
        return {
            "family": "ultralytics",
            "layout": self.layout,
            "assumptions": [a for a in (self.family_from, *self.assumed) if a],
            "classes_from": self.classes_from,
        }

    # -- inference -----------------------------------------------------------------------------------
    def preprocess(self, image: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        """The network input for ``image`` (a reused buffer: copy it to keep it past the next call)."""
        canvas, lb = letterbox(as_rgb8(image, self.display_window), self.input_hw, self._canvas)
        return to_tensor(canvas, self._tensor), lb

    def run(self, tensor: np.ndarray) -> list[np.ndarray]:
        return self.session.run(None, {self.input_name: tensor})

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        if self.session is None:
            raise self._not_loaded()
        tensor, _ = self.preprocess(image)
        return self.postprocess(self.run(tensor), image.shape[:2])

    def postprocess(self, outputs: list[np.ndarray], image_hw: tuple[int, int]) -> list[Prediction]:
        """Network outputs -> predictions in image pixels."""
        out0 = outputs[0]
        if out0.ndim != 3 or out0.shape[0] != 1:
            raise BackendError(f"yolo-onnx: output has shape {list(out0.shape)}; expected batch 1, 3 dims")
        if self.end2end:
            rows = out0[0]
            rows = rows[rows[:, 4] > self.score_threshold][: self.max_det]
        else:
            nc = len(self.names)
            if out0.shape[1] != 4 + nc + self.nm:
                raise BackendError(f"yolo-onnx: output has {out0.shape[1]} rows; expected {4 + nc + self.nm}")
            rows = decode_raw(
                out0[0], nc, self.score_threshold, self.iou_threshold, self.max_det, self.agnostic
            )
        if rows.shape[0] == 0:
            return []
        if not np.isfinite(rows[:, :6]).all():  # before clipping: an infinite box would cover the picture
            raise BackendError(
                f"yolo-onnx: the model {self.model_name} gave a box, score or class id that is not a finite "
                "number: its outputs are NaN or infinite for this picture"
            )
        unknown = [int(c) for c in rows[:, 5] if int(c) < 0 or (self.names and int(c) not in self.names)]
        if unknown:  # an end-to-end export's class column (raw: an argmax, always a class)
            raise BackendError(
                f"yolo-onnx: the model {self.model_name} gave class id {unknown[0]}, which no class has "
                f"({len(self.names)} known)"
            )
        boxes = scale_boxes(rows[:, :4], self.input_hw, image_hw)
        mask_list: list[np.ndarray | None] = [None] * len(rows)
        if self.nm:
            if len(outputs) < 2:
                raise BackendError("yolo-onnx: segmentation model returned no prototypes")
            mask_list = process_masks(
                outputs[1][0], rows[:, 6 : 6 + self.nm], rows[:, :4], self.input_hw, image_hw
            )
        preds = []
        for row, box, mask in zip(rows, boxes, mask_list, strict=True):
            cls = int(row[5])
            if cls == self.background:
                continue
            preds.append(
                Prediction(
                    self.names.get(cls, f"class{cls}"),
                    float(row[4]),
                    box_xyxy_to_xywh(box),
                    mask=mask,
                )
            )
        return preds
