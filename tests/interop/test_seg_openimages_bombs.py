"""Hostile DICOM SEG, Open Images and MVTec AD inputs (hostile-input probe): each used to end in a
traceback, a hang or gigabytes of memory. Each is now one line naming the file, checked in a child process
under a 2 GB address-space limit; the cropped Open Images masks still match OpenCV's nearest-neighbour
resize pixel for pixel."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pydicom
import pytest
from PIL import Image

from pixelproof.core import masks
from pixelproof.core.model import ImageRecord
from pixelproof.interop import openimages_masks

REPO = Path(__file__).resolve().parents[2]
BOX_HEADER = (
    "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,"
    "IsInside\n"
)
MASK_HEADER = "MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks\n"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and FIFOs: Linux")


def _convert(fmt: str, src: Path, out: Path, cap: int = 2048 * 2**20) -> subprocess.CompletedProcess[str]:
    def small() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    done = subprocess.run(
        [sys.executable, "-m", "pixelproof", "convert", "--from", fmt, "--to", "coco", str(src), str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=120, preexec_fn=small,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _bomb_png(path: Path, width: int, height: int) -> None:
    """A 1-bit all-black PNG of width x height in a few hundred KB."""
    z = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    data = b"".join(z.compress(row) for _ in range(height)) + z.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------------------------------------
# DICOM SEG


@pytest.fixture
def seg_file(tmp_path: Path, ct_study: Path) -> Path:
    """A valid binary SEG over pydicom's 4-slice CT series, written by PixelProof."""
    from pixelproof.core import masks
    from pixelproof.core.image_folder import project_from_folder
    from pixelproof.core.model import Annotation
    from pixelproof.interop.dicom_seg import write_dicom_seg

    project = project_from_folder(ct_study, tmp_path / "p.json", ["liver"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    for image in project.images.values():
        m = np.zeros((16, 16), bool)
        m[2:10, 3:12] = True
        ann_id = project.next_annotation_id()
        project.add_annotation(Annotation(ann_id, image.id, 1, masks.bbox(m), masks.encode(m), 72.0))
    assert write_dicom_seg(project, ct_study / "seg") == []
    return ct_study / "seg" / "CT2_seg.dcm"


@linux_only
@pytest.mark.parametrize(
    ("rows", "columns", "frames", "message"),
    [
        # 32 GiB asked of numpy (an _ArrayMemoryError traceback once); refused now before highdicom reads:
        # 100,000 frames declared, 4 per-frame functional groups (tests/interop/test_dicom_seg_hostile.py)
        (65535, 65535, 100000, "NumberOfFrames 100,000 but 4 per-frame functional groups"),
        (16384, 16384, None, "cannot read its frames"),  # frames declared, pixel data missing
    ],
)
def test_seg_declaring_huge_frames_is_one_line(
    seg_file: Path, tmp_path: Path, rows, columns, frames, message
):
    ds = pydicom.dcmread(seg_file)
    ds.Rows, ds.Columns = rows, columns
    if frames:
        ds.NumberOfFrames = frames
    ds.save_as(seg_file)
    done = _convert("dicom-seg", seg_file.parent, tmp_path / "out.json")
    assert done.returncode == 1
    assert f"{seg_file.name}: " in done.stderr and message in done.stderr, done.stderr


@linux_only
def test_seg_without_source_frame_references_is_one_line(seg_file: Path, tmp_path: Path) -> None:
    ds = pydicom.dcmread(seg_file)
    for group in ds.PerFrameFunctionalGroupsSequence:
        del group.DerivationImageSequence  # highdicom: RuntimeError "Indexing via source frames ..."
    ds.save_as(seg_file)
    done = _convert("dicom-seg", seg_file.parent, tmp_path / "out.json")
    assert done.returncode in (1, 3)
    assert str(seg_file.name) in done.stderr, done.stderr


# ------------------------------------------------------------------------------------------------
# Open Images


def _openimages(root: Path, masks: str = "", boxes: str = "", image: bool = True) -> Path:
    (root / "annotations").mkdir(parents=True)
    (root / "images" / "train").mkdir(parents=True)
    (root / "masks" / "train").mkdir(parents=True)
    if image:
        Image.new("RGB", (64, 48)).save(root / "images" / "train" / "img1.jpg")
    (root / "annotations" / "class-descriptions.csv").write_text("/m/a,Apple\n")
    if masks:
        (root / "annotations" / "train-annotations-object-segmentation.csv").write_text(MASK_HEADER + masks)
    if boxes:
        (root / "annotations" / "train-annotations-bbox.csv").write_text(BOX_HEADER + boxes)
    return root


@linux_only
def test_openimages_mask_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    root = _openimages(tmp_path / "oi", masks="b.png,img1,/m/a,b,0,1,0,1,,\n")
    _bomb_png(root / "masks" / "train" / "b.png", 60000, 60000)
    done = _convert("openimages", root, tmp_path / "out.json")
    assert done.returncode == 3
    assert "b.png: image of 60000 x 60000" in done.stderr and "over the limit" in done.stderr, done.stderr


@linux_only
def test_openimages_mask_on_a_huge_declared_image_is_made_from_its_box(tmp_path: Path) -> None:
    """images.meta declares 60000 x 60000: a full-size mask was 3.6 GB (cv2 OutOfMemoryError traceback);
    a small object is made from its box, one covering the image is refused naming its file."""
    rows = "full.png,img1,/m/a,b,0,1,0,1,,\n" + "".join(
        f"dot.png,img1,/m/a,d{i},0,1,0,1,,\n" for i in range(50)
    )
    root = _openimages(tmp_path / "oi", masks=rows, image=False)
    (root / "images.meta").write_text("img1 60000 60000\n")
    Image.new("1", (4, 4), 1).save(root / "masks" / "train" / "full.png")
    dot = np.zeros((600, 600), np.uint8)
    dot[300, 300] = 255
    Image.fromarray(dot).save(root / "masks" / "train" / "dot.png")
    done = _convert("openimages", root, tmp_path / "out.json")
    assert done.returncode == 3
    assert "full.png: mask box" in done.stderr and "over the limit" in done.stderr, done.stderr
    assert "50 annotations" in done.stdout + done.stderr


@linux_only
def test_openimages_mask_paths_fifos_and_globs_are_refused(tmp_path: Path) -> None:
    rows = "".join(
        f"{name},img1,/m/a,b,0,1,0,1,,\n"
        for name in ("../../etc/passwd", "/etc/passwd", "fifo.png", "*", "m?.png")
    )
    root = _openimages(tmp_path / "oi", masks=rows)
    os.mkfifo(root / "masks" / "train" / "fifo.png")
    Image.new("1", (64, 48), 1).save(root / "masks" / "train" / "m1.png")
    done = _convert("openimages", root, tmp_path / "out.json")
    assert done.returncode == 3
    assert "fifo.png: is a FIFO" in done.stderr, done.stderr
    for name in ("'*'", "'m?.png'", "'/etc/passwd'", "'../../etc/passwd'"):
        assert f"MaskPath {name} must be a plain file name" in done.stderr


@linux_only
def test_openimages_huge_and_non_finite_numbers(tmp_path: Path) -> None:
    """IsOccluded = 1e300 became a 1000-digit int in the extras: the COCO writer's traceback."""
    rows = (
        "img1,x,/m/a,1,nan,inf,-inf,1e308,0,0,0,0,0\n"
        "img1,x,/m/a,1,0,1e400,0,1,0,0,0,0,0\n"
        "img1,x,/m/a,1,0.1,0.2,0.1,0.2,1e300,nan,inf,-1e300,1\n"
    )
    root = _openimages(tmp_path / "oi", boxes=rows)
    done = _convert("openimages", root, tmp_path / "out.json")
    assert done.returncode == 3, done.stderr
    assert "train-annotations-bbox.csv:2:" in done.stderr and "train-annotations-bbox.csv:3:" in done.stderr
    assert (tmp_path / "out.json").is_file()


def test_openimages_mask_matches_opencv_resize(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    png = tmp_path / "m.png"
    for _ in range(150):
        sh, sw = (int(v) for v in rng.integers(1, 40, 2))
        dh, dw = (int(v) for v in rng.integers(1, 120, 2))
        raw = rng.random((sh, sw)) < rng.choice([0.0, 0.02, 0.3])
        Image.fromarray(raw.astype(np.uint8) * 255).save(png)
        rle = openimages_masks.mask_rle(png, ImageRecord(1, "a.png", dw, dh, {}))
        full = masks.decode(rle)
        expected = (
            raw if (sh, sw) == (dh, dw) else cv2.resize(raw.astype(np.uint8), (dw, dh), interpolation=0) > 0
        )
        np.testing.assert_array_equal(full, expected)


@linux_only
def test_openimages_tiny_masks_on_a_huge_declared_image_stay_small(tmp_path: Path) -> None:
    """images.meta declares 16384 x 16384 (2**28 pixels: at the limit) and every row's mask is a 6 x 5
    PNG: each object was made as a 268 MB crop (3 s an object, 200 objects over 10 minutes). Made from
    the PNG's runs, 30 of them convert in a process capped at 700 MB, each of the exact scaled area."""
    rng = np.random.default_rng(0)
    rows = "".join(f"m{i % 3}.png,img1,/m/a,b{i},0,1,0,1,,\n" for i in range(30))
    root = _openimages(tmp_path / "oi", masks=rows, image=False)
    (root / "images.meta").write_text("img1 16384 16384\n")
    areas = []
    for k in range(3):
        raw = rng.random((6, 5)) < 0.6
        Image.fromarray(raw.astype(np.uint8) * 255).save(root / "masks" / "train" / f"m{k}.png")
        take_rows = np.bincount(openimages_masks.source_index(0, 16384, 6, 16384), minlength=6)
        take_cols = np.bincount(openimages_masks.source_index(0, 16384, 5, 16384), minlength=5)
        areas.append(float(take_rows @ raw.astype(np.int64) @ take_cols))
    done = _convert("openimages", root, tmp_path / "out.json", cap=700 * 2**20)
    assert done.returncode == 0, done.stderr  # the image file itself is missing: reported, not skipped
    anns = json.loads((tmp_path / "out.json").read_text())["annotations"]
    assert [a["area"] for a in anns] == [areas[i % 3] for i in range(30)]


# ------------------------------------------------------------------------------------------------
# MVTec AD


def _mvtec(root: Path) -> Path:
    for folder in ("bottle/test/crack", "bottle/ground_truth/crack", "bottle/train/good"):
        (root / folder).mkdir(parents=True)
    Image.new("RGB", (64, 48)).save(root / "bottle" / "test" / "crack" / "000.png")
    return root / "bottle" / "ground_truth" / "crack" / "000_mask.png"


@linux_only
@pytest.mark.parametrize(("kind", "message"), [("bomb", "over the limit"), ("big", "mask is 16384x16384"),
                                               ("fifo", "is a FIFO")])  # fmt: skip
def test_mvtec_hostile_masks_are_one_line(tmp_path: Path, kind: str, message: str) -> None:
    mask = _mvtec(tmp_path / "mv")
    if kind == "bomb":
        _bomb_png(mask, 60000, 60000)
    elif kind == "big":  # within the pixel limit, but not the image's size: refused before decoding
        _bomb_png(mask, 16384, 16384)
    else:
        os.mkfifo(mask)
    done = _convert("mvtec", tmp_path / "mv", tmp_path / "out.json")
    assert done.returncode == 3, done.stderr
    assert f"{mask}: " in done.stderr and message in done.stderr, done.stderr
