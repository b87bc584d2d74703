"""Named versions of a project: ``tag`` stores a compact snapshot beside it, ``checkout`` reads one back.

``<name>.json`` keeps its versions in the folder ``<name>.versions/``: ``<tag>.json.gz`` is the project
file as it was saved when tagged (gzip-compressed bytes, typically 5-10x smaller than the file), and
``tags.json`` lists the tags with their message, author, time and the history entry they sit on. A snapshot
is the saved file itself, not a re-serialization, so checking it out gives exactly what was tagged.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core import history
from pixelproof.core.atomic import kept_until_done, write_target
from pixelproof.core.coco import ProjectFormatError, atomic_write, project_from_dict, read_json
from pixelproof.core.limits import LimitError, open_regular
from pixelproof.core.model import Project, utc_now
from pixelproof.core.names import windows_device

_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
INDEX = "tags.json"
# a tag made before tags recorded their size: its snapshot may inflate to this many times its file at
# most (the gzip of a project is 5-10x smaller), so a planted gzip bomb is refused, not held in memory
SNAPSHOT_RATIO = 100


class VersionError(ValueError):
    """A tag cannot be made or read (bad name, unknown tag, damaged snapshot)."""


@dataclass(slots=True)
class Tag:
    name: str
    file: str
    time: str
    author: str | None
    message: str
    sha256: str
    history: int | None  # the history entry (seq) the tagged file sits on, if it has a history
    size: int | None = None  # the tagged file's bytes (tags made before it was recorded: None)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def versions_dir(project_path: str | os.PathLike[str]) -> Path:
    """Beside the file itself (a symlinked project's target), as its change log is."""
    p = write_target(project_path)
    return p.with_name(p.stem + ".versions")


def check_tag_name(name: str) -> None:
    """Tags become file names: letters, digits, '.', '_' and '-' only, no leading dot (no '..' escapes)."""
    if not _TAG.match(name) or ".." in name:
        raise VersionError(
            f"tag {name!r}: use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if windows_device(name):
        raise VersionError(f"tag {name!r}: Windows keeps it for a device (a file of that name would be none)")


def list_tags(project_path: str | os.PathLike[str]) -> list[Tag]:
    """The project's tags, oldest first; ``VersionError`` when there is no project file there (its
    tags, if any, are not listed as if the project were fine)."""
    if not os.path.isfile(project_path):
        state = "is a folder, not a project file" if os.path.isdir(project_path) else "file not found"
        raise VersionError(f"{project_path}: {state}")
    index = versions_dir(project_path) / INDEX
    if not index.is_file():
        return []
    try:
        data = read_json(index)
        tags = [Tag(**{k: t.get(k) for k in Tag.__slots__}) for t in data["tags"]]
        for t in tags:
            if not (isinstance(t.name, str) and isinstance(t.sha256, str)):
                raise TypeError("a tag without a name or hash")
            if not all(v is None or type(v) is int for v in (t.history, t.size)):
                raise TypeError(f"tag {t.name!r}: history and size are whole numbers")
        return tags
    except (ProjectFormatError, KeyError, TypeError, AttributeError) as e:
        raise VersionError(f"{index}: not a tag index ({e})") from None


def _write_index(project_path: str | os.PathLike[str], tags: list[Tag]) -> None:
    data = orjson.dumps({"tags": [t.to_dict() for t in tags]}, option=orjson.OPT_INDENT_2)
    atomic_write(versions_dir(project_path) / INDEX, data + b"\n", follow_links=False)


def tag(
    project_path: str | os.PathLike[str],
    name: str,
    message: str = "",
    author: str | None = None,
    *,
    force: bool = False,
) -> Tag:
    """Snapshot the saved project file under ``name``; refuses an existing tag unless ``force``."""
    check_tag_name(name)
    path = Path(project_path)
    try:
        with open_regular(path, str(path)) as f:
            raw = f.read()
    except LimitError as e:
        raise VersionError(str(e)) from None
    except OSError as e:
        raise VersionError(f"{path}: cannot read the project: {e.strerror or e}") from None
    try:
        app = orjson.loads(raw).get("pixelproof") or {}
        if not isinstance(app, dict):
            raise AttributeError
    except (orjson.JSONDecodeError, AttributeError):
        raise VersionError(f"{path}: not a project file (run `pixelproof validate`)") from None
    tags = list_tags(path)
    if any(t.name == name for t in tags) and not force:
        raise VersionError(f"{path}: tag {name!r} exists already (use --force to move it)")
    for t in tags:  # Windows and macOS: one file for both names, the other tag's snapshot replaced
        if t.name != name and t.name.casefold() == name.casefold():
            raise VersionError(
                f"{path}: tag {name!r} differs from tag {t.name!r} only in case; use another name"
            )
    folder = versions_dir(path)
    if folder.is_symlink():  # a side folder: nothing written through a link (README, Safety)
        raise VersionError(
            f"{folder}: is a symbolic link (to {os.readlink(folder)}), not the folder PixelProof keeps "
            "tags in; nothing written through it: remove the link (or put the folder itself there)"
        )
    folder.mkdir(exist_ok=True)
    snap = folder / f"{name}.json.gz"
    head = app.get("history", {}).get("head") if isinstance(app.get("history"), dict) else None
    entry = Tag(
        name,
        f"{name}.json.gz",
        utc_now(),
        author,
        message,
        hashlib.sha256(raw).hexdigest(),
        head if isinstance(head, int) else None,
        len(raw),
    )
    # the snapshot and the index recording its hash stand or fall together: an index a full disk
    # refused leaves a moved tag's old snapshot (which its recorded hash still matches), a new one none
    with kept_until_done(snap):
        atomic_write(snap, gzip.compress(raw, compresslevel=6, mtime=0), follow_links=False)
        _write_index(path, [t for t in tags if t.name != name] + [entry])
    return entry


def snapshot_bytes(project_path: str | os.PathLike[str], name: str) -> bytes:
    """The project file as tagged (checked against its recorded hash)."""
    check_tag_name(name)
    found = [t for t in list_tags(project_path) if t.name == name]
    if not found:
        known = ", ".join(t.name for t in list_tags(project_path)) or "none"
        raise VersionError(f"{project_path}: no tag {name!r} (tags: {known})")
    snap = versions_dir(project_path) / f"{name}.json.gz"
    raw = _inflate(snap, found[0].size)
    if hashlib.sha256(raw).hexdigest() != found[0].sha256:
        raise VersionError(f"{snap}: the snapshot does not match its recorded hash (damaged)")
    return raw


def _inflate(snap: Path, size: Any) -> bytes:
    """The snapshot's bytes, inflated no further than the tag's recorded size (or ``SNAPSHOT_RATIO`` times
    the file for an older tag); a FIFO or device named as the snapshot is refused without blocking."""
    try:
        with open_regular(snap, str(snap)) as f:
            packed = f.read()
        limit = size if isinstance(size, int) and size >= 0 else max(len(packed) * SNAPSHOT_RATIO, 1 << 20)
        inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # gzip's framing
        raw = inflate.decompress(packed, limit + 1)
    except (OSError, LimitError, zlib.error) as e:
        raise VersionError(f"{snap}: cannot read the snapshot: {e}") from None
    if len(raw) > limit:
        raise VersionError(
            f"{snap}: the snapshot inflates past {limit:,} bytes, more than was tagged (damaged)"
        )
    if not inflate.eof:
        raise VersionError(f"{snap}: cannot read the snapshot: it ends early (truncated)")
    return raw


def checkout(project_path: str | os.PathLike[str], name: str) -> Project:
    """The project as tagged, with the project's path (relative image names resolve as they did) and the
    tagged state as its change log baseline, as a loaded file has: written out unchanged it is the tagged
    file (same ``history`` head), not a new log entry that adds every object."""
    snap = versions_dir(project_path) / f"{name}.json.gz"
    raw = snapshot_bytes(project_path, name)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise VersionError(f"{snap}: not JSON: {e}") from None
    project = project_from_dict(data, source=snap)
    project.path = Path(project_path)
    history.capture(project)
    return project
