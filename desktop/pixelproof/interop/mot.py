"""MOTChallenge (MOT15/16/17/20): a tracking dataset's sequences and a tracker's results, as the benchmark
and py-motmetrics lay them out. No Qt.

A sequence is a folder ``SEQ/`` holding its frames ``img1/000001.jpg ...`` (the frame number in the name,
counted from 1), ``seqinfo.ini`` (``[Sequence]`` name, imDir, frameRate, seqLength, imWidth, imHeight, imExt)
and its ground truth ``gt/gt.txt``; a dataset is a folder of sequences (MOT17's ``train/``). A line is
``frame,id,bb_left,bb_top,bb_width,bb_height,conf,class,visibility`` (commas or blanks between values). Each
frame becomes an image (``SEQ/img1/000001.jpg``), each line a box of the track ``id`` (the object's
``track_id``) on its frame's image, at the coordinates as written (as CVAT and Datumaro read them; the MOT
devkit counts pixels from 1, a shift of one pixel that changes no IoU). In ``gt.txt`` the class column names
MOT17's classes (``MOT17_CLASSES``; -1 or none: ``object``, another number ``class <n>``), visibility is kept
in the object's ``pixelproof.mot`` extras and sets its occluded flag (CVAT's, Q in the app) as Datumaro
(CVAT's MOT import) sets it: occluded when visibility is 0 or less, not when none is written; ``conf`` 0
marks a box the benchmark ignores: it becomes a void
region (DESIGN.md §3) of the category ``<class> (ignored)``, so QA neither counts it as a miss nor a
detection on it as a false positive, and the tracking figures leave it out, as the benchmark does.

A sequence whose frames folder holds no images (missing or empty) but whose ``seqinfo.ini`` gives seqLength
and the size has its frames 1..seqLength made without images, as Datumaro makes a sequence's items (its
``mot_seq_with_seqinfo`` sample has no ``img1/``): the folder said once, at most ``MOST_MADE`` frames.

A tracker's results file (``SEQ.txt``: ``frame,id,x,y,w,h,conf,-1,-1,-1``) is read on the frames of the
sequence ``image_dir`` names (default: the folder named as the file beside it), ``conf`` as the object's
score, class ``object`` (a whole class number from 1 in the 8th column is read as a class).

A line that is no box is skipped and said with its file and line number: too few values, a value that is no
number, NaN or infinity, a negative width or height, a frame or id that is no whole number from 0 to
999,999,999 (``core.tracks.LIMIT``, the CVAT reader's frame cap; id -1 in ``gt.txt`` is a box on no track, as
Datumaro, CVAT's MOT format, writes and reads one), a frame past ``seqLength``, a frame with
no image and no ``seqinfo.ini`` size, a second box of one track on a frame.
"""

from __future__ import annotations

import configparser
import contextlib
import itertools
import math
import os
import re
from pathlib import Path
from typing import Any

from pixelproof.core.clipboard import TRACK_ID
from pixelproof.core.imageio import IMAGE_SUFFIXES, ImageReadError, image_size
from pixelproof.core.limits import LimitError, open_regular, read_lines, read_text, short_repr
from pixelproof.core.model import ImageRecord
from pixelproof.core.tracks import LIMIT
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    is_file,
    listed,
    rel_name,
    with_progress,
)
from pixelproof.interop.formats import Format, Option, images_option, sniff
from pixelproof.interop.mot_writer import (
    IGNORED,
    LABELS,
    MOST_LABELS,
    MOT17_CLASSES,
    NO_CLASS,
    OCCLUDED_AT,
    write_mot,
)

MAX_LINE = 4096  # bytes of one line: ten numbers take under 200
MOST_MADE = 100_000  # frames made from seqinfo.ini without images: an hour at 25 fps; seqLength may say 10**9
_SPLIT = re.compile(r"[,\s]+")
GT = Path("gt") / "gt.txt"


