"""Predictions -> project annotations, without touching the project.

``PredictionMapper.convert`` returns the categories to create and the annotations to add for one image;
``Proposal.edit()`` is the one edit that adds them: the app pushes it on its undo stack (after
``inference.rebase.Rebaser`` moved it onto the live project), the CLI's ``prelabel_project`` applies it
directly. It works in two steps so that a batch can run on many workers: ``to_shapes`` (where the model
ran: geometry, RLE) and ``PredictionMapper.adopt`` (in the parent, in image order: categories and ids).
Category mapping is by name: ``mapping`` renames model classes (``None`` = ignore), classes the project
lacks become new categories named as the model names them, unless ``only_existing``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.batch import job_timestamp
from pixelproof.core.category_colors import default_color
from pixelproof.core.edits import AddPredictions, Edit
from pixelproof.core.image_glob import name_matches
from pixelproof.core.imageio import ImageReadError, read_image
from pixelproof.core.labels import SKIPPED_OVERLAPPING
from pixelproof.core.limits import NAME_IN_TEXT, RLE_ORIGIN
from pixelproof.core.model import (
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    Annotation,
    Category,
    ImageRecord,
    Project,
)
from pixelproof.core.names import category_name_problem, shown_name
from pixelproof.inference.base import Backend, Prediction
from pixelproof.inference.class_filter import ClassFilter, none_of_the_models, refused_classes
from pixelproof.inference.existing import ExistingObjects, Repeat
from pixelproof.inference.existing import Shape as ExistingShape
from pixelproof.inference.from_boxes import FROM_BOX, NO_MASK, BoxFailure, box_annotations
from pixelproof.inference.prediction_geometry import Geometry, prediction_geometries, prediction_geometry
from pixelproof.inference.prelabel_report import NO_SKIPS, PrelabelReport, Skipped
from pixelproof.inference.tiling import DEFAULT_OVERLAP, AutoTiled, RegionReader, Tiling, open_regions

SKIP_EXISTING_IOU = 0.5  # default: a prediction overlapping an object of its category above this is skipped


@dataclass(slots=True)
class Proposal:
    """What pre-labeling one image would add: new categories first, then annotations."""

    image_id: int
    categories: list[Category] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    ignored: int = 0  # predictions dropped: ignored class, not in the project, or empty shape
    # of them, per model class: those of a class the mapping ignores or the project lacks (what to map)
    ignored_classes: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # predictions that repeat an object the image already has (``skip_existing``)
    duplicates: int = 0  # predictions that repeat another prediction of the run kept before them
    speckles: int = 0  # masks the backend dropped for being under its ``min_area``
    box_failures: list[BoxFailure] = field(default_factory=list)  # from-boxes: boxes that got no mask
    auto_tiled: AutoTiled | None = None  # too big for the model's memory: pre-labeled in these tiles
    shrink: float = 0.0  # times the picture (or its tiles) was shrunk to the model's fixed input; 0: none

    def edit(self, label: str = "Pre-label", then: Edit | None = None) -> AddPredictions:
        """The edit that adds this proposal (categories first), for the CLI and the app's undo stack;
        ``then`` made in the same step."""
        return AddPredictions(self.categories, self.annotations, label, then)


@dataclass(frozen=True, slots=True)
class Shape:
    """One prediction as it will be stored, made where the model ran; ids are given later, in image order."""

    category: str  # the model's class name
    score: float
    segmentation: list | dict | None
    bbox: list[float]
    area: float
    box: int | None = None  # from-boxes: the box annotation this mask outlines (its category is used)
    origin: list[int] | None = None  # a mask stored cropped: its ``rle_origin`` (images of 2**32 pixels+)


# (category name, segmentation, bbox, rle_origin of a mask stored cropped or None)
ObjectShape = tuple[str, list | dict | None, list[float], list[int] | None]


def image_objects(project: Project, image_id: int) -> tuple[ObjectShape, ...]:
    """An image's objects as a worker needs them to skip predictions that repeat one (by category name,
    as ``ClassFilter.target`` names a prediction's category)."""
    names = {c.id: c.name for c in project.categories.values()}
    return tuple(
        (names[a.category_id], a.segmentation, a.bbox, a.app_extra.get(RLE_ORIGIN))
        for a in project.annotations_of(image_id)
        if a.category_id in names
    )


