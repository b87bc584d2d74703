"""Ids numbered again from 1 (``pixelproof renumber``): images, categories and objects get 1..N in file order,
and every reference to them in the project follows - annotations' ``image_id`` / ``category_id``, links
between objects (``from_box``, ``consensus_of``), the per-image maps of the top-level ``pixelproof`` object,
the "not a problem" decisions and the images the last "Pre-label all" was asked for and did - so nothing
the project knows is lost (a LabelMe round trip, the way on before, dropped statuses, colours and
decisions). The ``last_*_id`` marks come down to the new highest ids: the way on for a project whose ids
reach ``ID_MAX`` (``IdsExhausted``).

The result is a new project: the ids a shard of an earlier split, a report or another tool knows name
other things in it (or nothing). It is marked (``pixelproof.renumbered``) so merge refuses a shard split
from the file before (``merge_checks.check_lineage``). A reference to an id no longer in the project (a
decision on a deleted object, the objects an accepted consensus summarised) cannot follow it: it would
name whatever takes that number now, so it is removed and counted. What cannot be renumbered safely - a
shard (its ids are its base's), a top-level key this version does not know - is refused, naming it."""

from __future__ import annotations

import copy
import secrets
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from pixelproof.core import history
from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.edits.model_mapping import MAPPINGS
from pixelproof.core.edits.prelabel_choice import ONLY_EXISTING
from pixelproof.core.image_maps import IMAGE_MAPS
from pixelproof.core.model import (
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    Project,
    id_key,
    utc_now,
)
from pixelproof.core.overlap_versions import CONSENSUS_OF
from pixelproof.core.run_ids import RUN, run_ids
from pixelproof.core.track_fill import with_class

RENUMBERED = "renumbered"  # top-level pixelproof: {"time", "token"} of the renumbering that made the file
KINDS = ("images", "categories", "annotations")
MARKS = {LAST_IMAGE_ID: "images", LAST_CATEGORY_ID: "categories", LAST_ANNOTATION_ID: "annotations"}
# top-level pixelproof keys that name no id: kept as they are. Rules, model mappings and taxonomy name
# classes by name; the change log (``history``, the sidecar) names images and classes by name too.
ID_FREE = (
    "format",
    "exif_orientation",
    "reference",
    "reference_format",
    "rules",
    MAPPINGS,
    ONLY_EXISTING,
    "history",
    RENUMBERED,
)