def read_mot(
    path: str | os.PathLike[str],
    *,
    image_dir: str | os.PathLike[str] | None = None,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a MOTChallenge sequence folder, a folder of them (or of ``train/``, ``test/``), a sequence's
    ``gt/gt.txt``, or a tracker's results ``.txt`` on the frames of the sequence ``image_dir`` names."""
    p = Path(path)
    report = Reporter(on_problem)
    root: Path | None = None
    files = results_files(p) if p.is_dir() and not sequences(p) else []
    if files:  # listed once: a folder of 100,000 .txt files took 6 s a listing
        root, work = _placed_results(p, files, image_dir, report)
    elif p.is_dir():
        found = sequences(p)
        if not found:
            raise ValueError(f"{p}: no MOTChallenge sequence (a folder with seqinfo.ini or img1/) found")
        work = [(s, s / GT if is_file(s / GT) else None, False) for s in found]
        for seq, labels, _ in work:
            if labels is None:
                report.note(f"{seq}: no gt/gt.txt; its frames are read without labels")
    else:
        seq = _sequence_of(p, image_dir)
        work = [(seq, p, p.name != "gt.txt")]
    root = root or work[0][0].parent
    project = folder_project(root)
    build = Builder(project)
    for seq, labels, results in with_progress(work, len(work), progress):
        _read_sequence(seq, root, labels, results, build, report)
    return ImportResult(project, report.problems, report.skipped, notes=report.notes)


def sequences(folder: Path) -> list[Path]:
    """``folder`` itself when it is a sequence, else the sequences in it, or in its subfolders (MOT17's
    ``train/`` and ``test/``), in name order."""
    if _is_sequence(folder):
        return [folder]
    found: list[Path] = []
    for depth in range(2):
        level = [folder] if depth == 0 else sorted(d for d in _subfolders(folder) if not _is_sequence(d))
        for parent in level:
            found += [d for d in sorted(_subfolders(parent)) if _is_sequence(d)]
        if found:
            break
    return found


def results_files(folder: Path) -> list[Path]:
    """A tracker's results files in ``folder`` (or its ``data/``, as TrackEval lays a tracker out): the
    ``.txt`` files whose first line is a MOT line, in name order (empty: none)."""
    for where in (folder, folder / "data"):
        try:
            files = sorted(f for f in where.iterdir() if f.suffix.lower() == ".txt" and is_file(f))
        except OSError:
            continue
        files = [f for f in files if looks_like_mot(f)]
        if files:
            return files
    return []


def _placed_results(
    folder: Path, files: list[Path], image_dir: str | os.PathLike[str] | None, report: Reporter
) -> tuple[Path, list[tuple[Path, Path, bool]]]:
    """A folder of a tracker's results files (``MOT17-02.txt ...``, as py-motmetrics' and TrackEval's
    MOTChallenge evaluation take one), each on the sequence named as it among those ``image_dir`` holds (the
    ground truth's dataset folder, a sequence or its ``gt/gt.txt``; default: folders beside the files). The
    root is the sequences' folder, so the frames are the ground truth's images; a file no sequence is named
    as is skipped and said (``...txt`` names no sequence: not the folder above)."""
    home = Path(image_dir) if image_dir is not None else None
    known: list[Path] = []
    if home is not None:
        with contextlib.suppress(ValueError):
            known = sequences(home) if home.is_dir() else [_sequence_of(home, None)]
    work: list[tuple[Path, Path, bool]] = []
    by_name = {s.name: s for s in known}
    for file in files:
        seq = by_name.get(file.stem)
        if seq is None and file.stem not in (".", "..") and _is_sequence(file.parent / file.stem):
            seq = file.parent / file.stem
        if seq is None:  # the first few named, the rest counted: a folder of 100,000 said 100,000 lines
            said = f"{file}: no sequence {file.stem} {_where(home, known)}; file skipped"
            report.often("results files naming no sequence", said, "files")
            continue
        work.append((seq, file, True))
    report.summarise(folder)
    if not work:
        raise ValueError(
            f"{folder}: a tracker's results files ({listed([f.name for f in files])}) name their sequences "
            f"by their file names: no sequence of those names {_where(home, known)}"
        )
    return (known[0].parent if known else work[0][0].parent), work


def _where(home: Path | None, known: list[Path]) -> str:
    if home is None:
        return "beside the file (name the ground truth's folder with --image-dir)"
    among = ", ".join(s.name for s in known[:10]) + (", ..." if len(known) > 10 else "")
    return f"in {home} (its sequences: {among or 'none'})"


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")]
    except OSError:
        return []


def _is_sequence(folder: Path) -> bool:
    return is_file(folder / "seqinfo.ini") or (folder / "img1").is_dir()


def _sequence_of(file: Path, image_dir: str | os.PathLike[str] | None) -> Path:
    """The sequence folder whose frames a labels file labels: ``image_dir`` (the sequence, or its ``img1/``),
    the folder above ``gt/gt.txt``, else the folder named as the file's stem beside it."""
    if image_dir is not None:
        d = Path(image_dir)
        return d.parent if d.name == "img1" and not (d / "img1").is_dir() else d
    if file.name == "gt.txt" and file.parent.name == "gt":
        return file.parent.parent
    beside = file.parent / file.stem
    if _is_sequence(beside):
        return beside
    raise ValueError(
        f"{file}: a tracker's results file holds no frames: name its sequence folder (with img1/ and "
        "seqinfo.ini) with --image-dir"
    )


def is_results_file(path: Path) -> bool:
    """Whether ``path`` is a tracker's results file (a labels file that is no sequence's ``gt/gt.txt``)."""
    return not path.is_dir() and not (path.name == "gt.txt" and path.parent.name == "gt")


def results_sequence(
    results: Path, reference: Path | None, image_dir: str | os.PathLike[str] | None = None
) -> Path:
    """The sequence whose frames a tracker's ``results`` file is scored on (``qa gt.txt results.txt``): of
    the MOTChallenge ground truth ``reference`` (a sequence, a folder of them, or a ``gt/gt.txt``, read with
    ``image_dir``; None: a reference in another format), the one named as the file (``MOT17-02.txt``), else
    its only one; else the folder named as the file beside it. ValueError naming the file when none."""
    found: list[Path] = []
    if reference is not None:
        with contextlib.suppress(ValueError):  # a results file as the reference, without its sequence
            found = sequences(reference) if reference.is_dir() else [_sequence_of(reference, image_dir)]
    named = [s for s in found if s.name == results.stem]
    if named or len(found) == 1:
        return (named or found)[0]
    if _is_sequence(results.parent / results.stem):
        return results.parent / results.stem
    among = ", ".join(s.name for s in found[:10]) + (", ..." if len(found) > 10 else "")
    raise ValueError(
        f"{results}: a tracker's results file holds no frames and names its sequence by its file name: "
        + (
            f"the reference {reference} has no sequence {results.stem} (its sequences: {among})"
            if found
            else f"the reference {reference} is no MOTChallenge sequence and no folder {results.stem}/ "
            "(with img1/ and seqinfo.ini) is beside the file"
        )
    )


def seq_info(seq: Path, report: Reporter) -> dict[str, str]:
    """``seqinfo.ini``'s ``[Sequence]`` values (lower-case keys); {} when there is none or it is broken
    (said)."""
    ini = seq / "seqinfo.ini"
    if not is_file(ini):
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(read_text(ini))
    except (OSError, LimitError, configparser.Error) as e:
        report(f"{ini}: not readable as seqinfo.ini ({str(e).splitlines()[0]}); ignored")
        return {}
    return dict(parser["Sequence"]) if parser.has_section("Sequence") else {}


def _whole(text: str, low: int = 0, high: int = LIMIT - 1) -> int | None:
    """A whole number from ``low`` to ``high`` (``7`` or ``7.0``, as trackers write them), else None."""
    if not (text.isascii() and len(text) <= 20):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if not (math.isfinite(value) and value.is_integer() and low <= value <= high):
        return None
    return int(value)


def _frames(seq: Path, info: dict[str, str], report: Reporter) -> tuple[Path, dict[int, Path]]:
    """The sequence's folder of frames (imDir) and its frame images by frame number (files named by a
    number)."""
    name = info.get("imdir", "img1")
    if not name or name in (".", "..") or "/" in name or "\\" in name:  # a seqinfo.ini leading elsewhere
        report(f"{seq / 'seqinfo.ini'}: imDir {short_repr(name)} is no folder of the sequence; img1 read")
        name = "img1"
    folder = seq / name
    try:
        files = sorted(f for f in folder.iterdir()) if folder.is_dir() else []
    except OSError as e:
        report(f"{folder}: cannot be listed ({e.strerror or e})")
        files = []
    found: dict[int, Path] = {}
    for f in files:
        if f.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        frame = _whole(f.stem) if f.stem.isdigit() else None
        if frame is None:
            report.skip("files", f"{f}: no frame number in the name; skipped")
        elif frame in found:
            report.skip("files", f"{f}: frame {frame} again (also {found[frame].name}); skipped")
        elif is_file(f):
            found[frame] = f
    return folder, found


def _read_sequence(
    seq: Path, root: Path, labels: Path | None, results: bool, build: Builder, report: Reporter
) -> None:
    info = seq_info(seq, report)
    size = (_whole(info.get("imwidth", ""), 1), _whole(info.get("imheight", ""), 1))
    length = _whole(info.get("seqlength", ""), 1)
    folder, frames = _frames(seq, info, report)
    suffix = info.get("imext", ".jpg")
    suffix = suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix) else ".jpg"
    rate = _rate(info.get("framerate", ""))
    extra = {"pixelproof": {"mot": {"frame_rate": rate}}} if rate is not None else {}
    images: dict[int, ImageRecord] = {}
    made = _made_frames(seq, folder, frames, size, length, report)

    def image_of(frame: int, where: str) -> ImageRecord | None:
        if frame in images:
            return images[frame]
        file = frames.get(frame)
        if file is None:
            if size[0] is None or size[1] is None:
                why = "no image" if folder.is_dir() else f"no image (no folder {folder})"
                report.skip("lines", f"{where}: frame {frame} has {why} and seqinfo.ini no size; skipped")
                return None
            file = folder / f"{frame:06d}{suffix}"
            if not made:  # else said once for the sequence
                report.often("frames without an image", f"{where}: frame {frame}: no image {file.name}")
            width, height = size
        elif size[0] is not None and size[1] is not None:
            width, height = size  # declared: Format.read compares it with the file (declares_sizes)
        else:
            try:
                width, height = image_size(file)
            except ImageReadError as e:
                report.skip("files", f"{file}: {e}; skipped")
                return None
        try:
            images[frame] = build.image(rel_name(file, root), width, height, where=where, **extra)
        except LimitError as e:
            report.skip("files", f"{e}; skipped")
            return None
        return images[frame]

    for frame in sorted(frames):
        image_of(frame, str(frames[frame]))
    for frame in range(1, made + 1):
        image_of(frame, str(seq / "seqinfo.ini"))
    if labels is None:
        return
    unclear = _read_lines(labels, results, length, image_of, build, report)
    report.summarise(labels)
    for frame, image in images.items():
        if frame not in unclear:
            build.labelled(image)


