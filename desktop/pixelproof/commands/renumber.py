"""``pixelproof renumber PROJECT (-o NEW | --in-place) [--map-out FILE]``: images, classes and objects
numbered from 1 in file order, every reference to them with them (``core.renumber``): the way on for a
project whose ids reach 2**63 - 1. Exit 0 renumbered (or nothing to renumber), 1 on errors (the project
cannot be read, holds ids that cannot be renumbered safely, or an output cannot be written)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from pixelproof.commands._common import add_examples, error, load_or_report, refuse_outputs, shown
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.renumber import Renumbered

MAP_FORMAT = 1  # "pixelproof_renumber" of the --map-out file


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "renumber",
        help="number images, classes and objects from 1 again, every reference with them (a new project)",
        description="Number images, categories and objects 1..N in file order and rewrite every reference "
        "to them (statuses, reviews, time, 'not a problem' decisions, overlap versions, consensus, links "
        "between objects); the last_*_id marks come down to the new highest ids. The result is a new "
        "project: shards split from the old file cannot be merged into it (merge refuses them), and ids "
        "known outside (reports, other tools) name other things in it - --map-out writes the translation.",
    )
    p.add_argument("project", help="project .json")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--output", metavar="NEW", help="write the renumbered project here")
    where.add_argument(
        "--in-place",
        action="store_true",
        help="replace PROJECT (atomically; its previous version in <name>.json.bak)",
    )
    p.add_argument("--map-out", metavar="FILE", help="write the old -> new ids of each kind as JSON")
    add_examples(
        p,
        "pixelproof renumber project.json -o renumbered.json --map-out ids.json",
        "pixelproof renumber project.json --in-place",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.limits import same_file

    source = Path(args.project)
    target = source if args.in_place else Path(args.output)
    if not args.in_place and same_file(target, source):
        error(f"{args.output}: is {args.project} itself; give --in-place to renumber it in place")
        return 1
    if refuse_outputs(target, projects=True) or refuse_outputs(args.map_out):  # in place: read-only?
        return 1
    if args.map_out and any(same_file(Path(args.map_out), p) for p in (source, target)):
        error(f"{args.map_out}: would overwrite the project; choose another --map-out")
        return 1
    if not args.in_place:
        return _renumber(args, source, target)
    from pixelproof.core.lock import acquire_lock, release_lock

    holder = acquire_lock(source)  # the app holding it open would save its old ids over the new file
    if holder is not None:
        error(f"{args.project}: open in PixelProof by {holder.describe()}; close it there first")
        return 1
    try:
        return _renumber(args, source, target)
    finally:
        release_lock(source)


def _renumber(args: argparse.Namespace, source: Path, target: Path) -> int:
    from pixelproof.core import history
    from pixelproof.core.atomic import READ_ONLY, atomic_output, backup_path, kept_backup
    from pixelproof.core.coco import ProjectSaveError, atomic_write, save_project
    from pixelproof.core.errors import error_text
    from pixelproof.core.renumber import KINDS, RenumberError, renumber

    project = load_or_report(args.project)
    if project is None:
        return 1
    try:
        done = renumber(project)
    except RenumberError as e:
        for problem in e.problems:
            error(f"{args.project}: cannot renumber: {problem}")
        return 1
    new = done.project
    if args.in_place and done.ids_changed and (bak := kept_backup(source)) is not None:
        error(  # the old numbering would be lost: what shards split before now merge into
            f"{bak}: {READ_ONLY}; renumber --in-place keeps the project as it was there (to merge "
            "shards split before now into); give it write permission, or renumber to -o NEW"
        )
        return 1
    log, log_to = history.sidecar(source), history.sidecar(target)
    try:
        carried = _log_to_carry(log, log_to, args.in_place)
    except OSError as e:  # a FIFO or a symlink where a change log is
        error(f"{e.filename or log}: cannot read the change log: {e.strerror or e}")
        return 1
    if carried is False:
        error(f"{log_to}: holds the change log of another project; choose another -o, or remove it")
        return 1
    written_map = False
    try:
        if args.map_out:
            maps = {kind: {str(old): n for old, n in done.maps[kind].items()} for kind in KINDS}
            with atomic_output(args.map_out, text=True) as fh:
                head = {"pixelproof_renumber": MAP_FORMAT, "project": str(source.resolve())}
                fh.write(json.dumps({**head, "output": str(target.resolve()), **maps}, indent=1) + "\n")
            written_map = True
        if isinstance(carried, bytes):
            atomic_write(log_to, carried)
        save_project(new, None if args.in_place else target)
    except (ProjectSaveError, OSError) as e:
        error(error_text(e))
        if written_map:  # it would describe a renumbering that did not happen
            Path(args.map_out).unlink(missing_ok=True)
        return 1
    print(
        shown(_summary(done, args.project, args.output))
    )  # files named as typed, as every command names them
    if args.in_place and done.ids_changed:  # the old numbering: what shards split before now merge into
        bak = shown(str(backup_path(source)))
        print(f"{bak} holds the project as it was until its next save: merge shards split before now into it")
    return 0


def _log_to_carry(log: Path, log_to: Path, in_place: bool) -> bytes | bool | None:
    """The change log to copy beside the new file (it names images and classes by name, so it is the new
    project's history too): its bytes, None when there is nothing to copy, False when another log is
    there already (it would be replaced)."""
    from pixelproof.core import history
    from pixelproof.core.limits import same_file

    if in_place or same_file(log, log_to):
        return None
    try:
        old: bytes | None = history.log_bytes(log)
    except FileNotFoundError:
        old = None
    try:
        there = history.log_bytes(log_to)
    except FileNotFoundError:
        return old
    return None if there == old else False


def _summary(done: Renumbered, project: str, output: str | None) -> str:
    """One line: how many ids of each kind changed, the marks, the references removed. ``project`` and
    ``output`` (None: in place) as the user typed them."""
    removed = sum(done.removed.values())
    where = output or project
    if not done.ids_changed and not removed:
        copy = f" (copied to {output})" if output else ""
        return f"{project}: ids already run from 1 in file order; nothing to renumber{copy}"
    words = {"images": "image", "categories": "category", "annotations": "object"}
    parts = [f"{done.changed(k)} of {plural(len(done.maps[k]), words[k] + ' id')}" for k in words]
    line = f"{where}: renumbered from 1: {', '.join(parts)} changed"
    if done.marks_lowered:
        line += "; last_*_id marks set to the highest ids"
    if removed:
        places = ", ".join(f"{place} {n}" for place, n in done.removed.items())
        line += f"; {plural(removed, 'reference')} to ids no longer in the project removed ({places})"
    return line
