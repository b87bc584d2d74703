"""``pixelproof new IMAGE_DIR -o PROJECT [--categories a,b,c]``: a project over a folder of images."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pixelproof.commands._common import error, progress, warn
from pixelproof.core.coco import ProjectSaveError, new_project, save_project
from pixelproof.core.imageio import ImageReadError, image_size, is_image_file
from pixelproof.core.model import ImageRecord, Project


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project over a folder of images")
    p.add_argument("image_dir", help="folder of images (searched recursively)")
    p.add_argument("-o", "--output", required=True, help="project .json file to write")
    p.add_argument("--categories", default="", help="comma-separated category names, e.g. cat,dog")
    p.set_defaults(run=run)


def project_from_folder(image_dir: Path, project_file: Path, categories: list[str], on_skip=warn) -> Project:
    """Images under ``image_dir`` (sorted, recursive), sizes read from headers; file names relative to
    the project file's folder. Non-images and unreadable images are reported through ``on_skip``."""
    project = new_project(categories)
    files = sorted(p for p in image_dir.rglob("*") if p.is_file())
    images = [p for p in files if is_image_file(p)]
    for other in files:
        if not is_image_file(other) and other.resolve() != project_file.resolve():
            on_skip(f"{other}: not an image, skipped")
    for path in progress(images, len(images), "reading image sizes"):
        try:
            w, h = image_size(path)
        except ImageReadError as e:
            on_skip(f"{e}; skipped")
            continue
        rel = os.path.relpath(path.resolve(), project_file.resolve().parent).replace(os.sep, "/")
        project.add_image(ImageRecord(project.next_image_id(), rel, w, h))
    return project


def run(args: argparse.Namespace) -> int:
    image_dir = Path(args.image_dir)
    if not image_dir.is_dir():
        error(f"{image_dir}: not a folder")
        return 1
    out = Path(args.output)
    cats = [c.strip() for c in args.categories.split(",") if c.strip()]
    if len(set(cats)) != len(cats):
        error("--categories: names must be unique")
        return 1
    project = project_from_folder(image_dir, out, cats)
    if not project.images:
        error(f"{image_dir}: no images found")
        return 1
    try:
        save_project(project, out)
    except ProjectSaveError as e:
        error(str(e))
        return 1
    print(f"{out}: {len(project.images)} images, {len(project.categories)} categories")
    return 0
