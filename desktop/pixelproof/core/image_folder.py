"""A project's image list from folders: a new project over a folder (what ``pixelproof new`` writes and
what the app opens when given a folder), images added to a project later, and the new places of images
that were moved. Sizes come from the file headers (no decoding), so a big folder is read in seconds;
DICOM and NIfTI volumes become one image per slice."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pixelproof.core.coco import new_project
from pixelproof.core.imageio import ImageReadError, image_size
from pixelproof.core.limits import LimitError, check_text
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.paths import RelativeNames, is_absolute_name
from pixelproof.core.sources import ImageEntry, folder_files, image_entries, scan_images
from pixelproof.core.volumes import SliceRef, parse_slice_ref

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
    for record in _records(project, entries, skip):  # ids 1..n, in file (and slice) order
        project.add_image(record)
    return project


def _records(
    project: Project, entries: Iterable[ImageEntry], skip: Callable[[str], None]
) -> list[ImageRecord]:
    """Records for ``entries``, ids from one above the project's, named as the project names its images."""
    records: list[ImageRecord] = []
    first, name_of = project.next_image_id(), namer(project)
    for entry in entries:
        name = name_of(entry.path) + entry.fragment
        try:
            check_text(name, str(entry.path), "file name")
        except LimitError as e:
            skip(f"{e}; skipped")
            continue
        record = ImageRecord(first + len(records), name, entry.width, entry.height)
        record.extra.update(entry.extra)
        records.append(record)
    return records


def namer(project: Project) -> Callable[[str | os.PathLike[str]], str]:
    """A path as the project's ``file_name``: relative to the project file's folder (``core.paths``; the
    app's folder project, still untitled, has ``path`` FOLDER/project.json), absolute when it has no file."""
    if project.path is None:
        return os.path.abspath
    names = RelativeNames(Path(project.path).absolute().parent)
    return lambda path: names.name(os.path.abspath(path))


# ------------------------------------------------------------------------------------------------
# adding images, finding moved ones


@dataclass
class Additions:
    """What ``images_to_add`` found: the new records, and the images given that the project has already."""

    images: list[ImageRecord] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # their paths (a volume's once per slice)


def images_to_add(
    project: Project,
    paths: Iterable[str | os.PathLike[str]],
    on_skip: Callable[[str], None],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Additions:
    """Records for the images in ``paths`` (files, and folders searched as ``project_from_folder`` does)
    that the project does not have yet - the same file as the OS resolves it (a symlink, another spelling),
    or the same slice of a volume, is there already. Ids go on from the project's highest; names are
    relative to the project file's folder. Files left out are reported through ``on_skip``."""
    own = Path(project.path).resolve() if project.path is not None else None
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += folder_files(p, on_skip, exclude=lambda f: f.resolve() == own)
        elif p.is_file():
            files.append(p)
        else:
            on_skip(f"{p}: {'not a regular file' if p.exists() else 'not found'}; skipped")
    have = {_identity(*on_disk(project, r)) for r in project.images.values()}
    additions = Additions()
    entries: dict[tuple[object, ...], ImageEntry] = {}  # a file given twice (and in its folder): once
    for entry in image_entries(files, on_skip, progress):
        key = _identity(entry.path, parse_slice_ref(f"v{entry.fragment}") if entry.fragment else None)
        if key in have:
            additions.already.append(f"{entry.path}{entry.fragment}")
        else:
            entries.setdefault(key, entry)
    additions.images = _records(project, entries.values(), on_skip)
    return additions


def on_disk(project: Project, image: ImageRecord) -> tuple[Path, SliceRef | None]:
    """The file (or series folder) an image is read from, and the slice of it when it is a volume's."""
    path = project.image_path(image)
    ref = parse_slice_ref(image.file_name)
    if ref is None or path.exists():  # ``scan#z=1.png`` may be a file of that name
        return path, None
    return project.image_path(ImageRecord(image.id, ref.source, 1, 1)), ref


def _identity(path: Path, ref: SliceRef | None) -> tuple[object, ...]:
    """Equal for the same file as the OS resolves it (links, hard links, case on case-blind disks) and the
    same slice of it."""
    try:
        st = os.stat(path)
        file: object = (st.st_dev, st.st_ino)
    except OSError:
        file = os.path.normcase(os.path.realpath(path))
    return (file, None) if ref is None else (file, ref.axis, ref.index, ref.channel, ref.series)


def _parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in name.replace("\\", "/").split("/") if p not in ("", ".", ".."))


