"""Weight-free backends: grabcut on a synthetic object, threshold + watershed on coins, cascade."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage import data, filters, segmentation

from pixelproof.core.masks import iou
from pixelproof.inference.base import BackendError, ModelLoadError, Prompt, PromptError
from pixelproof.inference.classical import CascadeBackend, GrabCutBackend, ThresholdBackend


def synthetic_object() -> tuple[np.ndarray, np.ndarray]:
    """A reddish ellipse on a noisy green-grey background, and its true mask."""
    rng = np.random.default_rng(0)
    h, w = 200, 260
    yy, xx = np.mgrid[:h, :w]
    truth = ((xx - 130) / 70) ** 2 + ((yy - 100) / 50) ** 2 <= 1
    img = np.empty((h, w, 3), np.float64)
    img[:] = (90, 120, 90)
    img[truth] = (200, 60, 50)
    img += rng.normal(0, 18, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), truth


def test_grabcut_box_gives_the_object() -> None:
    img, truth = synthetic_object()
    b = GrabCutBackend()
    (pred,) = b.predict(img, Prompt(box=(50, 40, 160, 120)))
    h, w = truth.shape
    assert pred.category == "object" and iou(pred.full_mask(h, w), truth) >= 0.9
    # a negative point inside the box removes that part, a positive one keeps it
    (pred2,) = b.predict(img, Prompt(points=((130, 100), (205, 100)), labels=(1, 0), box=(50, 40, 160, 120)))
    mask2 = pred2.full_mask(h, w)
    assert mask2[100, 130] and not mask2[100, 205]


def test_grabcut_needs_a_box() -> None:
    img, _ = synthetic_object()
    with pytest.raises(PromptError, match="needs a box"):
        GrabCutBackend().predict(img, Prompt(points=((10, 10),), labels=(1,)))
    with pytest.raises(PromptError, match="outside the image"):
        GrabCutBackend().predict(img, Prompt(box=(1000, 1000, 5, 5)))


def coins_reference() -> np.ndarray:
    """Reference coin mask made independently, the region-based way of scikit-image's gallery: sure
    background < 30, sure coins > 150, watershed on the Sobel elevation map, holes filled."""
    coins = data.coins()
    markers = np.zeros_like(coins)
    markers[coins < 30] = 1
    markers[coins > 150] = 2
    ref = segmentation.watershed(filters.sobel(coins), markers) == 2
    return ndi.binary_opening(ndi.binary_fill_holes(ref), iterations=2)


def test_threshold_on_coins() -> None:
    b = ThresholdBackend()
    b.configure(category="coin", background_radius=60, min_area=100)
    preds = b.predict(data.coins())
    h, w = data.coins().shape
    union = np.zeros((h, w), bool)
    for p in preds:
        placed = p.full_mask(h, w)
        assert not (union & placed).any()  # instances do not overlap
        union |= placed
        assert p.category == "coin" and placed.sum() >= 100
    assert iou(union, coins_reference()) >= 0.9
    assert 20 <= len(preds) <= 30  # 24 coins


def test_threshold_splits_touching_discs_and_filters_small() -> None:
    yy, xx = np.mgrid[:120, :200]
    a = (xx - 60) ** 2 + (yy - 60) ** 2 <= 30**2
    c = (xx - 115) ** 2 + (yy - 60) ** 2 <= 30**2  # overlaps a: one blob, two objects
    speck = (xx - 180) ** 2 + (yy - 15) ** 2 <= 2**2
    img = np.where(a | c | speck, 40, 220).astype(np.uint8)  # dark objects on bright background
    b = ThresholdBackend()
    b.configure(min_area=50, min_distance=15)
    preds = b.predict(img)
    assert len(preds) == 2
    centres = sorted(ndi.center_of_mass(p.full_mask(120, 200))[1] for p in preds)
    assert centres[0] == pytest.approx(60, abs=5) and centres[1] == pytest.approx(115, abs=5)
    b.configure(threshold=100, polarity="bright")  # manual threshold, wrong polarity: the background
    assert sum(p.mask.sum() for p in b.predict(img)) > img.size / 2


def test_threshold_keeps_a_thin_scratch_and_a_bar_whole() -> None:
    """An object of even width has a flat ridge of equal distance along its middle: a peak every
    ``min_distance`` px on it cut a 15x2 scratch on a 16-bit line-scan image into three objects (5, 7 and
    4 px long), a 40x10 bar into several. Each is one object; touching discs are still two (above)."""
    img = np.full((60, 400), 20000, np.uint16)
    img[20:22, 100:115] = 40000  # a scratch 15x2
    img[30:40, 200:240] = 40000  # a bar 40x10
    img[50, 300:303] = 40000  # a 3x1 speck: kept whole too
    b = ThresholdBackend()
    b.configure(threshold=30000, polarity="bright", min_area=3)
    preds = sorted(b.predict(img), key=lambda p: p.bbox[0])
    assert [p.bbox for p in preds] == [
        [100.0, 20.0, 15.0, 2.0],
        [200.0, 30.0, 40.0, 10.0],
        [300.0, 50.0, 3.0, 1.0],
    ]
    assert [int(p.mask.sum()) for p in preds] == [30, 400, 3]


def test_threshold_masks_are_each_objects_box_at_its_offset() -> None:
    """Each object's mask is its box of pixels placed at ``offset`` (not a picture-sized array per object:
    a 2048-px tile's hundreds of nuclei made 4 MB each), its bbox that box, and the pixels where they were."""
    yy, xx = np.mgrid[:300, :400]
    discs = [(60, 50, 20), (250, 80, 25), (150, 220, 30), (330, 240, 15)]  # x, y, r
    img = np.full((300, 400), 30, np.uint8)
    for x, y, r in discs:
        img[(xx - x) ** 2 + (yy - y) ** 2 <= r**2] = 200
    b = ThresholdBackend()
    b.configure(split=False)
    preds = sorted(b.predict(img), key=lambda p: p.bbox[0])
    assert len(preds) == len(discs)
    for p, (x, y, r) in zip(preds, sorted(discs), strict=True):
        assert p.offset == (x - r, y - r) and p.mask.shape == (2 * r + 1, 2 * r + 1)
        assert p.bbox == [float(x - r), float(y - r), 2.0 * r + 1, 2.0 * r + 1]
        assert np.array_equal(p.full_mask(300, 400), (xx - x) ** 2 + (yy - y) ** 2 <= r**2)
    with pytest.raises(BackendError, match="polarity"):
        b.configure(polarity="up")
    with pytest.raises(BackendError, match="unknown option"):
        b.configure(colour="red")


