"""Dataset splits across formats: one name per split in a project (``core.split_names``) and the spelling of
each format.

Readers keep an image's split in ``extra["pixelproof"]["split"]`` as a canonical name - ``train``, ``val``
or ``test``, any other name as given - so a CVAT project's Train / Validation / Test subsets, YOLO's
train / val / test, Open Images' ``validation`` and KITTI's ``training`` / ``testing`` are the same three
splits to every writer. Each writer spells the split as its format does (:data:`SPELLINGS`); a spelling a
format keeps in its own extras (CVAT's ``subset``) is written back to that format while it still names the
image's split. A split is a folder in most outputs: :func:`folder_name` says whether it can be one, so a
name such as ``../x`` or ``/abs`` is never used as a path.
"""

from __future__ import annotations

import re
from typing import Any

from pixelproof.core.model import ImageRecord
from pixelproof.core.split_names import canonical, split_of

# canonical split -> the name a format writes; a split missing here is written as given
SPELLINGS: dict[str, dict[str, str]] = {
    "yolo": {"train": "train", "val": "val", "test": "test"},
    "cvat": {"train": "Train", "val": "Validation", "test": "Test"},  # CVAT's default subset names
    "openimages": {"train": "train", "val": "validation", "test": "test"},
    "cityscapes": {"train": "train", "val": "val", "test": "test"},
    "kitti": {"train": "training", "test": "testing"},
    "mvtec": {"train": "train", "val": "validation", "test": "test"},  # MVTec LOCO has validation/
    "labelstudio": {"train": "train", "val": "val", "test": "test"},
    "coco-panoptic": {"train": "train", "val": "val", "test": "test"},
}
_NOT_IN_FOLDER_NAME = re.compile(r"[/\\*?\[\]\x00-\x1f\x7f]")


def spelled(image: ImageRecord, fmt: str, kept: Any = None) -> str | None:
    """The image's split as format ``fmt`` names it, None when it has none. ``kept`` is the name the
    image was read with from that same format (its own extras): written again while it still names the
    image's split, so a CVAT subset ``train`` stays ``train`` and a user's ``Night`` stays ``Night``."""
    split = split_of(image)
    if split is None:
        return None
    if isinstance(kept, str) and canonical(kept) == split:
        return kept
    return SPELLINGS[fmt].get(split, split)


def set_split(extra: dict[str, Any], name: Any) -> dict[str, Any]:
    """``extra`` (an image's ``pixelproof`` extras, being built by a reader) with ``split`` set to the
    canonical name of ``name``, when it is one."""
    split = canonical(name)
    if split is not None:
        extra["split"] = split
    return extra


def folder_name(name: str | None) -> bool:
    """Whether a split can name a folder of an output (``images/<split>/``, a CSV's ``<split>-`` prefix):
    one plain name that stays in its folder and reads back the same - no separators, ``..``, hidden
    name, glob or control characters, at most 100 bytes."""
    if not name or name.strip() in ("", ".", ".."):
        return False
    size = len(name.encode("utf-8", "surrogatepass"))
    return size <= 100 and not _NOT_IN_FOLDER_NAME.search(name) and not name.startswith(".")


def names(splits: Any) -> str:
    """Split names for a warning, each quoted, in a stable order."""
    return ", ".join(repr(s) for s in sorted(set(splits), key=str))
