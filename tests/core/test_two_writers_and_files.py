"""Saving never loses someone else's work (issue 11, items 1-3 and 6): two writers, symlinks, file mode,
leftover temporaries, the advisory lock."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from pathlib import Path

import pytest

from pixelproof.core import atomic, lock
from pixelproof.core.coco import ProjectConflictError, load_project, save_project
from tests.core.docs import valid_doc, write

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and symlinks")


def test_second_writer_is_refused_and_the_first_writers_work_survives(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    mine, theirs = load_project(path), load_project(path)
    theirs.categories[1].name = "theirs"
    save_project(theirs)
    mine.categories[2].name = "mine"
    with pytest.raises(ProjectConflictError) as info:
        save_project(mine)
    assert str(path) in str(info.value) and "changed on disk" in str(info.value)
    assert load_project(path).categories[1].name == "theirs"  # their save is intact
    assert mine.path == path and mine.categories[2].name == "mine"  # nothing of mine was lost either
    save_project(mine, overwrite=True)  # an explicit choice
    assert load_project(path).categories[2].name == "mine"


def test_a_writer_may_save_again_after_its_own_save(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    for name in ("a", "b", "c"):
        project.categories[1].name = name
        save_project(project)
    assert load_project(path).categories[1].name == "c"


def test_same_size_rewrite_with_the_old_mtime_is_caught_by_the_hash(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    before = os.stat(path)
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"cat"', b'"cow"'))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    with pytest.raises(ProjectConflictError):
        save_project(project)


def test_touch_without_change_is_no_conflict(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    os.utime(path, (time.time() + 5, time.time() + 5))
    project.categories[1].name = "lion"
    save_project(project)
    assert load_project(path).categories[1].name == "lion"


def test_deleted_file_counts_as_changed(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    path.unlink()
    with pytest.raises(ProjectConflictError):
        save_project(project)


def test_save_as_elsewhere_is_not_a_conflict(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    path.write_text(path.read_text().replace('"cat"', '"cow"'))
    save_project(project, tmp_path / "q.json")
    assert load_project(tmp_path / "q.json").categories[1].name == "cat"
    assert load_project(path).categories[1].name == "cow"


@posix_only
def test_save_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real_dir = tmp_path / "shared"
    real_dir.mkdir()
    target = write(real_dir / "p.json", valid_doc())
    link = tmp_path / "link.json"
    link.symlink_to(target)
    project = load_project(link)
    project.categories[1].name = "lion"
    save_project(project)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_project(target).categories[1].name == "lion"
    assert (real_dir / "p.json.bak").is_file() and not (tmp_path / "link.json.bak").exists()
    assert project.path == link  # image names still resolve against the link's folder, as before
    project.categories[1].name = "tiger"
    save_project(project)  # a second save through the link: its state is the target's
    assert load_project(target).categories[1].name == "tiger"


def test_a_hard_linked_project_is_saved_under_its_own_name_the_other_keeps_the_version_before(
    tmp_path: Path,
) -> None:
    """As README says: an atomic save makes a new file, so a second hard link keeps the old content."""
    first = write(tmp_path / "p.json", valid_doc())
    other = tmp_path / "copy.json"
    os.link(first, other)
    before = other.read_bytes()
    project = load_project(first)
    project.categories[1].name = "lion"
    save_project(project)
    assert load_project(first).categories[1].name == "lion"
    assert other.read_bytes() == before and os.stat(other).st_nlink == 2  # with p.json.bak


@posix_only
def test_save_keeps_the_file_mode(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    for mode in (0o644, 0o664, 0o600):
        path.chmod(mode)
        project = load_project(path)
        project.categories[1].name = f"m{mode:o}"
        save_project(project)
        assert stat.S_IMODE(os.stat(path).st_mode) == mode


@posix_only
def test_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        save_project(load_project(write(tmp_path / "p.json", valid_doc())), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o640


def _dead_pid() -> int:
    pid = 2**22 - 7  # above Linux's default pid_max would be ideal; check it is really free
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


@posix_only
def test_stale_temporaries_are_cleaned_on_save(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    host = atomic.host_tag()
    killed = tmp_path / f".p.json.{host}.{_dead_pid()}.abcd1234.tmp"
    killed.write_bytes(b"x" * 1000)
    old_style = tmp_path / ".p.json.k2j3h4.tmp"  # mkstemp name of earlier versions: judged by age
    old_style.write_bytes(b"y")
    os.utime(old_style, (time.time() - 2 * atomic.STALE_AFTER_S,) * 2)
    running = tmp_path / f".p.json.{host}.{os.getpid()}.ffff0000.tmp"  # a save in progress
    running.write_bytes(b"z")
    fresh_other_host = tmp_path / ".p.json.otherhost.12.eeee0000.tmp"
    fresh_other_host.write_bytes(b"w")
    unrelated = tmp_path / ".q.json.x.tmp"
    unrelated.write_bytes(b"q")
    os.utime(unrelated, (time.time() - 2 * atomic.STALE_AFTER_S,) * 2)
    save_project(load_project(path))
    left = {p.name for p in tmp_path.iterdir()}
    assert killed.name not in left and old_style.name not in left
    assert {running.name, fresh_other_host.name, unrelated.name} <= left


@posix_only
def test_a_write_into_a_folder_sweeps_only_dead_writers_temporaries_of_this_host(tmp_path: Path) -> None:
    """Any file's temporary a gone process of this host left, whatever file it was for; not a live one's,
    another host's, a folder or a file merely named alike (a pid in other digits, no token)."""
    host, dead = atomic.host_tag(), _dead_pid()
    gone = [
        tmp_path / f".a.txt.{host}.{dead}.0123abcd.tmp",
        tmp_path / f".v.nii.gz.{host}.{dead}.0123abcd.tmp.nii.gz",
    ]
    stay = [
        tmp_path / f".a.txt.{host}.{os.getpid()}.0123abcd.tmp",  # this process: a write in progress
        tmp_path / f".a.txt.other-{host}.{dead}.0123abcd.tmp",
        tmp_path / f".a.txt.{host}.{dead}.tmp",  # no token: not a name atomic_output gives
        tmp_path / f".a.txt.{host}.\u00b2.0123abcd.tmp",
        tmp_path / "a.txt.tmp",
    ]
    for p in gone + stay:
        p.write_bytes(b"x")
    folder = tmp_path / f".b.txt.{host}.{dead}.89abcdef.tmp"
    folder.mkdir()
    with atomic.atomic_output(tmp_path / "report.csv") as f:
        f.write(b"new")
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in stay} | {folder.name, "report.csv"}


