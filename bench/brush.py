"""Brush latency (issue 4): time per mouse-move event of a brush stroke, from the event to the updated pixels
on screen, against a naive overlay rebuild; and the app's peak memory with hundreds of masks.

``python -m bench brush [--size N] [--masks N] [--dabs N] [--radius R] [--window WxH]``

An ``--size`` x ``--size`` RGB photo (default 8000x8000, JPEG) with ``--masks`` RLE masks (default 300 discs
and ellipses of 40-300 px radius, 3 categories) is opened in the real main window, offscreen, in a fresh
process. The brush tool (radius ``--radius``, default 12: the toolbar's width 2R+1, 25 px) paints a new mask
with one ``--dabs``-event stroke (default 200 move events, ~6 px apart, at 100 % zoom; the stroke crosses
other masks). Each event is a real ``QMouseEvent`` sent to the canvas viewport; the clock stops when the
viewport has handled its next paint event (``processEvents`` until an event filter sees ``QEvent.Paint``),
i.e. when the new pixels are on the backing store. Reported: median and 95th percentile per event, the release
(the undo step: patch, RLE splice, item re-sync), and that the painted pixels equal OpenCV's reference line.
Then ``--releases`` (default 9) more strokes, each a new mask of 40 events, time their release: event ->
command pushed -> repainted viewport (the Annotations and other panels' deferred updates run before that
paint); the median must stay within DESIGN.md's 50 ms for the UI thread.

References, same process set-up and the same events, each replacing only the brush's per-event display
update (the stroke itself, ``core.paint.Stroke``, is the same):
- "naive" (the issue's reference): one image-sized overlay layer, as a labels layer without dirty regions
  has it; every event recolours the whole H x W overlay from the mask and the viewport repaints it whole.
  Slow, so only the first ``--naive-events`` events (default 25) are timed.
- "rebuild the mask's item": what the canvas would do by re-syncing the edited annotation's item per event
  (bbox of the full mask, crop, recolour every pixel of the crop, re-trace the outline:
  ``MaskItem.set_mask``) and repainting the whole item; an intermediate, shown for scale.
Targets: median <= 4 ms and >= 20x faster than naive.

Memory: peak resident set (``ru_maxrss``) of the process with the masks, and of the same window on the same
image without masks, so the masks' share shows.

Backs the brush figures of README's "Masks" (Using the app), which are lines this prints.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_CHILD = r"""
import json, math, os, resource, sys, time, types
import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[3])
from pixelproof.core import mask_edit, masks, paint, rle_codec
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow
from pixelproof.ui.tools.paint_options import OPTIONS

mode, project = sys.argv[1], sys.argv[2]
dabs = int(sys.argv[4])
radius, vw, vh = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
app = create_app()
win = MainWindow()
win.resize(vw, vh)
win.show()
app.processEvents()
base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
win.open_path(project)
canvas = win.canvas
while canvas.image_item is None or canvas.is_loading:
    app.processEvents()
    time.sleep(0.002)
app.processEvents()
load_s = time.perf_counter() - t
# the image's masks from the project: unselected ones are drawn by the canvas's layer, not items of their own
masks_shown = len(win.document.project.annotations_of(win.document.current_image_id))
out = {"load_s": load_s, "items": masks_shown, "base_kb": base_kb}

