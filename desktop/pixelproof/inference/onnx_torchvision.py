"""Decoding of torchvision-style ONNX exports: detection (Faster R-CNN, RetinaNet, SSD, FCOS), Mask
R-CNN, and semantic segmentation (DeepLabV3, LRASPP, FCN, U-Net, SegFormer-style logits).

Pure numpy/OpenCV/Pillow: the backend (``onnx_models``) runs the session and hands the arrays here.
Each step copies what torchvision does, because a model trained through torchvision expects exactly
those pixels: Pillow's antialiased bilinear ``Resize`` on the way in, ``F.interpolate(bilinear,
align_corners=False)`` of the logits on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from pixelproof.core import rle_codec
from pixelproof.inference.base import ModelLoadError, Prediction, box_xyxy_to_xywh, crop_prediction
from pixelproof.inference.model_card import InputRecipe

ROLE_NAMES = {
    "boxes": ("boxes", "bboxes", "bbox", "dets", "detection_boxes"),
    "labels": ("labels", "classes", "class_ids", "label", "detection_classes"),
    "scores": ("scores", "score", "conf", "confidence", "detection_scores"),
    "masks": ("masks", "mask", "detection_masks"),
}


@dataclass(frozen=True, slots=True)
class DetectionBinding:
    """Which output index holds each role; ``masks`` is None for plain detectors."""

    boxes: int
    labels: int
    scores: int
    masks: int | None
    notes: tuple[str, ...] = ()


def _rank(arg: Any) -> int | None:
    return len(arg.shape) if arg.shape is not None else None


def _pick(role: str, candidates: list[tuple[int, str]], notes: list[str]) -> int | None:
    """One output for ``role`` among candidates (index, name): the only one, else by name."""
    if len(candidates) == 1:
        return candidates[0][0]
    if not candidates:
        return None
    named = [i for i, name in candidates if name.lower() in ROLE_NAMES[role]]
    if len(named) == 1:
        notes.append(
            f"{role}: chose output {candidates[[c[0] for c in candidates].index(named[0])][1]!r} by name"
        )
        return named[0]
    notes.append(f"{role}: {len(candidates)} outputs fit; took the first ({candidates[0][1]!r})")
    return candidates[0][0]


def bind_detection_outputs(outputs: list[Any], where: str) -> DetectionBinding:
    """Bind torchvision detection outputs by dtype and shape: int = labels, rank 2 = boxes [N,4],
    rank 4 = masks [N,1,H,W], float rank 1 = scores. Names only break ties, because users often copy one
    family's ``output_names`` onto another whose order differs (RetinaNet/SSD: boxes, scores, labels)."""
    notes: list[str] = []
    entries = [(i, o.name, o.type, _rank(o)) for i, o in enumerate(outputs)]
    boxes = _pick("boxes", [(i, n) for i, n, t, r in entries if r == 2 and "float" in t], notes)
    masks = _pick("masks", [(i, n) for i, n, t, r in entries if r == 4 and "float" in t], notes)
    labels = _pick("labels", [(i, n) for i, n, t, r in entries if r == 1 and "int" in t], notes)
    floats1 = [(i, n) for i, n, t, r in entries if r == 1 and "float" in t]
    if labels is None and len(floats1) >= 2:  # labels exported as float: names decide
        labels = _pick("labels", [c for c in floats1 if c[1].lower() in ROLE_NAMES["labels"]], notes)
    scores = _pick("scores", [c for c in floats1 if c[0] != labels], notes)
    if boxes is None or labels is None or scores is None:
        seen = ", ".join(f"{n} {t} rank {r}" for _, n, t, r in entries)
        raise ModelLoadError(
            f"{where}: not a torchvision detection export: expected boxes float [N,4], labels int64 [N] and "
            f"scores float [N] (+ masks [N,1,H,W] for Mask R-CNN); outputs are {seen}"
        )
    return DetectionBinding(boxes, labels, scores, masks, tuple(notes))


def class_name(classes: list[str], label: int) -> str:
    return classes[label] if 0 <= label < len(classes) else f"class_{label}"