def test_lock_names_its_holder_and_is_released(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    assert lock.acquire_lock(path) is None
    holder = lock.read_lock(path)
    assert holder is not None and holder.pid == os.getpid() and holder.is_me()
    assert lock.acquire_lock(path) is None  # a second document of this process
    lock.release_lock(path)
    assert lock.lock_path(path).exists()  # still held once
    lock.release_lock(path)
    assert not lock.lock_path(path).exists()


def _foreign_lock(path: Path, pid: int, host: str) -> None:
    data = {"user": "ana", "host": host, "pid": pid, "since": "2024-01-01 10:00"}
    lock.lock_path(path).write_text(json.dumps(data))


@posix_only
def test_live_foreign_lock_is_reported_and_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    _foreign_lock(path, os.getppid(), socket.gethostname())  # a live process that is not us
    holder = lock.acquire_lock(path)
    assert holder is not None and holder.user == "ana" and not holder.is_stale()
    assert "ana on" in holder.describe() and str(os.getppid()) in holder.describe()
    assert lock.read_lock(path).user == "ana"
    assert lock.acquire_lock(path, force=True) is None  # breaking it on purpose
    assert lock.read_lock(path).is_me()
    lock.release_lock(path)


@posix_only
def test_stale_lock_is_taken_over(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    _foreign_lock(path, _dead_pid(), socket.gethostname())
    assert lock.read_lock(path).is_stale()
    assert lock.acquire_lock(path) is None and lock.read_lock(path).is_me()
    lock.release_lock(path)
    _foreign_lock(path, 1, "elsewhere")  # another host: only the user can tell whether it is stale
    assert lock.acquire_lock(path).host == "elsewhere"


def test_a_lock_file_is_never_seen_without_its_holder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second app opening the project while the first creates its lock read an empty file (made, not
    yet written), took it for no lock and replaced it: both held the project. The lock now appears whole
    (written aside, then linked into place): whoever looks the moment it exists sees who holds it."""
    project = write(tmp_path / "p.json", valid_doc())
    target = lock.lock_path(project)
    seen: list[object] = []

    def look_when_it_appears(call):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            before = target.exists()
            result = call(*args, **kwargs)
            if not before and target.exists():
                seen.append(lock.read_lock(project))  # what a competitor reads at that instant
            return result

        return wrapped

    monkeypatch.setattr(lock.os, "open", look_when_it_appears(os.open))
    monkeypatch.setattr(lock.os, "link", look_when_it_appears(os.link))
    assert lock.acquire_lock(project) is None
    monkeypatch.undo()
    assert len(seen) == 1 and seen[0] is not None and seen[0].pid == os.getpid()
    lock.release_lock(project)
    assert not target.exists() and not [p for p in tmp_path.iterdir() if "lock" in p.name]


@posix_only
def test_a_lock_that_is_a_fifo_does_not_hang_opening(tmp_path: Path) -> None:
    """A FIFO planted where the lock goes (a shared folder) used to block the open forever: the lock is
    read as a regular file or not at all, and then replaced by a real one."""
    import threading

    path = write(tmp_path / "p.json", valid_doc())
    os.mkfifo(lock.lock_path(path))
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(lock.acquire_lock(path)), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "acquire_lock blocked on a FIFO"
    assert result == [None] and lock.read_lock(path).is_me()
    lock.release_lock(path)
    assert not lock.lock_path(path).exists()


@posix_only
def test_a_symlinked_projects_change_log_and_versions_live_beside_its_target(tmp_path: Path) -> None:
    """The change log and named versions belong to the file (its ``history.head`` points into the log),
    as its backup and lock do: saved or tagged through a link, they are found from the target and from
    any other link to it."""
    from pixelproof.core import history, versions

    real_dir = tmp_path / "shared"
    real_dir.mkdir()
    target = write(real_dir / "p.json", valid_doc())
    link = tmp_path / "mine.json"
    link.symlink_to(target)
    project = load_project(link)
    project.categories[1].name = "lion"
    save_project(project)
    versions.tag(link, "v1")
    other = tmp_path / "elsewhere" / "theirs.json"
    other.parent.mkdir()
    other.symlink_to(target)
    for path in (target, other):
        head = load_project(path).app["history"]["head"]
        entries, problems = history.read_log(path, head)
        assert [e["seq"] for e in entries] == [head] and entries[0]["committed"] and not problems
        assert [t.name for t in versions.list_tags(path)] == ["v1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "mine.json", "shared"]


@posix_only
@pytest.mark.parametrize("pid", ["²", "1" * 30])
def test_a_temporary_named_with_odd_digits_does_not_stop_the_save(tmp_path: Path, pid: str) -> None:
    """``.p.json.<host>.².x.tmp`` beside the project (anyone who can write the folder can put it there):
    ``"²".isdigit()`` is true but ``int("²")`` raised, and every save of the project failed."""
    path = write(tmp_path / "p.json", valid_doc())
    odd = tmp_path / f".p.json.{atomic.host_tag()}.{pid}.abcd1234.tmp"
    odd.write_bytes(b"x")
    save_project(load_project(path))
    assert odd.exists()  # not ours to judge: left alone
    assert load_project(path).images


@posix_only
@pytest.mark.parametrize("pid", [10**30, 0, -1])
def test_a_lock_naming_a_pid_no_process_has_is_stale_not_a_crash(tmp_path: Path, pid: int) -> None:
    """A lock file of this host naming pid 10**30 crashed opening the project (os.kill: OverflowError);
    0 and -1 asked a process group and read as alive. No process has such a pid: the lock is stale."""
    import json
    import socket

    path = write(tmp_path / "p.json", valid_doc())
    holder = {"user": "x", "host": socket.gethostname(), "pid": pid, "since": "2026-01-01T00:00:00Z"}
    lock.lock_path(path).write_text(json.dumps(holder))
    found = lock.read_lock(path)
    assert found is not None and found.pid == pid and found.is_stale()
    assert lock.acquire_lock(path) is None  # a stale lock is taken over
    lock.release_lock(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_as_the_output_is_refused_and_kept(tmp_path: Path) -> None:
    """``-o PIPE`` used to put a regular file in place of the FIFO a reader waits on (and, as root, a
    device such as /dev/null would be replaced the same way)."""
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    refused = r"report\.html: is a FIFO \(named pipe\), not a file to replace"
    with pytest.raises(OSError, match=refused), atomic.atomic_output(fifo) as f:
        f.write(b"<html>")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left


@posix_only
def test_the_change_log_gets_the_umask_mode_as_the_project_does(tmp_path: Path) -> None:
    """A group sharing a folder (umask 002) could open a project made there by another member and not
    save it: its change log was made 0o644 whatever the umask, so the append before each save was
    refused (``could not write the change log ...: Permission denied``)."""
    project = load_project(write(tmp_path / "p.json", valid_doc()))
    next(iter(project.categories.values())).name = "renamed"  # a change: the save logs it
    old = os.umask(0o002)
    try:
        save_project(project, tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o664
    assert stat.S_IMODE(os.stat(tmp_path / "new.history.jsonl").st_mode) == 0o664
