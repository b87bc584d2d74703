"""``pixelproof prelabel PROJECT --backend NAME [--model FILE] ...``: pre-label images with a backend."""

from __future__ import annotations

import argparse
import os
from collections import Counter
from functools import partial
from itertools import chain
from pathlib import Path

from pixelproof.commands._batch import (
    add_batch_arguments,
    announce,
    batch_options,
    check_path_map,
    feed_bar,
    read_at,
)
from pixelproof.commands._common import (
    FailureLines,
    ProgressBar,
    add_examples,
    add_keep_specks,
    error,
    load_or_report,
    refuse_empty_outputs,
    shown,
    warn,
)
from pixelproof.commands.prelabel_shards import (
    ShardJob,
    ShardsRefused,
    check_shard_folder,
    write_shards,
)
from pixelproof.core import history
from pixelproof.core.batch import BatchOptions, BatchSetupError, PathMap
from pixelproof.core.batch.checkpoint import staging_folder
from pixelproof.core.coco import (
    ProjectConflictError,
    ProjectSaveError,
    gc_paused,
    save_project,
)
from pixelproof.core.edits.model_mapping import RememberMapping
from pixelproof.core.errors import error_text
from pixelproof.core.image_glob import GLOB_FORMS
from pixelproof.core.lock import acquire_lock, release_lock
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.save_targets import (
    check_not_folder_name,
    check_output_path,
    check_save_target,
    make_parent_folders,
)
from pixelproof.core.wording import plural
from pixelproof.inference.apply import SKIP_EXISTING_IOU, PredictionMapper, Proposal, select_images
from pixelproof.inference.base import Backend, BackendError, keep_small_hint, specks_note
from pixelproof.inference.batch import (
    SECONDS_PER_IMAGE,
    BackendSpec,
    lanes_allowed,
    propose_batch,
    tile_counts,
    worker_path,
)
from pixelproof.inference.class_filter import ClassFilter, ignored_line, keeps_none
from pixelproof.inference.class_mapping import (
    effective_mapping,
    mapping_key,
    parse_mapping,
    respelt,
    unknown_class,
)
from pixelproof.inference.from_boxes import box_annotations, more_failures_line, no_mask_count
from pixelproof.inference.model_card import id_named_note
from pixelproof.inference.prelabel_report import LEFT_OUT, PrelabelReport, skipped_words
from pixelproof.inference.registry import get_backend
from pixelproof.inference.tiling import (
    AUTO_TILE_START,
    DEFAULT_OVERLAP,
    Tiling,
    boxes_cut,
    cut_warning,
    tile_rects,
)

