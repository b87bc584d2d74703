"""QA speed and agreement: PixelProof's ``run_qa`` vs MedPy (``medpy.metric.binary``), object by object.

200 synthetic 1024x1024 image pairs with 10 filled ellipses each (2 classes); the candidate object is the
reference object dilated by 0-2 px and shifted by up to 3 px. We time every metric (semantic rows and all
per-object figures) on all pairs; MedPy computes Dice, HD and ASSD object by object on whole images for the
first 20 pairs (MedPy's ``hd`` = max of the directed maxima and ``assd`` = mean of both directed sets pooled,
both with connectivity-1 erosion borders: the same conventions as ours). Then the review view's refresh
after one edit (an object deleted): ``run_qa`` with the scores of the run before (``core.qa_cache``) against
a full re-score of the edited project, both with the Images table, per-class rows and summary made, in one
process, and whether their JSON reports are identical. ``python -m bench qa [--pairs N] [--medpy-pairs M]``.
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from pixelproof.core import masks
from pixelproof.core.edits import RemoveAnnotations
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import QAResult, run_qa
from pixelproof.core.qa_cache import ScoreCache
from pixelproof.core.report import to_dict

SIZE = 1024
OBJECTS = 10


def make_pairs(
    n: int, seed: int = 0, size: int = SIZE, objects: int = OBJECTS, keep_raw: bool = True
) -> tuple[Project, Project, list[list[tuple[np.ndarray, np.ndarray]]]]:
    """Reference and candidate projects plus the raw (reference, candidate) masks per image (only with
    ``keep_raw``: 1,000 images of masks would not fit in memory)."""
    rng = np.random.default_rng(seed)
    ref, cand = Project(), Project()
    for p in (ref, cand):
        p.add_category(Category(1, "a"))
        p.add_category(Category(2, "b"))
    raw: list[list[tuple[np.ndarray, np.ndarray]]] = []
    ann_id = 1
    for i in range(1, n + 1):
        ref.add_image(ImageRecord(i, f"img{i:04d}.png", size, size))
        cand.add_image(ImageRecord(i, f"img{i:04d}.png", size, size))
        objs = []
        for _ in range(objects):
            a = np.zeros((size, size), np.uint8)
            center = (int(rng.integers(80, size - 80)), int(rng.integers(80, size - 80)))
            axes = (int(rng.integers(15, 60)), int(rng.integers(15, 60)))
            cv2.ellipse(a, center, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
            k = int(rng.integers(0, 3))
            disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
            b = cv2.dilate(a, disk) if k else a
            dy, dx = (int(v) for v in rng.integers(-3, 4, 2))
            b = np.roll(b, (dy, dx), axis=(0, 1))
            a, b = a.astype(bool), b.astype(bool)
            cid = int(rng.integers(1, 3))
            for p, m in ((ref, a), (cand, b)):
                p.add_annotation(Annotation(ann_id, i, cid, masks.bbox(m), masks.encode(m), float(m.sum())))
            ann_id += 1
            objs.append((a, b))
        if keep_raw:
            raw.append(objs)
    return ref, cand, raw


def _shown(result: QAResult) -> QAResult:
    """Make what the review view shows of a run: the Images table, the per-class rows and the summary."""
    result.image_table()
    result.per_class()
    result.summary()
    return result


def refresh_after_one_edit(ref: Project, cand: Project) -> None:
    """The review view's refresh after one edit against a full re-score of the edited project (each with
    the tables the view shows), and whether their JSON reports are the same."""
    cache = ScoreCache()
    run_qa(ref, cand.snapshot(), cache=cache)  # the run shown before the edit
    image_id = next(iter(cand.images))
    RemoveAnnotations([next(iter(cand.annotations_of(image_id))).id]).apply(cand)
    t0 = time.perf_counter()
    full = _shown(run_qa(ref, cand.snapshot()))
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    refreshed = _shown(run_qa(ref, cand.snapshot(), cache=cache))
    t_refresh = time.perf_counter() - t0
    same = repr(to_dict(refreshed)) == repr(to_dict(full))  # NaN compares equal as text
    print(
        f"review refresh after one edit: {cache.scored} of {len(cand.images)} pairs scored again, "
        f"{t_refresh * 1e3:.0f} ms against {t_full:.2f} s for a full re-score: {t_full / t_refresh:.0f}x "
        f"faster; same JSON report: {'yes' if same else 'NO'}"
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench qa")
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--medpy-pairs", type=int, default=20)
    args = ap.parse_args(argv)
    print(f"building {args.pairs} image pairs {SIZE}x{SIZE} with {OBJECTS} ellipses each ...", flush=True)
    ref, cand, raw = make_pairs(args.pairs)
    n_obj = args.pairs * OBJECTS

    t0 = time.perf_counter()
    result = run_qa(ref, cand)
    ours = time.perf_counter() - t0
    ours_obj = ours / n_obj
    matched = {r.ref_id: r for r in result.per_object if r.status == "match" and r.ref_id == r.cand_id}
    print(
        f"PixelProof run_qa: all metrics (semantic per image/class + per object: Dice, IoU, HD, HD95, ASSD, "
        f"MASD, NSD, Boundary IoU, matching) on {args.pairs} pairs / {n_obj} objects: {ours:.2f} s "
        f"= {ours_obj * 1e3:.2f} ms per object"
    )
    refresh_after_one_edit(ref, cand)
    try:
        from medpy.metric import binary as medpy_binary
    except ImportError:
        print("MedPy is not installed (pip install medpy): comparison skipped.")
        return 0

    m_pairs = min(args.medpy_pairs, args.pairs)
    diffs = {"dice": 0.0, "hd": 0.0, "assd": 0.0}
    compared = 0
    t_medpy = 0.0
    ann_id = 0
    for objs in raw[:m_pairs]:
        for a, b in objs:
            ann_id += 1
            t = time.perf_counter()
            dc = medpy_binary.dc(b, a)
            hd = medpy_binary.hd(b, a)
            assd = medpy_binary.assd(b, a)
            t_medpy += time.perf_counter() - t
            row = matched.get(ann_id)
            if row is None:
                continue
            compared += 1
            for name, theirs in (("dice", dc), ("hd", hd), ("assd", assd)):
                diffs[name] = max(diffs[name], abs(row.value(name) - theirs))
    m_obj = m_pairs * OBJECTS
    medpy_obj = t_medpy / m_obj
    print(
        f"MedPy (dc + hd + assd, whole images) on {m_pairs} pairs / {m_obj} objects: {t_medpy:.2f} s "
        f"= {medpy_obj * 1e3:.1f} ms per object (Dice, HD, ASSD only)"
    )
    print(f"ratio: PixelProof is {medpy_obj / ours_obj:.0f}x faster per object (target >= 50x)")
    print(
        f"largest difference over {compared} matched objects: Dice {diffs['dice']:.2e}, "
        f"HD {diffs['hd']:.2e}, ASSD {diffs['assd']:.2e} (target <= 1e-6)"
    )
    return 0
