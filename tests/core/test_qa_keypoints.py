"""QA's keypoint figures (OKS, COCO keypoint AP) checked against pycocotools' own
``COCOeval(iouType='keypoints')`` on random projects: the same objects written as a COCO ground truth and
a results file, the 10 figures of ``summarize`` compared to 1e-9, overall and per class.

The scenes hold what COCOeval handles specially: reference objects with no labelled keypoint
(``num_keypoints`` 0: ignored, measured by their doubled box), crowd regions (their keypoints 0 0 0, as in
COCO's person_keypoints), occluded and not labelled points, missed and extra objects, detections of tied
scores, more than 20 detections on an image, objects in every keypoint area range, and a reference image
the candidate lacks (every object on it missed, as COCOeval counts it).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from pixelproof.core.keypoint_oks import COCO_PERSON_SIGMAS, KEYPOINT_STATS, oks, sigmas_for
from pixelproof.core.keypoints import Keypoints
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import run_qa
from pixelproof.core.report import to_dict
from pixelproof.core.report_ap import write_objects_csv

SIZE = 400


def _points(rng, box, k, labelled=True):
    x, y, w, h = box
    out = []
    for _ in range(k):
        v = int(rng.choice([0, 1, 2, 2])) if labelled else 0
        px, py = (float(rng.uniform(x, x + w)), float(rng.uniform(y, y + h))) if v else (0.0, 0.0)
        out += [round(px, 2), round(py, 2), v]
    return out


def scene(seed: int, k: int, classes: tuple[str, ...]):
    """(reference objects, candidate objects) per image: dicts of image, category, bbox, area, iscrowd,
    keypoints, score; image 4 of the reference has no candidate image."""
    rng = np.random.default_rng(seed)
    refs, cands = [], []
    for image in range(1, 6):
        n = int(rng.integers(2, 9)) if image != 3 else 40  # image 3: over 20 detections
        for _ in range(n):
            cat = str(rng.choice(classes))
            side = float(rng.choice([20, 50, 90, 150]))  # small (no range of its own), medium, large
            w, h = side * float(rng.uniform(0.6, 1.4)), side * float(rng.uniform(0.6, 1.4))
            x, y = float(rng.uniform(0, SIZE - w)), float(rng.uniform(0, SIZE - h))
            box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            kind = rng.choice(["pair", "pair", "pair", "miss", "extra", "unlabelled", "crowd"])
            area = round(w * h * float(rng.uniform(0.5, 0.9)), 2)
            ref = {"image": image, "category": cat, "bbox": box, "area": area, "iscrowd": 0}
            if kind == "crowd":
                refs.append({**ref, "iscrowd": 1, "keypoints": [0, 0, 0] * k})
            elif kind != "extra":
                refs.append({**ref, "keypoints": _points(rng, box, k, labelled=kind != "unlabelled")})
            if kind in ("miss",) or image == 4:
                continue
            if kind == "extra" or kind == "crowd":
                pts = _points(rng, box, k)
            else:
                g = np.array(refs[-1]["keypoints"], dtype=float).reshape(k, 3)
                jitter = rng.normal(0, float(rng.choice([1, 4, 10])), (k, 2))
                pts = np.column_stack([g[:, :2] + jitter, np.full(k, 2.0)])
                pts = [round(float(v), 2) for v in pts.ravel()]
            score = float(rng.choice([0.9, 0.5, round(float(rng.uniform(0, 1)), 3)]))  # ties across objects
            cands.append({"image": image, "category": cat, "bbox": box, "area": 0.0, "iscrowd": 0,
                          "keypoints": pts, "score": score})  # fmt: skip
    return refs, cands


def _project(objects, classes, k, images) -> Project:
    p = Project()
    for i in images:
        p.add_image(ImageRecord(i, f"{i}.png", SIZE, SIZE))
    for i, c in enumerate(classes, start=1):
        p.add_category(Category(i, c, extra={"keypoints": [f"p{j}" for j in range(k)]}))
    for n, o in enumerate(objects, start=1):
        a = Annotation(n, o["image"], classes.index(o["category"]) + 1, list(o["bbox"]), None, o["area"],
                       o["iscrowd"], o.get("score"))  # fmt: skip
        a.extra["keypoints"] = list(o["keypoints"])
        p.add_annotation(a)
    return p


def _cocoeval(refs, cands, classes, k) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``COCOeval.stats`` overall and per class (``params.catIds`` one class at a time)."""
    gt = COCO()
    gt.dataset = {
        "images": [{"id": i, "width": SIZE, "height": SIZE} for i in range(1, 6)],
        "categories": [{"id": i, "name": c} for i, c in enumerate(classes, start=1)],
        "annotations": [
            {"id": n, "image_id": o["image"], "category_id": classes.index(o["category"]) + 1,
             "bbox": o["bbox"], "area": o["area"], "iscrowd": o["iscrowd"], "keypoints": o["keypoints"],
             "num_keypoints": sum(1 for v in o["keypoints"][2::3] if v > 0)}
            for n, o in enumerate(refs, start=1)
        ],
    }  # fmt: skip
    gt.createIndex()
    dt = gt.loadRes(
        [{"image_id": o["image"], "category_id": classes.index(o["category"]) + 1,
          "keypoints": o["keypoints"], "score": o["score"]} for o in cands]
    )  # fmt: skip

    def run(cat_ids=None) -> np.ndarray:
        ev = COCOeval(gt, dt, "keypoints")
        ev.params.kpt_oks_sigmas = sigmas_for(k)
        if cat_ids is not None:
            ev.params.catIds = cat_ids
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        return ev.stats

    return run(), {c: run([i]) for i, c in enumerate(classes, start=1)}


