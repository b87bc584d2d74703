"""Id maps built to hang or exhaust the readers: many distinct ids (each used to cost a whole-image pass)
and a huge, nearly empty map (each used to be widened to int64). Converted in a child process under an
address-space limit, so a regression fails instead of swapping the test machine."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs RLIMIT_AS (Linux)")

CLASSES = np.array([24, 25, 26, 27, 28, 31, 32, 33])  # Cityscapes classes with instances


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20,) * 2)


def _convert(tmp_path: Path, src: Path, *options: str) -> dict:
    out = tmp_path / "out.json"
    args = [sys.executable, "-m", "pixelproof", "convert", *options, "--to", "coco", str(src), str(out)]
    done = subprocess.run(args, preexec_fn=_limit, timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(out.read_bytes())


def _many_ids(side: int, count: int, classes_times: int) -> np.ndarray:
    """``count`` distinct ids (class x ``classes_times`` + instance) on single pixels of a zero map."""
    ids = np.zeros((side, side), np.uint16)
    v = np.arange(1, count + 1)
    where = np.random.default_rng(0).choice(side * side, count, replace=False)
    ids.reshape(-1)[where] = CLASSES[v % 8] * classes_times + v // 8
    return ids


def test_cityscapes_many_instance_ids(tmp_path: Path) -> None:
    gt = tmp_path / "cs" / "gtFine" / "train" / "city"
    gt.mkdir(parents=True)
    ids = _many_ids(1024, 4000, 1000)
    Image.fromarray(ids).save(gt / "f_000000_000000_gtFine_instanceIds.png", optimize=True)
    doc = _convert(tmp_path, tmp_path / "cs", "--from", "cityscapes")
    anns = doc["annotations"]
    assert len(anns) == 4001  # every id, and the unlabeled background
    cats = Counter(a["category_id"] for a in anns)
    assert cats[0] == 1 and {c: cats[c] for c in CLASSES.tolist()} == {c: 500 for c in CLASSES.tolist()}
    assert sorted(a["area"] for a in anns) == [1.0] * 4000 + [1024.0 * 1024 - 4000]
    objects = [a for a in anns if a["category_id"] != 0]  # 0: unlabeled, void: a crowd region in an export
    assert sum(a["iscrowd"] for a in objects) == 0  # class x 1000 + 0 is the first instance, not a crowd


def test_kitti_many_instance_ids(tmp_path: Path) -> None:
    folder = tmp_path / "kitti" / "training" / "instance"
    folder.mkdir(parents=True)
    ids = _many_ids(1024, 2000, 256)
    Image.fromarray(ids).save(folder / "000000.png", optimize=True)
    doc = _convert(tmp_path, tmp_path / "kitti", "--from", "kitti")
    anns = doc["annotations"]
    assert len(anns) == 2001
    assert sorted(a["area"] for a in anns) == [1.0] * 2000 + [1024.0 * 1024 - 2000]


def test_semantic_masks_many_values(tmp_path: Path) -> None:
    masks = tmp_path / "m" / "masks"
    masks.mkdir(parents=True)
    ids = np.zeros((1024, 1024), np.uint16)
    where = np.random.default_rng(1).choice(ids.size, 4000, replace=False)
    ids.reshape(-1)[where] = np.arange(1, 4001)
    Image.fromarray(ids).save(masks / "a.png", optimize=True)
    doc = _convert(tmp_path, tmp_path / "m", "--from", "masks", "--mode", "semantic")
    anns = doc["annotations"]
    assert len(anns) == 4000  # 0 is background
    assert all(a["area"] == 1.0 for a in anns)
    names = {c["id"]: c["name"] for c in doc["categories"]}
    assert sorted(names[a["category_id"]] for a in anns) == sorted(f"class_{v}" for v in range(1, 4001))


def test_cityscapes_huge_sparse_label_ids(tmp_path: Path) -> None:
    gt = tmp_path / "cs" / "gtFine" / "train" / "city"
    gt.mkdir(parents=True)
    ids = np.zeros((8192, 8192), np.uint8)
    ids[100:200, 100:200] = 7
    ids[5000:5100, 6000:6100] = 26
    Image.fromarray(ids).save(gt / "f_000000_000000_gtFine_labelIds.png", optimize=True)
    del ids
    doc = _convert(tmp_path, tmp_path / "cs", "--from", "cityscapes")
    by_cat = {a["category_id"]: a for a in doc["annotations"]}
    assert sorted(by_cat) == [0, 7, 26]
    assert by_cat[7]["area"] == by_cat[26]["area"] == 10000.0
    assert by_cat[7]["bbox"] == [100.0, 100.0, 100.0, 100.0]
    assert by_cat[26]["bbox"] == [6000.0, 5000.0, 100.0, 100.0]
    assert by_cat[26]["iscrowd"] == 0  # labelIds: the union of the class (all its cars), not a crowd region
    assert by_cat[0]["area"] == 8192.0 * 8192 - 20000


def test_ids_scattered_over_the_picture_are_refused_at_once(tmp_path: Path) -> None:
    """Each id on a few pixels far apart: its box is most of the picture, so making each mask from its
    box would cost ids x picture (hours for 65,535 ids on 16384^2). Refused, naming the file."""
    gt = tmp_path / "cs" / "gtFine" / "train" / "city"
    gt.mkdir(parents=True)
    ids = np.zeros((1024, 1024), np.uint16)
    v = np.arange(1, 20001)
    where = np.random.default_rng(0).choice(ids.size, v.size, replace=False)
    ids.reshape(-1)[where] = CLASSES[v % 8] * 1000 + (v // 8) % 1000  # ~2.5 far-apart pixels an id
    name = "f_000000_000000_gtFine_instanceIds.png"
    Image.fromarray(ids).save(gt / name, optimize=True)
    out = tmp_path / "out.json"
    args = [sys.executable, "-m", "pixelproof", "convert", "--from", "cityscapes", "--to", "coco"]
    done = subprocess.run(
        [*args, str(tmp_path / "cs"), str(out)], preexec_fn=_limit, timeout=60, capture_output=True, text=True
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert name in done.stderr and "not a label map" in done.stderr and "at most 256" in done.stderr
    assert not out.exists()
