"""Files that appear whole or not at all, without losing anyone's work (DESIGN.md §3, issue 11).

``atomic_output`` writes to a temporary file in the target's folder, flushes and fsyncs, then
``os.replace``: an error, Ctrl+C or Cancel before the end leaves the previous file (or no file) and no
temporary. Used for projects, reports and the files batch jobs stream into. It also

- writes *through* a symlink (the link stays a link, its target gets the new content): the project file a
  user linked. A side file kept beside a project (autosave, lock, a tag's files, a job's manifest) is
  written with ``follow_links=False``: a link in its place is replaced, never written through (a link
  planted in a shared folder would have the write land outside it; README, Safety);
- keeps the replaced file's permission bits and group (a new file gets the umask's, as any program's);
- names its temporary ``.<name>.<host>.<pid>.<token>.tmp`` so a leftover of a killed write can be told
  from a write in progress: the first write into a folder (again after a minute) removes the leftovers
  of this host's processes that are gone (``sweep_dead_writers``), and a project's open or save those of
  its own file (``clean_stale_temporaries``, which also takes any hour-old one);
- with ``unchanged`` (a ``FileState``), refuses with ``FileConflictError`` to replace a file that someone
  else changed since it was read (mtime + size + SHA-256; the hash decides);
- refuses with ``ReadOnlyFileError`` to replace a file this user may not write (``read_only``): the rename
  needs only the folder's permission, so it would undo what its owner did to keep it safe, where a plain
  write (``cp``, a text editor) is refused. A read-only ``<name>.bak`` is kept by the same rule
  (``kept_backup``): the save goes on (a backup is no reason to lose the edits), and says so
  (``say_kept_backups``: the CLI's warning line, whatever command saved; the app says it itself).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pixelproof.core.limits import file_kind

TEMP_SUFFIX = ".tmp"
STALE_AFTER_S = 3600.0  # a temporary nobody touched for an hour is a leftover, whoever made it


class FileConflictError(OSError):
    """The file changed on disk since it was read; it was not overwritten. ``path`` names it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path} was changed on disk since it was opened (by another window or program); not overwritten"
        )


READ_ONLY = "file is read-only (no write permission)"


