"""COCO AP of a candidate's scored objects (``core.qa_ap``) checked against pycocotools' ``COCOeval`` run
on the very same two COCO files, and the class confusion matrix against sklearn's ``confusion_matrix``.

Real data: LabelMe's instance-segmentation example exported to COCO (the reference); candidates are made
from it with seeded randomness: objects dropped, outlines shifted and scaled, classes swapped, repeats
and extra boxes added, each with a random score (some rounded, so scores tie across images). A second
set of scenes has crowd regions (``tests.core.test_qa_cocoeval.scene``) and objects of every area range.
Both tools read the same files; figures must agree to 1e-6 (COCOeval's -1 is our None).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from sklearn.metrics import confusion_matrix

from pixelproof.core import coco
from pixelproof.core.qa import run_qa
from pixelproof.core.qa_ap import STAT_NAMES
from pixelproof.core.report_ap import ap_html, ap_lines
from tests.core.test_qa_cocoeval import CATS, SIZE, scene

FIXTURE = Path("labelme/instance_segmentation/data_dataset_coco/annotations.json")


def reference_data(shared_fixtures: Path) -> dict:
    """The LabelMe COCO export with ids from 1: pycocotools reads an object of id 0 as unmatched."""
    data = json.loads((shared_fixtures / FIXTURE).read_text())
    for im in data["images"]:
        im["id"] += 1
    for a in data["annotations"]:
        a["id"] += 1
        a["image_id"] += 1
    return data


def _geometry(polys: list[list[float]], h: int, w: int) -> tuple[list[float], float]:
    rle = mask_utils.merge(mask_utils.frPyObjects(polys, h, w))
    return [float(v) for v in mask_utils.toBbox(rle)], float(mask_utils.area(rle))


def candidate_data(
    ref: dict, seed: int, jitter: float = 0.08, tie: bool = False, where: list[int] | None = None
) -> tuple[dict, list]:
    """A candidate made from ``ref`` and the (reference class, candidate class) of what was made, None
    for the background (a dropped object's candidate side, an extra's reference side); ``where`` (if
    given) gets each of those pairs' image id, in the same order."""
    rng = np.random.default_rng(seed)
    sizes = {im["id"]: (im["height"], im["width"]) for im in ref["images"]}
    used = sorted({a["category_id"] for a in ref["annotations"]})
    names = {c["id"]: c["name"] for c in ref["categories"]}
    anns, truth = [], []

    def add(image_id: int, cat: int, polys: list[list[float]]) -> None:
        h, w = sizes[image_id]
        bbox, area = _geometry(polys, h, w)
        score = float(rng.uniform(0.05, 1.0))
        score = round(score, 1) if tie else score
        anns.append({"id": len(anns) + 1, "image_id": image_id, "category_id": cat, "segmentation": polys,
                     "bbox": bbox, "area": area, "iscrowd": 0, "score": score})  # fmt: skip

    for a in ref["annotations"]:
        if rng.random() < 0.2:
            truth.append((names[a["category_id"]], None))
            where is not None and where.append(a["image_id"])
            continue
        cat = (
            a["category_id"]
            if rng.random() < 0.8
            else int(rng.choice([c for c in used if c != a["category_id"]]))
        )
        x, y, bw, bh = a["bbox"]
        for repeat in range(2 if rng.random() < 0.25 else 1):
            s = 1 + rng.normal(0, jitter)
            dx, dy = rng.normal(0, jitter * bw), rng.normal(0, jitter * bh)
            polys = []
            for p in a["segmentation"]:
                xs, ys = np.array(p[0::2]), np.array(p[1::2])
                cx, cy = x + bw / 2, y + bh / 2
                q = np.empty(len(p))
                q[0::2], q[1::2] = cx + (xs - cx) * s + dx, cy + (ys - cy) * s + dy
                polys.append(q.tolist())
            add(a["image_id"], cat, polys)
            truth.append((names[a["category_id"]], names[cat]) if repeat == 0 else (None, names[cat]))
            where is not None and where.append(a["image_id"])
    for im in ref["images"]:  # extra boxes clear of every reference object
        boxes = [a["bbox"] for a in ref["annotations"] if a["image_id"] == im["id"]]
        for _ in range(40):
            w, h = rng.uniform(5, 60, 2)
            x0, y0 = rng.uniform(0, im["width"] - w), rng.uniform(0, im["height"] - h)
            if any(x0 < bx + bw and bx < x0 + w and y0 < by + bh and by < y0 + h for bx, by, bw, bh in boxes):
                continue
            cat = int(rng.choice(used))
            add(im["id"], cat, [[x0, y0, x0 + w, y0, x0 + w, y0 + h, x0, y0 + h]])
            truth.append((None, names[cat]))
            where is not None and where.append(im["id"])
            boxes.append([x0, y0, w, h])
            if len(boxes) > 12:
                break
    return {**ref, "annotations": anns}, truth


