"""How copies of one image in several shards of a split are told to be one image when their paths differ
(issue 16): the split deals each image out under its id, and shards keep it. ``merge`` and ``agreement``
pair images by path, then by this rule, so the figures on the shards are those on the merged project."""

from __future__ import annotations

import os

from pixelproof.core.image_folder import on_disk
from pixelproof.core.model import ImageRecord, Project


def dealt_out(shard: Project, image: ImageRecord) -> bool:
    """Whether the split dealt ``image`` out to ``shard`` under its id (so another record of that id from
    the same split - the base's, another shard's - is the same image, whatever either file is called now)."""
    info = shard.app.get("shard")
    dealt = info.get("at_split") if isinstance(info, dict) else None
    return isinstance(dealt, dict) and str(image.id) in dealt


class RenamedTwins:
    """Finds, among shards read one after the other, another shard's copy of an image when one of the two
    annotators renamed its file (and pointed the shard at it): both dealt out by one split under the same
    id (``dealt_out``), the same size, one file there and the other gone. Paired by path alone, the copies
    were two images, each one annotator's version, neither compared nor kept side by side."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, int], tuple[str, int, Project, ImageRecord]] = {}

    def find(
        self, k: int, split: str | None, shard: Project, key: str, image: ImageRecord
    ) -> tuple[str, int, bool] | None:
        """For ``image`` of shard number ``k`` (of split ``split``), found under ``key`` (its path) where
        no earlier copy is: the key and shard number of the first copy of its dealt id when it is this
        image renamed, and whether the new name (the file there) is this shard's. Else None, and the first
        copy of each dealt id is remembered."""
        if split is None or not dealt_out(shard, image):
            return None
        other_key, j, project, other = self._first.setdefault((split, image.id), (key, k, shard, image))
        if other_key == key or (other.width, other.height) != (image.width, image.height):
            return None
        here = os.path.exists(on_disk(shard, image)[0])
        there = os.path.exists(on_disk(project, other)[0])
        return (other_key, j, here) if here != there else None
