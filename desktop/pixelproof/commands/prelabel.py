"""``pixelproof prelabel PROJECT --backend NAME [--model FILE] ...``: pre-label images with a backend."""

from __future__ import annotations

import argparse
from pathlib import Path

from pixelproof.commands._common import ProgressBar, error, load_or_report
from pixelproof.core.coco import ProjectConflictError, ProjectSaveError, save_project
from pixelproof.core.edits.model_mapping import RememberMapping
from pixelproof.inference.apply import (
    SKIP_EXISTING_IOU,
    effective_mapping,
    mapping_key,
    parse_mapping,
    prelabel_project,
    select_images,
)
from pixelproof.inference.base import Backend, BackendError, get_backend
from pixelproof.inference.from_boxes import box_annotations
from pixelproof.inference.tiling import Tiling


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prelabel", help="add model predictions to a project (review state: pending)")
    p.add_argument("project", help="project .json file")
    p.add_argument("--backend", required=True, help="backend name (see `pixelproof backends`)")
    p.add_argument("--model", metavar="FILE", help="model file for backends that take one")
    p.add_argument("--score-threshold", type=float, metavar="S", help="minimum confidence (0..1)")
    p.add_argument(
        "--classes",
        metavar="FILE",
        help="class names, one a line (index = label id), for models without a card or metadata",
    )
    p.add_argument("--images", metavar="GLOB", help="only images whose file name matches, e.g. 'val/*.jpg'")
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT in place)")
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
        default=SKIP_EXISTING_IOU,
        metavar="IOU",
        help="skip a prediction overlapping an object of its category on the image with IoU above this "
        f"(default {SKIP_EXISTING_IOU})",
    )
    p.add_argument(
        "--keep-overlapping", action="store_true", help="do not skip predictions that repeat existing objects"
    )
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
        default=0.2,
        metavar="F",
        help="tile overlap as a fraction of SIZE (default 0.2); objects up to about F x SIZE are seen whole",
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="backend option (repeatable), e.g. category=coin; see `pixelproof backends --json`",
    )
    p.set_defaults(run=run)


def make_backend(args: argparse.Namespace) -> Backend:
    """The configured backend; ``BackendError`` with a one-line reason when it cannot run."""
    backend = get_backend(args.backend)
    values: dict[str, object] = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise BackendError(f"--option {item!r}: expected KEY=VALUE")
        values[key.strip()] = value
    if args.score_threshold is not None:
        values["score_threshold"] = args.score_threshold
    if args.classes is not None:
        if "classes_file" not in backend.options:
            raise BackendError(f"{backend.name}: takes no classes file (--classes)")
        values["classes_file"] = args.classes
    if args.model is not None:
        if "model_path" not in backend.options:
            raise BackendError(f"{backend.name}: takes no model file (--model)")
        values["model_path"] = args.model
    backend.configure(**values)
    ok, reason = backend.ready()
    if not ok:
        hint = " (use --model FILE)" if reason.startswith("no model file") else ""
        raise BackendError(f"{backend.name}: not ready: {reason}{hint}")
    from_boxes = getattr(args, "from_boxes", False)
    if backend.kind == "interactive" and not from_boxes:
        raise BackendError(
            f"{backend.name} is interactive (needs clicks or a box); use it in the app, or with --from-boxes"
        )
    if from_boxes and backend.kind != "interactive":
        raise BackendError(
            f"--from-boxes needs an interactive backend (sam-onnx, grabcut), not {backend.name}"
        )
    return backend


def run(args: argparse.Namespace) -> int:
    try:
        mapping = parse_mapping(args.map)
    except ValueError as e:
        error(str(e))
        return 2
    project = load_or_report(args.project)
    if project is None:
        return 1
    try:
        backend = make_backend(args)
    except BackendError as e:
        error(str(e))
        return 1
    try:
        tiling = Tiling(args.tile, args.overlap) if args.tile is not None else None
    except BackendError as e:
        error(str(e))
        return 2
    if not 0.0 <= args.skip_existing <= 1.0:
        error(f"--skip-existing must be in 0..1, got {args.skip_existing}")
        return 2
    if args.from_boxes and args.tile is not None:
        error("--from-boxes and --tile cannot be combined")
        return 2
    images = select_images(project, args.images, unlabeled_only=args.unlabeled_only)
    if not images:
        which = f" match {args.images!r}" if args.images else ""
        error(f"no images to pre-label{which}{' without objects' if args.unlabeled_only else ''}")
        return 1
    if args.from_boxes:
        images = [im for im in images if box_annotations(project, im.id)]
        if not images:
            error("no box annotations to outline (each box already has a mask made from it, or none)")
            return 1
    sole = [c.name for c in project.categories.values()]
    current = args.category or (sole[0] if len(sole) == 1 else None)
    if args.category and project.category_by_name(args.category) is None:
        error(f"--category {args.category!r}: the project has no such category")
        return 2
    mapping = effective_mapping(project, backend, mapping, current)

    with ProgressBar(f"pre-labeling ({backend.name})") as bar:
        result = prelabel_project(
            project,
            backend,
            images,
            only_existing=args.only_existing,
            mapping=mapping,
            wrap=bar.iterate,
            on_failure=lambda file_name, reason: error(f"{file_name}: {reason}", bar),
            tiling=tiling,
            skip_existing=None if args.keep_overlapping else args.skip_existing,
            from_boxes=args.from_boxes,
        )
    if mapping and result.succeeded:  # the next run with this model maps the same way
        RememberMapping(mapping_key(backend), mapping).apply(project)
    out = Path(args.output) if args.output else project.path
    if result.succeeded:
        try:
            save_project(project, out)
        except ProjectConflictError as e:
            error(f"{e}; nothing saved (run again, or write elsewhere with -o OUT)")
            return 1
        except ProjectSaveError as e:
            error(str(e))
            return 1
    new = f", new categories: {', '.join(result.new_categories)}" if result.new_categories else ""
    print(
        f"{out}: {result.succeeded}/{result.images} images pre-labeled, "
        f"{result.annotations} annotations added{new}"
        + (f", {result.skipped} skipped (already labeled)" if result.skipped else "")
        + (f", {len(result.failures)} failed" if result.failures else "")
    )
    return 1 if result.succeeded == 0 else 0
