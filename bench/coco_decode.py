"""What the COCO export's check that each PNG/JPEG file is whole costs (``declared_sizes.damaged_image``:
its end marker read, not its pixels decoded).

``python -m bench coco_decode [--images N] [--side S] [--runs R]``

Readings (wall time, the median of R runs, alternating in one process; the ratio is the figure to trust):

- reference: ``FORMATS["coco"].write`` of N JPEGs of S x S/4*3 px with the check turned off (as before it:
  headers only, for the declared-size warning).
- ours: the same export with every image's end marker checked.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def _dataset(folder: Path, n: int, side: int) -> Path:
    rng = np.random.default_rng(0)
    h = side * 3 // 4
    pixels = rng.integers(0, 255, (h, side, 3), dtype=np.uint8)
    images = []
    for i in range(n):
        Image.fromarray(np.roll(pixels, i, axis=1)).save(folder / f"{i:05d}.jpg", quality=90)
        images.append({"id": i + 1, "file_name": f"{i:05d}.jpg", "width": side, "height": h})
    doc = {"images": images, "categories": [{"id": 1, "name": "car"}], "annotations": []}
    (folder / "p.json").write_text(json.dumps(doc))
    return folder / "p.json"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench coco_decode")
    p.add_argument("--images", type=int, default=200)
    p.add_argument("--side", type=int, default=1920)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    from pixelproof.core.coco import load_project
    from pixelproof.interop import coco_io
    from pixelproof.interop.formats import FORMATS

    checked = coco_io.damaged_image
    with tempfile.TemporaryDirectory() as tmp:
        project = load_project(_dataset(Path(tmp), args.images, args.side))
        times: dict[str, list[float]] = {"reference": [], "ours": []}
        for run in range(args.runs):
            for name, check in (("reference", lambda _path: None), ("ours", checked)):
                coco_io.damaged_image = check
                t = time.perf_counter()
                FORMATS["coco"].write(project, Path(tmp) / f"out{run}{name}.json", unlabeled="keep")
                times[name].append(time.perf_counter() - t)
        coco_io.damaged_image = checked
    ref, ours = (statistics.median(times[k]) for k in ("reference", "ours"))
    said = f"reference (headers only) {ref:.2f} s, ours (end markers checked) {ours:.2f} s"
    print(f"{args.images} JPEGs of {args.side} px: {said}")
    print(f"ratio ours/reference: {ours / ref:.2f}x ({(ours - ref) / args.images * 1000:.2f} ms an image)")
    return 0
