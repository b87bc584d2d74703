"""One image's annotations decoded in one batch (``qa_objects.annotations_placed``) give what each
decoded alone gave: pycocotools' full-frame masks cropped to their box (independent of our code), and for
RLEs no loader accepts (runs past the end, short runs) the per-object decoder the batch replaced, kept
here as the reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycocotools import mask as mask_utils

from pixelproof.core import limits, metrics, rle_codec, rle_strings
from pixelproof.core.limits import LimitError
from pixelproof.core.metrics import Placed
from pixelproof.core.model import Annotation
from pixelproof.core.qa_objects import annotation_placed, annotations_placed, rle_placed, rles_placed

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------------
# the per-object decoder before the batch (reference only)


def reference_counts(rle: dict[str, Any]) -> np.ndarray:
    counts = rle["counts"]
    if isinstance(counts, list):
        return np.asarray(counts, dtype=np.int64)
    raw = counts.encode("ascii") if isinstance(counts, str) else bytes(counts)
    c = np.frombuffer(raw, dtype=np.uint8).astype(np.int64) - 48
    if c.size == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.flatnonzero((c & 0x20) == 0)
    starts = np.concatenate(([0], ends[:-1] + 1))
    k = np.arange(c.size) - np.repeat(starts, ends - starts + 1)
    vals = np.add.reduceat((c & 0x1F) << (5 * k), starts)
    negative = (c[ends] & 0x10) != 0
    vals[negative] -= np.int64(1) << (5 * (k[ends[negative]] + 1))
    out = vals.copy()
    if out.size > 3:
        out[3::2] = np.cumsum(vals[3::2]) + vals[1]
        out[4::2] = np.cumsum(vals[4::2]) + vals[2]
    return out


def reference_rle_placed(rle: dict[str, Any], where: str = "mask") -> Placed:
    h, w = (int(v) for v in rle["size"])
    cnts = reference_counts(rle)
    ends = np.cumsum(cnts)
    s1, e1 = ends[:-1][0::2], ends[1::2]
    keep = e1 > s1
    s1, e1 = s1[keep], e1[keep]
    if s1.size == 0 or h == 0:
        return Placed.empty()
    c0, c1 = int(s1[0] // h), int((e1[-1] - 1) // h) + 1
    limits.check_image_size(c1 - c0, h, where, "mask box")
    off = c0 * h
    diff = np.zeros((c1 - c0) * h + 1, dtype=np.int32)
    np.add.at(diff, s1 - off, 1)
    np.add.at(diff, np.minimum(e1, h * w) - off, -1)
    block = np.cumsum(diff[:-1]).astype(bool).reshape(c1 - c0, h).T
    tight = metrics.tighten(Placed(block, 0, c0))
    return Placed(tight.mask.copy(), tight.y0, tight.x0)


def full_frame(ann: Annotation, height: int, width: int) -> np.ndarray:
    """pycocotools' own full-size mask of an annotation (what the crops must cut out of)."""
    seg = ann.segmentation
    if isinstance(seg, dict):
        return mask_utils.decode(rle_codec.compressed(seg)).astype(bool)
    if ann.kind == "box":
        x, y, w, h = ann.bbox
        polys = [[x, y, x + w, y, x + w, y + h, x, y + h]]
    else:
        polys = [list(map(float, p)) for p in seg if len(p) >= 6]
    if not polys:
        return np.zeros((height, width), bool)
    return mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(polys, height, width))).astype(bool)


def same(a: Placed, b: Placed) -> bool:
    return (
        a.mask.dtype == b.mask.dtype == np.bool_
        and a.mask.shape == b.mask.shape
        and (a.y0, a.x0) == (b.y0, b.x0)
        and np.array_equal(a.mask, b.mask)
    )


def tight_crop_of(full: np.ndarray, p: Placed) -> bool:
    """``p`` is ``full`` cut to the box of its set pixels (an empty mask: the empty crop)."""
    if not full.any():
        return p.mask.shape == (0, 0) and (p.y0, p.x0) == (0, 0)
    rows, cols = np.flatnonzero(full.any(axis=1)), np.flatnonzero(full.any(axis=0))
    box = full[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return (p.y0, p.x0) == (rows[0], cols[0]) and p.mask.dtype == np.bool_ and np.array_equal(p.mask, box)


# ------------------------------------------------------------------------------------------------
# strategies

sides = st.one_of(st.integers(1, 24), st.just(1))
# fractional coordinates where pycocotools' rounding turns: x.1 and x.5, and points outside the picture
coords = st.one_of(
    st.integers(-6, 30).map(float),
    st.integers(-6, 30).map(lambda v: v + 0.1),
    st.integers(-6, 30).map(lambda v: v + 0.5),
    st.floats(-6, 30, allow_nan=False),
)


def uncompressed(m: np.ndarray) -> list[int]:
    flat = m.T.ravel()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flat.astype(np.int8), [2]))))
    counts = np.diff(np.concatenate(([0], edges))).tolist()
    return counts if flat.size == 0 or flat[0] == 0 else [0, *counts]