class ReadOnlyFileError(PermissionError):
    """An existing file this user may not write was not replaced (see ``read_only``). ``path`` names it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        super().__init__(errno.EACCES, READ_ONLY, str(path))

    def __str__(self) -> str:
        return f"{self.path}: {READ_ONLY}; save as another file"


# ------------------------------------------------------------------------------------------------
# fingerprints


@dataclass(frozen=True)
class FileState:
    """What a file was when it was read: enough to tell later whether someone else changed it."""

    path: Path
    mtime_ns: int
    size: int
    sha256: bytes

    @classmethod
    def of(cls, path: str | os.PathLike[str], data: bytes | None = None) -> FileState | None:
        """The state of ``path`` now (``data``: its bytes when the caller just read them); None when
        the file does not exist."""
        p = Path(path)
        try:
            st = os.stat(p)
            if data is None:
                data = p.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return cls(p, st.st_mtime_ns, st.st_size, hashlib.sha256(data).digest())

    def changed_since(self) -> bool:
        """True when the file now differs from this state (content changed, or it is gone). A file
        only touched (same bytes, new mtime) has not changed; same size and mtime with other bytes has
        (a rewrite within a coarse clock tick): the hash decides."""
        try:
            if os.stat(self.path).st_size != self.size:
                return True
        except OSError:
            return True
        now = FileState.of(self.path)
        return now is None or now.sha256 != self.sha256


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when both paths name one file (symlinks and hard links followed); by real path when absent."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


# ------------------------------------------------------------------------------------------------
# atomic output


def read_only(path: str | os.PathLike[str]) -> bool:
    """Whether the file has no write permission for this user (any user, for root, whom ``os.access`` lets
    write anything); a file that cannot be looked at is not."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def write_target(path: str | os.PathLike[str]) -> Path:
    """The file a write of ``path`` really replaces: a symlink's target (resolved once), else ``path``."""
    p = Path(os.path.abspath(path))
    return Path(os.path.realpath(p)) if p.is_symlink() else p


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where a save of ``path`` keeps the version it replaces: ``<name>.bak`` beside the file really
    written (a symlink's target), named as ``path`` names it when that is no link."""
    p = Path(path)
    real = write_target(p)
    return (
        p.with_name(p.name + ".bak")
        if real == Path(os.path.abspath(p))
        else real.with_name(real.name + ".bak")
    )


def kept_backup(path: str | os.PathLike[str]) -> Path | None:
    """The backup of ``path`` a save keeps as it is instead of replacing it with the version it replaces:
    ``<name>.bak`` when it exists and this user may not write it (``read_only``, the rule that keeps a
    read-only file from being replaced); None when a save replaces it (or makes it), as it does a symlink
    there: the rename replaces the link, whatever the file it names (never followed, README Safety)."""
    bak = backup_path(path)
    return bak if os.path.lexists(bak) and not os.path.islink(bak) and read_only(bak) else None


def kept_backup_note(path: str | os.PathLike[str]) -> str:
    """What a save of ``path`` says of a backup it kept (``kept_backup``), the app and the CLI alike; ""
    when it has none to say."""
    bak = kept_backup(path)
    if bak is None:
        return ""
    return (
        f"{bak}: read-only (no write permission), so kept as it was; it is not the version this save "
        "replaced. Give it write permission (chmod u+w) for saves to keep a backup again"
    )


_kept_backup_said: list[Callable[[str], None]] = []  # the CLI's warning line (``say_kept_backups``)


def say_kept_backups(say: Callable[[str], None] | None) -> None:
    """Have every save that keeps a read-only backup (``atomic_output(backup=True)``: a project, a COCO
    export) pass ``kept_backup_note`` to ``say``, whatever command saved: the CLI prints it as a warning
    line. The app says it itself after its save (``ui.project_files``); None stops it."""
    _kept_backup_said[:] = [say] if say is not None else []


def host_tag() -> str:
    """This host's name as it appears in temporary file names."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


NAME_BYTES = 255  # a file name's most bytes on the usual file systems (ext4, NTFS, APFS)


def _name_room(name: str, room: int) -> str:
    """``name`` cut to ``room`` UTF-8 bytes: a temporary for a file named near the limit (an export's
    200-byte stem) must itself be a name the file system takes."""
    raw = name.encode("utf-8", "surrogateescape")
    return name if len(raw) <= room else raw[:room].decode("utf-8", "ignore")


def _temp_name(target: Path, suffix: str = "") -> Path:
    """A fresh ``.<name>.<host>.<pid>.<token>.tmp<suffix>`` beside ``target``: the name every temporary
    of this module has, so a killed write's is told from a write in progress and swept."""
    tail = f".{host_tag()}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}{suffix}"
    return target.with_name(f".{_name_room(target.name, NAME_BYTES - 1 - len(tail))}{tail}")


def _open_temp(target: Path, like: os.stat_result | None, suffix: str = "") -> tuple[int, Path]:
    """A new temporary file beside ``target`` with the permission bits and group of ``like`` (the file
    it will replace) or, for a new file, those the umask gives; ``suffix`` after ``.tmp``."""
    tmp = _temp_name(target, suffix)
    mode = 0o600 if like is not None else 0o666  # the kernel applies the umask to 0o666
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    if like is not None:
        with contextlib.suppress(OSError, AttributeError):  # fchown: only to a group we belong to
            os.fchown(fd, -1, like.st_gid)
        if hasattr(os, "fchmod"):
            try:
                os.fchmod(fd, stat.S_IMODE(like.st_mode))
            except OSError:
                os.close(fd)
                os.unlink(tmp)
                raise
    return fd, tmp


@contextlib.contextmanager
def atomic_output(
    target: str | os.PathLike[str],
    *,
    backup: bool = False,
    text: bool = False,
    newline: str | None = None,
    unchanged: FileState | None = None,
    sync: bool = True,
    follow_links: bool = True,
) -> Iterator[IO[Any]]:
    """Yield a file to write ``target``'s new content into; it replaces ``target`` only when the block
    ends without an exception (any exception, KeyboardInterrupt included, removes it and re-raises).

    With ``backup``, ``<name>.bak`` becomes the previous version only once the new file is in place: a
    failure at any step leaves both the file and its old backup as they were; a read-only backup is kept
    as it is (``kept_backup``), the file still written. With ``unchanged``, the
    file is replaced only if it still is as that state says (hashed while the new content is written,
    then its stat checked again just before the rename), else ``FileConflictError``. A file this user may
    not write is not replaced: ``ReadOnlyFileError``. ``sync`` False skips the fsyncs: for the many small
    files of a folder export, whole or absent after an error or Ctrl+C (not after a power cut), where an
    fsync each would cost more than the writing. ``follow_links`` False: a symlink at ``target`` is
    replaced by the new file (the rename takes its place), never written through: a side file of
    PixelProof's own. Raises ``OSError``.
    """
    real = write_target(target) if follow_links else Path(os.path.abspath(target))
    folder = real.parent
    try:
        like: os.stat_result | None = os.stat(real) if follow_links else os.lstat(real)
    except FileNotFoundError:
        like = None
    if like is not None and stat.S_ISLNK(like.st_mode):
        like = None  # the link itself goes: the new file is made as a new file is
    if like is not None and not (stat.S_ISREG(like.st_mode) or stat.S_ISDIR(like.st_mode)):
        # os.replace would put a file in place of a FIFO a reader waits on, or of a device (as root,
        # /dev/null itself)
        raise OSError(f"{target}: is {file_kind(like.st_mode)}, not a file to replace; nothing written")
    if like is not None and read_only(real):
        raise ReadOnlyFileError(target)
    seen = _Background(lambda: FileState.of(unchanged.path)) if unchanged is not None else None
    _sweep_now_and_then(folder)
    fd, tmp_name = _open_temp(real, like)
    tmp: Path | None = tmp_name
    bak_tmp: Path | None = None
    try:
        mode = "w" if text else "wb"
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline=newline) as f:
            yield f
            f.flush()
            if sync:
                os.fsync(f.fileno())
        if unchanged is not None and _differs(unchanged, seen.result()):
            raise FileConflictError(Path(target))
        kept = backup and like is not None and kept_backup(real) is not None
        if backup and like is not None and not kept:
            bak_tmp = _snapshot(real)
        os.replace(tmp_name, real)
        tmp = None
        for say in _kept_backup_said if kept else ():
            say(kept_backup_note(target))
        if bak_tmp is not None:
            with contextlib.suppress(OSError):  # the write itself succeeded; a stale .bak is no failure
                os.replace(bak_tmp, backup_path(real))
                bak_tmp = None
        if sync:
            fsync_folder(folder)
    except OSError as e:
        named = _naming(e, target, tmp_name)
        if named is e:
            raise
        raise named from e
    finally:
        for leftover in (tmp, bak_tmp):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)