if mode != "idle":
    win.choose_tool("brush")
    OPTIONS.set(width=2 * radius + 1, preserve_others=False)  # the toolbar's width: 2r+1
    win.document.set_selection([])
    canvas.set_zoom(1.0)
    h_img, w_img = canvas.image_size()
    canvas.centerOn(QPointF(w_img / 2, h_img / 2))
    app.processEvents()
    # a wavy left-to-right stroke across 85 % of the viewport (every event visible), 1:1 pixels
    vpw, vph = canvas.viewport().width(), canvas.viewport().height()
    width, amp = 0.85 * vpw - 2 * radius, 0.3 * vph
    path_xy = [
        (round(w_img / 2 - width / 2 + width * i / (dabs - 1)),
         round(h_img / 2 + amp * math.sin(i / (dabs - 1) * 3 * math.pi)))
        for i in range(dabs)
    ]
    tool = canvas.tool

    if mode == "item":
        def item_paint_to(self, p):
            rect = self._stroke.move_to(*p)
            if rect is None:
                return
            m = self._stroke.mask
            x, y, w, h = (int(v) for v in masks.bbox(m))
            self._item.set_mask(m[y : y + h, x : x + w], (x, y))  # recolour + re-trace the whole item
        tool._paint_to = types.MethodType(item_paint_to, tool)
    if mode == "naive":
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QImage
        from PySide6.QtWidgets import QGraphicsItem

        class FullOverlay(QGraphicsItem):
            # one image-sized overlay layer, recoloured from the mask and redrawn whole on every change
            def __init__(self, h, w):
                super().__init__()
                self.rgba = np.zeros((h, w, 4), np.uint8)
                self.img = QImage(self.rgba.data, w, h, w * 4, QImage.Format.Format_ARGB32_Premultiplied)
                self.rect = QRectF(0, 0, w, h)
            def boundingRect(self):
                return self.rect
            def paint(self, painter, option, widget=None):
                painter.drawImage(0, 0, self.img)
            def rebuild(self, mask):
                self.rgba[:] = 0
                self.rgba[mask] = (60, 60, 200, 200)
                self.update()

        h_img, w_img = canvas.image_size()
        overlay = FullOverlay(h_img, w_img)
        canvas.add_overlay(overlay)
        def naive_paint_to(self, p):
            if self._stroke.move_to(*p) is not None:
                overlay.rebuild(self._stroke.mask)
        tool._paint_to = types.MethodType(naive_paint_to, tool)
        path_xy = path_xy[: int(sys.argv[8]) + 1]

    class PaintCounter(QObject):
        n = 0
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                PaintCounter.n += 1
            return False

    vp = canvas.viewport()
    counter = PaintCounter()
    vp.installEventFilter(counter)

    def send(kind, x, y, button, buttons):
        local = QPointF(canvas.mapFromScene(QPointF(x + 0.5, y + 0.5)))
        ev = QMouseEvent(kind, local, QPointF(vp.mapToGlobal(local.toPoint())), button, buttons,
                         Qt.KeyboardModifier.NoModifier)
        before = PaintCounter.n
        t0, c0 = time.perf_counter(), time.thread_time()
        app.sendEvent(vp, ev)
        for _ in range(1000):
            app.processEvents()
            if PaintCounter.n > before:
                break
        else:
            unpainted.append(len(views))
        cpu.append(time.thread_time() - c0)
        return time.perf_counter() - t0, local.toPoint()

    unpainted, cpu, views = [], [], []

    L, NB = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _, p0 = send(QEvent.Type.MouseButtonPress, *path_xy[0], L, L)
    views.append(p0)
    cpu.clear()
    times = []
    for x, y in path_xy[1:]:
        dt, p = send(QEvent.Type.MouseMove, x, y, NB, L)
        times.append(dt)
        views.append(p)
    cpu_times = list(cpu)
    release_s, _ = send(QEvent.Type.MouseButtonRelease, *path_xy[-1], L, NB)
    ann_id = win.document.selection[0]
    ann = win.document.project.annotations[ann_id]
    # the painted pixels against OpenCV's line through the pixels the canvas mapped the events to
    px = [(math.floor(s.x()), math.floor(s.y())) for s in (canvas.mapToScene(v) for v in views)]
    import cv2
    x0, y0 = min(p[0] for p in px) - radius - 2, min(p[1] for p in px) - radius - 2
    w = max(p[0] for p in px) - x0 + radius + 3
    h = max(p[1] for p in px) - y0 + radius + 3
    ref = np.zeros((h, w), np.uint8)
    pts = np.array([(x - x0, y - y0) for x, y in px], np.int32).reshape(-1, 1, 2)
    cv2.polylines(ref, [pts], False, 1, thickness=max(1, 2 * radius), lineType=cv2.LINE_8)
    got = mask_edit.decode_rect(ann.segmentation, (x0, y0, w, h))
    out.update({
        "times": times, "cpu": cpu_times, "unpainted": len(unpainted), "release_s": release_s,
        "step": math.dist(path_xy[0], path_xy[1]), "load": os.getloadavg(),
        "exact": bool(np.array_equal(got, ref.astype(bool))),
        "area": ann.area, "undo_bytes": win.document.undo_stack.command(
            win.document.undo_stack.count() - 1).edit.patch.nbytes,
        "zoom": canvas.zoom, "viewport": [vp.width(), vp.height()],
    })
