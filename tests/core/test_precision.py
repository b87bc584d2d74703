"""Coordinates are written rounded to 1/1000 px without changing a single mask pixel (issue 11, item 20)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.precision import round_annotations

H, W = 37, 53


def _near_thresholds() -> st.SearchStrategy[float]:
    """Coordinates pycocotools rounds at (k - 0.5) / 5, give or take float noise, either sign."""
    return st.builds(
        lambda k, eps: (k - 0.5) / 5 + eps,
        st.integers(-100, 400),
        st.sampled_from([0.0, 1e-4, -1e-4, 4e-4, -4e-4, 6e-4, -6e-4, 1e-12, -1e-12]),
    )


coords = st.one_of(_near_thresholds(), st.floats(-60, 120, allow_nan=False), st.integers(-60, 120))


polygon = st.lists(coords, min_size=6, max_size=14).filter(lambda p: len(p) % 2 == 0)
corner, size = st.lists(coords, min_size=2, max_size=2), st.lists(st.floats(0, 80), min_size=2, max_size=2)


@settings(max_examples=80, deadline=None)
@given(st.lists(polygon, min_size=1, max_size=3), corner, size)
def test_rounding_never_changes_a_mask(polygons: list[list[float]], xy: list[float], wh: list[float]) -> None:
    box = [*xy, *wh]
    [ann] = round_annotations([{"segmentation": polygons, "bbox": box}])
    new_polys, new_box = ann["segmentation"], ann["bbox"]
    before = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(polygons, H, W)))
    after = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(new_polys, H, W)))
    assert np.array_equal(before, after)
    assert np.array_equal(masks.box_to_mask(box, H, W), masks.box_to_mask(new_box, H, W))
    for old, new in zip([*polygons, box], [*new_polys, new_box], strict=True):
        assert np.allclose(old, new, rtol=0, atol=5e-4 + 1e-9)
        assert all(type(a) is type(b) for a, b in zip(old, new, strict=True) if a == b)  # ints stay ints


def test_float_noise_is_not_written(tmp_path: Path) -> None:
    p = Project()
    p.add_category(Category(1, "cat"))
    p.add_image(ImageRecord(1, "a.png", 100, 80))
    noisy = [42.13000000000001, 0.1 + 0.2, 60.0, 10.0, 60, 50.7]  # 0.1 + 0.2 = 0.30000000000000004
    p.add_annotation(Annotation(1, 1, 1, [42.13000000000001, 0.1 + 0.2, 17.87, 40.4], [noisy], 900.0))
    path = tmp_path / "p.json"
    save_project(p, path)
    text = path.read_text()
    assert "42.13000000000001" not in text and "0.30000000000000004" not in text
    saved = json.loads(text)["annotations"][0]
    assert saved["segmentation"] == [[42.13, 0.3, 60.0, 10.0, 60, 50.7]]
    assert saved["bbox"] == [42.13, 0.3, 17.87, 40.4]
    loaded = load_project(path).annotations[1]
    assert np.array_equal(loaded.mask(80, 100), p.annotations[1].mask(80, 100))
    first = path.read_bytes()
    save_project(load_project(path))
    assert path.read_bytes() == first  # a second save changes nothing


def test_a_value_on_a_raster_threshold_keeps_its_digits() -> None:
    # pycocotools: (int)(5 * 0.0999999 + 0.5) = 0 but 0.1 -> 1: rounding would move the outline
    poly = [0.0999999, 0.0, 10.0, 0.0, 10.0, 10.0]
    [ann] = round_annotations([{"segmentation": [poly]}])
    assert ann["segmentation"][0][0] == 0.0999999
    # 10.1 + 0.2 = 10.299999999999999 is not 10.3 to pycocotools (51.99... -> 51, 52.0 -> 52)
    [ann] = round_annotations([{"segmentation": [[10.1 + 0.2, 0.0, 10.0, 0.0, 10.0, 10.0]]}])
    assert ann["segmentation"][0][0] == 10.299999999999999
    neg = [-0.2999999, 0.0, 10.0, 0.0, 10.0, 10.0]  # (int)(-0.9999995) = 0, (int)(-1.0) = -1: C truncates
    [ann] = round_annotations([{"segmentation": [neg]}])
    assert ann["segmentation"][0][0] == -0.2999999


def test_pycocotools_truncates_towards_zero() -> None:
    """The rule rests on C's cast: with floor, -0.4999999 and -0.5 would be the same cell; they are not."""
    inside, on = [-0.4999999, 0.0, 10.0, 3.0, 10.0, 10.0], [-0.5, 0.0, 10.0, 3.0, 10.0, 10.0]
    decode = lambda poly: mask_utils.decode(mask_utils.frPyObjects([poly], 12, 12))  # noqa: E731
    assert not np.array_equal(decode(inside), decode(on))
    [ann] = round_annotations([{"segmentation": [inside]}])
    assert np.array_equal(decode(ann["segmentation"][0]), decode(inside))
