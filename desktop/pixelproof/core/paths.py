"""Relative paths a project stores (image ``file_name``s, its reference), made so they lead to the file from
the project's folder as the operating system walks them: ``..`` after a symlinked folder goes to the link
target's parent, not back where the link is (``os.path.relpath`` alone is lexical and gets that wrong)."""

from __future__ import annotations

import ntpath
import os
import re
import unicodedata
from pathlib import Path, PurePath

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_absolute_name(name: str) -> bool:
    """Whether a stored path names its file without the project's folder: absolute here, a Windows
    drive or UNC path (``C:/data/a.png``, ``//server/share``, with either slash) wherever it is read, or a
    URL. Such a name is kept as written when the project moves; the others are relative to its folder."""
    return os.path.isabs(name) or bool(ntpath.splitdrive(name)[0]) or bool(_URL.match(name))


def stored_path(name: str, folder: Path | None) -> Path:
    """Where a stored image name leads from the project's ``folder``. A relative name written on Windows
    (``images\\a.png``, by another tool or by hand) leads to ``images/a.png`` here too when no file is
    named with the backslash itself (a legal character in a POSIX name), so a project saved on Windows
    opens on Linux and macOS with its images; a drive or UNC name stays as written (``relocate`` it). A
    name not on disk as spelt but in the other Unicode form (``café`` as ``e`` + U+0301, as a Mac wrote the
    files, and composed in the JSON, or the other way round) leads to the file that is there."""
    p = Path(name)
    path = p if p.is_absolute() or folder is None else folder / p
    if os.sep == "\\" or "\\" not in name or name.startswith("\\") or is_absolute_name(name):
        return path if name.isascii() else _other_form(path)
    slashed = Path(name.replace("\\", "/"))
    other = slashed if folder is None else folder / slashed
    return other if not os.path.lexists(path) and os.path.lexists(other) else path


def _other_form(path: Path) -> Path:
    """``path``, or its name composed (NFC) or decomposed (NFD) where only that one exists: Linux file
    systems compare names byte by byte, so ``café.png`` composed does not open the decomposed file a Mac
    copied; macOS and Windows find either."""
    if os.path.lexists(path):
        return path
    text = str(path)
    for form in ("NFC", "NFD"):
        spelt = unicodedata.normalize(form, text)
        if spelt != text and os.path.lexists(spelt):
            return Path(spelt)
    return path


def _inside(rel: str) -> bool:
    return rel != os.pardir and not rel.startswith(os.pardir + os.sep)


class RelativeNames:
    """``name(path)``: ``path`` relative to ``folder`` (``/`` separated), found once per folder of ``path``.

    Of the names that lead there, the first of: the lexical one if it stays below ``folder`` (it keeps the
    user's symlinked subfolders), the one between the real (symlink-free) folders if that stays below, the
    lexical one, the real one. A path on another drive (Windows) stays absolute."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = os.path.abspath(folder)
        self.real_folder = os.path.realpath(self.folder)
        self._dirs: dict[str, str | None] = {}

    def name(self, path: str | os.PathLike[str]) -> str:
        head, tail = os.path.split(os.path.join(self.folder, path))
        if head not in self._dirs:
            self._dirs[head] = self._dir(head)
        rel = self._dirs[head]
        if rel is None:  # another drive
            return os.path.normpath(os.path.join(os.path.realpath(head), tail))
        return (tail if rel == os.curdir else os.path.join(rel, tail)).replace(os.sep, "/")

    def _dir(self, head: str) -> str | None:
        real = os.path.realpath(head)
        try:
            lexical = os.path.relpath(head, self.folder)
            physical = os.path.relpath(real, self.real_folder)
        except ValueError:
            return None
        lexical_ok = os.path.realpath(os.path.join(self.folder, lexical)) == real
        if lexical_ok and _inside(lexical):
            return lexical
        if _inside(physical) or not lexical_ok:
            return physical
        return lexical


_DIGITS = re.compile(r"([0-9]+)")


def natural_key(text: str) -> tuple:
    """A sort key reading runs of digits as numbers, as file browsers list names: ``img2`` before
    ``img10`` (case ignored, then text order for ties)."""
    parts = _DIGITS.split(text.casefold())  # text, digits, text, ...: ints and strs never meet
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), text


def file_order_key(path: str | os.PathLike[str]) -> tuple:
    """The order a folder's images are listed and numbered in (and D walks): folder by folder, each name
    by :func:`natural_key`, so ``frame_2.jpg`` (ffmpeg's ``frame_%d``) comes before ``frame_10.jpg``."""
    return tuple(natural_key(part) for part in name_parts(path))


_NOT_PLAIN = re.compile(r"\\|:|//|^\.?/|/\.(?:/|$)|/$|^\.?$")


def name_parts(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """``PurePath(path).parts``, split as text for a plain relative name (``clip/frame_000001.png``: no
    backslash, drive, ``//``, ``.`` part or slash at either end), as image ``file_name``s are: building
    a PurePath per image made a 100,000-frame folder take 2 s to number (Go to Frame, Track Box Here).

    A backslash separates too, on every system: a name written on Windows (``v\\frame_000003.png``, by
    hand or another tool) is in folder ``v``, where ``stored_path`` finds its file, not a file of the root
    folder (its frames numbered with the root's, its place in file order among the root's files)."""
    if isinstance(path, str):
        path = path.replace("\\", "/")
        if not _NOT_PLAIN.search(path):
            return tuple(path.split("/"))
    return PurePath(path).parts


def project_folder(path: str | os.PathLike[str] | None) -> Path | None:
    """The folder a project file's relative names start from (None: a project never saved, whose names
    no Save As rewrites)."""
    return None if path is None else Path(os.path.abspath(path)).parent


class Rebased:
    """Names relative to folder ``old`` as they read from ``new``: what Save As to another folder does to
    the project's image names and its outside marks' folders (``coco.save_project``), and so what an undo
    step holding such names (``RelocateImages``, ``SetOutsideMarks``) does to them before it puts them back:
    one rule, so an undo after a Save As gives names of the folder saved to. An absolute name stays, and
    every name stays when either folder is None or both are one."""

    def __init__(self, old: Path | None, new: Path | None) -> None:
        self.moves = old is not None and new is not None and old != new
        self._old = old
        self._names = RelativeNames(new) if self.moves and new is not None else None

    def name(self, name: str) -> str:
        """A file name (``clip/frame_000001.png``) as it reads from the new folder."""
        if self._names is None or is_absolute_name(name):
            return name
        return self._names.name(os.path.join(str(self._old), name))

    def folder(self, folder: str) -> str:
        """A folder as ``frame_sequences.sequence_name`` gives it (``clip``, ``a/b``; "" for the top one) as
        it reads from the new folder."""
        if self._names is None or is_absolute_name(folder):
            return folder
        return "/".join(name_parts(self.name(f"{folder}/x" if folder else "x"))[:-1])
