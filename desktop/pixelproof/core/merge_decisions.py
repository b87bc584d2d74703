"""Lint's "not a problem" decisions (``pixelproof.lint.dismissed``) through a merge. A key names ids of the
project it was made in (``kind|image_id|annotation_id[+related_id]``, ``kind|image_id|-``,
``missing_object|image_id|class@box``: ``core.lint.problems.Problem.key``); the merge renumbers ids and every
shard numbers its own. So each source's decisions (the base's and every shard's) are carried to the merged
ids of the same object, found on its image by its class and shape (the annotator's copy on an image kept
side by side); a decision whose object is not in the merged project (deleted, or changed by the version
kept) is dropped and counted, so that no decision comes to name another object."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import orjson

from pixelproof.core.model import Annotation, Project, id_key
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.wording import plural


@dataclass(slots=True)
class Source:
    """A project merged: its image ids -> the merged project's, and the annotator tag its objects get
    where versions are kept side by side (None for the base)."""

    project: Project
    image_ids: dict[int, int]
    annotator: str | None = None


def carry_decisions(merged: Project, sources: list[Source]) -> int:
    """Set ``merged``'s decisions to every source's, in merged ids; returns how many were dropped. A shard
    holds the decisions the split copied from the base: the later source's copy of a key on the same
    image decides, and a drop is counted once."""
    place = _Objects(merged)
    done: list[tuple[int | None, str, str | None]] = []  # (merged image, key, key in merged ids or None)
    for source in sources:
        for key in _keys(source.project):
            kind, _, rest = key.partition("|")
            image, _, tail = rest.partition("|")
            old = id_key(image)
            if old not in source.project.images:
                continue  # not about its images (a shard holds the split's decisions on every image)
            new = _carried(source, old, tail, place)
            image_id = source.image_ids.get(old)  # type: ignore[arg-type]
            done.append((image_id, key, None if new is None else f"{kind}|{image_id}|{new}"))
    seen: set[tuple[int | None, str]] = set()
    dropped = 0
    for image_id, key, new in reversed(done):
        dropped += new is None and (image_id, key) not in seen
        seen.add((image_id, key))
    lint = merged.app.get("lint")
    value = {k: v for k, v in lint.items() if k != "dismissed"} if isinstance(lint, dict) else {}
    if kept := list(dict.fromkeys(new for _, _, new in done if new is not None)):
        value["dismissed"] = kept
    if value:
        merged.app["lint"] = value
    else:
        merged.app.pop("lint", None)
    return dropped


def dropped_text(n: int) -> str:
    """The merge's line on the decisions it dropped (CLI and app alike); "" for none."""
    if not n:
        return ""
    decisions = plural(n, '"not a problem" decision')
    return (
        f"{decisions} dropped: their object is not in the merged project (deleted, or changed in the version "
        "kept); find problems again to review them"
    )


def _keys(project: Project) -> list[str]:
    lint = project.app.get("lint")
    keys = lint.get("dismissed") if isinstance(lint, dict) else None
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _carried(source: Source, image: int, tail: str, place: _Objects) -> str | None:
    """The key's tail in merged ids, or None when its image or objects are not in the merged project."""
    if image not in source.image_ids:
        return None
    if tail == "-" or "@" in tail:  # an image's problem, a missing object: no object id
        return tail
    parts = tail.split("+")
    ids = [i for t in parts if (i := id_key(t)) is not None]  # any id a project holds: even negative
    if len(ids) != len(parts):
        return None
    new = [place.find(source, image, aid) for aid in ids]
    if None in new or len(set(new)) != len(new):
        return None
    return "+".join(str(n) for n in new)


def _shape(project: Project, a: Annotation) -> bytes | None:
    category = project.categories.get(a.category_id)
    if category is None:
        return None
    fields = [category.name, a.bbox, a.segmentation, a.iscrowd]
    return orjson.dumps(fields, option=orjson.OPT_SERIALIZE_NUMPY, default=str)


class _Objects:
    """The objects of the merged project and of the sources by image and shape, read for the images asked
    about only."""

    def __init__(self, merged: Project) -> None:
        self.merged = merged
        self._images: dict[tuple[int, int], dict[bytes | None, list[Annotation]]] = {}

    def _of(self, project: Project, image: int) -> dict[bytes | None, list[Annotation]]:
        """An image's objects by shape, by id (kept: a source's images are asked about again)."""
        key = (id(project), image)
        if key not in self._images:
            out: dict[bytes | None, list[Annotation]] = defaultdict(list)
            for a in sorted(project.annotations_of(image), key=lambda a: a.id):
                out[_shape(project, a)].append(a)
            self._images[key] = out
        return self._images[key]

    def find(self, source: Source, image: int, aid: int) -> int | None:
        """The merged id of ``source``'s object ``aid`` on ``image``: the object of the same class and
        shape there, the n-th of several alike as it is the n-th in the source."""
        a = source.project.annotations.get(aid)
        if a is None or a.image_id != image:
            return None
        shape = _shape(source.project, a)
        here = self._of(self.merged, source.image_ids[image]).get(shape, []) if shape is not None else []
        want = a.app_extra.get(ANNOTATOR_KEY) or source.annotator
        pool = [c for c in here if c.app_extra.get(ANNOTATOR_KEY) == want]
        if not pool and ANNOTATOR_KEY not in a.app_extra:  # its version kept alone: not tagged
            pool = [c for c in here if ANNOTATOR_KEY not in c.app_extra]
        alike = [
            b.id
            for b in self._of(source.project, image)[shape]
            if b.app_extra.get(ANNOTATOR_KEY) == a.app_extra.get(ANNOTATOR_KEY)
        ]
        rank = alike.index(aid)
        return pool[rank].id if rank < len(pool) else None
