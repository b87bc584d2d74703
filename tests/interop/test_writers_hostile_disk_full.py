"""Folder exports stopped by a full disk: no file is left cut short, reading as complete (a YOLO label file
missing its last lines has silently lost objects, a cut PNG copy is a broken picture), and no temporary
is left behind. The disk fills for real: a child process whose files may not grow past a few KB
(RLIMIT_FSIZE, SIGXFSZ ignored: the write fails with EFBIG part-way, as with ENOSPC)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("resource")

REPO = Path(__file__).resolve().parents[2]
LIMIT = 6000  # bytes a file of the stopped export may reach

CHILD = """
import json, resource, signal, sys
from pathlib import Path
from pixelproof.core.coco import load_project
from pixelproof.interop.formats import FORMATS
project = load_project(sys.argv[1])
fmt, out, limit = FORMATS[sys.argv[2]], Path(sys.argv[3]), int(sys.argv[4])
kwargs = {"images": "copy"} if "images" in [o.name for o in fmt.options("write")] else {}
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    fmt.write(project, out, unlabeled="keep", **kwargs)
except (OSError, ValueError) as e:
    print("STOPPED", e)
"""


def _project(folder: Path, big: str) -> Path:
    """Three images, one of them ``big``: a picture of noise (its copy is over the limit) or one with
    hundreds of objects (its label file, XML or JSON is)."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    images, anns = [], []
    for i, name in enumerate(["a.png", "b.png", "c.png"], start=1):
        side = 64 if (big == "picture" and name == "b.png") else 16
        pixels = (
            rng.integers(0, 255, (side, side, 3), np.uint8) if side == 64 else np.zeros((16, 16, 3), np.uint8)
        )
        Image.fromarray(pixels).save(folder / name)
        images.append({"id": i, "file_name": name, "width": side, "height": side})
        count = 300 if (big == "labels" and name == "b.png") else 2
        for k in range(count):
            x = 1 + (k % 10)
            ann = {"id": len(anns) + 1, "image_id": i, "category_id": 1, "bbox": [x, 1, 4, 4], "area": 10}
            anns.append({**ann, "iscrowd": 0, "segmentation": [[x, 1, x + 4, 1, x + 4, 5, x, 5.5]]})
    doc = {"images": images, "categories": [{"id": 1, "name": "thing"}], "annotations": anns}
    (folder / "project.json").write_text(json.dumps(doc))
    return folder / "project.json"


def _export(project: Path, fmt: str, out: Path, limit: int = 0) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO / "desktop")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(project), fmt, str(out), str(limit)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


FOLDER_FORMATS = [
    "yolo",
    "voc",
    "labelme",
    "cvat",
    "masks",
    "kitti",
    "openimages",
    "geojson",
    "labelstudio",
    "cityscapes",
]
FOLDER_FORMATS += ["mvtec", "coco-panoptic"]


PIXEL_FORMATS = {"masks", "kitti", "mvtec", "coco-panoptic"}  # objects as PNG pixels: no file grows with them
CASES = [
    (f, big)
    for f in FOLDER_FORMATS
    for big in ("picture", "labels")
    if big == "picture" or f not in PIXEL_FORMATS
]


@pytest.mark.parametrize(("fmt", "big"), CASES)
def test_an_export_stopped_by_a_full_disk_leaves_no_file_cut_short(
    tmp_path: Path, fmt: str, big: str
) -> None:
    project = _project(tmp_path / "in", big)
    _export(project, fmt, tmp_path / "whole")
    whole = _files(tmp_path / "whole")
    assert max(len(v) for v in whole.values()) > LIMIT, f"{fmt}: no file over {LIMIT} bytes for a big {big}"
    said = _export(project, fmt, tmp_path / "cut", LIMIT)
    assert "STOPPED" in said, said
    cut = _files(tmp_path / "cut")
    assert not [n for n in cut if n.endswith(".tmp")], sorted(cut)
    wrong = [n for n, data in cut.items() if data != whole.get(n) and not n.endswith(".pixelproof-export")]
    assert not wrong, (said, wrong)


def test_the_message_names_the_file_the_full_disk_stopped(tmp_path: Path) -> None:
    project = _project(tmp_path / "in", "labels")
    said = _export(project, "yolo", tmp_path / "cut", LIMIT)
    assert "b.txt" in said, said


def test_files_an_earlier_export_wrote_stay_whole_when_the_next_one_is_stopped(tmp_path: Path) -> None:
    """The label file being written when the disk filled keeps the earlier export's content, not a cut
    one or none."""
    project = _project(tmp_path / "in", "labels")
    _export(project, "yolo", tmp_path / "out")
    before = _files(tmp_path / "out")
    said = _export(project, "yolo", tmp_path / "out", LIMIT)
    assert "STOPPED" in said, said
    assert _files(tmp_path / "out") == before


def test_a_file_named_near_the_limit_is_still_written_whole(tmp_path: Path) -> None:
    """The temporary's name (``.<name>.<host>.<pid>.<token>.tmp``) must fit in 255 bytes too: an
    export's stems reach 200 bytes and more with a suffix."""
    from pixelproof.core.atomic import atomic_output

    target = tmp_path / ("é" * 120 + ".xml")  # 244 bytes
    with atomic_output(target) as f:
        f.write(b"<x/>")
    assert target.read_bytes() == b"<x/>"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_planted_where_a_label_file_goes_is_refused_by_name_not_waited_on(tmp_path: Path) -> None:
    """Opened for writing, a FIFO without a reader blocks the export for ever."""
    project = _project(tmp_path / "in", "labels")
    (tmp_path / "out" / "labels" / "train").mkdir(parents=True)
    os.mkfifo(tmp_path / "out" / "labels" / "train" / "a.txt")
    said = _export(project, "yolo", tmp_path / "out")
    assert "STOPPED" in said and "a.txt" in said and "FIFO" in said, said
