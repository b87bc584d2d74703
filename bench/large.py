"""Large images (issue 14): a 100,000 x 100,000 whole-slide pyramid and a 512-slice CT series.

``python -m bench large [--side N] [--slices N] [--repeat N]``

(a) first paint: a pyramidal JPEG TIFF of side x side pixels (written from three pre-encoded tiles) opened in
    the main window (1600x1000, offscreen) of a fresh process, from ``open_path`` until the canvas shows the
    slide; resident memory afterwards. Target: < 2 s, < 1.5 GB. Reference: the same measurement on an
    8000x8000 RGB PNG, which the canvas decodes whole (its ordinary path).
(b) pan: then 120 drag steps of 40x25 px at 100 % in the middle of the slide, each a pan + full repaint;
    median and 95th percentile frame time, peak resident memory. Reference: the same pan over the
    8000x8000 image held in memory.
(c) CT series: ``project_from_folder`` over a folder of ``--slices`` 512x512 CT files (headers only,
    sorted into one series by position), then the first slice's pixels in HU. Reference: the least any
    DICOM reader does, ``pydicom.dcmread(stop_before_pixels=True)`` of every file.

Every GUI measurement runs in its own subprocess. README's "Large images" figures are these lines.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TILE = 1024


def write_pyramid(path: Path, side: int = 100_000, tile: int = TILE) -> list[bytes]:
    """A pyramidal JPEG TIFF (8-bit gray) of side x side pixels from three pre-encoded tiles written over and
    over, with halved levels down to one tile: 10 GB of pixels, about 60 MB on disk. Returns the tiles."""
    import imagecodecs
    import tifffile

    y, x = np.mgrid[:tile, :tile]
    tiles = [
        imagecodecs.jpeg8_encode(
            np.ascontiguousarray(((x // 256 % 2) * 150 + (y // 256 % 2) * 60 + c).astype(np.uint8)),
            level=40,
            optimize=True,
        )
        for c in (10, 30, 45)
    ]

    def stream(n: int):  # type: ignore[no-untyped-def]
        for i in range(n):
            yield tiles[i % 3]

    sides = [side]
    while sides[-1] > tile:
        sides.append((sides[-1] + 1) // 2)
    with tifffile.TiffWriter(path, bigtiff=True) as tw:
        for k, n in enumerate(sides):
            count = ((n + tile - 1) // tile) ** 2
            kw = {"subifds": len(sides) - 1} if k == 0 else {"subfiletype": 1}
            tw.write(stream(count), shape=(n, n), dtype=np.uint8, tile=(tile, tile), compression="jpeg", **kw)
    return tiles


def write_ct_series(folder: Path, slices: int, size: int = 512) -> None:
    """``slices`` CT files of size x size (pydicom's CT_small header, 2.5 mm apart, shuffled names)."""
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    template = pydicom.dcmread(get_testdata_file("CT_small.dcm", download=False))
    template.Rows = template.Columns = size
    yy, xx = np.mgrid[:size, :size]
    body = ((yy - size / 2) ** 2 + (xx - size / 2) ** 2 < (size * 0.4) ** 2).astype(np.int16)
    folder.mkdir(parents=True, exist_ok=True)
    series_uid = generate_uid()
    order = np.random.default_rng(0).permutation(slices)
    for k in range(slices):
        ds = template.copy()
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = generate_uid()
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [-160.0, -160.0, -600.0 + 2.5 * k]
        ds.PixelData = (body * (1064 + k % 50)).astype(np.int16).tobytes()
        ds.save_as(folder / f"IM{order[k]:05d}", enforce_file_format=True)


_FIRST_PAINT = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow

def rss():
    with open("/proc/self/status") as f:
        rows = [line.split(":", 1) for line in f]
    return {k: int(v.split()[0]) * 1024 for k, v in rows if k in ("VmRSS", "VmHWM")}

app = create_app()
win = MainWindow()
win.resize(1600, 1000)
win.show()
app.processEvents()
t0 = time.perf_counter()
win.open_path(Path(sys.argv[1]))
canvas = win.canvas
while canvas.image_item is None:
    app.processEvents()
    time.sleep(0.002)
canvas.viewport().grab()
t1 = time.perf_counter()
scale = canvas.zoom
level = canvas.image_item.level_for_scale(scale)
first = rss()["VmRSS"]
canvas.set_zoom(1.0)
canvas.centerOn(canvas.image_rect().center())
canvas.viewport().grab()
frames = []
for i in range(120):
    t = time.perf_counter()
    canvas.pan_by(-40 if i < 60 else 40, -25)
    canvas.viewport().grab()
    frames.append(time.perf_counter() - t)
frames.sort()
print(json.dumps({"seconds": t1 - t0, "level": level, "rss_first": first, "rss_peak": rss()["VmHWM"],
                  "pan_median": frames[len(frames) // 2], "pan_p95": frames[int(len(frames) * 0.95)]}))
win.document.undo_stack.setClean()
"""


def _project(image: Path, folder: Path) -> Path:
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.imageio import image_size
    from pixelproof.core.model import ImageRecord

    project = new_project(["tissue"])
    w, h = image_size(image)
    project.add_image(ImageRecord(1, image.name, w, h))
    path = folder / f"{image.stem}.json"
    save_project(project, path)
    return path


def _gui(project: Path, settings: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_PAINT, str(project), str(settings)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_slide(side: int, repeat: int, tmp: Path) -> None:
    import cv2

    slide = tmp / "slide.tif"
    t = time.perf_counter()
    write_pyramid(slide, side)
    took = time.perf_counter() - t
    print(f"wrote a {side:,} x {side:,} pyramid ({slide.stat().st_size / 1e6:.0f} MB) in {took:.1f} s")
    project = _project(slide, tmp)
    runs = [_gui(project, tmp / f"s{i}") for i in range(repeat)]
    big = tmp / "photo.png"
    yy, xx = np.mgrid[:8000, :8000]
    cv2.imwrite(str(big), np.dstack([xx % 256, yy % 256, (xx + yy) % 256]).astype(np.uint8))
    ref = [_gui(_project(big, tmp), tmp / f"r{i}") for i in range(repeat)]
    first = statistics.median(r["seconds"] for r in runs)
    ref_first = statistics.median(r["seconds"] for r in ref)
    print(
        f"first paint of a {side:,}^2 pyramid: {first:.2f} s (median of {repeat}; target < 2 s) vs "
        f"{ref_first:.2f} s for an 8000x8000 PNG decoded whole -> {first / ref_first:.2f}x"
    )
    pan = statistics.median(r["pan_median"] for r in runs) * 1000
    pan95 = statistics.median(r["pan_p95"] for r in runs) * 1000
    ref_pan = statistics.median(r["pan_median"] for r in ref) * 1000
    print(
        f"pan at 100 % on the pyramid: {pan:.1f} ms median, {pan95:.1f} ms p95 per frame vs "
        f"{ref_pan:.1f} ms on the 8000x8000 image in memory -> {pan / ref_pan:.2f}x"
    )
    peak = max(r["rss_peak"] for r in runs) / 2**30
    first_gb = runs[0]["rss_first"] / 2**30
    print(f"resident memory: {first_gb:.2f} GB after first paint, {peak:.2f} GB peak (target < 1.5 GB)")


def _stroke_on(side: int) -> tuple[float, int]:
    """One brush stroke (40 segments, 41 px wide: radius 20) into a new mask on a side x side image, as the
    app makes it: the editable mask, the stroke, the edit spliced into the RLE. Seconds and peak traced
    bytes."""
    import tracemalloc

    from pixelproof.core import annotation_pixels, paint
    from pixelproof.core.coco import new_project
    from pixelproof.core.edits import PaintMask, new_mask_annotation
    from pixelproof.core.model import ImageRecord

    project = new_project(["tissue"])
    project.add_image(ImageRecord(1, "image", side, side))
    cx, cy = side * 3 // 5, side * 4 // 5
    tracemalloc.start()
    t = time.perf_counter()
    ann = new_mask_annotation(project, 1, 1)
    stroke = paint.Stroke(annotation_pixels.editable_mask(None, side, side), width=41)
    for i in range(40):
        stroke.move_to(cx + 9 * i, cy + (i * 7) % 60)
    PaintMask(ann, stroke.finish(), is_new=True).apply(project)
    took = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return took, peak


def bench_edit(side: int, repeat: int) -> None:
    _stroke_on(side), _stroke_on(8000)  # imports and first-call costs out of the figures
    runs = [_stroke_on(side) for _ in range(repeat)]
    ref = [_stroke_on(8000) for _ in range(repeat)]
    t, r = statistics.median(x[0] for x in runs), statistics.median(x[0] for x in ref)
    peak, ref_peak = max(x[1] for x in runs) / 2**20, max(x[1] for x in ref) / 2**20
    print(
        f"brush stroke on the {side:,}^2 slide (tiles, mask stored cropped): {t * 1000:.0f} ms, "
        f"{peak:.1f} MB peak vs {r * 1000:.0f} ms, {ref_peak:.0f} MB on an 8000x8000 image (dense mask) "
        f"-> {t / r:.2f}x (median of {repeat})"
    )


def bench_series(slices: int, repeat: int, tmp: Path) -> None:
    import pydicom

    from pixelproof.core.image_folder import project_from_folder
    from pixelproof.core.imageio import read_image
    from pixelproof.core.volume_cache import clear_cache

    folder = tmp / "ct"
    write_ct_series(folder, slices)
    files = sorted(folder.iterdir())
    ours, ref = [], []
    for _ in range(repeat):
        clear_cache()
        t = time.perf_counter()
        project = project_from_folder(folder, tmp / "ct.json")
        first = read_image(project.image_path(project.images[1]))
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        for f in files:
            pydicom.dcmread(f, stop_before_pixels=True)
        ref.append(time.perf_counter() - t)
    o, r = statistics.median(ours), statistics.median(ref)
    assert len(project.images) == slices and first.min() < 0
    print(
        f"open a {slices}-slice CT series (headers, sort, first slice in HU): {o:.2f} s vs reading every "
        f"header with pydicom: {r:.2f} s -> {o / r:.2f}x (median of {repeat})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=100_000, help="pyramid side in pixels")
    parser.add_argument("--slices", type=int, default=512, help="slices of the CT series")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        bench_slide(args.side, args.repeat, Path(d))
        bench_edit(args.side, args.repeat)
        bench_series(args.slices, args.repeat, Path(d))
    return 0
