"""The difference map of one image pair, for the review view and the reports: per pixel agreement, missed
(FN), extra (FP), wrong class or void, and its colours (Okabe-Ito, colour-blind safe)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pixelproof.core import metrics
from pixelproof.core.model import Project
from pixelproof.core.qa_objects import ImagePair, image_objects

# difference codes (``difference_image``) and their display colours (Okabe-Ito, colour-blind safe)
DIFF_NONE, DIFF_AGREE, DIFF_FN, DIFF_FP, DIFF_WRONG_CLASS, DIFF_VOID = 0, 1, 2, 3, 4, 5
DIFF_NAMES = {
    DIFF_NONE: "background",
    DIFF_AGREE: "agreement",
    DIFF_FN: "missed (FN)",
    DIFF_FP: "extra (FP)",
    DIFF_WRONG_CLASS: "wrong class",
    DIFF_VOID: "void (ignored)",
}
DIFF_COLORS = {
    DIFF_NONE: (0, 0, 0, 0),
    DIFF_AGREE: (0, 158, 115, 255),
    DIFF_FN: (213, 94, 0, 255),
    DIFF_FP: (0, 114, 178, 255),
    DIFF_WRONG_CLASS: (204, 121, 167, 255),
    DIFF_VOID: (128, 128, 128, 255),
}


def difference_image(
    pair: ImagePair,
    reference: Any,
    candidate: Project,
    category: str | None = None,
    scale: int = 1,
) -> np.ndarray:
    """HxW uint8 codes (``DIFF_*``): agreement, missed (FN), extra (FP), wrong class, void.

    With ``category`` only that class counts; otherwise a pixel agrees when both sides give it the same
    class, is "wrong class" when both label it with different classes. ``scale`` > 1: one code per
    ``scale`` x ``scale`` block (``pooled``), for an image over ``limits.max_pixels()`` (a whole slide),
    whose full-resolution map raises ``LimitError``: its arrays are image-sized (``layer_scale``).
    """
    from pixelproof.core.limits import check_image_size
    from pixelproof.core.references import Reference

    full_h, full_w = pair.shape
    h, w = -(-full_h // scale), -(-full_w // scale)
    check_image_size(w, h, pair.file_name, "difference image")
    ref = reference if isinstance(reference, Reference) else Reference(project=reference)
    if scale == 1:
        void = ref.void_mask(pair.ref)
        refs = image_objects(ref.project, pair.ref, (h, w), void)
        cands = image_objects(candidate, pair.cand, (h, w), void)
    else:  # void regions painted over by block (an image-sized void mask is what the scale avoids)
        voids = image_objects(ref.project, pair.ref, pair.shape, void_regions=True)
        void = metrics.merge([pooled(o.placed, scale) for o in voids]).to_full(h, w) if voids else None
        refs = _pooled_objects(image_objects(ref.project, pair.ref, pair.shape), scale)
        cands = _pooled_objects(image_objects(candidate, pair.cand, pair.shape), scale)
    cats = sorted({o.category for o in refs} | {o.category for o in cands})
    if category is not None:
        cats = [c for c in cats if c == category]
    agree = np.zeros((h, w), bool)
    fn = np.zeros((h, w), bool)
    fp = np.zeros((h, w), bool)
    any_r = np.zeros((h, w), bool)
    any_c = np.zeros((h, w), bool)
    for cat in cats:
        a = metrics.merge([o.placed for o in refs if o.category == cat]).to_full(h, w)
        b = metrics.merge([o.placed for o in cands if o.category == cat]).to_full(h, w)
        agree |= a & b
        fn |= a & ~b
        fp |= b & ~a
        any_r |= a
        any_c |= b
    codes = np.zeros((h, w), np.uint8)
    codes[agree] = DIFF_AGREE
    codes[fn] = DIFF_FN
    codes[fp & ~fn] = DIFF_FP
    codes[any_r & any_c & ~agree] = DIFF_WRONG_CLASS
    if void is not None:
        codes[void] = DIFF_VOID
    return codes


def layer_scale(height: int, width: int) -> int:
    """Image pixels per drawn pixel along each axis of the review layers: 1 up to the pixel limit (every
    pixel drawn, as before), else the annotators view's reduction (``disagreement.overlay_scale``), and
    more if the limit is set lower still."""
    from pixelproof.core.disagreement import overlay_scale
    from pixelproof.core.limits import max_pixels

    if height * width <= max_pixels():
        return 1
    scale = max(2, overlay_scale(height, width))
    while -(-height // scale) * -(-width // scale) > max_pixels():
        scale += 1
    return scale


def pooled(placed: metrics.Placed, scale: int) -> metrics.Placed:
    """``placed`` at one pixel per ``scale`` x ``scale`` block, set where any pixel of the block is: a cell
    of a few pixels stays drawn (sampling every ``scale``-th pixel would skip it)."""
    if scale == 1 or placed.is_empty:
        return placed
    by, bx = placed.y0 // scale, placed.x0 // scale
    top, left = placed.y0 - by * scale, placed.x0 - bx * scale
    mh, mw = placed.mask.shape
    nh, nw = -(-(top + mh) // scale), -(-(left + mw) // scale)
    frame = np.zeros((nh * scale, nw * scale), bool)
    frame[top : top + mh, left : left + mw] = placed.mask
    return metrics.Placed(frame.reshape(nh, scale, nw, scale).any(axis=(1, 3)), by, bx)


def _pooled_objects(objects: list[Any], scale: int) -> list[Any]:
    from dataclasses import replace

    return [replace(o, placed=pooled(o.placed, scale)) for o in objects]


def difference_rgba(codes: np.ndarray, outline: bool = False) -> np.ndarray:
    """Colour a difference image (``DIFF_COLORS``); ``outline`` keeps only each region's 1-px border."""
    import cv2

    lut = np.zeros((256, 4), np.uint8)
    for code, color in DIFF_COLORS.items():
        lut[code] = color
    if outline:
        keep = np.zeros(codes.shape, bool)
        kernel = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8)
        for code in np.unique(codes):
            if code == DIFF_NONE:
                continue
            m = (codes == code).astype(np.uint8)
            keep |= (m - cv2.erode(m, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)).astype(bool)
        codes = np.where(keep, codes, DIFF_NONE).astype(np.uint8)
    return lut[codes]


def thumbnail_png(
    pair: ImagePair, reference: Any, candidate: Any, size: int = 256, image: np.ndarray | None = None
) -> bytes:
    """PNG bytes of the difference overlay (on the image when readable), longest side ``size``."""
    import cv2

    codes = difference_image(pair, reference, candidate)
    h, w = codes.shape
    if image is None:
        try:
            from pixelproof.core.imageio import read_project_image

            image = read_project_image(candidate, pair.cand)
        except Exception:
            image = None
    base = np.full((h, w, 3), 40, np.uint8)
    if image is not None and image.shape[:2] == (h, w):
        img = image
        if img.ndim == 3:
            img = img[..., :3].mean(axis=2)
        img = img.astype(np.float64)
        lo, hi = float(img.min()), float(img.max())
        gray = ((img - lo) / (hi - lo or 1.0) * 255).astype(np.uint8)
        base = np.repeat(gray[..., None], 3, axis=2)
    rgba = difference_rgba(codes)
    alpha = rgba[..., 3:4].astype(np.float64) / 255 * 0.6
    out = (base * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8)
    scale = size / max(h, w)
    if scale < 1:
        dsize = (max(1, round(w * scale)), max(1, round(h * scale)))
        out = cv2.resize(out, dsize, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
    return buf.tobytes() if ok else b""
