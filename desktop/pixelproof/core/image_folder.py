"""A new project over a folder of images: what ``pixelproof new`` writes and what the app opens when given
a folder. Sizes come from the file headers (no decoding), so a big folder is read in seconds."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from pixelproof.core.coco import new_project
from pixelproof.core.imageio import ImageReadError, image_size, is_image_file
from pixelproof.core.model import ImageRecord, Project


def project_from_folder(
    image_dir: Path,
    project_file: Path,
    categories: Iterable[str] = (),
    *,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Project:
    """Images under ``image_dir`` (sorted, recursive), file names relative to the project file's folder.
    Non-images and unreadable images are left out and each is reported through ``on_skip(message)``;
    ``progress(done, total)`` follows the header reads (it may raise to stop, e.g. a cancelled job)."""
    image_dir, project_file = Path(image_dir), Path(project_file)
    project = new_project(list(categories))
    project.path = project_file
    files = sorted(p for p in image_dir.rglob("*") if p.is_file())
    images = [p for p in files if is_image_file(p)]
    skip = on_skip or (lambda _message: None)
    for other in files:
        if not is_image_file(other) and other.resolve() != project_file.resolve():
            skip(f"{other}: not an image, skipped")
    base = project_file.resolve().parent
    for done, path in enumerate(images, start=1):
        try:
            w, h = image_size(path)
        except ImageReadError as e:
            skip(f"{e}; skipped")
        else:
            rel = os.path.relpath(path.resolve(), base).replace(os.sep, "/")
            project.add_image(ImageRecord(len(project.images) + 1, rel, w, h))  # ids 1..n, in file order
        if progress is not None:
            progress(done, len(images))
    return project
