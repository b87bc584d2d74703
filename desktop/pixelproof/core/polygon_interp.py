"""One polygon ring ``t`` of the way to another, as CVAT interpolates a polygon track between two keyframes,
for Fill Between Frames and Track Box Here (core.track_fill). No Qt.

CVAT's method (``polyshape_interpolation`` / ``interpolate_position`` in CVAT's
``cvat/apps/dataset_manager/annotation.py``, which its ``interpolate`` applies to every polygon and polyline
pair, of the same vertex count too, the same as cvat-core's ``PolyTrack.interpolatePosition`` in
``cvat-core/src/annotations-objects/poly-track.ts``; MIT licence): each ring is closed (its first vertex
repeated at its end) and every vertex placed by its distance along the ring as a fraction of the perimeter.
Each vertex of the first ring is paired with the second ring's vertex nearest that fraction, and each vertex
of the second that no vertex took is paired with the first ring's nearest; each pair is mixed linearly
(``p + (q - p) * t``), in the first ring's order. Runs of pairs that stand for one vertex on one side are then
thinned: a point is kept only when it lies at least half the run's mean edge (on its key) from the last kept
one, and a run of two closer than that becomes their mean. The closing vertex is dropped at the end. As in
CVAT there is no starting-point alignment: both rings are taken to start at the same place and go the same
way round (CVAT draws and stores them so).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_Points = np.ndarray  # (n, 2) float


def polygon_between(p: Sequence[float], q: Sequence[float], t: float) -> list[float]:
    """The flat ring (``[x0, y0, x1, y1, ...]``) ``t`` (0..1) of the way from ring ``p`` to ring ``q`` by
    CVAT's perimeter matching (see the module docstring), whatever their vertex counts: two rings of one
    count whose vertices lie alike round them come out vertex by vertex, others (a vertex mid-edge on one, at
    a corner on the other) resampled, as CVAT shows them; ``t`` 0: ``p``. A ring of no vertex gives the
    other."""
    a = np.asarray(p[: len(p) // 2 * 2], dtype=float).reshape(-1, 2)
    b = np.asarray(q[: len(q) // 2 * 2], dtype=float).reshape(-1, 2)
    if len(a) == 0 or len(b) == 0:
        return (b if len(a) == 0 else a).ravel().tolist()
    if t == 0:
        return a.ravel().tolist()
    left, right = np.vstack([a, a[:1]]), np.vstack([b, b[:1]])  # closed, as CVAT closes a polygon
    pairs = _pairs(_fractions(left), _fractions(right))
    mixed = [left[i] + (right[j] - left[i]) * t for i, js in enumerate(pairs) for j in js]
    return np.asarray(_thinned(mixed, pairs, left, right)[:-1]).ravel().tolist()


def _fractions(points: _Points) -> np.ndarray:
    """Each vertex's distance along the open line through ``points`` as a fraction of its length (all 0 for a
    line of no length: CVAT divides by it)."""
    along = np.concatenate([[0.0], np.cumsum(_steps(points))])
    return along / along[-1] if along[-1] > 0 else np.zeros(len(points))


def _nearest(value: float, fractions: np.ndarray) -> int:
    """The first index of the fraction nearest ``value``."""
    return int(np.argmin(np.abs(fractions - value)))


def _pairs(left: np.ndarray, right: np.ndarray) -> list[list[int]]:
    """For each left vertex, the right vertices it is mixed with, ascending: its nearest by fraction, then
    every right vertex none took, given to its nearest left vertex."""
    pairs = [[_nearest(f, right)] for f in left]
    taken = {js[0] for js in pairs}
    for j in range(len(right)):
        if j not in taken:
            pairs[_nearest(right[j], left)].append(j)
    return [sorted(js) for js in pairs]


def _steps(points: _Points) -> np.ndarray:
    """The lengths of the edges of the line through ``points``, as CVAT computes them (``sqrt(dx**2 +
    dy**2)``, not ``hypot``: a last-bit difference decides a tie in ``_nearest``)."""
    d = np.diff(points, axis=0)
    return np.sqrt(d[:, 0] ** 2 + d[:, 1] ** 2)


def _length(points: _Points) -> float:
    """The length of the line through ``points``, summed in order as CVAT sums it."""
    return float(np.cumsum(_steps(points))[-1]) if len(points) > 1 else 0.0


def _distance(u: _Points, v: _Points) -> float:
    return float(np.sqrt((u[0] - v[0]) ** 2 + (u[1] - v[1]) ** 2))


def _thinned(mixed: list[_Points], pairs: list[list[int]], left: _Points, right: _Points) -> list[_Points]:
    """The mixed points with the runs that stand for one vertex thinned (CVAT's ``reduce_interpolation``):
    left vertices mixed with the same one right vertex make a run, and so do the right vertices one left
    vertex is mixed with."""
    first = np.concatenate([[0], np.cumsum([len(js) for js in pairs])]).tolist()  # each left vertex's first
    out: list[_Points] = []

    def thin(start: int, stop: int, base: float, count: int) -> None:
        gap = base / (2 * count)
        kept, last = [mixed[start]], start
        for k in range(start + 1, stop):
            if _distance(mixed[last], mixed[k]) >= gap:
                kept.append(mixed[k])
                last = k
        kept.append(mixed[stop])
        if len(kept) == 2 and _distance(mixed[start], mixed[stop]) < gap:
            kept = [(kept[0] + kept[1]) / 2]
        out.extend(kept)

    def left_run(start: int, stop: int) -> None:
        if first[start] == first[stop]:
            out.append(mixed[first[start]])
        else:
            thin(first[start], first[stop], _length(left[start : stop + 1]), stop - start + 1)

    opened: int | None = None  # the first left vertex of a run paired with one right vertex
    for i, js in enumerate(pairs):
        if len(js) == 1:
            if opened is not None and js[0] == pairs[opened][0]:
                continue
            if opened is not None:
                left_run(opened, i - 1)
            opened = i
            continue
        if opened is not None:
            left_run(opened, i - 1)
            opened = None
        lo, hi = js[0], js[-1]
        thin(first[i], first[i] + len(js) - 1, _length(right[lo : hi + 1]), hi - lo + 1)
    if opened is not None:
        left_run(opened, len(pairs) - 1)
    return out
