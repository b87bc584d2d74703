"""Mask editing logic (issue 4): exact brush geometry against OpenCV, patches, wand, holes, split, merge."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pixelproof.core import annotation_pixels, masks, rle_codec
from pixelproof.core import mask_edit as me
from pixelproof.core import paint as pnt
from pixelproof.core.model import Annotation


def reference_stroke(shape: tuple[int, int], points: list[tuple[int, int]], width: int) -> np.ndarray:
    """The stroke as OpenCV draws it: the definition the brush of ``width`` px must meet.

    Odd widths: one ``cv2.polylines`` call. Even widths (centred on pixel corners): the odd ``width - 1``
    stroke through each of the four pixels around the corners, or-ed. Drawn on a canvas padded so the whole
    stroke fits, then cropped to the image: OpenCV clips a line to the image it draws on, which moves the
    Bresenham steps of a line that leaves the image.
    """
    odd = width - (width % 2 == 0)
    thickness = 1 if odd == 1 else odd - 1  # OpenCV's LINE_8 line w px wide (see the test below)
    pad = 300
    ref = np.zeros((shape[0] + 2 * pad, shape[1] + 2 * pad), dtype=np.uint8)
    shifts = [(0, 0)] if odd == width else [(-1, -1), (0, -1), (-1, 0), (0, 0)]
    for dx, dy in shifts:
        pts = np.array(points, dtype=np.int32).reshape(-1, 1, 2) + pad + np.array([dx, dy], np.int32)
        if len(points) == 1:  # a click: polylines draws nothing for one point, a zero-length line is a dab
            p = tuple(int(v) for v in pts[0, 0])
            cv2.line(ref, p, p, 1, thickness=thickness, lineType=cv2.LINE_8)
        cv2.polylines(ref, [pts], False, 1, thickness=thickness, lineType=cv2.LINE_8)
    return ref[pad:-pad, pad:-pad].astype(bool)


def paint(shape: tuple[int, int], points: list[tuple[int, int]], width: int, **kw) -> tuple:
    mask = np.zeros(shape, dtype=bool)
    stroke = pnt.Stroke(mask, width=width, **kw)
    for p in points:
        stroke.move_to(*p)
    return mask, stroke.finish()


@pytest.mark.parametrize("width", [1, 3, 5, 7, 11, 17, 27, 61])
def test_dab_is_the_opencv_disc_w_wide(width: int) -> None:
    radius = (width - 1) // 2
    foot = pnt.footprint(width)
    assert foot.shape == (width, width)
    circle = np.zeros_like(foot, dtype=np.uint8)
    cv2.circle(circle, (radius, radius), radius, 1, -1, cv2.LINE_8)
    assert np.array_equal(foot, circle.astype(bool))
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    assert np.array_equal(foot, yy**2 + xx**2 <= radius**2)
    # a long horizontal stroke is exactly w pixels tall
    mask, _ = paint((100, 200), [(50, 50), (150, 50)], width)
    assert np.flatnonzero(mask[:, 100]).tolist() == list(range(50 - radius, 50 + radius + 1))


def test_opencv_thickness_quirk_that_the_mapping_avoids() -> None:
    """Thickness w in OpenCV paints w+2 across for an odd w: width w must map to thickness w-1."""
    a = np.zeros((21, 21), np.uint8)
    cv2.line(a, (10, 10), (10, 10), 1, 7, cv2.LINE_8)
    assert np.flatnonzero(a[10]).size == 9
    assert pnt.cv_thickness(7) == 6 and pnt.cv_thickness(1) == 1


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5, 8, 9, 15, 16, 25])
def test_stroke_equals_opencv_polyline_at_any_speed(width: int) -> None:
    rng = np.random.default_rng(width)
    shape = (120, 160)
    for _ in range(15):
        n = int(rng.integers(1, 12))
        # jumps of up to the whole image (fast mouse) and points outside the image (drag off the edge)
        pts = [
            (int(x), int(y))
            for x, y in zip(rng.integers(-20, 180, n), rng.integers(-20, 140, n), strict=True)
        ]
        mask, patch = paint(shape, pts, width)
        assert np.array_equal(mask, reference_stroke(shape, pts, width)), (pts, width)
        if patch is not None:
            assert patch.before.sum() == 0 and np.array_equal(patch.after, mask[me.rect_slices(patch.rect)])


def test_stroke_is_continuous_when_events_are_far_apart() -> None:
    mask, _ = paint((50, 400), [(5, 25), (395, 25)], 1)  # two events, 390 px apart
    assert mask[25, 5:396].all() and mask.sum() == 391


def test_patch_covers_only_the_changed_rectangle_and_restores_exactly() -> None:
    rng = np.random.default_rng(1)
    original = rng.random((300, 400)) < 0.3
    mask = original.copy()
    stroke = pnt.Stroke(mask, width=7)
    for p in [(100, 100), (140, 120), (180, 100)]:
        stroke.move_to(*p)
    patch = stroke.finish()
    assert patch is not None
    x, y, w, h = patch.rect
    assert x >= 97 and y >= 97 and x + w <= 184 and y + h <= 124  # within the stroke's box, not the image
    assert patch.nbytes < mask.nbytes / 20
    changed = mask != original
    assert changed[y : y + h, x : x + w].sum() == changed.sum() == patch.changed
    patch.revert(mask)
    assert np.array_equal(mask, original)
    patch.apply(mask)
    assert changed.sum() == (mask != original).sum()


def test_patch_before_is_pre_stroke_even_when_the_stroke_crosses_itself_and_many_tiles() -> None:
    rng = np.random.default_rng(7)
    original = rng.random((500, 500)) < 0.5
    mask = original.copy()
    stroke = pnt.Stroke(mask, width=19, erase=True)
    for p in [(10, 10), (490, 480), (10, 480), (490, 10), (250, 250), (10, 10)]:
        stroke.move_to(*p)
    patch = stroke.finish()
    restored = mask.copy()
    patch.revert(restored)
    assert np.array_equal(restored, original)
    assert not (mask & reference_stroke(mask.shape, stroke.points, 19)).any()


def test_eraser_removes_exactly_the_reference_line() -> None:
    full = np.ones((80, 120), dtype=bool)
    pts = [(10, 10), (100, 60), (30, 70)]
    mask = full.copy()
    stroke = pnt.Stroke(mask, width=8, erase=True)
    for p in pts:
        stroke.move_to(*p)
    patch = stroke.finish()
    assert np.array_equal(mask, ~reference_stroke(full.shape, pts, 8))
    assert patch.removed == reference_stroke(full.shape, pts, 8).sum() and patch.added == 0


def test_preserve_others_paints_only_free_pixels() -> None:
    others = np.zeros((60, 60), dtype=bool)
    others[:, 30:] = True
    mask, _ = paint((60, 60), [(10, 30), (50, 30)], 11, others=others)
    ref = reference_stroke((60, 60), [(10, 30), (50, 30)], 11)
    assert np.array_equal(mask, ref & ~others)
    assert not (mask & others).any() and mask[:, 25:30].any()
    # the eraser ignores the rule: it only ever removes the edited mask's own pixels
    erased, _ = paint((60, 60), [(10, 30)], 11, erase=True, others=others)
    assert not erased.any()


def test_stroke_that_changes_nothing_has_no_patch_and_stroke_outside_image_is_ignored() -> None:
    mask = np.ones((20, 20), dtype=bool)
    assert paint((20, 20), [(-50, -50), (-40, -60)], 7)[1] is None
    stroke = pnt.Stroke(mask, width=5)
    stroke.move_to(5, 5)
    assert stroke.finish() is None
    with pytest.raises(ValueError, match="writable"):
        ro = np.zeros((4, 4), bool)
        ro.setflags(write=False)
        pnt.Stroke(ro, width=3)


def two_colour_image() -> np.ndarray:
    img = np.zeros((80, 100, 3), dtype=np.uint8)
    img[:] = (30, 30, 30)
    img[10:50, 20:70] = (200, 50, 50)  # a red block
    img[25:35, 40:50] = (30, 30, 30)  # a dark window inside the block
    return img


def test_wand_adds_the_region_and_shift_subtracts() -> None:
    img = two_colour_image()
    mask = np.zeros(img.shape[:2], bool)
    patch = pnt.wand(mask, img, (25, 15), 10)
    block = np.zeros_like(mask)
    block[10:50, 20:70] = True
    block[25:35, 40:50] = False
    assert np.array_equal(mask, block)
    assert patch.rect == (20, 10, 50, 40) and patch.added == block.sum()
    patch2 = pnt.wand(mask, img, (45, 30), 10, subtract=True)  # the window is not in the mask: nothing to do
    assert patch2 is None
    pnt.wand(mask, img, (45, 30), 10)  # add the window, then subtract the block
    assert mask[10:50, 20:70].all()
    patch3 = pnt.wand(mask, img, (25, 15), 10, subtract=True)
    assert mask.sum() == 100 and patch3.removed == block.sum()
    patch3.revert(mask)
    assert mask[10:50, 20:70].all()


def test_wand_tolerance_fixed_vs_floating_and_connectivity() -> None:
    ramp = np.tile(np.arange(0, 100, dtype=np.uint8), (10, 1))  # +1 per column
    fixed = pnt.wand_region(ramp, (0, 5), 5, fixed_range=True)
    assert fixed[0] == (0, 0, 6, 10)  # values 0..5
    floating = pnt.wand_region(ramp, (0, 5), 1, fixed_range=False)
    assert floating[0] == (0, 0, 100, 10)  # each step of 1 is within tolerance of its neighbour
    diag = np.zeros((5, 5), np.uint8)
    diag[np.arange(5), np.arange(5)] = 255
    assert pnt.wand_region(diag, (0, 0), 0, connectivity=4)[1].sum() == 1
    assert pnt.wand_region(diag, (0, 0), 0, connectivity=8)[1].sum() == 5
    assert pnt.wand_region(diag, (9, 0), 0) is None


def test_wand_on_16_bit_gray_and_rgba_and_preserve_others() -> None:
    img16 = np.full((20, 20), 1000, np.uint16)
    img16[:, 10:] = 40000
    assert pnt.wand_region(img16, (15, 5), 100)[0] == (10, 0, 10, 20)
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[:, :, 3] = np.arange(20, dtype=np.uint8)[None] * 10  # alpha is ignored
    assert pnt.wand_region(rgba, (0, 0), 0)[1].sum() == 400
    others = np.zeros((20, 20), bool)
    others[:5] = True
    mask = np.zeros((20, 20), bool)
    pnt.wand(mask, img16, (15, 10), 100, others=others)
    assert mask.sum() == 15 * 10 and not (mask & others).any()


def test_fill_holes_patch() -> None:
    mask = np.zeros((40, 40), bool)
    mask[5:30, 5:30] = True
    mask[10:15, 10:15] = False  # a hole
    mask[5:30, 20:22] = False  # a slot open at both ends: not a hole
    mask[5:30, 21] = False
    before = mask.copy()
    patch = me.fill_holes(mask)
    assert patch.rect == (10, 10, 5, 5) and patch.added == 25
    assert np.array_equal(
        mask,
        before
        | (np.arange(40)[:, None] >= 10)
        & (np.arange(40)[:, None] < 15)
        & (np.arange(40)[None] >= 10)
        & (np.arange(40)[None] < 15),
    )
    assert me.fill_holes(mask) is None
    assert me.fill_holes(np.zeros((5, 5), bool)) is None


def test_merge_and_split_round_trip() -> None:
    a = np.zeros((50, 50), bool)
    a[5:10, 5:30] = True
    b = np.zeros((50, 50), bool)
    b[20:40, 20:40] = True
    b[40, 40] = True  # touches diagonally: the same component with 8-connectivity, not with 4
    merged = me.merge([a, b])
    assert np.array_equal(merged, a | b) and not a[20, 20]  # inputs untouched
    parts = me.split(merged)
    assert [p.area for p in parts] == [401, 125]
    assert np.array_equal(parts[0].full(50, 50), b) and np.array_equal(parts[1].full(50, 50), a)
    assert [p.area for p in me.split(merged, connectivity=4)] == [400, 125, 1]
    assert me.split(np.zeros((5, 5), bool)) == []
    with pytest.raises(ValueError):
        me.merge([])


def test_conversions_box_polygon_mask() -> None:
    box = me.box_to_mask([10, 20, 30, 5], 50, 60)
    assert box.sum() == 150 and box[20:25, 10:40].all()
    tri = [[10.0, 10.0, 40.0, 10.0, 10.0, 40.0]]
    assert np.array_equal(me.polygons_to_mask(tri, 50, 60), masks.polygons_to_mask(tri, 50, 60))
    square = np.zeros((50, 60), bool)
    square[10:30, 15:45] = True
    clean = me.mask_to_polygons(square)
    assert clean.lossless and clean.warning() is None and clean.parts == 1
    assert np.array_equal(me.polygons_to_mask(clean.polygons, 50, 60), square)
    holed = square.copy()
    holed[15:20, 20:25] = False
    islands = holed.copy()
    islands[40:45, 5:10] = True
    conv = me.mask_to_polygons(islands)
    assert conv.holes == 1 and conv.parts == 2 and conv.pixels_lost == 0 and conv.pixels_added == 25
    assert not conv.lossless and "1 hole" in conv.warning() and "2 disjoint islands" in conv.warning()


def test_geometry_and_patched_geometry_write_exact_rle() -> None:
    mask = np.zeros((64, 48), bool)
    mask[10:40, 5:30] = True
    mask[20:25, 10:15] = False
    rle, bbox, area = me.geometry(mask)
    assert rle["size"] == [64, 48] and isinstance(rle["counts"], str)
    assert bbox == [5.0, 10.0, 25.0, 30.0] and area == mask.sum()
    ann = Annotation(1, 1, 1, bbox, rle, area)
    work = annotation_pixels.editable_mask(ann, 64, 48)
    assert work.flags.writeable and np.array_equal(work, mask)
    stroke = pnt.Stroke(work, width=5)
    stroke.move_to(40, 50)
    patch = stroke.finish()
    new_rle, new_bbox, new_area = annotation_pixels.patched_geometry(ann, patch, 64, 48)
    assert np.array_equal(masks.decode(new_rle), work) and new_area == work.sum()
    ann.set_geometry(new_rle, new_bbox, new_area)
    old = annotation_pixels.patched_geometry(ann, patch, 64, 48, forward=False)
    assert old[0] == rle and old[1] == bbox and old[2] == area


def test_others_mask_unions_rle_polygon_and_box_annotations() -> None:
    h, w = 40, 50
    m = np.zeros((h, w), bool)
    m[0:5, 0:5] = True
    anns = [
        Annotation(1, 1, 1, [0, 0, 5, 5], masks.encode(m), 25),
        Annotation(2, 1, 1, [20, 20, 10, 10], [[20.0, 20.0, 30.0, 20.0, 30.0, 30.0, 20.0, 30.0]], 100),
        Annotation(3, 1, 1, [40, 0, 5, 10], None, 50),
    ]
    union = annotation_pixels.others_mask(anns, h, w)
    expected = m | masks.annotation_mask(anns[1], h, w) | masks.box_to_mask([40, 0, 5, 10], h, w)
    assert np.array_equal(union, expected)
    assert not annotation_pixels.others_mask([], h, w).any()


def overlapping_annotations(h: int, w: int, rng: np.random.Generator, n: int) -> list[Annotation]:
    """Random masks (uncompressed RLE too), polygons and boxes that overlap each other and the borders."""
    anns = []
    for i in range(n):
        kind = i % 4
        if kind in (0, 1):
            m = rng.random((h, w)) < rng.random() if kind == 0 else np.zeros((h, w), bool)
            if kind == 1:
                y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
                m[y0 : y0 + int(rng.integers(1, h + 1)), x0 : x0 + int(rng.integers(1, w + 1))] = True
            rle = masks.encode(m)
            if i % 8 == 1:  # foreign files write uncompressed counts
                rle = {"size": [h, w], "counts": me.rle_counts(rle).tolist()}
            anns.append(Annotation(i + 1, 1, 1, list(masks.bbox(m)), rle, float(m.sum())))
        elif kind == 2:
            pts = (rng.random(10) * np.tile([w * 1.2, h * 1.2], 5) - 3).round(2).tolist()
            anns.append(Annotation(i + 1, 1, 1, masks.polygons_bbox([pts]), [pts], 1.0))
        else:
            x, y = (float(v) for v in rng.random(2) * [w, h])
            bw, bh = (float(v) for v in rng.random(2) * [w, h])
            anns.append(Annotation(i + 1, 1, 1, [x, y, bw, bh], None, bw * bh))
    return anns


def test_others_mask_lazy_equals_the_dense_union_in_any_rectangle() -> None:
    """``OthersMask`` decodes per rectangle only; its pixels must be exactly ``others_mask``'s."""
    rng = np.random.default_rng(7)
    for trial in range(150):
        h, w = (int(v) for v in rng.integers(1, 50, 2))
        anns = overlapping_annotations(h, w, rng, int(rng.integers(0, 7)))
        dense = annotation_pixels.others_mask(anns, h, w)
        lazy = annotation_pixels.OthersMask(anns, h, w)
        assert lazy.shape == dense.shape and np.array_equal(lazy[0:h, 0:w], dense), trial
        for _ in range(8):
            y0, y1 = sorted(int(v) for v in rng.integers(0, h + 1, 2))
            x0, x1 = sorted(int(v) for v in rng.integers(0, w + 1, 2))
            assert np.array_equal(lazy[y0:y1, x0:x1], dense[y0:y1, x0:x1]), (trial, x0, y0, x1, y1)


