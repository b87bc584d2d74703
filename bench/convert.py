"""Conversion speed: LabelMe, Cityscapes, Open Images and QuPath GeoJSON to COCO (issues 7, 12, 20).

``python -m bench convert [--images N] [--cityscapes N] [--openimages N] [--cells N] [--runs R] [--keep DIR]``

Builds the datasets (a few small images hard-linked under many names), then times what ``pixelproof
convert --from FMT --to coco`` does: ``FORMATS[FMT].read`` + ``FORMATS["coco"].write`` (the cyclic garbage
collector paused, as ``Format.read/write`` do). Each figure is the median of R runs of CPU time (the
converters are single-threaded; wall time on a shared machine measures the neighbours), alternating with
its reference, run in the same process:

- LabelMe (default 20,000 images): parsing the same JSON files with the stdlib ``json`` and dumping one
  COCO-like JSON (no validation, no areas). The same conversion with the garbage collector running is
  printed beside it (issue 20: a third of the time went to the collector).
- Cityscapes (default 2,000 frames of 1024 x 512, 40 overlapping polygons each): cityscapesscripts'
  ``json2labelImg`` algorithm, i.e. stdlib ``json`` plus PIL drawing every polygon into a label image.
- Open Images (default 2,000 images, 6 boxes and 1 mask each): the stdlib ``csv`` module reading the
  rows and one JSON dump of the boxes.
- QuPath GeoJSON (default 200,000 cells, a whole slide's cell detection in QuPath 0.4's layout: 12-24
  corner outlines, nucleusGeometry, three classes with colours, ten measurements each) on a declared
  65,536 x 49,152 pyramid (its tiles empty; over 2**31 pixels, so areas are counted in each object's frame,
  as on any real slide): ``orjson`` parsing the file and one JSON dump of the outlines, no checks. Figures
  in cells/s. The file (274 MB at 200,000 cells) is over ``geojson_stream.STREAM_BYTES``, so it is
  streamed; then the peak memory of reading it is printed, streamed and parsed whole, each in a fresh
  process (its ``ru_maxrss`` less that of a process that only imports PixelProof; not on Windows).

Backs the figures of README's "Converting other formats", which are the lines this
prints (images/s and the reference's, same run).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image, ImageDraw

from pixelproof.core import coco as coco_module
from pixelproof.interop import formats as formats_module
from pixelproof.interop.formats import FORMATS

LABELS = ("cat", "dog", "car", "person", "tree")
CITY_LABELS = (
    "road",
    "sidewalk",
    "building",
    "car",
    "person",
    "vegetation",
    "sky",
    "ego vehicle",
    "cargroup",
)


def _link(base: Path, dst: Path) -> None:
    try:
        os.link(base, dst)
    except OSError:
        shutil.copy(base, dst)


def make_labelme(root: Path, n_images: int, shapes: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    bases = []
    for k in range(4):
        w, h = 320 + 32 * k, 240
        base = root / f"_base{k}.png"
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(base)
        bases.append((base, w, h))
    for i in range(n_images):
        base, w, h = bases[i % len(bases)]
        name = f"img_{i:05d}.png"
        _link(base, root / name)
        doc_shapes = []
        for _ in range(int(rng.integers(1, 2 * shapes + 1))):
            cx, cy = rng.uniform(20, w - 20), rng.uniform(20, h - 20)
            if rng.random() < 0.3:
                x2, y2 = cx + rng.uniform(5, 60), cy + rng.uniform(5, 60)
                pts, kind = [[cx, cy], [min(x2, w), min(y2, h)]], "rectangle"
            else:
                n = int(rng.integers(5, 30))
                t = np.sort(rng.uniform(0, 2 * np.pi, n))
                r = rng.uniform(5, 40, n)
                xs = np.clip(cx + r * np.cos(t), 0, w)
                ys = np.clip(cy + r * np.sin(t), 0, h)
                pts, kind = np.stack([xs, ys], axis=1).round(2).tolist(), "polygon"
            doc_shapes.append(
                {
                    "label": str(rng.choice(LABELS)),
                    "points": pts,
                    "group_id": None,
                    "description": "",
                    "shape_type": kind,
                    "flags": {},
                    "mask": None,
                }
            )
        doc = {
            "version": "5.5.0",
            "flags": {},
            "shapes": doc_shapes,
            "imagePath": name,
            "imageData": None,
            "imageHeight": h,
            "imageWidth": w,
        }
        (root / f"img_{i:05d}.json").write_text(json.dumps(doc, indent=2))
    for base, _, _ in bases:
        base.unlink()  # only the linked names remain, so every image has its JSON


def labelme_reference(root: Path, out: Path) -> None:
    """Parse every JSON with the stdlib and dump one COCO-like JSON: the I/O + parse floor."""
    images, anns = [], []
    for i, f in enumerate(sorted(root.glob("*.json")), start=1):
        d = json.loads(f.read_text())
        images.append(
            {"id": i, "file_name": d["imagePath"], "width": d["imageWidth"], "height": d["imageHeight"]}
        )
        for s in d["shapes"]:
            anns.append(
                {"id": len(anns) + 1, "image_id": i, "segmentation": [[v for p in s["points"] for v in p]]}
            )
    with open(out, "w") as fh:
        json.dump({"images": images, "annotations": anns, "categories": []}, fh)


def make_cityscapes(root: Path, n_frames: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    w, h = 1024, 512
    gt = root / "gtFine" / "train" / "benchcity"
    img = root / "leftImg8bit" / "train" / "benchcity"
    gt.mkdir(parents=True)
    img.mkdir(parents=True)
    base = root / "_base.png"
    Image.new("RGB", (w, h), (60, 60, 60)).save(base)
    for i in range(n_frames):
        prefix = f"benchcity_{i // 30:06d}_{i % 30:06d}"
        _link(base, img / f"{prefix}_leftImg8bit.png")
        objects = [
            {"label": "sky", "polygon": [[0, 0], [w - 1, 0], [w - 1, h // 3], [0, h // 3]]},
            {"label": "road", "polygon": [[0, h // 2], [w - 1, h // 2], [w - 1, h - 1], [0, h - 1]]},
        ]
        for _ in range(38):
            cx, cy = rng.uniform(0, w), rng.uniform(h * 0.2, h)
            n = int(rng.integers(6, 40))
            t = np.sort(rng.uniform(0, 2 * np.pi, n))
            r = rng.uniform(8, 90, n)
            pts = np.stack([np.clip(cx + r * np.cos(t), 0, w - 1), np.clip(cy + r * np.sin(t), 0, h - 1)], 1)
            objects.append(
                {"label": str(rng.choice(CITY_LABELS)), "polygon": pts.round().astype(int).tolist()}
            )
        doc = {"imgHeight": h, "imgWidth": w, "objects": objects}
        (gt / f"{prefix}_gtFine_polygons.json").write_text(json.dumps(doc))
    base.unlink()


def cityscapes_reference(root: Path, out: Path) -> None:
    """cityscapesscripts' json2labelImg: parse the JSON, draw each polygon (PIL) into a label image."""
    ids = {name: k for k, name in enumerate(CITY_LABELS, start=1)}
    for f in sorted((root / "gtFine").rglob("*_polygons.json")):
        d = json.loads(f.read_text())
        label = Image.new("L", (d["imgWidth"], d["imgHeight"]), 0)
        draw = ImageDraw.Draw(label)
        for obj in d["objects"]:
            draw.polygon([tuple(p) for p in obj["polygon"]], fill=ids.get(obj["label"], 0))
        label.tobytes()
    out.write_text("{}")


