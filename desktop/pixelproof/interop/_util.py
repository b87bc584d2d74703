"""Pieces every format module shares: the import result, problem reporting, progress, placing image files.

Readers never stop at the first bad file: each problem becomes one line ``file[:line]: what is wrong``,
handed to ``on_problem`` as it happens (so a GUI or CLI can show it live) and collected in the result.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np

from pixelproof.core import limits, mask_edit, rle_codec
from pixelproof.core import masks as core_masks
from pixelproof.core.annotation_pixels import crop_geometry
from pixelproof.core.atomic import atomic_output, read_only
from pixelproof.core.category_colors import default_color
from pixelproof.core.coordinate_limits import check_coordinates, check_polygon_work
from pixelproof.core.id_marks import NewIds
from pixelproof.core.model import (
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    REVIEW_STATES,
    Annotation,
    Category,
    ImageRecord,
    Project,
    is_pending,
)
from pixelproof.core.polygon_areas import plain_outline, polygon_areas
from pixelproof.core.sparse_mask import is_huge
from pixelproof.interop.image_guard import check_target
from pixelproof.interop.stems import cut

T = TypeVar("T")
ProblemCallback = Callable[[str], None]
ProgressCallback = Callable[[int, int], None]

# A folder import has no project file yet; relative image names resolve against this stand-in, and
# save_project() rewrites them relative to wherever the project is finally saved.
VIRTUAL_PROJECT_NAME = ".pixelproof-import.json"
IMAGE_MODES = ("keep", "copy", "link")
# the class of objects a file gives none (QuPath's word; CVAT's label="" too): a name every writer takes
UNCLASSIFIED = "Unclassified"


def project_name(project: Project) -> str:
    """What to call ``project`` in a file written from it: its file's stem, or for a folder read by a
    reader (its stand-in file) the folder's name; "" without a path."""
    path = project.path
    if path is None:
        return ""
    return path.parent.name if path.name == VIRTUAL_PROJECT_NAME else path.stem


class Note(str):
    """A reader's line of information, not a problem ("read 2 COCO files ... as one project"): passed to
    ``on_problem`` as problems are, so the CLI prints it as it comes and a reader reading with another's
    ``Reporter`` (the COCO splits reader) keeps it as a note; counted as no problem (the app's status, the
    CLI's summary)."""

    __slots__ = ()


@dataclass
class ImportResult:
    """What a reader made: the project, every problem (one line each), counts of what it left out and its
    notes (lines of information: what it read how, no problem)."""

    project: Project
    problems: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    semantic: bool = False  # objects are per-class unions (semantic masks): QA scores no instances
    # images the source has no record of (YOLO: no label file), which that format may mean as backgrounds
    unrecorded: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # which of the format's kinds of file was read (``Format.kinds``: CVAT's "images" or "video"); "" none
    kind: str = ""


SAID_PER_FILE = 5  # problems of one kind named in one file; the rest are counted in one line


class Reporter:
    """Collects problems and passes each one on at once; ``skipped`` counts what was left out; ``notes``
    are the lines of information (``note``, a ``Note`` passed on by another reader)."""

    def __init__(self, on_problem: ProblemCallback | None) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.skipped: Counter[str] = Counter()
        self._callback = on_problem
        self._often: Counter[str] = Counter()

    def often(self, noun: str, message: str, kind: str | None = None) -> None:
        """A problem a file may have once per object (200,000 unclosed rings printed 200,001 lines): the
        first ``SAID_PER_FILE`` of each ``noun`` are said, the rest counted for ``summarise`` to say in one
        line. ``kind``: also counted in ``skipped`` as ``skip`` counts (every one, said or not)."""
        self._often[noun] += 1
        if kind is not None:
            self.skipped[kind] += 1
        if self._often[noun] <= SAID_PER_FILE:
            self(message)

    def summarise(self, file: Any) -> None:
        """Say how many problems ``often`` left unsaid since the last call, one line a noun, naming
        ``file`` (call it at the end of each file read)."""
        for noun, n in sorted(self._often.items()):
            if n > SAID_PER_FILE:
                self(f"... and {n - SAID_PER_FILE:,} more {noun} in {file}")
        self._often.clear()

    def __call__(self, message: str) -> None:
        (self.notes if isinstance(message, Note) else self.problems).append(message)
        if self._callback is not None:
            self._callback(message)

    def note(self, message: str) -> None:
        """Say a line of information (how something was read), no problem."""
        self(Note(message))

    def skip(self, kind: str, message: str) -> None:
        """Report a problem that left one thing out, counted under ``kind`` (files, lines, masks ...)."""
        self(message)
        self.skipped[kind] += 1


