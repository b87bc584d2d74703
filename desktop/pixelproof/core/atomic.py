"""Files that appear whole or not at all: write to a temporary file in the target's folder, flush and
fsync, then ``os.replace`` (DESIGN.md §3). Used for projects, reports and the files batch jobs stream
into: an error, Ctrl+C or Cancel before the end leaves the previous file (or no file) and no temporary."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_output(
    target: str | os.PathLike[str], *, backup: bool = False, text: bool = False, newline: str | None = None
) -> Iterator[IO[Any]]:
    """Yield a file to write ``target``'s new content into; it replaces ``target`` only when the block
    ends without an exception (any exception, KeyboardInterrupt included, removes it and re-raises).

    With ``backup``, ``<name>.bak`` becomes the previous version only once the new file is in place: a
    failure at any step leaves both the file and its old backup as they were. Raises ``OSError``.
    """
    target = Path(target)
    folder = target.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    bak_tmp: Path | None = None
    try:
        mode = "w" if text else "wb"
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if backup and target.exists():
            bak_tmp = _snapshot(target)
        os.replace(tmp_name, target)
        tmp_name = None
        if bak_tmp is not None:
            with contextlib.suppress(OSError):  # the write itself succeeded; a stale .bak is no failure
                os.replace(bak_tmp, target.with_name(target.name + ".bak"))
                bak_tmp = None
        fsync_folder(folder)
    finally:
        for leftover in (tmp_name, bak_tmp):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)


def _snapshot(target: Path) -> Path:
    """A second name for the current file (hard link, or a copy where links are impossible)."""
    tmp = target.with_name(f".{target.name}.bak.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(target, tmp)
    except OSError:
        shutil.copy2(target, tmp)
    return tmp


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op elsewhere or where it is refused)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
