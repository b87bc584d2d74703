"""The project's change log, ``<name>.history.jsonl`` beside ``<name>.json`` (issue 16).

Every save appends one JSON line: time, author, tool, the edits made (their labels, when known), objects
added / removed / changed per image and class, review decisions (state transitions), image status changes,
category changes and the sources of new objects (manual, model, consensus...).

What changed is found by comparing the project with the state it had when it was loaded or last saved
(a *baseline* kept on ``Project.history``: the annotation objects themselves, so the comparison costs a
dict lookup per unchanged object; edits replace objects, they never change one in place). An id that now
names an object of another image (a deleted object's id reused, an object moved) is a removal on the old
image and an addition on the new one, not a change. Entries form a
chain: each has a ``seq`` and the ``parent`` it follows, and the project file records its ``head``
(``pixelproof.history.head``). The line is appended (and fsynced) before the project file is replaced; if
that replace then fails, the entry is not on the project's chain and ``pixelproof log`` marks it as not
committed. Two writers: the save path's two-writer check covers the project file, and with it the chain.
Two saves at once (two windows, the app and a command) each pick the next ``seq`` before serialising;
the append checks under a lock that no other entry took it meanwhile, else the save numbers again
(``append`` False, ``renumber``), so no two lines share a ``seq``. Each entry also records the SHA-256 of
the project file it was saved with (``file``) and the one it replaced (``parent_file``): reading a log
an older version wrote during such a race, the entry of the file on disk wins its ``seq``, never the
refused writer's.

The author comes from the user identity: the ``--author`` option, else ``PIXELPROOF_AUTHOR`` (the app sets
it from Preferences), else the OS user.
"""

from __future__ import annotations

import copy
import getpass
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core.atomic import same_file, write_target
from pixelproof.core.line_files import append_line, open_own
from pixelproof.core.model import Annotation, Category, Project, utc_now
from pixelproof.core.names import annotator_name

SUFFIX = ".history.jsonl"
_INFO = ("description", "guideline", "examples")


def current_author(explicit: str | None = None) -> str:
    """Who is making a change now (see the module docstring), in NFC: a name typed on macOS and on Linux
    is one author in ``log --by-user``."""
    if explicit:
        return annotator_name(explicit)
    env = os.environ.get("PIXELPROOF_AUTHOR", "").strip()
    if env:
        return annotator_name(env)
    try:
        return annotator_name(getpass.getuser())
    except (OSError, KeyError):  # no user name for this uid (containers)
        return "unknown"


def sidecar(project_path: str | os.PathLike[str]) -> Path:
    """Beside the file itself: a symlinked project's log is its target's, as its backup and lock are."""
    p = write_target(project_path)
    return p.with_name(p.stem + SUFFIX)


@dataclass
class Baseline:
    """The project as last loaded or saved (``annotations`` None: never saved, everything is new), and
    what the next entry should say about who and how."""

    annotations: dict[int, Annotation] | None = None
    categories: dict[int, Category] = field(default_factory=dict)
    images: dict[int, str] = field(default_factory=dict)
    image_status: dict[str, str] = field(default_factory=dict)
    tool: str | None = None
    author: str | None = None
    edits: list[str] = field(default_factory=list)


def capture(project: Project) -> None:
    """Take the project's current state as the baseline (after a load or a save)."""
    old = project.history if isinstance(project.history, Baseline) else None
    status = project.app.get("image_status")
    project.history = Baseline(
        dict(project.annotations),
        {k: copy.deepcopy(c) for k, c in project.categories.items()},
        {i: im.file_name for i, im in project.images.items()},
        dict(status) if isinstance(status, dict) else {},
        old.tool if old else None,
        old.author if old else None,
    )


def note(
    project: Project, *, tool: str | None = None, author: str | None = None, edit: str | None = None
) -> None:
    """Tell the next entry which tool and author made the change, and an edit's label."""
    if not isinstance(project.history, Baseline):
        project.history = Baseline()
    base = project.history
    if tool is not None:
        base.tool = tool
    if author is not None:
        base.author = annotator_name(author)
    if edit:
        base.edits.append(edit)


def _same(a: Annotation, b: Annotation) -> bool:
    return a == b or (a.id == b.id and _key(a) == _key(b))