@st.composite
def a_mask(draw: st.DrawFn, h: int, w: int) -> np.ndarray:
    style = draw(st.sampled_from(["random", "full", "empty", "edges", "block"]))
    if style == "full":
        return np.ones((h, w), bool)
    if style == "empty":
        return np.zeros((h, w), bool)
    m = np.zeros((h, w), bool)
    if style == "edges":  # touching every edge
        m[0, :] = m[-1, :] = m[:, 0] = m[:, -1] = True
        return m
    if style == "block":
        y0, x0 = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
        m[y0 : draw(st.integers(y0 + 1, h)), x0 : draw(st.integers(x0 + 1, w))] = True
        return m
    bits = draw(st.lists(st.booleans(), min_size=h * w, max_size=h * w))
    return np.array(bits, bool).reshape(h, w)


@st.composite
def an_annotation(draw: st.DrawFn, aid: int, h: int, w: int) -> Annotation:
    kind = draw(st.sampled_from(["rle", "rle-str", "list", "poly", "box", "empty-poly", "other-size"]))
    bbox = [draw(coords), draw(coords), draw(st.floats(0, 20)), draw(st.floats(0, 20))]
    if kind in ("rle", "rle-str", "list", "other-size"):
        mh, mw = (draw(sides), draw(sides)) if kind == "other-size" else (h, w)
        m = draw(a_mask(mh, mw))
        rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        if kind == "rle-str":
            rle["counts"] = rle["counts"].decode("ascii")
        elif kind == "list":
            rle = {"size": [mh, mw], "counts": uncompressed(m)}
        return Annotation(aid, 1, 1, bbox, rle)
    if kind == "box":
        return Annotation(aid, 1, 1, bbox, None)
    if kind == "empty-poly":
        return Annotation(aid, 1, 1, bbox, [[1.0, 2.0, 3.0, 4.0]])  # too short: no pixels
    n_polys = draw(st.integers(1, 3))
    polys = [draw(st.lists(coords, min_size=6, max_size=12)) for _ in range(n_polys)]
    return Annotation(aid, 1, 1, bbox, polys)


@st.composite
def an_image(draw: st.DrawFn) -> tuple[int, int, list[Annotation]]:
    h, w = draw(sides), draw(sides)
    n = draw(st.integers(0, 8))
    return h, w, [draw(an_annotation(i + 1, h, w)) for i in range(n)]


# ------------------------------------------------------------------------------------------------
# properties


@SETTINGS
@given(an_image())
def test_the_batch_cuts_pycocotools_full_masks_to_their_box(image: tuple[int, int, list[Annotation]]) -> None:
    h, w, anns = image
    found = annotations_placed(anns, h, w)
    assert len(found) == len(anns)
    for ann, p in zip(anns, found, strict=True):
        assert isinstance(p, Placed)
        assert tight_crop_of(full_frame(ann, h, w), p), ann
        assert p.mask.flags.c_contiguous and p.mask.base is None  # its own pixels, no shared buffer
        assert same(p, annotation_placed(ann, h, w))  # the one-annotation case agrees


@SETTINGS
@given(an_image())
def test_the_batch_equals_the_per_object_decoder(image: tuple[int, int, list[Annotation]]) -> None:
    h, w, anns = image
    for ann, p in zip(anns, annotations_placed(anns, h, w), strict=True):
        seg = ann.segmentation
        if isinstance(seg, dict):
            ref = reference_rle_placed(rle_codec.compressed(seg) if isinstance(seg["counts"], list) else seg)
        else:
            ref = Placed.from_full(full_frame(ann, h, w))
        assert same(p, ref)


# RLEs no loader accepts (counts summing past or short of height x width): the batch cuts runs past the
# end exactly as the per-object decoder's running sum did
crafted = st.tuples(
    st.integers(0, 12),
    st.integers(0, 12),
    st.lists(st.one_of(st.integers(0, 6), st.integers(0, 200)), max_size=14),
)


@SETTINGS
@given(st.lists(crafted, min_size=1, max_size=6), st.booleans())
def test_crafted_run_lengths_decode_as_one_by_one(
    rles: list[tuple[int, int, list[int]]], strings: bool
) -> None:
    dicts = []
    for h, w, counts in rles:
        rle = {"size": [h, w], "counts": counts}
        dicts.append(rle_codec.compressed(rle) if strings else rle)
    wheres = [f"annotation {i}" for i in range(len(dicts))]
    found = rles_placed(dicts, wheres)
    for rle, where, p in zip(dicts, wheres, found, strict=True):
        h, w = rle["size"]
        runs = np.cumsum(reference_counts(rle))
        first_start = runs[:-1][0::2][runs[1::2] > runs[:-1][0::2]]
        if h and first_start.size and first_start[0] >= h * w + h:
            continue  # every run a column or more past the end: the old decoder's index wrapped
        try:
            ref = reference_rle_placed(rle, where)
        except LimitError as e:
            assert isinstance(p, LimitError) and str(p) == str(e)
            continue
        assert same(p, ref), (rle, p, ref)