def existing_objects(objects: Iterable[ObjectShape], height: int, width: int) -> ExistingObjects:
    """``ExistingObjects`` keyed by category name, from ``image_objects``."""
    existing = ExistingObjects((), height, width)
    for name, segmentation, bbox, origin in objects:
        existing.add(name, existing.shape(segmentation, origin=origin), bbox)
    return existing


def to_shapes(
    predictions: Iterable[Prediction],
    height: int,
    width: int,
    keep: ClassFilter | None = None,
    existing: ExistingObjects | None = None,
    skip_iou: float = SKIP_EXISTING_IOU,
) -> tuple[list[Shape], int, Skipped]:
    """(shapes, dropped, skipped): masks become RLE, polygons stay polygons, boxes are clipped to the
    image; predictions of classes ``keep`` refuses and empty shapes are dropped; with ``existing``
    (keyed by category name), a prediction repeating an object of its category (IoU > ``skip_iou``),
    or one kept before it, is skipped (the two counted apart: ``Skipped``). A prediction's own mask is
    compared as it is, never decoded."""
    shapes: list[Shape] = []
    dropped = 0
    kept = [(p, p.category if keep is None else keep.target(p.category)) for p in predictions]
    geometries = prediction_geometries([p for p, target in kept if target is not None], height, width)
    made: list[tuple[Prediction, str, Geometry]] = []
    for p, target in kept:
        geometry = next(geometries) if target is not None else None
        if geometry is None or target is None:
            dropped += 1
        else:
            made.append((p, target, geometry))
    repeats = [Repeat.NONE] * len(made)
    if existing is not None:
        new = [(target, _shape(existing, p, g[0]), g[1], _pixels(p, g)) for p, target, g in made]
        repeats = existing.add_new(new, skip_iou)
    for (p, _, (seg, bbox, area, origin)), repeat in zip(made, repeats, strict=True):
        if not repeat:
            shapes.append(Shape(p.category, round(float(p.score), 5), seg, bbox, area, origin=origin))
    return shapes, dropped, Skipped(repeats.count(Repeat.EXISTING), repeats.count(Repeat.RUN))


def _shape(existing: ExistingObjects, p: Prediction, segmentation: list | dict | None) -> ExistingShape:
    """A prediction's shape for the repeat check: its own mask crop as it is (never decoded)."""
    crop = None
    if p.mask is not None and p.mask.ndim == 2:
        crop = ((*p.offset, p.mask.shape[1], p.mask.shape[0]), p.mask.astype(bool, copy=False))
    return existing.shape(segmentation, crop)


def _pixels(p: Prediction, geometry: Geometry) -> float:
    """A mask's pixel count (what bounds its IoU with another); 0 = unknown (polygons, boxes)."""
    return geometry[2] if p.mask is not None or p.rle is not None else 0.0


# a box that got no mask, as a worker sends it: (box id, its category id, why)
FailedBox = tuple[int, int, str]


def box_shapes(
    results: Iterable[tuple[Annotation, Prediction | None, str]], height: int, width: int
) -> tuple[list[Shape], list[FailedBox]]:
    """Masks prompted by boxes (``from_boxes.segment_boxes``) as shapes linked to their box, and the
    boxes that got none with the reason (kept per box: the user must learn which box failed, and why)."""
    shapes: list[Shape] = []
    failed: list[FailedBox] = []
    for box, pred, why in results:
        geometry = prediction_geometry(pred, height, width) if pred is not None else None
        if pred is None or geometry is None:
            failed.append((box.id, box.category_id, why or NO_MASK))
            continue
        seg, bbox, area, origin = geometry
        shapes.append(Shape("", round(float(pred.score), 5), seg, bbox, area, box=box.id, origin=origin))
    return shapes, failed


