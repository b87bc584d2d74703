"""The Annotators view's comparison of one overlap image: exact full-resolution counts, drawn layers at a
reduced scale, memory bounded on a large image."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from pixelproof.core import disagreement as dis
from pixelproof.core.agreement import Member
from pixelproof.core.coco import new_project
from pixelproof.core.model import ImageRecord
from tests.core.teams_data import box_annotation, mask_annotation


def members_of(per_rater: list[list[tuple[str, object]]], h: int, w: int) -> list[Member]:
    """Raters' objects on one h x w image: (category, bool mask or [x, y, w, h] box), in drawing order."""
    out = []
    for r, objs in enumerate(per_rater):
        p = new_project(["cat", "dog", "bird"])
        p.add_image(ImageRecord(1, "a.png", w, h))
        for k, (cat, shape) in enumerate(objs, start=1):
            cid = ["cat", "dog", "bird"].index(cat) + 1
            make = box_annotation if isinstance(shape, list) else mask_annotation
            p.add_annotation(make(k, 1, cid, shape))
        out.append(Member(r, p, p.images[1]))
    return out


def random_raters(h: int, w: int, seed: int) -> list[list[tuple[str, np.ndarray]]]:
    """Three raters, each a few overlapping random blobs of random classes (later ones over earlier)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    raters = []
    for _ in range(3):
        objs = []
        for _ in range(4):
            cy, cx, r = rng.integers(0, h), rng.integers(0, w), rng.integers(3, 15)
            m = ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r) ^ (rng.random((h, w)) < 0.02)
            objs.append((str(rng.choice(["cat", "dog", "bird"])), m))
        raters.append(objs)
    return raters


def numpy_labels(raters, h: int, w: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """An independent (n, h, w) class map: each rater's masks painted in order, 0 unlabelled."""
    codes = {"cat": 1, "dog": 2, "bird": 3}
    out = np.zeros((len(raters), h, w), np.int32)
    for r, objs in enumerate(raters):
        for cat, m in objs:
            out[r][m] = codes[cat]
    return out


@pytest.mark.parametrize("scale,tile,budget", [(1, 1024, 1 << 26), (1, 16, 1), (3, 16, 6000), (5, 7, 1)])
def test_counts_are_exact_and_layers_sample_the_full_resolution_labels(
    monkeypatch, scale, tile, budget
) -> None:  # type: ignore[no-untyped-def]
    """The share the view prints is the full-resolution one whatever the scale and tiling; the drawn layers
    are the labels at one pixel in ``scale`` (tiles of 16 or 7 pixels: objects cross many tile edges;
    objects decoded one or a few at a time)."""
    monkeypatch.setattr(dis, "TILE", tile)
    monkeypatch.setattr(dis, "DECODE_BUDGET", budget)
    h, w = 61, 83
    raters = random_raters(h, w, seed=scale * 100 + tile)
    found = dis.disagreement(members_of(raters, h, w), scale=scale)
    full = numpy_labels(raters, h, w)
    labelled = (full != 0).any(axis=0)
    differ = labelled & ~(full == full[0]).all(axis=0)
    assert labelled.sum() > 100 and differ.sum() > 10
    assert (found.labelled, found.differing) == (labelled.sum(), differ.sum())
    assert found.share == pytest.approx(differ.sum() / labelled.sum())
    names = ["", *found.categories]  # the codes are the module's own: compare class names
    sampled = full[:, ::scale, ::scale]
    assert found.labels.shape == sampled.shape
    ours = np.vectorize(names.__getitem__)(found.labels)
    theirs = np.vectorize(["", "cat", "dog", "bird"].__getitem__)(sampled)
    assert (ours == theirs).all()
    most = np.max([(sampled == sampled[r]).sum(axis=0) for r in range(3)], axis=0)
    assert np.allclose(found.values, np.where(sampled.any(axis=0), 1 - most / 3, 0), atol=1e-6)


def test_layers_colour_each_class_and_the_heat_map_clears_unlabelled_pixels() -> None:
    h, w = 20, 30
    a = np.zeros((h, w), bool)
    a[2:8, 2:10] = True
    raters = [[("cat", a)], [("cat", a)], [("dog", a)]]
    found = dis.disagreement(members_of(raters, h, w))
    layer = dis.annotator_rgba(found, 2, {"dog": (1, 2, 3)})
    assert tuple(layer[4, 4]) == (1, 2, 3, dis.FILL_ALPHA) and layer[a == 0][:, 3].max() == 0
    assert tuple(dis.annotator_rgba(found, 0, {})[4, 4]) == (*dis.DEFAULT_RGB, dis.FILL_ALPHA)
    heat = dis.heat_rgba(found)
    assert heat[~a][:, 3].max() == 0 and (heat[a][:, 3] > 0).all()
    assert found.share == 1.0  # two say cat, one dog: every labelled pixel differs


def test_an_image_nobody_labelled_has_no_share() -> None:
    found = dis.disagreement(members_of([[], []], 10, 10))
    assert found.share is None and (found.labelled, found.differing) == (0, 0)
    assert dis.heat_rgba(found)[..., 3].max() == 0


def test_a_large_image_is_compared_in_bounded_memory_with_exact_counts() -> None:
    """6000 x 6000 (36 Mpx), three annotators with boxes and masks: full-size RGBA layers alone were
    4 x 144 MB and the label stack 432 MB. Bound: 160 MB (the four 2000 x 2000 drawn layers are 64 MB)."""
    h = w = 6000
    mask = np.zeros((1500, 1500), bool)
    mask[:, :750] = True  # a half-filled 1500 x 1500 mask: 1,125,000 pixels

    def cropped(x: int, y: int):  # type: ignore[no-untyped-def]
        big = np.zeros((h, w), bool)  # only to build the test's RLE: freed before measuring
        big[y : y + 1500, x : x + 1500] = mask
        return big

    raters = [
        [("cat", [100, 100, 2000, 1000]), ("dog", cropped(3000, 3000))],
        [("cat", [100, 100, 2000, 1000]), ("dog", cropped(3000, 3000))],
        [("cat", [600, 100, 2000, 1000]), ("cat", cropped(3000, 3000))],
    ]
    members = members_of(raters, h, w)
    del raters
    scale = dis.overlay_scale(h, w)
    assert scale == 3
    tracemalloc.start()
    found = dis.disagreement(members, scale=scale)
    layers = [dis.annotator_rgba(found, k, {}) for k in range(3)] + [dis.heat_rgba(found)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 160 * 2**20, peak / 2**20
    assert all(layer.shape == (2000, 2000, 4) for layer in layers)
    # boxes: 2500 x 1000 labelled, the annotators agree on 1500 x 1000 of it; the mask: 1500 x 750
    # labelled by all, two say dog, one cat
    assert found.labelled == 2500 * 1000 + 1500 * 750
    assert found.differing == 1000 * 1000 + 1500 * 750
