"""DICOM Segmentation objects (highdicom), both ways: ``--from dicom-seg`` / ``--to dicom-seg``.

Writing: one binary SEG per DICOM source (a series folder, a single image file, or a multi-frame object)
whose slices carry masks; each category is a segment (number = rank of the category id, label = its
name). A multi-frame source's SEG frames reference its frames by number (``scan.dcm#z=004`` is frame 5),
and highdicom places each at its source frame's plane position, which only an enhanced object's per-frame
functional groups give, one position a frame (a cine is refused, saying why). A SEG is a clinical
object: it references its source's Patient/Study/Series identifiers as the standard requires (highdicom
copies them from the source files). That is the one export that carries patient data: say so when sharing.

Reading: a SEG file or a folder of them. Frames are matched to their source images by SOPInstanceUID (and
a multi-frame source's frame by ReferencedFrameNumber); the sources are looked for under ``images``
(default: the SEG's folder and its parent), so the records get the same names as a project made over those
files (``CT#z=003``, ``scan.dcm``, ``cine.dcm#z=004``) and QA pairs them.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import masks as core_masks
from pixelproof.core.dicom import (
    DICOM_SUFFIXES,
    SEG_SOP_CLASSES,
    DicomError,
    check_deflated,
    frame_count,
    looks_like_dicom,
    read_dataset,
)
from pixelproof.core.dicom_series import scan_folder
from pixelproof.core.limits import LimitError, check_image_size
from pixelproof.core.model import Project
from pixelproof.core.volumes import SLICE_UID, SliceRef, VolumeError, expected_identity, parse_slice_ref
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_above,
    folder_project,
    fresh_output,
    is_file,
    rel_name,
    with_progress,
)
from pixelproof.interop.dicom_seg_frames import read_seg, seg_frames
from pixelproof.interop.formats import Format, Option
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.seg_codes import KEY, segment_descriptions
from pixelproof.interop.seg_sources import with_empty_type2, with_slice_thickness
from pixelproof.interop.stems import free_name
from pixelproof.interop.void_regions import without_void
from pixelproof.interop.written_counts import Written

SEG_SOP_CLASS = SEG_SOP_CLASSES[0]  # binary/fractional; [1] is the label map


def _missing(e: Exception) -> str | None:
    """ "they have no PixelSpacing (0028,0030)" for an attribute the sources lack (an AttributeError
    naming a DICOM keyword), else None."""
    import pydicom

    name = getattr(e, "name", None) if isinstance(e, AttributeError) else None
    tag = pydicom.datadict.tag_for_keyword(name) if isinstance(name, str) else None
    if tag is None:
        return None
    t = pydicom.tag.Tag(tag)
    return f"they have no {name} ({t.group:04X},{t.element:04X}), which a SEG needs"


def _highdicom() -> Any:
    """highdicom, or ValueError with the import error: installed but broken (a module it imports missing)
    must not read as not installed."""
    try:
        import highdicom
    except ImportError as e:
        raise ValueError(f"DICOM SEG needs highdicom ({e}): pip install highdicom") from None
    return highdicom


# ------------------------------------------------------------------------------------------------
# writing


def dicom_sources(
    project: Project, changed: list[str], *, into: str = "the SEG", unreadable: Counter[str] | None = None
) -> tuple[dict[str, list[tuple[int, Path, int]]], int]:
    """DICOM source -> [(image id, file of the slice, index)] for every image that is a DICOM file, a
    slice of a DICOM series folder or a frame of a multi-frame DICOM object (the object is the source,
    the index its frame); and how many slice records name a series folder that cannot be read as one, a
    slice it does not have or a frame the object does not have (told apart from images that are no DICOM
    at all). A record whose volume changed since it was made (its file is no longer at its index, another
    object at the multi-frame file's name) is left out and named in ``changed``: a SEG must not reference a
    file or frame the labels were not drawn on (``into``: what it is left out of). ``unreadable`` counts, by
    the reason it gives (naming the folder), the records of a volume that no longer opens (among the
    ``unmatched``)."""
    from pixelproof.core.dicom_series import open_frames, open_series
    from pixelproof.core.sources import check_slice

    out: dict[str, list[tuple[int, Path, int]]] = defaultdict(list)
    unmatched = 0
    for image in project.images.values():
        path = project.image_path(image)
        ref = parse_slice_ref(image.file_name)
        if ref is None:
            if is_file(path) and looks_like_dicom(path):
                out[os.fspath(path)].append((image.id, path, 0))
            continue
        folder = Path(os.fspath(path).rpartition("#")[0])
        multi_frame = is_file(folder) and looks_like_dicom(folder)
        if not multi_frame and not is_file(folder, Path.is_dir):
            continue
        if multi_frame and (
            ref.axis != "z"
            or ref.channel
            or ref.series is not None
            or ref.phase is not None
            or ref.time is not None
        ):
            unmatched += 1
            continue
        try:
            volume = open_frames(folder) if multi_frame else open_series(folder, ref.series, ref.phase)
        except VolumeError as e:
            unmatched += 1
            if unreadable is not None:
                unreadable[str(e)] += 1
            continue
        try:
            check_slice(path, volume, ref.index, expected_identity(image.extra))
        except VolumeError as e:
            changed.append(f"{e}; left out of {into}")
            continue
        if not 0 <= ref.index < volume.depth:
            unmatched += 1
        elif multi_frame:
            out[os.fspath(folder)].append((image.id, folder, ref.index))
        else:
            parts = [f"{k}={v}" for k, v in (("series", ref.series), ("phase", ref.phase)) if v is not None]
            key = os.fspath(folder) + ("#" + "&".join(parts) if parts else "")  # one SEG a volume
            out[key].append((image.id, volume.files[ref.index], ref.index))
    return out, unmatched


def unique_slices(slices: list[tuple[int, Path, int]]) -> list[tuple[list[int], Path, int]]:
    """The source's slices in order, each once with every record that names it: one slice claimed by
    20,000 records is one frame (its masks merged), not 20,000 datasets read and a SEG highdicom refuses."""
    by_index: dict[int, tuple[list[int], Path, int]] = {}
    for image_id, file, index in sorted(slices, key=lambda s: s[2]):
        by_index.setdefault(index, ([], file, index))[0].append(image_id)
    return list(by_index.values())


def _segment_pixels(
    project: Project,
    slices: list[tuple[list[int], Path, int]],
    shape: tuple[int, int, int],
    segment_of: dict[int, int],
    counts: Counter[str],
    frames: bool = False,
    placed: list[int] | None = None,
) -> np.ndarray:
    """(planes, rows, columns, segments) bool array of the source's masks (``shape``: planes, rows and
    columns), a box drawn filled: slice n is plane n; with ``frames`` (a multi-frame source, ``shape``
    counting all its frames) frame k is plane k. A record whose size differs from its source is left out
    (counted): its masks cannot be placed on the source's pixels; the others are added to ``placed``."""
    planes, rows, columns = shape
    check_image_size(columns, rows * planes, "DICOM SEG", "volume")  # as NIfTI label volumes
    pixels = np.zeros((planes, rows, columns, max(1, len(segment_of))), dtype=bool)
    for n, (image_ids, _file, index) in enumerate(slices):
        n = index if frames else n
        for image_id in image_ids:
            record = project.images[image_id]
            anns = project.annotations_of(image_id)
            if (record.height, record.width) != (rows, columns):
                counts["size"] += bool(anns)
                continue
            if placed is not None:
                placed.append(image_id)
            for ann in anns:
                pixels[n, :, :, segment_of[ann.category_id] - 1] |= core_masks.annotation_mask(
                    ann, rows, columns
                )
                counts["boxes"] += ann.kind == "box"
    return pixels


