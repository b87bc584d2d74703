"""Load a QA reference in any readable format (``pixelproof qa``, the review view) through the format's own
reader, the same one ``convert`` uses.

Auto-detection (no ``fmt`` given) asks each format's ``detect`` in declaration order (see
``interop/formats.py``): a ``.json`` file is COCO (a PixelProof project is one) or LabelMe, a folder is
recognised by its layout (Cityscapes ``gtFine/``, KITTI ``label_2/``, ``annotations.xml`` of CVAT, a VOC
``Annotations/`` folder, LabelMe JSONs ...), and a folder of PNGs is a mask folder.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pixelproof.core.errors import about
from pixelproof.core.limits import LimitError, check_regular_file
from pixelproof.core.model import Project
from pixelproof.core.references import Reference
from pixelproof.interop._util import ProblemCallback, ProgressCallback
from pixelproof.interop.format_guess import a_title
from pixelproof.interop.formats import FORMATS, detect_formats, readable
from pixelproof.interop.nifti_series_fit import series_folders


class ReferenceLoadError(Exception):
    """The reference cannot be read; ``problems`` lists each reason (one line each)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def load_reference(
    path: str | os.PathLike[str],
    candidate: Project | None = None,
    fmt: str | None = None,
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
    options: Mapping[str, Any] | None = None,
    series_home: Path | None = None,
    role: str = "reference",
) -> Reference:
    """Read ``path`` as format ``fmt`` (auto-detected when None); raises ``ReferenceLoadError``.

    The candidate's categories name the values of a semantic mask folder that has no class map.
    ``options`` are reader options (name -> value, ``qa --one-based no``); one the format read does not
    declare is ignored with a problem line saying so, as ``convert`` does. ``series_home``: the folder of the
    candidate's DICOM series (``nifti_series_fit.series_home``), where NIfTI labels are looked for their
    series as under ``--image-dir`` (unless that is given): the app's reference has no command line.
    ``role``: "candidate" when ``qa`` reads its candidate so (``interop.candidates``): the messages name
    ``--cand-format`` and the candidate.
    """
    flag = "--cand-format" if role == "candidate" else "--ref-format"
    p = Path(path)
    if not p.exists():
        raise ReferenceLoadError([f"{p}: no such file or folder"])
    try:  # a FIFO or a device reads as an empty dataset (or never ends): refused, not scored as empty
        check_regular_file(p, str(p), allow_dir=True)
    except LimitError as e:
        raise ReferenceLoadError([str(e)]) from None
    except OSError as e:
        raise ReferenceLoadError([f"{p}: cannot read it: {e.strerror or e}"]) from None
    kind = "folder" if p.is_dir() else "file"
    if not os.access(p, os.R_OK | (os.X_OK if kind == "folder" else 0)):  # not "not recognised"
        raise ReferenceLoadError([f"{p}: cannot read the {kind}: permission denied"])
    chosen: list[str] = []  # what auto-detection chose, when another format would have fitted too
    if fmt is None:
        matches = detect_formats(p)
        found = matches[0] if matches else None
        if found is None:
            names = ", ".join(f.name for f in readable())
            raise ReferenceLoadError(
                [f"{p}: not recognised as any readable format ({names}); name one with {flag}"]
            )
        if len(matches) > 1:
            others = " or ".join(a_title(f) for f in matches[1:])
            chosen.append(
                f"{p}: read as {found.title}; it also looks like {others}: name the format to read with "
                f"{flag}"
            )
            if on_problem is not None:
                on_problem(chosen[0])
    else:
        if fmt not in FORMATS or not FORMATS[fmt].can_read:
            raise ReferenceLoadError([f"{fmt}: not a readable format"])
        found = FORMATS[fmt]
    given = dict(options or {})
    try:
        chosen_options = found.pick_options("read", given)
    except ValueError as e:
        raise ReferenceLoadError([f"{p}: {e}"]) from None
    home = series_home is not None and not (p.is_dir() and p.resolve() == series_home.resolve())
    if home and found.name == "nifti" and chosen_options.get("image_dir") is None:  # (a folder of the
        # series and the labels beside them: as it was, its labels are no images to leave out)
        chosen_options["image_dir"] = series_home
    for name in given.keys() - chosen_options.keys():
        chosen.append(f"--{name.replace('_', '-')} does not apply to {found.name} {role} {p}; ignored")
        if on_problem is not None:
            on_problem(chosen[-1])
    params = inspect.signature(found.reader).parameters
    extra = {}
    if "check_images" in params:
        extra["check_images"] = False  # QA needs the annotations, not the pictures
    if "also_under" in params and candidate is not None:  # a SEG saved apart from the candidate's series,
        # QuPath's GeoJSON apart from the candidate's slides
        extra["also_under"] = (
            image_folders(candidate) if found.name == "geojson" else series_folders(candidate)
        )
    if "class_names" in params and candidate is not None:
        extra["class_names"] = {c.id: c.name for c in candidate.categories.values()}
    try:
        result = found.read(p, on_problem=on_problem, progress=progress, **extra, **chosen_options)
    except (OSError, ValueError) as e:
        raise ReferenceLoadError([about(p, str(e), f"cannot be read as {found.title}")]) from None
    if not result.project.images:
        raise ReferenceLoadError([*chosen, *result.problems, f"{p}: no images found as {found.title}"])
    kind = {"coco": "project", "masks": "instance masks"}.get(found.name, found.name)
    kind = "semantic masks" if result.semantic else kind
    return Reference(
        project=result.project,
        kind=kind,
        source=str(p),
        problems=[*chosen, *result.problems],
        semantic=result.semantic,
        format=found.name,
        reader_options=dict(chosen_options),
    )


