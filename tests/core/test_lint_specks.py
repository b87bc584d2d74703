"""A 2x2 speck (one click of the 2 px brush, a stray drag at high zoom, an eraser's leftover) without a
model: the default `tiny` limits (2 px wide and high, 5 px of area) flag it with a delete fix however few
objects its class has; a tiny-object dataset whose real objects start at 2 px says so with `min_area: 1`
(README, Rules)."""

from __future__ import annotations

import numpy as np

from pixelproof.core import masks
from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

W, H = 640, 480


def scene(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[Project, int]:
    """One 640x480 image per object, boxes and masks alternately of the given sizes; returns the next id."""
    rng = np.random.default_rng(seed)
    p = Project()
    p.add_category(Category(1, "cat"))
    for n, (w, h) in enumerate(sizes, start=1):
        p.add_image(ImageRecord(n, f"{n}.png", W, H))
        x, y = int(rng.integers(0, W - w)), int(rng.integers(0, H - h))
        p.add_annotation(shape(n, n, x, y, w, h, as_mask=n % 2 == 0))
    return p, len(sizes) + 1


def shape(aid: int, image: int, x: int, y: int, w: int, h: int, as_mask: bool) -> Annotation:
    if not as_mask:
        return Annotation(aid, image, 1, [float(x), float(y), float(w), float(h)], None, float(w * h))
    m = np.zeros((H, W), bool)
    m[y : y + h, x : x + w] = True
    return Annotation(aid, image, 1, masks.bbox(m), masks.encode(m), float(m.sum()))


def found(p: Project, rules: dict | None = None) -> dict[int, list[tuple[str, float]]]:
    out: dict[int, list[tuple[str, float]]] = {}
    for problem in lint_project(p, parse_rules(rules)).problems:
        out.setdefault(problem.annotation_id, []).append((problem.kind, problem.score))
    return out


def ordinary(n: int, seed: int = 0) -> list[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(20, 300)), int(rng.integers(20, 300))) for _ in range(n)]


def test_a_speck_among_ordinary_objects_is_tiny_and_a_size_outlier() -> None:
    p, nid = scene(ordinary(24))
    p.add_annotation(shape(nid, 1, 600, 400, 2, 2, as_mask=False))  # a stray 2x2 box
    p.add_annotation(shape(nid + 1, 2, 600, 400, 2, 2, as_mask=True))  # a 2 px brush click
    p.add_annotation(shape(nid + 2, 3, 600, 400, 1, 6, as_mask=False))  # a 1-px-wide slip
    problems = found(p)
    for speck in (nid, nid + 1):
        kinds = dict(problems.get(speck, []))
        assert kinds.get("tiny", 0) >= 0.5, kinds  # listed at the default --min-score
        assert kinds.get("size_outlier", 0) >= 0.5, kinds
    assert "tiny" in dict(problems[nid + 2])
    assert not any(k == "tiny" for aid in range(1, nid) for k, _ in problems.get(aid, []))


def test_in_a_tiny_object_dataset_min_area_1_keeps_2_px_objects() -> None:
    """Objects 2-8 px a side, as AI-TOD's and TinyPerson's smallest size bins: by default only the 2x2 ones
    (4 px) are tiny; `default: {min_area: 1}` says they are real and nothing is flagged."""
    rng = np.random.default_rng(1)
    sizes = [(int(rng.integers(2, 9)), int(rng.integers(2, 9))) for _ in range(40)]
    p, nid = scene(sizes)
    p.add_annotation(shape(nid, 1, 300, 200, 2, 2, as_mask=False))
    p.add_annotation(shape(nid + 1, 2, 300, 200, 2, 2, as_mask=True))
    specks = {i for i, (w, h) in enumerate(sizes, start=1) if w * h < 5} | {nid, nid + 1}
    flagged = {aid for aid, kinds in found(p).items() if any(k == "tiny" for k, _ in kinds)}
    assert flagged == specks
    assert found(p, {"default": {"min_area": 1}}) == {}


def test_a_class_of_few_objects_flags_the_speck_by_default() -> None:
    """Under outlier_min_objects (20) the class has no statistics: the default min_area still makes the
    2x2 speck tiny, and so does a class's own larger limit."""
    p, nid = scene(ordinary(6))
    p.add_annotation(shape(nid, 1, 600, 400, 2, 2, as_mask=True))
    assert [k for k, _ in found(p)[nid]] == ["tiny"]
    assert [k for k, _ in found(p, {"default": {"min_area": 16}})[nid]] == ["tiny"]
