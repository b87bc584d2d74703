"""QA references read through interop from PNG mask folders: VOC palette semantic masks with void,
instance masks + class maps."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import masks
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import run_qa
from pixelproof.core.qa_difference import DIFF_VOID, difference_image
from pixelproof.interop.references import ReferenceLoadError, load_reference


def voc_palette() -> list[int]:
    """The PASCAL VOC colour map (index -> RGB), 256 entries."""
    pal = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal += [r, g, b]
    return pal


def save_palette_png(path, arr):
    im = Image.fromarray(arr.astype(np.uint8), mode="P")
    im.putpalette(voc_palette())
    im.save(path)


def candidate_project(masks_by_file, shape=(20, 30), names=("cat", "dog")) -> Project:
    p = Project()
    for i, c in enumerate(names, start=1):
        p.add_category(Category(i, c))
    k = 1
    for i, (file_name, objs) in enumerate(masks_by_file.items(), start=1):
        p.add_image(ImageRecord(i, file_name, shape[1], shape[0]))
        for cid, m in objs:
            p.add_annotation(Annotation(k, i, cid, masks.bbox(m), masks.encode(m), float(m.sum())))
            k += 1
    return p


def test_voc_palette_semantic_png_void_excluded_from_every_count(tmp_path):
    ref = np.zeros((20, 30), np.uint8)
    ref[4:12, 5:15] = 1  # cat
    ref[3, 4:16] = 255  # void band around it
    ref[12, 4:16] = 255
    ref[4:12, 4] = 255
    ref[4:12, 15] = 255
    folder = tmp_path / "ref"
    folder.mkdir()
    save_palette_png(folder / "img1.png", ref)
    with Image.open(folder / "img1.png") as im:
        assert im.mode == "P"
    cand_mask = np.zeros((20, 30), bool)
    cand_mask[3:13, 4:16] = True  # covers the object and the void band
    cand = candidate_project({"JPEGImages/img1.jpg": [(1, cand_mask)]})
    reference = load_reference(folder, cand)
    assert reference.kind == "semantic masks" and not reference.instance_scored
    res = run_qa(reference, cand)
    (row,) = res.per_image
    assert row.category == "cat"
    assert row.dice == 1.0 and row.comparison.fp == 0  # void pixels are neither FP nor TP
    assert row.comparison.tp == 80
    assert row.value("hd") == 0
    assert res.per_object == [] and np.isnan(row.value("pq"))
    codes = difference_image(res.pairs[0], reference, cand)
    assert (codes[ref == 255] == DIFF_VOID).all()
    # without the void band the same candidate has false positives
    ref2 = np.where(ref == 255, 0, ref)
    save_palette_png(folder / "img1.png", ref2)
    row2 = run_qa(load_reference(folder, cand), cand).per_image[0]
    assert row2.comparison.fp == 40 and row2.dice < 1


def test_semantic_png_with_class_map_and_unmatched_listed(tmp_path):
    folder = tmp_path / "ref"
    folder.mkdir()
    a = np.zeros((20, 30), np.uint8)
    a[2:8, 2:8] = 7
    Image.fromarray(a, mode="L").save(folder / "one.png")
    Image.fromarray(a, mode="L").save(folder / "orphan.png")
    (folder / "classes.json").write_text(json.dumps({"7": "dog"}))
    m = a == 7
    cand = candidate_project({"one.jpg": [(2, m)], "other.jpg": []})
    res = run_qa(load_reference(folder, cand), cand)
    assert res.unmatched_reference == ["orphan.png"] and res.unmatched_candidate == ["other.jpg"]
    assert [(r.category, r.dice) for r in res.per_image] == [("dog", 1.0)]


def test_instance_pngs_with_json_and_csv_class_maps(tmp_path):
    inst = np.zeros((20, 30), np.uint8)
    inst[2:8, 2:8] = 1
    inst[10:16, 10:18] = 2
    inst[2:6, 20:26] = 3
    cand = candidate_project(
        {"x.png": [(1, inst == 1), (1, inst == 2), (2, inst == 3)]},
    )
    for kind in ("json", "csv"):
        folder = tmp_path / kind
        folder.mkdir()
        Image.fromarray(inst, mode="L").save(folder / "x.png")
        if kind == "json":
            (folder / "classes.json").write_text(
                json.dumps({"instances": {"x.png": {"1": "cat", "2": "cat", "3": "cat"}}})
            )
        else:
            (folder / "classes.csv").write_text("file,id,class\nx.png,1,cat\nx.png,2,cat\nx.png,3,cat\n")
        reference = load_reference(folder, cand)
        assert reference.kind == "instance masks"
        assert len(reference.project.annotations) == 3
        res = run_qa(reference, cand)
        statuses = sorted(r.status for r in res.per_object)
        assert statuses == ["match", "match", "wrong_class"]


def test_unknown_values_are_reported_and_bad_inputs_raise(tmp_path):
    folder = tmp_path / "ref"
    folder.mkdir()
    a = np.zeros((5, 5), np.uint8)
    a[1, 1] = 9
    a[2, 2] = 1
    Image.fromarray(a, mode="L").save(folder / "a.png")
    (folder / "classes.json").write_text(json.dumps({"1": "cat"}))
    ref = load_reference(folder, None)
    assert any("class value 9 is not in the class map" in p for p in ref.problems)
    assert sorted(c.name for c in ref.project.categories.values()) == ["cat", "class_9"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ReferenceLoadError):
        load_reference(empty)
    with pytest.raises(ReferenceLoadError):
        load_reference(tmp_path / "missing.json")


def test_a_folder_that_looks_like_two_formats_says_which_one_was_read(tmp_path):
    """A folder holding a Cityscapes gtFine/ and Open Images CSVs was read as Cityscapes (the first in
    detection order) without a word: QA scored against one dataset while the user may have meant the
    other."""
    gt = tmp_path / "gtFine" / "val" / "x"
    gt.mkdir(parents=True)
    ids = np.full((20, 30), 7, np.uint8)
    Image.fromarray(ids).save(gt / "f_000000_000019_gtFine_labelIds.png")
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "train-annotations-bbox.csv").write_text(
        "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\n"
    )
    heard = []
    ref = load_reference(tmp_path, on_problem=heard.append)
    assert ref.kind == "semantic masks" and len(ref.project.images) == 1
    said = (
        f"{tmp_path}: read as Cityscapes (gtFine); it also looks like an Open Images dataset (V6/V7 CSV): "
        "name the format to read with --ref-format"
    )
    assert ref.problems[0] == said and heard[0] == said
    alone = load_reference(tmp_path, fmt="cityscapes")
    assert not any("also looks like" in p for p in alone.problems)


def test_the_reference_stamp_changes_when_a_file_or_a_mask_in_a_folder_is_rewritten(tmp_path) -> None:
    """A mask rewritten in place leaves its folder's own time as it was: the stamp looks at the files."""
    import os

    from pixelproof.interop.references import reference_stamp

    folder = tmp_path / "masks"
    (folder / "sub").mkdir(parents=True)
    mask = folder / "sub" / "a.png"
    mask.write_bytes(b"one")
    (folder / "b.png").write_bytes(b"two")
    before, folder_time = reference_stamp(folder), folder.stat().st_mtime_ns
    assert reference_stamp(folder) == before  # nothing changed, the same stamp
    mask.write_bytes(b"uno")  # same size
    os.utime(mask, ns=(mask.stat().st_atime_ns, mask.stat().st_mtime_ns + 1_000_000))
    assert folder.stat().st_mtime_ns == folder_time and reference_stamp(folder) != before
    file_stamp = reference_stamp(mask)
    mask.write_bytes(b"longer")
    assert reference_stamp(mask) != file_stamp
    assert reference_stamp(tmp_path / "gone.json") == ()
    assert len(reference_stamp(folder, most=1)) == 1  # a huge folder: the walk stops