def detection_predictions(
    arrays: list[np.ndarray],
    binding: DetectionBinding,
    classes: list[str],
    background: int | None,
    score_threshold: float,
    mask_threshold: float,
    image_hw: tuple[int, int],
) -> list[Prediction]:
    """Session outputs -> predictions (boxes clipped to the image; masks thresholded, as torchvision's
    ``paste_masks_in_image`` output is compared with 0.5 in its own examples). ``ValueError`` for outputs
    no picture gives: a NaN score, a NaN or infinite box or label among the kept detections (clipped, an
    infinite box covered the picture), a label < 0 or past the known ``classes``, a NaN mask."""
    boxes = np.asarray(arrays[binding.boxes], np.float64).reshape(-1, 4)
    raw_labels = np.asarray(arrays[binding.labels]).reshape(-1)
    scores = np.asarray(arrays[binding.scores], np.float64).reshape(-1)
    if not len(boxes) == len(raw_labels) == len(scores):
        raise ValueError(
            f"outputs disagree in length: {len(boxes)} boxes, {len(raw_labels)} labels, {len(scores)} scores"
        )
    kept = np.flatnonzero(scores >= score_threshold)
    finite = np.isfinite(boxes[kept]).all() and np.isfinite(raw_labels[kept]).all()
    if np.isnan(scores).any() or not finite:
        raise ValueError(
            "gave a box or score that is not a finite number: its outputs are NaN or infinite for this "
            "picture"
        )
    labels = raw_labels.astype(np.int64)
    wrong = (labels[kept] < 0) | ((labels[kept] >= len(classes)) if classes else False)
    if wrong.any():
        raise ValueError(f"gave label {labels[kept][wrong][0]}, which no class has ({len(classes)} known)")
    masks = None
    if binding.masks is not None:
        masks = np.asarray(arrays[binding.masks])
        if masks.ndim != 4 or masks.shape[0] != len(boxes) or masks.shape[2:] != image_hw:
            raise ValueError(
                f"masks have shape {list(masks.shape)}; "
                f"expected [{len(boxes)}, 1, {image_hw[0]}, {image_hw[1]}]"
            )
    h, w = image_hw
    out: list[Prediction] = []
    for i in kept:
        label = int(labels[i])
        if background is not None and label == background:
            continue
        name, score = class_name(classes, label), float(scores[i])
        if masks is not None:
            if np.isnan(masks[i, 0]).any():  # NaN is never above the threshold: the object would vanish
                raise ValueError("gave a mask that is not a finite number (NaN) for a kept detection")
            p = crop_prediction(name, score, masks[i, 0] > mask_threshold)
            if p is not None:
                out.append(p)
            continue
        x1, y1, x2, y2 = boxes[i]
        x1, x2 = min(max(x1, 0.0), w), min(max(x2, 0.0), w)
        y1, y2 = min(max(y1, 0.0), h), min(max(y2, 0.0), h)
        if x2 > x1 and y2 > y1:
            out.append(Prediction(name, score, box_xyxy_to_xywh((x1, y1, x2, y2))))
    return out


# -- semantic segmentation ---------------------------------------------------------------------------


def pil_resize(rgb: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """torchvision ``Resize`` on a PIL image: Pillow's bilinear filter, antialiased when shrinking."""
    from PIL import Image

    h, w = size_hw
    if rgb.shape[:2] == (h, w):
        return rgb
    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize((w, h), Image.BILINEAR))


def semantic_input(rgb: np.ndarray, recipe: InputRecipe, out: np.ndarray | None = None) -> np.ndarray:
    """uint8 RGB -> [1,3,H,W] float32: resize if the recipe has a size, pixel/scale, (x - mean)/std."""
    if recipe.size is not None:
        rgb = pil_resize(rgb, recipe.size)
    h, w = rgb.shape[:2]
    if out is None or out.shape != (1, 3, h, w):
        out = np.empty((1, 3, h, w), np.float32)
    mean = np.asarray(recipe.mean, np.float32) * np.float32(recipe.scale)
    inv = np.float32(1.0) / (np.asarray(recipe.std, np.float32) * np.float32(recipe.scale))
    for c in range(3):  # (x/scale - mean)/std == (x - mean*scale) / (std*scale)
        np.subtract(rgb[:, :, c], mean[c], out=out[0, c], casting="unsafe")
        out[0, c] *= inv[c]
    return out


