"""parquet_cells reads a binary column chunk cell by cell: compared with pyarrow's own reading of the same
files, and the Waymo reader's use of it with a small cell limit (real limits: test_volume_bombs.py)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from pixelproof.interop import parquet_cells, waymo  # noqa: E402
from pixelproof.interop.parquet_cells import PageError  # noqa: E402

IMAGE = waymo.IMAGE_COL


def _write(path: Path, cells: list, **options) -> None:
    n = len(cells)
    table = pa.table({
        "key.segment_context_name": pa.array(["seg"] * n, pa.string()),
        "key.frame_timestamp_micros": pa.array(list(range(n)), pa.int64()),
        "key.camera_name": pa.array([1] * n, pa.int8()),
        IMAGE: pa.array(cells, pa.binary()),
    })  # fmt: skip
    if options.pop("required", False):
        table = table.cast(table.schema.set(3, pa.field(IMAGE, pa.binary(), nullable=False)))
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **{"use_dictionary": False, **options})


def _cells(path: Path, limit: int) -> list[tuple[bytes | None, int]]:
    meta = pq.ParquetFile(path).metadata
    column = meta.schema.column(3)
    with pa.OSFile(str(path)) as src:
        return [
            cell
            for g in range(meta.num_row_groups)
            for chunk in [meta.row_group(g).column(3)]
            for cell in parquet_cells.cells(src, column, chunk, parquet_cells.pages(src, chunk), limit)
        ]


CELLS = [os.urandom(n) for n in (3, 0, 70_000, 12, 1 << 17, 5)]


@pytest.mark.parametrize(
    "options",
    [
        {"compression": "zstd"},
        {"compression": "gzip", "data_page_version": "2.0"},
        {"compression": "brotli", "required": True},
        {"compression": "none", "data_page_version": "2.0", "required": True},
        {"compression": "zstd", "data_page_size": 1, "row_group_size": 4},  # a page per cell, 2 row groups
    ],
)
def test_cells_match_pyarrow_and_skip_those_over_the_limit(tmp_path: Path, options: dict) -> None:
    nulls = not options.get("required")
    cells = [*CELLS, None, b"x"] if nulls else CELLS
    _write(tmp_path / "a.parquet", cells, **options)
    assert [c for c, _ in _cells(tmp_path / "a.parquet", 1 << 20)] == pq.read_table(
        tmp_path / "a.parquet"
    ).column(IMAGE).to_pylist()
    got = _cells(tmp_path / "a.parquet", 65_536)
    assert got == [(None, len(c)) if c and len(c) > 65_536 else (c, len(c or b"")) for c in cells]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"compression": "snappy"}, "its SNAPPY pages do not decompress as a stream"),
        ({"compression": "zstd", "use_dictionary": True}, "its pages are not plain data pages"),
    ],
)
def test_layouts_not_understood_are_refused(tmp_path: Path, options: dict, reason: str) -> None:
    _write(tmp_path / "a.parquet", CELLS, **options)
    with pytest.raises(PageError, match=reason):
        _cells(tmp_path / "a.parquet", 65_536)


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (90, 90, 90)).save(buf, format="JPEG")
    return buf.getvalue()


def test_waymo_reads_the_cells_around_those_over_the_limit(tmp_path: Path, monkeypatch) -> None:
    """A page holding cells over the limit is read cell by cell: the JPEGs after them are kept too."""
    monkeypatch.setattr(waymo, "MAX_CELL_BYTES", 40_000)
    big = os.urandom(90_000)
    cells = [big, _jpeg(), big, _jpeg(), b"not a jpeg", _jpeg()]
    f = tmp_path / "camera_image" / "a.parquet"
    _write(f, cells, compression="zstd")
    result = waymo.read_waymo(tmp_path, image_dir=tmp_path / "out")
    for row in (0, 2):
        assert (
            f"{f}: row {row}: {IMAGE} holds 90,000 bytes, over the limit of 40,000 bytes per cell; skipped"
            in (result.problems)
        )
    assert any(
        p.startswith(f"{f}: row 4: image of seg 4 FRONT is not a readable JPEG") for p in result.problems
    )
    assert result.skipped["rows"] == 3
    names = sorted(i.file_name for i in result.project.images.values())
    assert names == [f"out/seg/{t}_FRONT.jpg" for t in (1, 3, 5)]
    assert (tmp_path / "out" / "seg" / "3_FRONT.jpg").read_bytes() == cells[3]


@pytest.mark.parametrize("compressible", [True, False])
def test_waymo_a_dictionary_page_over_the_limit(tmp_path: Path, monkeypatch, compressible: bool) -> None:
    """Not readable cell by cell: refused by its rows if it decompresses to many times its size in the
    file (a bomb), else read by pyarrow as before (JPEGs hardly compress)."""
    monkeypatch.setattr(waymo, "MAX_CELL_BYTES", 40_000)
    fill = [bytes([i]) * 30_000 if compressible else os.urandom(30_000) for i in range(5)]
    f = tmp_path / "camera_image" / "a.parquet"
    _write(f, [_jpeg(), *fill], compression="zstd", use_dictionary=True)
    result = waymo.read_waymo(tmp_path)
    if compressible:
        message = f"{f}: rows 0..5: {IMAGE} has a page of 150,"
        assert any(p.startswith(message) for p in result.problems), result.problems
        assert any(
            p.endswith(
                "and its pages are not plain data pages, so its cells cannot be checked one by one; skipped"
            )
            for p in result.problems
        )
        assert not result.project.images and result.skipped["rows"] == 1
    else:
        assert len(result.project.images) == 1 and result.skipped["rows"] == 5


def test_waymo_reports_a_damaged_page_by_file_and_rows(tmp_path: Path) -> None:
    """pyarrow's decompression error on a damaged page aborted the whole conversion, naming no file."""
    f = tmp_path / "camera_image" / "a.parquet"
    _write(f, [_jpeg()] * 3, compression="zstd")
    with pa.OSFile(str(f)) as src:
        (page,) = parquet_cells.pages(src, pq.ParquetFile(f).metadata.row_group(0).column(1))
    data = bytearray(f.read_bytes())
    data[page.offset : page.offset + page.compressed] = b"\xff" * page.compressed
    f.write_bytes(bytes(data))
    result = waymo.read_waymo(tmp_path)
    assert any(p.startswith(f"{f}: rows 0..2: ") and "ZSTD" in p for p in result.problems), result.problems
    assert not result.project.images and result.skipped["rows"] == 1
