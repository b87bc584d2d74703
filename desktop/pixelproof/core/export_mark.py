"""The ``.pixelproof-export`` marker: every folder export leaves one in its output folder's root, and a
folder scan (``sources.folder_files``: a new project over a folder, File > Add Image Folder, ``pixelproof
add``) does not search a folder below the one it was given that holds one. An export written inside the
images' folder (mask PNGs, YOLO's copies of the images) would otherwise come back as new images when that
folder is added again. The marker is a tiny JSON file for a person to read (format, project file name,
version); any file of that name marks the folder, an empty one too (``touch`` marks an export made before
markers existed). A dotfile: the formats' own tools pass over it."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from pixelproof.core.limits import is_inside
from pixelproof.core.model import Project
from pixelproof.core.volumes import parse_slice_ref
from pixelproof.core.wording import plural

MARKER = ".pixelproof-export"
_MAX_READ = 4096  # a marker is ~150 bytes; a big file of that name is read no further


@dataclass(frozen=True)
class SkippedExport:
    """A folder a scan did not search because it holds the marker: ``files`` regular files below it (the
    marker not counted), ``format`` as the marker says ("" when it does not)."""

    folder: Path
    files: int
    format: str = ""

    def __str__(self) -> str:
        what = f"a PixelProof {self.format} export" if self.format else "a PixelProof export"
        return (
            f"{self.folder}: {what} ({MARKER}), not searched; its {plural(self.files, 'file')} skipped "
            "(name them, or the folder itself, to add them)"
        )


def exports_note(exports: list[SkippedExport]) -> str:
    """``"; 12 files of 1 PixelProof export left out"`` for a scan's summary line ("" for none): what the
    CLI and the app say after the counts, so that no file is left out unsaid."""
    if not exports:
        return ""
    files = plural(sum(e.files for e in exports), "file")
    return f"; {files} of {plural(len(exports), 'PixelProof export')} left out"


def is_export(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` holds the marker (a file or a link of that name)."""
    marker = os.path.join(folder, MARKER)
    return os.path.lexists(marker) and not os.path.isdir(marker)


def skipped_export(folder: Path) -> SkippedExport:
    """What a scan leaves out of the marked ``folder``: its files counted (links not followed), the format
    read from the marker when it can be."""
    files = 0
    for root, _dirs, names in os.walk(folder):
        files += sum(1 for n in names if not (n == MARKER and root == str(folder)))
    fmt = ""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        with open(folder / MARKER, "rb") as f:
            data = orjson.loads(f.read(_MAX_READ))
        value = data.get("format")
        if isinstance(value, str) and value.isprintable():
            fmt = value[:40]
    return SkippedExport(folder, files, fmt)


def mark_export(project: Project, out: Path, format_name: str) -> str | None:
    """Write the marker into the export folder ``out``; a warning (the export itself went well) when it
    cannot be. Not when ``out`` holds the project's own images (LabelMe JSON beside the pictures): the marker
    would hide the originals from a scan of a folder above it."""
    from pixelproof import __version__

    if not out.is_dir():
        return None
    places = set()  # where the images are read from: a picture's folder, a slice's volume or series folder
    for image in project.images.values():
        path = project.image_path(image)
        ref = parse_slice_ref(path)
        places.add(ref.source if ref is not None else os.path.dirname(path))
    real = os.path.realpath(out)
    if any(is_inside(p, out) or is_inside(os.path.realpath(p), real) for p in places):
        return None
    name = project.path.name if project.path is not None else ""
    # no time: the same project exported twice gives the same files (the file's date says when)
    data = {"format": format_name, "project": name, "pixelproof": __version__}
    target = out / MARKER
    try:
        if target.is_symlink() or target.exists():  # a link planted there is replaced, never followed
            target.unlink()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(data) + b"\n")
    except OSError as e:
        return (
            f"{target}: could not write the export marker ({e.strerror or e}); adding a folder above "
            f"{out.name} to a project would take the pictures exported there as images"
        )
    return None
