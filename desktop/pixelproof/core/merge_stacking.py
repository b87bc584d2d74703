"""The stacking (an image's object order, Bring to Front / Send to Back) through a split and a merge.

A restack changes no object, so the image's ``at_split`` (what it holds, in any order) says the annotator left
it alone, and the merge kept the base's order: the annotator's Bring to Front was lost. So the split records
each image's order as dealt out (``STACKING_AT_SPLIT``, images of one object or more), and after the merge
the objects dealt out that an annotator put in another order take that order in the merged image, in the
places they hold there (objects added since, in the base or the shard, stay where the merge put them). An
image the annotator did not restack keeps the merged order - a restack the lead made since the split too. A
shard that records no order (split by an earlier PixelProof) is merged as before.

The same record names the objects dealt out on each image (``dealt_ids``): without a base (merge without
``--into``) it is what tells an object dealt out to several annotators of an overlap image, which one of them
changed, from two new objects that share an id (``merge_image._tagged_objects``). No Qt."""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.core.model import Project, id_key

STACKING_AT_SPLIT = "stacking_at_split"


def stacking_at_split(shard: Project) -> dict[str, list[int]]:
    """Image id -> its objects' ids back to front as the shard is made: its images of one object or more
    (a split before 2026-12-07 recorded those of two or more only, an order being made of two)."""
    return {str(i): ids for i in shard.images if (ids := shard.annotation_ids_of(i))}


def dealt_ids(shard: Project, image_id: int) -> frozenset[int]:
    """The ids of the objects the split dealt out on the shard's image ``image_id``: empty when it records
    none (no split's shard, an image of none, or one object alone in a shard of an earlier split)."""
    info = shard.app.get("shard")
    record = info.get(STACKING_AT_SPLIT) if isinstance(info, dict) else None
    dealt = record.get(str(image_id)) if isinstance(record, dict) else None
    return frozenset(i for i in dealt if type(i) is int) if isinstance(dealt, list) else frozenset()


def keep_restacks(project: Project, shards: Iterable[tuple[Project, dict[int, int]]]) -> int:
    """Give ``project``'s images (the merged project) the order annotators restacked their objects dealt
    out in; ``shards``: each shard's project and its image ids -> the merged project's. How many images."""
    restacked = 0
    for shard, image_ids in shards:
        info = shard.app.get("shard")
        record = info.get(STACKING_AT_SPLIT) if isinstance(info, dict) else None
        for key, dealt in record.items() if isinstance(record, dict) else ():
            image_id = id_key(key)
            if image_id not in shard.images or image_id not in image_ids or not isinstance(dealt, list):
                continue
            # each set made once (100,000 objects on an image were 10**10 steps: the merge never ended);
            # an entry that is no object id of a hand-edited shard is passed over (a list in it raised)
            dealt = list(dict.fromkeys(i for i in dealt if type(i) is int))
            dealt_set = set(dealt)
            now = [i for i in shard.annotation_ids_of(image_id) if i in dealt_set]
            now_set = set(now)
            if now == [i for i in dealt if i in now_set]:
                continue  # not restacked in the shard
            merged_id = image_ids[image_id]
            order = project.annotation_ids_of(merged_id)
            held = {i for i in order if i in now_set}
            wanted = iter([i for i in now if i in held])
            after = [next(wanted) if i in held else i for i in order]
            if after != order:
                project.restack_annotations(merged_id, after)
                restacked += 1
    return restacked