ALL_OUTLINED = "nothing to do: every box already has a mask made from it"
ALL_LABELED = "nothing to do: every image has objects (--unlabeled-only)"
NOTHING_TO_DO = (ALL_OUTLINED, ALL_LABELED)
BOX_LINES = 20  # failed boxes named one a line; the rest are counted (a run over thousands stays readable)
# a job writing one project keeps its finished parts of this many images (``ShardJob.whole``): an
# interruption loses at most one part (500 x 0.25 s, about 2 minutes of a detector on a core); a job of
# no more (every small run) is one part, which no checkpoint would save: it keeps none, as before
PART_SIZE = 500


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prelabel", help="add model predictions to a project (review state: pending)")
    p.add_argument("project", help="project .json file")
    p.add_argument(
        "--backend", required=True, metavar="NAME", help="backend name (see `pixelproof backends`)"
    )
    p.add_argument("--model", metavar="FILE", help="model file for backends that take one")
    p.add_argument("--score-threshold", type=float, metavar="S", help="minimum confidence (0..1)")
    p.add_argument(
        "--classes",
        metavar="FILE",
        help="class names, one a line (index = label id), for models without a card or metadata",
    )
    p.add_argument(
        "--images",
        metavar="GLOB",
        help="only these images: an exact file name (or base name), else a glob on either, e.g. 'val/*.jpg'",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help=f"write here (default: update PROJECT in place); a job of more than {PART_SIZE} images keeps "
        "its finished parts when interrupted: the same command finishes it",
    )
    p.add_argument(
        "--only-existing",
        action="store_true",
        help="keep only predictions whose class is already a project category",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="MODEL=CATEGORY",
        help="rename a model class to a project category (repeatable); MODEL= ignores the class",
    )
    p.add_argument(
        "--category",
        metavar="NAME",
        help="a single-class backend's objects go to this category (default: the project's only category, "
        "if it has exactly one)",
    )
    p.add_argument(
        "--skip-existing",
        type=float,
        metavar="IOU",
        help="skip a prediction overlapping an object of its category on the image with IoU above this "
        f"(default {SKIP_EXISTING_IOU})",
    )
    p.add_argument(
        "--keep-overlapping", action="store_true", help="do not skip predictions that repeat existing objects"
    )
    add_keep_specks(p)
    p.add_argument("--unlabeled-only", action="store_true", help="pre-label only images without any object")
    p.add_argument(
        "--from-boxes",
        action="store_true",
        help="detect-then-segment: an interactive backend (sam-onnx, grabcut) outlines each box annotation; "
        "each mask is a pending prediction linked to its box (accepting it turns the box into the mask)",
    )
    p.add_argument(
        "--tile",
        type=int,
        metavar="SIZE",
        help="run on overlapping SIZE x SIZE tiles read region by region (large images), merged across seams",
    )
    p.add_argument(
        "--overlap",
        type=float,
        default=DEFAULT_OVERLAP,
        metavar="F",
        help=f"tile overlap as a fraction of SIZE (default {DEFAULT_OVERLAP}); objects up to about F x SIZE "
        "are seen whole; also the tiles of a picture too big for the model's memory, pre-labeled in tiles "
        "without --tile",
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="backend option (repeatable), e.g. category=coin; see `pixelproof backends --json`",
    )
    add_batch_arguments(p, shards=True)
    add_examples(
        p,
        "pixelproof prelabel coins.json --backend threshold --option category=coin \\\n"
        "    --option background_radius=60",
        "pixelproof prelabel project.json --backend yolo-onnx --model yolo11n.onnx \\\n"
        '    --score-threshold 0.4 --images "val/*.jpg" --map person=pedestrian \\\n'
        "    -o prelabeled.json",
        "pixelproof prelabel slides.json --backend onnx --model nuclei.onnx \\\n"
        "    --tile 1024 --overlap 0.25",
    )
    p.set_defaults(run=run)


def backend_spec(args: argparse.Namespace) -> BackendSpec:
    """The backend and options the flags ask for; ``BackendError`` for a malformed ``--option``."""
    values: dict[str, object] = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise BackendError(f"--option {item!r}: expected KEY=VALUE")
        values[key.strip()] = value
    options = get_backend(args.backend).options
    if args.score_threshold is not None:
        if "score_threshold" not in options:
            raise BackendError(f"{args.backend}: takes no score threshold (--score-threshold)")
        values["score_threshold"] = args.score_threshold
    files = (("--classes", "classes_file", args.classes), ("--model", "model_path", args.model))
    for flag, key, value in files:
        if value is None:
            continue
        if key not in options:
            what = "model file" if key == "model_path" else "classes file"
            raise BackendError(f"{args.backend}: takes no {what} ({flag})")
        values[key] = os.path.abspath(value)
    return BackendSpec(args.backend, tuple(values.items()))


def make_backend(args: argparse.Namespace) -> Backend:
    """The configured backend; ``BackendError`` with a one-line reason when it cannot run."""
    return backend_spec(args).make(getattr(args, "from_boxes", False))


