"""Pre-labeling as a batch job on any executor (``pixelproof.core.batch``): in this process, on local
worker processes, or on a Dask cluster, with the same output.

A worker gets a ``BackendSpec`` (name + options: picklable, unlike a loaded model), builds the backend once
and keeps it (``cached``), reads its images itself and sends back ``Shape`` lists (RLE, polygons, boxes),
never pixels. Everything per image happens there: dropping classes the run ignores, skipping predictions
that repeat an object the image already has (its objects travel with the item), outlining box annotations
(``--from-boxes``). The parent only gives categories and ids, in image order (``PredictionMapper.adopt``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pixelproof.core.batch import Executor, Failed, PathMap, Progress, cached, run_batch
from pixelproof.core.batch.checkpoint import file_digest
from pixelproof.core.batch.parts import report_part
from pixelproof.core.batch.worker import Cached, lane_key
from pixelproof.core.imageio import ImageReadError
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.paths import is_absolute_name
from pixelproof.core.volumes import expected_identity
from pixelproof.inference.apply import (
    FailedBox,
    ObjectShape,
    PredictionMapper,
    Proposal,
    Shape,
    box_shapes,
    existing_objects,
    image_objects,
    path_window,
    read_checked,
    regions_checked,
    to_shapes,
)
from pixelproof.inference.base import Backend, BackendError
from pixelproof.inference.class_filter import ClassFilter, refused_classes
from pixelproof.inference.from_boxes import box_annotations, none_outlined, refused, segment_boxes
from pixelproof.inference.prelabel_checks import object_area, shrink_factor, speck_flood
from pixelproof.inference.prelabel_report import Skipped
from pixelproof.inference.registry import backend_class, get_backend
from pixelproof.inference.tiling import (
    CLI_WORDS,
    DEFAULT_OVERLAP,
    AutoTiled,
    CutFixWords,
    Tiling,
    predict_fitting,
    predict_tiled,
)

SECONDS_PER_IMAGE = 0.25  # a detector on one CPU core: sizes chunks, decides "large job"


def lanes_allowed(tiling: Tiling | None, from_boxes: bool) -> bool:
    """Whether a small run may use two lanes (``core.batch.ThreadExecutor``): not tiled (each lane would
    hold a slide's tiles) nor outlining boxes (each would hold a SAM-sized model)."""
    return tiling is None and not from_boxes


@dataclass(frozen=True, slots=True)
class Item:
    """One image as a worker gets it."""

    path: str  # as the worker sees it (``--path-map``)
    width: int
    height: int
    objects: tuple[ObjectShape, ...] = ()  # its objects, when predictions repeating one are skipped
    boxes: tuple[Annotation, ...] = ()  # ``from_boxes``: the box annotations to outline
    expect: dict[str, Any] | None = None  # the record's slice identity: a changed series is refused


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """A backend by name and options, to be built where it runs."""

    name: str
    values: tuple[tuple[str, Any], ...] = ()

    def make(self, from_boxes: bool = False) -> Backend:
        """The configured backend; ``BackendError`` with a one-line reason when it cannot run. An
        interactive backend runs only ``from_boxes`` (prompted by box annotations), and only it does."""
        backend = get_backend(self.name)
        backend.configure(**dict(self.values))
        ok, reason = backend.ready()
        if not ok:
            hint = " (use --model FILE)" if reason.startswith("no model file") else ""
            raise BackendError(f"{backend.name}: not ready: {reason}{hint}")
        if backend.kind == "interactive" and not from_boxes:
            raise BackendError(
                f"{backend.name} is interactive (needs clicks or a box); "
                "use it in the app, or with --from-boxes"
            )
        if from_boxes and backend.kind != "interactive":
            raise BackendError(
                f"--from-boxes needs an interactive backend (sam-onnx, grabcut), not {backend.name}"
            )
        return backend

    def mapped(self, path_map: PathMap) -> BackendSpec:
        """The spec with its files (options ``*_path``, ``*_file``) as the cluster's workers see them."""
        if not path_map.pairs:
            return self
        values = tuple(
            (k, path_map(os.path.abspath(v)) if k.endswith(("_path", "_file")) and isinstance(v, str) else v)
            for k, v in self.values
        )
        return BackendSpec(self.name, values)

    def files(self) -> list[str]:
        """The files a backend built from this spec reads: its options' files (``*_path``, ``*_file``),
        the model card beside each model (``<model>.json``, which the ``onnx`` backend reads) and those
        no option names (``Backend.implied_files``: sam-onnx's decoder found by name); some may not
        exist (a model without a card)."""
        names: list[str] = []
        for key, value in self.values:
            if key.endswith(("_path", "_file")) and isinstance(value, str | os.PathLike):
                names.append(os.fspath(value))
                if key.endswith("_path"):
                    names.append(os.fspath(value) + ".json")
        cls = backend_class(self.name)
        if cls is not None:
            with contextlib.suppress(Exception):  # a plugin's bug: the files its options name still count
                names += [os.fspath(p) for p in cls.implied_files(dict(self.values))]
        return list(dict.fromkeys(names))

    def stamps(self) -> tuple:
        """Size, time and inode of each of ``files`` there is, under its path: what tells that a model
        loaded from this spec is out of date."""
        stamps = []
        for name in self.files():
            try:
                st = os.stat(name)
            except (OSError, ValueError):  # ValueError: a NUL in a typed path
                continue
            stamps.append((name, st.st_size, st.st_mtime_ns, st.st_ino))
        return tuple(stamps)

    def inputs(self) -> tuple[dict[str, Any], dict[str, str]]:
        """What a run's result depends on of this backend, as a job's inputs compare it (``core.batch.
        checkpoint``: the CLI's kept parts, the app's interrupted "Pre-label all"): its name, its options,
        each file by content (a model copied elsewhere is the same model; one missing: None), keyed by
        ``prelabel``'s flags; and how to name each file in a message (with its path)."""
        labels: dict[str, str] = {}
        inputs: dict[str, Any] = {"--backend": self.name}
        named: set[str] = set()
        for key, value in self.values:
            flag = _FLAGS.get(key, f"--option {key}")
            if key.endswith(("_path", "_file")) and isinstance(value, str):
                inputs[flag], labels[flag] = _digest(value), f"{flag} {value}"
                named.add(value)
            else:
                inputs[flag] = value
        for name in self.files():  # model cards, files a backend finds by name
            if name not in named:
                inputs[f"file {os.path.basename(name)}"] = _digest(name)
                labels[f"file {os.path.basename(name)}"] = name
        return inputs, labels

    def cache_key(self) -> tuple:
        """The spec plus its files' stamps: a model file replaced on disk, or its card written or changed,
        is loaded again."""
        return ("backend", self.name, self.values, self.stamps())


_FLAGS = {"model_path": "--model", "classes_file": "--classes", "score_threshold": "--score-threshold"}
_digests: dict[tuple[str, int, int, int], str] = {}  # a file's (path, size, mtime, inode) -> its digest
_digests_lock = threading.Lock()


def _digest(path: str) -> str | None:
    """``file_digest`` of a file, once per version of it in this process (the app asks at each "Pre-label
    all": a model of gigabytes is not read again); None when it is not there (a model without a card)."""
    try:
        st = os.stat(path)
        version = (os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_ino)
        with _digests_lock:
            known = _digests.get(version)
        digest = known or file_digest(path)
    except LimitError:  # a FIFO or device named as a model: refused, as reading it would block
        raise
    except (OSError, ValueError):  # ValueError: a NUL in a typed path
        return None
    with _digests_lock:
        _digests[version] = digest
    return digest


@dataclass
class PrelabelContext:
    """What every pre-label task gets: the backend to build (or, in process only, the backend itself),
    the classes the run keeps, and how."""

    spec: BackendSpec | None
    keep: ClassFilter
    backend: Backend | None = None  # serial runs reuse the backend the caller already loaded
    tiling: Tiling | None = None  # predict tile by tile, reading regions (large images)
    skip_iou: float | None = None  # skip predictions repeating an object above this IoU; None = keep all
    from_boxes: bool = False  # outline the items' boxes with an interactive backend instead
    apply_exif: bool = True  # the project's ``applies_exif``: images seen as their EXIF orientation says
    overlap: float = DEFAULT_OVERLAP  # untiled runs: the tiles' overlap for a picture too big for the model
    ahead: ReadAhead | None = None  # serial runs: the next picture decoded while the model runs
    on_tile: Callable[[int, int], None] | None = None  # in-process tiled runs: (tile done, tiles) per picture
    keep_specks: bool = False  # a flood of specks is kept, not refused (``prelabel_checks.speck_flood``)
    words: CutFixWords = CLI_WORDS  # how a refusal names the override: the CLI's flag or the app's field
    # in-process runs: ``backend`` serves the first lane that asks (or the serial run); the others load theirs
    _owner: Any = field(default=None, init=False, repr=False)
    _loaded: Cached | None = field(default=None, init=False, repr=False)
    _claim: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:  # a loaded model never travels to a worker
        state = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return {
            **state,
            "backend": None,
            "ahead": None,
            "on_tile": None,
            "_owner": None,
            "_loaded": None,
            "_claim": None,
        }

    def model(self) -> Cached:
        """The model for a task here: the caller's loaded ``backend`` for the serial run or the first
        lane that asks (the other lane loads its own meanwhile), else one built from ``spec`` (cached
        per worker process, per lane)."""
        if self.backend is not None:
            with self._claim:
                if self._loaded is None:
                    self._owner, self._loaded = lane_key(), Cached(self.backend)
                if self._owner == lane_key():
                    return self._loaded
        assert self.spec is not None
        return cached(self.spec.cache_key(), partial(self.spec.make, self.from_boxes))


def _load(context: PrelabelContext, item: Item) -> Any:
    """An item's pixels (a region reader when tiling), or the exception reading it raised."""
    try:
        reader = regions_checked if context.tiling is not None else read_checked
        return reader(item.path, item.width, item.height, context.apply_exif, item.expect)
    except Exception as e:
        return e


class ReadAhead:
    """Read-ahead across a serial run's one-image tasks: when the task of one picture starts, the next
    picture is decoded in a thread while the model runs (what a worker's task does within its chunk)."""

    def __init__(self, context: PrelabelContext, items: Sequence[Item]) -> None:
        self.context, self.items = context, list(items)
        self.index = {id(item): i for i, item in enumerate(self.items)}
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self.pending: tuple[int, Future] | None = None

    def take(self, item: Item) -> Any:
        """The item's pixels (read ahead, or now), after starting to read the one after it."""
        i = self.index.get(id(item), -1)
        ready = self.pending[1] if self.pending is not None and self.pending[0] == i else None
        self.pending = None
        if 0 <= i < len(self.items) - 1:
            self.pending = (i + 1, self.pool.submit(_load, self.context, self.items[i + 1]))
        return ready.result() if ready is not None else _load(self.context, item)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


# (shapes, dropped, skipped: ``Skipped``, repeats of an object and of the run apart) as ``to_shapes``
# returns them, + speckles: masks the backend dropped under its
# ``min_area``, + from-boxes: the boxes that got no mask, and why, + the tiles a picture too big for the
# model's memory was pre-labeled in (None: as asked), + the dropped predictions per model class
# (``refused_classes``: the summary names what to map), + how many times the picture (or its tiles) was shrunk
# to the model's fixed input (``prelabel_checks.shrink_factor``); ``PredictionMapper.adopt``'s arguments after
# the image
ShapesResult = tuple[list[Shape], int, Skipped, int, list[FailedBox], AutoTiled | None, dict[str, int], float]


def prelabel_task(context: PrelabelContext, items: list[Item]) -> list[ShapesResult | Failed]:
    """Predict on each image (the next one decoded in a thread while the model runs): ``(shapes,
    dropped, skipped, speckles, failed boxes, auto-tiled)`` or ``Failed(reason)`` per image."""
    try:
        model = context.model()
    except BackendError as e:  # e.g. the model file is not where this worker looks
        return [Failed(str(e))] * len(items)

    def load(item: Item) -> Any:
        return context.ahead.take(item) if context.ahead is not None else _load(context, item)

    def run(item: Item, pixels: Any) -> ShapesResult | Failed:
        try:
            if isinstance(pixels, Exception):
                raise pixels
            return _predict(context, model, item, pixels)
        except (BackendError, ImageReadError) as e:
            return Failed(str(e).replace(f"{item.path}: ", ""))
        except Exception as e:  # never let one image stop the batch
            return Failed(f"{type(e).__name__}: {e}")

    if len(items) <= 1:  # a serial run's task is one image: ``context.ahead`` reads the next one
        return [run(item, load(item)) for item in items]
    out: list[ShapesResult | Failed] = []
    with ThreadPoolExecutor(max_workers=1) as reader:
        pending = reader.submit(load, items[0])
        for i, item in enumerate(items):
            pixels = pending.result()
            if i + 1 < len(items):
                pending = reader.submit(load, items[i + 1])
            out.append(run(item, pixels))
    return out


def _predict(context: PrelabelContext, model: Cached, item: Item, pixels: Any) -> ShapesResult:
    """One picture: outlined boxes, tiles as asked, or whole (in tiles after all when the model's memory
    cannot hold it: ``predict_fitting``, the one place the CLI and the app both go through)."""
    h, w = item.height, item.width
    tiled = None
    with model.lock:
        model.value.display_window = path_window(item.path, pixels)  # a DICOM's own VOI window
        if context.from_boxes:
            outlined = segment_boxes(model.value, pixels, list(item.boxes))
            shapes, failed = box_shapes(outlined, h, w)
            return shapes, 0, Skipped(), 0, failed, None, {}, 0.0
        before = model.value.speckles_dropped
        if context.tiling is not None:
            on_tile = context.on_tile if context.on_tile is not None else _tell_tile
            predictions = predict_tiled(model.value, pixels, context.tiling, on_tile=on_tile)
        else:
            predictions, tiled = predict_fitting(model.value, pixels, context.overlap)
        speckles = model.value.speckles_dropped - before
        side = context.tiling.size if context.tiling is not None else tiled.size if tiled else 0
        shrink = shrink_factor(min(side or w, w), min(side or h, h), model.value.model_input())
        options = model.value.options
    predictions = list(predictions)
    if not context.keep_specks and (  # before a million objects are made
        flood := speck_flood(map(object_area, predictions), options, context.words.keep_specks)
    ):
        raise BackendError(flood)
    refused = dict(refused_classes(predictions, context.keep))  # named by the run's summary
    if context.skip_iou is None:
        return (*to_shapes(predictions, h, w, context.keep), speckles, [], tiled, refused, shrink)
    existing = existing_objects(item.objects, h, w)
    shapes = to_shapes(predictions, h, w, context.keep, existing, context.skip_iou)
    return (*shapes, speckles, [], tiled, refused, shrink)


def _tell_tile(_done: int, _tiles: int) -> None:
    """A tile done on a worker process: told to the job's progress (``parts``)."""
    report_part()


def tile_counts(
    executor: Executor, tell: Callable[[int], None]
) -> tuple[Callable[[int, int], None] | None, Callable[[Progress], None] | None]:
    """``(on_tile, on_progress)`` for ``propose_batch`` telling ``tell`` the run's tiles done so far, each
    time the count changes: counted here when the run is in this process, else as local worker processes
    tell of them (``Progress.parts``: a dead worker's tiles leave the count and come back as redone). A
    Dask cluster's workers tell of none: ``(None, None)``. The CLI's bar and the Model panel's both."""
    if executor.in_process:
        done = [0]

        def tile_done(_tile: int, _of: int) -> None:
            done[0] += 1
            tell(done[0])

        return tile_done, None
    if executor.reports_parts:
        last = [-1]

        def parts(progress: Progress) -> None:
            if progress.parts != last[0]:
                last[0] = progress.parts
                tell(progress.parts)

        return None, parts
    return None, None


def worker_path(project: Project, image: ImageRecord, paths: PathMap) -> str:
    """Where a worker reads ``image``'s picture: its path in the project, mapped as ``paths`` (``--path-map``)
    says. A name absolute on another system (``C:\\data\\a.png``) is kept as written, for a map to find."""
    return paths(image.file_name if is_absolute_name(image.file_name) else project.image_path(image))


def propose_batch(
    project: Project,
    images: Sequence[ImageRecord],
    mapper: PredictionMapper,
    executor: Executor,
    *,
    spec: BackendSpec | None = None,
    backend: Backend | None = None,
    path_map: PathMap | None = None,
    tiling: Tiling | None = None,
    overlap: float = DEFAULT_OVERLAP,
    from_boxes: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_tile: Callable[[int, int], None] | None = None,
    keep_specks: bool = False,
    words: CutFixWords = CLI_WORDS,
) -> Iterator[tuple[ImageRecord, Proposal | str]]:
    """(image, Proposal) or (image, reason it failed) for each image, in image order, whatever ran them.
    ``backend`` (already loaded) serves a serial executor, and one lane of a ``ThreadExecutor``; the
    others build theirs from ``spec``.
    The project is not modified; a proposal's ids count on the earlier ones being applied. Predictions
    repeating an object are skipped as ``mapper.skip_existing`` says; ``from_boxes``: the (interactive)
    backend outlines each box annotation without a mask made from it instead. Untiled, a picture too big
    for the model's memory is pre-labeled in tiles overlapping by ``overlap`` (``Proposal.auto_tiled``).
    ``on_tile(done, tiles)``: with ``tiling``, each tile of a picture done, when the run is in this process
    (a slide of a hundred tiles is one item to ``on_progress``: minutes without a sign); on local worker
    processes (``executor.reports_parts``) the tiles done are ``Progress.parts`` instead. ``keep_specks``:
    a picture whose objects are a flood of specks is pre-labeled, not refused (a refusal names the
    override as ``words`` says)."""
    paths = path_map or PathMap()
    if not executor.in_process or backend is None:
        if spec is None:
            raise ValueError("a backend spec is needed to run on worker processes")
        backend = None
        spec = spec.mapped(paths)
    elif executor.kind == "threads" and spec is None:
        raise ValueError("a backend spec is needed to run on two lanes")
    skip_iou = None if from_boxes else mapper.skip_existing
    context = PrelabelContext(
        spec, mapper.class_filter(), backend, tiling, skip_iou, from_boxes, project.applies_exif, overlap
    )
    context.on_tile = on_tile if executor.in_process else None
    context.keep_specks, context.words = keep_specks, words

    def item(im: ImageRecord) -> Item:
        path = worker_path(project, im, paths)
        objects = image_objects(project, im.id) if skip_iou is not None else ()
        boxes = tuple(box_annotations(project, im.id)) if from_boxes else ()
        return Item(path, im.width, im.height, objects, boxes, expected_identity(im.extra) or None)

    items = [item(im) for im in images]
    if backend is not None and tiling is None and executor.kind == "serial":
        context.ahead = ReadAhead(context, items)
    results = run_batch(
        prelabel_task,
        context,
        items,
        executor,
        seconds_per_item=SECONDS_PER_IMAGE,
        on_progress=on_progress,
        cancelled=cancelled,
    )
    try:
        for index, result in results:
            image = images[index]
            if isinstance(result, Failed):
                yield image, result.reason
                continue
            proposal = mapper.adopt(image, *result)
            if from_boxes and not proposal.annotations and refused(proposal.box_failures):
                yield image, none_outlined(proposal.box_failures)  # say why, not "0 annotations added"
            else:
                yield image, proposal
    finally:
        if context.ahead is not None:
            context.ahead.close()
