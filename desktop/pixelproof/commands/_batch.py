"""Flags shared by every batch command (``--workers``, ``--scheduler``, ``--path-map``) and the glue from
them to ``pixelproof.core.batch``: the executor, the progress bar fed from completed tasks, Ctrl+C."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable

from pixelproof.commands._common import ProgressBar, positive_int, say_mid_job, warn
from pixelproof.core.batch import BatchOptions, Executor, PathMap, Progress, available_cores
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.wording import plural


class PathMapAction(argparse.Action):
    """``--path-map``, repeatable: the values so far checked together when the command line is parsed
    (a malformed one, or a LOCAL mapped two ways, is a usage error, exit 2)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        value: object,
        option_string: str | None = None,
    ) -> None:
        items = [*(getattr(namespace, self.dest, None) or []), str(value)]
        try:
            PathMap.parse(items)
        except ValueError as e:
            parser.error(str(e))
        setattr(namespace, self.dest, items)


def scheduler_address(text: str) -> str:
    """``--scheduler ADDRESS``, refused when empty or blank (``--scheduler "$SCHED"`` with ``SCHED`` unset):
    taken as no scheduler, the job ran on this machine's cores, hours of a cluster's work, saying nothing."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "an empty address (an unset variable in the command line?); give the scheduler's, "
            "e.g. tcp://10.0.0.5:8786, or leave --scheduler out to run here"
        )
    return text


def add_batch_arguments(
    p: argparse.ArgumentParser, shards: bool = False, error_code: int = 1, light: bool = False
) -> None:
    """The options of DESIGN.md §7 for batch commands (``shards``: also ``--shard-size``; ``light``: the
    command's per-image work is cheaper than shipping it to a worker, so ``--workers`` defaults to 1,
    ``core.batch.make_executor``).
    ``error_code``: the command's exit code when its executor cannot start or go on (``BatchSetupError``,
    reported by ``cli.main`` when it stops a job under way)."""
    p.set_defaults(batch_error_code=error_code)
    g = p.add_argument_group("running on several cores or a cluster (see docs/scaling.md)")
    where = g.add_mutually_exclusive_group()  # the cluster has its own workers
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="local worker processes (default: 1 = in this process: sending an image to a worker costs more "
        "than the work on it)"
        if light
        else "local worker processes (default: every core for a large job of >= 200 images or >= 10 s, "
        "else 1 = in this process)",
    )
    where.add_argument(
        "--scheduler",
        type=scheduler_address,
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786); its workers "
        "need PixelProof installed and read the images themselves: they leave this machine",
    )
    g.add_argument(
        "--path-map",
        action=PathMapAction,
        default=[],
        metavar="LOCAL=REMOTE",
        help="with --scheduler: workers see files under LOCAL at REMOTE (repeatable)",
    )
    if shards:
        g.add_argument(
            "--shard-size",
            type=positive_int,
            metavar="N",
            help="write the result as COCO projects of N images each into the folder -o OUT "
            "(for datasets too large for one file; `pixelproof merge` assembles them)",
        )


def batch_options(args: argparse.Namespace) -> BatchOptions:
    """The parsed flags (checked by the parser ``add_batch_arguments`` set up: nothing left to refuse).
    ``--path-map`` is where a cluster's workers see the files: this process and its local worker
    processes read them where they are, so without ``--scheduler`` it is set aside (and said so)."""
    path_map = PathMap.parse(args.path_map)
    if path_map.pairs and not args.scheduler:
        warn(
            "--path-map applies with --scheduler only (a cluster's workers); "
            "this run reads the files where they are"
        )
        path_map = PathMap()
    return BatchOptions(
        workers=capped_workers(args.workers),
        scheduler=args.scheduler,
        path_map=path_map,
        shard_size=getattr(args, "shard_size", None),
    )


def read_at(
    project: Project, images: Iterable[ImageRecord], options: BatchOptions
) -> Callable[[str], str | None] | None:
    """For ``FailureLines``: an image's path as a cluster's workers read it, when ``--path-map`` makes it
    another than the project's (None without a map: the failure lines' own path is the one read)."""
    if not (options.scheduler and options.path_map.pairs):
        return None
    from pixelproof.inference.batch import worker_path

    by_name = {im.file_name: im for im in images}

    def where(name: str) -> str | None:
        image = by_name.get(name)
        if image is None:
            return None
        mapped = worker_path(project, image, options.path_map)
        return None if mapped == worker_path(project, image, PathMap()) else mapped

    return where


def check_path_map(
    options: BatchOptions, paths: Iterable[str], *, verb: str = "read", no_files: str = ""
) -> None:
    """Before the run on a cluster: warn of each ``--path-map`` that maps none of ``paths``, the files the
    job's workers ``verb`` (as this machine names them), or, ``paths`` being none, that the workers read no
    file at all (``no_files`` says why): such a map changes nothing, and the run looks right until every
    image fails. Every command that takes ``--path-map`` calls it."""
    if options.scheduler and options.path_map.pairs:
        for line in unused_path_maps(options.path_map, paths, verb, no_files):
            warn(line)


def unused_path_maps(
    path_map: PathMap, paths: Iterable[str], verb: str = "read", no_files: str = ""
) -> list[str]:
    """A line for each ``--path-map LOCAL=REMOTE`` under whose LOCAL none of ``paths`` (the files a job's
    workers read, as this machine names them) lies: such a map changes nothing, the workers are sent the
    paths as they are, and every image fails on them (or, where the workers see the same paths, the map
    was no use). Mostly a LOCAL named otherwise than the project names its files: a folder reached
    through a symbolic link, or a mount point under another name. No ``paths`` at all: ``no_files``."""
    left, first = list(path_map.pairs), None
    unmapped = PathMap()
    for path in paths:
        first = first or unmapped(path)
        left = [pair for pair in left if not PathMap((pair,)).maps(path)]
        if not left:
            break
    if first is None:
        return [f"--path-map {local}={remote} changes nothing: {no_files}" for local, remote in left]
    return [
        f"--path-map {local}={remote} maps none of the files this job's workers {verb} (the first: {first}); "
        "they are sent the paths as they are: give LOCAL as those paths begin (a folder reached through "
        "a symbolic link has another path)"
        for local, remote in left
    ]


def capped_workers(workers: int | None) -> int | None:
    """``--workers N`` with N at most the cores this process may use, said on stderr when cut: more
    processes than cores only share them (workers x threads <= cores) while each holds a copy of the
    model in memory. None (the default) is left to the executor."""
    cores = available_cores()
    if workers is None or workers <= cores:
        return workers
    warn(f"--workers {workers}: this machine has {plural(cores, 'core')}; running {plural(cores, 'worker')}")
    return cores


def announce(executor: Executor) -> None:
    """Say where a job runs on worker processes or a cluster (stderr), so a user sees their flags took
    effect (not a small job's lanes in this process: that is how a small job runs). What it says mid-job
    (a cluster left without workers) goes to stderr too."""
    executor.on_note = say_mid_job
    if not executor.in_process:
        print(f"pixelproof: running on {executor.describe()}", file=sys.stderr)


def feed_bar(bar: ProgressBar) -> Callable[[Progress], None]:
    """The executor's progress (completed tasks, locally or on a cluster) drawn by the command's one
    progress bar, which shows images/s and the ETA."""

    def feed(p: Progress) -> None:
        bar(p.done, p.total)

    return feed