def _make_seg(
    hd: Any, datasets: list[Any], pixels: np.ndarray, descriptions: list[Any], omit_empty: bool = False
) -> Any:
    """A binary SEG over ``datasets`` (single-frame images, or one multi-frame object); highdicom copies
    their Patient/Study identifiers into it and references each plane's source image (and frame).
    ``omit_empty``: planes with nothing in a segment get no frame of it (else every plane does: an empty
    frame says the slice was looked at and holds nothing)."""
    from pydicom.uid import generate_uid

    from pixelproof import __version__

    return hd.seg.Segmentation(
        source_images=datasets,
        pixel_array=pixels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=generate_uid(),
        series_number=9000,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer="PixelProof",
        manufacturer_model_name="PixelProof",
        software_versions=__version__,
        device_serial_number="0",
        content_label="PIXELPROOF",
        omit_empty_frames=omit_empty,
    )


def _check_frames(ds: Any, key: str) -> None:
    """ValueError saying why highdicom cannot make a SEG of this multi-frame object: it places each
    frame of the SEG at its source frame's plane position (the per-frame functional groups of an
    enhanced object) and refuses two frames at one position (a cine, or phases or echoes in one object)."""
    from pixelproof.core.dicom_series import open_frames

    if not ds.get("PerFrameFunctionalGroupsSequence"):
        kind = getattr(ds.get("SOPClassUID"), "name", "") or "this"
        raise ValueError(
            f"the multi-frame object ({kind}) has no per-frame functional groups (an enhanced CT/MR/PET "
            "object has them): a SEG cannot tell where each of its frames lies (export masks instead)"
        )
    positions = open_frames(Path(key)).positions
    if np.isnan(positions).any():
        raise ValueError(
            "frames of the multi-frame object have no position (no ImagePositionPatient in its functional "
            "groups): a SEG cannot tell where they lie (export masks instead)"
        )
    if len(np.unique(positions)) < len(positions):
        raise ValueError(
            "frames of the multi-frame object share a position (a cine, or several phases or echoes in "
            "one object): highdicom writes a SEG of a multi-frame object only when each frame lies at a "
            "position of its own (export masks instead)"
        )