def name_kept(source: str, name: str, problem: str) -> str:
    """The report line for a model class turned into a category PixelProof would not name so (a model's
    metadata may name a class anything): kept whole, as an import keeps another tool's name (the
    mapping, the next run and an export to the model's dataset name the class so)."""
    shown = shown_name(name, NAME_IN_TEXT)
    return f"{source}: model class “{shown}” {problem}; kept whole as the model names it"


class PredictionMapper:
    """Turns predictions into annotations for one project, handing out ids that do not collide with the
    project's nor with earlier proposals of the same run (so a batch can be applied image by image)."""

    def __init__(
        self,
        project: Project,
        source: str,
        *,
        only_existing: bool = False,
        mapping: dict[str, str | None] | None = None,
        author: str | None = None,
        skip_existing: float | None = SKIP_EXISTING_IOU,
        now: str | None = None,
    ) -> None:
        self.project = project
        self.now = now or job_timestamp()  # one ``updated`` time for the whole run
        self.source = source
        self.only_existing = only_existing
        self.mapping = dict(mapping or {})
        self.author = author
        self.skip_existing = skip_existing  # IoU above which a prediction repeats an object; None = off
        project.next_annotation_id()  # raises IdsExhausted: no object could be added, refused before a run
        self._ann_ids = project.id_counter(LAST_ANNOTATION_ID)
        self._next_cat = 0
        self._created: dict[str, Category] = {}
        self._emitted: set[int] = set()  # created categories already handed out in a proposal
        self.problems: list[str] = []  # each new category's name PixelProof would not make (category_for)

    def checkpoint(self) -> dict[str, Any]:
        """What a job resumed after this point needs to go on as one uninterrupted run would: the next
        object id and the categories it created (ids, colours), as JSON values (``resume``)."""
        created = [dataclasses.asdict(c) for c in self._created.values() if c.id in self._emitted]
        return {"next_annotation_id": self._ann_ids.next, "categories": created}

    def resume(self, state: dict[str, Any]) -> list[Category]:
        """Go on from ``checkpoint``'s ``state``: the same ids and colours as if the proposals before it
        had been made here. Returns the categories created before it (the caller adds them to the
        project, as it did with the proposals that carried them)."""
        cats = [Category(**c) for c in state.get("categories", [])]
        for cat in cats:
            self._created[cat.name] = cat
            self._emitted.add(cat.id)
            self._next_cat = max(self._next_cat, cat.id + 1)
        above = int(state.get("next_annotation_id", 1)) - 1
        self._ann_ids = self.project.id_counter(LAST_ANNOTATION_ID, above=above)
        return cats

    def category_for(self, model_name: str) -> tuple[Category | None, bool]:
        """(category, is_new) for a model class; (None, False) when it is ignored. ``is_new``: the
        category must be created with the annotation (until a proposal has carried it once)."""
        name = self.mapping.get(model_name, model_name)
        if name is None:
            return None, False
        existing = self.project.category_by_name(name)
        if existing is not None:
            return existing, False
        if name in self._created:
            cat = self._created[name]
            return cat, cat.id not in self._emitted
        if self.only_existing:
            return None, False
        cid = self.project.id_counter(LAST_CATEGORY_ID, above=self._next_cat - 1).take()
        self._next_cat = cid + 1
        cat = Category(cid, name, color=default_color(len(self.project.categories) + len(self._created) + 1))
        self._created[name] = cat
        if (problem := category_name_problem(name)) is not None:
            self.problems.append(name_kept(self.source, name, problem))
        return cat, True

    def class_filter(self) -> ClassFilter:
        names = frozenset(c.name for c in self.project.categories.values())
        return ClassFilter(dict(self.mapping), self.only_existing, names)

    def convert(self, image: ImageRecord, predictions: Iterable[Prediction]) -> Proposal:
        """Annotations (review "pending", ``source``, ``score``, ``updated``) for ``image``; masks become
        RLE, polygons stay polygons, boxes are clipped to the image. The project is not modified."""
        keep = self.class_filter()
        existing = None
        if self.skip_existing is not None:
            existing = existing_objects(image_objects(self.project, image.id), image.height, image.width)
        predictions = list(predictions)
        shapes, dropped, skipped = to_shapes(
            predictions, image.height, image.width, keep, existing, self.skip_existing or 0.0
        )
        refused = refused_classes(predictions, keep)
        return self.adopt(image, shapes, dropped, skipped, ignored_classes=refused)

    def adopt(
        self,
        image: ImageRecord,
        shapes: Iterable[Shape],
        ignored: int = 0,
        skipped: Skipped = NO_SKIPS,
        speckles: int = 0,
        failed_boxes: Iterable[FailedBox] = (),
        auto_tiled: AutoTiled | None = None,
        ignored_classes: Mapping[str, int] | None = None,
        shrink: float = 0.0,
    ) -> Proposal:
        """Categories and ids for shapes made elsewhere (a worker); called in image order, so ids do not
        depend on which worker finished first. A shape made from a box gets the box's category and a
        link to it (``pixelproof.from_box``): accepting it turns the box into the mask. ``failed_boxes``
        become ``Proposal.box_failures``, named by category; ``auto_tiled`` and ``ignored_classes`` (the
        worker's ``refused_classes``) and ``shrink`` are passed on as they are."""
        proposal = Proposal(
            image.id,
            ignored=ignored,
            skipped=skipped.existing,
            duplicates=skipped.duplicates,
            speckles=speckles,
            auto_tiled=auto_tiled,
            shrink=shrink,
        )
        proposal.ignored_classes.update(ignored_classes or {})
        for box_id, category_id, why in failed_boxes:
            known = self.project.categories.get(category_id)
            name = known.name if known is not None else f"category {category_id}"
            proposal.box_failures.append(BoxFailure(box_id, name, why))
        # the project may have gained objects meanwhile: once per image, O(objects)
        self._ann_ids = self.project.id_counter(LAST_ANNOTATION_ID, above=self._ann_ids.next - 1)
        for shape in shapes:
            extra: dict = {}
            if shape.box is not None:
                box = self.project.annotations.get(shape.box)
                cat, is_new = (self.project.categories.get(box.category_id), False) if box else (None, False)
                extra = {FROM_BOX: shape.box}
            else:
                cat, is_new = self.category_for(shape.category)
            if shape.origin is not None:
                extra[RLE_ORIGIN] = list(shape.origin)
            if shape.box is None and self.skip_existing is not None:  # lint must know (SKIPPED_OVERLAPPING)
                extra[SKIPPED_OVERLAPPING] = self.skip_existing
            if cat is None:
                proposal.ignored += 1
                if shape.box is None:
                    proposal.ignored_classes[shape.category] += 1
                continue
            if is_new:
                proposal.categories.append(cat)
                self._emitted.add(cat.id)
            aid = self._ann_ids.take()
            proposal.annotations.append(
                Annotation(
                    id=aid,
                    image_id=image.id,
                    category_id=cat.id,
                    bbox=shape.bbox,
                    segmentation=shape.segmentation,
                    area=shape.area,
                    iscrowd=0,
                    score=shape.score,
                    source=self.source,
                    review="pending",
                    author=self.author,
                    updated=self.now,
                    app_extra=extra,
                )
            )
        return proposal

    def convert_from_boxes(
        self, image: ImageRecord, results: Iterable[tuple[Annotation, Prediction | None, str]]
    ) -> Proposal:
        """Masks prompted by boxes (``from_boxes.segment_boxes``) -> pending annotations in each box's
        category, linked to it (``pixelproof.from_box``): accepting one turns the box into the mask."""
        shapes, failed = box_shapes(results, image.height, image.width)
        return self.adopt(image, shapes, failed_boxes=failed)