def run(args: argparse.Namespace) -> int:
    try:
        mapping = parse_mapping(args.map)
        options = batch_options(args)
        usage = _usage_error(args, options.shard_size)
        tiling = Tiling(args.tile, args.overlap) if args.tile is not None else None
        Tiling(AUTO_TILE_START, args.overlap)  # --overlap is checked untiled too: a picture may be tiled
    except (ValueError, BackendError) as e:
        usage = str(e)
    if usage:
        error(usage)
        return 2
    if refuse_empty_outputs(args.output):  # "" would be taken for no -o: the project written over
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    try:
        spec = backend_spec(args)
        backend = spec.make(args.from_boxes)  # loaded here too: a model that cannot load is reported first
    except BackendError as e:
        error(str(e))
        return 1
    images, why = _images(project, args)
    if not images and why not in NOTHING_TO_DO:
        error(why)
        return 1
    try:  # before the job, not after it: a mistyped -o must not cost the run
        if args.output:
            make_parent_folders(Path(os.path.abspath(args.output)))  # as every command's -o
        if args.output and options.shard_size:
            check_shard_folder(Path(args.output).absolute())
        elif args.output:
            check_not_folder_name(args.output, "project.json")  # as a Path, `-o out/` is the file `out`
            check_save_target(Path(os.path.abspath(args.output)))
        elif images and project.path is not None:  # in place: its folder must take the new file too
            check_output_path(project.path)
    except ProjectSaveError as e:
        error(str(e))
        return 1
    if not images:  # every box outlined, every image labeled: a run with nothing to do is no failure
        return _nothing_to_do(project, args, options.shard_size, why)
    if unknown := unknown_class(backend, mapping):
        error(unknown)
        return 2
    classes = backend.categories()
    if args.category and len(classes) > 1 and not args.from_boxes:
        error(
            f"--category: {backend.name} has {len(classes)} classes; --category is where a single-class "
            "backend's objects go: send classes to categories with --map CLASS=CATEGORY"
        )
        return 2
    sole = [c.name for c in project.categories.values()]
    current = args.category or (sole[0] if len(sole) == 1 else None)
    if args.category and project.category_by_name(args.category) is None:
        error(f"--category {args.category!r}: the project has no such category")
        return 2
    mapping = effective_mapping(project, backend, mapping, current, chosen=bool(args.category))
    if args.only_existing and not args.from_boxes:  # said before the model runs, as the app does
        names = frozenset(c.name for c in project.categories.values())
        if why := keeps_none(classes, ClassFilter(mapping, True, names)):
            error(f"--only-existing: nothing to pre-label: {why}{_none_hint(names)}")
            return 2
    job = partial(_prelabel, args, project, images, spec, backend, mapping, options, tiling)
    if args.output or project.path is None:
        return job()  # the project is only read
    holder = acquire_lock(project.path)  # as the app holds a project it has open
    if holder is not None:
        error(
            f"{project.path}: in use by {holder.describe()}: open in PixelProof, or being written by "
            "another command; wait for it, or write elsewhere with -o OUT"
        )
        return 1
    try:
        return job()
    finally:
        release_lock(project.path)


def _prelabel(
    args: argparse.Namespace,
    project: Project,
    images: list[ImageRecord],
    spec: BackendSpec,
    backend: Backend,
    mapping: dict[str, str | None],
    options: BatchOptions,
    tiling: Tiling | None,
) -> int:
    """The job itself, its flags checked: pre-label ``images``, write the result, print the summary.
    With ``--shard-size``, or one output project of more than ``PART_SIZE`` images, the parts kept by an
    interrupted run of the same job are taken up."""
    shards = None
    whole = not options.shard_size and project.path is not None
    target = Path(args.output or project.path or "").absolute()
    if whole and len(images) <= PART_SIZE and not staging_folder(target).exists():
        whole = False  # one part: nothing to keep (kept parts of a bigger job are refused, not ignored)
    if options.shard_size or whole:
        try:
            size = options.shard_size or PART_SIZE
            shards = ShardJob.start(args, project, images, spec, mapping, size, whole, options.path_map)
        except ShardsRefused as e:
            error(str(e))
            return 1
    try:
        return _run_job(args, project, images, spec, backend, mapping, options, tiling, shards)
    finally:
        if shards is not None:
            shards.close()


