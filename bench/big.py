"""Big projects: what grows with a team's project, each case run at two sizes, N/4 and N, in one process.

``python -m bench big [--objects N] [--images N] [--annotations N] [--qa-images N] [--skip-app]``

The reference of each line is the same case at a quarter of the size: a ratio near 4 means the work grows
with the size, near 16 with its square (what these cases did before they were fixed).

- app, many objects on one image (``--objects``, default 5,000 boxes): select all (Ctrl+A's action), delete
  them, undo, each until the panels and the canvas are updated (main window 1600x1000, offscreen, a fresh
  process per size).
- app, Images panel filter (``--images`` images x 10 objects, default 100,000, 1,000 classes): one keystroke's
  re-filtering of the table (the filter set to "img00001"), then a query on the objects: "class:class7"
  (the first reads every image's objects once) and "-class:class7" (the next keystroke, from what was read).
- undo of deleting one object from the middle of a project of ``--annotations`` objects (default 1,000,000,
  loaded from its file), and of one with 1 % of the objects after it (an undo moves the objects after the
  first one it puts back), and the memory the deletion's undo record keeps.
- ``run_qa`` of ``--qa-images`` image pairs (default 200, 10 boxes each) whose objects use 1,000 classes;
  reference: the same pairs with 10 classes. The per-image table has a row per image and class (both empty
  included, as the conventions want), so it grows with the classes; the matching does not.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

_APP = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow
app = create_app()
win = MainWindow()
win.resize(1600, 1000)
win.show()
app.processEvents()
win.open_path(Path(sys.argv[1]))
while win.canvas.image_item is None:
    app.processEvents()
    time.sleep(0.002)

def timed(fn):
    t = time.perf_counter()
    fn()
    for _ in range(5):
        app.processEvents()
    win.canvas.viewport().grab()
    return time.perf_counter() - t

out = {}
if sys.argv[3] == "objects":
    out["select all"] = timed(win.select_all)
    out["delete"] = timed(win.delete_selection)
    out["undo"] = timed(win.document.undo_stack.undo)
else:
    panel = win.panels["imagesDock"]
    out["filter keystroke"] = timed(lambda: panel.filter.setText("img00001"))
    out["class first"] = timed(lambda: panel.filter.setText("class:class7"))
    out["class next"] = timed(lambda: panel.filter.setText("-class:class7"))
win.document.undo_stack.setClean()
print(json.dumps(out))
"""


def _boxes_project(path: Path, n_images: int, per_image: int, n_classes: int, seed: int = 0) -> Path:
    """``n_images`` images of ``per_image`` 20x20 boxes each, classes drawn at random."""
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import Annotation, ImageRecord

    rng = np.random.default_rng(seed)
    p = new_project([f"class{i}" for i in range(1, n_classes + 1)])
    aid = 1
    for i in range(1, n_images + 1):
        p.add_image(ImageRecord(i, f"img{i:07d}.png", 2000, 2000))
        for _ in range(per_image):
            x, y = rng.uniform(0, 1950, 2)
            cid = int(rng.integers(1, n_classes + 1))
            p.add_annotation(Annotation(aid, i, cid, [float(x), float(y), 20.0, 20.0], None, 400.0))
            aid += 1
    return save_project(p, path)