def test_preserve_others_strokes_and_wand_identical_with_the_lazy_union() -> None:
    """Brush strokes and wand clicks with preserve-others give the same pixels and patches either way."""
    rng = np.random.default_rng(11)
    h, w = 90, 120
    anns = overlapping_annotations(h, w, rng, 12)
    dense, lazy = annotation_pixels.others_mask(anns, h, w), annotation_pixels.OthersMask(anns, h, w)
    assert 0 < dense.sum() < h * w
    for width in (1, 4, 7, 19, 61):
        pts = [tuple(int(v) for v in rng.integers(-20, [w + 20, h + 20])) for _ in range(6)]
        a, pa = paint((h, w), pts, width, others=dense)
        b, pb = paint((h, w), pts, width, others=lazy)
        assert np.array_equal(a, b) and np.array_equal(a, reference_stroke((h, w), pts, width) & ~dense)
        assert (
            pa.rect == pb.rect and np.array_equal(pa.after, pb.after) and np.array_equal(pa.before, pb.before)
        )
    img = (rng.random((h, w)) * 4).astype(np.uint8) * 60
    for seed in [(5, 5), (60, 40), (119, 89)]:
        a, b = np.zeros((h, w), bool), np.zeros((h, w), bool)
        pa = pnt.wand(a, img, seed, 10, others=dense)
        pb = pnt.wand(b, img, seed, 10, others=lazy)
        assert np.array_equal(a, b) and not (a & dense).any()
        assert (pa is None) == (pb is None)


