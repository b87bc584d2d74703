"""Tiled pre-labeling with the threshold backend (``pixelproof prelabel --backend threshold --tile 2048
--overlap 0.1`` on a whole-slide image): ``predict_tiled`` over a synthetic slide of dark nuclei on a pale
background (default 6,144 x 4,096 px, the nuclei as dense as 2,400 on a 20,000 x 15,000 slide, a little
dust under ``min_area``), held in memory (``ArrayRegions``: reading the slide is not timed).

``python -m bench prelabel_tiled [--width W] [--height H] [--nuclei N] [--tile T] [--overlap F]``

Printed per row, in CPU seconds of this process (the machine is shared: wall time measures the
neighbours; OpenCV on one thread on every side), the same tiles on every side:

- reference: a bare loop per tile: gray (``cv2.cvtColor``), Otsu (``cv2.threshold``),
  ``cv2.connectedComponentsWithStats``, each component of at least ``min_area`` px cut to its box; no
  holes filled, no seams merged.
- ours, ``split=false``: the threshold backend without the watershed (like for like with the reference,
  plus filling holes and merging across the seams), then ``split=true`` (the default: the command above).
- before: the same runs as the backend made them until this bench was written: each object's mask
  tile-sized (a picture-sized array per object, its box found on it, then ``tiling.tight_mask`` cutting it
  down again), holes filled by scipy (``binary_fill_holes``; the same pixels as ours): the before/after
  figure is ``before / ours``; with ``split=true``, scipy's ``distance_transform_edt`` too (the same
  distances as ours, OpenCV's exact transform): ``scipy EDT / ours`` is that change alone.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

SLIDE_AREA = 20_000 * 15_000  # the slide the figures stand for
SLIDE_NUCLEI = 2_400


def make_slide(width: int, height: int, nuclei: int, seed: int = 0) -> np.ndarray:
    """RGB uint8: a pale pink background with noise, ``nuclei`` dark purple ellipses (12-19 x 9-14 px
    radii, as at 40x; some touching), and as many specks of dust (radius 1-2 px) that ``min_area`` drops."""
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), (225, 200, 215), np.uint8)
    for _ in range(nuclei):
        x, y = int(rng.integers(20, width - 20)), int(rng.integers(20, height - 20))
        axes = (int(rng.integers(12, 20)), int(rng.integers(9, 15)))
        cv2.ellipse(img, (x, y), axes, float(rng.integers(0, 180)), 0, 360, (90, 50, 130), -1)
    for _ in range(nuclei):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        cv2.circle(img, (x, y), int(rng.integers(1, 3)), (100, 60, 140), -1)
    noise = rng.normal(0, 8, (height, width)).astype(np.float32)
    return np.clip(img + noise[..., None], 0, 255).astype(np.uint8)


def bare_tiles(pixels: np.ndarray, rects: list[tuple[int, int, int, int]], min_area: int) -> int:
    """The reference loop; returns how many objects it kept."""
    kept = 0
    for x, y, w, h in rects:
        gray = cv2.cvtColor(np.ascontiguousarray(pixels[y : y + h, x : x + w]), cv2.COLOR_RGB2GRAY)
        _, fg = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)  # dark objects
        n, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
        for i in range(1, n):
            bx, by, bw, bh, area = (int(v) for v in stats[i])
            if area >= min_area:
                _crop = labels[by : by + bh, bx : bx + bw] == i
                kept += 1
    return kept


def scipy_edt(backend_class: type) -> type:
    """``backend_class`` with the watershed's distance map from scipy's ``distance_transform_edt``, as
    before ``classical.distance_map``."""
    from scipy import ndimage

    from pixelproof.inference import classical

    class ScipyEdt(backend_class):  # type: ignore[misc, valid-type]
        def predict(self, image: np.ndarray, prompt: Any = None) -> Any:
            now = classical.distance_map
            classical.distance_map = ndimage.distance_transform_edt
            try:
                return super().predict(image, prompt)
            finally:
                classical.distance_map = now

    return ScipyEdt


def tile_sized(backend_class: type) -> type:
    """``backend_class`` as the threshold backend was before: each mask tile-sized, holes filled by scipy
    (``binary_fill_holes``)."""
    from scipy import ndimage

    from pixelproof.core import masks
    from pixelproof.inference.base import Prediction

    class TileSized(scipy_edt(backend_class)):  # type: ignore[misc, valid-type]
        def predict(self, image: np.ndarray, prompt: Any = None) -> list[Prediction]:
            now = masks.fill_holes
            masks.fill_holes = ndimage.binary_fill_holes
            try:
                found = super().predict(image, prompt)
            finally:
                masks.fill_holes = now
            h, w = image.shape[:2]
            out = []
            for p in found:
                full = p.full_mask(h, w)
                out.append(Prediction(p.category, p.score, masks.bbox(full), mask=full))
            return out

    return TileSized


def cpu(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """(CPU s, wall s, result) of one call."""
    c, t = time.process_time(), time.perf_counter()
    result = run()
    return time.process_time() - c, time.perf_counter() - t, result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench prelabel_tiled", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--width", type=int, default=6144)
    parser.add_argument("--height", type=int, default=4096)
    parser.add_argument("--nuclei", type=int, default=0, help="default: 2,400 per 20,000 x 15,000 px")
    parser.add_argument("--tile", type=int, default=2048)
    parser.add_argument("--overlap", type=float, default=0.1)
    args = parser.parse_args(argv)

    from pixelproof.inference.classical import ThresholdBackend
    from pixelproof.inference.tiling import ArrayRegions, Tiling, predict_tiled, tile_rects

    cv2.setNumThreads(1)
    nuclei = args.nuclei or round(SLIDE_NUCLEI * args.width * args.height / SLIDE_AREA)
    pixels = make_slide(args.width, args.height, nuclei)
    tiling = Tiling(args.tile, args.overlap)
    rects = tile_rects(args.width, args.height, tiling)
    regions = ArrayRegions(pixels)
    print(f"machine load average (1 min) at start: {os.getloadavg()[0]:.1f}")
    print(
        f"slide {args.width:,} x {args.height:,} px, {nuclei:,} nuclei (+ as many specks of dust), "
        f"{len(rects)} tiles of {args.tile} px, overlap {args.overlap:g}; CPU seconds, OpenCV on one thread"
    )

    def ours(backend_class: type, split: bool) -> Callable[[], tuple[int, int]]:
        def run() -> tuple[int, int]:
            backend = backend_class()
            backend.configure(split=split)
            found = predict_tiled(backend, regions, tiling)
            return len(found), backend.speckles_dropped

        return run

    ref_cpu, ref_wall, ref_n = cpu(lambda: bare_tiles(pixels, rects, ThresholdBackend().min_area))
    print(
        f"{'side':<40} {'CPU s':>7} {'wall s':>7} {'tiles/s':>8} {'objects':>8} {'speckles':>8} {'/ ref':>6}"
    )
    print(
        f"{'reference (cv2 Otsu + components)':<40} {ref_cpu:>7.2f} {ref_wall:>7.2f} "
        f"{len(rects) / ref_cpu:>8.2f} {ref_n:>8} {'':>8} {1.0:>6.2f}"
    )
    for split in (False, True):
        rows = {}
        sides = [("before", tile_sized(ThresholdBackend)), ("ours", ThresholdBackend)]
        if split:
            sides.insert(1, ("ours with scipy EDT", scipy_edt(ThresholdBackend)))
        for label, cls in sides:
            c, w, (n, speckles) = cpu(ours(cls, split))
            rows[label] = c
            name = f"{label}, split={str(split).lower()}"
            rate = len(rects) / c
            print(f"{name:<40} {c:>7.2f} {w:>7.2f} {rate:>8.2f} {n:>8} {speckles:>8} {c / ref_cpu:>6.2f}")
        before, after = rows["before"], rows["ours"]
        rates = f"{len(rects) / before:.2f} -> {len(rects) / after:.2f} tiles/s"
        print(f"  split={str(split).lower()}: before / ours = {before / after:.2f} ({rates})")
        if split:
            print(f"  split=true: scipy EDT / ours = {rows['ours with scipy EDT'] / after:.2f}")
    print(f"machine load average (1 min) at end: {os.getloadavg()[0]:.1f}")
    return 0
