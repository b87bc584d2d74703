"""The project's data: plain dataclasses that mirror the COCO file (DESIGN.md §3).

Everything the file holds and the app does not understand is kept in ``extra`` dicts so a load/save
round trip is lossless. App-specific fields live under the ``"pixelproof"`` key in the file and as typed
attributes here. Masks stay RLE until pixels are asked for, then are decoded once and cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pixelproof.core.dict_order import put_back, runs_out

# the id marks and new-id rule live in core.id_marks; re-exported here, where some 35 callers import them
from pixelproof.core.id_marks import (  # noqa: F401
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    IdsExhausted,
    NewIds,
)
from pixelproof.core.limits import ID_MAX, ID_MIN
from pixelproof.core.paths import stored_path
from pixelproof.core.run_ids import only_images

if TYPE_CHECKING:
    from pixelproof.core.atomic import FileState

REVIEW_STATES = ("pending", "accepted", "rejected")
IMAGE_STATES = ("todo", "in_progress", "done", "reviewed")
DONE_STATES = ("done", "reviewed")  # an image marked so is done (``Project.done_count``)
STATUS_LABELS = {"todo": "To do", "in_progress": "In progress", "done": "Done", "reviewed": "Reviewed"}
FORMAT_VERSION = 2  # docs/format.md: what changed from 1, and how files of 1 are migrated

Segmentation = list[list[float]] | dict[str, Any] | None


def utc_now() -> str:
    """ISO 8601 UTC timestamp with second precision, as stored in ``pixelproof.updated``."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(slots=True)
class Category:
    id: int
    name: str
    supercategory: str | None = None
    color: str | None = None
    shortcut: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    app_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def void(self) -> bool:
        """A void category (``"pixelproof": {"void": true}``): its objects mark regions to ignore
        (Cityscapes ignore labels, KITTI DontCare, VOC 255, LabelMe ``__ignore__``), left out of QA on
        both sides and out of object counts."""
        return self.app_extra.get("void") is True


@dataclass(slots=True)
class ImageRecord:
    id: int
    file_name: str
    width: int
    height: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        """(height, width), the order numpy and RLE use."""
        return (self.height, self.width)


@dataclass(slots=True, eq=False)
class Annotation:
    """One object. ``segmentation`` is COCO polygons, an RLE dict, or None for a box-only object."""

    id: int
    image_id: int
    category_id: int
    bbox: list[float]
    segmentation: Segmentation = None
    area: float = 0.0
    iscrowd: int = 0
    score: float | None = None
    source: str | None = None
    review: str | None = None
    note: str | None = None
    author: str | None = None
    updated: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    app_extra: dict[str, Any] = field(default_factory=dict)
    _mask: np.ndarray | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """ "box", "polygon" or "mask" (any RLE, compressed or not)."""
        if self.segmentation is None or self.segmentation == []:
            return "box"  # [] is what some tools write for box-only objects; kept as read
        if isinstance(self.segmentation, dict):
            return "mask"
        return "polygon"

    @property
    def is_manual(self) -> bool:
        """Drawn by a person (no source, or "manual"), not proposed by a model ("model:NAME")."""
        return self.source is None or self.source == "manual"

    def mask(self, height: int, width: int) -> np.ndarray:
        """Boolean HxW pixels of this annotation (decoded once, cached; do not modify in place)."""
        cached = self._mask
        if cached is not None and cached.shape == (height, width):
            return cached
        from pixelproof.core import masks  # local: masks imports this module

        decoded = masks.annotation_mask(self, height, width)
        decoded.setflags(write=False)
        self._mask = decoded
        return decoded

    def forget_pixels(self) -> None:
        """Drop the decoded mask (an undo record keeps this object, not its full-size pixels)."""
        self._mask = None

    def set_geometry(self, segmentation: Segmentation, bbox: list[float], area: float) -> None:
        """Replace the shape; drops the cached mask."""
        self.segmentation = segmentation
        self.bbox = [float(v) for v in bbox]
        self.area = float(area)
        self._mask = None

    def touch(self) -> None:
        self.updated = utc_now()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Annotation):
            return NotImplemented
        return _annotation_key(self) == _annotation_key(other)

    __hash__ = None  # type: ignore[assignment]


