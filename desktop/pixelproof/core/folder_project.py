"""The project file a folder of images opened as a project is saved as (``FOLDER/project.json``) and what
is there already. Opening the folder again (``pixelproof FOLDER``) must open the project saved there, not
start an empty one whose save would replace it; a new project over a folder that has one is saved under
another name (``project_2.json``). Whether a file is a project is what ``coco.load_project`` says."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pixelproof.core.coco import load_project
from pixelproof.core.model import Project
from pixelproof.core.project_json import ProjectFormatError

PROJECT_FILE = "project.json"  # where New Project from Folder saves, and where opening a folder looks


@dataclass(frozen=True)
class SavedProject:
    """The project file found in a folder: its image count and time, or why it does not load; ``project``:
    the project loaded to tell it, for opening it without loading it a second time (*Open It*)."""

    path: Path
    images: int = 0
    saved: float = 0.0  # the file's modification time (seconds since the epoch)
    problems: list[str] = field(default_factory=list)  # empty: it loads
    project: Project | None = field(default=None, repr=False, compare=False)

    @property
    def loads(self) -> bool:
        return not self.problems


def project_file_in(folder: str | os.PathLike[str]) -> Path:
    """``FOLDER/project.json``: the file a new project over ``folder`` is saved as by default."""
    return Path(folder) / PROJECT_FILE


def saved_project(folder: str | os.PathLike[str]) -> SavedProject | None:
    """The project saved in ``folder`` (``project_file_in``), loaded to tell it is one; None when there is
    no such file. A file that does not load (damaged, another tool's JSON, a folder of that name) is
    returned with its ``problems``: it must not be replaced by a new project either."""
    path = project_file_in(folder)
    if not os.path.lexists(path):
        return None
    try:
        project = load_project(path)  # says "is a folder", "file not found" (a dangling link) too
    except ProjectFormatError as e:
        return SavedProject(path, problems=e.problems or [str(e)])
    state = project.file_state
    saved = state.mtime_ns / 1e9 if state is not None else 0.0
    return SavedProject(path, len(project.images), saved, project=project)


def project_files_in(folder: str | os.PathLike[str]) -> list[Path]:
    """The project files New Project from Folder saved in ``folder`` (``project.json``, ``project_2.json``…,
    ``free_project_file``'s names) that are there: PixelProof's own files, never a picture of the folder."""
    first = project_file_in(folder)
    named = re.compile(re.escape(first.stem) + r"(?:_[0-9]+)?" + re.escape(first.suffix))
    try:
        return sorted(Path(folder) / n for n in os.listdir(folder) if named.fullmatch(n))
    except OSError:  # the folder's scan says why it cannot be listed
        return []


def free_project_file(folder: str | os.PathLike[str]) -> Path:
    """The first of ``project.json``, ``project_2.json``, ``project_3.json``… not in ``folder``: where a new
    project over a folder that has a project already is saved, beside it."""
    first = project_file_in(folder)
    path, n = first, 1
    while os.path.lexists(path):
        n += 1
        path = first.with_name(f"{first.stem}_{n}{first.suffix}")
    return path