def cocoeval(ref_file: Path, cand_file: Path, iou_type: str) -> COCOeval:
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(COCO(str(ref_file)), COCO(str(cand_file)), iou_type)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev


def _class_ap(ev: COCOeval, k: int) -> float | None:
    p = ev.eval["precision"][:, :, k, 0, -1]
    return float(np.mean(p[p > -1])) if (p > -1).any() else None


def check_against_cocoeval(tmp_path: Path, ref: dict, cand: dict) -> dict:
    ref_file, cand_file = tmp_path / "ref.json", tmp_path / "cand.json"
    ref_file.write_text(json.dumps(ref))
    cand_file.write_text(json.dumps(cand))
    result = run_qa(coco.load_project(ref_file), coco.load_project(cand_file))
    assert result.ap["computed"], result.ap
    names = {c["id"]: c["name"] for c in ref["categories"]}
    for iou_type in ("bbox", "segm"):
        ev = cocoeval(ref_file, cand_file, iou_type)
        ours = result.ap[iou_type]
        for name, want in zip(STAT_NAMES, ev.stats, strict=True):
            got = ours["summary"][name]
            assert (got is None) == (want == -1), (iou_type, name, got, want)
            if got is not None:
                assert abs(got - want) < 1e-6, (iou_type, name, got, want)
        by_name = {r["category"]: r for r in ours["per_class"]}
        for k, cat_id in enumerate(ev.params.catIds):
            want = _class_ap(ev, k)
            got = by_name.get(names[cat_id], {}).get("AP")
            assert (got is None) == (want is None), (iou_type, names[cat_id], got, want)
            if got is not None:
                assert abs(got - want) < 1e-6, (iou_type, names[cat_id], got, want)
            check_pr_curve(ev, k, by_name.get(names[cat_id], {}), result.ap["recall_points"])
    return result


def check_pr_curve(ev: COCOeval, k: int, row: dict, recall_points: list[float]) -> None:
    """A class's precision-recall curve (``pr_curve``) is COCOeval's ``eval['precision']`` and the scores
    reached at each recall point its ``eval['scores']``, at IoU 0.50 and 0.75 (all areas, 100 detections),
    None where COCOeval has -1 (no reference object)."""
    assert np.allclose(recall_points, ev.params.recThrs)
    curve = row.get("pr_curve")
    want_p = ev.eval["precision"][:, :, k, 0, -1]
    want_s = ev.eval["scores"][:, :, k, 0, -1]
    if (want_p == -1).all():
        assert curve is None, curve
        return
    assert curve is not None and curve["iou"] == [0.5, 0.75], curve
    for i, thr in enumerate(curve["iou"]):
        t = int(np.argmin(np.abs(ev.params.iouThrs - thr)))
        assert np.allclose(curve["precision"][i], want_p[t], atol=1e-9), (
            thr,
            curve["precision"][i],
            want_p[t],
        )
        assert np.allclose(curve["score"][i], want_s[t], atol=1e-9), (thr, curve["score"][i], want_s[t])
    assert abs(np.mean(curve["precision"][0]) - row["AP50"]) < 1e-9  # AP50 is the curve's mean


@pytest.mark.parametrize("seed", range(4))
def test_ap_of_jittered_labelme_objects_equals_cocoeval(tmp_path, shared_fixtures, seed):
    ref = reference_data(shared_fixtures)
    cand, _ = candidate_data(ref, seed, tie=seed % 2 == 1)
    result = check_against_cocoeval(tmp_path, ref, cand)
    ap = result.ap["segm"]["summary"]["AP"]
    assert 0.05 < ap < 0.95, ap  # neither trivially perfect nor nothing found


