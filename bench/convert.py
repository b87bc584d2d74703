"""LabelMe folder -> COCO conversion speed (issue 7).

``python -m bench convert [--images N] [--shapes N] [--keep DIR]``

Builds a LabelMe folder of N images (default 2,000: a few small PNGs hard-linked under N names, each
with a JSON of 1..2*shapes random polygons and rectangles), then times ``read_labelme`` + ``write_coco``
(what ``pixelproof convert --from labelme --to coco`` does). Reference, in the same process: the floor of
just parsing the same JSON files with the stdlib ``json`` and writing one COCO JSON with ``json.dump``
(no validation, no areas) — the ratio says what the conversion itself costs on top of reading the files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.interop import read_labelme, write_coco

LABELS = ("cat", "dog", "car", "person", "tree")


def make_folder(root: Path, n_images: int, shapes: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    bases = []
    for k in range(4):
        w, h = 320 + 32 * k, 240
        base = root / f"_base{k}.png"
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(base)
        bases.append((base, w, h))
    for i in range(n_images):
        base, w, h = bases[i % len(bases)]
        name = f"img_{i:05d}.png"
        try:
            os.link(base, root / name)
        except OSError:
            shutil.copy(base, root / name)
        doc_shapes = []
        for _ in range(int(rng.integers(1, 2 * shapes + 1))):
            cx, cy = rng.uniform(20, w - 20), rng.uniform(20, h - 20)
            if rng.random() < 0.3:
                x2, y2 = cx + rng.uniform(5, 60), cy + rng.uniform(5, 60)
                pts, kind = [[cx, cy], [min(x2, w), min(y2, h)]], "rectangle"
            else:
                n = int(rng.integers(5, 30))
                t = np.sort(rng.uniform(0, 2 * np.pi, n))
                r = rng.uniform(5, 40, n)
                xs = np.clip(cx + r * np.cos(t), 0, w)
                ys = np.clip(cy + r * np.sin(t), 0, h)
                pts, kind = np.stack([xs, ys], axis=1).round(2).tolist(), "polygon"
            doc_shapes.append(
                {
                    "label": str(rng.choice(LABELS)),
                    "points": pts,
                    "group_id": None,
                    "description": "",
                    "shape_type": kind,
                    "flags": {},
                    "mask": None,
                }
            )
        doc = {"version": "5.5.0", "flags": {}, "shapes": doc_shapes, "imagePath": name, "imageData": None,
               "imageHeight": h, "imageWidth": w}  # fmt: skip
        (root / f"img_{i:05d}.json").write_text(json.dumps(doc, indent=2))
    for base, _, _ in bases:
        base.unlink()  # only the linked names remain, so every image has its JSON


def reference(root: Path, out: Path) -> None:
    """Parse every JSON with the stdlib and dump one COCO-like JSON: the I/O + parse floor."""
    images, anns = [], []
    for i, f in enumerate(sorted(root.glob("*.json")), start=1):
        d = json.loads(f.read_text())
        images.append(
            {"id": i, "file_name": d["imagePath"], "width": d["imageWidth"], "height": d["imageHeight"]}
        )
        for s in d["shapes"]:
            anns.append(
                {"id": len(anns) + 1, "image_id": i, "segmentation": [[v for p in s["points"] for v in p]]}
            )
    with open(out, "w") as fh:
        json.dump({"images": images, "annotations": anns, "categories": []}, fh)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench convert", description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--shapes", type=int, default=3, help="mean shapes per image")
    parser.add_argument("--keep", help="build the folder here and keep it")
    args = parser.parse_args(argv)
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pixelproof-bench-"))
    try:
        src = tmp / "labelme"
        t0 = time.perf_counter()
        make_folder(src, args.images, args.shapes)
        print(f"made {args.images} LabelMe files in {time.perf_counter() - t0:.1f} s ({src})")
        t0 = time.perf_counter()
        result = read_labelme(src)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_coco(result.project, tmp / "out" / "project.json")
        t_total = t_read + time.perf_counter() - t0
        n = len(result.project.images)
        t0 = time.perf_counter()
        reference(src, tmp / "reference.json")
        t_ref = time.perf_counter() - t0
        print(f"annotations        {len(result.project.annotations)}  problems {len(result.problems)}")
        print(f"pixelproof convert {t_total:7.2f} s  {n / t_total:8.0f} images/s  (read {t_read:.2f} s)")
        print(
            f"reference json     {t_ref:7.2f} s  {n / t_ref:8.0f} images/s  (stdlib parse + dump, no checks)"
        )
        print(f"ratio              {t_total / t_ref:7.2f}x")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0
