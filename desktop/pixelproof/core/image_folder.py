"""A new project over a folder of images: what ``pixelproof new`` writes and what the app opens when given
a folder. Sizes come from the file headers (no decoding), so a big folder is read in seconds; DICOM and
NIfTI volumes become one image per slice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pixelproof.core.coco import new_project
from pixelproof.core.limits import LimitError, check_text
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.paths import RelativeNames
from pixelproof.core.sources import scan_images

MAX_CATEGORY_NAME = 200


def category_names(text: str) -> list[str]:
    """``"cat, dog"`` -> ``["cat", "dog"]``: the categories of a new project as a person types them (the
    ``--categories`` of ``pixelproof new`` and ``pixelproof PATH``, the app's new-project question).
    Raises ValueError for a repeated or over-long name."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"names must be unique ({name!r} is given twice)")
        if len(name) > MAX_CATEGORY_NAME:
            raise ValueError(f"a name is longer than {MAX_CATEGORY_NAME} characters")
        seen.add(name)
    return names


def project_from_folder(
    image_dir: Path,
    project_file: Path,
    categories: Iterable[str] = (),
    *,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Project:
    """Images under ``image_dir`` (sorted, recursive), file names relative to the project file's folder.
    Volumes (NIfTI, DICOM series, multi-frame DICOM) give one image per slice (``ct.nii.gz#z=012``) with
    ``pixel_spacing`` and ``slice_position`` from their headers (``core.sources.scan_images``).
    Non-images and unreadable images are left out and each is reported through ``on_skip(message)``;
    ``progress(done, total)`` follows the header reads (it may raise to stop, e.g. a cancelled job)."""
    image_dir, project_file = Path(image_dir), Path(project_file)
    project = new_project(list(categories))
    project.path = project_file
    skip = on_skip or (lambda _message: None)
    own = project_file.resolve()
    entries = scan_images(image_dir, skip, exclude=lambda p: p.resolve() == own, progress=progress)
    base = RelativeNames(project_file.absolute().parent)
    for entry in entries:  # ids 1..n, in file (and slice) order
        name = entry.file_name(base)
        try:
            check_text(name, str(entry.path), "file name")
        except LimitError as e:
            skip(f"{e}; skipped")
            continue
        record = ImageRecord(len(project.images) + 1, name, entry.width, entry.height)
        record.extra.update(entry.extra)
        project.add_image(record)
    return project
