"""While a project is exported, its own image files are never written over: a mask, label file or volume
landing on a picture (the output folder holds the images, e.g. ``masks/`` or NIfTI's ``imagesTr``) would
destroy it. ``Format.write`` runs the writer inside ``guarding_images``; the writers' ``fresh`` and their
single-file targets go through ``check_not_image``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from pixelproof.core import limits
from pixelproof.core.model import Project
from pixelproof.core.volumes import image_files


class _ImageFiles:
    """The image files of the project a writer exports, by directory entry (the real folder and the
    name: a hard link elsewhere is another entry), listed on first need."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._names: dict[str, str] | None = None
        self._folders: dict[str, str] = {}

    def _entry(self, path: Path) -> str:
        folder = str(path.parent)
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        return os.path.join(self._folders[folder], path.name)

    def owner(self, path: Path) -> str | None:
        """The file name of the image stored at ``path`` (or at what a link there points to), else None."""
        if self._names is None:
            self._names = {self._entry(f): image.file_name for image, f in image_files(self.project)}
        return self._names.get(self._entry(path)) or self._names.get(
            self._entry(Path(os.path.realpath(path)))
        )


_EXPORTED: ContextVar[_ImageFiles | None] = ContextVar("exported_project", default=None)


@contextmanager
def guarding_images(project: Project) -> Iterator[None]:
    """While ``project`` is written (``Format.write``), ``check_not_image`` refuses its image files."""
    token = _EXPORTED.set(_ImageFiles(project))
    try:
        yield
    finally:
        _EXPORTED.reset(token)


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