def test_rect_pixels_from_transitions_match_decode_rect() -> None:
    for rng, m in random_masks(3, 300):
        h, w = m.shape
        rle = masks.encode(m)
        t = me._transitions(me.rle_counts(rle))
        x, y = int(rng.integers(0, w + 1)), int(rng.integers(0, h + 1))
        rect = (x, y, int(rng.integers(0, w - x + 1)), int(rng.integers(0, h - y + 1)))
        ys, xs = me.rect_slices(rect)
        assert np.array_equal(me._rect_pixels(t, h, rect), m[ys, xs])


def random_masks(seed: int, n: int):
    rng = np.random.default_rng(seed)
    for t in range(n):
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        if t % 3 == 0:  # blocks reaching the first/last pixel: leading zero runs and full columns
            m = np.zeros((h, w), bool)
            m[int(rng.integers(0, h)) :, : int(rng.integers(0, w + 1))] = True
        else:
            m = rng.random((h, w)) < rng.random()
        yield rng, m


def test_counts_round_trip_byte_identical_to_pycocotools() -> None:
    for _, m in random_masks(0, 200):
        rle = masks.encode(m)
        counts = me.rle_counts(rle)
        assert counts.sum() == m.size
        assert np.array_equal(np.repeat(np.arange(counts.size) % 2 == 1, counts), m.T.ravel())
        assert me.counts_string(counts) == rle["counts"]
    assert me.rle_counts({"size": [2, 2], "counts": [0, 4]}).tolist() == [0, 4]


