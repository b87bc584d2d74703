"""Parquet column chunks read from their page headers, and cell by cell when a page is too big to decode.

pyarrow decompresses a whole data page before it hands out any value in it, trusting the size in the
page's header, and its writer puts up to 1024 values in one page: four cells of 256 MB of zeros made one
805 MB page in a 27 KB file. Here the page headers are read first (their sizes decide, not the footer's
totals), and a binary column whose page is over the limit is decompressed as a stream in which each
cell's length comes before its bytes, so a cell over the limit is skipped without being held. Understood
for streaming is what a flat binary column holds: BYTE_ARRAY, at most one definition level, PLAIN data
pages (v1 or v2), codecs that stream (none, gzip, zstd, brotli); anything else raises ``PageError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

DATA_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2 = 0, 2, 3
PLAIN, RLE = 0, 3
STREAM_CODECS = {"UNCOMPRESSED": None, "GZIP": "gzip", "ZSTD": "zstd", "BROTLI": "brotli"}
HEADER_READ = 1 << 12  # a page header is a few dozen bytes (more with statistics)
MAX_HEADER = 1 << 24  # pyarrow's own limit on a page header
MAX_DEPTH = 16  # nested thrift structs in a page header (statistics: 2)
CHUNK = 1 << 20  # bytes decompressed at once while skipping a cell


class PageError(ValueError):
    """A column chunk whose pages cannot be read (damaged, or laid out in a way not understood here)."""


@dataclass(frozen=True)
class Page:
    kind: int  # DATA_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2 ...
    offset: int  # of the page's body, right after its header
    compressed: int
    uncompressed: int
    body: dict[int, Any]  # the data page (v1 or v2) header's fields by thrift field id


def pages(src: Any, chunk: Any) -> list[Page]:
    """The pages of a column chunk (``pyarrow.parquet.ColumnChunkMetaData``) of the pyarrow file ``src``."""
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    end = start + chunk.total_compressed_size
    out: list[Page] = []
    pos = start
    while pos < end:
        header, size = _header(src, pos)
        kind, uncompressed, compressed = header.get(1), header.get(2), header.get(3)
        if not all(isinstance(v, int) and v >= 0 for v in (kind, uncompressed, compressed)):
            raise PageError(f"page header at byte {pos:,} is damaged")
        body = header.get({DATA_PAGE: 5, DICTIONARY_PAGE: 7, DATA_PAGE_V2: 8}.get(kind, -1))
        out.append(Page(kind, pos + size, compressed, uncompressed, body if isinstance(body, dict) else {}))
        if len(out) > chunk.num_values + 1:  # a page holds a value at least (one dictionary page aside)
            raise PageError(f"column chunk at byte {start:,} holds more pages than values")
        pos += size + compressed
    return out


def unstreamable(column: Any, chunk: Any, pages: list[Page]) -> str | None:
    """Why ``cells`` cannot read this column chunk (``column``: its ``ColumnSchema``), or None."""
    if (
        column.physical_type != "BYTE_ARRAY"
        or column.logical_type.type != "NONE"
        or column.max_repetition_level
        or column.max_definition_level > 1
    ):
        return "it is no plain binary column"
    if chunk.compression not in STREAM_CODECS:
        return f"its {chunk.compression} pages do not decompress as a stream"
    for page in pages:
        if (
            page.kind not in (DATA_PAGE, DATA_PAGE_V2)
            or page.body.get(4 if page.kind == DATA_PAGE_V2 else 2) != PLAIN
        ):
            return "its pages are not plain data pages"
        if page.kind == DATA_PAGE and column.max_definition_level and page.body.get(3) != RLE:
            return "its definition levels are not RLE-encoded"
    return None


def cells(
    src: Any, column: Any, chunk: Any, pages: list[Page], limit: int
) -> Iterator[tuple[bytes | None, int]]:
    """(cell, size) for each row of a column chunk of the pyarrow file ``src`` that ``unstreamable``
    accepts: cell None for a null (size 0) and for a cell over ``limit`` bytes, which is skipped as it
    is decompressed, never held."""
    import pyarrow as pa

    if why := unstreamable(column, chunk, pages):
        raise PageError(why)
    codec, max_def = STREAM_CODECS[chunk.compression], column.max_definition_level
    for page in pages:
        count = page.body.get(1)
        if not isinstance(count, int) or count < 0:
            raise PageError(f"page at byte {page.offset:,} has no value count")
        if page.kind == DATA_PAGE:
            stream = _stream(pa, src, page.offset, page.compressed, codec)
            levels = _levels(_read(stream, _length(stream, limit))) if max_def else None
        else:  # v2: levels stored uncompressed ahead of the values
            rep, dfn = page.body.get(6, 0), page.body.get(5, 0)
            if rep or not 0 <= dfn <= min(page.compressed, limit):
                raise PageError(f"page at byte {page.offset:,} has damaged level lengths")
            levels = _levels(src.read_at(dfn, page.offset)) if max_def else None
            compressed = page.body.get(7, True) and codec
            stream = _stream(pa, src, page.offset + dfn, page.compressed - dfn, compressed or None)
        for _ in range(count):
            if levels is not None and next(levels, 0) < max_def:
                yield None, 0
                continue
            size = _length(stream)
            if size <= limit:
                yield _read(stream, size), size
                continue
            left = size
            while left:
                left -= len(_read(stream, min(left, CHUNK)))
            yield None, size


def _stream(pa: Any, src: Any, offset: int, length: int, codec: str | None) -> Any:
    raw = src.get_stream(offset, length)
    return pa.CompressedInputStream(raw, codec) if codec else raw


def _length(stream: Any, limit: int | None = None) -> int:
    """A 4-byte length prefix (of a cell, or of v1 definition levels: at most ``limit``)."""
    n = int.from_bytes(_read(stream, 4), "little")
    if limit is not None and n > limit:
        raise PageError(f"a page's definition levels claim {n:,} bytes")
    return n


def _read(stream: Any, n: int) -> bytes:
    try:
        data = stream.read(n)
    except (OSError, ValueError) as e:  # a damaged compressed stream
        raise PageError(f"a page does not decompress ({e})") from None
    if len(data) != n:
        raise PageError("a page ends inside a cell")
    return data


def _levels(data: bytes) -> Iterator[int]:
    """Definition levels (bit width 1) from the RLE / bit-packed hybrid encoding, one at a time."""
    i = 0
    while i < len(data):
        header, i = _varint(data, i)
        if header & 1:  # bit-packed: (header >> 1) groups of 8 one-bit values
            groups = data[i : i + (header >> 1)]
            i += header >> 1
            for byte in groups:
                for bit in range(8):
                    yield byte >> bit & 1
        else:  # a run of (header >> 1) copies of one byte's value
            value = data[i] if i < len(data) else 0
            i += 1
            for _ in range(header >> 1):
                yield value


def _header(src: Any, pos: int) -> tuple[dict[int, Any], int]:
    """A thrift compact PageHeader at ``pos``: its fields and its length in bytes."""
    want = HEADER_READ
    while True:
        data = src.read_at(want, pos)
        try:
            return _struct(data, 0, 0)
        except IndexError:
            if len(data) < want or want >= MAX_HEADER:
                raise PageError(f"page header at byte {pos:,} is damaged") from None
            want *= 16


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i
        if shift > 70:
            raise PageError("a page header holds a damaged number")


def _struct(data: bytes, i: int, depth: int) -> tuple[dict[int, Any], int]:
    """Integer, boolean and struct fields of a thrift compact struct (others are skipped)."""
    if depth > MAX_DEPTH:
        raise PageError("a page header is nested too deeply")
    fields: dict[int, Any] = {}
    field = 0
    while True:
        byte = data[i]
        i += 1
        if byte == 0:
            return fields, i
        kind, delta = byte & 15, byte >> 4
        if delta:
            field += delta
        else:
            raw, i = _varint(data, i)
            field = raw >> 1 ^ -(raw & 1)
        if kind in (1, 2):
            fields[field] = kind == 1
        elif kind in (4, 5, 6):
            raw, i = _varint(data, i)
            fields[field] = raw >> 1 ^ -(raw & 1)
        elif kind == 12:
            fields[field], i = _struct(data, i, depth + 1)
        else:
            i = _skip(data, i, kind, depth)


def _skip(data: bytes, i: int, kind: int, depth: int) -> int:
    if kind in (1, 2, 3):  # a boolean in a list or map, a byte
        return i + 1
    if kind in (4, 5, 6):
        return _varint(data, i)[1]
    if kind == 7:  # double
        return i + 8
    if kind == 8:  # binary
        n, i = _varint(data, i)
        return i + n
    if kind in (9, 10, 11):  # list, set, map: elements are read until the bytes run out
        if kind == 11:
            n, i = _varint(data, i)
            kinds = (data[i] >> 4, data[i] & 15) if n else ()
            i += 1 if n else 0
        else:
            n, kinds = data[i] >> 4, (data[i] & 15,)
            i += 1
            if n == 15:
                n, i = _varint(data, i)
        for _ in range(n):
            for element in kinds:
                i = _skip(data, i, element, depth)
            if i > len(data):
                raise IndexError(i)
        return i
    if kind == 12:
        return _struct(data, i, depth + 1)[1]
    raise PageError(f"a page header holds an unknown thrift type {kind}")
