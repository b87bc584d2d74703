"""Small files that decode into huge work: a NIfTI label volume of millions of 1x1 slices, a float
volume whose whole-number check copied it several times, Waymo parquet cells of hundreds of MB of zeros.
Each conversion runs in a child process under an address-space limit and a timeout."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux-only here")

AS_LIMIT = 2048 * 2**20


def _convert(src_format: str, src: Path, out: Path):
    import resource
    import subprocess

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))

    cmd = [sys.executable, "-m", "pixelproof", "convert", "--from", src_format, "--to", "coco"]
    return subprocess.run(
        [*cmd, str(src), str(out)],
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deep_nifti_volume_is_refused_by_its_slice_count(tmp_path: Path) -> None:
    nib = pytest.importorskip("nibabel")
    from pixelproof.core.volumes import MAX_VOLUME_SLICES

    depth = 1_000_000
    assert depth > MAX_VOLUME_SLICES
    (tmp_path / "in").mkdir()
    nib.save(nib.Nifti2Image(np.zeros((1, 1, depth), np.uint8), np.eye(4)), tmp_path / "in" / "deep.nii.gz")
    r = _convert("nifti", tmp_path / "in", tmp_path / "out.json")
    assert r.returncode == 1, r.stderr
    assert "deep.nii.gz" in r.stderr and f"{MAX_VOLUME_SLICES:,} slices" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out.json").exists()


def test_deep_volume_next_to_a_good_one_is_skipped_alone(tmp_path: Path) -> None:
    nib = pytest.importorskip("nibabel")
    from pixelproof.interop.nifti import read_nifti

    nib.save(nib.Nifti1Image(np.zeros((1, 1, 30_000), np.uint8), np.eye(4)), tmp_path / "deep.nii.gz")
    nib.save(nib.Nifti1Image(np.ones((4, 4, 3), np.uint8), np.eye(4)), tmp_path / "ok.nii.gz")
    result = read_nifti(tmp_path)
    assert result.skipped["volumes"] == 1
    assert any("deep.nii.gz" in p and "limit of 20,000 slices" in p for p in result.problems)
    assert len(result.project.images) == 3


def test_float_label_volume_is_checked_slice_by_slice(tmp_path: Path) -> None:
    """600x600x256 float64 (737 MB): the old whole-volume copies needed well over 2 GB."""
    nib = pytest.importorskip("nibabel")
    data = np.zeros((600, 600, 256), np.float64)
    data[10, 20, 30] = 1
    data[11, 20, 200] = 2
    (tmp_path / "in").mkdir()
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "in" / "big.nii.gz")
    del data
    r = _convert("nifti", tmp_path / "in", tmp_path / "out.json")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "256 images, 2 annotations, 2 categories" in r.stdout


def test_whole_number_and_range_messages_are_unchanged(tmp_path: Path) -> None:
    nib = pytest.importorskip("nibabel")
    from pixelproof.interop.nifti import read_nifti

    frac = np.zeros((4, 4, 40), np.float32)
    frac[1, 1, 35] = 0.5  # a fraction in a late slice
    frac[0, 0, 2] = -1  # and a negative value earlier: the whole-number check is reported, as before
    nib.save(nib.Nifti1Image(frac, np.eye(4)), tmp_path / "frac.nii.gz")
    nan = np.zeros((4, 4, 40), np.float32)
    nan[2, 2, 39] = np.nan
    nib.save(nib.Nifti1Image(nan, np.eye(4)), tmp_path / "nan.nii.gz")
    neg = np.zeros((4, 4, 40), np.float64)
    neg[3, 3, 39] = -2
    nib.save(nib.Nifti1Image(neg, np.eye(4)), tmp_path / "neg.nii.gz")
    big = np.zeros((4, 4, 40), np.int32)
    big[0, 0, 20] = 70000
    nib.save(nib.Nifti1Image(big, np.eye(4)), tmp_path / "big.nii.gz")
    result = read_nifti(tmp_path)
    assert result.skipped["volumes"] == 4
    assert any("frac.nii.gz" in p and "whole numbers" in p for p in result.problems)
    assert any("nan.nii.gz" in p and "whole numbers" in p for p in result.problems)
    assert any("neg.nii.gz" in p and "0..65535" in p for p in result.problems)
    assert any("big.nii.gz" in p and "0..65535" in p for p in result.problems)


def _jpeg(w: int = 32, h: int = 24) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (90, 90, 90)).save(buf, format="JPEG")
    return buf.getvalue()


def _camera_images(path: Path, cells: list[bytes], row_group_size: int) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    n = len(cells)
    table = pa.table({
        "key.segment_context_name": pa.array(["seg"] * n, pa.string()),
        "key.frame_timestamp_micros": pa.array(list(range(n)), pa.int64()),
        "key.camera_name": pa.array([1] * n, pa.int8()),
        "[CameraImageComponent].image": pa.array(cells, pa.binary()),
    })  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", use_dictionary=False, row_group_size=row_group_size)


@pytest.mark.parametrize(
    "row_group_size",
    [
        1,  # refused from the page headers
        4,  # one 805 MB page: read cell by cell from a decompressing stream, the bombs skipped unheld
    ],
)
def test_waymo_oversized_cells_are_refused(tmp_path: Path, row_group_size: int) -> None:
    pytest.importorskip("pyarrow")
    from pixelproof.interop.waymo import MAX_CELL_BYTES

    bomb = bytes(MAX_CELL_BYTES + 1)
    file = tmp_path / "in" / "camera_image" / "a.parquet"
    _camera_images(file, [_jpeg(), bomb, bomb, bomb], row_group_size)
    del bomb
    r = _convert("waymo", tmp_path / "in", tmp_path / "out.json")
    assert r.returncode == 3, r.stderr  # converted, rows skipped
    assert "Traceback" not in r.stderr
    for row in (1, 2, 3):
        assert f"a.parquet: row {row}: [CameraImageComponent].image holds" in r.stderr
    assert f"over the limit of {MAX_CELL_BYTES:,} bytes per cell" in r.stderr
    assert ": 1 image, " in r.stdout


def test_waymo_rows_are_numbered_across_batches(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from pixelproof.interop.waymo import SMALL_BATCH_ROWS, read_waymo

    bad = SMALL_BATCH_ROWS + 5
    cells = [_jpeg() for _ in range(SMALL_BATCH_ROWS + 10)]
    cells[bad] = b"not a jpeg"
    _camera_images(tmp_path / "camera_image" / "a.parquet", cells, row_group_size=30)
    result = read_waymo(tmp_path)
    assert result.skipped["rows"] == 1
    assert [p for p in result.problems if "not a readable JPEG" in p] == [
        next(p for p in result.problems if f"a.parquet: row {bad}: " in p)
    ]
    assert len(result.project.images) == len(cells) - 1


def test_a_folder_scan_skips_a_too_deep_volume(tmp_path: Path) -> None:
    """Opening a folder in the app lists one entry per slice: a 1 x 1 x 1,000,000 header is skipped with
    its reason before a million entries are made."""
    nib = pytest.importorskip("nibabel")
    from pixelproof.core.sources import scan_images

    nib.save(nib.Nifti2Image(np.zeros((1, 1, 1_000_000), np.uint8), np.eye(4)), str(tmp_path / "deep.nii.gz"))
    nib.save(nib.Nifti1Image(np.zeros((4, 3, 2), np.uint8), np.eye(4)), str(tmp_path / "fine.nii.gz"))
    skipped: list[str] = []
    entries = scan_images(tmp_path, skipped.append)
    assert [e.path.name for e in entries] == ["fine.nii.gz", "fine.nii.gz"]
    assert len(skipped) == 1 and "deep.nii.gz" in skipped[0] and "20,000 slices" in skipped[0]


def test_nifti_labels_of_thousands_of_values_on_one_slice(tmp_path: Path) -> None:
    """65,535 distinct labels, each on one pixel of a 1024 x 1024 slice: each value was a whole-slice
    comparison and a whole-slice mask encoded (65,535 x 1M pixels: the 2-minute timeout, for one slice).
    Each value's mask is now its box (as the id-map readers do), and every label is kept."""
    import json

    import nibabel as nib

    ids = np.zeros((1024, 1024, 1), np.uint16)
    where = np.random.default_rng(0).choice(ids.size, 65_535, replace=False)
    ids.reshape(-1)[where] = np.arange(1, 65_536)
    (tmp_path / "labels").mkdir()
    nib.save(nib.Nifti1Image(ids, np.eye(4)), tmp_path / "labels" / "many.nii.gz")
    done = _convert("nifti", tmp_path / "labels", tmp_path / "out.json")
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads((tmp_path / "out.json").read_bytes())
    assert len(doc["annotations"]) == 65_535 and {a["area"] for a in doc["annotations"]} == {1.0}