def test_counts_of_a_gigapixel_slide_beyond_32_bit_runs() -> None:
    """pycocotools' encoder counts in 32 bits; runs of a 100,000^2 slide go past that (numpy path)."""
    rng = np.random.default_rng(3)
    for _ in range(50):  # where both encoders apply, they agree
        counts = rng.integers(0, 10**6, int(rng.integers(1, 60)))
        assert me.counts_string(counts) == rle_codec._counts_string_numpy(counts)
    counts = np.array([5 * 10**9, 7, 4 * 10**9, 3], np.int64)  # a run of 5e9 pixels, then 7 set
    assert me.rle_counts({"size": [int(counts.sum()), 1], "counts": me.counts_string(counts)}).tolist() == [
        *counts.tolist()
    ]


def test_decode_and_replace_rect_match_whole_mask_operations() -> None:
    for rng, m in random_masks(1, 300):
        h, w = m.shape
        rle = masks.encode(m)
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        rect = (x, y, int(rng.integers(1, w - x + 1)), int(rng.integers(1, h - y + 1)))
        ys, xs = me.rect_slices(rect)
        assert np.array_equal(me.decode_rect(rle, rect), m[ys, xs])
        values = rng.random((rect[3], rect[2])) < 0.5
        expected = m.copy()
        expected[ys, xs] = values
        assert me.replace_rect(rle, rect, values) == masks.encode(expected)
    # uncompressed RLE with zero-length runs in the middle (other tools write those)
    odd = {"size": [2, 3], "counts": [1, 0, 2, 3]}
    assert me.replace_rect(odd, (0, 0, 1, 1), np.ones((1, 1), bool)) == masks.encode(
        np.array([[1, 0, 1], [0, 1, 1]], bool)
    )