def _scene_data(seeds: range) -> tuple[dict, dict]:
    """Crowd scenes, one image per seed, with objects scaled so every area range has some."""
    cats = [{"id": i, "name": c} for i, c in enumerate(CATS, start=1)]
    rng = np.random.default_rng(7)
    sides = {"ref": [], "cand": []}
    images = []
    for n, seed in enumerate(seeds, start=1):
        images.append({"id": n, "file_name": f"s{seed}.png", "width": SIZE * 5, "height": SIZE * 5})
        refs, cands = scene(seed)
        scale = (1, 2, 5)[n % 3]
        for side, objs in (("ref", refs), ("cand", cands)):
            for cat, m, crowd in objs:
                big = np.kron(m, np.ones((scale, scale), dtype=bool))
                big = np.pad(big, ((0, SIZE * (5 - scale)), (0, SIZE * (5 - scale))))
                rle = mask_utils.encode(np.asfortranarray(big.astype(np.uint8)))
                rle["counts"] = rle["counts"].decode()
                a = {"id": len(sides[side]) + 1, "image_id": n, "category_id": CATS.index(cat) + 1,
                     "segmentation": rle, "bbox": [float(v) for v in mask_utils.toBbox(rle)],
                     "area": float(mask_utils.area(rle)), "iscrowd": int(crowd)}  # fmt: skip
                if side == "cand":
                    a["iscrowd"], a["score"] = 0, round(float(rng.uniform(0, 1)), 2)
                sides[side].append(a)
    return tuple({"images": images, "categories": cats, "annotations": sides[s]} for s in ("ref", "cand"))  # type: ignore[return-value]


def test_ap_with_crowd_regions_and_area_ranges_equals_cocoeval(tmp_path):
    ref, cand = _scene_data(range(6))
    result = check_against_cocoeval(tmp_path, ref, cand)
    s = result.ap["bbox"]["summary"]
    assert all(s[k] is not None for k in ("APs", "APm", "APl")), s  # every range has reference objects


def test_confusion_matrix_equals_sklearn_on_the_made_pairs(tmp_path, shared_fixtures):
    ref = reference_data(shared_fixtures)
    cand, truth = candidate_data(ref, seed=1, jitter=0.01)  # small shifts: each pairs with its source
    ref_file, cand_file = tmp_path / "ref.json", tmp_path / "cand.json"
    ref_file.write_text(json.dumps(ref))
    cand_file.write_text(json.dumps(cand))
    result = run_qa(coco.load_project(ref_file), coco.load_project(cand_file))
    labels = result.confusion["labels"]
    assert labels[-1] == "background"
    y_true = [r if r is not None else "background" for r, _ in truth]
    y_pred = [c if c is not None else "background" for _, c in truth]
    assert {"background"} < set(y_true) and {"background"} < set(y_pred)  # misses and extras
    assert any(r != c and "background" not in (r, c) for r, c in zip(y_true, y_pred, strict=True))  # swaps
    want = confusion_matrix(y_true, y_pred, labels=labels)
    assert result.confusion["matrix"] == want.tolist()


def test_confusion_images_are_the_images_of_each_cells_made_pairs(tmp_path, shared_fixtures):
    """The review view lists a clicked cell's images (``confusion_images``): per cell, the images where
    the made candidate put that (reference class, candidate class) pair, missed and extra ones too."""
    ref = reference_data(shared_fixtures)
    where: list[int] = []
    cand, truth = candidate_data(ref, seed=1, jitter=0.01, where=where)
    ref_file, cand_file = tmp_path / "ref.json", tmp_path / "cand.json"
    ref_file.write_text(json.dumps(ref))
    cand_file.write_text(json.dumps(cand))
    result = run_qa(coco.load_project(ref_file), coco.load_project(cand_file))
    labels = result.confusion["labels"]
    want: dict[tuple[int, int], set[int]] = {}
    for (r, c), image_id in zip(truth, where, strict=True):
        cell = (labels.index(r or "background"), labels.index(c or "background"))
        want.setdefault(cell, set()).add(image_id)
    got = {cell: set(ids) for cell, ids in result.confusion_images.items()}  # only the cells counting any
    assert got == want
    assert len(want) > 4 and any(len(ids) > 1 for ids in want.values())  # several cells, several images
    assert all(ids == sorted(ids) for ids in result.confusion_images.values())


