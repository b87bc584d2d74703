"""Centreline Dice (clDice; Shit et al., CVPR 2021, "clDice - a Novel Topology-Preserving Loss Function for
Tubular Structure Segmentation") of a class's reference and candidate masks in one image.

Overlap punishes a thin structure drawn a pixel to the side (a crack 2 px wide: Dice 0.5); clDice asks
instead how much of each mask's centreline lies inside the other mask, so it stays high for such an offset
and drops when a vessel or crack is broken or a branch is missing:

    Tprec = |S_P & V_L| / |S_P|,  Tsens = |S_L & V_P| / |S_L|,  clDice = 2 Tprec Tsens / (Tprec + Tsens)

with V_L, V_P the reference and candidate masks and S their skeletons (``skimage.morphology.skeletonize``,
Zhang's thinning, as the authors' reference code ``cldice_metric/cldice.py``).

Empty cases follow Dice (``metrics.MaskComparison``): both masks empty is n/a (NaN, reason "both empty");
one mask empty is 0 when that mask is a thin structure (a blob or a box missed is not measured, as when
both sides have one: a 0 there would pull a class never measured down to clDice 0); neither centreline
inside the other mask (Tprec = Tsens = 0) is 0, where the reference code divides 0 by 0. Zhang's thinning
never removes a piece's last pixel, so a non-empty mask has a non-empty skeleton; should one come out
empty all the same, the mask stands for its own centreline.

Zhang's thinning decides each pixel from its 8 neighbours, so a mask's skeleton is the union of the
skeletons of its 8-connected pieces, and framing a piece with zeros changes nothing (its border pixels see
background either way): the objects' crops are grouped as ``metrics_parts`` groups them (boxes grown by
a pixel that overlap) and each group is thinned on its own box, never the frame of a class spread over a
slide. Thinning takes one pass over the box per layer it peels (about 5 ns a pixel a pass: a filled
3,500 x 3,400 region is 1,700 passes and 100 s; ellipses 30-120 px across were a third of a QA run's
time): clDice is a figure for thin structures (cracks, scratches, vessels), measured on a class row when
no piece of either mask is deeper than ``THIN_DEPTH`` (no 33 x 33 px square fits inside) and the thinning
costs at most ``SKELETON_BUDGET`` pixel-passes; otherwise it is not computed and its reason says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from pixelproof.core.metrics_parts import cluster_masks, clusters

if TYPE_CHECKING:
    from pixelproof.core.metrics import MaskComparison, Placed

#: the deepest a mask's pixel may be (chessboard distance to the background) for clDice to be measured:
#: a thin structure, up to 32 px across; a filled blob takes a thinning pass per layer for no topology
THIN_DEPTH = 16
#: pixel-passes of thinning a class row may cost, counted before any is done: 5 ns each for a filled
#: square, up to 30 ns for a 1024 x 1024 tangle of thin lines (1.5-9 s); a 3,504 x 2,336 fundus image is 110 M
SKELETON_BUDGET = 300_000_000
#: ``centrelines`` of a thin structure on one side only: clDice 0, as Dice
ONE_EMPTY = "one mask empty"


@dataclass(frozen=True, slots=True)
class Centrelines:
    """Skeleton pixel counts of one comparison: each side's skeleton, and how much of it is inside the
    other side's mask."""

    ref: int  # |S_L|
    ref_inside: int  # |S_L & V_P|
    cand: int  # |S_P|
    cand_inside: int  # |S_P & V_L|

    @property
    def tprec(self) -> float:
        """Topology precision: the candidate's centreline inside the reference mask."""
        return self.cand_inside / self.cand if self.cand else math.nan

    @property
    def tsens(self) -> float:
        """Topology sensitivity: the reference's centreline inside the candidate mask."""
        return self.ref_inside / self.ref if self.ref else math.nan

    @property
    def cldice(self) -> float:
        p, s = self.tprec, self.tsens
        return 2 * p * s / (p + s) if p + s else 0.0