def source_target(out: Path, key: str, taken: set[str], kind: str = "seg") -> Path:
    """``<source stem>_<kind>.dcm`` (``<stem>_phaseJ_<kind>.dcm`` for a phase of a dynamic series) for the
    object written for one DICOM source (a SEG, an RT Structure Set), numbered when two sources share a
    stem (with the first free number: the sources ``a/CT``, ``b/CT`` and ``CT_2`` must not write over one
    another)."""
    source, _, fragment = key.partition("#")
    stem = Path(source).name.removesuffix(".dcm") or kind
    phase = next((p for p in fragment.split("&") if p.startswith("phase=")), "")
    stem += f"_phase{phase.removeprefix('phase=')}" if phase else ""
    return out / free_name(taken, stem, f"_{kind}.dcm")


def write_dicom_seg(
    project: Project, out_dir: str | os.PathLike[str], *, progress: ProgressCallback | None = None
) -> list[str]:
    """``out_dir/<source>_seg.dcm`` per DICOM source with masks; returns warnings."""
    hd = _highdicom()
    out = Path(out_dir)
    project, void_note = without_void(project, "DICOM SEG")
    used = {a.category_id for a in project.annotations.values()}
    cats = sorted((c for c in project.categories.values() if c.id in used), key=lambda c: c.id)
    if len(cats) >= 65536:  # SEG numbers segments with 16 bits; every frame of a segment is written
        raise ValueError(f"{len(cats):,} categories with objects: a DICOM SEG holds at most 65,535 segments")
    segment_of = {c.id: k for k, c in enumerate(cats, start=1)}
    described: dict[str, list[Any]] = {}  # segment descriptions by the sources' character set
    counts: Counter[str] = Counter()
    warnings: list[str] = []
    sources, counts["unmatched"] = dicom_sources(project, warnings)
    changed = len(warnings)  # records whose volume changed since, each named
    counts["not_dicom"] = (
        len(project.images) - sum(len(v) for v in sources.values()) - counts["unmatched"] - len(warnings)
    )
    if project.images and counts["not_dicom"] == len(project.images):  # else nothing written, "converted"
        raise ValueError(
            f"{_none_dicom(len(project.images))} (a file, a series' slice or a multi-frame "
            "object's frame), so there is no SEG to write (a SEG references its DICOM source): export nifti "
            "or slicer-seg for NIfTI and NRRD volumes, or masks"
        )
    make_folders(out)
    names: set[str] = set()
    written: list[int] = []  # the image records whose masks a SEG written holds
    not_written: Counter[str] = Counter()  # images of a DICOM source not written, by why
    for key, claimed in with_progress(sorted(sources.items()), len(sources), progress):
        if not any(project.annotations_of(i) for i, _, _ in claimed):
            counts["empty"] += 1
            not_written["of a DICOM source without any mask"] += len(claimed)
            continue
        placed: list[int] = []
        slices = unique_slices(claimed)
        counts["duplicate"] += len(claimed) - len(slices)
        try:
            datasets = with_empty_type2([read_dataset(f) for f in dict.fromkeys(f for _, f, _ in slices)])
            depth = frame_count(datasets[0])
            if depth > 1:  # a multi-frame object: highdicom takes a plane for each of its frames
                _check_frames(datasets[0], key)
            thickness = with_slice_thickness(datasets, [index for _, _, index in slices])
            shape = (depth if depth > 1 else len(slices), int(datasets[0].Rows), int(datasets[0].Columns))
            pixels = _segment_pixels(project, slices, shape, segment_of, counts, depth > 1, placed)
            if (charset := str(datasets[0].get("SpecificCharacterSet", ""))) not in described:
                described[charset], faults = segment_descriptions(
                    hd, cats, datasets[0].get("SpecificCharacterSet")
                )
                warnings += [f"{key}: {w}" for w in faults]
            seg = _make_seg(hd, datasets, pixels, described[charset], omit_empty=len(slices) < shape[0])
        except (ValueError, TypeError, AttributeError, KeyError, VolumeError) as e:
            warnings.append(f"{key}: cannot make a DICOM SEG from these sources: {_missing(e) or e}")
            not_written["of a source no SEG could be made from"] += len(claimed)
            continue
        except MemoryError:  # one frame per slice and segment: many categories on a long series
            warnings.append(f"{key}: not enough memory for {len(slices)} slices x {len(cats)} segments")
            not_written["of a source no SEG could be made from"] += len(claimed)
            continue
        target = source_target(out, key, names)
        with fresh_output(target, sync=True) as f:
            seg.save_as(f)
        if thickness:  # said once the SEG holds it
            warnings.append(f"{key}: {thickness}")
        counts["written"] += 1
        written += placed
        not_written["not the size of their DICOM source"] += len(claimed) - len(placed)
    messages = {
        "not_dicom": ("image", "not DICOM: left out (use nifti or masks)"),
        "unmatched": (
            "slice record",
            "naming a slice their DICOM series folder does not have, a frame their "
            "multi-frame DICOM object does not have, or a folder that is no readable series: left out",
        ),
        "empty": ("DICOM source", "without any mask: no SEG written for them"),
        "boxes": ("box-only object", "written as filled boxes"),
        "size": ("slice record", "with objects whose size differs from their DICOM source's: left out"),
        "duplicate": ("image record", "naming a slice another record names: their masks were merged"),
    }
    why = Counter(
        {
            "not DICOM": counts["not_dicom"],
            "naming a slice or frame their DICOM source does not have": counts["unmatched"],
            "whose DICOM source changed since the project was made": changed,
            **not_written,
        }
    )
    objects = sum(len(project.annotations_of(i)) for i in written)
    left = ", ".join(f"{n:,} {reason}" for reason, n in why.items() if n)
    left = f"{plural(len(project.images) - len(written), 'image')} ({left})" if left else ""
    return Written([*void_note, *warnings, *noted_counts(counts, messages)], len(written), objects, left)


