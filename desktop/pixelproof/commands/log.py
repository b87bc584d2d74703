"""``pixelproof log PROJECT [--json] [-n N] [--since T] [--until T] [--by-user] [--by-day]``: the project's
change log, newest first (issue 16), or who did what (``core.history_users``)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from pixelproof.commands._common import add_examples, error, load_or_report, positive_int, shown, warn
from pixelproof.core.history_users import Row, Span, in_span, parse_time, summarise
from pixelproof.core.names import shown_name
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help="the project's change log (<name>.history.jsonl), newest first")
    p.add_argument("project", help="project .json")
    p.add_argument("-n", type=positive_int, metavar="N", help="only the N newest entries")
    p.add_argument("--json", action="store_true", help="print the entries (or rows) as a JSON list")
    p.add_argument(
        "--since", type=_since, metavar="T", help="only entries from T on (a day 2026-03-01 or a UTC time)"
    )
    p.add_argument("--until", type=_until, metavar="T", help="only entries up to T (a day is included whole)")
    p.add_argument(
        "--by-user",
        action="store_true",
        help="per author: entries, objects added / changed / removed, review decisions, images touched, "
        "first and last time",
    )
    p.add_argument(
        "--by-day", action="store_true", help="the same totals per UTC day (with --by-user: per both)"
    )
    add_examples(
        p,
        "pixelproof log project.json --by-user",
        "pixelproof log project.json --by-user --by-day --since 2026-03-01",
    )
    p.set_defaults(run=run)


def _since(text: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _until(text: str) -> datetime:
    try:
        return parse_time(text, end=True)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.history import read_log
    from pixelproof.core.versions import VersionError, list_tags

    project = load_or_report(args.project)
    if project is None:
        return 1
    app = project.app.get("history")
    head = app.get("head") if isinstance(app, dict) else None
    state = project.file_state  # its digest picks the head's entry where two writers raced for a seq
    digest = state.sha256.hex() if state is not None else None
    entries, problems = read_log(args.project, head if isinstance(head, int) else None, digest)
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
    entries, unreadable = in_span(entries, Span(args.since, args.until))
    if unreadable:
        warn(f"{args.project}: {plural(unreadable, 'entry', 'entries')} without a readable time (left out)")
    if args.n is not None:
        entries = entries[: args.n]
    if args.by_user or args.by_day:
        return _totals(entries, args)
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
    if edits:  # each label one line of at most ``NAME_SHOWN`` characters: a hand-edited one can be a book
        listed = "; ".join(shown_name(label) for label in edits[:5])
        listed += f"; ... ({len(edits)} edits)" if len(edits) > 5 else ""
        line += f"\n    {shown(listed)}"
    return line


_COLUMNS = ("entries", "added", "changed", "removed", "reviewed", "images")


def _totals(entries: list[dict], args: argparse.Namespace) -> int:
    """``--by-user`` / ``--by-day``: one row per author and/or day."""
    rows, uncommitted = summarise(entries, by_user=args.by_user, by_day=args.by_day)
    if uncommitted:
        left = plural(uncommitted, "entry", "entries")
        warn(f"{args.project}: {left} not committed (a failed save; left out)")
    if args.json:
        print(json.dumps([r.as_json() for r in rows], indent=1, ensure_ascii=False))
        return 0
    if not rows:
        if entries:  # (no history at all was said already)
            print(f"{args.project}: no committed entries")
        elif args.since or args.until:
            print(f"{args.project}: no entries in that range")
        return 0
    keys = [k for k, on in (("user", args.by_user), ("day", args.by_day)) if on]
    table = [[*keys, *_COLUMNS, "first", "last", "tools"]] + [_cells(r, keys) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    for line in table:
        cells = [
            c.ljust(w) if i < len(keys) else c.rjust(w)
            for i, (c, w) in enumerate(zip(line[:-1], widths, strict=True))
        ]
        print("  ".join([*cells, line[-1]]))
    return 0


def _cells(r: Row, keys: list[str]) -> list[str]:
    j = r.as_json()
    tools = ", ".join(f"{t} {n}" for t, n in j["tools"].items())
    return (
        [shown(j[k]) for k in keys]
        + [str(j[c]) for c in _COLUMNS]
        + [j["first"] or "?", j["last"] or "?", shown(tools)]
    )