# -- whole project -----------------------------------------------------------------------------------


def is_unlabeled(project: Project, image_id: int) -> bool:
    """No object on the image, void regions aside (an imported dataset's ignore regions, such as the
    unlabelled background of a Cityscapes or KITTI map, label nothing); pending predictions count (the
    image was pre-labeled already)."""
    return project.object_count(image_id) == 0


def select_images(
    project: Project, pattern: str | None = None, *, unlabeled_only: bool = False
) -> list[ImageRecord]:
    """Images in id order that ``pattern`` names (``image_glob.name_matches``: the exact file name or base
    name, else a glob on either); with ``unlabeled_only``, only images without any object."""
    images = [project.images[i] for i in sorted(project.images)]
    if unlabeled_only:
        images = [im for im in images if is_unlabeled(project, im.id)]
    if not pattern:
        return images
    return [im for im in images if name_matches(im.file_name, pattern)]


def path_window(path: str | Path, pixels: Any) -> tuple[float, float] | None:
    """The display window a batch gives an 8-bit model for the image at ``path`` (``pixels``: its array or
    region reader): the file's own VOI window (DICOM), else None (``as_rgb8``'s default mapping);
    reversed for MONOCHROME1, shown inverted (``shown_window``)."""
    from pixelproof.core.sources import image_meta
    from pixelproof.inference.rgb8_input import shown_window

    try:
        meta = image_meta(path)
    except ImageReadError:
        return None
    array = getattr(pixels, "pixels", pixels)  # a tiled run's ``ArrayRegions`` holds the decoded array
    return shown_window(array, meta.window, meta.invert) if isinstance(array, np.ndarray) else meta.window


