"""Setting the dataset split (train / val / test) of images: one edit, so the app's "Set 12 images to val"
is one undo step and the CLI's ``set-split`` writes the same change.

The split is kept where the readers keep it and every writer reads it, ``extra["pixelproof"]["split"]``
(``core.split_names``), so an export after the edit writes the images into the new split's folder."""

from __future__ import annotations

import copy
from typing import Any

from pixelproof.core.edits.base import IMAGE, Change, Changes, Edit, applied, require
from pixelproof.core.model import Project
from pixelproof.core.split_names import CANONICAL, canonical


def split_name(text: str | None) -> str | None:
    """``train`` / ``val`` / ``test`` (any spelling readers know: ``Training``, ``valid``, ``validation``
    ...), or None for ``none`` / empty (no split). Any other name raises ``ValueError``: a typo would
    otherwise put images in a folder of its own on the next export."""
    if text is None or text.strip().casefold() in ("", "none"):
        return None
    name = canonical(text)
    if name not in CANONICAL:
        raise ValueError(f"unknown split {text!r}; expected one of {', '.join(CANONICAL)} or none")
    return name


class SetImageSplit(Edit):
    """Set (or, with None, clear) the split of some images; revert restores each image's extras exactly as
    they were (their keys' order too, so a save after undo is byte-identical)."""

    def __init__(self, image_ids: list[int], split: str | None) -> None:
        self.image_ids = list(dict.fromkeys(int(i) for i in image_ids))
        self.split = split_name(split)
        n = len(self.image_ids)
        what = "no split" if self.split is None else self.split
        self.label = f"Set {n} images to {what}" if n != 1 else f"Set image to {what}"
        self._before: dict[int, dict[str, Any]] | None = None

    def apply(self, project: Project) -> Changes:
        missing = [i for i in self.image_ids if i not in project.images]
        require(not missing, f"image {missing[0] if missing else 0} does not exist")
        self._before = {i: copy.deepcopy(project.images[i].extra) for i in self.image_ids}
        for i in self.image_ids:
            extra = project.images[i].extra
            app = extra.get("pixelproof")
            app = dict(app) if isinstance(app, dict) else {}
            if self.split is None:  # and the CVAT subset ``split_of`` falls back on, else it stays split
                app.pop("split", None)
                cvat = app.get("cvat")
                if isinstance(cvat, dict) and "subset" in cvat:
                    app["cvat"] = {k: v for k, v in cvat.items() if k != "subset"}
            else:
                app["split"] = self.split
            if app:
                extra["pixelproof"] = app
            else:
                extra.pop("pixelproof", None)
        return Changes(Change(IMAGE, image_id=i) for i in self.image_ids)

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        for i, before in (self._before or {}).items():
            extra = project.images[i].extra
            extra.clear()
            extra.update(copy.deepcopy(before))
        return Changes(Change(IMAGE, image_id=i) for i in self.image_ids)