def test_patch_rle_replays_a_stroke_on_rle_without_decoding_everything() -> None:
    base = np.zeros((300, 200), bool)
    base[50:150, 40:120] = True
    rle = masks.encode(base)
    ann = Annotation(1, 1, 1, masks.bbox(base), rle, float(base.sum()))
    work = annotation_pixels.editable_mask(ann, 300, 200)
    assert np.array_equal(work, base)
    stroke = pnt.Stroke(work, width=13, erase=True)
    for p in [(30, 100), (130, 100), (130, 260)]:
        stroke.move_to(*p)
    patch = stroke.finish()
    after = me.patch_rle(rle, patch)
    assert after == masks.encode(work)
    assert me.patch_rle(after, patch, forward=False) == rle
    _, bbox, area = me.rle_geometry(after)
    assert bbox == masks.bbox(work) and area == work.sum()
    assert me.rle_rect(rle) == (40, 50, 80, 100) and me.rle_rect(masks.encode(np.zeros((3, 3), bool))) is None


def test_rle_level_helpers_match_dense_operations() -> None:
    h, w = 70, 90
    m = np.zeros((h, w), bool)
    m[10:40, 10:40] = True
    m[20:25, 20:25] = False  # a hole
    m[50:60, 60:85] = True  # an island
    rle = masks.encode(m)
    ann = Annotation(1, 1, 1, masks.bbox(m), rle, float(m.sum()))
    empty = Annotation(2, 1, 1, [0.0, 0.0, 0.0, 0.0], me.empty_rle(h, w), 0.0)
    assert me.empty_rle(h, w) == masks.encode(np.zeros((h, w), bool))
    parts = [
        rle_codec.region_rle(r.rect, r.crop, h, w) for r in annotation_pixels.split_annotation(ann, h, w)
    ]
    assert [masks.decode(p).sum() for p in parts] == [875, 250]
    assert np.array_equal(masks.decode(me.union_rle(parts)), m)
    patch = annotation_pixels.fill_holes_annotation(ann, h, w)
    assert patch.rect == (20, 20, 5, 5) and patch.added == 25
    filled = m.copy()
    filled[20:25, 20:25] = True
    assert np.array_equal(masks.decode(me.patch_rle(rle, patch)), filled)
    traced = annotation_pixels.trace_annotation(ann, h, w)
    dense = me.mask_to_polygons(m)
    assert traced == dense  # the crop-based trace gives the same polygons in image coordinates
    assert traced.holes == 1 and traced.parts == 2
    assert (
        annotation_pixels.trace_annotation(empty, h, w).polygons == []
        and annotation_pixels.fill_holes_annotation(empty, h, w) is None
    )