def _made_frames(
    seq: Path, folder: Path, frames: dict[int, Path], size: tuple, length: int | None, report: Reporter
) -> int:
    """How many frames (1 to seqLength) to make from ``seqinfo.ini`` alone, as Datumaro (CVAT's MOT import)
    makes a sequence's items: when its frames folder holds none (Datumaro's own sample has no ``img1/``) and
    seqinfo.ini gives seqLength, imWidth and imHeight; said once, naming the folder. 0: none made."""
    if frames or length is None or size[0] is None or size[1] is None:
        return 0
    if length > MOST_MADE:
        report(
            f"{folder}: no frame images, and seqinfo.ini's seqLength {length:,} is over {MOST_MADE:,}: "
            "only the frames with boxes read"
        )
        return 0
    missing = "no such folder" if not folder.is_dir() else "no frame images in it"
    report(
        f"{folder}: {missing}; the sequence's {plural(length, 'frame')} read from {seq / 'seqinfo.ini'} "
        f"(seqLength, {size[0]} x {size[1]}) without images, as Datumaro reads them"
    )
    return length


def _rate(text: str) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not (math.isfinite(value) and 0 < value <= 10_000):
        return None
    return int(value) if value.is_integer() else value


def _read_lines(
    file: Path, results: bool, length: int | None, image_of: Any, build: Builder, report: Reporter
) -> set[int]:
    """Each line of ``file`` a box; returns the frames a skipped line was on (not marked Done)."""
    unclear: set[int] = set()
    on: set[tuple[int, int]] = set()  # (frame, track) already boxed
    names = {} if results else _label_names(file.parent / LABELS, report)
    try:
        with open_regular(file) as f:
            for lineno, raw in enumerate(read_lines(f, str(file), MAX_LINE), start=1):
                text = raw.decode("utf-8", "replace").lstrip("\ufeff").strip()
                if not text or text.startswith("#"):
                    continue
                where = f"{file}:{lineno}"
                parts = text.split(",") if "," in text else _SPLIT.split(text)
                said = _line(parts, results, length, where, names)
                if isinstance(said, str):
                    report.often("skipped lines", f"{where}: {said}; line skipped", "lines")
                    frame = _whole(_SPLIT.split(text)[0].rstrip(","))
                    if frame is not None:
                        unclear.add(frame)
                    continue
                frame, track, box, name, void, fields = said
                if track is not None and (frame, track) in on:
                    report.often(
                        "skipped lines",
                        f"{where}: track {track} already has a box on frame {frame}; line skipped",
                        "lines",
                    )
                    unclear.add(frame)
                    continue
                image = image_of(frame, where)
                if image is None:
                    unclear.add(frame)
                    continue
                cat = build.category(name, void=void)
                try:
                    build.annotation(image, cat.id, bbox=box, where=where, **fields)
                except LimitError as e:  # a box far outside the image
                    build.drop_unused(cat, image)
                    report.often("skipped lines", f"{e}; line skipped", "lines")
                    unclear.add(frame)
                    continue
                if track is not None:
                    on.add((frame, track))
    except LimitError as e:  # a line longer than MAX_LINE: no box file
        report.skip("files", f"{e}; the rest of the file skipped")
    except OSError as e:
        report.skip("files", f"{file}: cannot be read ({e.strerror or e}); skipped")
    return unclear


