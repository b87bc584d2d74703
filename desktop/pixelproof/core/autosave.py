"""Autosave files (DESIGN.md §3): the project as JSON, with a first member saying whose autosave it is (the
process, so a running app's autosave is never offered for recovery), which project file it belongs to and
which version of that file its edits started from (so recovering over a file someone saved since never
replaces their work silently). A saved project's autosave is ``<name>.json.autosave`` beside it; a new,
never saved project's lives in the app's recovery folder (the app chooses where)."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from pixelproof.core.atomic import FileState, pid_alive, write_target
from pixelproof.core.coco import ProjectFormatError, atomic_write, dumps_project, load_project
from pixelproof.core.model import Project
from pixelproof.core.project_json import read_json
from pixelproof.core.save_targets import check_output_path

HEADER_KEY = "pixelproof_autosave"
SUFFIX = ".autosave"


def autosave_path_for(path: Path) -> Path:
    """``<name>.json.autosave`` next to the project file itself: a symlink's target, as its lock, backup and
    change log are (beside a link, it was offered only when the project was opened by that link again);
    named as ``path`` names it when that is no link."""
    real, here = write_target(path), Path(path)
    return (
        here.with_name(here.name + SUFFIX)
        if real == Path(os.path.abspath(here))
        else real.with_name(real.name + SUFFIX)
    )


@dataclass(frozen=True)
class AutosaveInfo:
    """An autosave's first member."""

    project: Path | None  # the project file (a new project: where its image names point from)
    base_size: int | None  # the project file its edits started from (None: a new project)
    base_sha256: str | None
    pid: int
    host: str
    saved: str  # local time, for the recovery question
    images: int

    def running(self) -> bool:
        """Its app still runs (on another host: cannot tell, so assumed)."""
        return self.host != socket.gethostname() or pid_alive(self.pid)

    def base_state(self) -> FileState | None:
        """The project file as the edits found it (a save then compares the file with it)."""
        if self.project is None or self.base_sha256 is None or self.base_size is None:
            return None
        return FileState(self.project, 0, self.base_size, bytes.fromhex(self.base_sha256))

    def base_changed(self) -> bool:
        """True when the project file is no longer the one the edits started from."""
        base = self.base_state()
        return base is not None and base.changed_since()


def write_autosave(target: Path, project: Project, base: FileState | None) -> None:
    """Write ``project`` to ``target`` (atomically) with the header; ``base``: the project file as its
    edits found it (None for a new project). A folder that is gone (a share unmounted, the folder renamed
    or deleted) is ``ProjectSaveError`` naming it, as a save says it. Raises ``ProjectSaveError`` or
    ``OSError``. A link in ``target``'s place is replaced, never written through (``follow_links``): the
    autosave is ours, and a link made there in a shared folder would have it replace the file of whoever
    edits the project."""
    check_output_path(target, follow_links=False)
    header = {
        "project": None if project.path is None else str(project.path),
        "base": None if base is None else {"size": base.size, "sha256": base.sha256.hex()},
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "saved": time.strftime("%Y-%m-%d %H:%M"),
        "images": len(project.images),
    }
    data = dumps_project(project)  # "{" newline, then one member a line
    line = json.dumps(HEADER_KEY) + ": " + json.dumps(header) + ","
    atomic_write(target, b"{\n" + line.encode() + data[1:], follow_links=False)


def read_info(path: Path) -> AutosaveInfo | None:
    """The header alone (its first lines: cheap for a big project); None when it has none or it is
    unreadable (an autosave written before headers, or a broken file)."""
    try:
        with open(path, encoding="utf-8") as f:
            first, line = f.readline(), f.readline()
        key, _, value = line.partition(": ")
        if first.strip() != "{" or key != json.dumps(HEADER_KEY):
            return None
        return _info(json.loads(value.rstrip().rstrip(",")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _info(header: dict) -> AutosaveInfo:
    base = header.get("base") or {}
    project = header.get("project")
    return AutosaveInfo(
        Path(project) if isinstance(project, str) else None,
        int(base["size"]) if "size" in base else None,
        str(base["sha256"]) if "sha256" in base else None,
        int(header["pid"]),
        str(header["host"]),
        str(header.get("saved", "")),
        int(header.get("images", 0)),
    )


def read_autosave(path: Path) -> tuple[Project, AutosaveInfo | None]:
    """The autosaved project (its header taken out) and the header. Raises ``ProjectFormatError``."""
    project = load_project(path)
    header = project.extra.pop(HEADER_KEY, None)
    try:
        info = _info(header) if isinstance(header, dict) else None
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ProjectFormatError(path, [f"{HEADER_KEY}: not an autosave header"]) from None
    return project, info


def same_as_file(auto: Path, project_file: Path) -> bool:
    """The autosave holds exactly the project ``project_file`` holds, parsed and compared member by member,
    its header and the change log's head aside (a save moves the head on; the content is what a recovery
    would bring back). An app killed between a save and the removal of its autosave leaves one: offered,
    it said "file changed since" of work that is all in the file. False when either cannot be read, or a
    value differs by as little as one object (that one is offered as before)."""
    return compare_with_file(auto, project_file)[0]


def compare_with_file(auto: Path, project_file: Path) -> tuple[bool, dict | None]:
    """(``same_as_file``, the autosave's ``time_spent`` table when the time spent on images is all that
    differs, else None). An app killed after stepping through images leaves an autosave of nothing but
    those counters (time recorded leaves the document clean): asking to "recover" it alarmed for no edit.
    Both files parsed once."""
    try:
        mine, saved = read_json(auto), read_json(project_file)
    except ProjectFormatError:
        return False, None
    if not isinstance(mine, dict) or not isinstance(saved, dict):
        return False, None
    mine.pop(HEADER_KEY, None)
    for data in (mine, saved):
        app = data.get("pixelproof")
        if isinstance(app, dict):
            app.pop("history", None)
    if mine == saved:
        return True, None
    times = [_pop_time(data) for data in (mine, saved)]
    return False, (times[0] if mine == saved and isinstance(times[0], dict) else None)


def _pop_time(data: dict) -> object:
    """Take the ``time_spent`` table out of a project's parsed JSON (an app member left empty by it goes
    too: a project whose only app data was time)."""
    app = data.get("pixelproof")
    if not isinstance(app, dict):
        return None
    spent = app.pop("time_spent", None)
    if not app:
        data.pop("pixelproof")
    return spent


def keep_time_spent(project: Project, spent: dict) -> int:
    """Add an autosave's ``time_spent`` table to ``project`` (loaded from its file): per image and author
    the larger of the two figures (time only grows, and another writer may have saved time of its own
    since), for the images it still has; a malformed entry is passed over. Returns how many images'
    figures grew."""
    current = project.app.get("time_spent")
    table = dict(current) if isinstance(current, dict) else {}
    grown = 0
    for key, per_author in spent.items():
        if not isinstance(per_author, dict) or not str(key).isdigit() or int(key) not in project.images:
            continue
        entry = dict(table.get(str(key))) if isinstance(table.get(str(key)), dict) else {}
        before = dict(entry)
        for author, seconds in per_author.items():
            if isinstance(author, str) and _seconds(seconds) > _seconds(entry.get(author)):
                entry[author] = round(float(seconds), 1)
        if entry != before:
            table[str(key)] = entry
            grown += 1
    if grown:
        project.app["time_spent"] = table
    return grown


def _seconds(value: object) -> float:
    """A time-spent figure, or 0 for anything that is not one (a malformed file's)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e9
    return float(value) if ok else 0.0  # type: ignore[arg-type]
