"""QA's fast paths against plain reference computations on seeded random scenes: box IoUs many at a
time (``metrics_overlap.box_ious``), the IoU table of box and mask pairs (``qa_objects.iou_pairs``), and
the class rows of a class spread thin over a large image (``metrics_parts.compare_parts``), which must all
give exactly what the straightforward whole-image computation gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage
from scipy.optimize import linear_sum_assignment

from pixelproof.core import masks, metrics, metrics_overlap, metrics_parts, qa_objects
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import QAOptions, score_image
from pixelproof.core.qa_objects import pair_images


def test_box_ious_are_box_iou_bit_for_bit() -> None:
    rng = np.random.default_rng(1)
    a = np.round(rng.uniform(-5, 30, (2000, 4)), 1)
    b = np.round(rng.uniform(-5, 30, (2000, 4)), 1)
    b[::7] = a[::7]  # equal boxes
    a[::11, 2] = 0.0  # no width
    a[::13, 3] = -3.0  # a negative height
    b[::17, 0] = np.nan
    a[::19, 2] = np.inf
    want_iou = [metrics_overlap.box_iou(x, y) for x, y in zip(a, b, strict=True)]
    want_cover = [metrics_overlap.box_cover(x, y) for x, y in zip(a, b, strict=True)]
    np.testing.assert_array_equal(metrics_overlap.box_ious(a, b), want_iou)  # NaN where the scalar gives NaN
    np.testing.assert_array_equal(metrics_overlap.box_covers(a, b), want_cover)


def _scene(seed: int, shape=(900, 1200), n=150, cats=("a", "b")) -> tuple[Project, Project]:
    """Boxes and disc masks of two classes scattered over the image, some stacked, some touching; the
    candidate of each is moved a little, sometimes missing or of the other class, plus extras."""
    rng = np.random.default_rng(seed)
    h, w = shape
    ref, cand = Project(), Project()
    for p in (ref, cand):
        p.add_image(ImageRecord(1, "a.png", w, h))
        for i, c in enumerate(cats, start=1):
            p.add_category(Category(i, c))
    yy, xx = np.mgrid[:h, :w]
    k = 0

    def add(p: Project, cid: int, geom) -> None:  # type: ignore[no-untyped-def]
        nonlocal k
        k += 1
        if isinstance(geom, np.ndarray):
            p.add_annotation(Annotation(k, 1, cid, masks.bbox(geom), masks.encode(geom), float(geom.sum())))
        else:
            p.add_annotation(Annotation(k, 1, cid, geom, None, geom[2] * geom[3]))

    for j in range(n):
        cid = int(rng.integers(1, len(cats) + 1))
        x, y = float(rng.integers(0, w - 40)), float(rng.integers(0, h - 40))
        dx, dy = (float(v) for v in rng.integers(-3, 4, 2))
        if j % 3:  # a box (a third of them in stacks of equal boxes)
            bw, bh = float(rng.integers(4, 40)), float(rng.integers(4, 40))
            if j % 5 == 0:
                x, y = 100.0, 100.0
            r_geom, c_geom = [x, y, bw, bh], [x + dx, y + dy, bw, bh]
        else:
            r = int(rng.integers(2, 18))
            r_geom = (yy - y - 20) ** 2 + (xx - x - 20) ** 2 <= r * r
            c_geom = (yy - y - 20 - dy) ** 2 + (xx - x - 20 - dx) ** 2 <= (r + int(rng.integers(-1, 2))) ** 2
        add(ref, cid, r_geom)
        roll = rng.random()
        if roll < 0.9:
            add(cand, cid if roll < 0.8 else 3 - cid, c_geom)
        if roll > 0.95:
            add(cand, cid, [float(rng.integers(0, w - 20)), float(rng.integers(0, h - 20)), 9.0, 7.0])
    return ref, cand


def _objects(ref: Project, cand: Project) -> tuple[list, list]:
    pair = pair_images(ref, cand)[0][0]
    return (
        qa_objects.image_objects(ref, pair.ref, pair.shape),
        qa_objects.image_objects(cand, pair.cand, pair.shape),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_iou_table_is_pair_iou_of_every_pair(seed: int) -> None:
    refs, cands = _objects(*_scene(seed))
    got = qa_objects.iou_pairs(refs, cands).toarray()
    want = np.array([[qa_objects.pair_iou(r, c) for c in cands] for r in refs])
    assert np.count_nonzero(want) > qa_objects.VECTOR_PAIRS  # the vectorised path is taken
    np.testing.assert_array_equal(got, want)


def _reference_comparison(a: np.ndarray, b: np.ndarray, d: int) -> dict:
    """Whole-image figures the plain way: scipy's erosions with the border outside, exact EDT distances.
    The arrays are first cut to both masks' extent padded by more than the band: every figure and every
    distance (and their row-major order) is the same as on the whole image, at a fraction of the time."""
    rows, cols = np.nonzero(a | b)
    if rows.size:
        pad = d + 2
        y0, x0 = max(int(rows.min()) - pad, 0), max(int(cols.min()) - pad, 0)
        window = np.s_[y0 : int(rows.max()) + pad + 1, x0 : int(cols.max()) + pad + 1]
        a, b = a[window], b[window]
    cross, square = ndimage.generate_binary_structure(2, 1), np.ones((3, 3), bool)
    ba = a & ~ndimage.binary_erosion(a, cross, border_value=0)
    bb = b & ~ndimage.binary_erosion(b, cross, border_value=0)
    band_a = a & ~ndimage.binary_erosion(a, square, iterations=d, border_value=0)
    band_b = b & ~ndimage.binary_erosion(b, square, iterations=d, border_value=0)
    out = {
        "tp": int((a & b).sum()),
        "fp": int((b & ~a).sum()),
        "fn": int((a & ~b).sum()),
        "n_boundary_ref": int(ba.sum()),
        "n_boundary_cand": int(bb.sum()),
        "biou_inter": int((band_a & band_b).sum()),
        "biou_union": int((band_a | band_b).sum()),
    }
    if a.any() and b.any():
        out["d_ref"] = ndimage.distance_transform_edt(~bb)[ba].tolist()
        out["d_cand"] = ndimage.distance_transform_edt(~ba)[bb].tolist()
    return out


def _figures(c: metrics.MaskComparison) -> dict:
    out = {
        k: getattr(c, k)
        for k in ("tp", "fp", "fn", "n_boundary_ref", "n_boundary_cand", "biou_inter", "biou_union")
    }
    if c.d_ref.size or c.d_cand.size:
        out["d_ref"], out["d_cand"] = c.d_ref.tolist(), c.d_cand.tolist()
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_of_a_random_scene_are_those_of_a_plain_whole_image_computation(seed, monkeypatch) -> None:
    """Class rows (clustered: the classes are spread thin) and object rows against whole-image masks
    compared the plain way; the matches against a dense IoU table solved whole."""
    ref, cand = _scene(seed, shape=(1100, 1400))
    pair = pair_images(ref, cand)[0][0]
    clustered = []
    real = metrics_parts._clustered
    monkeypatch.setattr(metrics_parts, "_clustered", lambda *a: clustered.append(1) or real(*a))
    score = score_image(pair, ref, cand, QAOptions(boundary_iou_d=3))
    assert clustered  # the fast path was taken
    full = pair.shape
    for row in score.rows:
        a, b = (p.to_full(*full) for p in score.masks[row.category])
        assert _figures(row.comparison) == _reference_comparison(a, b, 3), row.category
    refs, cands = _objects(ref, cand)
    by_id = {(o.ann.id, side): o for side, objs in (("r", refs), ("c", cands)) for o in objs}
    for row in score.objects:
        a = by_id[(row.ref_id, "r")].placed.to_full(*full) if row.ref_id is not None else np.zeros(full, bool)
        b = (
            by_id[(row.cand_id, "c")].placed.to_full(*full)
            if row.cand_id is not None
            else np.zeros(full, bool)
        )
        if row.status == "ignored":
            continue
        assert _figures(row.comparison) == _reference_comparison(a, b, 3), (
            row.status,
            row.ref_id,
            row.cand_id,
        )
    for cat in ("a", "b"):
        rs = [o for o in refs if o.category == cat]
        cs = [o for o in cands if o.category == cat]
        table = np.array([[qa_objects.pair_iou(r, c) for c in cs] for r in rs])
        i, j = linear_sum_assignment(1.0 - table)
        want = {
            (rs[x].ann.id, cs[y].ann.id, table[x, y]) for x, y in zip(i, j, strict=True) if table[x, y] > 0.5
        }
        got = {
            (o.ref_id, o.cand_id, o.iou) for o in score.objects if o.status == "match" and o.category == cat
        }
        # equal boxes stacked: any pairing of the stack is as good; the counts and IoUs must agree
        assert sorted(v for *_, v in got) == sorted(v for *_, v in want)
        loose = {(r, c) for r, c, _ in want} ^ {(r, c) for r, c, _ in got}
        stacked = {o.ann.id for o in refs + cands if o.ann.bbox[:2] == [100.0, 100.0]}
        assert all(r in stacked and c in stacked for r, c in loose)


@pytest.mark.parametrize("spacing", [None, (0.7, 1.3)])
def test_clustered_class_comparison_is_the_whole_frames(spacing) -> None:
    """``compare_parts`` against ``compare`` of the merged masks: every figure, distances bit for bit and
    in the same order, with the image's own band width (d = 35: the per-object shortcut) and d = 2."""
    refs, cands = _objects(*_scene(5, shape=(1300, 1500), n=120))
    for d in (None, 2):
        for cat in ("a", "b"):
            pr = [o.placed for o in refs if o.category == cat]
            pc = [o.placed for o in cands if o.category == cat]
            kw = {"spacing": spacing, "boundary_iou_d": d}
            got = metrics_parts.compare_parts(pr, pc, (1300, 1500), **kw)
            want = metrics.compare(metrics.merge(pr), metrics.merge(pc), (1300, 1500), **kw)
            assert _figures(got) == _figures(want)
            assert (got.diagonal, got.biou_d, got.unit, got.hd95) == (
                want.diagonal,
                want.biou_d,
                want.unit,
                want.hd95,
            )
            assert math.isfinite(got.assd) and got.assd == want.assd