def test_cascade_finds_the_astronauts_face() -> None:
    b = CascadeBackend()
    assert b.ready() == (True, "")
    preds = b.predict(data.astronaut())
    face = (175, 70, 90, 90)  # by eye: x, y, w, h

    def box_iou(p):
        x, y, w, h = p.bbox
        ix = max(0, min(x + w, face[0] + face[2]) - max(x, face[0]))
        iy = max(0, min(y + h, face[1] + face[3]) - max(y, face[1]))
        return ix * iy / (w * h + face[2] * face[3] - ix * iy)

    assert max(box_iou(p) for p in preds) >= 0.6
    assert all(p.category == "face" for p in preds)


def test_cascade_bad_xml_is_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<opencv_storage><nothing/></opencv_storage>")
    b = CascadeBackend()
    with pytest.raises(ModelLoadError, match=r"bad\.xml: not .*cascade XML"):
        b.configure(model_path=bad)
    ok, reason = b.ready()
    assert not ok and "bad.xml" in reason
    with pytest.raises(ModelLoadError, match="not found"):
        b.configure(model_path=tmp_path / "none.xml")


def test_grabcut_works_on_a_crop_around_the_box_not_the_whole_picture(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 60x40 box on a 1000x400 shelf photo: GrabCut sees the box and a margin of background (10% of
    the box's larger side, at least 16 px), ~20x faster than the whole picture; the mask still finds the
    object and lies where the box is in the whole picture."""
    import cv2

    obj, truth = synthetic_object()
    shelf = np.full((400, 1000, 3), (90, 120, 90), np.uint8)
    shelf[100:300, 600:860] = obj
    seen: list[tuple[int, ...]] = []
    real = cv2.grabCut

    def spy(img, *args):  # type: ignore[no-untyped-def]
        seen.append(img.shape)
        return real(img, *args)

    monkeypatch.setattr(cv2, "grabCut", spy)
    preds = GrabCutBackend().predict(
        shelf, Prompt(box=(650, 140, 165, 120), points=((730, 275),), labels=(0,))
    )
    # box 650..815 x 140..260, the point's seed disc reaching y 279, margin 17 px (10% of 165)
    assert seen == [(279 + 17 - 123, 815 + 17 - 633, 3)]
    whole = np.zeros(shelf.shape[:2], bool)
    whole[100:300, 600:860] = truth
    # the mask holds its own box of pixels, placed by its offset (not a picture's worth per box)
    (x, y, bw, bh), mask = preds[0].bbox, preds[0].mask
    assert mask.shape == (bh, bw) and preds[0].offset == (x, y) and mask[0].any() and mask[:, 0].any()
    assert mask.size < 0.1 * whole.size
    placed = preds[0].full_mask(400, 1000)
    assert iou(placed, whole) > 0.5 and not placed[:, :633].any() and not placed[:, 832:].any()


def test_grabcut_converts_a_gray_picture_once_for_all_its_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outlining many boxes of one gray (or 16-bit) picture makes its 8-bit RGB once, not once a box (a
    whole slide's worth each time); another picture or another window is converted again."""
    from pixelproof.inference import classical

    obj, truth = synthetic_object()
    gray = np.ascontiguousarray(obj[:, :, 0])
    made: list[tuple[int, ...]] = []
    real = classical.as_rgb8
    monkeypatch.setattr(classical, "as_rgb8", lambda im, w=None: (made.append(im.shape), real(im, w))[1])
    b = GrabCutBackend()
    first = b.predict(gray, Prompt(box=(50, 40, 160, 120)))
    for box in ((40, 30, 180, 140), (60, 50, 140, 100)):
        b.predict(gray, Prompt(box=box))
    assert made == [gray.shape]
    assert iou(first[0].full_mask(*truth.shape), truth) >= 0.8
    b.predict(gray.copy(), Prompt(box=(50, 40, 160, 120)))
    b.display_window = (0.0, 128.0)
    b.predict(gray.copy(), Prompt(box=(50, 40, 160, 120)))
    assert len(made) == 3


def test_threshold_distance_map_is_scipys_edt_with_the_same_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watershed's distance map (OpenCV's exact transform, ~10x cheaper on a slide's tiles) gives
    scipy's ``distance_transform_edt`` values exactly - objects cut by the array's edge (outside is not
    background) and a disc 900 px across included - so the split finds the same objects."""
    from pixelproof.inference import classical

    yy, xx = np.mgrid[:1000, :1200]
    nuclei = np.zeros((1000, 1200), bool)
    rng = np.random.default_rng(3)
    for x, y in rng.integers(0, [1200, 1000], size=(300, 2)):
        nuclei |= (xx - x) ** 2 + (yy - y) ** 2 <= int(rng.integers(6, 20)) ** 2  # some touching
    fg = nuclei | ((xx - 500) ** 2 + (yy - 500) ** 2 <= 450**2)
    fg[:, :30] = True  # on the left and top edges
    fg[:12, :] = True
    assert np.array_equal(classical.distance_map(fg), ndi.distance_transform_edt(fg))
    img = np.where(nuclei, 60, 230).astype(np.uint8)  # touching nuclei, some cut by the edges
    b = ThresholdBackend()
    b.configure(min_distance=7, polarity="dark")
    ours = [(p.bbox, int(p.mask.sum())) for p in b.predict(img)]
    monkeypatch.setattr(classical, "distance_map", ndi.distance_transform_edt)
    assert ours == [(p.bbox, int(p.mask.sum())) for p in b.predict(img)]
    assert len(ours) > 10
