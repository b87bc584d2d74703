"""3D figures of a volume against a brute-force implementation (6-neighbour boundary, all pairs of
boundary voxel centres) and against known values; slice spacing from positions, even when uneven."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pixelproof.core.metrics import Placed
from pixelproof.core.metrics_3d import compare_volume


def brute_3d(a: np.ndarray, b: np.ndarray, z: np.ndarray, spacing=(1.0, 1.0), tau: float = 2.0) -> dict:
    def boundary(m: np.ndarray) -> np.ndarray:
        p = np.pad(m, 1)
        inner = p[1:-1, 1:-1, 1:-1].copy()
        for axis in range(3):
            for shift in (-1, 1):
                inner &= np.roll(p, shift, axis=axis)[1:-1, 1:-1, 1:-1]
        return m & ~inner

    def coords(m: np.ndarray) -> np.ndarray:
        idx = np.argwhere(m)
        return np.column_stack([z[idx[:, 0]], idx[:, 1] * spacing[0], idx[:, 2] * spacing[1]])

    pa, pb = coords(boundary(a)), coords(boundary(b))
    d = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1))
    dab, dba = d.min(axis=1), d.min(axis=0)
    inter = (a & b).sum()
    return {
        "dice": 2 * inter / (a.sum() + b.sum()),
        "iou": inter / (a | b).sum(),
        "hd": max(dab.max(), dba.max()),
        "hd95": max(np.percentile(dab, 95), np.percentile(dba, 95)),
        "assd": np.concatenate([dab, dba]).mean(),
        "masd": (dab.mean() + dba.mean()) / 2,
        "nsd": ((dab <= tau).sum() + (dba <= tau).sum()) / (dab.size + dba.size),
    }


def ball(shape, c, r) -> np.ndarray:
    zz, yy, xx = np.mgrid[: shape[0], : shape[1], : shape[2]]
    return (zz - c[0]) ** 2 + (yy - c[1]) ** 2 + (xx - c[2]) ** 2 <= r**2


def slices(vol: np.ndarray) -> list[Placed]:
    return [Placed.from_full(s) for s in vol]


@pytest.mark.parametrize(
    "positions",
    [
        np.arange(12) * 2.5,  # even: distance transform with sampling
        np.array([0, 1, 2, 3.5, 5, 7, 9, 10, 11, 12.5, 14, 16], dtype=float),  # uneven: exact search
        -np.arange(12) * 3.0,  # decreasing positions (a series sorted the other way)
    ],
)
def test_volume_figures_match_brute_force(positions: np.ndarray) -> None:
    shape = (12, 30, 34)
    a = ball(shape, (5, 14, 15), 5.2)
    b = ball(shape, (6, 15, 17), 4.6) | ball(shape, (2, 4, 28), 1.5)  # a stray blob
    spacing = (0.8, 0.6)
    got = compare_volume(slices(a), slices(b), shape[1:], spacing=spacing, positions=positions, nsd_tau=1.5)
    want = brute_3d(a, b, positions, spacing, tau=1.5)
    assert got.unit == "mm"
    for name, value in want.items():
        assert getattr(got, name) == pytest.approx(value, rel=1e-9, abs=1e-9), name
    assert math.isnan(got.boundary_iou)


def test_known_shift_gives_hausdorff_in_mm_from_slice_positions() -> None:
    """A box moved by two slices: HD = 2 x the slice spacing the positions give (not a nominal one)."""
    shape = (10, 20, 20)
    a = np.zeros(shape, bool)
    a[2:6, 5:15, 5:15] = True
    b = np.roll(a, 2, axis=0)
    positions = 100.0 + 3.0 * np.arange(10)  # 3 mm apart
    got = compare_volume(slices(a), slices(b), shape[1:], spacing=(0.5, 0.5), positions=positions)
    assert got.hd == pytest.approx(6.0) and got.hd95 == pytest.approx(6.0)
    assert got.dice == pytest.approx(2 * 2 / 8)
    voxels = compare_volume(slices(a), slices(b), shape[1:])
    assert voxels.unit == "voxel" and voxels.hd == pytest.approx(2.0)


def test_empty_volumes_follow_the_2d_conventions() -> None:
    shape = (4, 8, 8)
    empty = np.zeros(shape, bool)
    full = empty.copy()
    full[1:3, 2:5, 2:5] = True
    both = compare_volume(slices(empty), slices(empty), shape[1:], spacing=(1, 1), positions=np.arange(4.0))
    assert both.both_empty and math.isnan(both.dice) and math.isnan(both.hd)
    one = compare_volume(slices(full), slices(empty), shape[1:], spacing=(1, 1), positions=np.arange(4.0))
    assert one.dice == 0 and math.isinf(one.hd95) and one.nsd == 0
    assert one.diagonal == pytest.approx(math.sqrt(4**2 + 8**2 + 8**2))


def test_a_single_slice_scores_like_the_2d_comparison() -> None:
    from pixelproof.core.metrics import compare

    y, x = np.mgrid[:64, :64]
    a = (y - 30) ** 2 + (x - 30) ** 2 <= 15**2
    b = (y - 32) ** 2 + (x - 35) ** 2 <= 14**2
    flat = compare(a, b, spacing=(0.7, 0.9))
    vol = compare_volume([Placed.from_full(a)], [Placed.from_full(b)], a.shape, spacing=(0.7, 0.9))
    # with one slice the 6-neighbour boundary is the 4-neighbour one plus the whole slice: the top and
    # bottom faces are boundary, so every mask voxel is a boundary voxel
    assert (vol.tp, vol.fp, vol.fn) == (flat.tp, flat.fp, flat.fn)
    assert vol.n_boundary_ref == int(a.sum())


def test_bad_positions_are_refused() -> None:
    one = [Placed.from_full(np.ones((3, 3), bool))] * 3
    with pytest.raises(ValueError, match="monotonic"):
        compare_volume(one, one, (3, 3), spacing=(1, 1), positions=np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="monotonic"):
        compare_volume(one, one, (3, 3), spacing=(1, 1), positions=np.array([0.0, np.nan, 2.0]))