def reference_line(
    path: Path, reference: Reference | None = None, fmt: str | None = None, project_path: Path | None = None
) -> tuple[str, str]:
    """What the review view says it compares (its Reference line) and the line's tooltip: which file or
    folder the reference is, what in it is taken as the ground truth, and that this project's objects are
    scored against it. "project.json (project)" left the reader asking whether "project" was this one.
    ``reference``: the reference as read (None before: ``fmt``, the format the user named, if any)."""
    name = path.name or str(path)
    folder = path.is_dir()
    if project_path is not None and _same_file(path, project_path):
        line = f"this project's file as last saved ({name}) · Candidate: its objects as edited now"
        why = "QA compares the objects as last saved with the objects as they are now (the edits not saved)"
        return line, f"{line}\n{path}\n\nThe reference is this project's own file: {why}."
    fmt = reference.format if reference is not None and reference.format else fmt
    found = FORMATS.get(fmt) if fmt else None
    where = f"the folder {name}" if folder else name
    semantic = reference is not None and reference.semantic
    per_class = " (one region per class)" if semantic else ""
    if found is None:
        what = f"the {'folder' if folder else 'file'} {name}"
    elif found.name == "masks":
        what = f"{'semantic' if semantic else 'instance'} masks{per_class} in {where}"
    else:
        what = (
            f"{'objects' if found.name == 'coco' else 'labels'}{per_class} in {where}, read as {found.title}"
        )
    line = f"{what} · Candidate: this project's objects"
    why = "QA scores this project's objects (the candidate) against it"
    return line, f"{line}\n{path}\n\nThe reference is the ground truth: {why}. Choose Reference… changes it."


def image_folders(project: Project) -> list[Path]:
    """The folders ``project``'s image files lie in, sorted: where a reference that names its images but
    holds none of them (QuPath's GeoJSON) finds them, as under ``--image-dir``."""
    folders = {project.image_path(image).parent for image in project.images.values()}
    return sorted(f for f in folders if f.is_dir())


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file (a link to it too); by their resolved paths when one is missing
    (a project not saved yet)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def reference_stamp(path: str | os.PathLike[str], most: int = 200_000) -> tuple:
    """The reference as it is on disk now, from stats alone (no reading): a file's size and modification
    time; a folder's, those of every file under it (a mask rewritten in place leaves its folder's time as it
    was). Another stamp: read it again. Past ``most`` files the walk stops (a change beyond them goes
    unseen until the reference is read again by hand)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return ()
    if not p.is_dir():
        return (st.st_size, st.st_mtime_ns)
    found: list[tuple[str, int, int]] = []
    for folder, _dirs, files in os.walk(p):
        for name in files:
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            found.append((os.path.join(folder, name), st.st_size, st.st_mtime_ns))
            if len(found) >= most:
                return tuple(sorted(found))
    return tuple(sorted(found))