def with_progress(items: Iterable[T], total: int, progress: ProgressCallback | None) -> Iterator[T]:
    """Yield items and report (done, total) after each one; throttled so tiny items stay cheap."""
    if progress is None:
        yield from items
        return
    step = max(1, total // 200)
    progress(0, total)
    for done, item in enumerate(items, start=1):
        yield item
        if done % step == 0 or done == total:
            progress(done, total)


def listed(items: list[str], shown: int = 5) -> str:
    """The first ``shown`` places of a per-file note, then how many more: one line for a file, not one
    per element."""
    return "; ".join(items[:shown]) + (f" and {len(items) - shown} more" if len(items) > shown else "")


def rel_name(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes (absolute when on another drive)."""
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:
        return str(Path(path).absolute())
    return rel.replace(os.sep, "/")


def folder_above(path: Path) -> Path:
    """The folder holding ``path``, also for ``.`` and ``..`` (whose ``Path.parent`` is ``.``: a reader run
    inside the labels' or the SEG's folder searched "that folder and its parent" as that folder twice)."""
    return path.parent if path.name not in ("", "..") else Path(os.path.abspath(path)).parent


def folder_project(root: Path) -> Project:
    """An empty project whose relative image names resolve against ``root``."""
    project = Project()
    project.path = Path(os.path.abspath(root)) / VIRTUAL_PROJECT_NAME
    return project


def category_for(
    project: Project, name: str, cat_id: int | None = None, *, lookup: bool = True, ids: NewIds | None = None
) -> Category:
    """The category called ``name``, created (``cat_id`` when free, else the next id; default colour) when
    new. ``lookup`` False: the caller knows it is new (``Builder`` keeps a name index; the project's own
    search is a scan, so 65,535 label values made categories in minutes). ``ids``: the caller's counter
    of new ids (``Builder``'s): ``next_category_id`` scans them all, so 200,000 KITTI types took minutes."""
    cat = project.category_by_name(name) if lookup else None
    if cat is None:
        free = cat_id is not None and project.category_id_free(cat_id)
        if ids is None:
            cid = cat_id if free else project.next_category_id()
        elif free:
            cid = cat_id
            ids.next = max(ids.next, cid + 1)
        else:
            cid = ids.take()
            while not project.category_id_free(cid):  # one added (or removed) beside the counter
                cid = ids.take()
        cat = project.add_category(Category(cid, name, color=default_color(len(project.categories) + 1)))
    return cat


BULK = 4096  # polygons measured at once by ``Builder.areas_in_bulk``


class Builder:
    """Adds images, categories and annotations to a new project quickly (ids counted, names indexed).

    It is also where every reader's output meets the limits (``core.limits``): ``image`` refuses sizes
    no image may declare, and marks files outside the dataset folder (the project's folder, judged
    lexically) with ``pixelproof.outside_root`` so exports never copy or link them without
    ``--allow-outside-root`` (``place_image``); ``annotation`` refuses non-finite or far-off
    coordinates, masks of the wrong size and app fields of the wrong type. Refusals raise
    ``LimitError`` (a ValueError) naming ``where``, so a reader reports and skips that one image or
    object and goes on. What a reader builds therefore always loads again once saved.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.path.parent if project.path is not None else None
        self._by_name = {c.name: c for c in project.categories.values()}
        self._image_ids = project.id_counter(LAST_IMAGE_ID)
        self._ann_ids = project.id_counter(LAST_ANNOTATION_ID)
        self._cat_ids = project.id_counter(LAST_CATEGORY_ID)
        self._unclear: set[int] = set()  # images with a record that skipped something
        self._later: tuple[ImageRecord, list[tuple[Annotation, list[float]]]] | None = None  # areas_in_bulk

    def category(self, name: str, cat_id: int | None = None, *, void: bool = False) -> Category:
        """The category called ``name``; made when new, with ``cat_id`` when free, else the next id.
        ``void`` flags it (``pixelproof.void``: its objects are regions to ignore)."""
        cat = self._by_name.get(name)
        if cat is None:
            limits.check_text(name, "category", "name")
            if cat_id is not None:
                limits.check_id(cat_id, f"category {name!r}")
            cat = category_for(self.project, name, cat_id, lookup=False, ids=self._cat_ids)
            self._by_name[name] = cat
        if void:
            cat.app_extra["void"] = True
        return cat

    def drop_unused(self, cat: Category, image: ImageRecord) -> bool:
        """Remove ``cat``, made for an object then refused, when no object of ``image`` has it."""
        used = any(a.category_id == cat.id for a in self.project.annotations_of(image.id))
        if not used:
            self.project.categories.pop(cat.id, None)
            self._by_name.pop(cat.name, None)
        return not used

    def order_categories(self) -> None:
        """Put the categories in id order, each with the default colour of its place. For readers whose
        ids are the source's class numbers (label volume values, SEG segment numbers): label 1 is then
        key 1 and the first colour in every reader's project, as in 3D Slicer, not whichever class the
        first slice read happened to hold. Only for a project this builder made from nothing."""
        ordered = sorted(self.project.categories.values(), key=lambda c: c.id)
        self.project.categories.clear()
        for place, cat in enumerate(ordered, start=1):
            cat.color = default_color(place)
            self.project.categories[cat.id] = cat

    def image(
        self, file_name: str, width: int, height: int, *, where: str = "", chosen: bool = False, **extra: Any
    ) -> ImageRecord:
        """Add an image record; raises ``LimitError`` (see the class) naming ``where`` or the file.
        ``chosen``: the file lies where the user asked for it (e.g. extracted images), not where the
        dataset says, so the dataset-folder rule does not apply."""
        where = where or file_name
        limits.check_text(file_name, where, "file name")
        limits.check_declared_size(width, height, where)
        limits.check_json_depth(extra, where)
        image = ImageRecord(self._image_ids.take(), file_name, int(width), int(height), dict(extra))
        if self.root is not None and not chosen:
            mark_outside_root(image, self.root / file_name, self.root)
        return self.project.add_image(image)

    @contextmanager
    def record(self, image: ImageRecord, report: Reporter) -> Iterator[None]:
        """Read ``image``'s record in the source (its label file, XML, JSON, ground-truth map) in this
        block. Read whole (skipping nothing), it is the source's word that the image is labelled, with
        the objects made or with none: ``labelled``. One that skipped something held something: the image
        is not marked Done, whatever another record of it (a second layer) says."""
        skipped = report.skipped.total()
        yield
        if report.skipped.total() != skipped:
            self._unclear.add(image.id)
            if self.project.image_status(image.id) == "done":
                self.project.image_status_map().pop(str(image.id), None)
        else:
            self.labelled(image)

    def labelled(self, image: ImageRecord) -> None:
        """Mark ``image`` Done: the source records it as labelled, with objects (a YOLO label file, an MVTec
        ground-truth mask) or with nothing (an empty label file, an MVTec ``good`` image), so exports write
        an empty one as checked and found empty instead of leaving it out as not labelled yet
        (``Project.unlabeled_image_ids``), and a fully labelled dataset reads as done. An image without a
        record, or holding a model's proposal nobody decided (``is_pending``: no label yet), keeps To do."""
        if image.id not in self.project.images or image.id in self._unclear:
            return
        if any(map(is_pending, self.project.annotations_of(image.id))):
            return
        self.project.set_image_status(image.id, "done")

    def annotation(
        self,
        image: ImageRecord,
        category_id: int,
        *,
        polygons: list[list[float]] | None = None,
        mask: Any = None,
        crop: tuple[tuple[int, int, int, int], Any] | None = None,
        rle: dict[str, Any] | None = None,
        bbox: list[float] | None = None,
        where: str = "",
        **fields: Any,
    ) -> Annotation:
        """Add a mask (boolean array), polygon or box annotation with COCO bbox and area filled in;
        raises ``LimitError`` (see the class) naming ``where`` (default: the image's file). ``crop`` =
        ((x, y, w, h), boolean pixels of that rectangle) is a mask without a full-size array; ``rle`` a
        mask the reader encoded itself (COCO RLE of the image's size). On an image of 2**32 pixels or more
        a ``crop`` is stored cropped to its box at ``rle_origin`` (docs/format.md), as the app stores it."""
        where = where or image.file_name
        h, w = image.height, image.width
        _check_fields(fields, where)
        origin = outline = None
        if crop is not None and is_huge(h, w):  # no RLE of the whole image can exist
            seg, box, area, origin = crop_geometry(*_inside(crop, h, w), h, w)
        elif mask is not None:
            if getattr(mask, "shape", None) != (h, w):
                raise limits.LimitError(
                    where, f"mask of {getattr(mask, 'shape', '?')} for an image of {h} x {w}"
                )
            limits.check_rle_size(h, w, where)
            seg: Any = core_masks.encode(mask)
            box = core_masks.bbox(mask)
            area = float(core_masks.area(mask))
        elif crop is not None:
            limits.check_rle_size(h, w, where)
            seg, box, area = mask_edit.rle_geometry(rle_codec.region_rle(crop[0], crop[1], h, w))
        elif rle is not None:
            if [int(v) for v in rle["size"]] != [h, w]:
                raise limits.LimitError(where, f"mask of {rle['size']} for an image of {h} x {w}")
            limits.check_rle_size(h, w, where)
            seg, box, area = mask_edit.rle_geometry(rle)
        elif polygons:
            seg = [list(map(float, p)) for p in polygons]
            for p in seg:
                check_coordinates(p, w, h, where)
            check_polygon_work(seg, where)
            box = core_masks.polygons_bbox(seg)
            outline = plain_outline(seg) if self._later is not None and self._later[0] is image else None
            area = 0.0 if outline is not None else core_masks.segmentation_area(seg, box, h, w)
        else:
            seg = None
            box = [float(v) for v in (bbox or [0, 0, 0, 0])]
            if len(box) != 4 or box[2] < 0 or box[3] < 0:
                raise limits.LimitError(where, f"a box needs x, y, width >= 0, height >= 0, got {box}")
            check_coordinates([box[0], box[1], box[0] + box[2], box[1] + box[3]], w, h, where)
            area = float(box[2] * box[3])
        ann = Annotation(self._ann_ids.take(), image.id, category_id, box, seg, area, **fields)
        ann.app_extra.pop(
            limits.RLE_ORIGIN, None
        )  # the geometry is the image's: a stale origin would move it
        if origin is not None:
            ann.app_extra[limits.RLE_ORIGIN] = origin
        self.project.add_annotation(ann)
        if outline is not None and self._later is not None:
            self._later[1].append((ann, outline))
            if len(self._later[1]) >= BULK:
                self._measure()
        return ann

    @contextmanager
    def areas_in_bulk(self, image: ImageRecord) -> Iterator[None]:
        """In this block, ``annotation`` measures the areas of ``image``'s one-outline polygons in bulk
        (``polygon_areas``: a slide's cells), each set by the block's end (or every ``BULK`` of them) to
        what it measures alone."""
        self._later = (image, [])
        try:
            yield
        finally:
            self._measure()
            self._later = None

    def _measure(self) -> None:
        if self._later is None or not self._later[1]:
            return
        image, later = self._later[0], self._later[1][:]
        self._later[1].clear()
        areas = polygon_areas([p for _, p in later], image.height, image.width)
        for (ann, _), area in zip(later, areas, strict=True):
            ann.area = area


def _inside(crop: tuple[tuple[int, int, int, int], Any], height: int, width: int) -> tuple[Any, np.ndarray]:
    """A crop ((x, y, w, h), pixels) cut to the image (a 1 x 1 empty crop when none of it is inside)."""
    (x, y, _, _), pixels = crop
    rect = mask_edit.clip_rect(crop[0], height, width)
    if rect is None:
        return (0, 0, 1, 1), np.zeros((1, 1), bool)
    cx, cy, cw, ch = rect
    return rect, np.asarray(pixels, dtype=bool)[cy - y : cy - y + ch, cx - x : cx - x + cw]


def is_file(path: Path, check: Callable[[Path], bool] = Path.is_file) -> bool:
    """``check(path)`` (default ``Path.is_file``), False where the file system refuses the name (a
    300-byte ``file_name``: ENAMETOOLONG), which otherwise stopped a whole import or export at that image."""
    try:
        return check(path)
    except (OSError, ValueError):
        return False


def as_dict(value: Any) -> dict:
    """An extra that should be an object, else empty: a project's extras may hold anything (a list where
    a writer expected an object made it fail)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """A value that should be a JSON array, else empty: a number or an object where a reader iterated a
    list stopped the whole import with a TypeError."""
    return value if isinstance(value, list) else []


def group_id(ann: Annotation) -> int | str | None:
    """The object's ``group_id`` extra when it can link parts (a number or text), else None: a project's
    extras may hold a list or an object there, which a writer cannot use as a key."""
    group = ann.app_extra.get("group_id")
    return group if isinstance(group, int | str) and not isinstance(group, bool) else None


def small_int(text: str | None) -> int | None:
    """``text`` as an integer when it is one (an optional minus, at most 18 ASCII digits: 64 bits), else
    None: "²" and "٣" are digits to ``isdigit`` but not to ``int``, nor is "--1" once a minus is cut."""
    body = text[1:] if text is not None and text.startswith("-") else text
    return int(text) if body is not None and body.isascii() and body.isdigit() and len(body) <= 18 else None


def one_line(name: str) -> str:
    """A name as one line of a names file (``classes.txt``, ``labels.txt``): readers split those with
    ``str.splitlines`` (which also splits at U+2028, \\x1c ...) and strip each line, so a name with a
    line break would shift every later class. Breaks become spaces, blanks around it go, empty is ``_``."""
    return " ".join(name.splitlines()).strip() or "_"


def fresh(path: Path) -> Path:
    """``path`` with any file or link already there removed, so what is written next is a new file: saving
    over a hard or symbolic link (an image an earlier export linked, a link planted in the output folder)
    would overwrite the file it points to, outside the output. Never an image of the project being
    exported, nor behind a link out of the export folder, nor a folder or FIFO (``check_target``)."""
    if check_target(path).is_symlink() or path.is_file():
        path.unlink()
    return path


@contextmanager
def fresh_output(
    path: Path, *, text: bool = False, newline: str | None = None, sync: bool = False
) -> Iterator[IO[Any]]:
    """A file to write ``path``'s content into, put in place only once it is whole: an export stopped by a
    full disk, Ctrl+C or an error leaves no cut-short label file, mask or copy that reads as complete (a
    YOLO file missing its last lines has silently lost objects), and the file an earlier export wrote
    there stays until then. A link there is replaced, never written through (``fresh``), and nothing is
    written behind a link out of the export folder (``check_target``). Not fsynced unless ``sync``
    (``atomic_output``'s): a folder export writes thousands of these."""
    if check_target(path).is_symlink() or read_only(path):
        fresh(path)  # a link is replaced, never written through; a read-only file too, as before
    with atomic_output(path, text=text, newline=newline, sync=sync) as f:
        yield f  # a write's "No space left on device" names ``path`` (atomic_output)


def write_fresh(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) as ``path``, whole or not at all (``fresh_output``)."""
    with fresh_output(path) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def path_part(value: str, default: str) -> str:
    """``value`` (a name a project holds: a Cityscapes city, an MVTec object or defect) as one folder
    name inside the output: separators and NUL become ``_``, an empty name, ``.`` or ``..`` is
    ``default``, a long one is cut with a hash of the whole. A project's names must never lead a writer
    outside its output folder (``../../etc``, ``/abs``)."""
    part = value.replace("/", "_").replace("\\", "_").replace("\0", "_")
    if part.strip() in ("", ".", ".."):
        return default
    return cut(part)


_TEXT_FIELDS = ("source", "note", "author", "updated")


def _check_fields(fields: dict[str, Any], where: str) -> None:
    """Annotation fields a reader copied from a file: the types the project file requires."""
    score = fields.get("score")
    if score is not None:
        fields["score"] = limits.check_finite(score, f"{where}: score")
    for key in _TEXT_FIELDS:
        v = fields.get(key)
        if v is not None and not isinstance(v, str):
            raise limits.LimitError(where, f"{key}: expected text, got {limits.short_repr(v)}")
        if v is not None:
            limits.check_text(v, where, key)
    review = fields.get("review")
    if review is not None and review not in REVIEW_STATES:
        raise limits.LimitError(where, f"review: expected one of {', '.join(REVIEW_STATES)}, got {review!r}")
    if fields.get("iscrowd", 0) not in (0, 1) or isinstance(fields.get("iscrowd"), bool):
        raise limits.LimitError(
            where, f"iscrowd: expected 0 or 1, got {limits.short_repr(fields['iscrowd'])}"
        )
    for key in ("app_extra", "extra"):
        if key in fields:
            limits.check_json_depth(fields[key], where)


OUTSIDE_ROOT = "outside_root"


def outside_root_warning(src: Path, done: str) -> str:
    """Why ``src`` was not ``done`` (copied or linked, embedded) and what to do, for the app and the CLI
    alike (the app's Import dialog says its check box for it instead: ``ui.import_words``)."""
    return (
        f"{src}: outside the dataset folder it was imported from; not {done}: move it into that folder and "
        "import again (the command line's --allow-outside-root accepts it)"
    )


def linked_outside(file: Path, root: Path, real_root: str | None = None) -> str | None:
    """Why an annotation file a reader found in the dataset folder ``root`` is not read: a symlink (or a
    linked folder on its way) to a file outside that folder, say ``/etc/passwd`` (its lines would be
    echoed back in the messages about them); None to read it. The command line's --allow-outside-root
    reads it. ``real_root``: ``os.path.realpath(root)``, resolved once by a reader going through
    thousands of files (a path's every folder is looked up)."""
    if limits.outside_root_allowed():
        return None
    if limits.is_inside(os.path.realpath(file), real_root or os.path.realpath(root)):
        return None
    return (
        f"{file}: a link to a file outside the dataset folder {root}; not read (the command line's "
        "--allow-outside-root reads it)"
    )


def mark_outside_root(image: ImageRecord, path: Path, root: Path) -> bool:
    """Flag an imported image whose file lies outside its dataset's folder (lexically): its record is
    kept (annotations are not lost, ``--images keep`` still refers to it) but exports never copy or link
    it without ``--allow-outside-root`` (``place_image``). Returns whether it was flagged."""
    if limits.is_inside(path, root):
        return False
    app = image.extra.get("pixelproof")
    image.extra["pixelproof"] = {**(app if isinstance(app, dict) else {}), OUTSIDE_ROOT: True}
    return True


def refused_outside(record: ImageRecord | None) -> bool:
    """``record`` is flagged as lying outside the dataset it was imported from and
    ``limits.outside_root_allowed()`` (the CLI's ``--allow-outside-root``) is off: its file is never
    copied, linked or embedded into an export."""
    app = record.extra.get("pixelproof") if record is not None else None
    return isinstance(app, dict) and bool(app.get(OUTSIDE_ROOT)) and not limits.outside_root_allowed()


def check_image_mode(images: str) -> None:
    if images not in IMAGE_MODES:
        raise ValueError(f"images: expected one of {', '.join(IMAGE_MODES)}, got {images!r}")


def report_category_names(result: Any, path: Any, on_problem: Any = None) -> None:
    """One problem line per imported category whose name PixelProof would not make (over
    ``MAX_CATEGORY_NAME`` characters, a line break: ``limits.category_name_problem``), naming the file and
    the name shortened. The name is kept whole: it is how the dataset's other files and tools name the
    class (a cut one would part from them on export, two cut alike would merge); the app shows it
    shortened on one line (``limits.shown_name``)."""
    from pixelproof.core.names import blank_name_problem, category_name_problem, shown_name

    project, problems = getattr(result, "project", None), getattr(result, "problems", None)
    for cat in project.categories.values() if project is not None and problems is not None else ():
        problem = category_name_problem(cat.name) or blank_name_problem(cat.name)
        if problem is None:
            continue
        line = f"{path}: category “{shown_name(cat.name, 60)}” {problem}; kept whole as the file has it"
        problems.append(line)
        if on_problem is not None:
            on_problem(line)