def _tail(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many last components ``a`` and ``b`` share."""
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


@dataclass(frozen=True)
class StillMissing:
    """An image ``find_moved`` did not relocate: ``reason`` "not found", "ambiguous" or "refused" (a file
    of another size, one the project has already, an unreadable one); ``message`` says which and why."""

    image_id: int
    reason: str
    message: str

    def __str__(self) -> str:
        return self.message


def find_moved(
    project: Project, folder: str | os.PathLike[str], *, progress: Callable[[int, int], None] | None = None
) -> tuple[dict[int, str], list[StillMissing]]:
    """New ``file_name``s for the images whose file is missing, found under ``folder`` (searched as a new
    project's folder is): the file whose path below ``folder`` ends with the most of the image's stored
    path (``../old/cats/a.png`` takes ``x/cats/a.png`` over ``y/a.png``). Returns ({image id: new name},
    what is still missing and why): a tie is ambiguous, a file of another size (header) or one the project
    has already is refused, and neither is relocated. Volume slices keep their ``#...`` suffix; images whose
    file exists are never touched."""
    root = Path(folder)
    missing = [(im, *on_disk(project, im)) for im in project.images.values()]
    missing = [m for m in missing if not m[1].exists()]
    if not missing:
        return {}, []
    by_name: dict[str, set[tuple[str, ...]]] = {}
    for f in folder_files(root, lambda _m: None):
        parts = f.relative_to(root).parts
        for k in range(1, len(parts) + 1):  # the folders too: a DICOM series is one
            by_name.setdefault(parts[k - 1], set()).add(parts[:k])
    have = {_identity(*on_disk(project, im)) for im in project.images.values()}
    name_of = namer(project)
    chosen: dict[int, tuple[Path, str]] = {}
    claimed: dict[tuple[object, ...], list[int]] = {}
    problems: list[StillMissing] = []
    for done, (im, _path, ref) in enumerate(missing, start=1):
        if progress is not None:
            progress(done - 1, len(missing))
        stored = _parts(ref.source if ref is not None else im.file_name)
        fragment = im.file_name[len(ref.source) :] if ref is not None else ""
        names = by_name.get(stored[-1], set()) if stored else set()
        plain = ref is None  # a plain image is a file; a slice's volume may be a series folder
        scored = [(_tail(stored, c), c) for c in names if not plain or root.joinpath(*c).is_file()]
        best = max((n for n, _c in scored), default=0)
        tops = sorted(c for n, c in scored if n == best)
        if not tops:
            problems.append(StillMissing(im.id, "not found", f"{im.file_name}: not found under {root}"))
            continue
        if len(tops) > 1:
            shown = ", ".join("/".join(c) for c in tops[:3]) + (", ..." if len(tops) > 3 else "")
            tail = "/".join(stored[-best:])
            why = f"{im.file_name}: ambiguous, {len(tops)} files end with {tail} ({shown}); not relocated"
            problems.append(StillMissing(im.id, "ambiguous", why))
            continue
        found = root.joinpath(*tops[0])
        key = _identity(found, ref)
        if key in have:
            why = f"{im.file_name}: {found} is another image of the project already; not relocated"
            problems.append(StillMissing(im.id, "refused", why))
            continue
        try:
            size = image_size(f"{found}{fragment}", project.applies_exif)
        except ImageReadError as e:
            why = f"{im.file_name}: {found}{fragment} cannot be read ({e}); not relocated"
            problems.append(StillMissing(im.id, "refused", why))
            continue
        if size != (im.width, im.height):
            why = (
                f"{im.file_name}: {found}{fragment} is {size[0]}x{size[1]} px, the project says "
                f"{im.width}x{im.height}: another picture; not relocated"
            )
            problems.append(StillMissing(im.id, "refused", why))
            continue
        chosen[im.id] = (found, fragment)
        claimed.setdefault(key, []).append(im.id)
    for ids in claimed.values():
        if len(ids) > 1:  # two missing images found the same file: which one it is, is not known
            for iid in ids:
                found, fragment = chosen.pop(iid)
                name = project.images[iid].file_name
                why = f"{name}: {found}{fragment} matches images {ids} alike; not relocated"
                problems.append(StillMissing(iid, "ambiguous", why))
    if progress is not None:
        progress(len(missing), len(missing))
    names = {}
    for iid, (found, fragment) in chosen.items():  # an absolute name stays absolute (``core.paths``)
        absolute = is_absolute_name(project.images[iid].file_name)
        names[iid] = (os.path.abspath(found) if absolute else name_of(found)) + fragment
    return names, problems
