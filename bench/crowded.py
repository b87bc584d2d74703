"""One crowded image: ``pixelproof qa`` and ``pixelproof agreement`` on a single image of 10,000 objects
(nuclei on a slide tile), two projects. Prints each command's time and peak memory, and the size of the
dense references x candidates IoU table that one-to-one matching no longer builds (it matches each group
of overlapping objects on its own table).

    python -m bench crowded [--objects N]

The reference holds octagons of radius 4-6 px on a jittered grid; the candidate is each one shifted by
0-2 px, 5 % of them in another class, 2 % missing, plus 2 % extra objects. Each command runs in a fresh
process (``bench.scale.run_cli``): its own start-up is excluded, peak memory is the process's
``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

import numpy as np

PITCH = 12


def octagon(cx: float, cy: float, r: float) -> list[float]:
    return [
        v for k in range(8) for v in (cx + r * math.cos(k * math.pi / 4), cy + r * math.sin(k * math.pi / 4))
    ]


def make_projects(folder: Path, n: int, seed: int = 0) -> tuple[Path, Path]:
    """Reference and candidate projects of one image with ``n`` objects (see the module docstring)."""
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import Annotation, ImageRecord

    rng = np.random.default_rng(seed)
    per_row = math.ceil(math.sqrt(n))
    side = PITCH * per_row + PITCH
    ref, cand = new_project(["nucleus", "lymphocyte"]), new_project(["nucleus", "lymphocyte"])
    for p in (ref, cand):
        p.add_image(ImageRecord(1, "tile.png", side, side))

    def add(p, aid: int, cat: int, cx: float, cy: float, r: float) -> None:  # type: ignore[no-untyped-def]
        poly = octagon(cx, cy, r)
        xs, ys = poly[0::2], poly[1::2]
        box = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        p.add_annotation(Annotation(aid, 1, cat, box, [poly], 2 * math.sqrt(2) * r * r))

    for k in range(n):
        cx = PITCH * (k % per_row + 1) + rng.uniform(-1.5, 1.5)
        cy = PITCH * (k // per_row + 1) + rng.uniform(-1.5, 1.5)
        r = rng.uniform(4, 6)
        cat = int(rng.integers(1, 3))
        add(ref, k + 1, cat, cx, cy, r)
        if rng.random() < 0.02:
            continue  # missed
        other = 3 - cat if rng.random() < 0.05 else cat
        dx, dy = rng.uniform(-2, 2, 2)
        add(cand, k + 1, other, cx + dx, cy + dy, r + rng.uniform(-0.5, 0.5))
    for k in range(n // 50):  # extra objects between the grid's
        cx, cy = (rng.integers(1, per_row, 2) + 0.5) * PITCH
        add(cand, n + k + 1, int(rng.integers(1, 3)), float(cx), float(cy), 3.0)
    return save_project(ref, folder / "reference.json"), save_project(cand, folder / "candidate.json")


def main(argv: list[str]) -> int:
    from bench.scale import run_cli

    ap = argparse.ArgumentParser(prog="python -m bench crowded")
    ap.add_argument("--objects", type=int, default=10_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pixelproof-crowded-") as tmp:
        folder = Path(tmp)
        ref, cand = make_projects(folder, args.objects)
        n = args.objects
        dense = n * n * 8
        print(f"one image, {n:,} reference objects, ~{n:,} candidate objects (2 classes)")
        print(
            f"dense IoU table per matching pass, not built: {n:,} x {n:,} x 8 bytes = {dense / 1e6:,.0f} MB"
        )
        for name, argv_ in (
            ("qa", ["qa", str(ref), str(cand), "--json", str(folder / "qa.json")]),
            ("agreement", ["agreement", str(ref), str(cand), "--json", str(folder / "agreement.json")]),
        ):
            f = run_cli(folder, argv_)
            print(
                f"pixelproof {name}: {f['seconds']:.1f} s ({f['cpu']:.1f} s CPU), peak memory "
                f"{f['rss_kb'] / 1024:,.0f} MB (exit {f['code']})"
            )
    return 0