def _label_names(file: Path, report: Reporter) -> dict[int, str]:
    """Class number -> name from ``gt/labels.txt`` (a name a line, the first class 1), as CVAT's MOT export
    (Datumaro's) writes the task's labels; none when there is no such file."""
    if not is_file(file):
        return {}
    try:
        with open_regular(file) as f:
            lines = [
                raw.decode("utf-8", "replace").lstrip("\ufeff").strip()
                for raw in itertools.islice(read_lines(f, str(file), MAX_LINE), MOST_LABELS)
            ]
    except (LimitError, OSError) as e:
        report.note(f"{file}: cannot be read ({e}); classes named as MOT17's")
        return {}
    return {n: name for n, name in enumerate(lines, start=1) if name}


def _line(
    parts: list[str], results: bool, length: int | None, where: str, names: dict[int, str]
) -> str | tuple:
    """One line as (frame, track, box, category name, void, annotation fields), or why it is none; ``names``:
    the classes ``gt/labels.txt`` names."""
    parts = [v.strip() for v in parts]
    if len(parts) < 6 or not all(parts[:6]):
        return f"expected at least 6 values (frame,id,x,y,w,h), got {len([v for v in parts if v])}"
    frame = _whole(parts[0])
    if frame is None:
        return f"frame {short_repr(parts[0])} is no frame number (0 to {LIMIT - 1:,})"
    if length is not None and frame > length:
        return f"frame {frame} is past the sequence's last (seqLength {length})"
    track = _whole(parts[1])
    untracked = not results and _whole(parts[1], -1, -1) == -1  # Datumaro's (CVAT's) box on no track
    if track is None and not untracked:
        return f"id {short_repr(parts[1])} is no track id (a whole number from 0 to {LIMIT - 1:,})"
    try:
        nums = [float(v) for v in parts[2:9] if v]
    except ValueError:
        return "a value that is no number"
    if not all(math.isfinite(v) for v in nums):
        return "NaN or infinite value"
    x, y, w, h = nums[:4]
    if w < 0 or h < 0:
        return f"negative width or height ({w:g} x {h:g})"
    conf = nums[4] if len(nums) > 4 else 1.0
    number = _whole(parts[7], 1) if len(parts) > 7 else None
    name = (
        names.get(number) or MOT17_CLASSES.get(number, f"class {number}") if number is not None else NO_CLASS
    )
    fields: dict[str, Any] = {"extra": {TRACK_ID: track}} if track is not None else {}
    if results:
        return frame, track, [x, y, w, h], name, False, {**fields, "score": conf}
    seen = nums[6] if len(nums) > 6 else None
    # Datumaro's rule (CVAT's MOT import): occluded when visibility <= 0 (its occlusion_threshold), none: 1
    fields["app_extra"] = {"occluded": int(seen is not None and seen <= OCCLUDED_AT)}
    if seen is not None:
        fields["app_extra"]["mot"] = {"visibility": seen}
    void = conf == 0
    return frame, track, [x, y, w, h], f"{name}{IGNORED}" if void else name, void, fields


