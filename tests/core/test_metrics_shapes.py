"""``metrics_shapes`` (each mask's boundary and band measured once on its own crop) and the class rows
built from it (``metrics_parts.compare_parts``) against the plain frame computation, ``metrics.compare``
(itself checked against scipy in test_qa_fast_paths), on seeded random masks: every figure, and the
distances bit for bit and in the same order, whichever distance method and band width."""

from __future__ import annotations

import numpy as np

from pixelproof.core import metrics, metrics_parts
from pixelproof.core.metrics import Placed
from pixelproof.core.metrics_shapes import Shapes, compare_shapes, measure_shape

SHAPE = (600, 800)


def _figures(c: metrics.MaskComparison) -> tuple:
    return (
        c.tp, c.fp, c.fn, c.n_boundary_ref, c.n_boundary_cand, c.biou_inter, c.biou_union, c.biou_d,
        c.diagonal, c.unit, c.nsd_tau, c.d_ref.dtype, c.d_ref.tobytes(), c.d_cand.dtype, c.d_cand.tobytes(),
    )  # fmt: skip


def _blob(rng: np.random.Generator, y: int, x: int) -> Placed:
    """One random mask near (y, x): a disc, a ring, a filled box, a one-pixel line or dot, a crop with
    empty margins (not tight), or one cut by the image's top-left border."""
    kind = int(rng.integers(0, 7))
    r = int(rng.integers(1, 16))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    if kind == 0:
        m = yy**2 + xx**2 <= r * r
    elif kind == 1:
        m = (yy**2 + xx**2 <= r * r) & (yy**2 + xx**2 > (r // 2) ** 2)
    elif kind == 2:
        m = np.ones((int(rng.integers(1, 30)), int(rng.integers(1, 30))), dtype=bool)
    elif kind == 3:
        m = np.ones((1, int(rng.integers(1, 60))), dtype=bool)
    elif kind == 4:
        m = np.pad(yy**2 + xx**2 <= r * r, int(rng.integers(1, 5)))  # margins of zeros
    elif kind == 5:
        m = rng.random((2 * r + 1, 2 * r + 1)) < 0.6  # ragged: holes, diagonal-only neighbours
    else:
        return Placed(yy**2 + xx**2 <= r * r, 0, x)  # touches the image's top border
    return Placed(m, y, x)


def _pairs(seed: int, n: int = 60) -> list[tuple[Placed, Placed]]:
    """Reference/candidate pairs: overlapping, apart, one empty, a crop with itself."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        y, x = int(rng.integers(0, SHAPE[0] - 70)), int(rng.integers(0, SHAPE[1] - 70))
        a = _blob(rng, y, x)
        roll = rng.random()
        if roll < 0.6:
            b = _blob(rng, y + int(rng.integers(-4, 5)) if y > 4 else y, x + int(rng.integers(0, 6)))
        elif roll < 0.75:
            b = _blob(rng, int(rng.integers(0, SHAPE[0] - 70)), int(rng.integers(0, SHAPE[1] - 70)))
        elif roll < 0.9:
            b = Placed.empty()
        else:
            b = a
        out.append((a, b) if rng.random() < 0.5 else (b, a))
    return out


def test_compare_shapes_is_compare() -> None:
    """One cache shared by every comparison (each crop in several), as QA shares one per image."""
    pairs = _pairs(0, 60)
    for d, spacing, method in (
        (None, None, "auto"),
        (1, (0.7, 1.3), "edt"),
        (4, None, "kdtree"),
        (4, (0.7, 1.3), "auto"),
    ):
        shapes = Shapes()
        kw = {"spacing": spacing, "boundary_iou_d": d, "method": method}
        for a, b in pairs:
            want = metrics.compare(a, b, SHAPE, **kw)  # type: ignore[arg-type]
            assert _figures(compare_shapes(a, b, SHAPE, shapes=shapes, **kw)) == _figures(want)  # type: ignore[arg-type]
    shapes = Shapes()
    for a, b in pairs:
        want = metrics.compare(a, b, SHAPE, distances=False)
        assert _figures(compare_shapes(a, b, SHAPE, shapes=shapes, distances=False)) == _figures(want)


def test_a_shape_is_the_masks_own_whole_image_boundary_and_band() -> None:
    """The boundary and band of a crop measured alone are those of the mask on the whole image."""
    for a, _ in _pairs(3, 20):
        for d in (1, 3, 25):
            s = measure_shape(a, d)
            full = a.to_full(*SHAPE)
            framed = np.pad(full, 1)
            edge = metrics._eroded_away(framed, metrics._CROSS)[1:-1, 1:-1]
            band = metrics._eroded_away(framed, metrics._SQUARE, d)[1:-1, 1:-1]
            assert s.area == int(full.sum())
            np.testing.assert_array_equal(s.edge, np.argwhere(edge))
            np.testing.assert_array_equal(s.band.to_full(*SHAPE), band)
            assert s.band_area == int(band.sum())
            if s.area:
                rows, cols = np.nonzero(full)
                assert s.tight() == (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)


def _scattered(seed: int) -> tuple[list[Placed], list[Placed]]:
    """A class over a large image: two big regions a side (alone in their clusters), small masks one a
    side or several touching (merged clusters), and some on one side only."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:240, :240]
    big = [(yy - 120) ** 2 + (xx - 120) ** 2 <= 115**2, (yy - 115) ** 2 + (xx - 125) ** 2 <= 110**2]
    ref = [Placed(big[0], 50, 50), Placed(big[0][:200, :220], 1100, 1300)]
    cand = [Placed(big[1], 54, 46), Placed(big[1][:180], 1110, 1290)]
    for _ in range(40):
        y, x = int(rng.integers(350, 1300)), int(rng.integers(350, 1450))
        ref.append(_blob(rng, y, x))
        for _ in range(int(rng.integers(0, 3))):  # none (missed), one (its match) or two touching
            cand.append(_blob(rng, y + int(rng.integers(-3, 4)), x + int(rng.integers(-3, 20))))
    return ref, cand


def test_class_rows_from_shapes_are_compare_of_the_merged_masks() -> None:
    shape = (1400, 1600)
    ref, cand = _scattered(7)
    clustered = []
    real = metrics_parts._clustered
    for d, spacing in ((None, None), (3, (0.5, 0.25))):
        shapes = Shapes()
        for a, b in zip(ref, cand, strict=False):  # object rows first: their shapes are reused
            compare_shapes(a, b, shape, shapes=shapes, spacing=spacing, boundary_iou_d=d)
        for parts_r, parts_c in ((ref, cand), (ref, []), ([], cand), (ref[:2], cand[:2])):
            kw = {"spacing": spacing, "boundary_iou_d": d}
            want = metrics.compare(metrics.merge(parts_r), metrics.merge(parts_c), shape, **kw)  # type: ignore[arg-type]
            metrics_parts._clustered = lambda *a: clustered.append(1) or real(*a)  # type: ignore[assignment]
            try:
                got = metrics_parts.compare_parts(parts_r, parts_c, shape, shapes=shapes, **kw)  # type: ignore[arg-type]
            finally:
                metrics_parts._clustered = real
            assert _figures(got) == _figures(want)
    assert len(clustered) == 8  # the two big regions a side alone are clustered too


def test_boundaries_dense_in_the_frame_take_its_transform_as_compare_does() -> None:
    """Lines five pixels apart, each its own cluster: the boundary pixels fill more than a sixth of the
    frame, so ``compare`` (and the clustered rows) measure the distances by the frame's transform."""
    lines = [Placed(np.ones((1, 1100), dtype=bool), 5 * k + 3, 7 + k % 3) for k in range(200)]
    ref, cand = lines[::2], lines[1::2]
    shape = (1100, 1200)
    want = metrics.compare(metrics.merge(ref), metrics.merge(cand), shape, spacing=(0.5, 0.25))
    assert want.d_ref.size == 100 * 1100
    got = metrics_parts.compare_parts(ref, cand, shape, spacing=(0.5, 0.25))
    assert _figures(got) == _figures(want)


def test_nearest_distances_are_those_of_every_pair() -> None:
    """The kd-tree's nearest distances are the minimum over every pair of pixels, computed as it does
    (the spacing applied to each point, squares summed, the root taken), bit for bit, ties included."""
    rng = np.random.default_rng(4)
    pa = rng.integers(0, 300, (1500, 2))
    pb = np.concatenate([rng.integers(0, 300, (1200, 2)), pa[:100] + 3, np.repeat(pa[100:110], 3, axis=0)])
    for spacing in (None, (0.7, 1.3), (0.00025, 0.00025)):
        scale = np.array(spacing or (1.0, 1.0))
        a, b = pa * scale, pb * scale
        d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
        got = metrics.nearest_distances(pa, pb, spacing)
        np.testing.assert_array_equal(got[0], np.sqrt(d2.min(axis=1)))
        np.testing.assert_array_equal(got[1], np.sqrt(d2.min(axis=0)))
