"""The MOTChallenge export: each folder of images a sequence ``<name>/`` with ``img1/000001.jpg ...``,
``seqinfo.ini`` and ``gt/gt.txt`` (``frame,id,x,y,w,h,conf,class,visibility``), so a tracking benchmark's
tools (py-motmetrics, TrackEval) and CVAT's MOT import read a project labelled in PixelProof. No Qt.

A sequence's frame numbers are the ones its images are named by (``000001.jpg``, as the reader makes them),
else the sequence's frame order (``track_fill.frame_numbers``: ``frame_000010.png``'s number, else file order)
plus one, since MOT counts frames from 1. An object's track is its ``track_id`` (all one up when the project
has a track 0: MOT ids count from 1); an object without one, or whose track already has an object on its
frame, gets a new id (said). ``conf`` is 1, 0 for a void region (the
benchmark's boxes to ignore); the class is MOT17's number for a MOT17 class name (``<class> (ignored)``
too), -1 for ``object``, ``n`` for ``class <n>``, else a number from 14 on (said), each number named in
``gt/labels.txt`` (as CVAT's MOT format reads them); visibility is the one read while the occluded flag
(CVAT's, Q) still says what the reader made of it, else 0 for an occluded object (as CVAT's MOT export
writes it), else 1. Shapes are written as their boxes (said).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path, PurePath
from typing import Any

from pixelproof.core.clipboard import TRACK_ID
from pixelproof.core.cvat_attributes import is_occluded
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.track_fill import frame_numbers
from pixelproof.core.tracks import LIMIT, exported_track, free_track_ids, named_tracks, named_tracks_text
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import ProgressCallback, is_file, with_progress, write_fresh
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import place_image

MOT17_CLASSES = {
    1: "pedestrian",
    2: "person on vehicle",
    3: "car",
    4: "bicycle",
    5: "motorbike",
    6: "non motorized vehicle",
    7: "static person",
    8: "distractor",
    9: "occluder",
    10: "occluder on the ground",
    11: "occluder full",
    12: "reflection",
    13: "crowd",
}
NO_CLASS = "object"  # a results file's class -1
LABELS = "labels.txt"  # gt/labels.txt: the class names by number (Datumaro's, so CVAT's MOT format)
MOST_LABELS = 10_000  # lines of labels.txt written or read: a "class 999999" gets no file of that many lines
IGNORED = " (ignored)"  # the void category of a gt box with conf 0: "pedestrian (ignored)"
DEFAULT_RATE = 30
OCCLUDED_AT = 0  # Datumaro's occlusion_threshold: a box whose visibility is this or less is occluded
SHIFTED = (
    "track ids written one up (track 0 as id 1): MOTChallenge ids count from 1, and CVAT and Datumaro read "
    "id 0 as no track"
)


def write_mot(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    progress: ProgressCallback | None = None,
) -> list[str]:
    """A sequence folder per folder of images under ``out_dir`` (a MOT17 ``train/``); returns warnings."""
    if images not in ("copy", "link"):
        raise ValueError(f"images: MOT needs its img1/ folders: expected copy or link, got {images!r}")
    out = Path(out_dir)
    counts: Counter[str] = Counter()
    classes, numbered = _class_numbers(project, counts)
    named = named_tracks(project)  # a track named "car-7": one id for all its objects, said
    tracks = _track_ids(project, counts, named)
    warnings = [SHIFTED] if counts["shifted"] else []
    warnings += [said] if (said := named_tracks_text(named)) else []
    groups: dict[PurePath, list[ImageRecord]] = {}
    for image in project.images.values():
        groups.setdefault(PurePath(image.file_name.replace("\\", "/")).parent, []).append(image)
    names: set[str] = set()
    for folder, group in with_progress(list(groups.items()), len(groups), progress):
        name = _sequence_name(folder, project, names)
        warnings += _write_sequence(project, out / name, name, group, classes, tracks, images, counts)
    messages = {
        "missing": ("image file", "not found; only their labels were written"),
        "shapes": ("polygon/mask object", "written as their bounding boxes (MOT holds boxes)"),
        "new_ids": ("object", "without a track of its own on its frame given a new track id"),
        "classes": (
            "category",
            f"not among MOT17's classes written as a class number from 14 on: {numbered}",
        ),
        "sizes": ("sequence", "with frames of several sizes: seqinfo.ini gives its first frame's"),
    }
    return noted_counts(counts, messages) + warnings


def _sequence_name(folder: PurePath, project: Project, taken: set[str]) -> str:
    """The sequence's folder name: its images' folder (the one above ``img1/``), unique in the export."""
    parts = [p for p in folder.parts if p not in ("", ".", "..", "/")]
    if parts and parts[-1] == "img1":
        parts.pop()
    base = parts[-1] if parts else (Path(project.path).stem if project.path else "sequence")
    base = "".join(c if c.isalnum() or c in "-_." else "_" for c in base).strip(".") or "sequence"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name.lower())
    return name


def _class_numbers(project: Project, counts: Counter[str]) -> tuple[dict[int, int], str]:
    """Category id -> MOT class number, and the numbers given from 14 on, named ("'ball' as 14"): gt.txt
    holds only the number, so the warning is where the reader of the file learns which class it is."""
    by_name = {v: k for k, v in MOT17_CLASSES.items()}
    out: dict[int, int] = {}
    others = []
    for cat in project.categories.values():
        name = cat.name.removesuffix(IGNORED)
        if name in by_name:
            out[cat.id] = by_name[name]
        elif name == NO_CLASS:
            out[cat.id] = -1
        elif name.startswith("class ") and name[6:].isdecimal() and name[6:].isascii() and len(name) < 16:
            out[cat.id] = int(name[6:])
        else:
            others.append(cat.id)
    used = set(out.values())
    number = 14
    for cat_id in others:
        while number in used:
            number += 1
        out[cat_id] = number
        used.add(number)
        counts["classes"] += 1
    named = ", ".join(f"{project.categories[c].name!r} as {out[c]}" for c in others)
    return out, named


def _track_ids(project: Project, counts: Counter[str], named: dict[str, int]) -> dict[int, int]:
    """Object id -> the id gt.txt gives its track: its own while a whole number under ``LIMIT`` not yet on
    its image (``"03"`` is 3; a track named by text its number in ``named``), else a new one. MOTChallenge
    ids count from 1 (Datumaro, so CVAT's MOT import, reads id 0 as no track): a project with a track 0
    (New Track's first) has every track written one up, so its tracks stay apart and in order; one without
    (a MOT file read) keeps its numbers: written back as read."""
    out: dict[int, int] = {}
    lacking: list[int] = []
    on: set[tuple[int, int]] = set()
    tracked = [
        (a, t)
        for a in project.annotations.values()
        if (t := exported_track(a.extra.get(TRACK_ID), named)) is not None
    ]
    up = int(any(t == 0 for _, t in tracked))
    counts["shifted"] += up
    owned = {a.id: t + up for a, t in tracked if t + up < LIMIT}
    for ann in project.annotations.values():
        track = owned.get(ann.id)
        if track is not None and (ann.image_id, track) not in on:
            out[ann.id] = track
            on.add((ann.image_id, track))
        else:
            lacking.append(ann.id)
    fresh = free_track_ids(set(out.values()), len(lacking), 1)
    out.update(zip(lacking, fresh, strict=True))
    counts["new_ids"] += len(lacking)
    return out


def sequence_numbers(group: list[ImageRecord]) -> dict[int, int]:
    """Image id -> MOT frame number: the number each image is named by when all are (``000001.jpg``),
    else the sequence's frame order plus one."""
    stems = {i.id: PurePath(i.file_name.replace("\\", "/")).stem for i in group}
    if all(s.isascii() and s.isdigit() and len(s) <= 9 for s in stems.values()):
        numbers = {i: int(s) for i, s in stems.items()}
        if len(set(numbers.values())) == len(numbers):
            return numbers
    return {i: f + 1 for i, f in frame_numbers(group).items()}


def _number(v: float) -> str:
    """A coordinate as short as it reads back exactly: 12 for 12.0, else Python's shortest repr."""
    return str(int(v)) if float(v).is_integer() and abs(v) < 2**53 else repr(float(v))


def _write_sequence(
    project: Project,
    seq: Path,
    name: str,
    group: list[ImageRecord],
    classes: dict[int, int],
    tracks: dict[int, int],
    images: str,
    counts: Counter[str],
) -> list[str]:
    warnings: list[str] = []
    numbers = sequence_numbers(group)
    make_folders(seq / "img1")
    make_folders(seq / "gt")
    suffixes: Counter[str] = Counter()
    sizes: Counter[tuple[int, int]] = Counter()
    rate: Any = None
    lines: list[tuple[int, int, str]] = []
    for image in sorted(group, key=lambda i: numbers[i.id]):
        frame = numbers[image.id]
        src = project.image_path(image)
        suffix = Path(image.file_name).suffix.lower() or ".jpg"
        suffixes[suffix] += 1
        sizes[(image.width, image.height)] += 1
        mot = (
            image.extra.get("pixelproof", {}).get("mot")
            if isinstance(image.extra.get("pixelproof"), dict)
            else None
        )
        if rate is None and isinstance(mot, dict) and type(mot.get("frame_rate")) in (int, float):
            rate = mot["frame_rate"]
        if is_file(src):
            placed = place_image(
                src, seq / "img1" / f"{frame:06d}{suffix}", images, image, project.applies_exif
            )
            if placed is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
        for ann in project.annotations_of(image.id):
            lines.append((frame, tracks[ann.id], _line(project, ann, frame, tracks[ann.id], classes, counts)))
    counts["sizes"] += len(sizes) > 1
    width, height = sizes.most_common(1)[0][0] if sizes else (0, 0)
    info = (
        "[Sequence]\n"
        f"name={name}\nimDir=img1\nframeRate={rate if rate is not None else DEFAULT_RATE}\n"
        f"seqLength={max(numbers.values(), default=0)}\nimWidth={width}\nimHeight={height}\n"
        f"imExt={suffixes.most_common(1)[0][0] if suffixes else '.jpg'}\n"
    )
    write_fresh(seq / "seqinfo.ini", info)
    write_fresh(seq / "gt" / "gt.txt", "".join(text for _, _, text in sorted(lines, key=lambda t: t[:2])))
    if (labels := _labels(project, classes)) is not None:
        write_fresh(seq / "gt" / LABELS, labels)
    if len(suffixes) > 1:
        warnings.append(
            f"{name}: frames of {plural(len(suffixes), 'file type')} ({', '.join(sorted(suffixes))}); "
            "seqinfo.ini's imExt names the most common"
        )
    return warnings


def _line(
    project: Project, ann: Annotation, frame: int, track: int, classes: dict[int, int], counts: Counter[str]
) -> str:
    counts["shapes"] += ann.kind != "box"
    cat = project.categories.get(ann.category_id)
    void = cat is not None and cat.void
    mot = ann.app_extra.get("mot") if isinstance(ann.app_extra.get("mot"), dict) else {}
    seen = visibility(ann, mot.get("visibility"))
    x, y, w, h = ann.bbox
    values = [frame, track, *(_number(v) for v in (x, y, w, h)), 0 if void else 1]
    values += [classes.get(ann.category_id, -1), _number(seen)]
    return ",".join(str(v) for v in values) + "\n"


def visibility(ann: Annotation, read: Any) -> float:
    """The visibility written: the one read while the object's occluded flag still says what it said
    (Datumaro's rule, ``OCCLUDED_AT``), else 0 for an occluded object, 1 for another (CVAT's MOT export:
    1 - occluded): a box read with 1 and marked occluded (Q) was written 1, one read with 0 and un-occluded
    0. An object read by an earlier PixelProof holds no flag: its visibility is kept."""
    flag = is_occluded(ann)
    if type(read) in (int, float) and ("occluded" not in ann.app_extra or flag == (read <= OCCLUDED_AT)):
        return read
    return 0 if flag else 1


def _labels(project: Project, classes: dict[int, int]) -> str | None:
    """``gt/labels.txt``: line n names class n (MOT17's name, or the category written as n), as CVAT's MOT
    format (Datumaro) reads the class column: without it Datumaro knows MOT17's 12 classes and stops at a
    class 14. None when a number is too large to list."""
    names = {n: project.categories[c].name.removesuffix(IGNORED) for c, n in classes.items() if n > 0}
    if not names or max(names) > MOST_LABELS:
        return None
    return "".join(
        f"{names.get(n) or MOT17_CLASSES.get(n, f'class {n}')}\n" for n in range(1, max(names) + 1)
    )
