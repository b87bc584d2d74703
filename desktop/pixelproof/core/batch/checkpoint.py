"""The finished parts of a long job kept across an interruption, so running the job again finishes it
(``prelabel --shard-size``, and ``prelabel`` writing one project of more than a part; docs/scaling.md).

A job writes its parts into a staging folder named after its output, ``.OUT.partial`` beside ``OUT``,
renamed to ``OUT`` when the job ends (one output project: removed once the project is saved). With them,
``pixelproof-resume.json`` (the manifest) records, written when the job starts (and when a run takes it up)

- the job's *inputs*: everything its result depends on (project and model files by SHA-256, backend,
  options, the image list, the part size, PixelProof's version); a run with other inputs is refused,
  naming each difference, as finishing with them would give parts no single run makes;
- the job's own values (its one timestamp), reused by the run that finishes it;

and ``pixelproof-parts.jsonl`` (the journal), one line appended and fsynced per finished part (a
manifest rewritten whole after each part wrote parts^2 bytes over a job: format 2), with

- the part's files with their size and SHA-256, and what the job needs to go on after it (what the part
  adds to it);
- the source files it was made from as they were (``source_stamp``: size and mtime, one stat, never their
  bytes: gigapixel slides), in a file of its own written once (``pixelproof-sources-N.json``), by its size
  and SHA-256, so a resumed job finds the sources changed since (``drop_changed_sources``).

A part is recorded only once its files are written whole (atomically) and its line is (a line cut short
by a kill is no record); it is counted only while its files are as recorded: a part cut short, changed,
or written by a job killed before recording it is removed and made again, with every part after it.
Where the job runs (workers, a cluster) is no input: the result does not depend on it. A manifest of
format 1 or 2 (the parts in it, rewritten whole) is taken up the same way, then kept in format 3.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixelproof.core.atomic import atomic_output, fsync_folder
from pixelproof.core.limits import (
    MAX_JOURNAL_LINE,
    LimitError,
    check_regular_file,
    open_regular,
    read_lines,
    read_text,
)
from pixelproof.core.line_files import append_line
from pixelproof.core.wording import plural

MANIFEST = "pixelproof-resume.json"
JOURNAL = "pixelproof-parts.jsonl"  # the finished parts, a line each, appended (format 3)
# of the manifest: 3, the parts in the journal; 2 (read still), the parts in the manifest, rewritten whole
# after each part, a part's state holding what that part adds (prelabel: the categories it created); 1
# (read still), each part's state holding what the job had made so far (every category created). An older
# PixelProof refuses a format it does not know ("kept parts without a manifest as PixelProof writes it")
FORMAT = 3
READ_FORMATS = (1, 2, 3)


SOURCES = "pixelproof-sources-{:05d}.json"  # of the part at this place (1, 2...): its sources' stamps

Stamp = list[int] | None  # a source file's [size, mtime_ns]; None: not there


def source_stamp(path: str | os.PathLike[str]) -> Stamp:
    """A source file as it is now, from one stat (no reading: a gigapixel slide costs what a thumbnail
    does); a file replaced or edited since has another (its mtime changes, if not its size)."""
    try:
        st = os.stat(path)
    except OSError:  # not there (a failure of its own in the part): its coming back is a change too
        return None
    return [st.st_size, st.st_mtime_ns]


class ResumeRefused(Exception):
    """The kept parts cannot be taken up by this run (one line for the user, naming the folder)."""


def staging_folder(target: Path) -> Path:
    """Where the parts of a job writing ``target`` are kept until it ends: hidden, beside it."""
    return target.with_name(f".{target.name}.partial")


def file_digest(path: str | os.PathLike[str]) -> str:
    """``sha256:<hex>`` of a file's bytes, read in blocks (a model of gigabytes is never held whole).
    ``LimitError`` for a FIFO or device (never waited on), ``OSError``."""
    h = hashlib.sha256()
    with open_regular(path) as f:
        while block := f.read(1 << 20):
            h.update(block)
    return f"sha256:{h.hexdigest()}"


@dataclass
class Checkpoint:
    """A job's staging folder and its manifest: ``open`` starts or takes it up, ``add`` records a part,
    ``finish`` renames it to the output, ``discard`` removes it."""

    folder: Path
    inputs: dict[str, Any]
    job: dict[str, Any]
    parts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # parts found damaged and made again

    @classmethod
    def open(
        cls,
        folder: Path,
        inputs: dict[str, Any],
        job: dict[str, Any],
        labels: dict[str, str] | None = None,
        valid_state: Callable[[dict[str, Any]], bool] | None = None,
        images_held: Callable[[Path], int | None] | None = None,
    ) -> Checkpoint:
        """A new staging folder for a job of ``inputs`` (``job``: its own values), or the kept one of an
        interrupted job of the same inputs (then its ``job`` values and its intact parts; everything
        else in it removed). One of other inputs holding no part (its job killed before the first), or
        empty (killed before its manifest), is started anew for these. ``ResumeRefused`` when the kept
        one is of other inputs (each named, as ``labels`` says for a key, e.g. with a file's path) or
        not readable (a part's state not as ``valid_state`` wants it, or its recorded images not those
        its files hold, each file's as ``images_held`` reads it, None: holds none: nothing is touched);
        ``OSError`` when the folder cannot be made. A ``folder`` that is a symbolic link is refused:
        nothing is written or removed through one."""
        if folder.is_symlink():  # (rmtree refuses a link: the finished job's parts stayed, said as kept)
            raise ResumeRefused(
                f"{folder}: is a symbolic link (to {os.readlink(folder)}), not a folder PixelProof made; "
                "kept parts are not taken up, written or removed through a link: put the folder itself "
                "there, or remove the link to start over"
            )
        inputs = json.loads(json.dumps(inputs))  # as the manifest holds them (tuples are lists)
        if not folder.exists():
            folder.mkdir()
        if folder.is_dir() and not any(folder.iterdir()):  # new, or a job's killed before its manifest
            made = cls(folder, inputs, dict(job))
            made._write_manifest()  # no journal yet: no part
            return made
        kept = _read(folder, valid_state or (lambda _: True))
        then = kept["inputs"]
        if said := differences(then, inputs, labels):
            if not kept["parts"]:  # a job killed before its first part (OOM, SIGKILL): nothing to lose
                made = cls(folder, inputs, dict(job))
                made.remove_unrecorded()
                made._rewrite()
                return made
            raise ResumeRefused(
                f"{folder}: the kept parts of an interrupted run were made with other settings "
                f"({'; '.join(said)}); run the command as it was to finish that job, or remove {folder} "
                "to start over"
            )
        taken = cls(folder, inputs, dict(kept["job"]))
        for place, part in enumerate(kept["parts"], start=1):
            files = {
                **part["files"],
                **({SOURCES.format(place): part["sources"]} if "sources" in part else {}),
            }
            try:
                changed = [
                    name for name, (size, digest) in files.items() if not _intact(folder / name, size, digest)
                ]
            except LimitError as e:  # a FIFO or device named as a kept file: never read, never removed
                raise _unreadable(e, folder) from None
            if changed:
                taken.notes.append(f"{folder / changed[0]}: changed since it was written; made again")
                break
            if images_held is not None:  # a plausible count edited by hand: the job would go on elsewhere
                _check_held(folder, place, part, images_held)
            taken.parts.append(part)
        taken.remove_unrecorded()
        taken._rewrite()  # once a run (a line cut short gone, format 1-2 kept as 3), never after a part
        return taken

    def drop_changed_sources(self, sources: int, stamp: Callable[[int], Stamp]) -> list[int]:
        """The places (0 .. ``sources`` - 1, the job's in its order) of the kept parts' sources changed
        since they were recorded, ``stamp(place)`` saying how each is now (``source_stamp`` of the file
        the job reads); the parts from the first holding one on are dropped, to be made again (the parts
        after it go on from it: a job's result is one run's). Parts kept without their sources' stamps
        (an older version) are taken as they are."""
        changed: list[int] = []
        first, start = len(self.parts), 0  # the first part to make again: none
        for index, part in enumerate(self.parts):
            stamps = self._stamps(index + 1, part) if "sources" in part else None
            stamps = stamps if stamps is not None and start + len(stamps) <= sources else []
            here = [start + k for k, was in enumerate(stamps) if stamp(start + k) != was]
            if here and not changed:
                first = index
            changed += here
            start += int(part["images"])
        if changed:
            del self.parts[first:]
            self._write_journal()  # before their files go: a record never names a removed file
            self.remove_unrecorded()
        return changed

    def _stamps(self, place: int, part: dict[str, Any]) -> list[Stamp] | None:
        try:
            with open_regular(self.folder / SOURCES.format(place)) as f:
                stamps = json.loads(f.read())
        except (OSError, ValueError):  # a FIFO too (LimitError)
            return None
        ok = isinstance(stamps, list) and len(stamps) == part["images"]
        return stamps if ok and all(s is None or _is_stamp(s) for s in stamps) else None

    def recount(self) -> None:
        """The finished parts as the journal records them, after a stop (Ctrl+C, SIGTERM, SIGHUP raise in
        the main thread wherever it is): one landing in ``add`` after its part's line was written, while
        it was fsynced, left a part recorded but not counted; its files were then removed as unrecorded
        (with the first part, the whole staging folder) and the next run made it again. The journal's
        lines are this job's: those counted, then the one the stop cut short of its count."""
        try:
            recorded = _read_journal(self.folder / JOURNAL)
        except (OSError, ValueError):  # LimitError too: no journal this job wrote
            return
        if len(recorded) > len(self.parts) and all(_valid_part(part) for part in recorded):
            self.parts = recorded

    def remove_unrecorded(self) -> None:
        """Remove what no finished part holds: a part being written when the job stopped (not recorded),
        its log, temporaries of a killed save. The folder then holds what its manifest says."""
        keep = {MANIFEST, JOURNAL, *(name for part in self.parts for name in part["files"]), *self._sources()}
        for entry in self.folder.iterdir():
            if entry.name not in keep and not entry.is_dir():
                entry.unlink()

    @property
    def images(self) -> int:
        """Images in the finished parts."""
        return sum(int(part["images"]) for part in self.parts)

    def add(
        self, files: list[Path], images: int, state: dict[str, Any], sources: list[Stamp] | None = None
    ) -> None:
        """Record a part written whole: its ``files`` (in the folder), its ``images``, the ``state`` the
        job goes on from after it and its images' ``sources`` as they were (``source_stamp``, in order):
        one line appended to the journal (the bytes written per part do not grow with the parts before)."""
        recorded = {p.name: [p.stat().st_size, file_digest(p)] for p in files}
        part: dict[str, Any] = {"files": recorded, "images": images, "state": state}
        if sources is not None:
            path = self.folder / SOURCES.format(len(self.parts) + 1)
            with atomic_output(path, text=True, follow_links=False) as f:
                json.dump(sources, f, separators=(",", ":"))
            part["sources"] = [path.stat().st_size, file_digest(path)]
        append_line(self.folder / JOURNAL, _line(part))
        self.parts.append(part)  # counted as kept once recorded (a failed append records none)

    def _sources(self) -> list[str]:
        return [SOURCES.format(place) for place, part in enumerate(self.parts, start=1) if "sources" in part]

    def finish(self, target: Path) -> None:
        """The parts become ``target`` (the manifest and the sources' stamps go: the output is the parts
        alone)."""
        bookkeeping = [MANIFEST, JOURNAL, *self._sources()]
        os.replace(self.folder, target)
        for name in bookkeeping:
            with contextlib.suppress(OSError):
                (target / name).unlink()
        with contextlib.suppress(OSError):
            fsync_folder(target.parent)

    def discard(self) -> OSError | None:
        """Remove the staging folder (its job done, or nothing in it worth keeping); the error when some
        of it stays (a file busy on NFS, a permission), for the caller to say so: it holds no kept part."""
        try:
            shutil.rmtree(self.folder)
        except OSError as e:
            return e if self.folder.exists() else None
        return None

    def _rewrite(self) -> None:
        """The journal, then the manifest (a format-2 manifest, the parts in it, stays one until its
        journal is whole)."""
        self._write_journal()
        self._write_manifest()

    def _write_journal(self) -> None:
        with atomic_output(self.folder / JOURNAL, follow_links=False) as f:
            f.write(b"".join(_line(part) for part in self.parts))

    def _write_manifest(self) -> None:
        doc = {"format": FORMAT, "inputs": self.inputs, "job": self.job}
        with atomic_output(self.folder / MANIFEST, text=True, follow_links=False) as f:
            json.dump(doc, f, indent=1)


def _line(part: dict[str, Any]) -> bytes:
    """A part's record as one journal line."""
    return json.dumps(part, separators=(",", ":")).encode() + b"\n"


def _read(folder: Path, valid_state: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The manifest with the parts it records (format 3: its journal's, but for a last line cut short)."""
    try:
        # a link is no file PixelProof writes (a rewrite would go through it); a FIFO: refused, not waited on
        ok = not any((folder / name).is_symlink() for name in (MANIFEST, JOURNAL))
        doc = json.loads(read_text(folder / MANIFEST, max_bytes=MAX_JOURNAL_LINE))
        ok = ok and doc.get("format") in READ_FORMATS
        if ok and doc["format"] >= 3:
            ok, doc["parts"] = "parts" not in doc, _read_journal(folder / JOURNAL)
        ok = ok and all(isinstance(doc.get(k), t) for k, t in _FIELDS.items())
        ok = ok and all(_valid_part(part) and valid_state(part["state"]) for part in doc["parts"])
        ok = ok and _distinct_files(doc["parts"])
    except LimitError as e:
        raise _unreadable(e, folder) from None
    except (OSError, ValueError, AttributeError, TypeError):
        ok = False
    if not ok:
        raise ResumeRefused(
            f"{folder}: kept parts without a manifest as PixelProof writes it ({MANIFEST}, {JOURNAL}); "
            f"remove {folder} to start over"
        )
    return doc


def _read_journal(path: Path) -> list[Any]:
    """The records of the journal's whole lines (none: no journal, no part); a last line without its
    newline is an append cut short (a kill, a full disk): that part is not recorded, its files made again.
    ``ValueError`` for a line that is not JSON, ``LimitError`` for a FIFO or device or a line longer than
    ``MAX_JOURNAL_LINE`` (no record PixelProof writes: refused as a line that is not JSON is, naming it)."""
    try:
        f = open_regular(path)
    except FileNotFoundError:
        return []
    with f:  # each line read with a bound: one of gigabytes is refused, naming it, not read whole
        return [json.loads(line) for line in read_lines(f, str(path), MAX_JOURNAL_LINE) if line[-1:] == b"\n"]


_FIELDS = {"inputs": dict, "job": dict, "parts": list}


def _check_held(
    folder: Path, place: int, part: dict[str, Any], images_held: Callable[[Path], int | None]
) -> None:
    """``ResumeRefused`` when a part's files (as written: their digests) hold other than its images."""
    held = {name: n for name in part["files"] if (n := images_held(folder / name)) is not None}
    if (total := sum(held.values())) != part["images"]:
        found = f"{total} in its files"
        if held:
            found = f"{total} in {plural(len(held), 'file')} ({', '.join(held)})"
        raise ResumeRefused(
            f"{folder}: kept parts without a manifest as PixelProof writes it ({JOURNAL}: part {place} "
            f"recorded as of {plural(part['images'], 'image')}, {found}); remove {folder} to "
            "start over"
        )


def _unreadable(e: LimitError, folder: Path) -> ResumeRefused:
    """A FIFO or device where the manifest or a kept file should be (reading it would block)."""
    return ResumeRefused(f"{e}; the kept parts cannot be taken up: remove {folder} to start over")


def _valid_part(part: Any) -> bool:
    """A part's record as ``Checkpoint.add`` writes it (a manifest edited by hand is not trusted)."""
    if not isinstance(part, dict) or not isinstance(part.get("state"), dict):
        return False
    files = part.get("files")
    if not isinstance(files, dict) or not files or type(part.get("images")) is not int:
        return False
    if part["images"] < 1:  # a part holds images; fewer would move where the job goes on (images[-2:])
        return False
    if "sources" in part and not _is_record(part["sources"]):  # absent: kept by a version recording none
        return False
    return all(
        _is_record(v) and "/" not in k and "\\" not in k and k not in ("", ".", "..", MANIFEST, JOURNAL)
        for k, v in files.items()
    )  # fmt: skip


def _distinct_files(parts: list[dict[str, Any]]) -> bool:
    """Each file is one part's, and none is named as a part's sources record: a file recorded twice (a
    journal line repeated) counted its images twice, so the job went on past images no part holds."""
    names = [name for part in parts for name in part["files"]]
    bookkeeping = SOURCES.split("{")[0]
    return len(set(names)) == len(names) and not any(name.startswith(bookkeeping) for name in names)


def _is_record(value: Any) -> bool:
    """A file's [size, digest] as ``Checkpoint.add`` records it."""
    return isinstance(value, list) and len(value) == 2 and type(value[0]) is int and isinstance(value[1], str)


def _is_stamp(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)


def _intact(path: Path, size: int, digest: str) -> bool:
    """As recorded; ``LimitError`` for a FIFO or device named so (not a part changed: refused). A link is
    no file as written (it would be hashed through, then moved into the output as a link): changed."""
    try:
        if path.is_symlink():
            return False
        return check_regular_file(path).st_size == size and file_digest(path) == digest
    except OSError:
        return False


MAX_SAID = 10  # differences named; the rest counted


def differences(then: dict[str, Any], now: dict[str, Any], labels: dict[str, str] | None = None) -> list[str]:
    """How a job's ``now`` inputs differ from those it was started with, one phrase per key (named as
    ``labels`` says; a file by its digest: "changed"), for a run that cannot take up the kept work: the
    CLI's kept parts, the Model panel's interrupted "Pre-label all" (``core.edits.prelabel_run``)."""
    now = json.loads(json.dumps(now))  # as a manifest or a project file holds them (tuples are lists)
    keys = [k for k in dict.fromkeys([*then, *now]) if then.get(k) != now.get(k)]
    said = [_difference(_key((labels or {}).get(k, k)), then.get(k), now.get(k)) for k in keys[:MAX_SAID]]
    if len(keys) > MAX_SAID:  # a hand-edited record of thousands of keys: a line, not a page of them
        said.append(f"and {len(keys) - MAX_SAID:,} more")
    return said


def _key(name: str) -> str:
    """A setting's name as said: whole up to 300 characters (a model's path), else cut."""
    return name if len(name) <= 300 else name[:297] + "..."


def _difference(key: str, then: Any, now: Any) -> str:
    if any(isinstance(v, str) and v.startswith("sha256:") for v in (then, now)):
        return f"{key} changed"
    return f"{key}: {_shown(then)} then, {_shown(now)} now"


def _shown(value: Any) -> str:
    if value is None:
        return "not given"
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."
