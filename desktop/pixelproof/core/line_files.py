"""Files written a line at a time, beside a project: its change log (``core.history``), a batch job's journal
(``core.batch.checkpoint``). Each line is appended whole and fsynced; a line a crash cut short is taken back
by the next append; a FIFO or symlink in the file's place is refused. Split out of ``core.atomic``."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import orjson

from pixelproof.core.atomic import fsync_folder
from pixelproof.core.limits import file_kind


def append_line(path: str | os.PathLike[str], line: bytes, unless: Callable[[], bool] | None = None) -> bool:
    """Append ``line`` (ending in a newline) to ``path`` and fsync it, the file made if need be (its
    folder then fsynced too): what a log or journal of JSON lines needs. A last line an earlier append
    left without its newline is a write a crash cut short (``kill -9`` mid-append): it is taken back
    when it is no JSON (``pixelproof log`` named it as a damaged line ever after), else ended, so this
    one is not glued to it; a write cut short here (a full disk takes part of the line, then refuses
    the rest) is taken back. The file is locked meanwhile (``_lock_exclusive``: every appender of this
    module waits for the others), so a line being written is never taken for one cut short. With
    ``unless``, nothing is written when ``unless()`` says so under the lock: a check of the file's last
    line and the append that relies on it are one step for two writers. A new file gets the umask's
    permission bits, as a saved project does: a change log made 0o644 whatever the umask was one the
    group sharing the project's folder could not append to, so their saves were refused. Returns
    whether the line was written. A FIFO, device or symlink there is refused (OSError naming it): a line
    longer than a pipe's buffer blocked the save for good, and a link put beside the project had each
    save append to the file it names, anywhere. Raises OSError."""
    made = not os.path.lexists(path)
    fd = open_own(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        _lock_exclusive(fd)
        if unless is not None and unless():
            return False
        start = os.fstat(fd).st_size
        if start:
            os.lseek(fd, start - 1, os.SEEK_SET)  # to read the last byte (O_APPEND writes at the end)
            if os.read(fd, 1) != b"\n":
                torn = _torn_line_start(fd, start)
                if torn is None:
                    line = b"\n" + line
                else:
                    os.ftruncate(fd, torn)
                    start = torn
        rest = memoryview(line)
        try:
            while rest:
                rest = rest[os.write(fd, rest) :]
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)  # which also lets go of the lock
    if made:
        fsync_folder(Path(path).parent)
    return True


def _torn_line_start(fd: int, end: int) -> int | None:
    """Where the last line of the open file ``fd`` (``end`` bytes, its last one no newline) starts when it
    is no JSON: a line a killed appender cut short (every line written is one JSON value). None when it
    is JSON (a hand edit that dropped the final newline): kept, ended."""
    parts: list[bytes] = []
    pos = end
    while pos > 0:  # a block at a time from the end, as ``history.last_seq`` reads the last line
        step = min(65536, pos)
        pos -= step
        os.lseek(fd, pos, os.SEEK_SET)
        block = b""
        while len(block) < step and (more := os.read(fd, step - len(block))):
            block += more
        cut = block.rfind(b"\n")
        parts.append(block[cut + 1 :])
        if cut >= 0:
            pos += cut + 1
            break
    try:
        orjson.loads(b"".join(reversed(parts)))
    except orjson.JSONDecodeError:
        return pos
    return None


def open_own(path: str | os.PathLike[str], flags: int = os.O_RDONLY) -> int:
    """``path`` opened with ``flags`` (``os.O_CREAT`` makes it, the umask applied) when it is a regular file
    of its own: no symlink followed, a FIFO not waited on (the change log, a journal: files kept beside
    the project that nobody should point elsewhere). Raises OSError whose ``strerror`` says what is there
    instead (``FileNotFoundError`` when nothing is)."""
    extra = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | extra, 0o666)
    except FileNotFoundError:
        raise
    except OSError as e:
        if os.path.islink(path):
            raise OSError(e.errno, "is a symbolic link, not a file of its own", str(path)) from e
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise OSError(errno.EINVAL, f"is {file_kind(mode)}, not a file", str(path))
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


_LOCK_AT = 1 << 40  # Windows locks bytes (mandatory): one far past any log's end, never read or written


def _lock_exclusive(fd: int) -> None:
    """Wait for an exclusive lock on the open file ``fd`` (released when it is closed): ``flock`` on POSIX,
    which also keeps two threads of one process apart (each open file its own lock); ``msvcrt.locking``
    on Windows. Where the file system has no locks (some network shares) the append goes on unlocked."""
    try:
        import fcntl
    except ImportError:
        import msvcrt

        with contextlib.suppress(OSError):  # LK_LOCK: retried for 10 s, then OSError
            os.lseek(fd, _LOCK_AT, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        return
    with contextlib.suppress(OSError):  # ENOLCK: an NFS mount without its lock service
        fcntl.flock(fd, fcntl.LOCK_EX)
