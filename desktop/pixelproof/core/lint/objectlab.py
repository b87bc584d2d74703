"""ObjectLab label-quality scores for object detection, ported from cleanlab (vectorized numpy).

Method: U. Tkachenko, A. Thyagarajan, J. Mueller, "ObjectLab: Automated Diagnosis of Mislabeled Images in
Object Detection Data", ICML 2023 workshop on data-centric ML (arXiv:2309.00832). Reference code:
``cleanlab.object_detection.rank`` (cleanlab >= 2.9, Apache License 2.0, Copyright Cleanlab Inc.); the
formulas, constants and edge cases below follow that code line by line so the figures equal
``get_label_quality_scores`` and ``compute_{overlooked,badloc,swap}_box_scores`` (tested to 1e-6):

- similarity of a label box and a predicted box = alpha x IoU + (1 - alpha) x exp(-0.1 x distance of the
  box centres), alpha = 0.9 (IoU's union clipped at 1e-6 as cleanlab does);
- overlooked (per prediction with score >= ``high`` overlapping no label): similarity to the closest label
  of its class, or min_similarity x (1 - score) when the image has none; other predictions: NaN;
- badly located (per label): best similarity to an overlapping prediction of its class scoring > ``low``;
  1.0 when there is none;
- swapped (per label): max(min_similarity, 1 - best similarity to a prediction of another class scoring
  > ``high``); 1.0 when there is none; min_similarity when another label of a different class overlaps it
  with IoU >= 0.95;
- image subscores: softmin (temperature 0.1) of the non-NaN box scores, 1.0 when there are none; image
  score = exp(sum of w x log(1e-100 + subscore)), w = 1/3 each.

``min_similarity`` is dataset-wide (the smallest non-zero similarity of any label/prediction pair in any
image): compute it in a first pass (``min_possible_similarity`` over per-image matrices) so work split
over workers gives the serial result. Boxes here are [x1, y1, x2, y2].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

ALPHA = 0.9
EUC_FACTOR = 0.1
EPSILON = 1e-6
TINY_VALUE = 1e-100
HIGH_PROBABILITY_THRESHOLD = 0.95
LOW_PROBABILITY_THRESHOLD = 0.5
TEMPERATURE = 0.1
LABEL_OVERLAP_THRESHOLD = 0.95
WEIGHTS = {"overlooked": 1 / 3, "swap": 1 / 3, "badloc": 1 / 3}


@dataclass(slots=True)
class ImageBoxes:
    """One image's labels and predictions: boxes [x1, y1, x2, y2], class ids, prediction scores."""

    lab_boxes: np.ndarray  # (L, 4)
    lab_labels: np.ndarray  # (L,)
    pred_boxes: np.ndarray  # (M, 4)
    pred_labels: np.ndarray  # (M,)
    pred_probs: np.ndarray  # (M,)

    @classmethod
    def make(
        cls,
        lab_boxes: Sequence | np.ndarray,
        lab_labels: Sequence | np.ndarray,
        pred_boxes: Sequence | np.ndarray,
        pred_labels: Sequence | np.ndarray,
        pred_probs: Sequence | np.ndarray,
    ) -> ImageBoxes:
        return cls(
            np.asarray(lab_boxes, dtype=np.float64).reshape(-1, 4),
            np.asarray(lab_labels).reshape(-1),
            np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4),
            np.asarray(pred_labels).reshape(-1),
            np.asarray(pred_probs, dtype=np.float64).reshape(-1),
        )


@dataclass(slots=True)
class Matrices:
    """Label x prediction IoU and similarity of one image."""

    iou: np.ndarray  # (L, M)
    similarity: np.ndarray  # (L, M)


def box_iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box of ``a`` with every box of ``b`` ([x1, y1, x2, y2]), union clipped at 1e-6."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    x_left = np.maximum(a[:, None, 0], b[None, :, 0])
    y_top = np.maximum(a[:, None, 1], b[None, :, 1])
    x_right = np.minimum(a[:, None, 2], b[None, :, 2])
    y_bottom = np.minimum(a[:, None, 3], b[None, :, 3])
    disjoint = (x_right < x_left) | (y_bottom < y_top)
    inter = (x_right - x_left) * (y_bottom - y_top)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = np.maximum(area_a[:, None] + area_b[None, :] - inter, EPSILON)
    return np.where(disjoint, 0.0, inter / union)


