"""Lint speed: ``pixelproof.core.lint`` on 10,000 images x 20 objects, rules only and with predictions,
beside cleanlab's own ObjectLab scorer (``cleanlab.object_detection.rank.get_label_quality_scores``) on
the same labels and predictions.

Synthetic 640x480 images; per image 20 labels of 4 classes (12 boxes, 5 polygons of 24 vertices, 3 RLE
masks) placed at random (overlaps happen; no errors are planted: this measures throughput, the tests
measure finding), and 22 predictions (the labels jittered by a few pixels, scores 0.3-1, plus 2 extra).
cleanlab runs on the first ``--cleanlab-images`` images (its Python loops take minutes on all of them) and
is compared per object with our ObjectLab port on the same images (``objectlab.label_quality_scores``),
which must give the same image scores (max |diff| printed). Figures are the median of ``--repeat`` runs.
README's "Finding label problems" quotes the lines.
``python -m bench lint [--images N] [--repeat R] [--cleanlab-images M]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np

from pixelproof.core import mask_edit, masks, rle_codec
from pixelproof.core.lint import lint_project
from pixelproof.core.lint import objectlab as ol
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

W, H = 640, 480
CLASSES = 4
BOXES, POLYGONS, MASKS = 12, 5, 3


def make(n_images: int, seed: int = 0) -> tuple[Project, dict[int, list[Annotation]]]:
    rng = np.random.default_rng(seed)
    p = Project()
    for c in range(1, CLASSES + 1):
        p.add_category(Category(c, f"class{c}"))
    preds: dict[int, list[Annotation]] = {}
    aid = 1
    for iid in range(1, n_images + 1):
        p.add_image(ImageRecord(iid, f"img{iid:05d}.png", W, H))
        out = []
        for k in range(BOXES + POLYGONS + MASKS):
            cid = int(rng.integers(1, CLASSES + 1))
            w, h = (float(v) for v in rng.uniform(16, 90, 2))
            x, y = float(rng.uniform(0, W - w)), float(rng.uniform(0, H - h))
            if k < BOXES:
                ann = Annotation(aid, iid, cid, [x, y, w, h], None, w * h)
            elif k < BOXES + POLYGONS:
                t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
                r = rng.uniform(0.85, 1.0, 24)
                pts = np.stack([x + w / 2 * (1 + r * np.cos(t)), y + h / 2 * (1 + r * np.sin(t))], axis=1)
                poly = [np.round(pts.reshape(-1), 2).tolist()]
                ann = Annotation(aid, iid, cid, masks.polygons_bbox(poly), poly, w * h * 0.7)
            else:
                crop = np.zeros((int(h), int(w)), np.uint8)
                cv2.ellipse(
                    crop, (int(w) // 2, int(h) // 2), (int(w) // 2 - 1, int(h) // 2 - 1), 0, 0, 360, 1, -1
                )
                rect = (int(x), int(y), int(w), int(h))
                rle = rle_codec.region_rle(rect, crop.astype(bool), H, W)
                ann = Annotation(aid, iid, cid, mask_edit.rle_geometry(rle)[1], rle, float(crop.sum()))
            p.add_annotation(ann)
            aid += 1
            jitter = rng.normal(0, 2, 4)
            px, py = ann.bbox[0] + jitter[0], ann.bbox[1] + jitter[1]
            pw, ph = max(2.0, ann.bbox[2] + jitter[2]), max(2.0, ann.bbox[3] + jitter[3])
            out.append(
                Annotation(-1, iid, cid, [px, py, pw, ph], None, pw * ph, score=float(rng.uniform(0.3, 1)))
            )
        for _ in range(2):
            w, h = (float(v) for v in rng.uniform(16, 60, 2))
            x, y = float(rng.uniform(0, W - w)), float(rng.uniform(0, H - h))
            cid = int(rng.integers(1, CLASSES + 1))
            out.append(Annotation(-1, iid, cid, [x, y, w, h], None, w * h, score=float(rng.uniform(0.3, 1))))
        preds[iid] = out
    return p, preds


def cleanlab_format(project: Project, preds: dict[int, list[Annotation]], n: int):
    labels, predictions, ours = [], [], []
    for iid in sorted(project.images)[:n]:
        anns = sorted(project.annotations_of(iid), key=lambda a: a.id)
        lb = np.array([[x, y, x + w, y + h] for x, y, w, h in (a.bbox for a in anns)]).reshape(-1, 4)
        ll = np.array([a.category_id - 1 for a in anns], dtype=int)
        ps = preds[iid]
        pb = np.array([[x, y, x + w, y + h] for x, y, w, h in (a.bbox for a in ps)]).reshape(-1, 4)
        pl = np.array([a.category_id - 1 for a in ps], dtype=int)
        pp = np.array([a.score for a in ps])
        labels.append({"bboxes": lb, "labels": ll})
        predictions.append([np.c_[pb[pl == k], pp[pl == k]].reshape(-1, 5) for k in range(CLASSES)])
        ours.append(ol.ImageBoxes.make(lb, ll, pb, pl, pp))
    return labels, predictions, ours


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench lint")
    ap.add_argument("--images", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cleanlab-images", type=int, default=500)
    args = ap.parse_args(argv)
    shape = f"{BOXES} boxes, {POLYGONS} polygons, {MASKS} masks"
    print(f"building {args.images} images x {BOXES + POLYGONS + MASKS} objects ({shape}) ...", flush=True)
    project, preds = make(args.images)
    n_obj = len(project.annotations)
    n_pred = sum(len(v) for v in preds.values())
    runs = f"median of {args.repeat}"
    secs, result = timed(lambda: lint_project(project), args.repeat)
    print(
        f"lint: rules only, {args.images} images / {n_obj} objects: {secs:.1f} s = {n_obj / secs:,.0f} "
        f"objects/s ({len(result.problems)} problems; {runs})"  # type: ignore[attr-defined]
    )
    secs_m, result = timed(lambda: lint_project(project, predictions=preds), args.repeat)
    print(
        f"lint: with {n_pred} predictions, {args.images} images / {n_obj} objects: {secs_m:.1f} s = "
        f"{n_obj / secs_m:,.0f} objects/s ({len(result.problems)} problems; {runs})"  # type: ignore[attr-defined]
    )
    try:
        from cleanlab.object_detection.rank import get_label_quality_scores
    except ImportError:
        print("cleanlab is not installed (pip install 'cleanlab>=2.9'): reference skipped.")
        return 0
    m = min(args.cleanlab_images, args.images)
    labels, predictions, ours = cleanlab_format(project, preds, m)
    m_obj = sum(len(lab["labels"]) for lab in labels)
    t_ref, theirs = timed(lambda: get_label_quality_scores(labels, predictions, verbose=False), 1)
    t_ours, (mine, _) = timed(lambda: ol.label_quality_scores(ours), args.repeat)  # type: ignore[misc]
    diff = float(np.max(np.abs(np.asarray(theirs) - mine)))
    print(
        f"reference: cleanlab {_version()} get_label_quality_scores, {m} images / {m_obj} objects: "
        f"{t_ref:.2f} s = {m_obj / t_ref:,.0f} objects/s"
    )
    print(
        f"ratio: PixelProof's ObjectLab port on the same {m} images: {t_ours:.3f} s = {m_obj / t_ours:,.0f} "
        f"objects/s, {t_ref / t_ours:.0f}x cleanlab (max |image score difference| {diff:.1e}); "
        f"the whole lint with predictions runs {n_obj / secs_m / (m_obj / t_ref):.1f}x cleanlab's objects/s"
    )
    return 0


def _version() -> str:
    import importlib.metadata

    return importlib.metadata.version("cleanlab")
