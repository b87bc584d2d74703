"""Which images a command's ``--images GLOB`` names (``set-split``, ``prelabel``): an image's exact file
name (or relative path) always names it, as rsync and git take a literal match first, so a picture
called ``img[1].png`` is not lost to ``[1]`` being read as a character class; anything else is a glob on
the file name or its base name."""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

GLOB_FORMS = "an exact file name or relative path, or a glob on either, e.g. 'night/*' or '*.png'"


def name_matches(file_name: str, pattern: str) -> bool:
    """Whether ``pattern`` names the image stored as ``file_name``: equal to it or to its base name,
    else a glob matching either."""
    base = PurePosixPath(file_name).name
    if pattern in (file_name, base):
        return True
    return fnmatch.fnmatch(file_name, pattern) or fnmatch.fnmatch(base, pattern)
