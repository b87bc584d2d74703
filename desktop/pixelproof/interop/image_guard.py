"""While a project is exported, its own image files are never written over: a mask, label file or volume
landing on a picture (the output folder holds the images, e.g. ``masks/`` or NIfTI's ``imagesTr``) would
destroy it. ``Format.write`` runs the writer inside ``guarding_images``; the writers' ``fresh`` and their
single-file targets go through ``check_not_image``. The files of a folder export go through
``check_target`` (their folders through ``make_folders``), which also keeps them inside that folder: a
symbolic link to a folder outside it is refused (``core.folder_links``), as are a folder, FIFO or device
where a file goes. Per-image tasks on worker processes (``convert --workers``) get the guard with their
work (``for_workers``, ``interop.per_image``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from pixelproof.core import limits
from pixelproof.core.folder_links import entry_not_a_file, link_out_of
from pixelproof.core.model import Project
from pixelproof.core.volumes import image_files


class _ImageFiles:
    """The image files of the project a writer exports, by directory entry (the real folder and the
    name: a hard link elsewhere is another entry), listed on first need."""

    def __init__(self, project: Project | None, out: Path | None = None, folder: bool = False) -> None:
        self.project = project
        self.out = out
        self.root = Path(os.path.abspath(out)) if folder and out is not None else None  # the export folder
        self._names: dict[str, str] | None = None
        self._folders: dict[str, str] = {}

    def _entry(self, path: Path) -> str:
        folder = str(path.parent)
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        return os.path.join(self._folders[folder], path.name)

    def owner(self, path: Path) -> str | None:
        """The file name of the image stored at ``path`` (or at what a link there points to), else None."""
        names = self._listed()
        return (
            names.get(self._entry(path))
            or names.get(self._entry(path))
            or self._names.get(self._entry(Path(os.path.realpath(path))))
        )

    def _listed(self) -> dict[str, str]:
        if self._names is None:
            assert self.project is not None
            self._names = {self._entry(f): image.file_name for image, f in image_files(self.project)}
        return self._names

    def for_workers(self) -> _ImageFiles:
        """A copy to send with every task to worker processes: only the images inside the output folder
        (all that a writer there reaches, short of a symbolic link out of it), so it stays small - empty
        when the images lie elsewhere, as usual - and without the project."""
        copy = _ImageFiles(None)
        copy.root = self.root
        copy._names = {}
        if self.out is not None:
            inside = os.path.join(os.path.realpath(self.out), "")
            copy._names = {entry: name for entry, name in self._listed().items() if entry.startswith(inside)}
        return copy


_EXPORTED: ContextVar[_ImageFiles | None] = ContextVar("exported_project", default=None)


@contextmanager
def guarding_images(project: Project, out: Path | None = None, *, folder: bool = False) -> Iterator[None]:
    """While ``project`` is written (``Format.write``) to ``out``, ``check_not_image`` refuses its image
    files; with ``folder`` (``out`` is the export folder) ``check_target`` keeps files inside it."""
    with guarding(_ImageFiles(project, out, folder)):
        yield


@contextmanager
def guarding(guard: _ImageFiles | None) -> Iterator[None]:
    """``check_not_image`` refuses ``guard``'s image files meanwhile (None: no guard)."""
    token = _EXPORTED.set(guard)
    try:
        yield
    finally:
        _EXPORTED.reset(token)


def workers_guard() -> _ImageFiles | None:
    """The guard of the export under way, for tasks on worker processes (``_ImageFiles.for_workers``)."""
    guard = _EXPORTED.get()
    return guard.for_workers() if guard is not None else None


def check_not_image(path: Path) -> Path:
    """``path``, unless a file there is an image of the project being exported: writing a mask, label
    file or volume there would destroy the picture (the output folder holds the images, e.g. in
    ``masks/`` or NIfTI's ``imagesTr``). Looks only when something is already there."""
    guard = _EXPORTED.get()
    if guard is not None and (path.is_file() or path.is_symlink()):
        name = guard.owner(path)
        if name is not None:
            raise limits.LimitError(
                str(path),
                f"is the image {name} of the project; writing there would replace it - choose another output",
            )
    return path


EXPORT_FOLDER = "export folder"


def check_target(path: Path) -> Path:
    """``path``, once it may be written as a file of the export under way: no folder on its way below the
    export folder is a symbolic link out of it (``folder_links.link_out_of``), no folder, FIFO or device
    is there, and it is no image of the project (``check_not_image``). ``LimitError`` naming the entry
    otherwise. A link at ``path`` itself is the caller's to replace (``_util.fresh``)."""
    guard = _EXPORTED.get()
    root = guard.root if guard is not None else None
    problem = link_out_of(root, path, EXPORT_FOLDER) if root is not None else None
    if problem is None:
        problem = entry_not_a_file(path)
    if problem is not None:
        raise limits.LimitError(*problem)
    return check_not_image(path)


def make_folders(folder: Path) -> Path:
    """Make ``folder`` (and its parents) for files of the export under way, refusing first a symbolic link
    out of the export folder on its way (``check_target``'s rule): ``mkdir(parents=True)`` through one
    would make folders outside it. Returns ``folder``."""
    guard = _EXPORTED.get()
    root = guard.root if guard is not None else None
    problem = link_out_of(root, folder, EXPORT_FOLDER, itself=True) if root is not None else None
    if problem is not None:
        raise limits.LimitError(*problem)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