def _none_dicom(n: int) -> str:
    """Said of the images exported (only the finished ones: often one), as the RTSTRUCT writer says it."""
    return "the project's one image is not DICOM" if n == 1 else f"none of the {n:,} images are DICOM"


# ------------------------------------------------------------------------------------------------
# reading


def index_sources(folders: list[Path], report: Reporter) -> dict[str, tuple[Path, str, int]]:
    """SOPInstanceUID -> (path on disk, fragment, frames) for every DICOM image under ``folders``, named
    as ``pixelproof new`` names them (series slices ``CT#z=003``, single files ``scan.dcm``); a multi-frame
    object's frames are named by ``frame_name`` from their count (SEG objects are no sources). A file left
    out is named: a FIFO or broken link named ``*.dcm``, one that cannot be read, one gone since the listing;
    a series slice's UID is the one its scanned header holds (read once: a file removed since is no
    matter)."""
    from pixelproof.core.dicom_series import DicomSeries
    from pixelproof.core.sources import listed_file, volume_entries

    said = partial(report.skip, "files")
    by_parent: dict[Path, list[Path]] = defaultdict(list)
    for folder in folders:
        for f in sorted(folder.rglob("*")):
            regular = listed_file(f, said) if f.suffix.lower() in DICOM_SUFFIXES else is_file(f)
            if regular and looks_like_dicom(f):
                by_parent[f.parent].append(f)
    index: dict[str, tuple[Path, str, int]] = {}
    for parent, files in by_parent.items():
        scan = scan_folder(parent, files)
        for problem in scan.problems:  # as ``new`` says them
            said(problem if problem.endswith("skipped") else f"{problem}; skipped")
        for number, phase, series in scan.volumes():
            entries = volume_entries(DicomSeries(parent, series, number, phase), parent, number, phase=phase)
            for uid, entry in zip(series.uids, entries, strict=True):
                index.setdefault(uid, (parent, entry.fragment, 1))
        for f in scan.singles:
            try:
                ds = read_dataset(f)
            except DicomError as e:  # gone or changed since the scan read its header
                said(f"{e}; skipped")
                continue
            if str(ds.get("SOPClassUID", "")) not in SEG_SOP_CLASSES:
                index.setdefault(str(ds.get("SOPInstanceUID", "")), (f, "", frame_count(ds)))
    return index