def matrices(boxes: ImageBoxes, alpha: float = ALPHA) -> Matrices:
    """IoU and ObjectLab similarity between the image's labels (rows) and predictions (columns)."""
    iou = box_iou_matrix(boxes.lab_boxes, boxes.pred_boxes)
    lc = (boxes.lab_boxes[:, :2] + boxes.lab_boxes[:, 2:]) / 2
    pc = (boxes.pred_boxes[:, :2] + boxes.pred_boxes[:, 2:]) / 2
    dist = np.sqrt(((lc[:, None, :] - pc[None, :, :]) ** 2).sum(axis=2))
    euc = np.exp(-dist * EUC_FACTOR)
    dist_matrix = 1 - euc
    similarity = iou * alpha + (1 - alpha) * (1 - dist_matrix)
    return Matrices(iou, similarity)


def image_min_similarity(similarity: np.ndarray) -> float:
    """Smallest non-zero similarity of one image (1.0 when there is none): the first-pass figure."""
    nonzero = similarity[np.nonzero(similarity)]
    return 1.0 if nonzero.size == 0 else float(nonzero.min())


def min_possible_similarity(per_image_minimums: Iterable[float]) -> float:
    """Dataset-wide minimum similarity from the per-image minimums (1.0 for an empty dataset)."""
    return float(min([1.0, *per_image_minimums]))


def overlooked_scores(
    boxes: ImageBoxes, m: Matrices, min_similarity: float, high: float = HIGH_PROBABILITY_THRESHOLD
) -> np.ndarray:
    """Per prediction: NaN unless confident (score >= high) and overlapping no label; then the similarity
    to the closest label of its class, or min_similarity x (1 - score) when there is none."""
    n_pred = boxes.pred_labels.shape[0]
    out = np.full(n_pred, np.nan)
    if n_pred == 0:
        return out
    same = boxes.lab_labels[:, None] == boxes.pred_labels[None, :]  # (L, M)
    candidate = (boxes.pred_probs >= high) & ~(m.iou > 0).any(axis=0)
    has_label = same.any(axis=0)
    best = np.where(same, m.similarity, -np.inf).max(axis=0, initial=-np.inf)
    out = np.where(has_label, best, min_similarity * (1 - boxes.pred_probs))
    return np.where(candidate, out, np.nan)


def badloc_match(
    boxes: ImageBoxes, m: Matrices, low: float = LOW_PROBABILITY_THRESHOLD
) -> tuple[np.ndarray, np.ndarray]:
    """Badly-located score per label and the index of the prediction that gave it (-1 when none)."""
    n_lab = boxes.lab_labels.shape[0]
    if boxes.pred_labels.shape[0] == 0:
        return np.ones(n_lab), np.full(n_lab, -1)
    same = boxes.lab_labels[:, None] == boxes.pred_labels[None, :]
    ok = same & (boxes.pred_probs[None, :] > low) & (m.iou > 0)
    sims = np.where(ok, m.similarity, -np.inf)
    idx = sims.argmax(axis=1)
    found = ok.any(axis=1)
    best = np.where(found, sims[np.arange(n_lab), idx], 1.0)
    return best, np.where(found, idx, -1)


def overlapping_labels(boxes: ImageBoxes) -> np.ndarray:
    """Per label: another label of a different class overlaps it with IoU >= 0.95 (cleanlab's check)."""
    iou = box_iou_matrix(boxes.lab_boxes, boxes.lab_boxes)
    differ = boxes.lab_labels[:, None] != boxes.lab_labels[None, :]
    np.fill_diagonal(differ, False)
    return ((iou >= LABEL_OVERLAP_THRESHOLD) & differ).any(axis=1)


