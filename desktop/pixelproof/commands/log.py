"""``pixelproof log PROJECT [--json] [-n N]``: the project's change log, newest first (issue 16)."""

from __future__ import annotations

import argparse
import json

from pixelproof.commands._common import error, load_or_report, positive_int, shown, warn
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help="the project's change log (<name>.history.jsonl), newest first")
    p.add_argument("project", help="project .json")
    p.add_argument("-n", type=positive_int, metavar="N", help="only the N newest entries")
    p.add_argument("--json", action="store_true", help="print the entries as a JSON list")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.history import read_log
    from pixelproof.core.versions import VersionError, list_tags

    project = load_or_report(args.project)
    if project is None:
        return 1
    app = project.app.get("history")
    head = app.get("head") if isinstance(app, dict) else None
    entries, problems = read_log(args.project, head if isinstance(head, int) else None)
    for p in problems:
        warn(p)
    try:
        tags: dict[int, list[str]] = {}
        for t in list_tags(args.project):
            if t.history is not None:
                tags.setdefault(t.history, []).append(t.name)
    except VersionError as e:
        error(str(e))
        tags = {}
    if not entries and not args.json:
        print(f"{args.project}: no history yet")
    if args.n is not None:
        entries = entries[: args.n]
    if args.json:
        print(json.dumps(entries, indent=1, ensure_ascii=False))
        return 0
    for e in entries:
        print(_line(e, tags.get(e["seq"], [])))
    return 0


def _line(e: dict, tags: list[str]) -> str:
    t = e.get("totals", {})
    parts = [f"#{e['seq']} {e.get('time', '?')} {e.get('author', '?')} [{e.get('tool', '?')}]"]
    if tags:
        parts.append(f"(tag {', '.join(tags)})")
    if not e.get("committed", True):
        parts.append("NOT COMMITTED (the save failed or was interrupted)")
    parts.append(
        f"+{t.get('added', 0)} -{t.get('removed', 0)} ~{t.get('changed', 0)} objects "
        f"in {plural(len(e.get('per_image', {})), 'image')}"
    )
    images = e.get("images", {})
    if images.get("added") or images.get("removed"):
        parts.append(f"images +{images.get('added', 0)} -{images.get('removed', 0)}")
    if images.get("relocated"):
        parts.append(f"images relocated {images['relocated']}")
    for change in e.get("taxonomy", []):
        if change.get("change") == "renamed":
            parts.append(f"class {change.get('old', '?')} -> {change.get('new', '?')}")
        else:
            parts.append(f"class {change.get('name')} {change.get('change')}")
    if e.get("review"):
        parts.append("review " + ", ".join(f"{k} {v}" for k, v in sorted(e["review"].items())))
    line = shown("  ".join(parts))
    edits = e.get("edits") or []
    if edits:
        listed = "; ".join(edits[:5]) + (f"; ... ({len(edits)} edits)" if len(edits) > 5 else "")
        line += f"\n    {shown(listed)}"
    return line
