"""``pixelproof taxonomy ACTION ...``: show, describe, export/apply, rename, merge, split, delete (issue 16).

Changes edit the project in place (its ``.bak`` keeps the previous file) or write ``-o OUT``; each is the
same ``core.edits`` edit the app makes, and the change log records it.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from pixelproof.commands._common import (
    apply_and_save,
    error,
    load_or_report,
    refuse_outputs,
    shown,
    warn,
)
from pixelproof.core.errors import error_text
from pixelproof.core.model import IdsExhausted
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("taxonomy", help="categories: guidelines, taxonomy files, rename/merge/split/delete")
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_: str, *, output: bool = True) -> argparse.ArgumentParser:
        a = acts.add_parser(name, help=help_)
        if name != "apply":
            a.add_argument("project", help="project .json")
        if output:
            a.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
            a.add_argument(
                "--author", metavar="NAME", help="who makes the change (history; default: the user identity)"
            )
        return a

    action("show", "list the categories with object counts and descriptions", output=False)
    a = action(
        "export", "write the taxonomy (JSON, or YAML for .yaml/.yml), example crops embedded", output=False
    )
    a.add_argument("-o", "--output", required=True, metavar="FILE", help="taxonomy file to write")
    a = acts.add_parser("apply", help="apply a taxonomy file to a project (categories matched by name)")
    a.add_argument("taxonomy", help="taxonomy .json / .yaml")
    a.add_argument("project", help="project .json")
    a.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    a.add_argument(
        "--author", metavar="NAME", help="who makes the change (history; default: the user identity)"
    )
    a = action("rename", "rename a category")
    a.add_argument("old", help="the category's name")
    a.add_argument("new", help="its new name")
    a = action("merge", "move the objects of SOURCE to TARGET and delete SOURCE")
    a.add_argument("source", help="category whose objects move (deleted after)")
    a.add_argument("target", help="category they move to")
    a = action("split", "split a category in two: objects stay in FIRST and are set to pending review")
    a.add_argument("category", help="the category to split")
    a.add_argument("first", help="its new name (it keeps its id and objects; may be CATEGORY)")
    a.add_argument("second", help="name of the new, empty category")
    a = action("delete", "delete a category, reassigning its objects or deleting them")
    a.add_argument("category", help="the category to delete")
    how = a.add_mutually_exclusive_group(required=True)
    how.add_argument("--reassign", metavar="OTHER", help="give its objects this category")
    how.add_argument("--delete-objects", action="store_true", help="delete its objects with it")
    a = action("describe", "set a category's description, guideline (Markdown file) and example crops")
    a.add_argument("category", help="the category to describe")
    a.add_argument("--description", metavar="TEXT", help="one line")
    a.add_argument("--guideline-file", metavar="FILE", help="Markdown file with the labelling guideline")
    a.add_argument(
        "--example",
        action="append",
        default=[],
        metavar="FILE_NAME:X,Y,W,H",
        help="an example crop from a project image (repeatable; replaces the examples)",
    )
    p.set_defaults(run=run)


def _example(text: str) -> dict:
    name, sep, box = text.rpartition(":")
    try:
        values = [float(v) for v in box.split(",")]
    except ValueError:
        values = []
    if not sep or len(values) != 4:
        raise ValueError(f"--example {text!r}: expected FILE_NAME:X,Y,W,H")
    return {"file_name": name, "bbox": values}


def run(args: argparse.Namespace) -> int:
    from pixelproof.core import taxonomy

    output = getattr(args, "output", None)
    if refuse_outputs(output, projects=args.action != "export"):
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    try:
        if args.action == "show":
            _show(project)
            return 0
        if args.action == "export":
            return _export(project, args)
        edit, note = _edit(project, args)
    except IdsExhausted:
        raise  # the CLI's usage exit (2), as every command's
    except taxonomy.ClassLockedError as e:  # how to unlock them, as a command to copy
        command = f"pixelproof unlock {shlex.quote(args.project)} --category {shlex.quote(e.name)}"
        error(shown(f"{args.project}: {e.problems[0]}: {command}"))
        return 1
    except (taxonomy.TaxonomyError, ValueError, OSError) as e:
        problems = e.problems if isinstance(e, taxonomy.TaxonomyError) else [error_text(e)]
        for p in problems:
            error(p)
        return 1
    return _save(project, edit, note, args)


def _edit(project, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from pixelproof.core import taxonomy
    from pixelproof.core.limits import read_text

    a = args.action
    if a == "rename":
        edit = taxonomy.rename_category(project, args.old, args.new)
        return edit, taxonomy.rules_note(edit)
    if a == "merge":
        edit = taxonomy.merge_categories(project, args.source, args.target)
        return edit, taxonomy.rules_note(edit)
    if a == "split":
        edit, ids = taxonomy.split_category(project, args.category, args.first, args.second)
        return edit, f"{len(ids)} objects of {args.first} set to pending review (move those of {args.second})"
    if a == "delete":
        edit = taxonomy.delete_category(project, args.category, args.reassign)
        return edit, taxonomy.rules_note(edit)
    if a == "apply":
        plan = taxonomy.apply_taxonomy(project, taxonomy.read_taxonomy(args.taxonomy))
        note = f"{plural(len(plan.added), 'category')} added, {len(plan.updated)} updated"
        if plan.not_in_taxonomy:
            note += f"; not in the taxonomy (kept): {', '.join(plan.not_in_taxonomy)}"
        return plan.edit, note
    values: dict = {"description": args.description}
    if args.guideline_file:
        values["guideline"] = read_text(args.guideline_file, max_bytes=4 * taxonomy.MAX_TEXT)
    if args.example:
        values["examples"] = [_example(e) for e in args.example]
        for ex in values["examples"]:
            if project.image_by_file_name(ex["file_name"]) is None:
                raise ValueError(f"--example: no image {ex['file_name']!r} in the project")
    return taxonomy.describe_category(project, args.category, **values), ""


def _save(project, edit, note: str, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    saved = apply_and_save(project, edit, tool="taxonomy", author=args.author, output=args.output)
    if saved is None:
        return 1
    print(shown(f"{args.output or args.project}: {edit.label}" + (f"; {note}" if note else "")))
    return 0


def _show(project) -> None:  # type: ignore[no-untyped-def]
    from pixelproof.core.taxonomy import info

    counts: dict[int, int] = {}
    for a in project.annotations.values():
        counts[a.category_id] = counts.get(a.category_id, 0) + 1
    for c in project.categories.values():
        data = info(c)
        extras = []
        if data.get("guideline"):
            extras.append("guideline")
        if data.get("examples"):
            extras.append(f"{len(data['examples'])} examples")
        tail = f"  [{', '.join(extras)}]" if extras else ""
        about = shown(data.get("description", ""))
        print(f"{c.id:>4}  {shown(c.name):<24}{counts.get(c.id, 0):>8}  {about}{tail}")


def _export(project, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from pixelproof.core.coco import ProjectSaveError
    from pixelproof.core.taxonomy import export_taxonomy, write_taxonomy

    if Path(args.output).resolve() == Path(args.project).resolve():
        error(f"{args.output}: would overwrite the project")
        return 1
    data, warnings = export_taxonomy(project)
    for w in warnings:
        warn(w)
    try:
        write_taxonomy(data, args.output)
    except ProjectSaveError as e:
        error(str(e))
        return 1
    print(f"{args.output}: {plural(len(data['categories']), 'category')}")
    return 0