def _naming(e: OSError, target: str | os.PathLike[str], tmp: Path) -> OSError:
    """``e`` naming ``target``, the file the user asked for, where it named no file (a write's or fsync's
    "No space left on device") or the hidden temporary (a rename's ``.tmp -> target``): every message
    built from it (``errors.error_text``) says which file was not written. Any other ``e`` as it is."""
    if e.errno is None or (e.filename is not None and os.fsdecode(e.filename) != os.fspath(tmp)):
        return e
    return OSError(e.errno, e.strerror, os.fspath(target))


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str = "") -> Iterator[Path]:
    """A temporary file's path beside ``target`` for a library that writes by file name (nibabel picks
    its format by the name's ``suffix``, ``.nii.gz``), renamed over ``target`` when the block ends without
    an exception and removed otherwise. Named as ``atomic_output``'s temporaries (``suffix`` after
    ``.tmp``), so a killed write's is removed as theirs are. A link at ``target`` is replaced, not written
    through; no fsync, backup or conflict check. Raises ``OSError``."""
    real = Path(os.path.abspath(target))
    _sweep_now_and_then(real.parent)
    fd, tmp = _open_temp(real, None, suffix)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, real)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _differs(expected: FileState, seen: FileState | None) -> bool:
    """``seen`` (read while the new file was written) is not ``expected``, or changed since."""
    if seen is None or seen.sha256 != expected.sha256:
        return True
    try:
        st = os.stat(seen.path)
    except OSError:
        return True
    return (st.st_mtime_ns, st.st_size) != (seen.mtime_ns, seen.size)


class _Background:
    """Run ``func`` in a thread (hashing releases the GIL, so it overlaps writing the new file)."""

    def __init__(self, func: Callable[[], Any]) -> None:
        self._value: list[Any] = []
        self._error: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(func,), daemon=True)
        self._thread.start()

    def _run(self, func: Callable[[], Any]) -> None:
        try:
            self._value.append(func())
        except BaseException as e:  # handed to the caller in result()
            self._error.append(e)

    def result(self) -> Any:
        self._thread.join()
        if self._error:
            raise self._error[0]
        return self._value[0]


