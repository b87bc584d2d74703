"""Kappa, alpha and STAPLE against independent implementations on the same inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pixelproof.core import reliability

LABELS = ["cat", "dog", "bird"]


def _random_labels(rng: np.random.Generator, n: int, agree: float) -> tuple[list[str], list[str]]:
    a = [LABELS[i] for i in rng.integers(0, 3, n)]
    b = [x if rng.random() < agree else LABELS[int(rng.integers(0, 3))] for x in a]
    return a, b


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cohen_kappa_matches_scikit_learn(seed: int) -> None:
    from sklearn.metrics import cohen_kappa_score

    a, b = _random_labels(np.random.default_rng(seed), 60, 0.6 + 0.1 * seed)
    assert reliability.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_cohen_kappa_degenerate_cases() -> None:
    assert reliability.cohen_kappa(["a", "b", "a"], ["a", "b", "a"]) == pytest.approx(1.0)
    assert math.isnan(reliability.cohen_kappa(["a", "a"], ["a", "a"]))  # chance agreement is total
    assert math.isnan(reliability.cohen_kappa([], []))
    with pytest.raises(ValueError):
        reliability.cohen_kappa(["a"], ["a", "b"])


@pytest.mark.parametrize("raters", [3, 4, 5])
def test_fleiss_kappa_matches_statsmodels(raters: int) -> None:
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    rng = np.random.default_rng(raters)
    truth = rng.integers(0, 4, 40)
    data = np.stack([np.where(rng.random(40) < 0.7, truth, rng.integers(0, 4, 40)) for _ in range(raters)], 1)
    table, _ = aggregate_raters(data)
    ours = reliability.fleiss_kappa(table)
    assert ours == pytest.approx(fleiss_kappa(table, method="fleiss"), abs=1e-12)
    assert 0.2 < ours < 0.9  # the data agree well above chance, yet not perfectly


def test_fleiss_kappa_refuses_uneven_rater_counts() -> None:
    with pytest.raises(ValueError):
        reliability.fleiss_kappa(np.array([[2, 1], [1, 1]]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_krippendorff_alpha_with_missing_labels_matches_krippendorff(seed: int) -> None:
    import krippendorff

    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, 30)
    data = [
        [
            None if rng.random() < 0.3 else LABELS[int(t if rng.random() < 0.75 else rng.integers(0, 3))]
            for t in truth
        ]
        for _ in range(4)
    ]
    numeric = np.array([[np.nan if v is None else LABELS.index(v) for v in row] for row in data], dtype=float)
    expected = krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal")
    assert reliability.krippendorff_alpha_nominal(data) == pytest.approx(expected, abs=1e-12)


def test_krippendorff_alpha_perfect_and_empty() -> None:
    assert reliability.krippendorff_alpha_nominal([["a", "b", None], ["a", "b", "c"]]) == pytest.approx(1.0)
    assert math.isnan(reliability.krippendorff_alpha_nominal([["a", None], [None, "b"]]))


def _rater_masks(seed: int, n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:64, :80]
    out = []
    for j in range(n):
        cy, cx, r = 32 + rng.integers(-3, 4), 40 + rng.integers(-3, 4), 14 + j
        m = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        noise = rng.random(m.shape) < 0.02
        out.append(m ^ noise)
    return out


@pytest.mark.parametrize(("seed", "raters"), [(0, 3), (1, 4), (2, 5)])
def test_staple_matches_simpleitk(seed: int, raters: int) -> None:
    import SimpleITK as sitk

    masks = _rater_masks(seed, raters)
    consensus, result = reliability.staple_masks(masks)
    f = sitk.STAPLEImageFilter()
    f.SetForegroundValue(1.0)
    prob = sitk.GetArrayFromImage(f.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in masks]))
    np.testing.assert_allclose(result.sensitivity, f.GetSensitivity(), atol=1e-9)
    np.testing.assert_allclose(result.specificity, f.GetSpecificity(), atol=1e-9)
    *_, inverse = reliability.decision_patterns(masks)
    np.testing.assert_allclose(result.weights[inverse], prob, atol=1e-8)
    np.testing.assert_array_equal(consensus, prob > 0.5)


def test_staple_on_a_crop_equals_the_whole_image() -> None:
    window = np.zeros((64, 80), bool)
    window[10:54, 12:70] = True
    masks = [m & window for m in _rater_masks(3, 3)]  # nothing outside the crop but background
    crop = [m[10:54, 12:70] for m in masks]
    outside = masks[0].size - crop[0].size
    whole = reliability.staple(*reliability.decision_patterns(masks)[:2])
    cropped = reliability.staple(*reliability.decision_patterns(crop, extra_background=outside)[:2])
    np.testing.assert_allclose(cropped.sensitivity, whole.sensitivity, atol=1e-12)
    np.testing.assert_allclose(cropped.specificity, whole.specificity, atol=1e-12)


def test_staple_with_a_missing_rater_ignores_its_factor() -> None:
    masks = _rater_masks(4, 3)
    patterns, counts, _ = reliability.decision_patterns(masks[:2])
    with_missing = np.concatenate([patterns, np.full((len(patterns), 1), reliability.MISSING, np.int8)], 1)
    a = reliability.staple(patterns, counts)
    b = reliability.staple(with_missing, counts)
    np.testing.assert_allclose(b.sensitivity[:2], a.sensitivity, atol=1e-12)
    assert math.isnan(b.sensitivity[2]) and math.isnan(b.specificity[2])
    np.testing.assert_allclose(b.weights, a.weights, atol=1e-12)


def test_majority_vote_needs_more_than_half() -> None:
    a = np.array([[1, 1, 0, 0]], bool)
    b = np.array([[1, 0, 1, 0]], bool)
    c = np.array([[1, 1, 0, 0]], bool)
    np.testing.assert_array_equal(reliability.majority_vote([a, b, c]), [[1, 1, 0, 0]])
    np.testing.assert_array_equal(reliability.majority_vote([a, b]), [[1, 0, 0, 0]])  # tie -> background
    np.testing.assert_array_equal(reliability.majority_vote([a, b], raters=3), [[1, 0, 0, 0]])
