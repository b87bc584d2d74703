"""Mask comparison of a volume given slice by slice (QA in 3D, ``qa_volumes``): the same conventions as
``metrics`` with 6-neighbour boundaries and voxel spacing."""

from __future__ import annotations

import math

import numpy as np

from pixelproof.core.metrics import MaskComparison, Placed, counted, directed_distances, union_box


def monotonic(positions: np.ndarray | None) -> bool:
    """Finite and strictly increasing or decreasing (one finite position counts)."""
    if positions is None or len(positions) == 0 or not np.isfinite(positions).all():
        return False
    diffs = np.diff(np.asarray(positions, dtype=np.float64))
    return bool((diffs > 0).all() or (diffs < 0).all())


def uniform_step(positions: np.ndarray | None, rel_tol: float = 1e-3) -> float | None:
    """The spacing of strictly monotonic, evenly spaced slice positions (within ``rel_tol``), else None."""
    if positions is None or len(positions) < 2 or not monotonic(positions):
        return None
    steps = np.abs(np.diff(np.asarray(positions, dtype=np.float64)))
    step = float(steps.mean())
    return step if float(np.abs(steps - step).max()) <= rel_tol * step else None


def compare_volume(
    ref: list[Placed],
    cand: list[Placed],
    image_shape: tuple[int, int],
    *,
    spacing: tuple[float, float] | None = None,
    positions: np.ndarray | None = None,
    offsets: np.ndarray | None = None,
    nsd_tau: float = 2.0,
    distances: bool = True,
) -> MaskComparison:
    """Compare two masks of a volume given slice by slice (``ref[k]``, ``cand[k]``: slice k's crops).

    3D Dice/IoU from voxel counts; boundary = voxels with a 6-neighbour outside the mask (outside the volume
    counts as outside); Euclidean distances between voxel centres. With ``spacing`` (row, col mm) the
    slices sit at ``positions`` (mm along the normal, strictly monotonic: the slice spacing comes from them)
    and distances are mm; without it everything is in voxels and ``positions`` are slice numbers
    (default 0, 1, 2 ...). Unevenly spaced slices are placed at their positions (exact nearest-neighbour
    search), and so are the slices of a sheared stack (gantry tilt), each shifted within its plane by its
    ``offsets`` row (row, col, in ``spacing``'s unit). Boundary IoU is a 2D figure: not computed (NaN).
    """
    depth = len(ref)
    if len(cand) != depth:
        raise ValueError(f"{depth} reference slices but {len(cand)} candidate slices")
    z = np.arange(depth, dtype=np.float64) if positions is None else np.asarray(positions, np.float64)
    if len(z) != depth or not monotonic(z):
        raise ValueError("slice positions must be finite and strictly monotonic, one per slice")
    shift = None if offsets is None else np.asarray(offsets, np.float64).reshape(depth, 2)
    step = 1.0 if depth == 1 else uniform_step(z)
    sy, sx = spacing if spacing is not None else (1.0, 1.0)
    z_extent = float(abs(z[-1] - z[0])) + (step or float(np.abs(np.diff(z)).mean()))
    diagonal = math.sqrt(z_extent**2 + (image_shape[0] * sy) ** 2 + (image_shape[1] * sx) ** 2)
    unit = "voxel" if spacing is None else "mm"  # a voxel step, not a px: the reports' word for it
    base = {"nsd_tau": nsd_tau, "biou_d": 0, "diagonal": diagonal, "unit": unit}
    used = [k for k in range(depth) if ref[k].mask.size or cand[k].mask.size]
    box = union_box([p for p in ref + cand if p.mask.size])
    if box is None:
        return MaskComparison(0, 0, 0, **base)
    y0, x0, y1, x1 = box
    y0, x0, h, w = y0 - 1, x0 - 1, y1 - y0 + 2, x1 - x0 + 2
    z0, z1 = used[0] - 1, used[-1] + 2  # a ring of empty slices: outside the volume is outside
    a = np.zeros((z1 - z0, h, w), dtype=bool)
    b = np.zeros_like(a)
    for k in used:
        a[k - z0] = ref[k].in_frame(y0, x0, h, w)
        b[k - z0] = cand[k].in_frame(y0, x0, h, w)
    result = counted(a, b, base)
    if not distances:
        result.measured = False
        return result
    from scipy import ndimage

    cross = ndimage.generate_binary_structure(3, 1)
    ba = a & ~ndimage.binary_erosion(a, structure=cross, border_value=0)
    bb = b & ~ndimage.binary_erosion(b, structure=cross, border_value=0)
    result.n_boundary_ref = int(np.count_nonzero(ba))
    result.n_boundary_cand = int(np.count_nonzero(bb))
    if not (result.tp + result.fn and result.tp + result.fp):
        return result
    if step is not None and shift is None:
        result.d_ref, result.d_cand = directed_distances(ba, bb, (step, sy, sx))
        return result
    # uneven or sheared slices: each boundary voxel at its slice's position and in-plane offset (ring
    # slices hold no boundary)
    shift = np.zeros((depth, 2)) if shift is None else shift
    pa, pb = np.argwhere(ba), np.argwhere(bb)
    ka, kb = pa[:, 0] + z0, pb[:, 0] + z0
    ca = np.column_stack([z[ka], pa[:, 1] * sy + shift[ka, 0], pa[:, 2] * sx + shift[ka, 1]])
    cb = np.column_stack([z[kb], pb[:, 1] * sy + shift[kb, 0], pb[:, 2] * sx + shift[kb, 1]])
    from scipy.spatial import cKDTree

    result.d_ref = np.asarray(cKDTree(cb).query(ca, k=1)[0], dtype=np.float64)
    result.d_cand = np.asarray(cKDTree(ca).query(cb, k=1)[0], dtype=np.float64)
    return result