def _snapshot(target: Path) -> Path:
    """A second name for the current file (hard link, or a copy where links are impossible), a temporary
    of its own: a copy a full disk cut short is removed, and two writers never share one."""
    tmp = _temp_name(target)
    try:
        os.link(target, tmp)
    except OSError:
        try:
            shutil.copy2(target, tmp)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return tmp


@contextlib.contextmanager
def kept_until_done(path: str | os.PathLike[str]) -> Iterator[None]:
    """Put ``path`` back as it was when the block fails (any exception): a step that replaces it and a
    later step that must go with it (a tag's snapshot and the index recording its hash) stand or fall
    together. The file is kept under a second name meanwhile (``_snapshot``); a file that was not there
    is removed again. Raises ``OSError`` when the file cannot be kept."""
    real = write_target(path)
    aside = _snapshot(real) if os.path.lexists(real) else None
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            if aside is not None:
                os.replace(aside, real)
                aside = None
            else:
                os.unlink(real)
        raise
    finally:
        if aside is not None:
            with contextlib.suppress(OSError):
                os.unlink(aside)


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


# ------------------------------------------------------------------------------------------------
# leftovers of killed writes


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (POSIX; elsewhere assumed alive)."""
    if os.name != "posix":
        return True  # cannot tell cheaply: the age rule applies
    if not 0 < pid < 2**31:  # no process has it (a hand-edited lock); kill(0 or -1) would ask a group
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


# .<file name>.<host>.<pid>.<token>.tmp[.ext[.ext]] (host_tag: no dots; ASCII digits: '²' is no pid)
_TEMP_NAME = re.compile(
    r"\.(?P<file>.+)\.(?P<host>[A-Za-z0-9-]{1,40})\.(?P<pid>[0-9]{1,10})\.[0-9a-f]{8}"
    + re.escape(TEMP_SUFFIX)
    + r"(?:\.[A-Za-z0-9]{1,8}){0,2}",
    re.ASCII,
)


def _dead_writers(name: str) -> bool:
    """``name`` is a temporary made by a process of this host that is gone (killed mid-write)."""
    m = _TEMP_NAME.fullmatch(name)
    return m is not None and m["host"] == host_tag() and not pid_alive(int(m["pid"]))


def _temp_is_stale(name: str, mtime: float, now: float) -> bool:
    return now - mtime > STALE_AFTER_S or _dead_writers(name)


def clean_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove temporaries that killed writes of ``path`` (or of its autosave) left beside it.

    A temporary is stale when the process that made it (on this host) is gone, or when nobody touched
    it for ``STALE_AFTER_S``; a write running in another process right now is left alone.
    """
    real = write_target(path)
    prefix = f".{real.name}."  # also matches .<name>.autosave.* and .<name>.bak.tmp
    now = time.time()

    def stale(entry: os.DirEntry) -> bool:
        name = entry.name
        if not (name.startswith(prefix) and (name.endswith(TEMP_SUFFIX) or _TEMP_NAME.fullmatch(name))):
            return False
        st = entry.stat(follow_symlinks=False)
        return stat.S_ISREG(st.st_mode) and _temp_is_stale(name, st.st_mtime, now)

    return _remove_files(real.parent, stale)


def _remove_files(folder: str | os.PathLike[str], pick: Callable[[os.DirEntry], bool]) -> list[Path]:
    """Unlink the entries of ``folder`` that ``pick`` chooses; one that vanishes or cannot be removed
    (or a folder that cannot be read) is passed over. Returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        try:
            if not pick(entry):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


SWEEP_EVERY_S = 60.0  # a folder written again and again (an export's thousands of files) is swept once
_swept: dict[str, float] = {}  # folder -> when this process last swept it (time.monotonic)


def sweep_dead_writers(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove from ``folder`` the temporaries of writes killed outright (SIGKILL, a crash, the machine
    going down: no clean-up ran), whatever file they were for: those a process of this host made that is
    gone. Never a live process's (a write in progress) nor another host's (its processes cannot be
    asked: a shared folder). Returns what it removed; a folder it cannot read is left alone."""
    return _remove_files(folder, lambda e: _dead_writers(e.name) and e.is_file(follow_symlinks=False))


def _sweep_now_and_then(folder: Path) -> None:
    """``sweep_dead_writers`` before a write into ``folder``: the first time this process writes there,
    and again when a minute has passed (a long-running app writes the same folder later)."""
    key, now = os.fspath(folder), time.monotonic()
    last = _swept.get(key)
    if last is not None and now - last < SWEEP_EVERY_S:
        return
    _swept[key] = now
    sweep_dead_writers(folder)