def resize_logits(logits: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """[C,h,w] -> contiguous [C,H,W], bilinear with half-pixel centres and no antialiasing
    (``F.interpolate(..., mode="bilinear", align_corners=False)``, which is what OpenCV's INTER_LINEAR
    computes on floats), one channel plane at a time."""
    h, w = size_hw
    if logits.shape[1:] == (h, w):
        return np.ascontiguousarray(logits, np.float32)
    out = np.empty((logits.shape[0], h, w), np.float32)
    for c in range(logits.shape[0]):
        out[c] = cv2.resize(
            np.ascontiguousarray(logits[c], np.float32), (w, h), interpolation=cv2.INTER_LINEAR
        )
    return out


BAND_BYTES = 64 << 20  # resized logits ``class_map`` holds at once (a band of rows when larger)


def class_map(logits: np.ndarray, size_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``argmax_and_confidence(resize_logits(logits, size_hw))``, a band of rows at a time when the whole
    picture's resized logits, C x H x W floats, would pass ``BAND_BYTES`` (150 classes on a 12-megapixel
    photo: 7.2 GB). A band takes its rows' bilinear weights from the source rows (half-pixel centres,
    clamped at the edge, as ``F.interpolate`` and OpenCV), then OpenCV's resize across (rows unchanged)."""
    c, h, w = logits.shape
    height, width = size_hw
    if 4 * c * height * width <= BAND_BYTES or (h, w) == (height, width):  # nothing more to hold
        return argmax_and_confidence(resize_logits(logits, size_hw))
    src = np.ascontiguousarray(logits, np.float32)
    y = np.maximum((np.arange(height) + 0.5) * (h / height) - 0.5, 0.0)
    top = np.minimum(np.floor(y).astype(np.intp), h - 1)
    below = np.minimum(top + 1, h - 1)
    weight = (y - top).astype(np.float32)[:, None]
    classes = np.empty((height, width), np.uint8 if c <= 255 else np.int32)
    confidence = np.empty((height, width), np.float32)
    rows = max(1, BAND_BYTES // (4 * c * width))
    wide = np.empty((c, min(rows, height), width), np.float32)  # one band's, reused
    for a in range(0, height, rows):
        b = min(height, a + rows)
        near, far, wt = src[:, top[a:b]], src[:, below[a:b]], weight[a:b]
        np.subtract(far, near, out=far)
        np.multiply(far, wt, out=far)
        np.add(near, far, out=near)  # (C, rows, w): near + (far - near) * weight
        for k in range(c):  # each plane of wide[:, :n] is contiguous, as OpenCV needs
            cv2.resize(near[k], (width, b - a), dst=wide[k, : b - a], interpolation=cv2.INTER_LINEAR)
        classes[a:b], confidence[a:b] = argmax_and_confidence(wide[:, : b - a])
    return classes, confidence


def argmax_and_confidence(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: the arg-max class (the first on ties, as ``argmax``; uint8 up to 255 classes) and its
    softmax probability, plane by plane over contiguous [C,H,W] logits (no [C,H,W] softmax array: p_max
    = 1 / sum(exp(l - l_max))). OpenCV's compare/exp (SIMD, ~6x numpy's exp) and no boolean indexing:
    this runs on every pixel of every picture."""
    n = logits.shape[0]
    top = logits[0].copy()
    few = n <= 255
    classes = np.zeros(top.shape, np.uint8 if few else np.int32)
    for c in range(1, n):
        plane = logits[c]
        if few:  # the class is the last one beating every earlier one: the max of c * (plane > top)
            better = cv2.compare(plane, top, cv2.CMP_GT)  # 255 / 0
            np.minimum(better, c, out=better)
            np.maximum(classes, better, out=classes)
        else:
            np.copyto(classes, c, where=plane > top)
        np.maximum(top, plane, out=top)
    total = np.zeros(top.shape, np.float32)
    tmp = np.empty(top.shape, np.float32)
    for c in range(n):
        cv2.subtract(logits[c], top, dst=tmp)
        cv2.exp(tmp, dst=tmp)
        cv2.add(total, tmp, dst=total)
    return classes, np.reciprocal(total, out=total)


@dataclass(frozen=True, slots=True)
class Components:
    """Every 8-connected component of the wanted classes, numbered together (id 0 = none), with what
    each needs, found from the runs of equal ids down the picture's columns (COCO's pixel order; tens
    of thousands of runs, not a pass over the picture per component). Arrays are indexed by id."""

    height: int
    cls: np.ndarray  # class of each id
    area: np.ndarray
    conf_sum: np.ndarray  # summed confidence
    runs: tuple[np.ndarray, np.ndarray, np.ndarray]  # (flat column-major start, length, id)

    def selected_runs(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The runs of the components ``chosen`` (bool per id) says."""
        starts, lengths, ids = self.runs
        pick = chosen[ids]
        return starts[pick], lengths[pick], ids[pick]

    def boxes(self, runs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
        """[K, 4] x, y, w, h per id, from ``runs`` (those of the ids wanted: only theirs are right)."""
        starts, lengths, ids = runs
        k, h = self.area.size, self.height
        col0, row0 = np.divmod(starts, h)
        col1, row1 = np.divmod(starts + lengths - 1, h)
        across = col1 > col0  # a run going on into the next column: its rows reach both edges
        x0, y0 = np.full(k, np.iinfo(np.int64).max), np.full(k, h, np.int64)
        x1, y1 = np.zeros(k, np.int64), np.zeros(k, np.int64)
        np.minimum.at(x0, ids, col0)
        np.maximum.at(x1, ids, col1 + 1)
        np.minimum.at(y0, ids, np.where(across, 0, row0))
        np.maximum.at(y1, ids, np.where(across, h, row1 + 1))
        return np.stack([x0, y0, x1 - x0, y1 - y0], axis=1)


def components(classes_map: np.ndarray, confidence: np.ndarray, wanted: list[int]) -> Components:
    """The components of the ``wanted`` classes (one OpenCV labelling pass each, without its slow
    statistics, on the transposed map: its rows are the picture's columns) and their statistics. Each
    class's labels are summed unshifted (they are 0 off the class; a masked add is ~4x slower) and made
    unique per run: a run ends where the label or the class changes, its id is its label + its class's
    offset."""
    h, w = classes_map.shape
    cm_t = cv2.transpose(classes_map)
    local = np.zeros((w, h), np.int32)
    offset = np.zeros(max(wanted, default=0) + 1, np.int64)
    cls = [-1]
    for c in wanted:
        mask = cv2.compare(cm_t, c, cv2.CMP_EQ)
        n, labels = cv2.connectedComponents(mask, connectivity=8, ltype=cv2.CV_32S)
        cv2.add(local, labels, dst=local)
        offset[c] = len(cls) - 1  # this class's ids follow the earlier ones'
        cls += [c] * (n - 1)
    flat, flat_cls = local.reshape(-1), cm_t.reshape(-1)
    change = np.empty(flat.size, bool)
    change[0] = True
    np.not_equal(flat[1:], flat[:-1], out=change[1:])
    change[1:] |= flat_cls[1:] != flat_cls[:-1]
    starts = np.flatnonzero(change)
    sums = np.add.reduceat(cv2.transpose(confidence).reshape(-1), starts, dtype=np.float64)
    lengths = np.diff(starts, append=flat.size)
    run_local = flat[starts]
    inside = run_local > 0
    starts, lengths = starts[inside], lengths[inside]
    run_ids = run_local[inside] + offset[flat_cls[starts]]
    k = len(cls)
    conf_sum = np.bincount(run_ids, weights=sums[inside], minlength=k)
    area = np.bincount(run_ids, weights=lengths, minlength=k).astype(np.int64)
    return Components(h, np.asarray(cls), area, conf_sum, (starts, lengths, run_ids))


def class_counts(classes_map: np.ndarray) -> np.ndarray:
    """Pixels of each class id (``np.bincount``; OpenCV's histogram for a uint8 map, ~3x faster, while its
    float32 bins count exactly: under 2**24 pixels)."""
    if classes_map.dtype == np.uint8 and classes_map.size < 2**24:
        hist = cv2.calcHist([classes_map], [0], None, [256], [0, 256]).ravel()
        last = int(np.flatnonzero(hist)[-1]) if hist.any() else 0
        return hist[: last + 1].astype(np.int64)
    return np.bincount(classes_map.reshape(-1), minlength=1)


def semantic_predictions(
    classes_map: np.ndarray,
    confidence: np.ndarray,
    classes: list[str],
    background: int | None,
    *,
    per_class: bool,
    min_area: int,
    score_threshold: float,
) -> tuple[list[Prediction], int]:
    """The class map -> masks: one per 8-connected component of each class (or one per class), the
    background class making none; score = the mean softmax probability over the mask. Returns the
    predictions and how many masks were dropped for being under ``min_area`` pixels (speckles)."""
    present = class_counts(classes_map)
    wanted = [int(c) for c in np.flatnonzero(present) if c != background]
    out: list[Prediction] = []
    if per_class:
        small = 0
        for cls in wanted:
            if present[cls] < min_area:
                small += 1
                continue
            mask = classes_map == cls
            p = crop_prediction(class_name(classes, cls), float(confidence[mask].mean()), mask)
            if p is not None and p.score >= score_threshold:
                out.append(p)
        return out, small
    found = components(classes_map, confidence, wanted)
    scores = found.conf_sum / np.maximum(found.area, 1)
    sized = found.area >= max(1, min_area)
    sized[0] = False  # id 0: no component
    small = int(found.area.size - 1 - np.count_nonzero(sized))
    keep = np.flatnonzero(sized & (scores >= score_threshold))
    chosen = np.zeros(found.area.size, bool)
    chosen[keep] = True
    runs = found.selected_runs(chosen)
    rles = rle_codec.runs_rle(*runs, *classes_map.shape)
    names = [class_name(classes, c) for c in range(max(wanted, default=0) + 1)]
    boxes, areas = found.boxes(runs)[keep].astype(float).tolist(), found.area[keep].tolist()
    for c, box, score, rle, area in zip(
        found.cls[keep].tolist(), boxes, scores[keep].tolist(), rles, areas, strict=True
    ):
        out.append(Prediction(names[c], score, box, rle=rle, area=area))  # pixels decoded if asked: with_mask
    return out, small
