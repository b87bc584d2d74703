"""Waymo Open Dataset v2 perception parquet components (read only: nothing consumes written v2 parquet).

A v2 dataset folder holds one folder per component, each with ``<segment>.parquet`` files whose columns
are named ``key.<field>`` and ``[<Component>].<field path>``. Read here:

- ``camera_image``: ``[CameraImageComponent].image`` (JPEG bytes);
- ``camera_box``: ``[CameraBoxComponent].box.center.{x,y}``, ``.box.size.{x,y}`` (pixels), ``.type``
  (unknown, vehicle, pedestrian, sign, cyclist), ``.difficulty_level.{detection,tracking}``;
- ``camera_segmentation``: ``[CameraSegmentationLabelComponent].panoptic_label`` (a 16-bit PNG: class x
  ``panoptic_label_divisor`` + instance) with the 28 camera segmentation classes; class 0 (undefined) is
  void.

One image per (segment, timestamp, camera). Its ``file_name`` is
``<image-dir>/<segment_context_name>/<frame_timestamp_micros>_<CAMERA>.jpg`` (CAMERA = FRONT, FRONT_LEFT,
FRONT_RIGHT, SIDE_LEFT, SIDE_RIGHT), relative to the dataset folder; the JPEG bytes are written there when
``image_dir`` is given (nothing is written otherwise: a QA reference needs no pictures). Without a
``camera_image`` component the sizes are the cameras' published ones. pyarrow is an optional dependency:
``pip install 'pixelproof[waymo]'``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pixelproof.core.imageio import open_pillow
from pixelproof.core.limits import LimitError, check_regular_file, short_repr
from pixelproof.core.model import ImageRecord
from pixelproof.core.wording import plural
from pixelproof.interop import parquet_cells
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    rel_name,
    with_progress,
    write_fresh,
)
from pixelproof.interop.formats import Format, Option
from pixelproof.interop.panoptic import add_id_objects, read_id_png
from pixelproof.interop.parquet_cells import PageError

CAMERAS = {0: "UNKNOWN", 1: "FRONT", 2: "FRONT_LEFT", 3: "FRONT_RIGHT", 4: "SIDE_LEFT", 5: "SIDE_RIGHT"}
CAMERA_SIZES = {1: (1920, 1280), 2: (1920, 1280), 3: (1920, 1280), 4: (1920, 886), 5: (1920, 886)}
BOX_TYPES = {0: "unknown", 1: "vehicle", 2: "pedestrian", 3: "sign", 4: "cyclist"}
SEGMENTATION_TYPES = (  # camera_segmentation.proto's Type, 0..28
    "undefined", "ego_vehicle", "car", "truck", "bus", "other_large_vehicle", "bicycle", "motorcycle",
    "trailer", "pedestrian", "cyclist", "motorcyclist", "bird", "ground_animal", "construction_cone_pole",
    "pole", "pedestrian_object", "sign", "traffic_light", "building", "road", "lane_marker", "road_marker",
    "sidewalk", "vegetation", "sky", "ground", "dynamic", "static",
)  # fmt: skip
KEY = ("key.segment_context_name", "key.frame_timestamp_micros", "key.camera_name")
IMAGE_COL = "[CameraImageComponent].image"
BOX = "[CameraBoxComponent]"
BOX_COLS = (
    f"{BOX}.box.center.x",
    f"{BOX}.box.center.y",
    f"{BOX}.box.size.x",
    f"{BOX}.box.size.y",
    f"{BOX}.type",
)
SEG = "[CameraSegmentationLabelComponent]"
SEG_COLS = (f"{SEG}.panoptic_label_divisor", f"{SEG}.panoptic_label")
# One cell (an encoded camera JPEG or panoptic PNG: a few MB) may hold at most this many bytes; a bigger
# one is refused before it becomes a Python object (a 104 KB zstd file can hold 8 cells of 400 MB zeros).
MAX_CELL_BYTES = 256 << 20
PAGE_SLACK = 1 << 16  # page headers and length prefixes in a column chunk's uncompressed size
# A page over the limit that cannot be read cell by cell is left to pyarrow only if it is at most this
# many times its size in the file: encoded JPEGs and PNGs hardly compress, zeros do 10,000-fold.
BOMB_RATIO = 4
SMALL_BATCH_ROWS = 64  # rows read at once from a row group whose columns total <= MAX_CELL_BYTES
MISSING_PYARROW = "reading Waymo v2 parquet needs pyarrow: pip install 'pixelproof[waymo]'"


def read_waymo(
    path: str | os.PathLike[str],
    *,
    image_dir: str | os.PathLike[str] | None = None,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a Waymo v2 folder (with ``camera_image/``, ``camera_box/``, ``camera_segmentation/``)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ValueError(MISSING_PYARROW) from None
    root = Path(path)
    if not root.is_dir():
        raise ValueError(
            "expected the Waymo v2 folder holding camera_image/, camera_box/ ... component folders"
        )
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    out = Path(image_dir) if image_dir else None
    files = {
        c: sorted((root / c).glob("*.parquet")) for c in ("camera_image", "camera_box", "camera_segmentation")
    }
    if not any(files.values()):
        report(f"{root}: no camera_image/, camera_box/ or camera_segmentation/ *.parquet files found")
    frames = _Frames(root, out, build, report)
    work = [(c, f) for c, fs in files.items() for f in fs]
    for component, file in with_progress(work, len(work), progress):
        try:
            check_regular_file(file)  # a FIFO named *.parquet blocked the import
        except (OSError, LimitError) as e:
            report.skip("files", f"{e}; skipped")
            continue
        try:
            table = pq.ParquetFile(file)
            columns = set(table.schema_arrow.names)
        except Exception as e:  # pyarrow raises its own error types for corrupt files
            report.skip("files", f"{file}: not a readable parquet file ({e}); skipped")
            continue
        needed = {"camera_image": (*KEY, IMAGE_COL), "camera_box": (*KEY, *BOX_COLS),
                  "camera_segmentation": (*KEY, *SEG_COLS)}[component]  # fmt: skip
        if missing := [c for c in needed if c not in columns]:
            report.skip(
                "files", f"{file}: {plural(len(missing), 'missing column')} ({', '.join(missing)}); skipped"
            )
            continue
        optional = (
            f"{BOX}.difficulty_level.detection",
            f"{BOX}.difficulty_level.tracking",
            "key.camera_object_id",
        )
        extra_cols = [c for c in optional if c in columns and component == "camera_box"]
        for row, where in _rows(table, file, [*needed, *extra_cols], report):
            if component == "camera_image":
                frames.add_image(row, where)
            elif component == "camera_box":
                _add_box(row, frames, build, report, where)
            else:
                _add_segmentation(row, frames, build, report, where)
        report.summarise(file)  # 200,000 bad rows are 5 lines and a count
    if frames.assumed:
        report(f"{root}: no camera_image component for {plural(frames.assumed, 'frame')}: sizes are "
               "the cameras' "
               "published ones")  # fmt: skip
    if out is None and files["camera_image"]:
        report(f"{root}: camera JPEGs not extracted (name a folder to write them to with --image-dir)")
    return ImportResult(project, report.problems, report.skipped)


def _rows(table: Any, file: Path, columns: list[str], report: Reporter) -> Iterator[tuple[dict, str]]:
    """(row, "<file>: row N", N counted across the whole file) for each row whose cells are each at most
    ``MAX_CELL_BYTES``; a row with a bigger cell is reported and skipped. Sizes come from the page headers:
    pyarrow allocates what they say, a whole page at once, whatever the footer claims. A row group small
    enough is read ``SMALL_BATCH_ROWS`` rows at a time, any other one row at a time; a one-row row group
    over the limit is refused from its headers, and a column with a bigger page is read cell by cell
    from a decompressing stream (see ``_streamed``), its cells over the limit skipped unread."""
    import pyarrow as pa

    meta = table.metadata
    paths = [meta.schema.column(i).path for i in range(meta.num_columns)]
    leaves = {
        c: [i for i, p in enumerate(paths) if p == c or p.startswith(f"{c}.")] for c in columns
    }  # lists
    first = 0  # rows are numbered across the whole file, not per row group or batch
    with pa.OSFile(str(file)) as src:
        for group in range(meta.num_row_groups):
            rg = meta.row_group(group)
            n = rg.num_rows
            try:
                pages = {
                    c: [p for i in leaves[c] for p in parquet_cells.pages(src, rg.column(i))] for c in columns
                }
            except (OSError, ValueError) as e:  # PageError, or pyarrow's on offsets past the end
                report.skip("rows", f"{file}: rows {first}..{first + n - 1}: not readable ({e}); skipped")
                first += n
                continue
            sizes = {c: sum(p.uncompressed for p in ps) for c, ps in pages.items()}
            if n == 1 and (over := [(c, v) for c, v in sizes.items() if v > MAX_CELL_BYTES + PAGE_SLACK]):
                report.skip("rows", _too_big(f"{file}: row {first}", *over[0], "about "))
                first += n
                continue
            try:
                streamed = _streamed(meta, rg, pages)
            except PageError as e:
                report.skip("rows", f"{file}: rows {first}..{first + n - 1}: {e}; skipped")
                first += n
                continue
            batch_rows = SMALL_BATCH_ROWS if sum(sizes.values()) <= MAX_CELL_BYTES else 1
            rows = _group_rows(table, src, group, columns, streamed, batch_rows)
            row_no = first
            while True:
                try:
                    row = next(rows, None)
                except MemoryError:  # pyarrow's ArrowMemoryError too: pages bigger than memory allows
                    report.skip("rows", f"{file}: rows {row_no}..{first + n - 1}: not enough memory to "
                                f"read them (cells over {MAX_CELL_BYTES:,} bytes?); skipped")  # fmt: skip
                    break
                except (OSError, ValueError) as e:  # PageError, pyarrow's on a damaged page
                    report.skip("rows", f"{file}: rows {row_no}..{first + n - 1}: {e}; skipped")
                    break
                if row is None:
                    break
                where = f"{file}: row {row_no}"
                if isinstance(row, tuple):
                    report.skip("rows", _too_big(where, *row))
                else:
                    yield row, where
                row_no += 1
            first += n


def _streamed(meta: Any, rg: Any, pages: dict[str, list[parquet_cells.Page]]) -> dict[str, tuple]:
    """Column -> (schema column, chunk, pages) for the columns to read cell by cell: those with a page
    over ``MAX_CELL_BYTES``. Such a page that cannot be streamed is left to pyarrow if it holds about
    what it takes on disk (JPEGs: its memory follows the file's own size), else the rows are refused."""
    index = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
    out = {}
    for c, ps in pages.items():
        if not (big := [p for p in ps if p.uncompressed > MAX_CELL_BYTES]):  # may hold a cell over it
            continue
        column, chunk = (meta.schema.column(index[c]), rg.column(index[c])) if c in index else (None, None)
        why = parquet_cells.unstreamable(column, chunk, ps) if column else "it is a list or struct"
        if why is None:
            out[c] = (column, chunk, ps)
        elif bomb := next((p for p in big if p.uncompressed > BOMB_RATIO * p.compressed), None):
            raise PageError(f"{c} has a page of {bomb.uncompressed:,} bytes ({bomb.compressed:,} in the "
                            f"file), over the limit of {MAX_CELL_BYTES:,} bytes per cell, and {why}, so its "
                            "cells cannot be checked one by one")  # fmt: skip
    return out


def _group_rows(
    table: Any, src: Any, group: int, columns: list[str], streamed: dict[str, tuple], batch_rows: int
) -> Iterator[dict[str, Any] | tuple[str, int]]:
    """A row group's rows as dicts, or (column, size) for a row with a cell over the limit. The
    ``streamed`` columns are read by ``parquet_cells`` cell by cell; pyarrow reads the others."""
    streams = {c: parquet_cells.cells(src, *args, MAX_CELL_BYTES) for c, args in streamed.items()}
    rest = [c for c in columns if c not in streams]
    for batch in table.iter_batches(batch_size=batch_rows, row_groups=[group], columns=rest):
        over = _oversized_cells(batch)
        for i, row in enumerate(_batch_rows(batch, over)):
            cells = {c: _next_cell(c, s) for c, s in streams.items()}
            if None in cells.values():
                raise PageError("a column holds fewer cells than the row group has rows")
            too_big = [
                (c, size) for c, (cell, size) in cells.items() if cell is None and size > MAX_CELL_BYTES
            ]
            if row is None or too_big:
                yield over[i] if row is None else too_big[0]
            else:
                yield row | {c: cell for c, (cell, _) in cells.items()}


def _next_cell(column: str, cells: Iterator[tuple[bytes | None, int]]) -> tuple[bytes | None, int] | None:
    try:
        return next(cells, None)
    except (OSError, ValueError) as e:  # PageError, or pyarrow's on a damaged stream
        raise PageError(f"{column} has a page over {MAX_CELL_BYTES:,} bytes, and {e}") from None


def _too_big(where: str, column: str, size: int, about: str = "") -> str:
    return (
        f"{where}: {column} holds {about}{size:,} bytes, over the limit of {MAX_CELL_BYTES:,} bytes per "
        "cell; skipped"
    )


def _oversized_cells(batch: Any) -> dict[int, tuple[str, int]]:
    """Row in the batch -> (column, size) of its first cell over ``MAX_CELL_BYTES`` (binary and text
    columns), measured on the Arrow buffers before any cell becomes a Python object."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: dict[int, tuple[str, int]] = {}
    for name, col in zip(batch.schema.names, batch.columns, strict=True):
        t = col.type
        if not (pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_string(t)
                or pa.types.is_large_string(t)):  # fmt: skip
            continue
        if col.nbytes <= MAX_CELL_BYTES:
            continue
        lengths = pc.binary_length(col).to_pylist()
        for i, size in enumerate(lengths):
            if size is not None and size > MAX_CELL_BYTES:
                out.setdefault(i, (name, size))
    return out


def _batch_rows(batch: Any, skip: dict[int, tuple[str, int]]) -> Iterator[dict[str, Any] | None]:
    """The batch's rows as dicts, None for the rows in ``skip`` (never turned into Python objects)."""
    if not skip:
        yield from batch.to_pylist()
        return
    for i in range(batch.num_rows):
        yield None if i in skip else batch.slice(i, 1).to_pylist()[0]


class _Frames:
    """(segment, timestamp, camera) -> image record, made from camera_image rows or on first label."""

    def __init__(self, root: Path, out: Path | None, build: Builder, report: Reporter) -> None:
        self.root, self.out, self.build, self.report = root, out, build, report
        self.records: dict[tuple[str, int, int], ImageRecord] = {}
        self.assumed = 0

    def _path(self, key: tuple[str, int, int]) -> Path:
        segment, timestamp, camera = key
        base = self.out if self.out is not None else self.root / "images"
        return base / segment / f"{timestamp}_{CAMERAS.get(camera, str(camera))}.jpg"

    def key(self, row: dict[str, Any], where: str) -> tuple[str, int, int] | None:
        segment, timestamp, camera = (row.get(k) for k in KEY)
        if (
            not isinstance(segment, str)
            or not segment
            or "/" in segment
            or "\\" in segment
            or "\0" in segment
            or segment[0] == "."
        ):
            self.report.often(
                "rows skipped",
                kind="rows",
                message=f"{where}: segment_context_name {segment!r} is not a plain name; skipped",
            )
            return None
        if not isinstance(timestamp, int) or not isinstance(camera, int):
            self.report.often(
                "rows skipped",
                kind="rows",
                message=f"{where}: frame_timestamp_micros and camera_name must be integers; skipped",
            )
            return None
        return (segment, timestamp, camera)

    def _record(self, key: tuple[str, int, int], width: int, height: int) -> ImageRecord:
        waymo = {"segment": key[0], "timestamp": key[1], "camera": CAMERAS.get(key[2], str(key[2]))}
        image = self.build.image(
            rel_name(self._path(key), self.root), width, height, pixelproof={"waymo": waymo}
        )
        self.records[key] = image
        return image

    def forget(self, image: ImageRecord) -> None:
        """Take back the record ``get`` made (sizes assumed) for a label that was then refused."""
        key = next(k for k, im in self.records.items() if im is image)
        del self.records[key]
        self.assumed -= 1
        self.build.project.remove_image(image.id)

    def add_image(self, row: dict[str, Any], where: str) -> None:
        key = self.key(row, where)
        if key is None:
            return
        data = row.get(IMAGE_COL)
        try:
            with open_pillow(io.BytesIO(data), where) as im:
                width, height = im.size
        except (OSError, TypeError, ValueError) as e:
            camera = f"{key[0]} {key[1]} {CAMERAS.get(key[2])}"
            said = f"{where}: image of {camera} is not a readable JPEG ({e}); skipped"
            self.report.often("rows skipped", said, "rows")
            return
        if key in self.records:
            self.report.often(
                "second images of a frame",
                f"{where}: a second image for the same frame and camera; the first is kept",
            )
            return
        self._record(key, width, height)
        if self.out is not None:
            dst = self._path(key)
            try:
                dst.parent.mkdir(parents=True, exist_ok=True)
                if Path(os.path.realpath(self.out)) not in Path(os.path.realpath(dst.parent)).parents:
                    raise OSError(f"a link leads out of {self.out}")  # a segment folder the dataset linked
                write_fresh(dst, data)  # never through a link already there
            except OSError as e:  # a segment name too long for the file system, a file in the way ...
                self.report(f"{where}: cannot write {dst} ({e.strerror or e}); its JPEG is not extracted")

    def get(self, row: dict[str, Any], where: str, size: tuple[int, int] | None = None) -> ImageRecord | None:
        key = self.key(row, where)
        if key is None:
            return None
        if key in self.records:
            return self.records[key]
        size = size or CAMERA_SIZES.get(key[2])
        if size is None:
            self.report.often(
                "rows skipped",
                kind="rows",
                message=f"{where}: camera {key[2]} has no known size and no camera_image; skipped",
            )
            return None
        self.assumed += 1
        return self._record(key, *size)


def _add_box(row: dict[str, Any], frames: _Frames, build: Builder, report: Reporter, where: str) -> None:
    image = frames.get(row, where)
    if image is None:
        return
    try:
        cx, cy, sx, sy = (float(row[c]) for c in BOX_COLS[:4])
        kind = int(row[BOX_COLS[4]])
    except (TypeError, ValueError, OverflowError):  # int(inf): OverflowError
        report.often(
            "boxes skipped",
            kind="boxes",
            message=f"{where}: box center/size/type missing or not numbers; skipped",
        )
        return
    if not all(abs(v) < 1e7 for v in (cx, cy, sx, sy)) or sx < 0 or sy < 0:  # NaN fails the comparison
        report.often(
            "boxes skipped",
            kind="boxes",
            message=f"{where}: box center/size must be finite, sizes >= 0; skipped",
        )
        return
    waymo: dict[str, Any] = {}
    object_id = row.get("key.camera_object_id")
    if isinstance(object_id, str):
        waymo["object_id"] = object_id
    elif object_id is not None:  # bytes made a project that could not be saved
        report(f"{where}: camera_object_id {short_repr(object_id)} is not text; not kept")
    for level in ("detection", "tracking"):
        value = row.get(f"{BOX}.difficulty_level.{level}")
        if value is not None:
            try:
                waymo.setdefault("difficulty", {})[level] = int(value)
            except (TypeError, ValueError, OverflowError):
                report(f"{where}: difficulty_level.{level} {short_repr(value)} is not an integer; not kept")
    cat = build.category(BOX_TYPES.get(kind, f"type_{kind}"))
    try:
        build.annotation(
            image, cat.id, bbox=[cx - sx / 2, cy - sy / 2, sx, sy], app_extra={"waymo": waymo}, where=where
        )
    except LimitError as e:  # far outside the image, extras JSON cannot hold: that box alone
        report.often("boxes skipped", kind="boxes", message=f"{e}; skipped")


def _add_segmentation(
    row: dict[str, Any], frames: _Frames, build: Builder, report: Reporter, where: str
) -> None:
    divisor = row.get(SEG_COLS[0])
    try:
        ids = read_id_png(row.get(SEG_COLS[1]), where)
        if not isinstance(divisor, int) or divisor <= 0:
            raise ValueError(f"panoptic_label_divisor must be a positive integer, got {divisor!r}")
    except (OSError, ValueError, TypeError) as e:
        report.often("rows skipped", f"{where}: panoptic label not readable ({e}); skipped", "rows")
        return
    known = len(frames.records)
    image = frames.get(row, where, size=(ids.shape[1], ids.shape[0]))
    if image is None:
        return
    made_here = len(frames.records) > known
    if ids.shape != (image.height, image.width):
        said = f"{ids.shape[1]}x{ids.shape[0]} but the image is {image.width}x{image.height}"
        report.often("rows skipped", f"{where}: panoptic label is {said}; skipped", "rows")
        return

    def category(cls: int) -> tuple[int, bool] | None:
        if not 0 <= cls < len(SEGMENTATION_TYPES):
            report.often(
                "unknown segmentation classes",
                f"{where}: segmentation class {cls} is unknown; imported as class_{cls}",
            )
            return build.category(f"class_{cls}").id, False
        return build.category(SEGMENTATION_TYPES[cls], void=cls == 0).id, False

    try:
        add_id_objects(
            ids,
            image,
            build,
            split=lambda v: (v // divisor, v % divisor or None),
            category=category,
            extra_key="waymo",
        )
    except LimitError as e:  # ids scattered over the picture: not a label map; that row alone
        report.often("rows skipped", f"{where}: {e.message}; skipped", "rows")
        if made_here:  # not a frame without objects: QA would take it for one
            frames.forget(image)


def looks_like_waymo(path: Path) -> bool:
    return path.is_dir() and any(
        any((path / c).glob("*.parquet")) for c in ("camera_image", "camera_box", "camera_segmentation")
    )


FORMAT = Format(
    name="waymo",
    title="Waymo Open Dataset v2 (parquet, read only)",
    reader=read_waymo,
    writer=None,
    read_options=(
        Option(
            "image_dir",
            "folder",
            "write the camera JPEGs here as <segment>/<timestamp>_<CAMERA>.jpg (default: not written)",
            None,
            label="Extract camera images to",
        ),
    ),
    detect=looks_like_waymo,
    lost_on_export="—",
)
