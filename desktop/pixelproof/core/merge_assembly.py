"""The last step of a merge of shards (``merge.merge_shards``): build the merged project from the per-image
results in image order, deciding every id there, deterministically (a base image keeps its id, a new image
or object keeps its own when free, else gets the next id none was given; a collision is a conflict), and
carry the per-image maps (status, time spent, review, display, overlap annotators, consensus marks) and the
app data a merge keeps. No Qt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pixelproof.core.channel_display import KEY as DISPLAY_KEY
from pixelproof.core.merge_image import Conflict, ImageMerge, Version
from pixelproof.core.model import (
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    Category,
    ImageRecord,
    Project,
)
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, CONSENSUS_KEY, OVERLAP_KEY, consensus_marks
from pixelproof.core.track_fill import with_class

if TYPE_CHECKING:
    from pixelproof.core.merge import Shard


def assemble_project(
    merged: list[tuple[str, ImageMerge, Version | None]],
    shards: list[Shard],
    base: Project | None,
    categories: list[Category],
    conflicts: list[Conflict],
    left_hp: list[str],
    names: list[str],
    returning: set[str],
) -> tuple[Project, list[dict[str, Any]], dict[str, list[str]], dict[str, int]]:
    """Build the project from per-image results in image order: ids are decided here, deterministically.
    A class the base removed since the split that shards still hold (``returning``) is that class: it
    keeps its id when free; any other new class or image gets one no class or image removed had. Returns
    (project, left-out objects, overlap images, stats) for ``merge.MergeResult``; ``conflicts`` grows."""
    project = Project(
        path=base.path if base is not None else shards[0].project.path if shards else None,
        extra=dict(base.extra if base is not None else shards[0].project.extra if shards else {}),
        app=_merged_app(base, shards),
    )
    cat_ids: dict[str, int] = {}
    given = base.issued(LAST_CATEGORY_ID) if base is not None else 0  # a class removed from the base had it
    new_cats = project.id_counter(LAST_CATEGORY_ID, above=max([c.id for c in categories] + [given]))
    for c in categories:
        own = c.name in returning or (
            base is not None and getattr(base.categories.get(c.id), "name", None) == c.name
        )
        fresh = base is None or not base.was_given_out(LAST_CATEGORY_ID, c.id)
        cid = c.id if c.id not in project.categories and (own or fresh) else new_cats.take()
        cat = Category(cid, c.name, c.supercategory, c.color, c.shortcut, dict(c.extra), dict(c.app_extra))
        project.add_category(cat)
        cat_ids[c.name] = cid

    image_ids = _image_ids(project, merged, base, conflicts)
    reserved = {a.id for _, m, _ in merged for a, _, keeps in m.objects if keeps}
    proposed_max = max((a.id for _, m, _ in merged for a, _, _ in m.objects), default=0)
    new_anns = project.id_counter(LAST_ANNOTATION_ID, above=max(proposed_max, max(reserved, default=0)))
    used: set[int] = set()
    left_out: list[dict[str, Any]] = []
    overlap_images: dict[str, list[str]] = {}
    edited_in_two = 0
    by_object = 0  # images edited in several shards, merged object by object (``merge_objects``)
    renumbered_copies = 0
    status_map: dict[str, str] = {}
    time_map: dict[str, dict[str, float]] = {}
    review_map: dict[str, dict[str, Any]] = {}
    display_map: dict[str, dict[str, Any]] = {}
    raters_map: dict[str, list[str]] = {}
    outdated: list[int] = []  # images whose consensus new versions outdated
    dropped = 0
    for (_, m, _), iid in zip(merged, image_ids, strict=True):
        im = m.image
        project.add_image(ImageRecord(iid, im.file_name, im.width, im.height, dict(im.extra)))
        if m.status is not None:
            status_map[str(iid)] = m.status
        if m.time_spent:
            time_map[str(iid)] = m.time_spent
        if m.review is not None:
            review_map[str(iid)] = m.review
        if m.display is not None:
            display_map[str(iid)] = m.display
        conflicts.extend(m.conflicts)
        left_out.extend(m.left_out)
        if m.tagged and any(c.type == "edited_in_two_shards" for c in m.conflicts):
            edited_in_two += 1  # versions side by side for a conflict: no overlap image of the split
        elif m.tagged:
            overlap_images[im.file_name] = m.tagged
        by_object += m.by_object
        if m.raters:
            raters_map[str(iid)] = m.raters
        if m.outdated is not None:
            outdated.append(iid)
            dropped += m.outdated
        for a, cat, keeps in m.objects:
            aid = a.id
            if aid in used or (not keeps and aid in reserved):
                if a.app_extra.get(ANNOTATOR_KEY) is not None and keeps:
                    renumbered_copies += 1  # a base object kept in several annotators' versions
                new_id = new_anns.take()
                if a.app_extra.get(ANNOTATOR_KEY) is None or not keeps:
                    conflicts.append(
                        Conflict(
                            "annotation_id_collision",
                            f"{im.file_name}: annotation id {aid} is already used; renumbered to {new_id}",
                            im.file_name,
                            [a.app_extra.get(ANNOTATOR_KEY) or a.author or ""],
                            {"old_id": aid, "new_id": new_id},
                        )
                    )
                aid = new_id
            used.add(aid)
            a.id, a.image_id = aid, iid  # ``a`` is merge_image's own copy; an untouched fill stays one
            project.add_annotation(with_class(a, cat_ids[cat]))
    per_image = (
        ("image_status", status_map),
        ("time_spent", time_map),
        ("image_review", review_map),
        (OVERLAP_KEY, raters_map),
        (DISPLAY_KEY, display_map),
    )
    for key, value in per_image:
        if value:
            project.app[key] = value
    marks = consensus_marks(project)  # the base's (``_merged_app``), but where new versions joined
    if marks:
        kept = {str(i): v for i, v in marks.items() if i not in outdated}
        if kept:
            project.app[CONSENSUS_KEY] = kept
        else:
            del project.app[CONSENSUS_KEY]
    stats = {
        "shards": len(shards),
        "images": len(project.images),
        "annotations": len(project.annotations),
        "categories": len(project.categories),
        "overlap_images": len(overlap_images),
        "edited_in_two_shards": edited_in_two,
        "merged_by_object": by_object,
        "renumbered_overlap_copies": renumbered_copies,
        "outdated_consensus_objects": dropped,
        "honeypots_left_out": len(left_hp),
        "conflicts": len(conflicts),
    }
    return project, left_out, overlap_images, stats


def _image_ids(
    project: Project,
    merged: list[tuple[str, ImageMerge, Version | None]],
    base: Project | None,
    conflicts: list[Conflict],
) -> list[int]:
    """Base images keep their ids; new images keep theirs when free (no image has it, none removed from the
    base had it: ``LAST_IMAGE_ID``), else get the next free id."""
    taken = {b.image.id for _, _, b in merged if b is not None}
    given = base.issued(LAST_IMAGE_ID) if base is not None else 0
    new_ids = project.id_counter(
        LAST_IMAGE_ID, above=max([m.image.id for _, m, _ in merged] + list(taken) + [given])
    )
    out = []
    for _, m, b in merged:
        if b is not None:
            out.append(b.image.id)
            continue
        iid = m.image.id
        if iid in taken or (base is not None and base.was_given_out(LAST_IMAGE_ID, iid)):
            why = "is already used" if iid in taken else "was an image's since removed from the project"
            new_id = new_ids.take()
            conflicts.append(
                Conflict(
                    "image_id_collision",
                    f"{m.image.file_name}: image id {iid} {why}; renumbered to {new_id}",
                    m.image.file_name,
                    [],
                    {"old_id": iid, "new_id": new_id},
                )
            )
            iid = new_id
        taken.add(iid)
        out.append(iid)
    return out


def _merged_app(base: Project | None, shards: list[Shard]) -> dict[str, Any]:
    source = base if base is not None else shards[0].project if shards else None
    app = {k: v for k, v in (source.app if source is not None else {"format": 1}).items()}
    for key in ("shard", "image_status", "time_spent", "image_review", OVERLAP_KEY, DISPLAY_KEY):
        app.pop(key, None)
    if base is None:  # a shard's is where its range of new ids began
        app.pop(LAST_ANNOTATION_ID, None)
        for key in (LAST_IMAGE_ID, LAST_CATEGORY_ID):  # ids any shard gave out stay given out
            given = max(s.project.issued(key) for s in shards)
            if given:
                app[key] = given
    return app
