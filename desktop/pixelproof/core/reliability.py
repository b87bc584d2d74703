"""Inter-annotator statistics on plain arrays: Cohen's and Fleiss' kappa, Krippendorff's alpha, STAPLE.

Written here (numpy only) so the app and the CLI need no statistics package; the tests check every figure
against an independent implementation (scikit-learn, statsmodels, ``krippendorff``, SimpleITK).

STAPLE (Warfield, Zou, Wells 2004) works on *decision patterns*: a pixel's estimate depends only on which
raters marked it, so the EM runs on the histogram of distinct patterns (at most 2^n of them) instead of on
every pixel, with the same result as ITK's ``STAPLEImageFilter`` on the full image. A rater may be missing
for a pattern (``-1``): its factor is left out, which lets pixels of several images, labelled by different
subsets of annotators, be pooled into one estimate per annotator.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MISSING = -1


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two raters' labels on the same units (NaN when chance agreement is total)."""
    if len(a) != len(b):
        raise ValueError(f"cohen_kappa: {len(a)} labels against {len(b)}")
    if not a:
        return math.nan
    labels = sorted(set(a) | set(b), key=repr)
    index = {v: i for i, v in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)), dtype=np.float64)
    np.add.at(table, ([index[v] for v in a], [index[v] for v in b]), 1.0)
    n = table.sum()
    observed = np.trace(table) / n
    expected = float(table.sum(axis=1) @ table.sum(axis=0)) / (n * n)
    if expected >= 1.0:
        return math.nan
    return float((observed - expected) / (1.0 - expected))


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa of a units x categories table of rating counts (same number of raters per unit)."""
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] == 0:
        return math.nan
    per_unit = table.sum(axis=1)
    n = per_unit[0]
    if n < 2 or not np.all(per_unit == n):
        raise ValueError("fleiss_kappa: every unit needs the same number (>= 2) of ratings")
    p_cat = table.sum(axis=0) / table.sum()
    p_unit = ((table * table).sum(axis=1) - n) / (n * (n - 1))
    expected = float((p_cat * p_cat).sum())
    if expected >= 1.0:
        return math.nan
    return float((p_unit.mean() - expected) / (1.0 - expected))


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's alpha (nominal) of a raters x units matrix; ``None`` marks a missing label.

    Units with fewer than two labels cannot be paired and are left out, as Krippendorff defines it.
    """
    units = list(zip(*data, strict=True)) if data else []
    labels = sorted({v for row in data for v in row if v is not None}, key=repr)
    index = {v: i for i, v in enumerate(labels)}
    k = len(labels)
    coincidence = np.zeros((k, k), dtype=np.float64)
    for unit in units:
        values = [index[v] for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts = np.bincount(values, minlength=k).astype(np.float64)
        pairs = np.outer(counts, counts) - np.diag(counts)  # ordered pairs of different raters
        coincidence += pairs / (m - 1)
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return math.nan
    observed = coincidence.sum() - np.trace(coincidence)
    expected = (n_c.sum() ** 2 - (n_c * n_c).sum()) / (n - 1)
    if expected == 0:
        return math.nan
    return float(1.0 - observed / expected)


# ------------------------------------------------------------------------------------------------
# STAPLE


@dataclass(slots=True)
class StapleResult:
    """``weights[k]``: probability that pixels of pattern k are foreground; per-rater performance."""

    weights: np.ndarray
    sensitivity: np.ndarray  # NaN for a rater that is missing everywhere or never sees foreground
    specificity: np.ndarray
    prior: float
    iterations: int


def decision_patterns(masks: Sequence[np.ndarray], extra_background: int = 0) -> tuple[np.ndarray, ...]:
    """(patterns k x n int8, counts k, inverse per pixel) of n same-shape boolean masks.

    ``extra_background`` adds that many pixels where every rater said "no" (the part of an image outside
    the crop the masks were cut from), so a crop gives the same STAPLE as the whole image.
    """
    n = len(masks)
    if n == 0 or n > 62:
        raise ValueError(f"decision_patterns: 1 to 62 raters, got {n}")
    shape = masks[0].shape
    code = np.zeros(shape, dtype=np.int64)
    for j, m in enumerate(masks):
        if m.shape != shape:
            raise ValueError(f"decision_patterns: mask {j} is {m.shape}, expected {shape}")
        code |= m.astype(np.int64) << j
    uniq, inverse, counts = np.unique(code.ravel(), return_inverse=True, return_counts=True)
    counts = counts.astype(np.float64)
    if extra_background:
        if uniq.size and uniq[0] == 0:
            counts[0] += extra_background
        else:
            uniq = np.concatenate([[0], uniq])
            counts = np.concatenate([[float(extra_background)], counts])
            inverse = inverse + 1
    patterns = ((uniq[:, None] >> np.arange(n)) & 1).astype(np.int8)
    return patterns, counts, inverse.reshape(shape)


PATTERN_TILE = 1024  # side of the squares ``placed_decision_patterns`` counts at a time


def placed_decision_patterns(
    per_rater: Sequence[Sequence[Any]], shape: tuple[int, int], tile: int = PATTERN_TILE
) -> tuple[np.ndarray, np.ndarray]:
    """(patterns, counts) as ``decision_patterns`` gives them for the whole image, from each rater's
    crops (``metrics.Placed``: ``mask``, ``y0``, ``x0``) without an image-sized array.

    A slide's nuclei lie all over it: the box around one class's objects is the whole slide, and its
    int64 pattern codes took 2 GB (12 GB in all with ``np.unique``) for a 20,000 x 15,000 slide. The
    image is counted in ``tile``-sided squares, only those some crop touches; the rest is background.
    """
    height, width = shape
    n = len(per_rater)
    cells: dict[tuple[int, int], list[list[Any]]] = {}
    for r, crops in enumerate(per_rater):
        for p in crops:
            h, w = p.mask.shape if p.mask.ndim == 2 else (0, 0)
            if not h or not w:
                continue
            ya, yb = max(p.y0, 0), min(p.y0 + h, height)
            xa, xb = max(p.x0, 0), min(p.x0 + w, width)
            if ya >= yb or xa >= xb:
                continue
            for ty in range(ya // tile, (yb - 1) // tile + 1):
                for tx in range(xa // tile, (xb - 1) // tile + 1):
                    cells.setdefault((ty, tx), [[] for _ in range(n)])[r].append(p)
    totals: dict[int, float] = {}
    covered = 0
    for (ty, tx), crops_by_rater in sorted(cells.items()):
        y0, x0 = ty * tile, tx * tile
        th, tw = min(tile, height - y0), min(tile, width - x0)
        covered += th * tw
        code = np.zeros((th, tw), dtype=np.int64)
        for r, crops in enumerate(crops_by_rater):
            frame = np.zeros((th, tw), dtype=bool)
            for p in crops:
                ph, pw = p.mask.shape
                ya, yb = max(p.y0, y0), min(p.y0 + ph, y0 + th)
                xa, xb = max(p.x0, x0), min(p.x0 + pw, x0 + tw)
                if ya < yb and xa < xb:
                    frame[ya - y0 : yb - y0, xa - x0 : xb - x0] |= p.mask[
                        ya - p.y0 : yb - p.y0, xa - p.x0 : xb - p.x0
                    ]
            code |= frame.astype(np.int64) << r
        if n <= 16:  # a count per possible code: no sort (np.unique sorted a million codes a tile)
            per_code = np.bincount(code.ravel(), minlength=1 << n)
            found = np.flatnonzero(per_code)
            pairs = zip(found.tolist(), per_code[found].tolist(), strict=True)
        else:
            pairs = zip(*(a.tolist() for a in np.unique(code, return_counts=True)), strict=True)
        for value, count in pairs:
            totals[value] = totals.get(value, 0.0) + float(count)
    outside = height * width - covered
    if outside:
        totals[0] = totals.get(0, 0.0) + float(outside)
    codes = np.array(sorted(totals), dtype=np.int64)
    counts = np.array([totals[c] for c in codes.tolist()], dtype=np.float64)
    return ((codes[:, None] >> np.arange(n)) & 1).astype(np.int8), counts


def staple(
    patterns: np.ndarray,
    counts: np.ndarray,
    *,
    max_iterations: int = 1000,
    confidence_weight: float = 1.0,
    tolerance: float = 1e-14,
) -> StapleResult:
    """Binary STAPLE by EM on decision patterns (k x n of 1 / 0 / ``MISSING``) with pixel ``counts``.

    Same steps as ITK's ``STAPLEImageFilter``: start from the mean of the decisions, a fixed prior equal to
    the mean start estimate (times ``confidence_weight``), then alternate the M step (sensitivity p and
    specificity q per rater) and the E step until every p and q moves less than sqrt(``tolerance``).
    """
    d = np.asarray(patterns, dtype=np.int8)
    c = np.asarray(counts, dtype=np.float64)
    present = d != MISSING
    fg = (d == 1) & present
    bg = (d == 0) & present
    n_present = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(n_present > 0, fg.sum(axis=1) / np.maximum(n_present, 1), 0.0)
    prior = float((w * c).sum() / c.sum()) * confidence_weight if c.sum() else 0.0
    n = d.shape[1]
    p = np.full(n, math.nan)
    q = np.full(n, math.nan)
    last_p = last_q = None
    iterations = 0
    for iterations in range(max_iterations):  # noqa: B007 - reported below
        cw, cnw = c * w, c * (1.0 - w)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = (fg * cw[:, None]).sum(axis=0) / (present * cw[:, None]).sum(axis=0)
            q = (bg * cnw[:, None]).sum(axis=0) / (present * cnw[:, None]).sum(axis=0)
        w = posterior(d, p, q, prior)
        if last_p is not None and _converged(p, last_p, tolerance) and _converged(q, last_q, tolerance):
            break
        last_p, last_q = p.copy(), q.copy()
    return StapleResult(w, p, q, prior, iterations)


def posterior(
    patterns: np.ndarray, sensitivity: np.ndarray, specificity: np.ndarray, prior: float
) -> np.ndarray:
    """STAPLE's E step: probability that each pattern's pixels are foreground given the raters'
    sensitivity p and specificity q (a rater with NaN, or missing in the pattern, counts for nothing)."""
    d = np.asarray(patterns, dtype=np.int8)
    fg, bg = d == 1, d == 0
    pe, qe = np.nan_to_num(sensitivity, nan=0.5), np.nan_to_num(specificity, nan=0.5)
    alpha = np.prod(np.where(fg, pe, np.where(bg, 1.0 - pe, 1.0)), axis=1)
    beta = np.prod(np.where(fg, 1.0 - qe, np.where(bg, qe, 1.0)), axis=1)
    num = prior * alpha
    den = num + (1.0 - prior) * beta
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def _converged(now: np.ndarray, before: np.ndarray, tolerance: float) -> bool:
    delta = np.nan_to_num(now - before, nan=0.0)
    return bool(np.all(delta * delta <= tolerance))


def staple_masks(masks: Sequence[np.ndarray], threshold: float = 0.5) -> tuple[np.ndarray, StapleResult]:
    """STAPLE of full-image boolean masks: (consensus mask with probability > ``threshold``, result)."""
    patterns, counts, inverse = decision_patterns(masks)
    result = staple(patterns, counts)
    return result.weights[inverse] > threshold, result


def majority_vote(masks: Sequence[np.ndarray], raters: int | None = None) -> np.ndarray:
    """Pixels marked by more than half of ``raters`` (default: the number of masks); a tie is background."""
    total = np.sum([np.asarray(m, dtype=np.uint16) for m in masks], axis=0)
    n = len(masks) if raters is None else raters
    return total * 2 > n