def _app(folder: Path, project: Path, case: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    settings = folder / f"settings-{project.stem}"
    proc = subprocess.run(
        [sys.executable, "-c", _APP, str(project), str(settings), case],
        capture_output=True, text=True, env=env, timeout=3600,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip()[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(what: str, small: float, big: float, unit: str = "s") -> None:
    print(
        f"  {what}: {big:.3f} {unit}; at a quarter of the size {small:.3f} {unit} (ratio {big / small:.1f})"
    )


def bench_objects(folder: Path, n: int) -> None:
    from PIL import Image

    Image.new("RGB", (2000, 2000), (90, 90, 90)).save(folder / "img0000001.png")
    runs = {
        k: _app(folder, _boxes_project(folder / f"objects{k}.json", 1, k, 10), "objects") for k in (n // 4, n)
    }
    print(f"app, {n:,} boxes on one image (reference: {n // 4:,}):")
    for step in ("select all", "delete", "undo"):
        _line(f"[README] {step}", runs[n // 4][step], runs[n][step])


def bench_filter(folder: Path, n: int) -> None:
    runs = {
        k: _app(folder, _boxes_project(folder / f"images{k}.json", k, 10, 1000), "filter")
        for k in (n // 4, n)
    }
    print(f"app, Images panel of {n:,} images, 1,000 classes (reference: {n // 4:,} images):")
    _line("[README] filter keystroke", runs[n // 4]["filter keystroke"], runs[n]["filter keystroke"])
    _line(
        "[README] class:class7, the first query on objects",
        runs[n // 4]["class first"],
        runs[n]["class first"],
    )
    _line("[README] -class:class7, the next keystroke", runs[n // 4]["class next"], runs[n]["class next"])


def bench_undo(folder: Path, n: int) -> None:
    from pixelproof.core.coco import load_project
    from pixelproof.core.edits import RemoveAnnotations

    figures = {}
    for k in (n // 4, n):
        project = load_project(_boxes_project(folder / f"undo{k}.json", k // 10, 10, 1000))
        order = list(project.annotations)
        gc.collect()
        tracemalloc.start()
        edit = RemoveAnnotations([order[len(order) // 2]])
        edit.apply(project)
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        t = time.perf_counter()
        edit.revert(project)
        middle = time.perf_counter() - t
        edit = RemoveAnnotations([order[-len(order) // 100]])  # 1 % of the objects after it
        edit.apply(project)
        t = time.perf_counter()
        edit.revert(project)
        figures[k] = (middle, held / 1e3, time.perf_counter() - t)
        del project, edit, order
    print(f"undo of deleting one object, project of {n:,} objects (reference: {n // 4:,}):")
    _line("[README] undo, the object in the middle of the file", figures[n // 4][0], figures[n][0])
    _line("[README] undo, the object with 1 % of the objects after it", figures[n // 4][2], figures[n][2])
    print(f"  [README] the deletion's undo record keeps {figures[n][1]:.1f} kB ({figures[n // 4][1]:.1f} kB "
          f"at a quarter of the size)")  # fmt: skip


def bench_qa(n: int) -> None:
    from pixelproof.core.coco import load_project
    from pixelproof.core.qa import run_qa
    from pixelproof.core.qa_tables import StreamedRows

    took = {}
    with tempfile.TemporaryDirectory() as tmp:
        one = load_project(_boxes_project(Path(tmp) / "warm.json", 1, 10, 10))
        run_qa(one, one)  # imports and first calls out of the timing
        for classes in (10, 1000):
            ref = load_project(_boxes_project(Path(tmp) / f"ref{classes}.json", n, 10, classes, seed=1))
            cand = load_project(_boxes_project(Path(tmp) / f"cand{classes}.json", n, 10, classes, seed=1))
            for a in list(cand.annotations.values())[::3]:
                a.bbox = [a.bbox[0] + 3, a.bbox[1], a.bbox[2], a.bbox[3]]
            t = time.perf_counter()
            with StreamedRows() as stream:
                run_qa(ref, cand, stream=stream)
            took[classes] = (time.perf_counter() - t, stream.overall.n_rows)
    print(f"run_qa, {n} image pairs x 10 boxes:")
    (big, big_rows), (small, small_rows) = took[1000], took[10]
    print(f"  [README] 1,000 classes {big:.1f} s ({big_rows:,} image x class rows); "
          f"10 classes {small:.1f} s ({small_rows:,} rows) (ratio {big / small:.1f})")  # fmt: skip


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench big")
    ap.add_argument("--objects", type=int, default=5000)
    ap.add_argument("--images", type=int, default=100_000)
    ap.add_argument("--annotations", type=int, default=1_000_000)
    ap.add_argument("--qa-images", type=int, default=200)
    ap.add_argument("--skip-app", action="store_true")
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp:
        folder = Path(tmp)
        os.environ.setdefault("PIXELPROOF_AUTHOR", "bench")
        if not args.skip_app:
            bench_objects(folder, args.objects)
            bench_filter(folder, args.images)
        bench_undo(folder, args.annotations)
    bench_qa(args.qa_images)
    return 0