def looks_like_mot(path: Path) -> bool:
    """A sequence folder, a folder of them, a ``.txt`` whose first line is six or more numbers, or a folder
    of such files (a tracker's results)."""
    if path.is_dir():
        return bool(sequences(path)) or bool(results_files(path))
    if path.suffix.lower() != ".txt":
        return False
    first = sniff(path, 4096).decode("utf-8", "replace").lstrip("\ufeff").splitlines()[:1]
    values = first[0].split(",") if first else []
    return len(values) >= 6 and all(_whole(v.strip(), -1) is not None for v in values[:2])


FORMAT = Format(
    name="mot",
    title="MOTChallenge (tracking)",
    reader=read_mot,
    writer=write_mot,
    read_options=(
        Option(
            "image_dir",
            "folder",
            "for a tracker's results .txt: its sequence folder (with img1/ and seqinfo.ini; default: the "
            "folder named as the file beside it)",
            None,
            label="Images folder",
        ),
    ),
    write_options=(images_option("<sequence>/img1/"),),
    detect=looks_like_mot,
    suffixes=(".txt",),
    declares_sizes=True,
    lost_on_export=(
        "shapes (written as their boxes), scores (conf is 1, 0 for void regions), objects' track ids "
        "outside 0..999,999,999 or shared on a frame (given new ids), image file names (frames are "
        "numbered), review state, notes"
    ),
)