def swap_match(
    boxes: ImageBoxes,
    m: Matrices,
    min_similarity: float,
    high: float = HIGH_PROBABILITY_THRESHOLD,
    overlapping_label_check: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Swap score per label and the index of the other-class prediction that gave it (-1 when none)."""
    n_lab = boxes.lab_labels.shape[0]
    scores = np.ones(n_lab)
    idx = np.full(n_lab, -1)
    if n_lab == 0:
        return scores, idx
    if boxes.pred_labels.shape[0]:
        other = (boxes.lab_labels[:, None] != boxes.pred_labels[None, :]) & (boxes.pred_probs[None, :] > high)
        sims = np.where(other, m.similarity, -np.inf)
        best = sims.argmax(axis=1)
        found = other.any(axis=1)
        value = np.maximum(min_similarity, 1 - sims[np.arange(n_lab), best])
        scores = np.where(found, value, 1.0)
        idx = np.where(found, best, -1)
    if overlapping_label_check:
        overlap = overlapping_labels(boxes)
        scores = np.where(overlap, min_similarity, scores)
        idx = np.where(overlap, -1, idx)
    return scores, idx


def softmin(scores: np.ndarray, temperature: float = TEMPERATURE) -> float:
    """cleanlab's ``softmin1d``: softmax(-s / T) (shifted) weighted mean of s."""
    x = -scores / max(temperature, EPSILON)
    x = x - np.max(x)
    w = np.exp(x)
    w = w / np.sum(w)
    return float(np.dot(w, scores))


def pool(scores: np.ndarray, temperature: float = TEMPERATURE) -> float:
    """Image subscore: softmin of the non-NaN box scores, 1.0 when there are none."""
    valid = scores[~np.isnan(scores)]
    return softmin(valid, temperature) if valid.size else 1.0


def image_score(overlooked: float, badloc: float, swap: float, weights: dict[str, float] = WEIGHTS) -> float:
    """Weighted geometric mean of the three subscores (cleanlab's aggregation)."""
    total = (
        weights["overlooked"] * np.log(TINY_VALUE + overlooked)
        + weights["badloc"] * np.log(TINY_VALUE + badloc)
        + weights["swap"] * np.log(TINY_VALUE + swap)
    )
    return float(np.exp(total))


@dataclass(slots=True)
class ImageScores:
    """Per-box and per-image ObjectLab scores of one image (quality: 1 = clean, 0 = likely wrong)."""

    overlooked: np.ndarray  # per prediction (NaN = not a candidate)
    badloc: np.ndarray  # per label
    swap: np.ndarray  # per label
    badloc_pred: np.ndarray  # per label: prediction index behind the badloc score, -1 when none
    swap_pred: np.ndarray  # per label: other-class prediction behind the swap score, -1 when none
    overlooked_image: float
    badloc_image: float
    swap_image: float
    score: float


def score_image(
    boxes: ImageBoxes,
    m: Matrices,
    min_similarity: float,
    *,
    high: float = HIGH_PROBABILITY_THRESHOLD,
    low: float = LOW_PROBABILITY_THRESHOLD,
    temperature: float = TEMPERATURE,
    overlapping_label_check: bool = True,
) -> ImageScores:
    """Everything ObjectLab says about one image, given the dataset-wide minimum similarity."""
    over = overlooked_scores(boxes, m, min_similarity, high)
    bad, bad_idx = badloc_match(boxes, m, low)
    swp, swp_idx = swap_match(boxes, m, min_similarity, high, overlapping_label_check)
    o, b, s = pool(over, temperature), pool(bad, temperature), pool(swp, temperature)
    return ImageScores(over, bad, swp, bad_idx, swp_idx, o, b, s, image_score(o, b, s))


def label_quality_scores(
    images: Sequence[ImageBoxes],
    *,
    high: float = HIGH_PROBABILITY_THRESHOLD,
    low: float = LOW_PROBABILITY_THRESHOLD,
    overlapping_label_check: bool = True,
) -> tuple[np.ndarray, list[ImageScores]]:
    """Image scores of a whole dataset in two passes (minimum similarity first), as cleanlab computes."""
    mats = [matrices(b) for b in images]
    min_sim = min_possible_similarity(image_min_similarity(m.similarity) for m in mats)
    per_image = [
        score_image(b, m, min_sim, high=high, low=low, overlapping_label_check=overlapping_label_check)
        for b, m in zip(images, mats, strict=True)
    ]
    return np.array([s.score for s in per_image]), per_image
