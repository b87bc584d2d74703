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
image): compute it in a first pass (``min_possible_similarity`` over each image's minimum) so work split
over workers gives the serial result. Boxes here are [x1, y1, x2, y2].

cleanlab fills label x prediction tables; here only the pairs whose boxes overlap are measured
(``matching.overlapping_pairs``), and the maxima over disjoint pairs, whose similarity depends on the
centres' distance alone, come from each box's nearest neighbours: the same figures, bit for bit, without
a 10,000 x 10,000 table for a tile of nuclei.
"""

from __future__ import annotations

import math
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
# a probability threshold: one for every prediction, or one per prediction (its class's, from the rules)
Threshold = float | np.ndarray


@dataclass(slots=True)
class ImageBoxes:
    """One image's labels and predictions: boxes [x1, y1, x2, y2], class ids, prediction scores."""

    lab_boxes: np.ndarray  # (L, 4)
    lab_labels: np.ndarray  # (L,)
    pred_boxes: np.ndarray  # (M, 4)
    pred_labels: np.ndarray  # (M,)
    pred_probs: np.ndarray  # (M,)
    # (L,) which annotator's version of an overlap image each label belongs to (None: all one version);
    # cleanlab's check for a label of another class on the same box looks within a version only
    lab_versions: np.ndarray | None = None
    # (M,) predictions overlapping a label that takes no other part (a crowd region): never overlooked
    pred_covered: np.ndarray | None = None

    @classmethod
    def make(
        cls,
        lab_boxes: Sequence | np.ndarray,
        lab_labels: Sequence | np.ndarray,
        pred_boxes: Sequence | np.ndarray,
        pred_labels: Sequence | np.ndarray,
        pred_probs: Sequence | np.ndarray,
        lab_versions: Sequence | np.ndarray | None = None,
        pred_covered: Sequence | np.ndarray | None = None,
    ) -> ImageBoxes:
        return cls(
            np.asarray(lab_boxes, dtype=np.float64).reshape(-1, 4),
            np.asarray(lab_labels).reshape(-1),
            np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4),
            np.asarray(pred_labels).reshape(-1),
            np.asarray(pred_probs, dtype=np.float64).reshape(-1),
            None if lab_versions is None else np.asarray(lab_versions).reshape(-1),
            None if pred_covered is None else np.asarray(pred_covered, dtype=bool).reshape(-1),
        )