def id_key(key: object) -> int | None:
    """The id a JSON object key names in the project's per-image and per-class maps (``str(id)``: ``"12"``,
    ``"-3"``, any id of ``ID_MIN .. ID_MAX`` another tool gave), None for any other key a hand-edited file
    may hold: ``"²"`` and ``"١٢"`` pass ``str.isdigit`` but not ``int``; no digits past an id's 19."""
    if not isinstance(key, str):
        return None
    digits = key[1:] if key.startswith("-") else key
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 19):
        return None
    value = int(key)
    return value if ID_MIN <= value <= ID_MAX else None


def is_pending_prediction(ann: Annotation) -> bool:
    """A model's annotation awaiting a decision: neither accepted nor rejected by a reviewer. Drawn dashed,
    the Model panel's score slider may hide it and its accept actions take it; a rejected one was decided
    (accepting all must not overturn that unseen) and is drawn as rejected."""
    return (ann.source or "").startswith("model:") and ann.review not in ("accepted", "rejected")


def is_pending(ann: Annotation) -> bool:
    """An object nobody has reviewed yet (review "pending"): a model's prediction, a consensus object, an
    object of a class split in two. Exports leave them out unless asked (``interop.formats``)."""
    return ann.review == "pending"


def is_rejected(ann: Annotation) -> bool:
    """An object a reviewer rejected (review "rejected": the review view's Reject Object): a label said to
    be wrong. Exports leave them out unless asked (``interop.formats``); lint takes none as a label."""
    return ann.review == "rejected"


def _counts(anns: Iterable[Annotation], void: set[int]) -> tuple[int, int]:
    """``Project.object_counts`` of ``anns`` given the void class ids."""
    kept = [a for a in anns if a.category_id not in void] if void else list(anns)
    pending = sum(map(is_pending_prediction, kept))
    return len(kept) - pending, pending


def _annotation_key(a: Annotation) -> tuple:
    return (
        a.id,
        a.image_id,
        a.category_id,
        list(a.bbox),
        a.segmentation,
        a.area,
        a.iscrowd,
        a.score,
        a.source,
        a.review,
        a.note,
        a.author,
        a.updated,
        a.extra,
        a.app_extra,
    )