def _run_job(
    args: argparse.Namespace,
    project: Project,
    images: list[ImageRecord],
    spec: BackendSpec,
    backend: Backend,
    mapping: dict[str, str | None],
    options: BatchOptions,
    tiling: Tiling | None,
    shards: ShardJob | None,
) -> int:
    if mapping:  # the next run with this model maps the same way (saved only with the results)
        RememberMapping(mapping_key(backend), mapping).apply(project)
    mapper = PredictionMapper(
        project, backend.source, only_existing=args.only_existing, mapping=mapping,
        skip_existing=None if args.keep_overlapping else _skip_iou(args),
        now=shards.now if shards is not None else None,
    )  # fmt: skip
    result = PrelabelReport(images=len(images))
    todo = shards.resume(project, images, mapper, result) if shards is not None else images
    try:
        lanes = lanes_allowed(tiling, args.from_boxes)
        executor = options.executor(len(todo), SECONDS_PER_IMAGE, lanes=lanes)
    except BatchSetupError as e:
        error(str(e))
        return 1
    announce(executor)
    executor.keeps_parts = shards is not None  # Ctrl+C keeps the finished parts
    read = (worker_path(project, im, PathMap()) for im in todo)
    check_path_map(options, chain(spec.files(), read))  # a map that maps nothing: every image fails there
    failed = FailureLines(
        "error", read_at=read_at(project, todo, options)
    )  # the first named, the rest counted
    # thousands of new objects (a semantic model's components) and none in a cycle: the collector's
    # passes over the growing project would only cost time, and stall the lanes (it holds the GIL)
    tiles = sum(len(tile_rects(im.width, im.height, tiling)) for im in todo) if tiling is not None else 0
    # a slide is one image: its bar counts its tiles, here or as local worker processes tell of them
    by_tile = tiles > 0 and (executor.in_process or executor.reports_parts)
    if tiles and not by_tile:  # a Dask cluster's workers say nothing until an image is done
        warn(f"{plural(tiles, 'tile')} in all; the progress counts images: tiles are counted only in this "
             "process or with --workers")  # fmt: skip
    label = f"pre-labeling ({backend.name})"
    with executor, ProgressBar(label, unit="tiles" if by_tile else "images") as bar, gc_paused():
        if not by_tile:
            feed, on_tile = feed_bar(bar), None
        else:
            on_tile, feed = tile_counts(executor, lambda done: bar(min(done, tiles), tiles))
        proposals = propose_batch(
            project, todo, mapper, executor, spec=spec, backend=backend, path_map=options.path_map,
            tiling=tiling, overlap=args.overlap, from_boxes=args.from_boxes,
            on_progress=feed, on_tile=on_tile, keep_specks=args.keep_specks,
        )  # fmt: skip
        left_out: Counter[str] = Counter()  # per model class, the predictions dropped (what to map)
        cut = [0.0]  # with --tile: the largest box no tile held whole (``cut_extent``)
        account = partial(_account, result, bar=bar, failed=failed, left_out=left_out, tiling=tiling, cut=cut)
        out = Path(args.output) if args.output else project.path  # as given, in the summary
        try:
            if shards is not None:
                edit = f"Pre-label with {args.backend}"
                write_shards(project, proposals, shards, account, len(images), edit)  # into -o OUT: as typed
            else:
                for image, proposal in proposals:
                    account(image, proposal)
                    if isinstance(proposal, Proposal):
                        proposal.edit().apply(project)
                if result.succeeded:
                    history.note(project, tool="prelabel", edit=f"Pre-label with {args.backend}")
                    save_project(project, out)
        except ProjectConflictError as e:
            error(f"{e}; nothing saved (run again, or write elsewhere with -o OUT)", bar)
            return 1
        except (ProjectSaveError, OSError) as e:
            error(error_text(e), bar)
            return 1
    failed.close()
    boxes = len(result.box_failures) + (shards.kept_boxes if shards is not None else 0)  # the whole job's
    tiled = len(result.auto_tiled) + (shards.kept_tiled if shards is not None else 0)
    if len(result.box_failures) > BOX_LINES:  # the first ones were named as they came
        warn(more_failures_line(len(result.box_failures) - BOX_LINES))
    if tiling is not None and (cut_line := cut_warning(cut[0], tiling)):  # once, after the run
        warn(cut_line)
    if shrunk := result.shrunk.warning(backend.model_input()):  # once, naming the worst picture
        warn(shrunk)
    lacking = {c: n for c, n in left_out.items() if mapping.get(c, c) is not None}  # not those --map drops
    if args.only_existing and lacking:  # "235 left out" alone does not say which classes, nor what to do
        names = frozenset(c.name for c in project.categories.values())
        warn(f"left out, not one of the project's categories: {ignored_line(lacking)}{_none_hint(names)}")
    for line in mapper.problems:  # a model class named past what PixelProof makes: kept whole, said
        warn(line)
    new = f", new categories: {', '.join(map(shown, result.new_categories))}" if result.new_categories else ""
    same = ", ".join(f"{shown(c)} -> {shown(t)}" for c, t in respelt(mapping).items())
    new += f", model classes into the project's categories spelt otherwise: {same}" if same else ""
    print(
        f"{out}: {result.succeeded}/{result.images} images pre-labeled, "
        f"{plural(result.annotations, 'annotation')} added{new}"
        + (f", {result.ignored} {LEFT_OUT}" if result.ignored else "")
        + skipped_words(result.skipped, result.duplicates, result.skipped_unsplit)
        + (
            f", {result.speckles} speckles under {getattr(backend, 'min_area', '?')} px dropped (min_area"
            + (f"; {keep}" if (keep := keep_small_hint(backend, result.annotations, result.speckles)) else "")
            + ")"
            if result.speckles
            else ""
        )
        + _not_outlined(boxes, no_mask_count(f for _, f in result.box_failures))
        + (f", {tiled} pre-labeled in tiles (too big for the model's memory)" if tiled else "")
        + (f", {len(result.failures)} failed" if result.failures else "")
    )
    if note := id_named_note(backend, result.new_categories):  # class0 .. class79: once, with how to name
        warn(note)
    if result.succeeded and not result.annotations:  # "0 annotations added" after minutes: say why
        warn(nothing_found_line(result, backend, tiles))
    elif note := specks_note(backend, result.annotations, result.speckles):  # a level cutting into noise
        warn(note)
    return 1 if result.succeeded == 0 else 0