@SETTINGS
@given(st.lists(st.text(alphabet=[chr(c) for c in range(48, 112)], max_size=12), max_size=8))
def test_compressed_strings_decode_together_as_alone(strings: list[str]) -> None:
    """Every string of characters pycocotools writes, even ones no encoder would (huge, negative values):
    the batch's run lengths are each string's own; a string stopping inside a number is broken alone."""
    values, offsets, broken = rle_strings.counts_batch([{"counts": s} for s in strings])
    for k, s in enumerate(strings):
        stops_inside = bool(s) and (ord(s[-1]) - 48) & 0x20 != 0
        assert broken[k] == stops_inside  # the old decoder raised, or (one number) read on past its end
        if stops_inside:
            with pytest.raises(ValueError, match="stops inside a number"):
                rle_strings.rle_counts({"counts": s})
            continue
        alone = reference_counts({"counts": s})
        assert np.array_equal(values[offsets[k] : offsets[k + 1]], alone)
        assert np.array_equal(rle_strings.rle_counts({"counts": s}), alone)


# ------------------------------------------------------------------------------------------------
# the pixel limit


def test_a_mask_spread_over_too_many_columns_is_refused_alone() -> None:
    """A crafted mask from the first column to the last of the picture gets its ``LimitError`` (naming it
    and the mask box) in its place; its neighbours are decoded all the same, and ``image_objects``'
    single-annotation path raises it as before."""
    h, w = 300, 400
    spread = Annotation(
        9, 1, 1, [0.0, 0.0, float(w), float(h)], {"size": [h, w], "counts": [5, 3, h * w - 12, 4]}
    )
    small = np.zeros((h, w), bool)
    small[10:14, 20:23] = True
    neighbour = Annotation(
        10, 1, 1, [20.0, 10.0, 3.0, 4.0], mask_utils.encode(np.asfortranarray(small.astype(np.uint8)))
    )
    poly = Annotation(11, 1, 1, [1.0, 1.0, 5.0, 5.0], [[1.1, 1.5, 6.1, 1.5, 6.1, 6.5, 1.1, 6.5]])
    limits.set_max_pixels(10_000)
    try:
        found = annotations_placed([neighbour, spread, poly], h, w)
        assert isinstance(found[1], LimitError)
        assert str(found[1]).startswith("annotation 9: mask box of 400 x 300 = 120,000 pixels")
        assert tight_crop_of(small, found[0])  # type: ignore[arg-type]
        assert tight_crop_of(full_frame(poly, h, w), found[2])  # type: ignore[arg-type]
        with pytest.raises(LimitError, match=r"annotation 9: mask box of 400 x 300"):
            annotation_placed(spread, h, w)
        with pytest.raises(LimitError, match=r"^where: mask box of 400 x 300"):
            rle_placed(spread.segmentation, "where")  # type: ignore[arg-type]
    finally:
        limits.set_max_pixels(None)
    placed = annotation_placed(spread, h, w)
    assert int(placed.mask.sum()) == 7 and placed.mask.shape == (h - 5, w) and placed.y0 == 5


def test_image_objects_stops_at_the_first_object_over_the_limit() -> None:
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord
    from pixelproof.core.qa_objects import image_objects

    h, w = 300, 400
    p = new_project(["cell"])
    p.add_image(ImageRecord(1, "a.png", w, h))
    p.add_annotation(Annotation(1, 1, 1, [1.0, 1.0, 5.0, 5.0], [[1.0, 1.0, 6.0, 1.0, 6.0, 6.0]]))
    p.add_annotation(Annotation(2, 1, 1, [0.0, 0.0, w, h], {"size": [h, w], "counts": [5, 3, h * w - 12, 4]}))
    limits.set_max_pixels(10_000)
    try:
        with pytest.raises(LimitError, match=r"annotation 2: mask box"):
            image_objects(p, p.images[1], (h, w))
    finally:
        limits.set_max_pixels(None)
    assert len(image_objects(p, p.images[1], (h, w))) == 2


def test_big_crops_are_filled_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Crops are laid out a few at a time when together they are big: the same crops either way."""
    from pixelproof.core import qa_objects

    rng = np.random.default_rng(5)
    h, w = 40, 50
    anns = []
    for i in range(30):
        m = rng.random((h, w)) < rng.random() * 0.3
        anns.append(
            Annotation(i + 1, 1, 1, [0, 0, 1, 1], mask_utils.encode(np.asfortranarray(m.astype(np.uint8))))
        )
    whole = annotations_placed(anns, h, w)
    monkeypatch.setattr(qa_objects, "FILL_CHUNK", 97)
    for a, b in zip(whole, annotations_placed(anns, h, w), strict=True):
        assert same(a, b)  # type: ignore[arg-type]