def test_ap_is_not_computed_without_scores_on_every_candidate_object(tmp_path, shared_fixtures):
    ref = reference_data(shared_fixtures)
    cand, _ = candidate_data(ref, seed=3)
    for a in cand["annotations"][:2]:
        del a["score"]
    ref_file, cand_file = tmp_path / "ref.json", tmp_path / "cand.json"
    ref_file.write_text(json.dumps(ref))
    cand_file.write_text(json.dumps(cand))
    result = run_qa(coco.load_project(ref_file), coco.load_project(cand_file))
    assert not result.ap["computed"] and "2 candidate objects" in result.ap["reason"], result.ap
    for a in cand["annotations"]:
        a.pop("score", None)
    cand_file.write_text(json.dumps(cand))
    result = run_qa(coco.load_project(ref_file), coco.load_project(cand_file))
    assert not result.ap["computed"] and "no scores" in result.ap["reason"], result.ap
    assert sum(map(sum, result.confusion["matrix"])) > 0  # the confusion matrix needs no scores


def _box(i: int, image: int, cat: int, x: float, y: float, w: float, h: float, **extra) -> dict:
    return {"id": i, "image_id": image, "category_id": cat, "bbox": [x, y, w, h], "area": w * h,
            "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]], "iscrowd": 0, **extra}  # fmt: skip


def test_ap_of_stacked_equal_objects_and_tied_scores_equals_cocoeval(tmp_path):
    """Equal IoUs everywhere: stacks of equal reference objects (some crowd, some outside an area range)
    under stacks of equal detections of tied scores, more than 100 of them, so which object a detection
    takes among equals, and the cut at 100, decide the figures."""
    cats = [{"id": 1, "name": "cell"}, {"id": 2, "name": "nucleus"}]
    images = [{"id": n, "file_name": f"s{n}.png", "width": 300, "height": 300} for n in (1, 2)]
    ref, cand = [], []
    rng = np.random.default_rng(5)
    for image in (1, 2):
        for k in range(60):
            size = (20, 40, 120)[k % 3]  # small, medium, large
            crowd = int(k % 7 == 0)
            ref.append(_box(len(ref) + 1, image, 1 + k % 2, 10, 10, size, size, iscrowd=crowd))
        for k in range(130):
            size = (20, 40, 120)[k % 3] + float(rng.choice([0, 1, 2]))
            score = float(rng.choice([0.3, 0.6, 0.9]))
            cand.append(_box(len(cand) + 1, image, 1 + k % 2, 10, 10, size, size, score=score))
    for image, (a, b) in ((1, (200, 210)), (2, (210, 200))):  # equal IoUs with two objects: the
        ref += [_box(len(ref) + 1 + i, image, 1, x, 200, 20, 20) for i, x in enumerate((a, b))]  # first
        # detection, of equal IoU with both, must take the later one, so this second one is matched
        cand.append(_box(len(cand) + 1, image, 1, 205, 200, 20, 20, score=0.99))
        cand.append(_box(len(cand) + 1, image, 1, a, 200, 20, 20, score=0.98))
    check_against_cocoeval(
        tmp_path,
        {"images": images, "categories": cats, "annotations": ref},
        {"images": images, "categories": cats, "annotations": cand},
    )


def test_confusion_background_label_is_no_class_name(tmp_path):
    """Classes named "background" and "(background)" (a hand-made project): the matrix's background
    row and column must be told apart from both (before: two labels read "(background)")."""
    cats = [{"id": 1, "name": "background"}, {"id": 2, "name": "(background)"}]
    images = [{"id": 1, "file_name": "a.png", "width": 100, "height": 100}]
    ref = [_box(1, 1, 1, 10, 10, 20, 20), _box(2, 1, 2, 50, 50, 20, 20)]
    cand = [_box(1, 1, 1, 10, 10, 20, 20, score=0.9), _box(2, 1, 2, 5, 60, 10, 10, score=0.8)]
    for name, data in (("ref", ref), ("cand", cand)):
        (tmp_path / f"{name}.json").write_text(
            json.dumps({"images": images, "categories": cats, "annotations": data})
        )
    result = run_qa(coco.load_project(tmp_path / "ref.json"), coco.load_project(tmp_path / "cand.json"))
    labels, matrix = result.confusion["labels"], result.confusion["matrix"]
    assert len(set(labels)) == len(labels), labels
    assert labels[:2] == ["(background)", "background"] or labels[:2] == ["background", "(background)"]
    by = {name: i for i, name in enumerate(labels)}
    assert matrix[by["(background)"]][-1] == 1  # its object missed
    assert matrix[-1][by["(background)"]] == 1  # and a candidate one extra


def _empty_candidate_files(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A reference of boxes in two images, one class (``nucleus``) with no object, and a candidate of
    the same images with no object at all."""
    cats = [{"id": 1, "name": "cell"}, {"id": 2, "name": "nucleus"}, {"id": 3, "name": "dot"}]
    images = [{"id": n, "file_name": f"s{n}.png", "width": 300, "height": 300} for n in (1, 2)]
    ref = [_box(1, 1, 1, 10, 10, 20, 20), _box(2, 1, 3, 50, 50, 120, 120), _box(3, 2, 1, 100, 10, 40, 40)]
    ref_data = {"images": images, "categories": cats, "annotations": ref}
    ref_file, cand_file = tmp_path / "ref.json", tmp_path / "cand.json"
    ref_file.write_text(json.dumps(ref_data))
    cand_file.write_text(json.dumps({"images": images, "categories": cats, "annotations": []}))
    return ref_file, cand_file, ref_data


def test_ap_of_an_empty_candidate_is_zero_for_the_classes_with_reference_objects(tmp_path):
    """No candidate object at all: every reference object is missed, so by COCO's definition AP (and AR)
    is 0 for each class with reference objects and undefined (None, COCOeval's -1) for the others, as
    FiftyOne reports; ``note`` says the candidate had no objects. COCOeval cannot load an empty result
    list, so it is given one far-away detection of score 0 (last in every ranking, matching nothing)."""
    ref_file, cand_file, ref_data = _empty_candidate_files(tmp_path)
    result = run_qa(coco.load_project(ref_file), coco.load_project(cand_file))
    ap = result.ap
    assert ap["computed"] and ap["reason"] is None, ap
    assert "no objects" in ap["note"], ap
    data = {"ap": ap, "confusion": result.confusion}
    assert ap["note"] in ap_lines(data)[0] and ap["note"] in "".join(ap_html(data))
    far = {**_box(99, 1, 1, 280, 280, 1, 1, score=0.0), "segmentation": [[280, 280, 281, 280, 281, 281]]}
    dummy = tmp_path / "dummy.json"
    dummy.write_text(json.dumps({**ref_data, "annotations": [far]}))
    for iou_type in ("bbox", "segm"):
        ours = {r["category"]: r for r in ap[iou_type]["per_class"]}
        assert ours["cell"]["n_reference"] == 2 and ours["dot"]["n_reference"] == 1
        for cat in ("cell", "dot"):
            assert all(ours[cat][n] in (0.0, None) for n in STAT_NAMES), ours[cat]
            assert ours[cat]["AP"] == 0.0 and ours[cat]["AR100"] == 0.0
        assert all(ours.get("nucleus", {}).get(n) is None for n in STAT_NAMES), ours  # listed or not
        ev = cocoeval(ref_file, dummy, iou_type)
        for name, want in zip(STAT_NAMES, ev.stats, strict=True):
            got = ap[iou_type]["summary"][name]
            assert (got is None) == (want == -1), (name, got, want)
            assert got is None or abs(got - want) < 1e-9, (name, got, want)


def test_ap_counts_the_objects_of_a_candidate_image_with_no_objects_as_missed(tmp_path):
    """One candidate image scored, the other empty: COCOeval counts the empty image's reference objects as
    missed, and so must AP (they were left out, raising recall)."""
    *_, ref_data = _empty_candidate_files(tmp_path)
    cand = [_box(1, 1, 1, 11, 10, 20, 20, score=0.8), _box(2, 1, 3, 52, 50, 120, 120, score=0.6)]
    check_against_cocoeval(tmp_path, ref_data, {**ref_data, "annotations": cand})


def test_ap_is_not_computed_when_neither_side_has_objects(tmp_path):
    ref_file, cand_file, ref_data = _empty_candidate_files(tmp_path)
    ref_file.write_text(json.dumps({**ref_data, "annotations": []}))
    result = run_qa(coco.load_project(ref_file), coco.load_project(cand_file))
    assert not result.ap["computed"], result.ap
