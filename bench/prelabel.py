"""Pre-labeling overhead: ``pixelproof prelabel`` with yolo11n.onnx on 50 images (whole run: project
load, image decoding, letterbox, inference, NMS, annotations, atomic save) vs the reference, a bare loop
of ``onnxruntime.InferenceSession.run`` on the same preprocessed tensors. Target: overhead <= 15%.

    python -m bench prelabel [--images N] [--model PATH]
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench prelabel")
    parser.add_argument("--images", type=int, default=50)
    default_model = Path(__file__).resolve().parents[2] / "shared" / "models" / "yolo11n.onnx"
    parser.add_argument("--model", type=Path, default=default_model)
    parser.add_argument("--repeat", type=int, default=2, help="alternate runs of each; best time is kept")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"model not found: {args.model}")
        return 1

    import onnxruntime as ort

    from pixelproof.cli import main as cli_main
    from pixelproof.core.coco import save_project
    from pixelproof.core.image_folder import project_from_folder
    from pixelproof.core.imageio import read_image
    from pixelproof.inference.base import default_threads
    from pixelproof.inference.onnx_yolo import letterbox, to_tensor

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_images(folder, args.images)
        project_file = folder / "project.json"
        save_project(project_from_folder(folder, project_file, []), project_file)

        # reference: bare session.run on tensors preprocessed beforehand (same threads as the backend)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = default_threads()
        opts.inter_op_num_threads = 1
        session = ort.InferenceSession(str(args.model), sess_options=opts, providers=["CPUExecutionProvider"])
        tensors = [to_tensor(letterbox(read_image(p), (640, 640))[0]) for p in paths]
        name = session.get_inputs()[0].name
        session.run(None, {name: tensors[0]})  # warm-up
        out = folder / "labeled.json"
        argv_cli = ["prelabel", str(project_file), "--backend", "yolo-onnx", "--model", str(args.model)]
        sink = io.StringIO()
        bare = ours = float("inf")
        for _ in range(max(1, args.repeat)):  # alternate, so load from other processes hits both alike
            t0 = time.perf_counter()
            for t in tensors:
                session.run(None, {name: t})
            bare = min(bare, time.perf_counter() - t0)

            # ours: the whole `pixelproof prelabel` run, in process, through the CLI code path
            sink = io.StringIO()
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(sink):
                code = cli_main([*argv_cli, "-o", str(out)])
            ours = min(ours, time.perf_counter() - t0)
            if code != 0:
                print(f"prelabel failed (exit {code})")
                return 1

    n = len(paths)
    overhead = ours / bare - 1
    print(f"images: {n}, intra-op threads: {default_threads()}")
    print(f"reference  bare InferenceSession.run : {n / bare:7.2f} images/s  ({bare:6.2f} s)")
    print(f"pixelproof prelabel (whole run)      : {n / ours:7.2f} images/s  ({ours:6.2f} s)")
    print(f"overhead: {overhead * 100:+.1f}%  (ratio {ours / bare:.3f}; target <= +15%)")
    print(sink.getvalue().strip())
    return 0
