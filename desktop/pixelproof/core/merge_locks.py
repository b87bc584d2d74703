"""Objects locked in the base survive a merge (``core.object_lock``): a lock keeps an object's shape, class
and existence against every edit, and merging a shard into the lead's project is one. A shard's version of
an image that moved, reshaped, reclassified or deleted an object the base holds locked (a script, another
tool, or the annotator unlocking it in their shard) gets the base's object back; the shard's version of it
goes to the report's ``left_out_objects`` and a ``locked_in_base`` conflict names the image and the ids, so
nothing is lost and nothing changes unsaid. Overlap images (versions side by side, each a rating) are left
as they are: no version replaces the base's there until a consensus is accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pixelproof.core.object_lock import is_locked
from pixelproof.core.split import copy_annotation
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.merge_image import ImageMerge, Version
    from pixelproof.core.model import Annotation


def _kept_as_is(a: Annotation, cat: str, b: Annotation, base_cat: str) -> bool:
    return (
        cat == base_cat
        and a.bbox == b.bbox
        and a.area == b.area
        and a.iscrowd == b.iscrowd
        and a.segmentation == b.segmentation
    )


def keep_locked(file_name: str, base: Version | None, m: ImageMerge, shards: list[str]) -> None:
    """Put back, in ``m``, each object ``base`` holds locked that the merged version changed or dropped."""
    from pixelproof.core.merge_image import Conflict, left_out_entry

    if base is None or m.tagged:
        return
    locked = [(b, c) for b, c in base.objects if b.app_extra and is_locked(b)]
    if not locked:
        return
    at = {o[0].id: i for i, o in enumerate(m.objects) if o[2]}  # the objects keeping a base id
    changed: list[int] = []
    deleted: list[int] = []
    for b, c in locked:
        i = at.get(b.id)
        if i is not None:
            a, cat, _ = m.objects[i]
            if _kept_as_is(a, cat, b, c):
                continue
            m.left_out.append(left_out_entry(", ".join(shards), file_name, a, cat, m.image))
            m.objects[i] = (copy_annotation(b), c, True)
            changed.append(b.id)
        else:
            m.objects.append((copy_annotation(b), c, True))
            deleted.append(b.id)
    if not changed and not deleted:
        return
    said = []
    if changed:
        said.append(
            f"moved, reshaped or reclassified {_ids(changed)} (their versions are in left_out_objects)"
        )
    if deleted:
        said.append(f"deleted {_ids(deleted)}")
    m.conflicts.append(
        Conflict(
            "locked_in_base",
            f"{file_name}: {', '.join(shards)} {' and '.join(said)}, locked in the base; the base's "
            f"{plural(len(changed) + len(deleted), 'locked object')} kept (unlock them in the "
            "project, then merge again, to take the shard's)",
            file_name,
            list(shards),
            {"annotation_ids": changed + deleted},
        )
    )


def _ids(ids: list[int]) -> str:
    return ("object " if len(ids) == 1 else "objects ") + ", ".join(f"#{i}" for i in ids)