def make_openimages(root: Path, n_images: int, seed: int = 2) -> None:
    rng = np.random.default_rng(seed)
    (root / "annotations").mkdir(parents=True)
    (root / "images" / "train").mkdir(parents=True)
    (root / "masks" / "train").mkdir(parents=True)
    base = root / "_base.jpg"
    Image.new("RGB", (640, 480), (80, 80, 80)).save(base)
    blob = np.zeros((120, 160), np.uint8)
    blob[30:90, 40:120] = 255
    mids = [f"/m/bench{k}" for k in range(len(LABELS))]
    with open(root / "annotations" / "class-descriptions.csv", "w", newline="") as f:
        csv.writer(f).writerows(zip(mids, LABELS, strict=True))
    boxes, masks = [], []
    for i in range(n_images):
        image_id = f"{i:016x}"
        _link(base, root / "images" / "train" / f"{image_id}.jpg")
        for k in range(6):
            x0, y0 = rng.uniform(0, 0.7, 2)
            x1, y1 = x0 + rng.uniform(0.05, 0.3), y0 + rng.uniform(0.05, 0.3)
            boxes.append(
                [
                    image_id,
                    "xclick",
                    mids[k % len(mids)],
                    1,
                    f"{x0:.6f}",
                    f"{x1:.6f}",
                    f"{y0:.6f}",
                    f"{y1:.6f}",
                    0,
                    0,
                    int(k == 5),
                    0,
                    0,
                ]
            )
            if k == 0:
                name = f"{image_id}_{mids[0].strip('/').replace('/', '')}_{i:08x}.png"
                Image.fromarray(blob).save(root / "masks" / "train" / name)
                masks.append(
                    [
                        name,
                        image_id,
                        mids[0],
                        f"{i:08x}",
                        f"{x0:.6f}",
                        f"{x1:.6f}",
                        f"{y0:.6f}",
                        f"{y1:.6f}",
                        0.9,
                        "",
                    ]
                )
    from pixelproof.interop.openimages import BOX_COLUMNS, MASK_COLUMNS

    for name, header, rows in (("bbox", BOX_COLUMNS, boxes), ("object-segmentation", MASK_COLUMNS, masks)):
        with open(root / "annotations" / f"train-annotations-{name}.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    base.unlink()


def openimages_reference(root: Path, out: Path) -> None:
    """The stdlib csv module reading every row, and one JSON dump of the boxes."""
    rows = []
    for f in sorted((root / "annotations").glob("*.csv")):
        with open(f, newline="") as fh:
            rows += list(csv.DictReader(fh))
    with open(out, "w") as fh:
        json.dump(rows, fh)


def make_geojson(root: Path, n_cells: int, seed: int = 3, corners: tuple[int, int] = (12, 25)) -> None:
    """``slide.geojson`` (a FeatureCollection of cells, as QuPath 0.4 exports them) beside ``slide.tif``;
    each cell's outline of ``corners`` (low, high + 1) corners, its nucleus of half as many."""
    import orjson
    import tifffile

    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    h, w, t = 49152, 65536, 1024
    empty = np.zeros((t, t), np.uint8)
    with tifffile.TiffWriter(root / "slide.tif", bigtiff=True, ome=True) as tw:
        for level, (lh, lw) in enumerate(((h, w), (h // 8, w // 8))):
            tiles = (empty for _ in range(-(-lh // t) * -(-lw // t)))
            extra = {"subifds": 1} if level == 0 else {"subfiletype": 1}
            tw.write(tiles, shape=(lh, lw), dtype=np.uint8, tile=(t, t), compression="zlib", **extra)
    classes = (("Tumor", [200, 0, 0]), ("Stroma", [150, 200, 150]), ("Immune cells", [160, 90, 160]))
    names = ["Nucleus: Area", "Nucleus: Perimeter", "Nucleus: Circularity", "Nucleus: Hematoxylin OD mean"]
    names += ["Nucleus: Eosin OD mean", "Cell: Area", "Cell: Perimeter", "Cell: Eosin OD mean"]
    names += ["Cytoplasm: Eosin OD mean", "Nucleus/Cell area ratio"]
    features = []
    for i, (cx, cy) in enumerate(rng.uniform((100, 100), (w - 100, h - 100), (n_cells, 2))):
        n = int(rng.integers(*corners))
        r = rng.uniform(4, 8)
        rings = []
        for scale, k in ((r, n), (r / 2, n if corners == (12, 25) else max(8, n // 2))):
            angles = np.linspace(0, 2 * np.pi, k, endpoint=False)
            ring = np.stack([cx + scale * np.cos(angles), cy + scale * np.sin(angles)], 1).round(1).tolist()
            rings.append([*ring, ring[0]])
        name, color = classes[i % 3]
        features.append(
            {
                "type": "Feature",
                "id": f"{i:08x}-0000-4000-8000-{seed:012x}",
                "geometry": {"type": "Polygon", "coordinates": [rings[0]]},
                "nucleusGeometry": {"type": "Polygon", "coordinates": [rings[1]]},
                "properties": {
                    "objectType": "cell",
                    "classification": {"name": name, "color": color},
                    "isLocked": False,
                    "measurements": dict(zip(names, rng.uniform(0, 100, len(names)).tolist(), strict=True)),
                },
            }
        )
    (root / "slide.geojson").write_bytes(orjson.dumps({"type": "FeatureCollection", "features": features}))


def geojson_reference(root: Path, out: Path) -> None:
    """orjson parsing each file and one JSON dump of the outlines: the parse floor, no checks, no areas."""
    import orjson

    anns = []
    for f in sorted(root.glob("*.geojson")):
        for feature in orjson.loads(f.read_bytes())["features"]:
            ring = feature["geometry"]["coordinates"][0]
            anns.append({"id": len(anns) + 1, "segmentation": [[v for p in ring[:-1] for v in p]]})
    out.write_bytes(orjson.dumps({"annotations": anns}))


_PEAK = """
import sys
from pathlib import Path
from pixelproof.interop import geojson_stream
from pixelproof.interop.formats import FORMATS

def status(key):
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(key))
    return int(line.split()[1]) * 1024

geojson_stream.STREAM_BYTES = float("inf") if sys.argv[2] == "whole" else 0
FORMATS["geojson"]  # the registry's modules imported before the mark
base = status("VmRSS:")
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
FORMATS["geojson"].read(sys.argv[1])
print(status("VmHWM:") - base)
"""


def _peak_rss(src: Path, how: str) -> int:
    """Peak resident bytes a fresh process adds, past its imports, reading ``src`` as convert does
    (``how``: ``stream`` or ``whole``). Linux's peak is reset after the imports (/proc/self/clear_refs):
    the imports' own passing peak would otherwise hide a read smaller than it."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(src), how], capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1])


def geojson_memory(src: Path, cells: int) -> None:
    """Print the peak memory of reading the cells, streamed and parsed whole (README: From QuPath)."""
    if not Path("/proc/self/clear_refs").exists():  # Linux only
        return
    streamed, whole = _peak_rss(src, "stream"), _peak_rss(src, "whole")
    size = (src / "slide.geojson").stat().st_size
    print(
        f"geojson peak memory of the read ({cells:,} cells, {size / 2**20:,.0f} MB file, a fresh process's "
        f"peak resident memory past its imports): streamed {streamed / 2**20:,.0f} MB "
        f"({streamed / cells / 1024:.1f} KB a cell), parsed whole {whole / 2**20:,.0f} MB "
        f"({whole / cells / 1024:.1f} KB a cell)"
    )


def _convert(fmt: str, src: Path, out: Path) -> tuple[int, int]:
    result = FORMATS[fmt].read(src)
    FORMATS["coco"].write(result.project, out)
    return len(result.project.images), len(result.project.annotations)


@contextlib.contextmanager
def _collector_running() -> Iterator[None]:
    yield


def _labelme_gc_on(src: Path, out: Path) -> None:
    """The same conversion, the same work (the size checks, marks and export decisions ``Format`` adds to
    the reader and writer), with the garbage collector running: ``gc_paused`` made a no-op meanwhile."""
    assert gc.isenabled()
    with (
        mock.patch.object(formats_module, "gc_paused", _collector_running),
        mock.patch.object(coco_module, "gc_paused", _collector_running),
    ):
        _convert("labelme", src, out)


def _timed(func: Callable[[], object], times: list[float]) -> None:
    t0 = time.process_time()
    func()
    times.append(time.process_time() - t0)


def _section(
    name: str,
    src: Path,
    tmp: Path,
    runs: int,
    reference: Callable[[Path, Path], None],
    ref_name: str,
    unit: str = "images",
) -> float:
    ours: list[float] = []
    refs: list[float] = []
    counts = (0, 0)
    for r in range(runs):  # alternate, so load on the machine hits both alike
        t0 = time.process_time()
        counts = _convert(name, src, tmp / f"out_{name}_{r}.json")
        ours.append(time.process_time() - t0)
        _timed(lambda r=r: reference(src, tmp / f"ref_{name}_{r}.json"), refs)
    n = counts[0] if unit == "images" else counts[1]
    t, tr = statistics.median(ours), statistics.median(refs)
    print(
        f"convert {name}->coco {counts[0]:,} images ({counts[1]:,} annotations): {n / t:,.0f} {unit}/s "
        f"({t:.2f} s, median of {runs}); reference {ref_name}: {n / tr:,.0f} {unit}/s ({tr:.2f} s); "
        f"ratio {t / tr:.2f}x"
    )
    return t


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench convert", description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=20000, help="LabelMe images (0: skip)")
    parser.add_argument("--shapes", type=int, default=3, help="mean LabelMe shapes per image")
    parser.add_argument("--cityscapes", type=int, default=2000, help="Cityscapes frames (0: skip)")
    parser.add_argument("--openimages", type=int, default=2000, help="Open Images images (0: skip)")
    parser.add_argument("--cells", type=int, default=200000, help="QuPath GeoJSON cells (0: skip)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is printed)")
    parser.add_argument("--keep", help="build the datasets here and keep them")
    args = parser.parse_args(argv)
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pixelproof-bench-"))
    try:
        if args.images:
            src = tmp / "labelme"
            make_labelme(src, args.images, args.shapes)
            print(f"made {args.images:,} LabelMe files ({src})")
            _section("labelme", src, tmp, args.runs, labelme_reference, "stdlib json parse + dump, no checks")
            # alternating with convert as it runs (collector paused), as the reference above: run after
            # all of them, the collector's runs found the heap the earlier runs had grown (no page faults)
            on: list[float] = []
            again: list[float] = []
            for r in range(args.runs):
                _timed(lambda r=r: _convert("labelme", src, tmp / f"again_{r}.json"), again)
                _timed(lambda r=r: _labelme_gc_on(src, tmp / f"gc_on_{r}.json"), on)
            running, paused = statistics.median(on), statistics.median(again)
            verdict = "met" if paused < running else "NOT MET"
            print(
                f"labelme->coco with the garbage collector running: {running:.2f} s (median of {args.runs}) "
                f"vs {paused:.2f} s as convert runs it (collector paused; the two alternating) -> "
                f"{paused / running:.2f}x "
                f"(issue 20 item 5, readers and writers pause the collector; target < 1x: {verdict})"
            )
        if args.cityscapes:
            src = tmp / "cityscapes"
            make_cityscapes(src, args.cityscapes)
            _section(
                "cityscapes",
                src,
                tmp,
                args.runs,
                cityscapes_reference,
                "json2labelImg (stdlib json + PIL polygon fill)",
            )
        if args.openimages:
            src = tmp / "openimages"
            make_openimages(src, args.openimages)
            _section("openimages", src, tmp, args.runs, openimages_reference, "stdlib csv rows + json dump")
        if args.cells:
            src = tmp / "geojson"
            make_geojson(src, args.cells)
            _section(
                "geojson", src, tmp, args.runs, geojson_reference, "orjson parse + json dump", unit="cells"
            )
            geojson_memory(src, args.cells)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0