@pytest.mark.parametrize(("seed", "k", "classes"), [(1, 17, ("person", "robot")), (2, 17, ("person",)),
                                                    (3, 5, ("hand",)), (4, 5, ("hand",))])  # fmt: skip
def test_keypoint_ap_is_cocoevals(seed, k, classes, capsys):
    refs, cands = scene(seed, k, classes)
    result = run_qa(_project(refs, classes, k, range(1, 6)), _project(cands, classes, k, (1, 2, 3, 5)))
    section = result.keypoints
    assert section is not None and section["computed"], section
    overall, per_class = _cocoeval(refs, cands, classes, k)
    capsys.readouterr()
    ours = [section["summary"][n] for n in KEYPOINT_STATS]
    assert np.allclose([-1 if v is None else v for v in ours], overall, atol=1e-9), (ours, overall)
    assert 0 < overall[0] < 1  # neither trivially right nor wrong
    for row in section["per_class"]:
        mine = [-1 if row[n] is None else row[n] for n in KEYPOINT_STATS]
        assert np.allclose(mine, per_class[row["category"]], atol=1e-9), row["category"]


def test_oks_of_a_pair_is_computeokss():
    """One pair's OKS is COCOeval's value for it: labelled points only, the reference's area as scale."""
    rng = np.random.default_rng(7)
    box = [50.0, 60.0, 120.0, 200.0]
    g = _points(rng, box, 17)
    d = [round(v + float(rng.normal(0, 5)), 2) if i % 3 != 2 else 2 for i, v in enumerate(g)]
    ref = Keypoints([tuple(g[i : i + 3]) for i in range(0, 51, 3)], [], [], "coco")
    cand = Keypoints([tuple(d[i : i + 3]) for i in range(0, 51, 3)], [], [], "coco")
    labelled = np.array(g[2::3]) > 0
    dist2 = (np.array(d[0::3]) - g[0::3]) ** 2 + (np.array(d[1::3]) - g[1::3]) ** 2
    e = dist2 / (2 * COCO_PERSON_SIGMAS) ** 2 / (9000 + np.spacing(1)) / 2
    assert oks(ref, cand, 9000.0, box) == pytest.approx(float(np.exp(-e[labelled]).mean()), abs=1e-12)
    assert oks(ref, Keypoints(cand.points[:5], [], [], "coco"), 9000.0, box) is None  # not one layout