@dataclass(eq=False, repr=False)
class Project:
    """A COCO instances file in memory, with indexes for the lookups the app makes all the time.

    Mutate through the methods so the indexes stay right; ``Annotation.image_id`` is fixed once added.
    """

    images: dict[int, ImageRecord] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    annotations: dict[int, Annotation] = field(default_factory=dict)
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # info, licenses, any unknown top-level key
    app: dict[str, Any] = field(default_factory=lambda: {"format": FORMAT_VERSION})
    # the project file as last loaded or saved: a save refuses to overwrite it once someone changed it
    file_state: FileState | None = field(default=None, repr=False)
    # the format the file had when loaded (None: not loaded, or a COCO file without PixelProof's key)
    loaded_format: int | None = field(default=None, repr=False)
    _by_image: dict[int, dict[int, Annotation]] = field(default_factory=dict, repr=False)
    history: Any = field(default=None, repr=False)  # core.history.Baseline: the state as last loaded/saved
    # ``ids_given_out()`` as last loaded or saved: an undo never frees these (``edits.base``)
    ids_in_file: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._reindex()

    def __repr__(self) -> str:
        """One line: a notebook showing a project printed every image and object in it."""
        where = repr(self.path.name) if self.path is not None else "unsaved"
        counts = f"{len(self.images)} images, {len(self.categories)} categories"
        return f"<Project {where}: {counts}, {len(self.annotations)} annotations>"

    def _reindex(self) -> None:
        self._by_image = {i: {} for i in self.images}
        for ann in self.annotations.values():
            self._by_image.setdefault(ann.image_id, {})[ann.id] = ann

    # -- lookups ---------------------------------------------------------------------------------
    def image(self, image_id: int) -> ImageRecord:
        return self.images[image_id]

    def category(self, category_id: int) -> Category:
        return self.categories[category_id]

    def annotation(self, annotation_id: int) -> Annotation:
        return self.annotations[annotation_id]

    def category_by_name(self, name: str) -> Category | None:
        for cat in self.categories.values():
            if cat.name == name:
                return cat
        return None

    def image_by_file_name(self, file_name: str) -> ImageRecord | None:
        for img in self.images.values():
            if img.file_name == file_name:
                return img
        return None

    def annotations_of(self, image_id: int) -> list[Annotation]:
        return list(self._by_image.get(image_id, {}).values())

    def annotation_ids_of(self, image_id: int) -> list[int]:
        """The ids of ``annotations_of(image_id)``, in its order, without touching each annotation (the
        canvas ranks thousands of tags by it at each zoom)."""
        return list(self._by_image.get(image_id, {}))

    def annotation_count(self, image_id: int) -> int:
        """``len(annotations_of(image_id))`` without building the list (the Images panel asks per repaint)."""
        return len(self._by_image.get(image_id, {}))

    def void_category_ids(self) -> set[int]:
        return {cid for cid, cat in self.categories.items() if cat.void}

    def is_void(self, ann: Annotation) -> bool:
        """Whether ``ann`` marks a void region (its category is void) rather than an object."""
        cat = self.categories.get(ann.category_id)
        return cat is not None and cat.void

    def object_count(self, image_id: int) -> int:
        """Objects of an image, void regions left out (what panels and ``info`` count). It looks up the
        classes of the image's objects, not every class: the Images panel asks for each row."""
        return sum(not self.is_void(a) for a in self._by_image.get(image_id, {}).values())

    def object_counts(self, image_id: int) -> tuple[int, int]:
        """(objects, pending predictions) of an image, void regions left out of both: what the Images panel's
        Objects column shows (`3 +2`) and its filter's ``objects`` and ``predictions`` compare. A model's
        proposals nobody decided (``is_pending_prediction``) are not counted as objects: after pre-labelling
        a folder every image read as labelled."""
        anns = [a for a in self._by_image.get(image_id, {}).values() if not self.is_void(a)]
        pending = sum(map(is_pending_prediction, anns))
        return len(anns) - pending, pending

    def distinct_object_counts(self, image_ids: Iterable[int]) -> set[tuple[int, int]]:
        """The distinct ``object_counts`` of ``image_ids``, the void classes looked up once: the Images
        panel widens its Objects column to the widest after an edit, which may touch every image (a fill
        of a 100,000-frame video; one ``object_counts`` per image was ~0.2 s more of a frozen window)."""
        void, by_image = self.void_category_ids(), self._by_image
        return {_counts(by_image[i].values(), void) if i in by_image else (0, 0) for i in image_ids}

    def annotations_with_category(self, category_id: int) -> Iterator[Annotation]:
        return (a for a in self.annotations.values() if a.category_id == category_id)

    def image_path(self, image: ImageRecord) -> Path:
        """Where the image file is: relative names resolve against the project file's folder (one written
        on Windows with backslashes too, ``core.paths.stored_path``)."""
        return stored_path(image.file_name, None if self.path is None else self.path.parent)

    # -- ids -------------------------------------------------------------------------------------
    def new_ids(self, key: str, count: int = 1, *, above: int = 0) -> range:
        """``count`` new ids of ``key``'s kind (a ``LAST_*_ID``): the one rule for every id handed out. They
        lie above every id present, every one given out before (the mark) and ``above``; raises
        ``IdsExhausted`` when the last would pass ``ID_MAX`` (nothing is recorded: call it before changing
        anything)."""
        first = NewIds(self, key, above).take(count)
        return range(first, first + count)

    def id_counter(self, key: str, *, above: int = 0) -> NewIds:
        """``new_ids`` one at a time, for work that learns how many it needs as it goes."""
        return NewIds(self, key, above)

    def next_image_id(self, count: int = 1) -> int:
        """The first of ``count`` new image ids (``new_ids``)."""
        return NewIds(self, LAST_IMAGE_ID).take(count)

    def next_category_id(self, count: int = 1) -> int:
        """The first of ``count`` new category ids (``new_ids``)."""
        return NewIds(self, LAST_CATEGORY_ID).take(count)

    def next_annotation_id(self, count: int = 1) -> int:
        """The first of ``count`` new object ids (``new_ids``)."""
        return NewIds(self, LAST_ANNOTATION_ID).take(count)

    def issued(self, key: str) -> int:
        """The recorded high-water mark ``key`` (``LAST_*_ID``); 0 when the file has none (an old file:
        the ids present are all that is known)."""
        value = self.app.get(key, 0)
        return value if type(value) is int else 0

    def _ids(self, key: str) -> dict[int, Any]:
        """The objects, images or categories whose ids ``key`` (a ``LAST_*_ID``) marks."""
        return {LAST_ANNOTATION_ID: self.annotations, LAST_IMAGE_ID: self.images}.get(key, self.categories)

    def given_out(self, key: str) -> int:
        """The highest id of ``key``'s kind given out: present, or removed (the mark)."""
        return max(max(self._ids(key), default=0), self.issued(key))

    def ids_given_out(self) -> dict[str, int]:
        """The highest object, image and category ids given out (present or removed), by their mark's key."""
        return {key: self.given_out(key) for key in (LAST_ANNOTATION_ID, LAST_IMAGE_ID, LAST_CATEGORY_ID)}

    def keep_given_out(self, held: dict[str, int]) -> dict[str, int]:
        """Raise the marks so that no id up to ``held``'s (``LAST_*_ID`` -> highest id, e.g. ``ids_in_file``)
        is free again: an undo never frees an id the project file has held. The id itself still present
        (the usual case) settles it without a scan of every id. Returns the marks raised."""
        raised = {}
        for key, id_ in held.items():
            if self.issued(key) < id_ and id_ not in self._ids(key) and self.given_out(key) < id_:
                self.app[key] = raised[key] = id_
        return raised

    def category_id_free(self, category_id: int) -> bool:
        """Whether a class from elsewhere (a dataset's, a shard's) may keep ``category_id`` here: no class
        has it and no removed one may have had it. Ids below the highest present that were never recorded
        as given out (an imported dataset's order, gaps) stay usable."""
        return category_id not in self.categories and not self.was_given_out(LAST_CATEGORY_ID, category_id)

    def was_given_out(self, key: str, id_: int) -> bool:
        """Whether a removed image, category or object (``key``: its ``LAST_*_ID``) may have had ``id_``:
        it is at or below the recorded mark (none recorded: none removed, a dataset's 0 stays free)."""
        return key in self.app and id_ <= self.issued(key)

    def _record_given_out(self, key: str, id_: int) -> None:
        """Record that ``id_`` was given out (it is being removed): no new one gets it again."""
        if id_ > self.issued(key):
            self.app[key] = id_

    # -- edits -----------------------------------------------------------------------------------
    def add_image(self, image: ImageRecord) -> ImageRecord:
        if image.id in self.images:
            raise ValueError(f"image id {image.id} already exists")
        self.images[image.id] = image
        self._by_image.setdefault(image.id, {})
        return image

    def remove_image(self, image_id: int) -> tuple[ImageRecord, list[Annotation]]:
        """Remove an image and its annotations; returns both so an undo can put them back. Its id stays
        given out (``LAST_IMAGE_ID``) and leaves the last "Pre-label all"'s record (``core.run_ids``)."""
        anns = self.annotations_of(image_id)
        for a in anns:
            self.remove_annotation(a.id)
        self._by_image.pop(image_id, None)
        self.image_status_map().pop(str(image_id), None)
        only_images(self.app, lambda i: i != image_id)
        image = self.images.pop(image_id)
        self._record_given_out(LAST_IMAGE_ID, image_id)
        return image, anns

    def add_category(self, category: Category) -> Category:
        if category.id in self.categories:
            raise ValueError(f"category id {category.id} already exists")
        self.categories[category.id] = category
        return category

    def remove_category(self, category_id: int) -> Category:
        """Remove an unused category; its id stays given out (``LAST_CATEGORY_ID``)."""
        if any(True for _ in self.annotations_with_category(category_id)):
            raise ValueError(f"category {category_id} is still used by annotations")
        category = self.categories.pop(category_id)
        self._record_given_out(LAST_CATEGORY_ID, category_id)
        return category

    def add_annotation(self, ann: Annotation) -> Annotation:
        if ann.id in self.annotations:
            raise ValueError(f"annotation id {ann.id} already exists")
        if ann.image_id not in self.images:
            raise ValueError(f"annotation {ann.id}: image {ann.image_id} does not exist")
        if ann.category_id not in self.categories:
            raise ValueError(f"annotation {ann.id}: category {ann.category_id} does not exist")
        self.annotations[ann.id] = ann
        self._by_image.setdefault(ann.image_id, {})[ann.id] = ann
        return ann

    def remove_annotation(self, annotation_id: int) -> Annotation:
        """Remove an object; its id stays given out (``LAST_ANNOTATION_ID``), also when an undo removes it."""
        ann = self.annotations.pop(annotation_id)
        self._by_image.get(ann.image_id, {}).pop(annotation_id, None)
        self._record_given_out(LAST_ANNOTATION_ID, annotation_id)
        return ann

    def replace_annotation(self, ann: Annotation) -> Annotation:
        """Put ``ann`` in place of the annotation with its id, keeping its place in the file order."""
        old = self.annotations.get(ann.id)
        if old is None:
            raise ValueError(f"annotation {ann.id} does not exist")
        if old.image_id != ann.image_id:
            raise ValueError(f"annotation {ann.id}: an annotation cannot change image")
        if ann.category_id not in self.categories:
            raise ValueError(f"annotation {ann.id}: category {ann.category_id} does not exist")
        self.annotations[ann.id] = ann
        self._by_image.setdefault(ann.image_id, {})[ann.id] = ann
        return old

    def put_back_annotations(self, image_id: int, runs: list[tuple[int, int]]) -> None:
        """Move the objects last in ``annotations_of(image_id)`` (the Annotations panel's rows, the canvas's
        stacking) back to the places they were deleted from (``dict_order.put_back``): an undone deletion."""
        put_back(self._by_image.get(image_id, {}), runs)

    def restack_annotations(self, image_id: int, order: list[int]) -> None:
        """Put the objects of ``image_id`` in ``order`` (all its ids, each once): its list is the stacking,
        back to front (the canvas's drawing, the mask exports' painting, CVAT's ``z_order``). In the file
        they take the places its objects held, so the other images' objects do not move."""
        mine = self._by_image.get(image_id, {})
        if sorted(order) != sorted(mine):
            raise ValueError(f"image {image_id}: a new stacking must name each of its objects once")
        runs, _ = runs_out(self.annotations, set(order))
        for i in order:  # last, in the new order, then back into the places the image's objects held
            self.annotations[i] = self.annotations.pop(i)
        put_back(self.annotations, runs)
        self._by_image[image_id] = {i: mine[i] for i in order}

    def extend_annotations(self, anns: Iterable[Annotation]) -> None:
        for a in anns:
            self.add_annotation(a)

    # -- app state -------------------------------------------------------------------------------
    def image_status_map(self) -> dict[str, str]:
        return self.app.setdefault("image_status", {})

    def image_status(self, image_id: int) -> str:
        return self.app.get("image_status", {}).get(str(image_id), "todo")

    def done_count(self, image_ids: Iterable[int]) -> int:
        """How many of ``image_ids`` are done (reviewed is done too): the Images panel and the last image's
        status line count them so."""
        return sum(self.image_status(i) in DONE_STATES for i in image_ids)

    def tells_unlabeled(self) -> bool:
        """Whether an image without objects can be told checked (Done or Reviewed) from not labelled yet:
        some image is marked so, or a model pre-labelled the project (``unlabeled_image_ids``)."""
        status = self.app.get("image_status", {})
        return any(s in DONE_STATES for s in status.values()) or any(
            (a.source or "").startswith("model:") for a in self.annotations.values()
        )

    def unlabeled_image_ids(self, leaving_out: Callable[[Annotation], bool] | None = None) -> list[int]:
        """Images nobody has labelled yet: no objects (``object_count``: a void region, a region to ignore,
        labels nothing) and not marked Done or Reviewed, in a project that marks some image so (the marks
        then tell an image checked and found empty - a defect-free part - from one not looked at) or that
        a model pre-labelled (``new`` + ``prelabel``: being labelled, though nothing is marked yet). A
        project with neither, one read from another format say, cannot tell them apart: none.
        Exports leave these out rather than write them as images with nothing in them. ``leaving_out``:
        objects an export leaves out (pending ones, ``is_pending``), which label nothing either; an image
        whose objects were all such proposals was not labelled, marks in the project or not."""
        status = self.app.get("image_status", {})
        marked = self.tells_unlabeled()
        if not marked and leaving_out is None:
            return []
        void = self.void_category_ids()
        gone = leaving_out or (lambda _a: False)
        out = []
        for i in self.images:
            anns = self._by_image.get(i, {}).values()
            if status.get(str(i), "todo") in DONE_STATES:
                continue
            if all(a.category_id in void or gone(a) for a in anns) and (marked or any(map(gone, anns))):
                out.append(i)
        return out

    def set_image_status(self, image_id: int, status: str) -> None:
        if status not in IMAGE_STATES:
            raise ValueError(f"unknown image status {status!r}; expected one of {IMAGE_STATES}")
        self.image_status_map()[str(image_id)] = status

    @property
    def applies_exif(self) -> bool:
        """Images are seen EXIF-oriented ("apply", new projects) or as stored ("ignore": projects from
        format 1, labeled on the stored pixels); ``pixelproof.exif_orientation`` (docs/format.md)."""
        return self.app.get("exif_orientation", "apply") != "ignore"

    @property
    def reference(self) -> str | None:
        return self.app.get("reference")

    @reference.setter
    def reference(self, value: str | None) -> None:
        if value is None:
            self.app.pop("reference", None)
        else:
            self.app["reference"] = value

    def snapshot(self, image_ids: Iterable[int] | None = None, without: Iterable[int] = ()) -> Project:
        """A copy a worker thread may read while the user edits on: edits replace annotations and categories
        (never change them in place), so copying the dicts keeps the moment's state; image records are
        copied as saving elsewhere rewrites their ``file_name``. ``image_ids`` limits it to some images
        and their annotations; those of ``without`` are left out (an export's pending objects)."""
        if image_ids is None:
            images = {i: replace(im) for i, im in self.images.items()}
            annotations = dict(self.annotations)
        else:
            images = {i: replace(self.images[i]) for i in image_ids}
            annotations = {a.id: a for i in images for a in self._by_image.get(i, {}).values()}
        for ann_id in without:
            annotations.pop(ann_id, None)
        return Project(
            images=images,
            categories=dict(self.categories),
            annotations=annotations,
            path=self.path,
            extra=self.extra,
            # the maps and lists in ``app`` (image status, consensus marks, overlap lists, "not a problem"
            # decisions) are edited in place
            app=_containers_copied(self.app),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Project):
            return NotImplemented
        return (
            self.images == other.images
            and self.categories == other.categories
            and self.annotations == other.annotations
            and self.extra == other.extra
            and self.app == other.app
        )

    __hash__ = None  # type: ignore[assignment]


def _containers_copied(value: Any) -> Any:
    """``value`` with every dict and list in it copied (their other items shared: strings, numbers)."""
    if isinstance(value, dict):
        return {k: _containers_copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_containers_copied(v) for v in value]
    return value
