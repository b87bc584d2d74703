"""How Ultralytics turns a YOLO segment line back into pixels, so the export can say which masks it changes.

The YOLO writer traces a mask as polygons on its pixel edges, which pycocotools (COCO, PixelProof's
own reader, ``qa``) rasterizes back onto exactly the same pixels. Ultralytics does not: its
``polygon2mask`` scales the normalized points to the image, truncates them to whole pixels
(``np.int32``) and fills them with ``cv2.fillPoly``, which takes in the pixels on the outline - one more
column right of the mask and one more row below it. On a large object that is a thin rim; on a
scratch 2 px wide it is most of the object again (600 px trained as 1021), and a defect of a few pixels
grows by half. An inspection team exporting tiny defects must know that before training, hence the
warning that names them (the polygons stay as they are: the only polygon exact for both readers does not
exist, and COCO RLE or mask PNGs keep the pixels).
"""

from __future__ import annotations

import cv2
import numpy as np

GROWTH = 0.2  # share of a mask's pixels Ultralytics' rasterization may change before the export says so


def ultralytics_changed(
    polygons: list[list[float]], crop: np.ndarray, x0: int, y0: int, w: int, h: int
) -> float:
    """The share of the mask's pixels that Ultralytics' ``polygon2mask`` of its written lines gets wrong
    (missing plus extra), as read from the file: points rounded to 6 decimals of the image size (the
    writer's ``%.6f``), scaled back and truncated to whole pixels. ``polygons`` are in image pixels,
    ``crop`` is the mask's box at (``x0``, ``y0``) in a ``w`` x ``h`` image."""
    area = int(np.count_nonzero(crop))
    if area == 0:
        return 0.0
    pad = 2  # truncation moves a point at most a pixel left or up, the fill at most one right or down
    ch, cw = crop.shape
    filled = np.zeros((ch + 2 * pad, cw + 2 * pad), np.uint8)
    rings = []
    for p in polygons:
        xy = np.clip(np.asarray(p, np.float64).reshape(-1, 2) / (w, h), 0.0, 1.0)
        xy = np.round(xy, 6) * (w, h)  # what the label file holds, read back
        rings.append((xy.astype(np.int32) - (x0 - pad, y0 - pad)).astype(np.int32))
    for ring in rings:  # one line, one instance mask: fillPoly of them all at once would XOR overlaps
        cv2.fillPoly(filled, [ring], 1)
    want = np.zeros_like(filled)
    want[pad : pad + ch, pad : pad + cw] = crop.astype(bool)
    return float(np.count_nonzero(filled != want)) / area