def _key(a: Annotation) -> tuple:
    return (a.image_id, a.category_id, list(a.bbox), a.segmentation, a.area, a.iscrowd, a.score, a.source,
            a.review, a.note, a.author, a.updated, a.extra, a.app_extra)  # fmt: skip


def changes(
    project: Project, base: Baseline | None, folders: tuple[Path, Path] | None = None
) -> dict[str, Any]:
    """What changed since ``base`` (see the module docstring), as the entry's fields. ``folders``: where
    the baseline's relative image names and the current ones lead from (a save elsewhere renames them
    all; only a name that now leads to another file counts as a relocated image)."""
    base = base if base is not None else Baseline()
    before = base.annotations or {}
    cats = {c.id: c.name for c in project.categories.values()}
    old_cats = {c.id: c.name for c in base.categories.values()} or cats
    names = {i: im.file_name for i, im in project.images.items()}
    per_image: dict[str, dict[str, list[int]]] = {}
    review: Counter[str] = Counter()
    sources: Counter[str] = Counter()

    def count(image_name: str, category: str, slot: int) -> None:
        per_image.setdefault(image_name, {}).setdefault(category, [0, 0, 0])[slot] += 1

    def removed(b: Annotation) -> None:
        image = names.get(b.image_id) or base.images.get(b.image_id, str(b.image_id))
        count(image, old_cats.get(b.category_id, str(b.category_id)), 1)

    for aid, a in project.annotations.items():
        b = before.get(aid)
        if b is a:
            continue
        if b is not None and _same(a, b):
            continue
        if b is not None and b.image_id != a.image_id:  # the id now names an object of another image
            removed(b)
            b = None
        cat = cats.get(a.category_id, str(a.category_id))
        count(names.get(a.image_id, str(a.image_id)), cat, 0 if b is None else 2)
        sources[(a.source or "manual").split(":")[0]] += 1
        if b is not None and b.review != a.review:
            review[f"{b.review or 'none'}->{a.review or 'none'}"] += 1
    for aid, b in before.items():
        if aid not in project.annotations:
            removed(b)
    per_class: dict[str, list[int]] = {}
    for classes in per_image.values():
        for cat, (a, r, c) in classes.items():
            row = per_class.setdefault(cat, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + a, row[1] + r, row[2] + c
    status_now = project.app.get("image_status") if isinstance(project.app.get("image_status"), dict) else {}
    status = Counter(
        f"{base.image_status.get(k, 'todo')}->{v}"
        for k, v in status_now.items()
        if base.image_status.get(k, "todo") != v
    )
    return {
        "totals": {
            k: sum(row[n] for row in per_class.values())
            for n, k in enumerate(("added", "removed", "changed"))
        },
        "per_class": per_class,
        "per_image": per_image,
        "review": dict(review),
        "image_status": dict(status),
        "taxonomy": _taxonomy(base.categories, project.categories) if base.annotations is not None else [],
        "sources": dict(sources),
        "images": {
            "added": sum(1 for i in project.images if i not in base.images)
            if base.annotations is not None
            else len(project.images),
            "removed": sum(1 for i in base.images if i not in project.images),
            "relocated": _relocated(project, base, folders),
        },
    }


def _relocated(project: Project, base: Baseline, folders: tuple[Path, Path] | None) -> int:
    """Images whose name leads to another file than at the baseline (``image_folder.find_moved``)."""
    old, new = folders if folders is not None else (Path(), Path())
    n = 0
    for iid, name in base.images.items():
        image = project.images.get(iid)
        if image is None or image.file_name == name:
            continue
        if os.path.realpath(os.path.join(old, name)) != os.path.realpath(os.path.join(new, image.file_name)):
            n += 1
    return n


def _taxonomy(before: dict[int, Category], after: dict[int, Category]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cid, c in after.items():
        old = before.get(cid)
        if old is None:
            out.append({"change": "added", "name": c.name})
            continue
        if old.name != c.name:
            out.append({"change": "renamed", "old": old.name, "new": c.name})
        if any(old.app_extra.get(k) != c.app_extra.get(k) for k in _INFO):
            out.append({"change": "described", "name": c.name})
    out += [{"change": "removed", "name": c.name} for cid, c in before.items() if cid not in after]
    return out


# ------------------------------------------------------------------------------------------------
# writing (called by the save path) and reading


@dataclass
class Pending:
    """An entry prepared for a save: appended before the project file is replaced."""

    path: Path
    entry: dict[str, Any]
    previous_app: Any
    parent_file: str | None = None  # the SHA-256 (hex) of the file this save replaces, when known


def prepare(project: Project, target: Path) -> Pending | None:
    """Compute the entry for saving ``project`` to ``target`` and point the project's head at it. None when
    nothing changed since it was loaded or saved (such a save adds no entry and leaves the file as it was)."""
    base = project.history if isinstance(project.history, Baseline) else None
    folder = Path(os.path.abspath(target)).parent
    fields = changes(
        project, base, (Path(os.path.abspath(project.path)).parent if project.path else folder, folder)
    )
    path = sidecar(target)
    known = base is not None and base.annotations is not None
    changed = (
        any(fields["totals"].values())
        or fields["taxonomy"]
        or fields["image_status"]
        or any(fields["images"].values())
    )
    if known and not changed:  # an untouched project saves as it was loaded (no entry, no new head)
        return None
    previous = copy.deepcopy(project.app.get("history"))
    head = previous.get("head") if isinstance(previous, dict) and is_seq(previous.get("head")) else None
    entry = {
        "seq": 0,  # numbered below
        "parent": head,
        "time": utc_now(),
        "author": (base.author if base else None) or current_author(),
        "tool": (base.tool if base else None) or "manual",
        "edits": list(base.edits) if base else [],
        **fields,
    }
    state = project.file_state
    replaced = state.sha256.hex() if state is not None and same_file(state.path, target) else None
    pending = Pending(path, entry, previous, replaced)
    renumber(project, pending)
    return pending


def renumber(project: Project, pending: Pending) -> None:
    """Give the entry the ``seq`` after the log's last line and the head's, and point the head at it:
    when it is prepared, and again when another writer's entry took that ``seq`` meanwhile."""
    head = pending.entry["parent"]
    seq = max(last_seq(pending.path), head if is_seq(head) else 0) + 1
    pending.entry["seq"] = seq
    project.app["history"] = {"head": seq}


def append(pending: Pending, file_sha256: str) -> bool:
    """Append the entry as one line and fsync it (``line_files.append_line``), recording the SHA-256 (hex) of
    the project bytes it goes with; False, nothing written, when the log's last line already has this
    ``seq`` or a later one (another writer saved meanwhile: ``renumber``, serialise again, retry).
    Raises OSError."""
    entry = {**pending.entry, "file": file_sha256, "parent_file": pending.parent_file}
    seq = entry["seq"]
    return append_line(pending.path, orjson.dumps(entry) + b"\n", lambda: last_seq(pending.path) >= seq)


def abort(project: Project, pending: Pending) -> None:
    """The save failed: the project's head goes back (the appended line, if any, stays off the chain)."""
    if pending.previous_app is None:
        project.app.pop("history", None)
    else:
        project.app["history"] = pending.previous_app


def committed(project: Project) -> None:
    """The save succeeded: the saved state is the new baseline; the notes are used up."""
    capture(project)
    project.history.edits = []


MAX_SEQ = 2**53 - 1  # a seq past it is a hand edit: JSON readers in doubles lose it, orjson refuses 2**64


def is_seq(value: Any) -> bool:
    """Whether ``value`` is a seq an entry (or the project's head) may have: a whole number 0..MAX_SEQ
    (not true/false). A hand-edited last line's "abc" made every save raise, its 1e300 had each save
    refused for a seq past 64 bits."""
    return type(value) is int and 0 <= value <= MAX_SEQ


def last_seq(path: Path) -> int:
    """The ``seq`` of the last line of a history file (0 when there is none, or it is no ``is_seq``, or the
    file cannot be read: ``append`` then says why). Read from the end a block at a time, each block looked
    at once: a last line of 100 MB without a break was copied again at each of its 1,600 blocks. A FIFO
    is not waited on (``line_files.open_own``): a save hung on one."""
    parts: list[bytes] = []
    try:
        with os.fdopen(open_own(path), "rb") as f:
            pos = f.seek(0, os.SEEK_END)
            ended = False  # past the newlines that end the file
            while pos > 0:
                step = min(65536, pos)
                pos -= step
                f.seek(pos)
                block = f.read(step)
                if not ended:
                    block = block.rstrip(b"\n")
                    ended = bool(block)
                cut = block.rfind(b"\n")
                parts.append(block[cut + 1 :])
                if cut >= 0:
                    break
    except OSError:
        return 0
    try:
        entry = orjson.loads(b"".join(reversed(parts)))
    except orjson.JSONDecodeError:
        return 0
    seq = entry.get("seq") if isinstance(entry, dict) else None
    return seq if is_seq(seq) else 0


_ENTRY_FIELDS = {
    "totals": dict,
    "per_image": dict,
    "images": dict,
    "review": dict,
    "taxonomy": list,
    "edits": list,
}


def _is_entry(e: Any) -> bool:
    """``e`` has an entry's shape where readers rely on it (a hand-edited line may not)."""
    if not isinstance(e, dict) or not is_seq(e.get("seq")):
        return False
    if any(k in e and not isinstance(e[k], t) for k, t in _ENTRY_FIELDS.items()):
        return False
    return all(isinstance(c, dict) for c in e.get("taxonomy", [])) and all(
        isinstance(x, str) for x in e.get("edits", [])
    )


PROBLEMS_NAMED = 10  # damaged lines of the log named one by one; the rest counted in one line


def log_bytes(path: Path) -> bytes:
    """The bytes of the change log ``path``: a FIFO there is not waited on, a symlink not followed out of
    the project's folder (``line_files.open_own``; ``pixelproof log`` hung on a FIFO and printed the problems
    of whatever file a link named). Raises OSError (``FileNotFoundError`` when there is none)."""
    with os.fdopen(open_own(path), "rb") as f:
        return f.read()


def read_log(
    project_path: str | os.PathLike[str], head: int | None, file_sha256: str | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every entry, newest first, each with ``committed`` (on the chain from ``head``; ``file_sha256``:
    the project file's, hex, which picks the head's entry among lines sharing its ``seq``), and problems
    (unreadable lines, by line number: the first ``PROBLEMS_NAMED``, then how many more)."""
    path = sidecar(project_path)
    entries: list[dict[str, Any]] = []
    problems = []
    try:
        raw = log_bytes(path)
    except FileNotFoundError:
        return [], []
    except OSError as e:
        return [], [f"{path}: cannot read: {e.strerror or e}"]
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            e = orjson.loads(line)
        except orjson.JSONDecodeError:
            problems.append(f"{path}:{n}: not a JSON line (skipped)")
            continue
        if not _is_entry(e):
            problems.append(f"{path}:{n}: not a history entry (skipped)")
            continue
        entries.append(e)
    by_seq: dict[int, list[dict[str, Any]]] = {}
    for e in entries:
        by_seq.setdefault(e["seq"], []).append(e)
    chain: set[int] = set()  # ids of the entries on the chain
    cur, digest = head, file_sha256
    while isinstance(cur, int) and cur in by_seq:
        e = _pick(by_seq[cur], digest)
        if id(e) in chain:
            break
        chain.add(id(e))
        cur, digest = e.get("parent"), e.get("parent_file")
    for e in entries:
        e["committed"] = id(e) in chain
    if len(problems) > PROBLEMS_NAMED:  # a log of a million damaged lines printed a million warnings
        more = len(problems) - PROBLEMS_NAMED
        problems[PROBLEMS_NAMED:] = [f"{path}: {more:,} more lines skipped as not history entries"]
    return entries[::-1], problems


def _pick(same_seq: list[dict[str, Any]], digest: Any) -> dict[str, Any]:
    """Of the lines sharing a ``seq`` (two writers raced; one's save was refused), the one whose recorded
    project digest is ``digest``; without one that tells, the last (as logs were always read)."""
    if len(same_seq) > 1 and isinstance(digest, str):
        for e in same_seq:
            if e.get("file") == digest:
                return e
    return same_seq[-1]