def nothing_found_line(result: PrelabelReport, backend: Backend, tiles: int = 0) -> str:
    """Why a run that read its pictures added no object, from what it counted: every prediction left out
    (class, repeat of an object) or under ``min_area``, else the backend found nothing (its hint)."""
    where = plural(tiles, "tile") if tiles else plural(result.succeeded, "image")
    why = []
    if result.ignored:
        why.append(f"{result.ignored} predictions of classes left out")
    if result.skipped or result.duplicates:
        repeats = result.skipped + result.duplicates
        why.append(f"{repeats} predictions repeating an object (--keep-overlapping keeps them)")
    if result.speckles:
        least = getattr(backend, "min_area", "?")
        keep = keep_small_hint(backend, result.annotations, result.speckles)
        keep = f" ({keep})" if keep else ""
        why.append(f"{plural(result.speckles, 'region')} under min_area {least} px dropped{keep}")
    if why:
        return f"0 objects added in {where}: all were left out: {'; '.join(why)}"
    hint = backend.nothing_found()
    return f"0 objects in {where}: the {backend.name} backend found nothing{f' ({hint})' if hint else ''}"


def _none_hint(categories: frozenset[str]) -> str:
    """What to do when ``--only-existing`` keeps no class: a project without categories has none to keep."""
    none = " (the project has no categories)" if not categories else ""
    return f"{none}; map classes with --map CLASS=CATEGORY, or run without --only-existing to add them"


def _not_outlined(boxes: int, empty: int) -> str:
    """The summary's words for the ``boxes`` that got no mask, ``empty`` of them outlined as an empty mask
    (named above; a rerun tries them again and finds the same: no failure, nothing new was possible)."""
    words = [f"{plural(boxes - empty, 'box')} not outlined"] if boxes > empty else []
    if empty:
        words.append(
            f"{plural(empty, 'box')} gave no mask (redraw {'them' if empty > 1 else 'it'} or outline by hand)"
        )
    return "".join(f", {w}" for w in words)


