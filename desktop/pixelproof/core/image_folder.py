"""A project's image list from folders: a new project over a folder (what ``pixelproof new`` writes and
what the app opens when given a folder), images added to a project later, and the new places of images
that were moved. Sizes come from the file headers (no decoding), so a big folder is read in seconds;
DICOM and NIfTI volumes become one image per slice."""

from __future__ import annotations

import os
import posixpath
import stat
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pixelproof.core.coco import new_project
from pixelproof.core.export_mark import SkippedExport
from pixelproof.core.imageio import ImageReadError, image_size
from pixelproof.core.limits import LimitError, check_text, is_inside, lexical_path
from pixelproof.core.model import LAST_IMAGE_ID, ImageRecord, Project
from pixelproof.core.names import check_category_name
from pixelproof.core.paths import RelativeNames, is_absolute_name
from pixelproof.core.sources import ImageEntry, folder_files, image_entries, open_volume, scan_images
from pixelproof.core.volumes import (
    IDENTITY_KEYS,
    SliceRef,
    VolumeError,
    expected_identity,
    identity_text,
    parse_slice_ref,
)


def category_names(text: str) -> list[str]:
    """``"cat, dog"`` -> ``["cat", "dog"]``: the categories of a new project as a person types them (the
    ``--categories`` of ``pixelproof new`` and ``pixelproof PATH``, the app's new-project question).
    Raises ValueError for a repeated or over-long name."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"names must be unique ({name!r} is given twice)")
        check_category_name(name)  # over MAX_CATEGORY_NAME characters: LimitError, a ValueError
        seen.add(name)
    return names


def project_from_folder(
    image_dir: Path,
    project_file: Path,
    categories: Iterable[str] = (),
    *,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_export: Callable[[SkippedExport], None] | None = None,
    on_labels: Callable[[Path], None] | None = None,
) -> Project:
    """Images under ``image_dir`` (sorted, recursive), file names relative to the project file's folder.
    Volumes (NIfTI, DICOM series, multi-frame DICOM) give one image per slice (``ct.nii.gz#z=012``) with
    ``pixel_spacing`` and ``slice_position`` from their headers (``core.sources.scan_images``).
    Non-images and unreadable images are left out and each is reported through ``on_skip(message)``;
    ``progress(done, total)`` follows the header reads (it may raise to stop, e.g. a cancelled job). A
    PixelProof export inside (a folder holding its marker, ``core.export_mark``) is not searched: said
    through ``on_skip`` and given to ``on_export`` with its file count. Label files (a Slicer ``.seg.nrrd``)
    go to ``on_labels`` when given (``interop.slicer_seg_folder`` reads them onto their volumes)."""
    image_dir, project_file = Path(image_dir), Path(project_file)
    project = new_project(list(categories))
    project.path = project_file
    skip = on_skip or (lambda _message: None)
    own = own_files(project_file)
    entries = scan_images(image_dir, skip, lambda p: p.resolve() in own, progress, on_export, on_labels)
    for record in _records(project, entries, skip):  # ids 1..n, in file (and slice) order
        project.add_image(record)
    return project


def _records(
    project: Project, entries: Iterable[ImageEntry], skip: Callable[[str], None]
) -> list[ImageRecord]:
    """Records for ``entries``, ids from one above the project's, named as the project names its images."""
    records: list[ImageRecord] = []
    new_ids, name_of = project.id_counter(LAST_IMAGE_ID), namer(project)
    for entry in entries:
        name = name_of(entry.path) + entry.fragment
        try:
            check_text(name, str(entry.path), "file name")
        except LimitError as e:
            skip(f"{e}; skipped")
            continue
        record = ImageRecord(new_ids.take(), name, entry.width, entry.height)
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


def image_folders(project: Project) -> set[Path]:
    """The folders a person would add to the project again (File > Add Image Folder, ``pixelproof add``, a
    new project over it): each folder holding one of its image files, and the project file's folder when
    images lie under it (the folder a new project was made from). Lexical, absolute paths."""
    base = Path(project.path).parent if project.path is not None else Path()
    names = {os.path.dirname(image.file_name) for image in project.images.values()}  # once a folder
    folders = {lexical_path(base / name) for name in names}  # a slice's ``#z=`` is in the file's name
    if project.path is not None:
        here = lexical_path(project.path).parent
        if any(is_inside(f, here) for f in folders):
            folders.add(here)
    return folders


def holding_folder(folders: set[Path], path: str | os.PathLike[str]) -> Path | None:
    """The highest of ``folders`` (``image_folders``) that ``path`` is or lies in, None when none: a file
    written there would be found as an image when that folder is added again."""
    p = lexical_path(path)
    found = None
    for folder in (p, *p.parents):
        if folder in folders:
            found = folder
    return found


# ------------------------------------------------------------------------------------------------
# adding images, finding moved ones


@dataclass
class Additions:
    """What ``images_to_add`` found: the new records, and the images given that the project has already."""

    images: list[ImageRecord] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # their paths (a volume's once per slice)
    exports: list[SkippedExport] = field(default_factory=list)  # PixelProof exports in folders, not searched


def own_files(project_file: str | os.PathLike[str]) -> set[Path]:
    """The project file and the files PixelProof keeps beside it (change log, backup, autosave, lock), and
    those of the other project files New Project from Folder saved in its folder (``project.json`` beside
    a ``project_2.json``: ``folder_project.project_files_in``), resolved: a project saved in its images'
    folder is not listed as "not an image" (nor as a hidden file) in it, nor are they."""
    from pixelproof.core.atomic import backup_path
    from pixelproof.core.autosave import autosave_path_for
    from pixelproof.core.folder_project import project_files_in
    from pixelproof.core.history import sidecar
    from pixelproof.core.lock import lock_path

    own = set()
    for path in {Path(project_file), *project_files_in(Path(project_file).parent)}:
        kept = (path, sidecar(path), backup_path(path), autosave_path_for(path), lock_path(path))
        own |= {p.resolve() for p in kept}
    return own


def images_to_add(
    project: Project,
    paths: Iterable[str | os.PathLike[str]],
    on_skip: Callable[[str], None],
    *,
    progress: Callable[[int, int], None] | None = None,
    on_labels: Callable[[Path], None] | None = None,
) -> Additions:
    """Records for the images in ``paths`` (files, and folders searched as ``project_from_folder`` does)
    that the project does not have yet - the same file as the OS resolves it (a symlink, another spelling),
    or the same slice of a volume, is there already. Ids go on from ``next_image_id`` (never a removed
    image's); names are relative to the project file's folder. Files left out are reported through
    ``on_skip``; a PixelProof export below a folder given is not searched (``Additions.exports``). Label
    files (a Slicer ``.seg.nrrd``) go to ``on_labels`` when given, as ``project_from_folder`` gives them."""
    own = own_files(project.path) if project.path is not None else set()
    additions = Additions()
    files: list[Path] = []
    for p in map(Path, paths):
        try:
            mode = os.stat(p).st_mode
        except FileNotFoundError:
            on_skip(f"{p}: not found; skipped")
            continue
        except OSError as e:  # a name too long, a folder without access: the OS's reason
            on_skip(f"{p}: {e.strerror or e}; skipped")
            continue
        if stat.S_ISDIR(mode):
            files += folder_files(p, on_skip, lambda f: f.resolve() in own, additions.exports.append)
        elif stat.S_ISREG(mode):
            files.append(p)
        else:
            on_skip(f"{p}: not a regular file; skipped")
    have = {_identity(*on_disk(project, r)): r for r in project.images.values()}
    found = []
    changed: dict[tuple[object, ...], str] = {}  # (file, series, phase): why none of its slices is added
    for entry in image_entries(files, on_skip, progress, on_labels):
        ref, key = _entry_key(entry)
        record = have.get(key)
        if record is not None and ref is not None and not _same_slice(record, entry):
            changed.setdefault((key[0], ref.series, ref.phase), f"{entry.path}: {_changed(record, entry)}")
        found.append((entry, key, record is not None))
    for why in changed.values():  # once a volume
        on_skip(why)
    entries: dict[tuple[object, ...], ImageEntry] = {}  # a file given twice (and in its folder): once
    for entry, key, there in found:
        if len(key) > 2 and (key[0], *key[-2:]) in changed:  # numbered anew: its new slices would
            continue  # take the names of the project's, and the project's files come back as new
        if there:
            additions.already.append(f"{entry.path}{entry.fragment}")
        else:
            entries.setdefault(key, entry)
    additions.images = _records(project, entries.values(), on_skip)
    return additions


def images_of_file(project: Project, path: str | os.PathLike[str]) -> list[int]:
    """The ids of the project's images read from the file ``path``, in file order: the picture itself, each
    slice of a volume, the slice a DICOM series file gives (numbered in its folder's series, as a scan
    names it); none when the project does not have it (left out as unreadable, or added since). The same
    file as the OS resolves it counts (a symlink, another spelling), as ``images_to_add`` finds it."""
    have = {_identity(*on_disk(project, r)): r.id for r in project.images.values()}
    found = (have.get(_entry_key(entry)[1]) for entry in image_entries([Path(path)], lambda _m: None))
    return [image_id for image_id in found if image_id is not None]


def _entry_key(entry: ImageEntry) -> tuple[SliceRef | None, tuple[object, ...]]:
    """An entry's slice (None: a whole file) and its ``_identity``, to find it among a project's images."""
    ref = parse_slice_ref(f"v{entry.fragment}") if entry.fragment else None
    return ref, _identity(entry.path, ref)


def _same_slice(record: ImageRecord, entry: ImageEntry) -> bool:
    """Whether ``entry`` is the slice ``record`` keeps the identity of (records without one: yes)."""
    now = entry.extra.get("pixelproof") or {}
    return all(now.get(k) == v for k, v in expected_identity(record.extra).items() if k in IDENTITY_KEYS)


def _changed(record: ImageRecord, entry: ImageEntry) -> str:
    """Why a volume's slices are not added: the project's ``record`` names another slice of it now."""
    key = next(k for k, v in expected_identity(record.extra).items() if k in IDENTITY_KEYS)
    found = entry.extra.get("pixelproof") or {}
    now = identity_text(key, found[key]) if key in found else "missing"
    return (
        f"the volume changed since the project was made (a file lost, added or sorted anew): the project's "
        f"{record.file_name} has {identity_text(key, expected_identity(record.extra)[key])}, that slice's "
        f"is now {now}; "
        "none of its slices added (new ones would take the names of the project's) - put the files back as "
        "they were, or make a new project from it as it is now"
    )


def on_disk(project: Project, image: ImageRecord) -> tuple[Path, SliceRef | None]:
    """The file (or series folder) an image is read from, and the slice of it when it is a volume's."""
    path = project.image_path(image)
    ref = parse_slice_ref(image.file_name)
    # os.path.exists: False, where Path.exists raises, for a name the OS cannot look up (too long, no access)
    if ref is None or os.path.exists(path):  # ``scan#z=1.png`` may be a file of that name
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
    return (
        (file, None)
        if ref is None
        else ((file, ref.axis, ref.index, ref.channel, ref.series, ref.phase, ref.time))
    )


def name_parts(name: str) -> tuple[str, ...]:
    """The components of a stored name, composed (NFC): a Mac writes names decomposed, Linux and Windows as
    typed, so the same name may come in either form."""
    name = unicodedata.normalize("NFC", posixpath.normpath(name.replace("\\", "/")))
    return tuple(p for p in name.split("/") if p not in ("", ".", ".."))


def _tail(a: tuple[str, ...], b: tuple[str, ...], *, fold: bool = False) -> int:
    """How many last components ``a`` and ``b`` share (``fold``: ignoring case)."""
    if fold:
        a, b = tuple(p.casefold() for p in a), tuple(p.casefold() for p in b)
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


@dataclass(frozen=True)
class StillMissing:
    """An image ``find_moved`` did not relocate: ``reason`` "not found", "ambiguous" or "refused" (a file
    of another size, one the project has already, an unreadable one, one another missing image matches
    better, a volume lacking some of the slices); ``message`` says which and why."""

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
    path (``../old/cats/a.png`` takes ``x/cats/a.png`` over ``y/a.png``; names compared in one Unicode
    form; a name found in no case but another, as a Windows or Mac disk renames it, compared ignoring
    case). Files the project has already are not candidates; a symlinked folder is not searched, and is
    named where an image is not found. Returns ({image id: new name}, what is still
    missing and why): a tie is ambiguous; a file of another size (header), one two images claim alike, and
    a volume lacking some of the image's slices are refused. Volume slices keep their ``#...`` suffix and
    move with their volume or not at all; images whose file exists are never touched."""
    root = Path(folder)
    missing = [(im, *on_disk(project, im)) for im in project.images.values()]
    missing = [m for m in missing if not os.path.exists(m[1])]
    if not missing:
        return {}, []
    by_name: dict[str, set[tuple[str, ...]]] = {}
    by_fold: dict[str, set[tuple[str, ...]]] = {}  # a name renamed in case only (a Windows or Mac disk)
    linked: list[str] = []  # symlinked folders, not searched: named where an image is not found

    def skipped(message: str) -> None:
        if ": a symlinked folder" in message:
            linked.append(message.split(": a symlinked folder")[0])

    for f in folder_files(root, skipped, search_exports=True):  # an imported export's images too
        parts = f.relative_to(root).parts
        for k in range(1, len(parts) + 1):  # the folders too: a DICOM series is one
            name = unicodedata.normalize("NFC", parts[k - 1])
            by_name.setdefault(name, set()).add(parts[:k])
            by_fold.setdefault(name.casefold(), set()).add(parts[:k])
    have = {_identity(*on_disk(project, im))[0] for im in project.images.values()}  # the files it uses
    chosen: dict[int, tuple[Path, str, int]] = {}  # image id: file, fragment, tail length
    problems: list[StillMissing] = []
    for done, (im, _path, ref) in enumerate(missing, start=1):
        if progress is not None:
            progress(done - 1, len(missing))
        stored = name_parts(ref.source if ref is not None else im.file_name)
        fragment = im.file_name[len(ref.source) :] if ref is not None else ""
        plain = ref is None  # a plain image is a file; a slice's volume may be a series folder
        scored, taken = [], []
        candidates = by_name.get(stored[-1], set()) if stored else set()
        fold = bool(stored) and not candidates  # none of its exact name: one renamed in case only
        if fold:
            candidates = by_fold.get(stored[-1].casefold(), set())
        for c in candidates:
            path = root.joinpath(*c)
            if plain and not path.is_file():
                continue
            if _identity(path, None)[0] in have:
                taken.append(path)
            else:
                scored.append((_tail(stored, name_parts("/".join(c)), fold=fold), c))
        best = max((n for n, _c in scored), default=0)
        tops = sorted(c for n, c in scored if n == best)
        if not tops:
            why = f"{im.file_name}: not found under {root}"
            if linked:  # os.walk does not follow them (a link back up would loop)
                shown = ", ".join(linked[:3]) + (", ..." if len(linked) > 3 else "")
                why += f" (symlinked folders not searched: {shown}; give the folder one links to)"
            if taken:
                why = f"{im.file_name}: {min(taken)} is another image of the project already; not relocated"
            problems.append(StillMissing(im.id, "refused" if taken else "not found", why))
            continue
        if len(tops) > 1:
            shown = ", ".join("/".join(c) for c in tops[:3]) + (", ..." if len(tops) > 3 else "")
            tail = "/".join(stored[-best:])
            why = f"{im.file_name}: ambiguous, {len(tops)} files end with {tail} ({shown}); not relocated"
            problems.append(StillMissing(im.id, "ambiguous", why))
            continue
        found = root.joinpath(*tops[0])
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
        problem = _other_slice(found, fragment, im) if ref is not None else None
        if problem is not None:
            problems.append(StillMissing(im.id, "refused", f"{problem}; not relocated"))
            continue
        chosen[im.id] = (found, fragment, best)
    if progress is not None:
        progress(len(missing), len(missing))
    problems += _one_image_a_file(project, chosen)
    problems += _whole_volumes(project, missing, chosen)
    name_of = namer(project)
    names = {}
    for iid, (found, fragment, _n) in chosen.items():  # an absolute name stays absolute (``core.paths``)
        absolute = is_absolute_name(project.images[iid].file_name)
        names[iid] = (os.path.abspath(found) if absolute else name_of(found)) + fragment
    return names, problems


def _other_slice(found: Path, fragment: str, image: ImageRecord) -> str | None:
    """Why slice ``fragment`` of the volume ``found`` is not the slice ``image`` keeps the identity of (a
    different scan whose files are named alike), or None when it is or the record keeps none."""
    expect = expected_identity(image.extra)
    ref = parse_slice_ref(f"{found}{fragment}")
    if not expect or ref is None:
        return None
    try:
        problem = open_volume(ref).mismatch(ref.index, expect)
    except VolumeError as e:
        return f"{image.file_name}: {e}"
    return None if problem is None else f"{image.file_name}: {found}{fragment}: {problem}"


def _one_image_a_file(project: Project, chosen: dict[int, tuple[Path, str, int]]) -> list[StillMissing]:
    """Two missing images that found the same file (or slice): the one whose stored path it matches the
    most keeps it (``old/cats/x.png`` over ``old/x.png`` for ``cats/x.png``); on a tie neither does."""
    claimed: dict[tuple[object, ...], list[int]] = {}
    for iid, (found, fragment, _n) in chosen.items():
        claimed.setdefault(
            _identity(found, parse_slice_ref(f"v{fragment}") if fragment else None), []
        ).append(iid)
    problems = []
    for ids in claimed.values():
        if len(ids) < 2:
            continue
        tails = sorted(((chosen[i][2], i) for i in ids), reverse=True)
        winner = tails[0][1] if tails[0][0] > tails[1][0] else None
        for iid in ids:
            if iid == winner:
                continue
            found, fragment, _n = chosen.pop(iid)
            name = project.images[iid].file_name
            if winner is None:
                why = f"{name}: {found}{fragment} matches images {ids} alike; not relocated"
                problems.append(StillMissing(iid, "ambiguous", why))
            else:
                other = project.images[winner].file_name
                why = f"{name}: {found}{fragment} is {other}'s (its path matches more of it); not relocated"
                problems.append(StillMissing(iid, "refused", why))
    return problems


def _whole_volumes(
    project: Project,
    missing: list[tuple[ImageRecord, Path, SliceRef | None]],
    chosen: dict[int, tuple[Path, str, int]],
) -> list[StillMissing]:
    """The slices of one volume move together: when some of them are not found at the volume's new place
    (it has fewer slices: another volume, or a series that lost files, whose slices are renumbered), the
    others are not relocated either - their objects would land on another scan's slices."""
    by_volume: dict[str, list[int]] = {}
    for im, _path, ref in missing:
        if ref is not None:
            by_volume.setdefault(ref.source, []).append(im.id)
    out = []
    for source, ids in by_volume.items():
        lost = [i for i in ids if i not in chosen]
        if not lost:
            continue
        for iid in (i for i in ids if i in chosen):
            found = chosen.pop(iid)[0]
            why = (
                f"{project.images[iid].file_name}: {found} lacks {len(lost)} of the {len(ids)} slices "
                f"of {source} the project has; a volume is relocated whole; not relocated"
            )
            out.append(StillMissing(iid, "refused", why))
    return out
