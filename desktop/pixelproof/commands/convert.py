"""``pixelproof convert INPUT OUTPUT --from FMT --to FMT``: between COCO, LabelMe, YOLO, VOC and masks.

Each problem in the input is one line on stderr (file and line first); the rest is still converted. Exit
1 when nothing could be converted or the output cannot be written.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
from typing import Any

from pixelproof.commands._common import error, warn


def add_parser(sub: argparse._SubParsersAction) -> None:
    from pixelproof.interop import FORMATS

    names = list(FORMATS)
    p = sub.add_parser(
        "convert",
        help="convert annotations between formats (coco, labelme, yolo, voc, masks)",
        description="Convert annotations. INPUT/OUTPUT are a COCO .json file or a folder for the others.",
    )
    p.add_argument("input", help="file or folder to read")
    p.add_argument("output", help="file (coco) or folder to write")
    p.add_argument("--from", dest="src_format", required=True, choices=names, help="input format")
    p.add_argument("--to", dest="dst_format", required=True, choices=names, help="output format")
    p.add_argument(
        "--images",
        choices=("keep", "copy", "link"),
        help="image files: refer to the originals (keep), copy, or hard/symbolic link them into OUTPUT "
        "(default: keep; yolo and masks default to link)",
    )
    p.add_argument("--remap-categories", action="store_true", help="coco input: renumber categories 1..n")
    p.add_argument("--task", choices=("auto", "detect", "segment"), help="yolo output: boxes or polygons")
    p.add_argument("--val-fraction", type=float, help="yolo output: share of images put in the val split")
    p.add_argument(
        "--mode", choices=("auto", "semantic", "instance", "voc"), help="masks: kind of mask folder"
    )
    p.add_argument("--image-dir", help="masks input: folder of the images (default images/ or JPEGImages/)")
    p.add_argument("--classes", help="masks input: class list, one name per line (line n = class id n)")
    p.add_argument("--extract-images", help="labelme input: write images embedded as imageData here")
    p.add_argument("--one-based", choices=("yes", "no"), help="voc: xmin/ymin are 1-based (default yes)")
    p.set_defaults(run=run)


class ProgressBar:
    """A (done, total) callback drawing a bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (total - done) if done else 0.0
        filled = int(30 * done / total)
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'-' * (30 - filled)}] {done}/{total}  ETA {eta:4.0f}s"
        )
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            self.drawn = False


def _options(func: Any, values: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The given options this reader/writer accepts; the others are reported as ignored."""
    params = inspect.signature(func).parameters
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        if key in params:
            out[key] = value
        else:
            warn(f"--{key.replace('_', '-')} does not apply to {fmt}; ignored")
    return out


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.coco import ProjectSaveError
    from pixelproof.interop import FORMATS

    src, dst = FORMATS[args.src_format], FORMATS[args.dst_format]
    if not os.path.exists(args.input):
        error(f"{args.input}: not found")
        return 1
    one_based = None if args.one_based is None else args.one_based == "yes"
    read_opts = {
        "remap_categories": args.remap_categories or None,
        "mode": args.mode if args.src_format == "masks" else None,
        "images": args.image_dir,
        "classes": args.classes,
        "extract_images_to": args.extract_images,
        "one_based": one_based if args.src_format == "voc" else None,
    }
    write_opts = {
        "images": args.images,
        "task": args.task,
        "val_fraction": args.val_fraction,
        "mode": args.mode if args.dst_format == "masks" and args.src_format != "masks" else None,
        "one_based": one_based if args.dst_format == "voc" else None,
    }
    bar = ProgressBar(f"reading {args.src_format}")

    def problem(message: str) -> None:
        bar.close()
        print(message, file=sys.stderr)

    try:
        result = src.read(
            args.input, on_problem=problem, progress=bar, **_options(src.read, read_opts, src.name)
        )
    except (OSError, ValueError) as e:
        bar.close()
        error(f"{args.input}: {e}")
        return 1
    bar.close()
    project = result.project
    if not project.images:
        error(f"{args.input}: nothing to convert (no images found as {args.src_format})")
        return 1
    bar = ProgressBar(f"writing {args.dst_format}")
    try:
        warnings = dst.write(project, args.output, progress=bar, **_options(dst.write, write_opts, dst.name))
    except (OSError, ValueError, ProjectSaveError) as e:
        bar.close()
        error(f"{args.output}: {e}")
        return 1
    bar.close()
    for w in warnings:
        warn(w)
    skipped = ", ".join(f"{n} {k}" for k, n in sorted(result.skipped.items()))
    print(
        f"{args.output}: {len(project.images)} images, {len(project.annotations)} annotations, "
        f"{len(project.categories)} categories"
        + (f"; {len(result.problems)} problem(s)" if result.problems else "")
        + (f"; skipped {skipped}" if skipped else "")
    )
    return 0
