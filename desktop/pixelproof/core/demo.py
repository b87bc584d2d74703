"""The bundled demo project: found through importlib.resources, copied to a writable folder to be edited."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

DEMO_PROJECT = "project.json"
DEMO_README = "README.md"


def demo_folder_default() -> Path:
    """Per-user data folder (platformdirs): ~/.local/share/PixelProof/demo on Linux."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("PixelProof", appauthor=False)) / "demo"


def install_demo(target_dir: str | Path | None = None, fresh: bool = False) -> Path:
    """Copy the demo project to ``target_dir`` (default: the user data folder) and return its project file.

    An existing copy is kept (it may hold the user's edits) unless ``fresh`` is true. Only a demo copy is
    ever removed: a folder that holds other files raises ``FileExistsError`` and is left as it is (before,
    ``--dir`` naming such a folder deleted everything in it).
    """
    target = Path(target_dir) if target_dir is not None else demo_folder_default()
    project = target / DEMO_PROJECT
    if project.is_file() and not fresh:
        return project
    with as_file(files("pixelproof.resources").joinpath("demo")) as source:
        if target.exists() and any(target.iterdir()):
            if not _is_demo_copy(target, source):
                raise FileExistsError(
                    f"{target}: not empty and not a copy of the demo; nothing removed "
                    "(choose a new or empty folder)"
                )
            shutil.rmtree(target)
        shutil.copytree(source, target, dirs_exist_ok=True)
    return project


def _is_demo_copy(folder: Path, source: Path) -> bool:
    """A folder ``install_demo`` filled: it holds the demo's README, unchanged (the app never edits it)."""
    try:
        return (folder / DEMO_README).read_bytes() == (source / DEMO_README).read_bytes()
    except OSError:
        return False
