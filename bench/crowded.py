"""One crowded image: the commands a pathology team runs on a single image of 10,000 objects (nuclei on a
slide tile), each timed with its peak memory. Three raters' projects of the one image: the reference and
two candidates drawn from it by a shift (the second with new object ids, as a redraw or a conversion
gives). Commands: ``qa`` and ``agreement`` (reference vs first candidate); ``lint`` on the reference alone
(rules and statistics) and with the first candidate as its model's predictions (``--predictions``, a COCO
results file, scores drawn in 0.3-1, so ObjectLab's overlooked, badly-located and swapped scores run);
``diff`` of the reference and the first candidate (objects paired by id) and of the reference and the
second (re-created: paired by IoU); ``merge`` of the three as annotator shards, then ``consensus``
(majority and STAPLE) on the merged project; ``validate`` and ``info`` of the merged project. It also
prints the size of the dense references x candidates IoU table that one-to-one matching never builds (it
matches each group of overlapping objects on its own table), and times lint --predictions' check of the
results file's layout (corner boxes, shifted class ids: each confident prediction's best box IoU among the
labels) in process, beside the every-pair table it measured before (``dense_best_ious``, the reference the
tests compare it with), median of 5 runs each, alternating.

    python -m bench crowded [--objects N] [--only NAME,NAME]

The reference holds octagons of radius 4-6 px on a jittered grid; a candidate is each one shifted by
0-2 px, 5 % of them in another class, 2 % missing, plus 2 % extra objects. Each command runs in a fresh
process (``bench.scale.run_cli``): its own start-up is excluded, peak memory is the process's
``ru_maxrss`` (which includes reading the project).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path

import numpy as np

PITCH = 12
RATERS = ("ann", "bob", "cy")


def octagon(cx: float, cy: float, r: float) -> list[float]:
    return [
        v for k in range(8) for v in (cx + r * math.cos(k * math.pi / 4), cy + r * math.sin(k * math.pi / 4))
    ]


def make_projects(folder: Path, n: int, seed: int = 0) -> tuple[Path, Path, Path]:
    """Reference and two candidate projects of one image with ``n`` objects (see the module docstring).
    The reference and the first candidate come from one random stream (as before the third was added, so
    qa and agreement see the same data); the second candidate from its own, with ids after the
    reference's."""
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import Annotation, ImageRecord

    rng = np.random.default_rng(seed)
    per_row = math.ceil(math.sqrt(n))
    side = PITCH * per_row + PITCH
    ref, cand, third = (new_project(["nucleus", "lymphocyte"]) for _ in range(3))
    for p in (ref, cand, third):
        p.add_image(ImageRecord(1, "tile.png", side, side))

    def add(p, aid: int, cat: int, cx: float, cy: float, r: float) -> None:  # type: ignore[no-untyped-def]
        poly = octagon(cx, cy, r)
        xs, ys = poly[0::2], poly[1::2]
        box = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        p.add_annotation(Annotation(aid, 1, cat, box, [poly], 2 * math.sqrt(2) * r * r))

    def shifted(p, rng, aid: int, cat: int, cx: float, cy: float, r: float) -> bool:  # type: ignore[no-untyped-def]
        if rng.random() < 0.02:
            return False  # missed
        other = 3 - cat if rng.random() < 0.05 else cat
        dx, dy = rng.uniform(-2, 2, 2)
        add(p, aid, other, cx + dx, cy + dy, r + rng.uniform(-0.5, 0.5))
        return True

    def extras(p, rng, first_id: int, kept: int) -> None:  # type: ignore[no-untyped-def]
        # extra objects between the grid's, no more than were missed: a candidate holds at most ``n``
        # objects, so at n = 10,000 it stays within qa's objects-per-image limit (qa_objects)
        for k in range(min(n // 50, n - kept)):
            cx, cy = (rng.integers(1, per_row, 2) + 0.5) * PITCH
            add(p, first_id + k, int(rng.integers(1, 3)), float(cx), float(cy), 3.0)

    drawn = []
    kept = 0
    for k in range(n):
        cx = PITCH * (k % per_row + 1) + rng.uniform(-1.5, 1.5)
        cy = PITCH * (k // per_row + 1) + rng.uniform(-1.5, 1.5)
        r = rng.uniform(4, 6)
        cat = int(rng.integers(1, 3))
        add(ref, k + 1, cat, cx, cy, r)
        drawn.append((cat, cx, cy, r))
        kept += shifted(cand, rng, k + 1, cat, cx, cy, r)
    extras(cand, rng, n + 1, kept)
    other_rng = np.random.default_rng(seed + 1)
    kept = sum(shifted(third, other_rng, 2 * n + k + 1, *d) for k, d in enumerate(drawn))
    extras(third, other_rng, 3 * n + 1, kept)
    return (
        save_project(ref, folder / "reference.json"),
        save_project(cand, folder / "candidate.json"),
        save_project(third, folder / "candidate2.json"),
    )


def write_shards(projects: tuple[Path, ...]) -> list[Path]:
    """Each project as one annotator's shard (its ``pixelproof.shard`` tag), for merge and consensus; ids
    in a range of their own per shard, so merge reports no id collisions."""
    from pixelproof.core.coco import load_project, save_project

    out = []
    for k, (path, name) in enumerate(zip(projects, RATERS, strict=True)):
        p = load_project(path)
        p.app["shard"] = {"annotator": name, "split": "crowded"}
        offset = k * 10 * max(p.annotations, default=0)
        for ann in list(p.annotations.values()):
            p.remove_annotation(ann.id)
            ann.id += offset
            p.add_annotation(ann)
        out.append(save_project(p, path.with_name(f"shard-{name}.json")))
    return out


def write_predictions(candidate: Path, out: Path, seed: int = 0) -> Path:
    """The candidate's objects as a model's COCO results (scores drawn in 0.3-1, polygons kept)."""
    from pixelproof.core.coco import load_project

    rng = np.random.default_rng(seed + 2)
    p = load_project(candidate)
    results = [
        {
            "image_id": a.image_id,
            "category_id": a.category_id,
            "bbox": list(a.bbox),
            "score": round(float(rng.uniform(0.3, 1.0)), 3),
            "segmentation": a.segmentation,
        }
        for a in p.annotations.values()
    ]
    out.write_text(json.dumps(results))
    return out


def dense_best_ious(preds: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The former ``prediction_checks._best_ious``: every prediction against every label (a block of 256
    predictions at a time), the reference for the overlapping-pairs one."""
    best = np.zeros(len(preds))
    arg = np.zeros(len(preds), dtype=int)
    for start in range(0, len(preds), 256):
        p = preds[start : start + 256, None, :]
        ix = np.clip(
            np.minimum(p[..., 0] + p[..., 2], labels[:, 0] + labels[:, 2])
            - np.maximum(p[..., 0], labels[:, 0]),
            0,
            None,
        )
        iy = np.clip(
            np.minimum(p[..., 1] + p[..., 3], labels[:, 1] + labels[:, 3])
            - np.maximum(p[..., 1], labels[:, 1]),
            0,
            None,
        )
        inter = ix * iy
        union = p[..., 2] * p[..., 3] + labels[:, 2] * labels[:, 3] - inter
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        best[start : start + 256] = iou.max(axis=1)
        arg[start : start + 256] = iou.argmax(axis=1)
    return best, arg


def bench_layout_check(ref: Path, preds: Path, repeat: int = 5) -> None:
    """lint --predictions' layout check on the tile (its confident predictions, at most
    ``MAX_PREDICTIONS``, as boxes read and as corners), against ``dense_best_ious``."""
    import statistics
    import time

    from pixelproof.core.coco import load_project
    from pixelproof.core.lint import prediction_checks as pc

    labels = np.array([a.bbox for a in load_project(ref).annotations.values()], dtype=float)
    found = [r for r in json.loads(preds.read_text()) if r["score"] >= pc.SCORE][: pc.MAX_PREDICTIONS]
    boxes = np.array([r["bbox"] for r in found], dtype=float)
    corners = boxes.copy()
    corners[:, 2:] -= corners[:, :2]
    ours, dense = [], []
    for _ in range(repeat):
        for fn, times in ((pc._best_ious, ours), (dense_best_ious, dense)):
            t = time.perf_counter()
            got = [fn(b, labels) for b in (boxes, corners)]
            times.append(time.perf_counter() - t)
            if fn is pc._best_ious:
                mine = got
        same = all(
            np.array_equal(a, b) for x, y in zip(mine, got, strict=True) for a, b in zip(x, y, strict=True)
        )
    o, d = statistics.median(ours), statistics.median(dense)
    print(
        f"lint --predictions layout check, {len(boxes):,} predictions x {len(labels):,} labels twice: "
        f"overlapping pairs {o:.3f} s, every pair {d:.3f} s (ratio {o / d:.3f}; same figures: {same})"
    )


def main(argv: list[str]) -> int:
    from bench.scale import run_cli

    ap = argparse.ArgumentParser(prog="python -m bench crowded")
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--only", default="", help="comma-separated command labels to run (default: all)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pixelproof-crowded-") as tmp:
        folder = Path(tmp)
        ref, cand, cand2 = make_projects(folder, args.objects)
        shards = write_shards((ref, cand, cand2))
        preds = write_predictions(cand, folder / "predictions.json")
        merged = folder / "merged.json"
        n = args.objects
        dense = n * n * 8
        print(
            f"one image, {n:,} reference objects, up to {n:,} objects in each of two candidates (2 classes)"
        )
        print(
            f"dense IoU table per matching pass, not built: {n:,} x {n:,} x 8 bytes = {dense / 1e6:,.0f} MB"
        )
        runs = (
            ("qa", ["qa", str(ref), str(cand), "--json", str(folder / "qa.json")]),
            ("agreement", ["agreement", str(ref), str(cand), "--json", str(folder / "agreement.json")]),
            ("lint", ["lint", str(ref), "--json", str(folder / "lint.json")]),
            (
                "lint --predictions",
                ["lint", str(ref), "--predictions", str(preds), "--json", str(folder / "lint-model.json")],
            ),
            ("diff", ["diff", str(ref), str(cand), "--json"]),
            ("diff (re-created ids)", ["diff", str(ref), str(cand2), "--json"]),
            ("merge (3 shards)", ["merge", *map(str, shards), "-o", str(merged)]),
            (
                "consensus --method majority",
                ["consensus", str(merged), "--method", "majority", "-o", str(folder / "c-majority.json")],
            ),
            (
                "consensus --method staple",
                ["consensus", str(merged), "--method", "staple", "-o", str(folder / "c-staple.json")],
            ),
            ("validate", ["validate", str(merged)]),
            ("info", ["info", str(merged), "--json"]),
        )
        only = {s.strip() for s in args.only.split(",") if s.strip()}
        for name, argv_ in runs:
            if only and name.split()[0] not in only and name not in only:
                continue
            if name.startswith(("consensus", "validate", "info")) and not merged.exists():
                run_cli(folder, ["merge", *map(str, shards), "-o", str(merged)])
            f = run_cli(folder, argv_)
            print(
                f"pixelproof {name}: {f['seconds']:.1f} s ({f['cpu']:.1f} s CPU), peak memory "
                f"{f['rss_kb'] / 1024:,.0f} MB (exit {f['code']})"
            )
            ok = (0, 1) if name.startswith("lint") else (0,)  # lint exits 1 when it found problems
            if f["code"] not in ok:  # a run that failed: its seconds are of the error, not a figure
                print(f"  FAILED: the figures above are of an error, not of {name}")
            if name == "lint --predictions":
                bench_layout_check(ref, preds)
    return 0