def cldice(c: MaskComparison) -> float:
    """clDice of a comparison: NaN when both masks are empty or it was not measured, 0 with one empty
    (a thin structure missed; not a blob or a box missed, which ``centrelines`` says are not measured)."""
    if c.both_empty:
        return math.nan
    if c.one_empty:
        return 0.0 if c.centrelines == ONE_EMPTY else math.nan
    return c.centrelines.cldice if isinstance(c.centrelines, Centrelines) else math.nan


def skeleton(mask: np.ndarray) -> np.ndarray:
    """Zhang's skeleton of a 2D mask (the mask itself should thinning leave nothing: see the docstring)."""
    from skimage.morphology import skeletonize  # skimage loads lazily, as scipy does

    out = skeletonize(mask)
    return out if out.any() or not mask.any() else mask.copy()


def centrelines(
    ref_parts: list[Placed],
    cand_parts: list[Placed],
    *,
    max_depth: int = THIN_DEPTH,
    budget: int = SKELETON_BUDGET,
    boxes: bool = False,
) -> Centrelines | str:
    """The ``Centrelines`` of the masks the parts make up (``metrics.merge`` of each side), thinned group
    by group; a str saying why not when a piece is deeper than ``max_depth`` (no thin structure), the
    thinning would cost more than ``budget`` pixel-passes, or ``boxes``: some object is a box (a filled
    rectangle has no drawn centreline; thinning every box was a fifth of a QA run of box projects)."""
    ref_parts = [p for p in ref_parts if not p.is_empty]
    cand_parts = [p for p in cand_parts if not p.is_empty]
    if boxes and (ref_parts or cand_parts):
        return "not computed: boxes have no centreline (clDice compares masks and polygons)"
    # a piece is at least as deep as any part of it: the first blob says so, before any merging
    deepest = 0
    for p in ref_parts + cand_parts:
        deepest = max(deepest, _depth(np.pad(p.mask, 1)))
        if deepest > max_depth:
            break
    if deepest <= max_depth and (not ref_parts or not cand_parts):
        return ONE_EMPTY  # clDice 0 (both: n/a) without thinning anything; a blob missed is not thin: n/a
    groups = _groups(ref_parts, cand_parts) if deepest <= max_depth else []
    cost = 0
    for a, b in groups:
        depth = max(_depth(a), _depth(b))
        deepest = max(deepest, depth)
        cost += a.size * (depth + 1)
    if deepest > max_depth:
        fits, most = 2 * deepest - 1, 2 * max_depth - 1
        return (
            f"not computed: not a thin structure (a {fits} x {fits} px square fits inside a mask; "
            f"clDice is measured when none wider than {most} x {most} does)"
        )
    if cost > budget:
        million = f"{cost / 1e6:.0f} M pixel-passes, limit {budget / 1e6:.0f} M"
        return f"not computed: masks too large to thin ({million})"
    ref = ref_inside = cand = cand_inside = 0
    for a, b in groups:
        sa, sb = skeleton(a), skeleton(b)
        ref += int(np.count_nonzero(sa))
        ref_inside += int(np.count_nonzero(sa & b))
        cand += int(np.count_nonzero(sb))
        cand_inside += int(np.count_nonzero(sb & a))
    return Centrelines(ref, ref_inside, cand, cand_inside)


def _depth(m: np.ndarray) -> int:
    """The chessboard distance of ``m``'s deepest pixel to the background (a ring of zeros around ``m`` is
    assumed: ``_groups`` frames each group): Zhang's thinning peels about one layer a pass."""
    if not m.any():
        return 0
    return int(cv2.distanceTransform(m.view(np.uint8), cv2.DIST_C, 3).max())


def _groups(ref_parts: list[Placed], cand_parts: list[Placed]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Both sides' masks on each group's box framed by a ring of zeros: a ``metrics_parts.clusters``
    cluster of the crops."""
    parts = ref_parts + cand_parts
    if not parts:
        return []
    boxes = np.array([p.box() for p in parts], dtype=np.int64)  # y0, x0, y1, x1
    n_ref = len(ref_parts)
    out = []
    for members in clusters(boxes):
        a, b, _, _ = cluster_masks(parts, n_ref, boxes, members)
        out.append((a, b))
    return out
