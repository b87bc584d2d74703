"""Pre-labeling overhead per model family: ``pixelproof prelabel`` (whole run: project load, image
decoding, preprocessing, inference, decoding of the outputs, annotations, atomic save) with yolo11n.onnx
(``yolo-onnx``) and each seed export (``onnx``: Faster R-CNN, RetinaNet, SSDlite, Mask R-CNN, DeepLabV3,
LRASPP, U-Net) vs the reference, a bare loop of ``onnxruntime.InferenceSession.run`` on the same inputs
preprocessed beforehand. Target: ratio <= 1.15. Backs README's "Pre-labeling speed" table.

    python -m bench prelabel [--images N] [--family-images N] [--model PATH] [--seed DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

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


def family_tensors(model: Path, backend: str, paths: list[Path]) -> tuple[str, list[np.ndarray]]:
    """The network inputs the backend would make for each picture, made beforehand for the bare loop."""
    from pixelproof.core.imageio import read_image
    from pixelproof.inference.base import as_rgb8
    from pixelproof.inference.onnx_torchvision import semantic_input
    from pixelproof.inference.onnx_yolo import letterbox, to_tensor

    pictures = [as_rgb8(read_image(p)) for p in paths]
    if backend == "yolo-onnx":
        return "ultralytics", [to_tensor(letterbox(img, (640, 640))[0]).copy() for img in pictures]
    from pixelproof.inference.onnx_models import OnnxModelBackend

    b = OnnxModelBackend()
    b.configure(model_path=model)
    if b.recipe is not None:
        return b.family, [semantic_input(img, b.recipe).copy() for img in pictures]
    return b.family, [
        np.divide(img.transpose(2, 0, 1), np.float32(255), dtype=np.float32) for img in pictures
    ]


def measure(
    model: Path, backend: str, folder: Path, paths: list[Path], repeat: int
) -> tuple[str, float, float, float]:
    """(family, bare seconds, whole prelabel run seconds, model opening seconds), best of ``repeat``."""
    import onnxruntime as ort

    from pixelproof.cli import main as cli_main
    from pixelproof.inference.base import default_threads

    family, tensors = family_tensors(model, backend, paths)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = default_threads()
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    session.run(None, {name: tensors[0]})  # warm-up
    out = folder / "labeled.json"
    argv = [
        "prelabel",
        str(folder / "project.json"),
        "--backend",
        backend,
        "--model",
        str(model),
        "-o",
        str(out),
    ]
    if backend == "onnx":
        argv += ["--score-threshold", "0.3"]
    from pixelproof.inference.base import get_backend

    load = float("inf")  # opening the model (an onnxruntime session), once per run whatever its length
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        get_backend(backend).configure(model_path=model)
        load = min(load, time.perf_counter() - t0)
    bare = ours = float("inf")
    for _ in range(max(1, repeat)):  # alternate, so load from other processes hits both alike
        t0 = time.perf_counter()
        for t in tensors:
            session.run(None, {name: t})
        bare = min(bare, time.perf_counter() - t0)
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli_main(argv)
        ours = min(ours, time.perf_counter() - t0)
        if code != 0:
            raise SystemExit(f"prelabel failed with {model.name} (exit {code})")
    return family, bare, ours, load


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
    print(f"intra-op threads: {default_threads()}; reference: a bare InferenceSession.run loop on tensors")
    print("preprocessed beforehand; ours: the whole `pixelproof prelabel` run (load, decode, pre/post, save)")
    print("ratio = ours / bare; per image = (ours - opening the model) / bare, what each further image costs")
    print(f"{'model':<16} {'family':<22} {'images':>6} {'bare img/s':>10} {'ours img/s':>10} {'open s':>6} "
          f"{'ratio':>6} {'per image':>9}")  # fmt: skip
    for model, backend, n in runs:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            paths = make_images(folder, n)
            save_project(project_from_folder(folder, folder / "project.json", []), folder / "project.json")
            family, bare, ours, load = measure(model, backend, folder, paths, args.repeat)
        print(f"{model.name:<16} {family:<22} {n:>6} {n / bare:>10.2f} {n / ours:>10.2f} {load:>6.2f} "
              f"{ours / bare:>6.3f} {(ours - load) / bare:>9.3f}  (target <= 1.15)")  # fmt: skip
    return 0
