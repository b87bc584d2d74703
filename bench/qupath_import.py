"""QuPath GeoJSON import speed: File > Import / ``convert --from geojson`` reading a slide's cell export
(default 100,000 cells of 20-39 corners, each with a nucleus of half as many, a class with its colour and
ten measurements, QuPath 0.4's layout, ``bench.convert.make_geojson``) on its declared 65,536 x 49,152
pyramid. At that size the file is over ``geojson_stream.STREAM_BYTES`` (64 MB), so it is streamed, as a
real slide's export is.

``python -m bench qupath_import [--cells N] [--runs R]``

Three readings, alternating in one process (the machine is shared: CPU time, the median of R runs of each;
the ratios are the figures to trust):

- ours: ``FORMATS["geojson"].read``, the import as the app and ``convert`` run it (no COCO write).
- plain paths: the same read with its fast paths off - every polygon through the general ring checks
  (``parts``/``add_object``), each area rasterized alone, each streamed feature parsed by ``json``'s
  decoder - which is the code before they were added (tests/interop/test_geojson_fast_paths.py checks
  both give the same project).
- floor: ``orjson`` parsing the file whole and, per cell, its outline flattened, its box and its shoelace
  area in plain Python and its measurements copied: no checks, no pixel-exact area, no messages.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from bench.convert import make_geojson


def _floor(src: Path) -> int:
    """The parse-and-copy floor: orjson, then each outline's box and shoelace area in plain Python."""
    import orjson

    objects = []
    for feature in orjson.loads((src / "slide.geojson").read_bytes())["features"]:
        ring = feature["geometry"]["coordinates"][0][:-1]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        area = 0.0
        for k in range(len(ring)):
            area += xs[k - 1] * ys[k] - xs[k] * ys[k - 1]
        x0, y0 = min(xs), min(ys)
        props = feature["properties"]
        objects.append(
            {
                "segmentation": [[v for p in ring for v in p]],
                "bbox": [x0, y0, max(xs) - x0, max(ys) - y0],
                "area": abs(area) / 2,
                "category": props["classification"]["name"],
                "measurements": dict(props["measurements"]),
            }
        )
    return len(objects)


@contextlib.contextmanager
def _plain_paths() -> Iterator[None]:
    """The import's fast paths off (as tests/interop/test_geojson_fast_paths.py turns them off)."""
    from pixelproof.interop import _util, geojson, geojson_stream

    with (
        mock.patch.object(geojson, "plain_outline", lambda geometry: None),
        mock.patch.object(_util.Builder, "areas_in_bulk", lambda self, image: contextlib.nullcontext()),
        mock.patch.object(geojson_stream._Text, "value_to", lambda self, end: self.value()),
    ):
        yield


def _ours(src: Path) -> int:
    from pixelproof.interop.formats import FORMATS

    return len(FORMATS["geojson"].read(src).project.annotations)


def _plain(src: Path) -> int:
    with _plain_paths():
        return _ours(src)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench qupath_import", description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=100_000, help="QuPath cells in the export")
    parser.add_argument("--runs", type=int, default=3, help="runs of each reading (the median is printed)")
    args = parser.parse_args(argv)
    from pixelproof.interop import geojson_stream

    tmp = Path(tempfile.mkdtemp(prefix="pixelproof-bench-"))
    try:
        src = tmp / "geojson"
        make_geojson(src, args.cells, corners=(20, 40))
        size = (src / "slide.geojson").stat().st_size
        how = "streamed" if size >= geojson_stream.STREAM_BYTES else "parsed whole"
        print(
            f"made a QuPath GeoJSON export of {args.cells:,} cells, 20-39 corners "
            f"({size / 2**20:,.0f} MB: {how})"
        )
        readings: dict[str, tuple[Callable[[Path], int], list[float]]] = {
            "ours": (_ours, []),
            "plain paths (before)": (_plain, []),
            "floor (orjson + plain Python)": (_floor, []),
        }
        for func, _ in readings.values():
            func(src)  # imports and first-use costs, untimed
        for _ in range(args.runs):
            for func, times in readings.values():
                t0 = time.process_time()
                n = func(src)
                times.append(time.process_time() - t0)
                if n != args.cells:
                    raise SystemExit(f"read {n:,} cells of {args.cells:,}")
        t = {name: statistics.median(times) for name, (_, times) in readings.items()}
        ours = t["ours"]
        for name, secs in t.items():
            ratio = "" if name == "ours" else f"; ours takes {ours / secs:.2f}x its time"
            print(
                f"  {name}: {args.cells / secs:,.0f} cells/s ({secs:.2f} s CPU, median of {args.runs}){ratio}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
