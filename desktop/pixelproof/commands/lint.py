"""``pixelproof lint PROJECT``: find likely label errors without a reference (rules, class statistics and,
with a model, ObjectLab). Exit 0: no problem scores >= --min-score; 1: some do; 2: usage; 3: unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pixelproof.commands._batch import add_batch_arguments, announce, batch_options, check_path_map, read_at
from pixelproof.commands._common import (
    FailureLines,
    ProgressBar,
    add_examples,
    add_keep_specks,
    error,
    print_capped,
    refuse_image_outputs,
    refuse_outputs,
    shown,
    warn,
)
from pixelproof.core.errors import error_text
from pixelproof.core.wording import plural

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lint",
        help="find likely label errors without a reference (rules, statistics, optionally a model)",
        description="Exit codes: 0 no problem scores >= --min-score, 1 some do, 2 usage error, "
        "3 an input cannot be read.",
    )
    p.add_argument("project", help="project .json file")
    model = p.add_argument_group("model (optional; enables missing_object, *_box, wrong_class, ...)")
    model.add_argument(
        "--backend", metavar="NAME", help="run this backend on every image (see `pixelproof backends`)"
    )
    model.add_argument("--model", metavar="FILE", help="model file for the backend")
    model.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE", help="backend option (repeatable)"
    )
    model.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="MODEL=CATEGORY",
        help="rename a model class (repeatable)",
    )
    add_keep_specks(model)
    model.add_argument(
        "--predictions",
        metavar="FILE",
        help="COCO results JSON (image_id, category_id, bbox, score, optional segmentation) in the project's "
        "ids; 'pending' uses the project's own pending model predictions",
    )
    model.add_argument(
        "--confident",
        type=float,
        metavar="S",
        help="score at which a prediction counts as confident (ObjectLab default 0.95; small models rarely "
        "reach it)",
    )
    model.add_argument(
        "--min-prediction-score",
        type=float,
        metavar="S",
        help="predictions at or below this are not used to judge locations (ObjectLab default 0.5)",
    )
    p.add_argument(
        "--pictures",
        action="store_true",
        help="also compare the pictures: duplicate_picture, the same picture or a near copy under another "
        "name, and image_size_mismatch, a picture not the size its record declares (reads every picture, "
        "so a large project takes much longer)",
    )
    p.add_argument(
        "--rules", metavar="FILE", help="rules JSON/YAML (replaces the project's pixelproof.rules)"
    )
    p.add_argument("--kinds", metavar="K1,K2", help=_kinds_help())
    p.add_argument(
        "--min-score", type=float, default=0.5, metavar="S", help="list problems scoring >= S (default 0.5)"
    )
    p.add_argument("--json", metavar="FILE", help="write problems, summary and options as JSON")
    p.add_argument(
        "--csv", metavar="FILE", help="write one row per problem as CSV (UTF-8 with a BOM, for Excel)"
    )
    p.add_argument("--html", metavar="FILE", help="write an HTML report with crops of the worst problems")
    p.add_argument(
        "--subset",
        metavar="FILE",
        help="write a project of just the images with a listed problem (all their objects, every class), "
        "to relabel them or `convert` them to another format",
    )
    add_batch_arguments(p, error_code=EXIT_UNREADABLE)
    add_examples(
        p,
        "pixelproof lint project.json",
        "pixelproof lint project.json --backend yolo-onnx --model yolo11n.onnx \\\n"
        "    --confident 0.5 --html lint.html",
        "pixelproof lint project.json --predictions results.json \\\n"
        "    --json lint.json --csv lint.csv --subset to-relabel.json",
        "pixelproof lint project.json --predictions pending --pictures",
    )
    p.set_defaults(run=run)


def _usage(args: argparse.Namespace) -> str | None:
    from pixelproof.core.lint import KINDS
    from pixelproof.core.lint.problems import MODEL_KINDS, PICTURE_KINDS

    if args.backend and args.predictions:
        return "use either --backend or --predictions, not both"
    if (args.model or args.option or args.map or args.keep_specks) and not args.backend:
        return "--model, --option, --map and --keep-specks need --backend"
    for name in ("min_score", "confident", "min_prediction_score"):
        value = getattr(args, name)
        if value is not None and not 0.0 <= value <= 1.0:
            return f"--{name.replace('_', '-')} must be in 0..1, got {value}"
    if args.kinds is not None and not _kinds(args):
        return f"--kinds: expected kinds separated by commas, got {args.kinds!r} (leave --kinds out for all)"
    if args.kinds:
        unknown = [k for k in _kinds(args) if k not in KINDS]
        if unknown:
            said = f"{plural(len(unknown), 'unknown kind')} ({', '.join(unknown)})"
            return f"--kinds: {said}; known: {', '.join(KINDS)}"
        modelled = [k for k in _kinds(args) if k in MODEL_KINDS]
        if modelled and not (args.backend or args.predictions):
            return f"--kinds: a model (--backend or --predictions) is needed for {', '.join(modelled)}"
        pictured = [k for k in _kinds(args) if k in PICTURE_KINDS]
        if pictured and not args.pictures:
            return f"--kinds: --pictures (it reads every picture) is needed for {', '.join(pictured)}"
        if args.pictures and not pictured:  # as --model without --backend
            return (
                f"--pictures reads pictures for {' and '.join(PICTURE_KINDS)} alone, which --kinds leaves "
                "out (add one to --kinds, or leave --pictures out: it reads every picture)"
            )
        option = "--backend" if args.backend else "--predictions" if args.predictions else ""
        if option and not modelled:  # as --pictures: the model would run on every image for nothing
            return (
                f"{option} gives predictions to the model kinds alone ({', '.join(MODEL_KINDS)}), which "
                f"--kinds {args.kinds} leaves out (add one to --kinds, or leave {option} out"
                + (": it runs the model on every image)" if args.backend else ")")
            )
    return None


def _kinds_help() -> str:
    """Every kind lint knows, from its own list: a kind added there is named here too (``core.lint_kinds``,
    light: the parser is built at every start)."""
    from pixelproof.core.lint_kinds import MODEL_KINDS, PICTURE_KINDS, RULE_KINDS

    return (
        f"only these problem kinds, comma-separated: {', '.join(RULE_KINDS)}; with a model: "
        f"{', '.join(MODEL_KINDS)}; with --pictures: {', '.join(PICTURE_KINDS)} (README: Finding label "
        "problems)"
    )


def _kinds(args: argparse.Namespace) -> list[str]:
    return [k.strip() for k in (args.kinds or "").split(",") if k.strip()]


def run(args: argparse.Namespace) -> int:
    from pixelproof.commands._common import load_or_report
    from pixelproof.core.batch import BatchSetupError
    from pixelproof.core.coco import ProjectSaveError
    from pixelproof.core.limits import LimitError, check_output_not_input
    from pixelproof.core.lint import LintFailed, LintOptions, dismissed_keys, lint_project
    from pixelproof.core.lint import report as lint_report
    from pixelproof.core.lint.engine import SECONDS_PER_IMAGE
    from pixelproof.core.lint.pictures import PICTURE_SECONDS

    batch = batch_options(args)
    problem = _usage(args)
    if problem:
        error(problem)
        return EXIT_USAGE
    try:  # a report never writes over what it is made from
        for option in ("json", "csv", "html", "subset"):
            if getattr(args, option):
                inputs = [args.project, args.rules, args.model]
                inputs.append(None if args.predictions == "pending" else args.predictions)
                check_output_not_input(getattr(args, option), inputs, f"--{option}")
    except LimitError as e:
        error(str(e))
        return EXIT_USAGE
    if refuse_outputs(args.json, args.csv, args.html, args.subset):  # before the run, not after it
        return EXIT_USAGE
    if args.subset and refuse_outputs(args.subset, projects=True):  # a project: never over another file
        return EXIT_USAGE
    project = load_or_report(args.project)
    if project is None:
        return EXIT_UNREADABLE
    if refuse_image_outputs([args.json, args.csv, args.html, args.subset], [project]):
        return EXIT_USAGE
    rules = _rules(args, project)
    if rules is None:
        return EXIT_UNREADABLE
    loaded = _predictions(args, project)
    if loaded is False:
        return EXIT_UNREADABLE
    predictions, model_info = loaded  # type: ignore[misc]
    options = LintOptions(
        frozenset(_kinds(args)) if args.kinds else None, args.min_score, dismissed_keys(project)
    )
    try:
        seconds = SECONDS_PER_IMAGE + (PICTURE_SECONDS if args.pictures else 0.0)
        executor = batch.executor(len(project.images), seconds)
    except BatchSetupError as e:
        error(str(e))
        return EXIT_UNREADABLE
    announce(executor)
    _check_path_map(project, batch, args.pictures)
    with executor:
        pictures = _pictures(project, executor, batch) if args.pictures else None
        with ProgressBar("linting") as bar:
            try:
                result = lint_project(
                    project, rules, predictions, options, progress=bar, executor=executor, pictures=pictures
                )
            except LintFailed as e:
                error(str(e), bar)
                return EXIT_UNREADABLE
    names = {iid: image.file_name for iid, image in project.images.items()}
    data = lint_report.to_dict(result, str(args.project), model_info, names)
    try:
        if args.json:
            lint_report.write_json(data, args.json)
        if args.csv:
            lint_report.write_csv(data, args.csv)
        if args.html:
            lint_report.write_html(data, args.html, project)
        if args.subset:
            _write_subset(lint_report.flagged_images(project, result), args.subset, len(project.images))
    except OSError as e:
        error(f"cannot write the report: {error_text(e)}")
        return EXIT_UNREADABLE
    except ProjectSaveError as e:
        error(error_text(e))
        return EXIT_UNREADABLE
    if (skipped := result.options.get("predictions_skipped_overlapping")) is not None:
        from pixelproof.core.lint.predictions import skipped_note

        images = result.options.get("images_skipped_overlapping", 0)
        warn(
            f"{skipped_note(skipped, images)}; run the model itself to judge them "
            "(--backend NAME --model FILE), "
            "or pre-label with --keep-overlapping"
        )
    from pixelproof.core.lint.predictions import unconfident_note

    if note := unconfident_note(result.options, "--confident", pending=args.predictions == "pending"):
        warn(note)
    _print_summary(data)
    return EXIT_PROBLEMS if result.problems else EXIT_CLEAN


def _write_subset(subset: Any, path: str, total: int) -> None:
    """The images to relabel as a project of their own, saved as ``split`` saves a shard (image paths
    rewritten for its folder; the change log says lint made it)."""
    from pixelproof.core import history
    from pixelproof.core.coco import save_project

    history.note(subset, tool="lint", edit="Images with problems")
    save_project(subset, path)
    print(f"{shown(path)}: {len(subset.images)} of {plural(total, 'image')} (those with a problem listed)")


def _check_path_map(project: Any, batch: Any, pictures: bool) -> None:
    """Warn of a ``--path-map`` that maps none of the pictures the workers read (``--pictures``); without
    ``--pictures`` they read no file."""
    from pixelproof.core.batch import PathMap
    from pixelproof.inference.batch import worker_path

    read = (worker_path(project, im, PathMap()) for im in project.images.values()) if pictures else ()
    check_path_map(
        batch, read, no_files="lint's workers read no files without --pictures (they are sent the objects)"
    )


def _pictures(project: Any, executor: Any, batch: Any) -> Any:
    """Every picture read and hashed (``duplicate_picture``); one that cannot be read is said and left out
    (the first, on a cluster through ``--path-map``, with the path its worker read)."""
    from pixelproof.core.lint import read_pictures

    with ProgressBar("reading pictures") as bar:
        pictures = read_pictures(project, executor, progress=bar, path_map=batch.path_map)
    capped = FailureLines("warning", read_at=read_at(project, project.images.values(), batch))
    for name, why in pictures.unreadable:
        capped(name, f"{why} (not compared)")
    capped.close()
    return pictures


def _rules(args: argparse.Namespace, project: Any) -> Any:
    from pixelproof.core.lint import RulesError, load_rules_file, rules_of

    try:
        rules = load_rules_file(args.rules) if args.rules else rules_of(project.app)
    except RulesError as e:
        for p in e.problems:
            print(shown(p if args.rules else f"{project.path}: {p}"), file=sys.stderr)
        return None
    overrides = {
        k: v
        for k, v in (("confident", args.confident), ("min_prediction_score", args.min_prediction_score))
        if v is not None
    }
    if overrides:
        from dataclasses import replace

        rules = replace(rules, thresholds={**rules.thresholds, **overrides})
    return rules


def _predictions(args: argparse.Namespace, project: Any) -> Any:
    """(predictions or None, description for the report's options), or False when unreadable."""
    from pixelproof.core.lint import PredictionsError, pending_predictions, read_predictions
    from pixelproof.core.lint.predictions import none_usable

    if args.predictions == "pending":
        preds, left_out = pending_predictions(project)
        name = "pending (the project's pending model predictions)"
    elif args.predictions:
        try:
            preds, left_out = read_predictions(args.predictions, project)
        except PredictionsError as e:
            print_capped(e.problems)
            return False
        name = str(args.predictions)
    elif args.backend:
        return _run_backend(args, project)
    else:
        return None, {}
    print_capped([f"pixelproof: warning: left out: {p}" for p in left_out])
    if reason := none_usable(preds, left_out, name):
        error(f"{reason} (see above)")
        return False
    return preds, {"predictions": name, "predictions_left_out": len(left_out)}


def _run_backend(args: argparse.Namespace, project: Any) -> Any:
    from pixelproof.commands.prelabel import make_backend
    from pixelproof.inference.apply import knows_none, predict_project
    from pixelproof.inference.base import BackendError
    from pixelproof.inference.class_filter import ignored_line
    from pixelproof.inference.class_mapping import effective_mapping, parse_mapping, unknown_class

    try:
        mapping = parse_mapping(args.map)
    except ValueError as e:
        error(str(e))
        return False
    settings = argparse.Namespace(
        backend=args.backend, model=args.model, option=args.option, score_threshold=None, classes=None
    )
    try:
        backend = make_backend(settings)
    except BackendError as e:
        error(str(e))
        return False
    if unknown := unknown_class(backend, mapping):
        error(unknown)
        return False
    sole = [c.name for c in project.categories.values()]  # the model maps as `prelabel` maps it
    mapping = effective_mapping(project, backend, mapping, sole[0] if len(sole) == 1 else None)
    failures: list[str] = []
    tiled: list[str] = []
    capped = FailureLines("warning")  # the first images named, the rest counted per message
    with ProgressBar(f"predicting ({backend.name})") as bar:

        def failed(file_name: str, reason: str) -> None:
            failures.append(file_name)
            capped(file_name, f"{reason} (linted without the model)", bar)

        def in_tiles(file_name: str, tiles: Any) -> None:
            tiled.append(file_name)
            warn(tiles.line(file_name, "predicted"), bar)

        preds, ignored, classes = predict_project(
            project, backend, mapping=mapping, wrap=bar.iterate, on_failure=failed, on_tiled=in_tiles,
            keep_specks=args.keep_specks,
        )  # fmt: skip
    capped.close()
    if unknown := knows_none(preds, ignored):
        error(f"{unknown} (use --map)")
        return False
    if classes:  # named, the most frequent first: what to map
        warn(
            f"{plural(sum(classes.values()), 'prediction')} of classes the project does not have ignored: "
            f"{ignored_line(classes)} (use --map)"
        )
    if ignored > sum(classes.values()):
        warn(f"{plural(ignored - sum(classes.values()), 'prediction')} with an empty shape ignored")
    return preds, {
        "backend": backend.source,
        "prediction_failures": len(failures),
        "predictions_ignored": ignored,
        "predictions_ignored_by_class": dict(classes),
        "predicted_in_tiles": len(tiled),  # too big for the model's memory
    }


def _print_summary(data: dict[str, Any]) -> None:
    from pixelproof.core.lint.problems import PROJECT_WIDE

    s = data["summary"]
    model = "no model" if s["predictions"] is None else f"{s['predictions']} predictions"
    print(
        f"{plural(s['images'], 'image')}, {plural(s['objects'], 'object')}, {model}: "
        f"{plural(s['problems'], 'problem')} with score >= "
        f"{data['options']['min_score']:g}" + (f" ({s['dismissed']} dismissed)" if s["dismissed"] else "")
    )
    if not s["by_kind"]:
        return
    print(f"{'kind':<22}{'problems':>8}  by class")
    for kind, n in s["by_kind"].items():
        per = sorted(s["by_kind_and_class"].get(kind, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        print(f"{kind:<22}{n:>8}  " + ", ".join(f"{shown(c)} {k}" for c, k in per))
    print("worst:")
    for p in data["problems"][:10]:
        ann = "" if p["annotation_id"] is None else f" #{p['annotation_id']}"
        print(
            shown(f"  {p['score']:.2f} {p['kind']:<20} {p['file_name'] or PROJECT_WIDE}{ann}: {p['message']}")
        )
