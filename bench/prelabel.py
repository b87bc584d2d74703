"""Pre-labeling overhead per model family: ``pixelproof prelabel`` (whole run: project load, image
decoding, preprocessing, inference, decoding of the outputs, annotations, atomic save) with yolo11n.onnx
(``yolo-onnx``) and each seed export (``onnx``: Faster R-CNN, RetinaNet, SSDlite, Mask R-CNN, DeepLabV3,
LRASPP, U-Net) vs the reference, a bare onnxruntime loop: ``InferenceSession`` opened with the same options,
then per picture: read (OpenCV), preprocess as the backend does (the same functions: letterbox, Pillow
resize, mean/std), ``run``; its outputs are not decoded. Like for like: both sides open the model once per
run, read and preprocess every picture. Target: ratio <= 1.15. For semantic models two more views: a bare
loop that also makes the class map (logits resized to the picture, arg-max), and our run with one mask per
class (``instances=class``: a few objects a picture instead of the random weights' speckle), and a two-lane
floor: the backend's predict and ``to_shapes`` on two threads with no project around them (the least a
run of ours can cost), and how many cores each side kept busy (CPU time / wall time). Backs README's
"Pre-labeling speed" table.

    python -m bench prelabel [--images N] [--family-images N] [--model PATH] [--seed DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

SIZES = [(480, 640), (512, 512), (300, 451), (720, 960), (400, 600), (640, 480), (256, 384), (600, 800)]


def make_images(folder: Path, n: int) -> list[Path]:
    """``n`` JPEGs from scikit-image's pictures, cropped and resized to various sizes."""
    from skimage import data

    pictures = [data.astronaut(), data.chelsea(), data.coffee(), data.stereo_motorcycle()[0], data.rocket()]
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        img = pictures[i % len(pictures)]
        h, w = img.shape[:2]
        y0, x0 = rng.integers(0, h // 5), rng.integers(0, w // 5)
        crop = img[y0 : h - rng.integers(0, h // 5), x0 : w - rng.integers(0, w // 5)]
        th, tw = SIZES[i % len(SIZES)]
        out = cv2.resize(np.ascontiguousarray(crop), (tw, th), interpolation=cv2.INTER_AREA)
        path = folder / f"img{i:03d}.jpg"
        cv2.imwrite(str(path), out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
        paths.append(path)
    return paths


def read_rgb(path: Path) -> np.ndarray:
    """The bare side's reading: OpenCV's decoder (the fastest plain way), BGR -> RGB."""
    return cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def bare_preprocessing(model: Path, backend: str) -> tuple[str, Callable[[np.ndarray], np.ndarray]]:
    """(family, RGB picture -> network input) as the backend prepares it: Ultralytics letterbox to 640;
    torchvision detectors [3,H,W] / 255; semantic models Pillow's resize to a fixed input, mean/std."""
    from pixelproof.inference.onnx_torchvision import semantic_input
    from pixelproof.inference.onnx_yolo import letterbox, to_tensor

    if backend == "yolo-onnx":
        return "ultralytics", lambda img: to_tensor(letterbox(img, (640, 640))[0])
    from pixelproof.inference.onnx_models import OnnxModelBackend

    b = OnnxModelBackend()
    b.configure(model_path=model)
    recipe = b.recipe
    if recipe is not None:
        return b.family, lambda img: semantic_input(img, recipe)
    return b.family, lambda img: np.divide(img.transpose(2, 0, 1), np.float32(255), dtype=np.float32)


def bare_session(model: Path):  # type: ignore[no-untyped-def]
    """An onnxruntime session opened as the backends open theirs (same threads and optimisation level)."""
    import onnxruntime as ort

    from pixelproof.inference.base import default_threads

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = default_threads()
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


@dataclass
class Timing:
    """Best of ``repeat`` runs, in seconds: each side opens the model once per run."""

    family: str
    bare_open: float = float("inf")  # InferenceSession(...)
    bare_loop: float = float("inf")  # per picture: read, preprocess, session.run (the first one warms up)
    ours_open: float = float("inf")  # the backend's configure(model_path=...)
    ours: float = float("inf")  # the whole `pixelproof prelabel` run, opening the model included
    objects: int = 0  # annotations the run added (random weights: often hundreds or thousands per image)
    mode: str = "serial"  # how our run ran: serial, two lanes (a small job), a worker pool (a large one)
    # semantic models only: the bare loop that also makes the class map (logits resized to the picture,
    # arg-max: the least a script does to get an answer), and our run with one mask per class
    bare_map: float = float("inf")
    ours_class: float = float("inf")
    objects_class: int = 0
    # semantic models only: the least our decoding can cost on two lanes, with no project around it
    floor: float = float("inf")
    # cores kept busy (this process's CPU time / wall time) in the fastest run of each side; ours only
    # when it runs in this process (a pool's workers are other processes)
    bare_busy: float = 0.0
    ours_busy: float | None = None


def cpu_seconds() -> float:
    """This process's CPU time, user + system, every thread."""
    t = os.times()
    return t.user + t.system


def measure(model: Path, backend: str, folder: Path, paths: list[Path], repeat: int) -> Timing:
    from pixelproof.cli import main as cli_main
    from pixelproof.inference.registry import get_backend

    family, preprocess = bare_preprocessing(model, backend)
    timing = Timing(family)
    out = folder / "labeled.json"
    project = str(folder / "project.json")
    argv = ["prelabel", project, "--backend", backend, "--model", str(model), "-o", str(out)]
    if backend == "onnx":
        argv += ["--score-threshold", "0.3"]
    for _ in range(max(1, repeat)):  # alternate, so load from other processes hits both alike
        t0 = time.perf_counter()
        session = bare_session(model)
        timing.bare_open = min(timing.bare_open, time.perf_counter() - t0)
        name = session.get_inputs()[0].name
        t0, c0 = time.perf_counter(), cpu_seconds()
        for path in paths:
            session.run(None, {name: preprocess(read_rgb(path))})
        wall = time.perf_counter() - t0
        if wall < timing.bare_loop:
            timing.bare_loop, timing.bare_busy = wall, (cpu_seconds() - c0) / wall
        if family == "semantic":
            t0 = time.perf_counter()
            for path in paths:
                bare_class_map(session, name, preprocess, read_rgb(path))
            timing.bare_map = min(timing.bare_map, time.perf_counter() - t0)
            timing.floor = min(timing.floor, two_lane_floor(model, paths))
        del session
        t0 = time.perf_counter()
        get_backend(backend).configure(model_path=model)
        timing.ours_open = min(timing.ours_open, time.perf_counter() - t0)
        t0, c0 = time.perf_counter(), cpu_seconds()
        said, lanes = io.StringIO(), []
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said), recording(lanes):
            code = cli_main(argv)
        wall = time.perf_counter() - t0
        pool = [line for line in said.getvalue().splitlines() if "worker process" in line]
        if wall < timing.ours:
            timing.ours, timing.ours_busy = wall, None if pool else (cpu_seconds() - c0) / wall
        if pool:
            timing.mode = pool[0].removeprefix("pixelproof: running on ")
        elif lanes:
            timing.mode = lanes[0]
        if code != 0:
            raise SystemExit(f"prelabel failed with {model.name} (exit {code})")
        if family == "semantic":
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                code = cli_main([*argv, "--option", "instances=class", "-o", str(folder / "per_class.json")])
            if code != 0:
                raise SystemExit(f"prelabel --option instances=class failed with {model.name} (exit {code})")
            timing.ours_class = min(timing.ours_class, time.perf_counter() - t0)
    from pixelproof.core.coco import load_project

    timing.objects = len(load_project(out).annotations)  # after the timing
    if family == "semantic":
        timing.objects_class = len(load_project(folder / "per_class.json").annotations)
    return timing


@contextlib.contextmanager
def recording(lanes: list[str]):  # type: ignore[no-untyped-def]
    """Note how a small job's lanes ran (``prelabel`` announces worker pools on stderr, not its lanes)."""
    from pixelproof.core.batch import ThreadExecutor

    original = ThreadExecutor.__init__

    def init(self, *a, **k):  # type: ignore[no-untyped-def]
        original(self, *a, **k)
        lanes.append(self.describe())

    ThreadExecutor.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        ThreadExecutor.__init__ = original  # type: ignore[method-assign]


def two_lane_floor(model: Path, paths: list[Path]) -> float:
    """Seconds for the least a two-lane run of ours does (opening the models included): two threads, each
    opening its own 1-thread backend, then per picture read (OpenCV), the backend's ``predict``
    (preprocess, run, the outputs decoded into masks) and ``to_shapes`` (RLE, boxes, the repeat check);
    no project, ids, undo or save. What ``prelabel`` adds to it is the project around it."""
    import queue
    import threading

    from pixelproof.inference.apply import to_shapes
    from pixelproof.inference.existing import ExistingObjects
    from pixelproof.inference.onnx_models import OnnxModelBackend

    todo: queue.SimpleQueue[Path] = queue.SimpleQueue()
    for path in paths:
        todo.put(path)

    def lane() -> None:
        backend = OnnxModelBackend()
        backend.configure(model_path=model, threads=1, score_threshold=0.3)
        while True:
            try:
                path = todo.get_nowait()
            except queue.Empty:
                return
            rgb = read_rgb(path)
            h, w = rgb.shape[:2]
            to_shapes(backend.predict(rgb), h, w, None, ExistingObjects((), h, w))

    t0 = time.perf_counter()
    lanes = [threading.Thread(target=lane) for _ in range(2)]
    for t in lanes:
        t.start()
    for t in lanes:
        t.join()
    return time.perf_counter() - t0


def bare_class_map(
    session: Any, name: str, preprocess: Callable[[np.ndarray], np.ndarray], rgb: np.ndarray
) -> np.ndarray:
    """A semantic model's answer as a script gets it: run, logits resized to the picture (OpenCV's bilinear,
    plane by plane), arg-max."""
    from pixelproof.inference.onnx_torchvision import resize_logits

    logits = session.run(None, {name: preprocess(rgb)})[0][0]
    return resize_logits(logits, rgb.shape[:2]).argmax(axis=0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench prelabel")
    parser.add_argument("--images", type=int, default=50, help="pictures for yolo11n (default 50)")
    parser.add_argument("--family-images", type=int, default=16, help="pictures per seed family (default 16)")
    shared = Path(__file__).resolve().parents[2] / "shared" / "models"
    parser.add_argument("--model", type=Path, default=shared / "yolo11n.onnx")
    parser.add_argument(
        "--seed", type=Path, default=shared / "seed", help="folder of the seed family exports"
    )
    parser.add_argument("--repeat", type=int, default=2, help="alternate runs of each; best time is kept")
    parser.add_argument(
        "--only", nargs="+", metavar="MODEL", help="run only these (yolo11n, faster_rcnn, unet, ...)"
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="then one more run of each semantic model, timing where its time goes (ms per image)",
    )
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"model not found: {args.model}")
        return 1

    from pixelproof.core.coco import save_project
    from pixelproof.core.image_folder import project_from_folder
    from pixelproof.inference.base import default_threads

    runs = [(args.model, "yolo-onnx", args.images)]
    runs += [
        (args.seed / f"{m}.onnx", "onnx", args.family_images)
        for m in ("faster_rcnn", "retinanet", "ssdlite", "mask_rcnn", "deeplabv3", "lraspp", "unet")
        if (args.seed / f"{m}.onnx").is_file()
    ]
    if args.only:
        runs = [r for r in runs if r[0].stem in args.only]
    print(f"machine load average (1 min) at start: {os.getloadavg()[0]:.1f}")
    print(f"intra-op threads: {default_threads()}; reference (bare): onnxruntime.InferenceSession opened,")
    print("then per picture: read (OpenCV), preprocess as the backend does, run (outputs not decoded);")
    print("ours: the whole `pixelproof prelabel` run (open the model, load the project, read, preprocess,")
    print("run, decode the outputs into annotations, save). Both sides open the model once per run.")
    from pixelproof.inference.onnx_models import SEMANTIC_MIN_AREA

    print(f"onnx backend: --score-threshold 0.3; semantic models: the default min_area {SEMANTIC_MIN_AREA}")
    print("(components under it are dropped and counted, not added); onnxruntime threads sleep between runs")
    print("on both sides (session.intra_op.allow_spinning 0, as the backends open theirs)")
    print("ratio = ours / bare; per image = ratio without opening the model on either side")
    print(f"{'model':<16} {'family':<22} {'images':>6} {'bare img/s':>10} {'ours img/s':>10} "
          f"{'open s bare/ours':>16} {'objects/img':>11} {'ratio':>6} {'per image':>9}")  # fmt: skip
    semantic: list[tuple[str, int, Timing]] = []
    modes: dict[str, list[str]] = {}  # how ours ran (prelabel's default for the job's size): models
    for model, backend, n in runs:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            paths = make_images(folder, n)
            save_project(project_from_folder(folder, folder / "project.json", []), folder / "project.json")
            t = measure(model, backend, folder, paths, args.repeat)
        bare = t.bare_open + t.bare_loop
        opens = f"{t.bare_open:.2f}/{t.ours_open:.2f}"
        per_image, objs = (t.ours - t.ours_open) / t.bare_loop, t.objects / n
        print(f"{model.name:<16} {t.family:<22} {n:>6} {n / bare:>10.2f} {n / t.ours:>10.2f} {opens:>16} "
              f"{objs:>11.0f} {t.ours / bare:>6.3f} {per_image:>9.3f}  (target <= 1.15)")  # fmt: skip
        if t.family == "semantic":
            semantic.append((model.name, n, t))
        modes.setdefault(t.mode, []).append(model.stem)
    for mode, models in modes.items():
        print(f"  ours ran on {mode}: {', '.join(models)} (prelabel's default for jobs of this size)")
    for name, n, t in semantic:
        bare, bare_map = t.bare_open + t.bare_loop, t.bare_open + t.bare_map
        print(f"  {name}: bare loop + class map (resize, arg-max) {n / bare_map:.2f} img/s, ours / that "
              f"{t.ours / bare_map:.3f}; ours with one mask per class (instances=class, "
              f"{t.objects_class / n:.0f} objects/img) {n / t.ours_class:.2f} img/s, "
              f"ratio {t.ours_class / bare:.3f}, / bare + map {t.ours_class / bare_map:.3f}")  # fmt: skip
        print(f"    two-lane floor (two threads, each its own 1-thread model: read, predict, masks into "
              f"shapes; no project, ids, undo or save) {n / t.floor:.2f} img/s, "
              f"ratio {t.floor / bare:.3f}")  # fmt: skip
        ours_busy = f"{t.ours_busy:.2f}" if t.ours_busy is not None else "- (worker processes)"
        print(f"    cores busy (CPU time / wall time, fastest run): bare loop {t.bare_busy:.2f}, "
              f"ours {ours_busy}")  # fmt: skip
    if args.phases:
        print_phases([r for r in runs if r[0].stem in SEMANTIC], args.family_images)
    print(f"machine load average (1 min) at end: {os.getloadavg()[0]:.1f}")
    return 0


SEMANTIC = ("deeplabv3", "lraspp", "unet")
# (module, attribute, label): what one ``pixelproof prelabel`` run of a semantic model spends its time in
PHASES = (
    ("pixelproof.inference.batch", "_load", "read"),
    ("pixelproof.inference.onnx_models", "semantic_input", "preprocess"),
    ("pixelproof.inference.batch", "predict_fitting", "predict"),
    ("pixelproof.inference.onnx_torchvision", "resize_logits", "resize logits"),
    ("pixelproof.inference.onnx_torchvision", "argmax_and_confidence", "argmax+softmax"),
    ("pixelproof.inference.onnx_models", "semantic_predictions", "components+RLE"),
    ("pixelproof.inference.batch", "to_shapes", "shapes+repeat check"),
    ("pixelproof.inference.apply", "PredictionMapper.adopt", "ids+categories"),
    ("pixelproof.core.edits.predictions", "AddPredictions.__init__", "edit (copies)"),
    ("pixelproof.core.edits.predictions", "AddPredictions.apply", "edit apply"),
    ("pixelproof.commands.prelabel", "save_project", "save"),
)


def print_phases(runs: list[tuple[Path, str, int]], n: int) -> None:
    """Wall time per phase of one more ``prelabel`` run per model, serial (``--workers 1``: the functions
    wrapped with timers; ``read`` runs in the read-ahead thread, ``predict`` = preprocess + the model + the
    three after it)."""
    import functools
    import importlib

    from pixelproof.cli import main as cli_main
    from pixelproof.core.coco import save_project
    from pixelproof.core.image_folder import project_from_folder

    spent: dict[str, float] = {}
    originals = []
    for module_name, attr, label in PHASES:
        owner: object = importlib.import_module(module_name)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def timed(*a, _f=original, _label=label, **k):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - t0

        setattr(owner, name, functools.wraps(original)(timed))
        originals.append((owner, name, original))
    try:
        print("where a semantic run's time goes, ms per image (one more run each, serial: --workers 1):")
        for model, backend, _ in runs:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                make_images(folder, n)
                project = folder / "project.json"
                save_project(project_from_folder(folder, project, []), project)
                argv = ["prelabel", str(project), "--backend", backend, "--model", str(model)]
                argv += ["-o", str(folder / "out.json"), "--score-threshold", "0.3", "--workers", "1"]
                spent.clear()
                t0 = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    cli_main(argv)
                total = time.perf_counter() - t0
            model_s = spent.get("predict", 0.0) - sum(
                spent.get(k, 0.0) for k in ("preprocess", "resize logits", "argmax+softmax", "components+RLE")
            )
            parts = [f"{label} {spent.get(label, 0.0) / n * 1000:.1f}" for _, _, label in PHASES]
            ms = 1000 / n
            print(f"  {model.name}: whole run {total * ms:.1f}; model (onnxruntime) {model_s * ms:.1f};")
            print("    " + "; ".join(parts))
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