out["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open("/proc/self/status") as f:  # resident now (the image loader's transient peak is gone)
    out["rss_kb"] = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)

if mode == "ours":
    # stroke release, several strokes: each a new mask (nothing selected), 40 events across other masks;
    # from the release event to the command pushed (the undo step applied, signals handled) and on to the
    # repainted viewport (panels' deferred updates included: they run before the paint)
    doc = win.document
    pushed_at = []
    push = doc.push
    def timed_push(cmd):
        push(cmd)
        pushed_at.append(time.perf_counter())
    doc.push = timed_push
    releases = []
    for k in range(int(sys.argv[9])):
        doc.set_selection([])
        app.processEvents()
        row = h_img / 2 - 0.3 * vph + (k + 0.5) * 0.6 * vph / int(sys.argv[9])
        pts = [(round(w_img / 2 - 0.3 * vpw + i * 0.6 * vpw / 39), round(row + 20 * math.sin(i / 6)))
               for i in range(40)]
        send(QEvent.Type.MouseButtonPress, *pts[0], L, L)
        for p in pts[1:]:
            send(QEvent.Type.MouseMove, *p, NB, L)
        t0 = time.perf_counter()
        painted, _ = send(QEvent.Type.MouseButtonRelease, *pts[-1], L, NB)
        releases.append((pushed_at[-1] - t0, painted))
    out["releases"] = releases
