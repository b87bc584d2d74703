"""A 2x2 speck (a stray drag at high zoom, an eraser's leftover) without a model: the default `tiny`
limits (2 px wide and high, 4 px of area) leave it alone, since tiny-object datasets label real objects
from 2 px on, while the class's statistics flag it among ordinary objects (README, Rules)."""

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


def test_a_speck_among_ordinary_objects_is_a_size_outlier_not_tiny() -> None:
    p, nid = scene(ordinary(24))
    p.add_annotation(shape(nid, 1, 600, 400, 2, 2, as_mask=False))  # a stray 2x2 box
    p.add_annotation(shape(nid + 1, 2, 600, 400, 2, 2, as_mask=True))  # a 2x2 mask an eraser left
    p.add_annotation(shape(nid + 2, 3, 600, 400, 1, 6, as_mask=False))  # a 1-px-wide slip
    problems = found(p)
    for speck in (nid, nid + 1):
        kinds = dict(problems.get(speck, []))
        assert "tiny" not in kinds, kinds
        assert kinds.get("size_outlier", 0) >= 0.5, kinds  # listed at the default --min-score
    assert "tiny" in dict(problems[nid + 2])
    assert not any(k == "tiny" for aid in range(1, nid) for k, _ in problems.get(aid, []))


def test_in_a_tiny_object_dataset_a_2_px_object_is_not_flagged() -> None:
    """Objects 2-8 px a side, as AI-TOD's and TinyPerson's smallest size bins: a 2x2 one is one of them."""
    rng = np.random.default_rng(1)
    p, nid = scene([(int(rng.integers(2, 9)), int(rng.integers(2, 9))) for _ in range(40)])
    p.add_annotation(shape(nid, 1, 300, 200, 2, 2, as_mask=False))
    p.add_annotation(shape(nid + 1, 2, 300, 200, 2, 2, as_mask=True))
    problems = found(p)
    assert problems.get(nid, []) == [] and problems.get(nid + 1, []) == []


def test_a_class_of_few_objects_needs_its_own_limit_and_gets_it() -> None:
    """Under outlier_min_objects (20) the class has no statistics: the speck passes, unless the project
    says what its smallest object is (the Rules… dialog, or `min_area` in the rules)."""
    p, nid = scene(ordinary(6))
    p.add_annotation(shape(nid, 1, 600, 400, 2, 2, as_mask=True))
    assert found(p).get(nid, []) == []
    assert [k for k, _ in found(p, {"default": {"min_area": 16}})[nid]] == ["tiny"]