def _usage_error(args: argparse.Namespace, shard_size: int | None) -> str:
    """What is wrong with the flags together ("" when nothing)."""
    if shard_size and not args.output:
        return "--shard-size writes a folder of projects: give it with -o OUT"
    if args.skip_existing is not None and args.keep_overlapping:
        return "--skip-existing and --keep-overlapping cannot be combined"
    if not 0.0 <= _skip_iou(args) <= 1.0:
        return f"--skip-existing must be in 0..1, got {args.skip_existing}"
    if args.from_boxes and args.tile is not None:
        return "--from-boxes and --tile cannot be combined"
    if args.from_boxes and args.unlabeled_only:  # a box is an object: the two select no image, ever
        return "--unlabeled-only and --from-boxes cannot be combined: an image with boxes is labeled"
    return ""


def _skip_iou(args: argparse.Namespace) -> float:
    return SKIP_EXISTING_IOU if args.skip_existing is None else args.skip_existing


def _images(project: Project, args: argparse.Namespace) -> tuple[list[ImageRecord], str]:
    """The images to pre-label, and why there are none."""
    images = select_images(project, args.images, unlabeled_only=args.unlabeled_only)
    if not images:
        which = f" match {args.images!r}" if args.images else ""
        if args.unlabeled_only and select_images(project, args.images, unlabeled_only=False):
            return [], ALL_LABELED
        forms = f" (--images takes {GLOB_FORMS})" if args.images else ""
        return [], f"no images to pre-label{which}{' without objects' if args.unlabeled_only else ''}{forms}"
    if args.from_boxes:
        wanted = {im.id for im in images}
        images = [im for im in images if box_annotations(project, im.id)]
        if not images:
            boxes = any(a.kind == "box" for a in project.annotations.values() if a.image_id in wanted)
            return [], ALL_OUTLINED if boxes else "no box annotations to outline"
    return images, ""


def _nothing_to_do(project: Project, args: argparse.Namespace, shard_size: int | None, why: str) -> int:
    """Exit 0 and say so, as ``add`` of images all there already: ``-o OUT`` gets the project as it is (the
    next step of a pipeline finds it); in place, or into shards (only pre-labeled images go there),
    nothing is written."""
    out = args.output or project.path  # as typed
    if args.output and not shard_size:
        try:
            save_project(project, Path(args.output))
        except (ProjectSaveError, OSError) as e:
            error(error_text(e))
            return 1
    print(f"{out}: {why}{'; nothing written' if shard_size else ''}")
    return 0


def _account(
    result: PrelabelReport,
    image: ImageRecord,
    proposal: Proposal | str,
    *,
    bar: ProgressBar,
    failed: FailureLines,
    left_out: Counter[str] | None = None,
    tiling: Tiling | None = None,
    cut: list[float] | None = None,
) -> None:
    if isinstance(proposal, Proposal):
        if tiling is not None and cut is not None:
            cut[0] = max(cut[0], boxes_cut(proposal.annotations, image.width, image.height, tiling))
        if left_out is not None:
            left_out.update(proposal.ignored_classes)
        result.annotations += len(proposal.annotations)
        result.ignored += proposal.ignored
        result.skipped += proposal.skipped
        result.duplicates += proposal.duplicates
        result.speckles += proposal.speckles
        result.new_categories += [c.name for c in proposal.categories]
        for failure in proposal.box_failures:  # named as they come, the first BOX_LINES of the run
            if len(result.box_failures) < BOX_LINES:
                warn(failure.line(image.file_name), bar)
            result.box_failures.append((image.file_name, failure))
        result.shrunk.note(image.file_name, proposal.shrink)
        if proposal.auto_tiled is not None:  # the user did not ask for tiles: say so, per picture
            warn(proposal.auto_tiled.line(image.file_name), bar)
            result.auto_tiled.append((image.file_name, proposal.auto_tiled))
    else:
        result.failures.append((image.file_name, proposal))
        failed(image.file_name, proposal, bar)
