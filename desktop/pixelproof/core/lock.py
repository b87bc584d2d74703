"""An advisory lock while the app has a project open: ``.<name>.lock`` beside it names who holds it
(user, host, pid, since), so a second window can say who and let the user open anyway or break a stale
lock. Locks are advisory: a save still checks the file itself (``atomic.FileState``), which also covers
the CLI and other programs."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from pixelproof.core.atomic import pid_alive, write_target
from pixelproof.core.line_files import open_own

LOCK_SUFFIX = ".lock"
MAX_LOCK_BYTES = 64 << 10  # a lock holds a few names; more is not a lock


@dataclass(frozen=True)
class LockHolder:
    """Who holds a project's lock file."""

    user: str
    host: str
    pid: int
    since: str

    def describe(self) -> str:
        return f"{self.user} on {self.host} (process {self.pid}, since {self.since})"

    def is_stale(self) -> bool:
        """The holder's process is gone (only knowable for a lock taken on this host)."""
        return self.host == socket.gethostname() and not pid_alive(self.pid)

    def is_me(self) -> bool:
        return self.host == socket.gethostname() and self.pid == os.getpid()


def lock_path(path: str | os.PathLike[str]) -> Path:
    """``.<name>.lock`` beside the project file (hidden, like the temporaries)."""
    real = write_target(path)
    return real.with_name(f".{real.name}{LOCK_SUFFIX}")


def read_lock(path: str | os.PathLike[str]) -> LockHolder | None:
    """The holder of ``path``'s lock, or None when there is none (an unreadable lock counts as none).

    Only a regular file of its own is read (``open_own``), and only its first ``MAX_LOCK_BYTES``: a FIFO
    planted there would block the open forever, a link to ``/dev/zero`` fill the memory, a link to another
    project's lock have this one held by its holder; such a link is no lock, replaced when the lock is
    taken (``_create_whole`` never writes through one)."""
    try:
        with os.fdopen(open_own(lock_path(path)), "rb") as f:
            data = json.loads(f.read(MAX_LOCK_BYTES).decode("utf-8"))
        return LockHolder(str(data["user"]), str(data["host"]), int(data["pid"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # LimitError is a ValueError
        return None


_held: dict[Path, int] = {}  # lock file -> how many documents of this process hold it


def acquire_lock(path: str | os.PathLike[str], force: bool = False) -> LockHolder | None:
    """Take ``path``'s lock. Returns None when taken, else the live holder (nothing changed then).

    A stale lock (its process is gone) is taken over; ``force`` takes over any lock ("break the lock").
    Locks are advisory: saving still checks the file itself (``FileState``). Each successful call
    needs one ``release_lock``.
    """
    target = lock_path(path)
    holder = read_lock(path)
    if holder is not None and holder.is_me() and _held.get(target):
        _held[target] += 1
        return None
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        user = "unknown"
    me = {
        "user": user,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": time.strftime("%Y-%m-%d %H:%M"),
    }
    body = (json.dumps(me) + "\n").encode("utf-8")
    for _ in range(2):
        try:
            _create_whole(target, body)
        except FileExistsError:
            holder = read_lock(path)
            if holder is not None and not force and not holder.is_stale() and not holder.is_me():
                return holder
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
            continue
        except OSError:
            return None  # a read-only folder: nobody can save here anyway; do not block opening
        _held[target] = 1
        return None
    return read_lock(path)


def _create_whole(target: Path, body: bytes) -> None:
    """Create ``target`` holding ``body``, never visible empty (a second app that read it made but not yet
    written took it for no lock): written aside, then hard-linked into place, which fails with
    ``FileExistsError`` like ``O_EXCL``. Where hard links are not allowed (FAT, some network shares), an
    exclusive create, then the write."""
    aside = target.with_name(f"{target.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        try:
            os.link(aside, target)
            return
        except FileExistsError:
            raise
        except OSError:
            pass  # no hard links here
    finally:
        with contextlib.suppress(OSError):
            os.unlink(aside)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as f:
        f.write(body)


def release_lock(path: str | os.PathLike[str]) -> None:
    """Give back one ``acquire_lock``; the lock file goes when the last holder in this process lets go."""
    target = lock_path(path)
    count = _held.get(target, 0) - 1
    if count > 0:
        _held[target] = count
        return
    _held.pop(target, None)
    holder = read_lock(path)
    if holder is not None and holder.is_me():
        with contextlib.suppress(OSError):
            target.unlink()
