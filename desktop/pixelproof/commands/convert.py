"""``pixelproof convert INPUT OUTPUT --from FMT --to FMT`` (or ``-o OUTPUT``): between any formats of
``pixelproof.interop``.

The formats and their option flags are generated from the declarations in ``interop/formats.py``: an option
``extract_images`` of a reader is the flag ``--extract-images``; a flag goes to every side (reader of
``--from``, writer of ``--to``) that declares it. Each problem in the input is one line on stderr (file and
line first); the rest is still converted. Exit 1 when nothing could be converted or the output cannot be
written.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any

from pixelproof.commands._batch import add_batch_arguments, announce, batch_options, check_path_map
from pixelproof.commands._common import (
    ProgressBar,
    add_examples,
    error,
    print_capped,
    refuse_empty_outputs,
    warn,
)
from pixelproof.commands._format_options import WRITTEN_OPTIONS, add_option_flags, chosen_options
from pixelproof.core.errors import about, error_text
from pixelproof.core.wording import plural, skipped_counts

# why a format's writer runs in this process whatever --workers says (docs/scaling.md, "convert")
ONE_PROCESS = (
    "coco, cvat, nifti, slicer-seg and dicom-seg are one file (or volume) written as one stream; yolo, "
    "voc and labelme are small text files per image, cheaper to write than to send to a worker"
)


def format_lines() -> str:
    """``formats (--from/--to):`` and a line per format, its name and title from its declaration, so a
    newcomer learns what ``slicer-seg`` or ``mot`` is without leaving the terminal."""
    from pixelproof.interop.formats import FORMATS

    width = max(len(name) for name in FORMATS) + 2
    lines = [
        f"  {f.name:<{width}}{f.title}{'' if f.writer or 'read only' in f.title else ' (read only)'}"
        for f in FORMATS.values()
    ]
    return "formats (--from/--to):\n" + "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    from pixelproof.interop.formats import FORMATS, readable, writable

    names = ", ".join(FORMATS)
    p = sub.add_parser(
        "convert",
        help=f"convert annotations between formats ({names})",
        description=(
            "Convert annotations. INPUT/OUTPUT are a file or a folder, as each format needs. Exit 0: all "
            "converted; 1: nothing converted or an error; 2: usage; 3: converted, but the reader skipped "
            "something (each one reported on stderr with its file and location)."
        ),
    )
    p.add_argument("input", help="file or folder to read")
    p.add_argument("output", nargs="?", help="file (coco) or folder to write (or give it as -o OUTPUT)")
    p.add_argument(
        "-o",
        "--output",
        dest="output_option",
        metavar="OUTPUT",
        help="OUTPUT as an option, as new/add take it",
    )
    p.add_argument(
        "--from",
        dest="src_format",
        choices=[f.name for f in readable()],
        metavar="FMT",
        help=(
            f"input format: {', '.join(f.name for f in readable())} (default: recognised from the input's "
            "layout, as qa recognises a reference; the format chosen is said)"
        ),
    )
    p.add_argument(
        "--to",
        dest="dst_format",
        required=True,
        choices=[f.name for f in writable()],
        metavar="FMT",
        help=f"output format: {', '.join(f.name for f in writable())}",
    )
    add_option_flags(p)
    p.add_argument(
        "--changed-since",
        metavar="TAG",
        help="coco input: export only the images changed since this tag (see `pixelproof tag`)",
    )
    p.add_argument(
        "--allow-outside-root",
        action="store_true",
        help="copy or link images that lie outside the input's dataset folder (refused by default)",
    )
    parallel = ", ".join(f.name for f in writable() if f.parallel_writer)
    add_batch_arguments(p)
    p.epilog = (
        f"--workers/--scheduler draw and encode the output of: {parallel}. Other outputs are written in "
        f"this process: {ONE_PROCESS}. Reading is always done in this process.\n\n{format_lines()}"
    )
    add_examples(
        p,
        "pixelproof convert labelme_dir/ project.json --from labelme --to coco",
        "pixelproof convert project.json yolo_dataset/ --from coco --to yolo \\\n"
        "    --task segment --val-fraction 0.2",
        "pixelproof convert VOC2012/ project.json --from masks --to coco --mode voc",
        "pixelproof convert project.json out/ --from coco --to yolo --changed-since v1",
    )
    p.set_defaults(run=run, usage_error=p.error)


def _output(args: argparse.Namespace) -> str:
    """OUTPUT, given after INPUT or as ``-o``; given both ways, or neither, is a usage error (exit 2 with
    convert's usage): which of two different paths was meant cannot be guessed."""
    if args.output is not None and args.output_option is not None:
        args.usage_error(
            f"OUTPUT given twice: {args.output!r} after INPUT and {args.output_option!r} as -o/--output; "
            "give one"
        )
    output = args.output if args.output is not None else args.output_option
    if output is None:
        args.usage_error("the following arguments are required: output (after INPUT, or as -o OUTPUT)")
    return output


def _changed_since(project: Any, args: argparse.Namespace) -> Any:
    """The images of ``project`` changed since the tag (incremental relabeling); None after an error."""
    from pixelproof.core.diff import diff_projects
    from pixelproof.core.versions import VersionError, checkout

    if args.src_format != "coco":
        error("--changed-since needs a project (--from coco) with tags")
        return None
    try:
        old = checkout(args.input, args.changed_since)
    except VersionError as e:
        error(str(e))
        return None
    project.path = old.path  # image paths resolve alike on both sides
    diff = diff_projects(old, project)
    changed = diff.changed_files()
    print(
        f"{args.input}: {len(changed)} of {len(project.images)} images changed since {args.changed_since}"
        + (f" ({len(diff.images_removed)} images removed since, not exported)" if diff.images_removed else "")
    )
    return project.snapshot([im.id for im in project.images.values() if im.file_name in changed])


def _recognised(path: str) -> str | None:
    """The format ``--from`` left out names: the first that recognises ``path`` (said on stderr, with any
    other that would fit too); None (said) when none does."""
    from pixelproof.interop.formats import detect_formats, readable

    matches = detect_formats(path)
    if not matches:
        names = ", ".join(f.name for f in readable())
        error(f"{path}: not recognised as any readable format ({names}); name one with --from FMT")
        return None
    found = matches[0]
    also = f"; it also looks like {', '.join(f.name for f in matches[1:])}" if len(matches) > 1 else ""
    print(f"{path}: read as {found.title} (--from {found.name}){also}", file=sys.stderr)
    return found.name


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.coco import ProjectSaveError
    from pixelproof.core.limits import (
        LimitError,
        check_output_not_input,
        check_regular_file,
        set_outside_root_allowed,
    )
    from pixelproof.core.overlap_versions import WRITTEN, versions_note
    from pixelproof.core.save_targets import check_not_folder_name, make_parent_folders
    from pixelproof.interop.format_guess import another_format_hint
    from pixelproof.interop.formats import CLI_WORDS, EXPORT_OPTION_NAMES, FORMATS, all_options
    from pixelproof.interop.written_counts import written_counts

    args.output = _output(args)
    if refuse_empty_outputs(args.output):  # "" is the current folder: written into, or said a folder
        return 1
    batch = batch_options(args)
    try:  # a FIFO or a device was "not recognised as any readable format", a loop of links "not found"
        check_regular_file(args.input, allow_dir=True)
    except FileNotFoundError:
        error(f"{args.input}: not found")
        return 1
    except (LimitError, OSError) as e:
        error(error_text(e))
        return 1
    if args.src_format is None:
        found = _recognised(args.input)
        if found is None:
            return 2
        args.src_format = found
    src, dst = FORMATS[args.src_format], FORMATS[args.dst_format]
    try:
        read_opts = chosen_options(args, src, "read")
        write_opts = chosen_options(args, dst, "write")
    except ValueError as e:
        error(str(e))
        return 2
    for name in dict.fromkeys(opt.name for _, _, opt in all_options()):
        if (
            getattr(args, f"opt_{name}", None) is not None
            and name not in read_opts
            and name not in write_opts
        ):
            warn(
                f"--{name.replace('_', '-')} does not apply to {src.name} input or {dst.name} output; ignored"
            )
    # a conversion never writes over what it reads: the input and the files/folders its options name
    inputs = [args.input] + [
        read_opts[o.name]
        for o in src.options("read")
        if o.type in ("file", "folder") and o.name in read_opts and o.name not in WRITTEN_OPTIONS
    ]
    try:
        check_output_not_input(args.output, inputs, "OUTPUT", not dst.output_is_file)
    except LimitError as e:
        error(str(e))
        return 2
    if not dst.output_is_file and os.path.exists(args.output) and not os.path.isdir(args.output):
        error(f"{args.output}: is a file, not a folder to write {dst.name} into")  # before the reading
        return 1
    try:  # the missing folders above OUTPUT, as every command's -o (the writer makes OUTPUT's own)
        if dst.output_is_file:  # one file: `out/` would be written as the file `out`; said before the reading
            check_not_folder_name(args.output, "annotations.json")
            if os.path.isdir(args.output):
                raise ProjectSaveError(
                    f"{args.output}: is a folder; {dst.name} is written as one file: name it "
                    f"({os.path.join(args.output, 'annotations.json')})"
                )
        make_parent_folders(args.output)
    except ProjectSaveError as e:
        error(str(e))
        return 1
    set_outside_root_allowed(args.allow_outside_root)
    bar = ProgressBar(f"reading {args.src_format}")

    def problem(message: str) -> None:
        bar.note(message)

    try:
        result = src.read(args.input, on_problem=problem, progress=bar, **read_opts)
    except (OSError, ValueError) as e:
        bar.close()
        error(error_text(e) if isinstance(e, OSError) else about(args.input, str(e)))
        return 1
    bar.close()
    project = result.project
    if args.changed_since:
        project = _changed_since(project, args)
        if project is None:
            return 1
    hint = another_format_hint(args.input, src) if not project.annotations else ""
    if not project.images:
        error(
            f"{args.input}: nothing to convert (no images found as {args.src_format})"
            + (f"; {hint}" if hint else "")
        )
        return 1
    if hint:  # pictures without a label: read as the wrong format?
        warn(f"{args.input}: no annotations read as {args.src_format}; {hint}")
    if args.src_format == "yolo" and getattr(args, "opt_unlabeled", None) is None:
        _keep_backgrounds(project, result.unrecorded)
    note = None if dst.holds_versions else versions_note(args.input, project, WRITTEN)
    if note:
        warn(note)
    executor = _executor(batch, dst, len(project.images))
    if executor is False:
        return 1
    if executor is not None:
        write_opts.update(executor=executor, worker_path=batch.path_map)
        check_path_map(batch, [os.path.abspath(args.output)], verb="write")  # into the output folder
    # pending and rejected objects and the images not labelled yet (or left wrong by rejections) are left
    # out by the writer (``Format.write``), named in its first warnings
    left = dst.left_out(project, **{k: v for k, v in write_opts.items() if k in EXPORT_OPTION_NAMES})
    bar = ProgressBar(f"writing {args.dst_format}")
    try:
        with executor or contextlib.nullcontext():
            warnings = dst.write(project, args.output, progress=bar, words=CLI_WORDS, **write_opts)  # flags
    except (OSError, ValueError, ProjectSaveError) as e:
        bar.close()
        error(about(args.output, str(e)) if isinstance(e, ValueError) else error_text(e))
        return 1
    bar.close()
    print_capped([f"pixelproof: warning: {w}" for w in warnings])  # a line per image: a screenful at most
    skipped = skipped_counts(result.skipped)
    n_images, n_objects, n_void, gone = written_counts(warnings, left.written(project))
    print(
        f"{args.output}: {plural(n_images, 'image')}, {plural(n_objects, 'annotation')}"
        + (f" (+{n_void} void regions)" if n_void else "")
        + f", {plural(len(project.categories), 'category')}"
        + (f"; left out {gone}" if gone else "")
        + (f"; {plural(len(result.problems), 'problem')}" if result.problems else "")
        + (f"; skipped {skipped}" if skipped else "")
    )
    if n_images == 0 and project.images:  # every image left out (no DICOM source, none labelled yet)
        return 1
    return 3 if result.skipped else 0  # converted, but not all of it: each loss is on stderr


def _keep_backgrounds(project: Any, unrecorded: list[int]) -> None:
    """YOLO images without a label file, written as images without objects (marked Done) and counted on
    stderr. Ultralytics and Darknet train such an image as a background (a negative example), so a
    conversion leaving it out as not labelled yet (as the app's import does, where a folder being labelled
    lacks the file of every image not saved yet) would silently lose training data; ``--unlabeled skip``
    still leaves them out, counted in the writer's warning."""
    from pixelproof.interop.formats import image_names

    would_go = set(project.unlabeled_image_ids())
    kept = [i for i in unrecorded if i in would_go]
    if not kept:
        return
    for i in kept:
        project.set_image_status(i, "done")
    warn(
        f"{plural(len(kept), 'image')} without a label file kept as background (no objects, as YOLO "
        f"trains such images; marked Done): {image_names(project, kept)}; --unlabeled skip leaves them out"
    )


def _executor(batch: Any, dst: Any, images: int) -> Any:
    """Where ``dst``'s writer draws its files: an executor for a writer that can split its work (None:
    here), False after an error. ``--workers``/``--scheduler`` for another format: a warning, run here."""
    from pixelproof.core.batch import BatchSetupError

    if not dst.parallel_writer:
        if (batch.workers or 1) > 1 or batch.scheduler:
            warn(f"--workers/--scheduler: {dst.name} output is written here (see `convert --help`)")
        return None
    try:
        executor = batch.executor(images)
    except BatchSetupError as e:
        error(str(e))
        return False
    announce(executor)
    return executor