def frame_name(number: int, frames: int) -> str:
    """The fragment ``new`` gives frame ``number`` (1-based, as a SEG references it) of a multi-frame
    object of ``frames`` frames: ``#z=NNN`` with its 0-based index in the file."""
    return SliceRef("", "z", number - 1).name(frames)


def read_dicom_seg(
    path: str | os.PathLike[str],
    *,
    image_dir: str | os.PathLike[str] | None = None,
    also_under: Sequence[Path] = (),
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import DICOM SEG files as masks on their source images (see the module docstring).

    ``also_under``: folders searched for the sources besides ``image_dir`` (or its default): QA's candidate's
    own series, so a SEG saved apart from its series (3D Slicer's export folder) finds them."""
    hd = _highdicom()
    root = Path(path)
    report = Reporter(on_problem)
    if root.is_dir():
        files = [f for f in sorted(root.rglob("*")) if f.is_file() and looks_like_dicom(f) and _is_seg(f)]
        base = root
    elif root.is_file():
        files, base = [root], root.parent
    else:
        raise ValueError(f"{root}: not found")
    if not files:
        raise ValueError(f"{root}: no DICOM Segmentation objects found")
    search = outermost([Path(image_dir)] if image_dir else [base, folder_above(base)], also_under)
    index = index_sources(search, report)
    project = folder_project(base)
    build = Builder(project)
    records: dict[str, Any] = {}
    for f in with_progress(files, len(files), progress):
        try:
            check_deflated(f)  # highdicom reads it through pydicom, which inflates it whole
            seg, kept, faults = read_seg(hd, f)
        except Exception as e:  # highdicom/pydicom raise many kinds on a malformed object
            report.skip("files", f"{f}: not a readable DICOM SEG: {type(e).__name__}: {e}")
            continue
        for fault in faults:
            report(f"{f}: {fault}")
        uids = [str(uid[2]) for uid in seg.get_source_image_uids()]
        found = [u for u in uids if u in index]
        if len(found) < len(uids):
            where = ", ".join(map(str, search))
            report(
                f"{f}: {plural(len(uids) - len(found), 'source image')} not found under {where}"
                + ("" if image_dir else " (name the folder of its source series with --image-dir)")
            )
        if not found:
            report.skipped["files"] += 1
            continue
        try:
            frames = seg_frames(seg, f, {u: (index[u][0], index[u][2]) for u in found})
            numbers = list(seg.segment_numbers)
            labels = {n: seg.get_segment_description(n).segment_label for n in numbers}
            for uid, number, part, frame in frames:
                where, fragment, depth = index[uid]
                fragment = frame_name(number, depth) if depth > 1 else fragment
                name = rel_name(where, base) + fragment
                record = records.get(name)
                if record is None:
                    meta_extra = _geometry(where, fragment)
                    if fragment:  # a series slice keeps which file it is, as ``new`` writes it
                        meta_extra["pixelproof"] = {SLICE_UID: uid}
                    record = build.image(name, frame.shape[1], frame.shape[0], **meta_extra)
                    records[name] = record
                for k, n in enumerate(part):
                    m = frame[:, :, k].astype(bool)
                    if m.any():
                        cat = build.category(labels[n], n)
                        if n in kept:
                            cat.app_extra.setdefault(KEY, {"label": labels[n], **kept[n]})
                        build.annotation(record, cat.id, mask=m, where=str(f))
        except LimitError as e:
            report.skip("files", f"{e}; file skipped")
        except Exception as e:  # highdicom raises many kinds on inconsistent frames and segments
            report.skip("files", f"{f}: cannot read its frames: {type(e).__name__}: {e}; file skipped")
    build.order_categories()
    return ImportResult(project, report.problems, report.skipped, semantic=True)


def outermost(folders: list[Path], more: Sequence[Path]) -> list[Path]:
    """``folders`` and ``more`` without one that lies in another (the SEG's folder is in its parent: it was
    searched, and named in the message, twice: ``not found under ., .``), in their order."""
    kept: list[tuple[Path, Path]] = []
    for folder in [*folders, *more]:
        real = folder.resolve()
        if not any(real == k or k in real.parents for _, k in kept):
            kept = [(f, k) for f, k in kept if real not in k.parents]
            kept.append((folder, real))
    return [f for f, _ in kept]


def _is_seg(path: Path) -> bool:
    try:
        return str(read_dataset(path).get("SOPClassUID", "")) == SEG_SOP_CLASS
    except DicomError:
        return False


def _geometry(where: Path, fragment: str) -> dict[str, Any]:
    from pixelproof.core.sources import image_meta_extra

    return image_meta_extra(Path(os.fspath(where) + fragment))


def holds_dicom(path: Path, is_kind: Callable[[Path], bool]) -> bool:
    """A DICOM file ``is_kind`` takes, or a folder holding one among its first 50 entries (format guessing
    reads no deeper)."""
    if path.is_file():
        return looks_like_dicom(path) and is_kind(path)
    if not path.is_dir():
        return False
    return any(f.is_file() and looks_like_dicom(f) and is_kind(f) for f in sorted(path.iterdir())[:50])


def looks_like_dicom_seg(path: Path) -> bool:
    """A DICOM Segmentation file, or a folder holding one at its top level."""
    return holds_dicom(path, _is_seg)


FORMAT = Format(
    name="dicom-seg",
    title="DICOM SEG",
    reader=read_dicom_seg,
    writer=write_dicom_seg,
    read_options=(
        Option(
            "image_dir",
            "folder",
            "where the source DICOM images are (default: the SEG's folder and its parent)",
            None,
            label="Images folder",
        ),
    ),
    detect=looks_like_dicom_seg,
    suffixes=(".dcm",),
    # README's cell; the writes column says the SEG keeps the source's Patient/Study identifiers, as the
    # standard requires
    lost_on_export=(
        "images that are not DICOM; multi-frame objects without per-frame positions or with frames at one "
        "position (a cine); void regions (left out, a warning says how many: a SEG has no regions to ignore)"
    ),
)