def read_checked(
    path: str | Path,
    width: int,
    height: int,
    apply_exif: bool = True,
    expect: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """The image's pixels (EXIF-oriented as the project says); ``ImageReadError`` when unreadable, not
    the size the project says or (``expect``: the record's slice identity) a slice whose series changed."""
    pixels = read_image(path, apply_exif=apply_exif, expect=expect)
    if pixels.shape[:2] != (height, width):
        raise ImageReadError(
            f"image is {pixels.shape[1]}x{pixels.shape[0]} but the project says {width}x{height}"
        )
    return pixels


def regions_checked(
    path: str | Path,
    width: int,
    height: int,
    apply_exif: bool = True,
    expect: Mapping[str, Any] | None = None,
) -> RegionReader:
    """A region reader over the image (tiled pre-labeling); ``ImageReadError`` as ``read_checked``."""
    regions = open_regions(path, apply_exif, expect)
    if (regions.height, regions.width) != (height, width):
        raise ImageReadError(
            f"image is {regions.width}x{regions.height} but the project says {width}x{height}"
        )
    return regions


def propose(
    project: Project,
    backend: Backend,
    images: list[ImageRecord],
    mapper: PredictionMapper,
    cancelled: Callable[[], bool] | None = None,
    tiling: Tiling | None = None,
    from_boxes: bool = False,
    overlap: float = DEFAULT_OVERLAP,
    keep_specks: bool = False,
) -> Iterator[tuple[ImageRecord, Proposal | str]]:
    """Run ``backend`` on each image (tile by tile with ``tiling``), reading the next file while the model
    runs (``keep_specks``: a flood of specks is kept, not refused). Yields (image, Proposal) or (image,
    reason) when it failed: one image never stops the batch.
    Stops early once ``cancelled()`` is true. The CLI's ``prelabel_project`` and the app's batch worker
    both run it. ``from_boxes``: the (interactive) backend outlines each box annotation instead
    (``inference.from_boxes``)."""
    from pixelproof.core.batch import BatchCancelled, SerialExecutor
    from pixelproof.inference.batch import propose_batch

    results = propose_batch(
        project, images, mapper, SerialExecutor(), backend=backend, tiling=tiling, cancelled=cancelled,
        from_boxes=from_boxes, overlap=overlap, keep_specks=keep_specks,
    )  # fmt: skip
    try:
        yield from results
    except BatchCancelled:
        return


def prelabel_project(
    project: Project,
    backend: Backend,
    images: list[ImageRecord] | None = None,
    *,
    only_existing: bool = False,
    mapping: dict[str, str | None] | None = None,
    wrap: Callable[[Iterator, int], Iterable] | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    tiling: Tiling | None = None,
    skip_existing: float | None = SKIP_EXISTING_IOU,
    from_boxes: bool = False,
    overlap: float = DEFAULT_OVERLAP,
) -> PrelabelReport:
    """Run ``backend`` on each image and add its predictions to ``project`` (mutates it). A failing
    image is recorded (and passed to ``on_failure(file, reason)``) and the batch goes on. ``wrap`` may
    wrap the iteration, e.g. in a progress bar. With ``tiling`` each image is read and predicted tile
    by tile (``inference.tiling``). ``skip_existing``: see ``PredictionMapper``. ``from_boxes``: the
    (interactive) backend outlines each box annotation instead (``inference.from_boxes``). Untiled, a
    picture too big for the model's memory is pre-labeled in tiles overlapping by ``overlap``, listed in
    ``PrelabelReport.auto_tiled``."""
    todo = select_images(project) if images is None else list(images)
    if from_boxes:
        todo = [im for im in todo if box_annotations(project, im.id)]
    mapper = PredictionMapper(
        project, backend.source, only_existing=only_existing, mapping=mapping, skip_existing=skip_existing
    )
    report = PrelabelReport(images=len(todo))
    items: Iterable = propose(
        project, backend, todo, mapper, tiling=tiling, from_boxes=from_boxes, overlap=overlap
    )
    if wrap is not None:
        items = wrap(items, len(todo))  # type: ignore[arg-type]
    for image, result in items:
        if isinstance(result, Proposal):
            result.edit().apply(project)
            report.annotations += len(result.annotations)
            report.ignored += result.ignored
            report.skipped += result.skipped
            report.duplicates += result.duplicates
            report.speckles += result.speckles
            report.new_categories += [c.name for c in result.categories]
            report.box_failures += [(image.file_name, f) for f in result.box_failures]
            if result.auto_tiled is not None:
                report.auto_tiled.append((image.file_name, result.auto_tiled))
            report.shrunk.note(image.file_name, result.shrink)
            continue
        report.failures.append((image.file_name, result))
        if on_failure is not None:
            on_failure(image.file_name, result)
    report.name_problems = list(mapper.problems)
    return report


def predict_project(
    project: Project,
    backend: Backend,
    images: list[ImageRecord] | None = None,
    *,
    mapping: dict[str, str | None] | None = None,
    wrap: Callable[[Iterator, int], Iterable] | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_tiled: Callable[[str, AutoTiled], None] | None = None,
    keep_specks: bool = False,
) -> tuple[dict[int, list[Annotation]], int, Counter[str]]:
    """The backend's predictions per image, in the project's categories (classes the project lacks are
    ignored and counted), not added to it and no pending objects of it (no review state: a lint fix adds
    a copy, never accepts a project's object by that id): what lint compares the labels with. Returns
    (image id -> predictions, ignored count, ignored per model class: what to map); failing images have
    no entry. ``on_tiled`` hears of each picture predicted in tiles (too big for the model's memory).
    A picture whose predictions are a flood of specks fails, as in ``prelabel``, unless ``keep_specks``."""
    todo = select_images(project) if images is None else list(images)
    mapper = PredictionMapper(  # every prediction, those agreeing with a label too: lint compares them all
        project, backend.source, only_existing=True, mapping=mapping, skip_existing=None
    )
    out: dict[int, list[Annotation]] = {}
    ignored, classes = 0, Counter[str]()
    items: Iterable = propose(project, backend, todo, mapper, cancelled=cancelled, keep_specks=keep_specks)
    if wrap is not None:
        items = wrap(items, len(todo))  # type: ignore[arg-type]
    for image, result in items:
        if isinstance(result, Proposal):
            for ann in result.annotations:
                ann.review = None  # their ids are no project's: later objects of the project may take them
            out[image.id] = result.annotations
            ignored += result.ignored
            classes.update(result.ignored_classes)
            if result.auto_tiled is not None and on_tiled is not None:
                on_tiled(image.file_name, result.auto_tiled)
        elif on_failure is not None:
            on_failure(image.file_name, result)
    return out, ignored, classes


def knows_none(predictions: dict[int, list[Annotation]], ignored: int) -> str:
    """Why ``predict_project``'s predictions cannot be compared with the labels: the model knows none of
    the project's classes (not a model that saw nothing); "" when some are usable. The caller says how to
    map the classes (the CLI's ``--map``, the app's Model panel)."""
    if ignored and not any(predictions.values()):
        return none_of_the_models(ignored, "prediction", "of a class the project has")
    return ""