class RenumberError(ValueError):
    """Data whose ids cannot be renumbered safely; ``problems`` names each place and why."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{name}: cannot renumber: " + "; ".join(problems))


@dataclass
class Renumbered:
    """The renumbered project, each kind's old -> new ids (every id, in file order), and the references to
    ids no longer in the project that were removed, counted by place."""

    project: Project
    maps: dict[str, dict[int, int]]
    removed: Counter[str] = field(default_factory=Counter)
    marks_lowered: bool = False

    def changed(self, kind: str) -> int:
        """How many ids of ``kind`` (one of ``KINDS``) changed."""
        return sum(old != new for old, new in self.maps[kind].items())

    @property
    def ids_changed(self) -> bool:
        """Whether an id changed or a mark came down: ids an earlier copy knows name other things now."""
        return self.marks_lowered or any(self.changed(kind) for kind in KINDS)


def check_renumberable(project: Project) -> list[str]:
    """What in ``project`` names ids that cannot be renumbered safely (empty: all can)."""
    problems = []
    app = project.app
    if "shard" in app:
        info = app["shard"] if isinstance(app["shard"], dict) else {}
        who = f" ({info['annotator']}'s)" if isinstance(info.get("annotator"), str) else ""
        problems.append(
            f"pixelproof.shard: it is a shard of a split{who}, whose ids are its base project's; merge it "
            "into its base, then renumber the merged project"
        )
    known = {*ID_FREE, *IMAGE_MAPS, *MARKS, "lint", "shard", RUN}
    for key in app:
        if key not in known:
            problems.append(
                f"pixelproof.{key}: not a key this PixelProof knows, so the ids it may hold cannot be "
                "renumbered; remove it, or renumber with the program that wrote it"
            )
    lint = app.get("lint")
    if isinstance(lint, dict):
        for key in lint:
            if key not in ("dismissed",):
                problems.append(f"pixelproof.lint.{key}: not a key this PixelProof knows (see above)")
    for key in IMAGE_MAPS:
        problems += _twin_keys(app.get(key), f"pixelproof.{key}")
    return problems


def renumber(project: Project) -> Renumbered:
    """``project`` (untouched) with its ids numbered from 1 in file order and every reference following
    them; raises ``RenumberError`` when ``check_renumberable`` finds something. When no id changes, no
    mark comes down and no reference is removed, it saves as the same bytes (a second renumber)."""
    problems = check_renumberable(project)
    if problems:
        raise RenumberError(str(project.path or "the project"), problems)
    maps = {
        "images": {old: k for k, old in enumerate(project.images, 1)},
        "categories": {old: k for k, old in enumerate(project.categories, 1)},
        "annotations": {old: k for k, old in enumerate(project.annotations, 1)},
    }
    images, cats, anns = maps["images"], maps["categories"], maps["annotations"]
    removed: Counter[str] = Counter()
    app = copy.deepcopy(project.app)
    for key in IMAGE_MAPS:
        entries = app.get(key)
        if isinstance(entries, dict):
            app[key] = _rekeyed(entries, images, f"pixelproof.{key}", removed)
    lint = app.get("lint")
    if isinstance(lint, dict) and isinstance(lint.get("dismissed"), list):
        owners = {a.id: a.image_id for a in project.annotations.values()}
        lint["dismissed"] = renumbered_decisions(lint["dismissed"], owners, images, anns, removed)
    if RUN in app:  # a resume after renumbering runs the images not done, under their new ids
        rec, lost = run_ids(app[RUN], images)
        if lost:
            removed[f"pixelproof.{RUN}"] += lost
        if rec is None:
            del app[RUN]
        else:
            app[RUN] = rec
    lowered = False
    for key, kind in MARKS.items():
        top = len(maps[kind])
        if key in app:  # absent: the highest id present is the mark, as it stays
            lowered |= app[key] > top
            app[key] = top
    out = Project(
        images={
            images[i]: replace(im, id=images[i], extra=copy.deepcopy(im.extra))
            for i, im in project.images.items()
        },
        categories={
            cats[c]: replace(
                cat, id=cats[c], extra=copy.deepcopy(cat.extra), app_extra=copy.deepcopy(cat.app_extra)
            )
            for c, cat in project.categories.items()
        },
        annotations={},
        path=project.path,
        extra=copy.deepcopy(project.extra),
        app=app,
    )
    for a in project.annotations.values():
        extra = renumbered_links(a.app_extra, anns, removed)
        b = replace(
            a,
            id=anns[a.id],
            image_id=images[a.image_id],
            extra=copy.deepcopy(a.extra),
            app_extra=extra,
            _mask=None,
        )
        out.add_annotation(with_class(b, cats[a.category_id]))  # an untouched fill stays one
    out.file_state = project.file_state  # saved in place: refused if the file changed since it was read
    history.capture(out)  # the change log names images and classes by name: renumbering changes none
    done = Renumbered(out, maps, removed, lowered)
    if done.ids_changed:  # a new project: merge refuses a shard split from the file before
        app[RENUMBERED] = {"time": utc_now(), "token": secrets.token_hex(8)}
    return done


def _twin_keys(entries: Any, where: str) -> list[str]:
    """Two keys of one map naming one id ("12" and "012"): they would become one."""
    if not isinstance(entries, dict):
        return []
    seen: dict[int, str] = {}
    problems = []
    for key in entries:
        i = id_key(key)
        if i is None:
            continue
        if i in seen:
            problems.append(f"{where}: keys {seen[i]!r} and {key!r} both name image {i}; keep one")
        seen.setdefault(i, key)
    return problems


def _rekeyed(entries: dict[str, Any], images: dict[int, int], where: str, removed: Counter[str]) -> dict:
    """A per-image map under the new ids, in its order; an entry of an image no longer in the project is
    removed (counted). A key that is no id at all (a hand edit) names no image, now or later: kept."""
    out = {}
    for key, value in entries.items():
        i = id_key(key)
        if i is None:
            out[key] = value
        elif i in images:
            out[str(images[i])] = value
        else:
            removed[where] += 1
    return out


def renumbered_decisions(
    keys: list[Any],
    owners: dict[int, int],
    images: dict[int, int],
    anns: dict[int, int],
    removed: Counter[str],
) -> list[Any]:
    """``lint.dismissed`` keys (``core.lint.problems.Problem.key``: ``kind|image|object[+object]``,
    ``kind|image|-``, ``missing_object|image|class@box``) in the new ids (``images``, ``anns``: old -> new;
    ``owners``: each object's old id -> its image's old id). A key naming an image or object not in these
    maps, or an object on another image, is removed (counted); one that is no key of that form names
    nothing and is kept. Renumbering and reading several COCO split files as one (``coco_splits``) use it."""
    out = []
    for key in keys:
        parts = key.split("|") if isinstance(key, str) else []
        image = id_key(parts[1]) if len(parts) == 3 else None
        if image is None:
            out.append(key)
            continue
        kind, _, tail = parts
        if tail == "-" or "@" in tail:
            new_tail: str | None = tail
        else:
            ids = [id_key(t) for t in tail.split("+")]
            if None in ids:
                out.append(key)
                continue
            ok = all(i in anns and owners.get(i) == image for i in ids)  # type: ignore[operator]
            new_tail = "+".join(str(anns[i]) for i in ids) if ok else None  # type: ignore[index]
        if image not in images or new_tail is None:
            removed["pixelproof.lint.dismissed"] += 1
            continue
        out.append(f"{kind}|{images[image]}|{new_tail}")
    return out


def renumbered_links(
    app_extra: dict[str, Any], anns: dict[int, int], removed: Counter[str]
) -> dict[str, Any]:
    """A copy of an object's app extras with the objects it names (``from_box``: the box a mask was made
    from; ``consensus_of``: the annotators' objects a consensus summarises) in the new ids (``anns``: old ->
    new). A link to an object not in ``anns`` is removed (counted): a ``from_box`` then names no box, as it
    did (the mask is an ordinary one, ``linked_box``); ``consensus_of`` keeps the others (an accepted
    consensus: none). Renumbering and reading several COCO split files as one (``coco_splits``) use it."""
    extra = copy.deepcopy(app_extra)
    box = extra.get(FROM_BOX)
    if type(box) is int:
        if box in anns:
            extra[FROM_BOX] = anns[box]
        else:
            del extra[FROM_BOX]
            removed[f"annotations[].pixelproof.{FROM_BOX}"] += 1
    of = extra.get(CONSENSUS_OF)
    if isinstance(of, list):
        kept = [anns[i] if type(i) is int and i in anns else i for i in of if type(i) is not int or i in anns]
        if len(kept) < len(of):
            removed[f"annotations[].pixelproof.{CONSENSUS_OF}"] += len(of) - len(kept)
        extra[CONSENSUS_OF] = kept
    return extra