@dataclass(slots=True)
class Matrices:
    """Label x prediction IoU and similarity of one image, kept sparse: the pairs whose boxes overlap
    (IoU > 0; ``rows`` labels, ``cols`` predictions, sorted), the box centres from which any other
    pair's similarity follows (IoU 0: it depends on the centres' distance only), and the image's smallest
    non-zero similarity. 10,000 nuclei and as many predictions are not 10**8 figures (800 MB a table)."""

    rows: np.ndarray  # (K,) label of each overlapping pair
    cols: np.ndarray  # (K,) prediction of each overlapping pair
    iou: np.ndarray  # (K,)
    similarity: np.ndarray  # (K,)
    lab_centres: np.ndarray  # (L, 2)
    pred_centres: np.ndarray  # (M, 2)
    min_similarity: float  # smallest non-zero similarity of any label/prediction pair; 1.0 when none
    alpha: float = ALPHA

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.lab_centres), len(self.pred_centres)

    def iou_of(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """IoU of these label/prediction pairs (0 for pairs whose boxes do not overlap)."""
        keys, wanted = self.rows * self.shape[1] + self.cols, rows * self.shape[1] + cols
        at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        return np.where(keys[at] == wanted, self.iou[at], 0.0) if len(keys) else np.zeros(len(rows))

    def similarity_of(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """ObjectLab similarity of these pairs, the same figure a full table holds."""
        return _similarity(
            self.iou_of(rows, cols), self.lab_centres[rows], self.pred_centres[cols], self.alpha
        )


# 1 - (1 - e) is a multiple of this (or >= 0.5) for e = exp(-0.1 d): a disjoint pair's similarity is 0 or
# at least (1 - alpha) x Q_STEP; beyond FAR px, exp(-0.1 d) < 2**-54 and 1 - (1 - e) is exactly 0
Q_STEP = 2.0**-53
FAR = 400.0
_CHUNK = 1 << 18  # label x prediction figures a step of the minimum-similarity scan holds


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` and ``b`` ([..., 4] as [x1, y1, x2, y2], broadcast against each other), union
    clipped at 1e-6: cleanlab's formula, so a pair's figure is the same whichever pairs are measured."""
    x_left = np.maximum(a[..., 0], b[..., 0])
    y_top = np.maximum(a[..., 1], b[..., 1])
    x_right = np.minimum(a[..., 2], b[..., 2])
    y_bottom = np.minimum(a[..., 3], b[..., 3])
    disjoint = (x_right < x_left) | (y_bottom < y_top)
    inter = (x_right - x_left) * (y_bottom - y_top)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = np.maximum(area_a + area_b - inter, EPSILON)
    return np.where(disjoint, 0.0, inter / union)


def _similarity(
    iou: np.ndarray, lab_centres: np.ndarray, pred_centres: np.ndarray, alpha: float
) -> np.ndarray:
    """ObjectLab similarity from the IoU and the box centres ([..., 2], broadcast), as cleanlab computes
    it (its rounding kept: 1 - (1 - e), not e)."""
    dist = np.sqrt(((lab_centres - pred_centres) ** 2).sum(axis=-1))
    euc = np.exp(-dist * EUC_FACTOR)
    dist_matrix = 1 - euc
    return iou * alpha + (1 - alpha) * (1 - dist_matrix)


def _centres(boxes: np.ndarray) -> np.ndarray:
    return (boxes[:, :2] + boxes[:, 2:]) / 2


def matrices(boxes: ImageBoxes, alpha: float = ALPHA) -> Matrices:
    """IoU and ObjectLab similarity between the image's labels and predictions, measured only where boxes
    overlap (``matching.overlapping_pairs``); boxes must be finite (the project and results readers see
    to it)."""
    from pixelproof.core.matching import overlapping_pairs

    lab, pred = boxes.lab_boxes, boxes.pred_boxes
    if not (np.isfinite(lab).all() and np.isfinite(pred).all()):
        raise ValueError("ObjectLab: boxes must be finite")
    rows, cols = overlapping_pairs(lab, pred)
    iou = box_iou(lab[rows], pred[cols])
    keep = iou > 0
    rows, cols, iou = rows[keep], cols[keep], iou[keep]
    lc, pc = _centres(lab), _centres(pred)
    similarity = _similarity(iou, lc[rows], pc[cols], alpha)
    low = _min_similarity(lab, pred, lc, pc, similarity, alpha)
    return Matrices(rows, cols, iou, similarity, lc, pc, low, alpha)


def _min_similarity(
    lab: np.ndarray, pred: np.ndarray, lc: np.ndarray, pc: np.ndarray, overlapping: np.ndarray, alpha: float
) -> float:
    """Smallest non-zero similarity over every pair. The overlapping pairs' figures are known; every other
    pair's is 0 or at least (1 - alpha) x Q_STEP, which any pair some 370 px apart gives. So the pairs are
    scanned a block of labels at a time only until that floor is met: at once on a slide tile, in full
    (still a block at a time) only when every object lies within ~370 px of every other."""
    nonzero = overlapping[overlapping != 0]
    best = float(nonzero.min()) if nonzero.size else math.inf
    floor = (1 - alpha) * Q_STEP
    step = max(1, _CHUNK // max(1, len(pred)))
    for s in range(0, len(lab) if len(pred) else 0, step):
        if best <= floor:
            break
        block = _similarity(
            box_iou(lab[s : s + step, None, :], pred[None, :, :]), lc[s : s + step, None, :], pc[None], alpha
        )
        block = block[block != 0]
        if block.size:
            best = min(best, float(block.min()))
    return 1.0 if math.isinf(best) else best


def _group_best(groups: np.ndarray, values: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per run of equal ``groups`` (sorted, and ``cols`` ascending within each): the group, its largest
    value and the first ``cols`` holding it, as a table row's max and argmax give."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if groups.size else groups
    best = np.maximum.reduceat(values, starts) if groups.size else values
    hits = np.flatnonzero(values == np.repeat(best, np.diff(np.r_[starts, groups.size])))
    _, first = np.unique(groups[hits], return_index=True)
    return groups[starts], best, cols[hits[first]]


def _most_similar(
    m: Matrices, labels: np.ndarray, preds: np.ndarray, by_label: bool
) -> tuple[np.ndarray, ...]:
    """For each of ``labels`` (``by_label``) its highest similarity to any of ``preds`` and the first
    prediction giving it, or the same for each of ``preds`` over ``labels``: a full table's max and
    argmax along one axis. Only overlapping pairs and those about as near as the nearest centre can hold
    the maximum (a disjoint pair's similarity falls with the distance, in steps: every pair that may tie
    is measured); found with a k-d tree, not by measuring every pair."""
    from scipy.spatial import cKDTree

    queries, targets = (labels, preds) if by_label else (preds, labels)
    qc = (m.lab_centres if by_label else m.pred_centres)[queries]
    tc = (m.pred_centres if by_label else m.lab_centres)[targets]
    tree = cKDTree(tc)
    d0 = np.asarray(tree.query(qc, k=1)[0], dtype=np.float64).reshape(-1)
    q0 = 1 - (1 - np.exp(-d0 * EUC_FACTOR))
    low = q0 * (1 - 1e-9) - 8 * Q_STEP  # any pair as similar as the nearest has exp(-0.1 d) >= low
    radius = np.full(len(queries), FAR)
    radius[low > 0] = -np.log(low[low > 0]) / EUC_FACTOR
    radius = np.maximum(radius, d0) * (1 + 1e-9) + 1e-9
    balls = tree.query_ball_point(qc, radius)
    sizes = np.fromiter(map(len, balls), dtype=np.int64, count=len(balls))
    qi = np.repeat(np.arange(len(queries)), sizes)
    ti = np.fromiter((t for ball in balls for t in ball), dtype=np.int64, count=int(sizes.sum()))
    at_q, at_t = np.full(m.shape[0 if by_label else 1], -1), np.full(m.shape[1 if by_label else 0], -1)
    at_q[queries], at_t[targets] = np.arange(len(queries)), np.arange(len(targets))
    oq, ot = (at_q[m.rows], at_t[m.cols]) if by_label else (at_q[m.cols], at_t[m.rows])
    both = (oq >= 0) & (ot >= 0)
    keys = np.unique(np.r_[qi * len(targets) + ti, oq[both] * len(targets) + ot[both]])
    qi, ti = keys // len(targets), keys % len(targets)
    rows, cols = (queries[qi], targets[ti]) if by_label else (targets[ti], queries[qi])
    _, best, first = _group_best(qi, m.similarity_of(rows, cols), ti)
    return best, targets[np.where(best == 0, 0, first)]  # all 0: every target ties, the first wins


def image_min_similarity(m: Matrices) -> float:
    """Smallest non-zero similarity of one image (1.0 when there is none): the first-pass figure."""
    return m.min_similarity


def min_possible_similarity(per_image_minimums: Iterable[float]) -> float:
    """Dataset-wide minimum similarity from the per-image minimums (1.0 for an empty dataset)."""
    return float(min([1.0, *per_image_minimums]))


def overlooked_scores(
    boxes: ImageBoxes, m: Matrices, min_similarity: float, high: Threshold = HIGH_PROBABILITY_THRESHOLD
) -> np.ndarray:
    """Per prediction: NaN unless confident (score >= high) and overlapping no label (nor a crowd region,
    ``boxes.pred_covered``); then the similarity
    to the closest label of its class, or min_similarity x (1 - score) when there is none."""
    out = np.full(boxes.pred_labels.shape[0], np.nan)
    covered = np.zeros(out.shape, dtype=bool)
    covered[m.cols] = True
    if boxes.pred_covered is not None:
        covered |= boxes.pred_covered
    candidate = (boxes.pred_probs >= high) & ~covered
    for cat in np.unique(boxes.pred_labels[candidate]):
        preds = np.flatnonzero(candidate & (boxes.pred_labels == cat))
        labels = np.flatnonzero(boxes.lab_labels == cat)
        if labels.size:
            out[preds] = _most_similar(m, labels, preds, by_label=False)[0]
        else:
            out[preds] = min_similarity * (1 - boxes.pred_probs[preds])
    return out


def badloc_match(
    boxes: ImageBoxes, m: Matrices, low: Threshold = LOW_PROBABILITY_THRESHOLD
) -> tuple[np.ndarray, np.ndarray]:
    """Badly-located score per label and the index of the prediction that gave it (-1 when none)."""
    n_lab = boxes.lab_labels.shape[0]
    best, idx = np.ones(n_lab), np.full(n_lab, -1)
    low_of = np.broadcast_to(np.asarray(low, dtype=np.float64), boxes.pred_probs.shape)  # per prediction
    ok = (boxes.lab_labels[m.rows] == boxes.pred_labels[m.cols]) & (boxes.pred_probs[m.cols] > low_of[m.cols])
    if ok.any():
        rows, value, first = _group_best(m.rows[ok], m.similarity[ok], m.cols[ok])
        best[rows], idx[rows] = value, first
    return best, idx


def overlapping_labels(boxes: ImageBoxes) -> np.ndarray:
    """Per label: another label of a different class overlaps it with IoU >= 0.95 (cleanlab's check),
    within the label's own version of an overlap image (two annotators disagreeing is no such label)."""
    from pixelproof.core.matching import overlapping_within

    i, j = overlapping_within(boxes.lab_boxes)  # each pair once: IoU and "another class" are symmetric
    iou = box_iou(boxes.lab_boxes[i], boxes.lab_boxes[j])
    hit = (iou >= LABEL_OVERLAP_THRESHOLD) & (boxes.lab_labels[i] != boxes.lab_labels[j])
    if boxes.lab_versions is not None:
        hit &= boxes.lab_versions[i] == boxes.lab_versions[j]
    out = np.zeros(boxes.lab_labels.shape[0], dtype=bool)
    out[i[hit]] = out[j[hit]] = True
    return out


def swap_match(
    boxes: ImageBoxes,
    m: Matrices,
    min_similarity: float,
    high: Threshold = HIGH_PROBABILITY_THRESHOLD,
    overlapping_label_check: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Swap score per label and the index of the other-class prediction that gave it (-1 when none)."""
    n_lab = boxes.lab_labels.shape[0]
    scores = np.ones(n_lab)
    idx = np.full(n_lab, -1)
    if n_lab == 0:
        return scores, idx
    confident = boxes.pred_probs > high
    for cat in np.unique(boxes.lab_labels):
        preds = np.flatnonzero(confident & (boxes.pred_labels != cat))
        if not preds.size:
            continue
        labels = np.flatnonzero(boxes.lab_labels == cat)
        best, first = _most_similar(m, labels, preds, by_label=True)
        scores[labels] = np.maximum(min_similarity, 1 - best)
        idx[labels] = first
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
    high: Threshold = HIGH_PROBABILITY_THRESHOLD,
    low: Threshold = LOW_PROBABILITY_THRESHOLD,
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
    min_sim = min_possible_similarity(image_min_similarity(m) for m in mats)
    per_image = [
        score_image(b, m, min_sim, high=high, low=low, overlapping_label_check=overlapping_label_check)
        for b, m in zip(images, mats, strict=True)
    ]
    return np.array([s.score for s in per_image]), per_image
