"""The bundled demo project: found through importlib.resources, copied to a writable folder to be edited."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

DEMO_PROJECT = "project.json"


def demo_folder_default() -> Path:
    """Per-user data folder (platformdirs): ~/.local/share/PixelProof/demo on Linux."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("PixelProof", appauthor=False)) / "demo"


def install_demo(target_dir: str | Path | None = None, fresh: bool = False) -> Path:
    """Copy the demo project to ``target_dir`` (default: the user data folder) and return its project file.

    An existing copy is kept (it may hold the user's edits) unless ``fresh`` is true.
    """
    target = Path(target_dir) if target_dir is not None else demo_folder_default()
    project = target / DEMO_PROJECT
    if project.is_file() and not fresh:
        return project
    if target.exists():
        shutil.rmtree(target)
    with as_file(files("pixelproof.resources").joinpath("demo")) as source:
        shutil.copytree(source, target)
    return project