win.document.undo_stack.setClean()
print(json.dumps(out))
"""


def _photo(size: int, seed: int = 0) -> np.ndarray:
    """A photo-like RGB image: scikit-image's astronaut scaled up, with a little noise."""
    import cv2
    from skimage import data

    img = cv2.resize(data.astronaut(), (size, size), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(seed).integers(-6, 7, img.shape, dtype=np.int16)
    return np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def _masks(size: int, n: int, seed: int = 2) -> list[tuple[dict, list[float], float]]:
    """``n`` RLE discs/ellipses spread over the image, each encoded from its crop (no full-size arrays)."""
    from pixelproof.core import mask_edit, rle_codec

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        ax, ay = rng.uniform(40, 300, 2)
        cx, cy = rng.uniform(ax, size - ax), rng.uniform(ay, size - ay)
        x0, y0 = math.floor(cx - ax), math.floor(cy - ay)
        x1, y1 = math.ceil(cx + ax) + 1, math.ceil(cy + ay) + 1
        yy, xx = np.mgrid[y0:y1, x0:x1]
        crop = ((xx + 0.5 - cx) / ax) ** 2 + ((yy + 0.5 - cy) / ay) ** 2 <= 1.0
        rle = rle_codec.region_rle((x0, y0, x1 - x0, y1 - y0), crop, size, size)
        out.append(mask_edit.rle_geometry(rle))
    return out


def _project(folder: Path, image: str, size: int, shapes: list) -> Path:
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import Annotation, ImageRecord

    project = new_project(["cell", "nucleus", "debris"])
    project.add_image(ImageRecord(1, image, size, size))
    for n, (rle, bbox, area) in enumerate(shapes, start=1):
        project.add_annotation(Annotation(n, 1, 1 + (n - 1) % 3, bbox, rle, area, source="manual"))
    path = folder / f"brush-{len(shapes)}.json"
    save_project(project, path)
    return path


def _run(*args: object) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *map(str, args)], capture_output=True, text=True, env=env, timeout=1800
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip()[-2000:] or "failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _stats(times: list[float]) -> tuple[float, float]:
    a = np.asarray(times) * 1e3
    return float(np.median(a)), float(np.percentile(a, 95))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench brush", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=8000)
    parser.add_argument("--masks", type=int, default=300)
    parser.add_argument("--dabs", type=int, default=200)
    parser.add_argument("--radius", type=int, default=12)
    parser.add_argument("--window", default="1600x1000", help="main window size, WxH")
    parser.add_argument("--naive-events", type=int, default=25, help="events timed for the naive reference")
    parser.add_argument("--releases", type=int, default=9, help="extra strokes timed for the release figure")
    args = parser.parse_args(argv)
    vw, vh = (int(v) for v in args.window.lower().split("x"))

    import cv2

    with tempfile.TemporaryDirectory(prefix="pixelproof-bench-") as tmp:
        folder = Path(tmp)
        settings = folder / "settings"
        settings.mkdir()
        cv2.imwrite(str(folder / "big.jpg"), _photo(args.size)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
        with_masks = _project(folder, "big.jpg", args.size, _masks(args.size, args.masks))
        without = _project(folder, "big.jpg", args.size, [])
        common = (settings, args.dabs, args.radius, vw, vh)
        ours = _run("ours", with_masks, *common, 0, args.releases)
        item = _run("item", with_masks, *common, 0, 0)
        naive = _run("naive", with_masks, *common, args.naive_events, 0)
        idle = _run("idle", without, *common, 0, 0)

    n = len(ours["times"])
    load = ", ".join(f"{v:.1f}" for v in ours["load"])
    print(
        f"brush stroke: {n} move events {ours['step']:.0f} px apart, radius {args.radius} px, "
        f"{args.size}x{args.size} RGB, {ours['items']} other masks, zoom {ours['zoom']:.0%}, viewport "
        f"{'x'.join(map(str, ours['viewport']))}, offscreen; from the event to the repainted viewport "
        f"(wall clock; UI-thread CPU alongside); load average {load} on {os.cpu_count()} CPUs"
    )
    rows = [
        ("PixelProof (dirty rect)", ours),
        ("rebuild the mask's item", item),
        ("naive: rebuild overlay", naive),
    ]
    print(f"    {'':26s} {'events':>6s} {'median':>10s} {'p95':>10s} {'CPU median':>11s} {'vs ours':>8s}")
    om, _ = _stats(ours["times"])
    for label, r in rows:
        med, p95 = _stats(r["times"])
        cpu, _ = _stats(r["cpu"])
        print(
            f"    {label:26s} {len(r['times']):6d} {med:7.2f} ms {p95:7.2f} ms {cpu:8.2f} ms {med / om:7.1f}x"
        )
    nm, _ = _stats(naive["times"])
    ratio = nm / om if om else float("inf")
    ok_median = "meets" if om <= 4.0 else "MISSES"
    ok_ratio = "meets" if ratio >= 20 else "MISSES"
    print(f"    median {om:.2f} ms ({ok_median} target <= 4 ms); naive / ours = {ratio:.0f}x "
          f"({ok_ratio} target >= 20x)")  # fmt: skip
    unpainted = ours["unpainted"] + item["unpainted"] + naive["unpainted"]
    if unpainted:
        print(f"    WARNING: {unpainted} events were not followed by a repaint (timed out)")
    print(f"    release (the undo step: {ours['undo_bytes'] / 1e3:.0f} kB patch, RLE splice, item re-sync): "
          f"{ours['release_s'] * 1e3:.0f} ms")  # fmt: skip
    if ours["releases"]:
        pushed = np.array([r[0] for r in ours["releases"]]) * 1e3
        painted = np.array([r[1] for r in ours["releases"]]) * 1e3
        pushed_ms, painted_ms, painted_max = np.median(pushed), np.median(painted), painted.max()
        ok = "meets" if painted_ms <= 50 else "MISSES"
        print(f"    stroke release, median of {len(ours['releases'])} strokes (new masks, 40 events each): "
              f"event -> command pushed {pushed_ms:.1f} ms, -> repainted {painted_ms:.1f} ms "
              f"(max {painted_max:.1f} ms; {ok} the UI thread's <= 50 ms)")  # fmt: skip
    exact = "yes" if ours["exact"] and item["exact"] and naive["exact"] else "NO"
    print(f"    painted pixels equal OpenCV's reference line: {exact} ({ours['area']:.0f} px)")
    mb = 1024.0
    print(
        f"memory: with {ours['items']} masks, after the stroke: resident {ours['rss_kb'] / mb:.0f} MB, "
        f"peak {ours['peak_kb'] / mb:.0f} MB; same window and image without masks: resident "
        f"{idle['rss_kb'] / mb:.0f} MB, peak {idle['peak_kb'] / mb:.0f} MB (the peak is the image loader's "
        f"decode + pyramid); masks' share of the resident set {(ours['rss_kb'] - idle['rss_kb']) / mb:.0f} MB"
    )
    print(f"open-to-shown: {ours['load_s']:.1f} s with the masks, {idle['load_s']:.1f} s without")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