def test_matched_pairs_carry_oks_in_report_and_csv(tmp_path):
    """Each matched pair's OKS is in ``per_object`` and the objects CSV, and the class's mean OKS is
    their mean; without scores the section says why AP is not computed."""
    classes = ("person",)
    refs, cands = scene(5, 17, classes)
    for c in cands:
        c.pop("score")
    result = run_qa(_project(refs, classes, 17, range(1, 6)), _project(cands, classes, 17, (1, 2, 3, 5)))
    data = to_dict(result)
    section = data["keypoints"]
    assert not section["computed"] and section["reason"] == "the candidate's objects carry no scores"
    pairs = [r for r in data["per_object"] if r["status"] == "match" and r["oks"] is not None]
    assert pairs and all(0 <= r["oks"] <= 1 for r in pairs)
    assert section["per_class"][0]["pairs"] == len(pairs)
    assert section["per_class"][0]["mean_oks"] == pytest.approx(np.mean([r["oks"] for r in pairs]))
    assert section["summary"]["mean_oks"] == section["per_class"][0]["mean_oks"]
    assert section["sigmas"].startswith("COCO's person sigmas")
    write_objects_csv(data, tmp_path / "objects.csv")
    lines = (tmp_path / "objects.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    column = header.index("oks")
    shown = [line.split(",")[column] for line in lines[1:] if line.split(",")[1] == "match"]
    assert sorted(float(v) for v in shown if v) == pytest.approx(sorted(r["oks"] for r in pairs))


def test_no_keypoint_section_without_keypoints_on_both_sides():
    classes = ("person",)
    refs, cands = scene(6, 17, classes)
    for c in cands:
        c["keypoints"] = []
    cand = _project(cands, classes, 17, (1, 2, 3, 5))
    for a in cand.annotations.values() if isinstance(cand.annotations, dict) else cand.annotations:
        a.extra.pop("keypoints", None)
    result = run_qa(_project(refs, classes, 17, range(1, 6)), cand)
    assert result.keypoints is None
    assert to_dict(result)["keypoints"] is None


def test_cli_prints_and_writes_the_keypoint_figures(tmp_path, capsys):
    """``pixelproof qa`` on two COCO files with person_keypoints: the terminal's and the HTML report's
    keypoint lines carry the JSON's figures, and the objects CSV each pair's OKS."""
    from pixelproof.cli import main
    from pixelproof.core.coco import save_project

    classes = ("person",)
    refs, cands = scene(8, 17, classes)
    save_project(_project(refs, classes, 17, range(1, 6)), tmp_path / "ref.json")
    save_project(_project(cands, classes, 17, (1, 2, 3, 5)), tmp_path / "cand.json")
    out = tmp_path / "qa.json"
    args = [
        "qa",
        tmp_path / "ref.json",
        tmp_path / "cand.json",
        "--json",
        out,
        "--html",
        tmp_path / "qa.html",
    ]
    main([str(a) for a in [*args, "--objects-csv", tmp_path / "objects.csv"]])
    printed = capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    s = data["keypoints"]["summary"]
    assert f"COCO AP, keypoints (keypoints): AP {s['AP']:.3f}  AP50 {s['AP50']:.3f}" in printed
    assert f"mean OKS {s['mean_oks']:.3f} over {s['pairs']} matched pairs" in printed
    page = (tmp_path / "qa.html").read_text(encoding="utf-8")
    assert "Keypoints: OKS and COCO keypoint AP" in page and f"<td>{s['ARl']:.3f}</td>" in page
    assert "oks" in (tmp_path / "objects.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")


@pytest.mark.parametrize("area", [0.0, -5.0, float("nan"), float("inf"), float("-inf")])
def test_oks_of_a_broken_area_or_far_points_is_between_0_and_1_never_nan(area):
    """COCOeval scales by ``area + eps``: an area of 0 counts only points exactly in place (as it does);
    a negative, NaN or infinite area (COCOeval: above 1, NaN) is taken as 0; points 1e200 px away, all-v0
    references and a box of NaN give 0, never NaN or infinity a report could not write."""
    ref = Keypoints([(10.0, 10.0, 2), (20.0, 20.0, 2), (0.0, 0.0, 0)], [], [], "coco")
    same = Keypoints(list(ref.points), [], [], "coco")
    near = Keypoints([(11.0, 10.0, 2), (20.0, 20.0, 2), (5.0, 5.0, 2)], [], [], "coco")
    far = Keypoints([(1e200, -1e200, 2)] * 3, [], [], "coco")
    unlabelled = Keypoints([(0.0, 0.0, 0)] * 3, [], [], "coco")
    box = [0.0, 0.0, 30.0, 30.0]
    assert oks(ref, same, area, box) == 1.0
    assert oks(ref, near, area, box) == pytest.approx(0.5)  # the moved point counts 0, the other 1
    assert oks(ref, far, area, box) == 0.0
    assert oks(unlabelled, same, area, box) == 1.0  # inside the doubled box
    assert oks(unlabelled, far, area, box) == 0.0
    assert oks(unlabelled, same, area, [float("nan")] * 4) == 0.0
    big = Keypoints([(1.0, 1.0, 2)] * 1000, [], [], "coco")
    assert oks(big, big, area, box) == 1.0  # 1,000 points: sigmas 1/1000


def test_oks_matrix_makes_the_detections_arrays_once_not_per_reference():
    """300 references x 300 detections: each detection's keypoints read once for all references (they
    were read and made an array again for each reference: 5 x 90,000 reads), the values each pair's OKS."""
    from types import SimpleNamespace

    from pixelproof.core.keypoint_oks import oks_matrix

    reads = [0]

    class Counted:
        def __init__(self, kp, box):
            self._kp, self.ann = kp, SimpleNamespace(bbox=box)

        @property
        def keypoints(self):
            reads[0] += 1
            return self._kp

    rng = np.random.default_rng(3)
    box = [50.0, 60.0, 120.0, 200.0]

    def kp(k):
        g = _points(rng, box, k)
        return Keypoints([tuple(g[i : i + 3]) for i in range(0, 3 * k, 3)], [], [], "coco")

    n = 300
    gts = [Counted(kp(17 if i % 3 else 5), box) for i in range(n)] + [Counted(None, box)]
    dts = [Counted(kp(17 if i % 4 else 5), box) for i in range(n)] + [Counted(None, box)]
    areas = [float(a) for a in rng.uniform(100, 9000, n + 1)]
    out = oks_matrix(dts, gts, areas)
    assert reads[0] <= 2 * (len(dts) + len(gts))
    for i, j in [(0, 0), (1, 1), (4, 3), (5, 2), (7, n), (n, 0)]:
        d, g = dts[i]._kp, gts[j]._kp
        ref = g if g is not None else Keypoints([(0.0, 0.0, 0)] * 17, [], [], "coco")
        want = 0.0 if d is None or len(d.points) != len(ref.points) else oks(ref, d, areas[j], box)
        assert out[i, j] == pytest.approx(want, abs=1e-12)