def test_annotation_crop_holds_the_objects_pixels_in_their_box_for_every_kind() -> None:
    """Exports paint each object from its box only; the pixels must be exactly ``Annotation.mask``'s, for
    boxes, polygons, whole-image RLE and a crop stored at ``rle_origin`` that crosses the image edge."""
    from pixelproof.core.limits import RLE_ORIGIN

    rng = np.random.default_rng(3)
    h, w = 40, 50
    dense = np.zeros((h, w), dtype=bool)
    dense[5:20, 30:47] = rng.random((15, 17)) < 0.6
    crop = rng.random((12, 9)) < 0.7  # placed at (45, 33): 5 columns and 7 rows lie inside
    stored = Annotation(4, 1, 1, [45, 33, 5, 7], masks.encode(crop), 0.0)
    stored.app_extra[RLE_ORIGIN] = [45, 33]
    expected_stored = np.zeros((h, w), dtype=bool)
    expected_stored[33:, 45:] = crop[:7, :5]
    anns = [
        (Annotation(1, 1, 1, [3.5, 2, 10, 6], None, 60.0), None),
        (Annotation(2, 1, 1, [2, 2, 20, 30], [[2, 2, 22, 8, 10, 32]], 0.0), None),
        (Annotation(3, 1, 1, list(masks.bbox(dense)), masks.encode(dense), 0.0), dense),
        (stored, expected_stored),
    ]
    for ann, expected in anns:
        expected = ann.mask(h, w) if expected is None else expected
        found = annotation_pixels.annotation_crop(ann, h, w)
        assert found is not None, ann.id
        rect, pixels = found
        placed = np.zeros((h, w), dtype=bool)
        placed[me.rect_slices(rect)] = pixels
        assert np.array_equal(placed, expected), ann.id
        assert pixels.shape == (rect[3], rect[2]) and me.true_rect(expected) is not None
    empty = Annotation(5, 1, 1, [0, 0, 0, 0], masks.encode(np.zeros((h, w), bool)), 0.0)
    assert annotation_pixels.annotation_crop(empty, h, w) is None
