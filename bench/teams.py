"""Teams: merging shards and diffing versions (issue 16).

``python -m bench teams [--shards N] [--images N] [--objects N] [--diff-objects N] [--repeat N]``

- merge: N shards (default 10) of 2,000 images with 20 polygon objects each, as batch jobs or annotators
  write them (disjoint images, ids colliding across shards), merged with ``pixelproof merge`` (read every
  shard, merge, write the project and the conflict report). Reference: the script teams write today -
  ``json.load`` each shard, offset the ids, concatenate, ``json.dump`` - which checks nothing.
- diff: two versions of a 100,000-object project (5 % of the objects moved, 2 % re-classed, 1 % deleted,
  1 % added), ``pixelproof diff OLD NEW --json``. Reference: loading the two files with pycocotools.

Figures are medians of ``--repeat`` runs (default 3), ours and the reference alternating, in one process.
README's "Working as a team" cites the lines marked [README].
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

W, H = 1024, 768


def _polygon(rng: np.random.Generator) -> tuple[list[float], list[float], float]:
    n = int(rng.integers(6, 16))
    cx, cy = rng.uniform(60, W - 60), rng.uniform(60, H - 60)
    r = rng.uniform(8, 50) * rng.uniform(0.6, 1.0, n)
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    xs, ys = np.round(cx + r * np.cos(t), 2), np.round(cy + r * np.sin(t), 2)
    poly = np.stack([xs, ys], 1).ravel().tolist()
    bbox = [float(xs.min()), float(ys.min()), float(xs.max() - xs.min()), float(ys.max() - ys.min())]
    return poly, bbox, bbox[2] * bbox[3] / 2


def make_project(n_images: int, per_image: int, seed: int, first_image: int = 1, prefix: str = "img"):
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import Annotation, ImageRecord

    rng = np.random.default_rng(seed)
    p = new_project([f"class{i}" for i in range(1, 11)])
    aid = 1
    for i in range(first_image, first_image + n_images):
        p.add_image(ImageRecord(i, f"images/{prefix}{i:07d}.jpg", W, H))
        for _ in range(per_image):
            poly, bbox, area = _polygon(rng)
            p.add_annotation(Annotation(aid, i, int(rng.integers(1, 11)), bbox, [poly], area))
            aid += 1
    return p


def naive_merge(paths: list[Path], out: Path) -> None:
    """The usual merge script: offsets ids, concatenates lists, no checks at all."""
    merged = {"images": [], "annotations": [], "categories": None}
    img_off = ann_off = 0
    for path in paths:
        with open(path) as f:
            d = json.load(f)
        merged["categories"] = merged["categories"] or d["categories"]
        for im in d["images"]:
            im["id"] += img_off
        for a in d["annotations"]:
            a["id"] += ann_off
            a["image_id"] += img_off
        merged["images"] += d["images"]
        merged["annotations"] += d["annotations"]
        img_off = max(im["id"] for im in merged["images"])
        ann_off = max(a["id"] for a in merged["annotations"])
    with open(out, "w") as f:
        json.dump(merged, f)


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _cli(argv: list[str]) -> None:
    from pixelproof.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    if code not in (0, 3):
        raise SystemExit(f"pixelproof {' '.join(argv)} failed with exit {code}")


def bench_merge(folder: Path, shards: int, images: int, objects: int, repeat: int) -> None:
    from pixelproof.core.coco import save_project

    paths = []
    for k in range(shards):
        p = make_project(images, objects, seed=k, first_image=k * images + 1)
        paths.append(folder / f"shard{k:02d}.json")
        save_project(p, paths[-1])
    total = shards * images * objects
    ours, ref = [], []
    for _ in range(repeat):
        ours.append(_time(lambda: _cli(["merge", *map(str, paths), "-o", str(folder / "merged.json"),
                                        "--report", str(folder / "report.json")])))  # fmt: skip
        ref.append(_time(lambda: naive_merge(paths, folder / "naive.json")))
    report = json.loads((folder / "report.json").read_text())
    o, r = statistics.median(ours), statistics.median(ref)
    print(f"merge: {shards} shards x {images} images x {objects} objects = {total:,} objects")
    print(f"  conflicts reported: {report['conflict_counts']}")
    print(f"[README] merge {shards} shards ({total:,} objects): pixelproof merge {o:.1f} s, "
          f"naive json concat script {r:.1f} s (ratio {o / r:.2f})")  # fmt: skip


def bench_diff(folder: Path, n_objects: int, repeat: int) -> None:
    from pycocotools.coco import COCO

    from pixelproof.core.coco import load_project, save_project
    from pixelproof.core.model import Annotation

    per_image = 20
    old = make_project(n_objects // per_image, per_image, seed=99)
    save_project(old, folder / "old.json")
    new = load_project(folder / "old.json")
    rng = np.random.default_rng(7)
    ids = np.array(sorted(new.annotations))
    pick = rng.permutation(ids)
    n5, n2, n1 = int(0.05 * len(ids)), int(0.02 * len(ids)), int(0.01 * len(ids))
    for i in pick[:n5]:
        a = new.annotations[int(i)]
        poly = [[v + 3.0 for v in a.segmentation[0]]]
        a.set_geometry(poly, [a.bbox[0] + 3, a.bbox[1] + 3, a.bbox[2], a.bbox[3]], a.area)
    for i in pick[n5 : n5 + n2]:
        a = new.annotations[int(i)]
        a.category_id = a.category_id % 10 + 1
    for i in pick[n5 + n2 : n5 + n2 + n1]:
        new.remove_annotation(int(i))
    rng2 = np.random.default_rng(8)
    next_id = new.next_annotation_id()
    for k in range(n1):
        poly, bbox, area = _polygon(rng2)
        new.add_annotation(
            Annotation(next_id + k, int(rng2.integers(1, len(new.images) + 1)), 1, bbox, [poly], area)
        )
    save_project(new, folder / "new.json")
    ours, ref = [], []
    for _ in range(repeat):
        ours.append(
            _time(lambda: _cli(["diff", str(folder / "old.json"), str(folder / "new.json"), "--json"]))
        )

        def pyco() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                COCO(str(folder / "old.json"))
                COCO(str(folder / "new.json"))

        ref.append(_time(pyco))
    o, r = statistics.median(ours), statistics.median(ref)
    print(f"diff: two versions of {len(old.annotations):,} objects ({n5:,} moved, {n2:,} re-classed, "
          f"{n1:,} deleted, {n1:,} added)")  # fmt: skip
    print(f"[README] diff of two {len(old.annotations):,}-object versions: pixelproof diff {o:.1f} s, "
          f"loading both with pycocotools {r:.1f} s (ratio {o / r:.2f})")  # fmt: skip


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench teams")
    ap.add_argument("--shards", type=int, default=10)
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--objects", type=int, default=20)
    ap.add_argument("--diff-objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-teams-") as tmp:
        folder = Path(tmp)
        os.environ.setdefault("PIXELPROOF_AUTHOR", "bench")
        bench_merge(folder, args.shards, args.images, args.objects, args.repeat)
        bench_diff(folder, args.diff_objects, args.repeat)
    return 0
