"""A merge applied to the open project (the app's File > Merge Shards…): the edit that turns the base into
``merge_shards``'s project, as one undo step, so the app keeps what the CLI's ``merge`` writes (objects,
image status and review, time spent per image and author, display settings saved to the project, outside
marks)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pixelproof.core.channel_display import display_entries
from pixelproof.core.edits import Edit
from pixelproof.core.merge import MergeResult, image_reviews, time_spent_by_image
from pixelproof.core.merge_image import content_key
from pixelproof.core.model import Annotation, Project
from pixelproof.core.overlap_versions import consensus_marks, overlap_annotators
from pixelproof.core.track_outside import SetOutsideMarks, outside_marks


def merge_edit(base: Project, result: MergeResult) -> Edit:
    """The edit that turns ``base`` into ``result.project`` (a merge computed with ``base=base``): new
    categories and images, and each image whose objects or status differ rewritten. One undo step."""
    from pixelproof.core.edits import (
        AddAnnotations,
        AddCategory,
        Compound,
        RemoveAnnotations,
        SetChannelDisplay,
        SetConsensusMethod,
        SetImageReview,
        SetImageStatus,
        SetOverlapAnnotators,
    )
    from pixelproof.core.edits.images import AddImages, RelocateImages, SetTimeSpent
    from pixelproof.core.edits.lint import SetLintState

    merged = result.project
    cats = {c.id: c.name for c in merged.categories.values()}
    base_cats = {c.id: c.name for c in base.categories.values()}
    parts: list[Edit] = [AddCategory(c) for c in merged.categories.values() if c.id not in base.categories]
    new_images = [im for im in merged.images.values() if im.id not in base.images]
    if new_images:
        parts.append(AddImages(new_images))
    names = {
        iid: im.file_name
        for iid, im in merged.images.items()
        if iid in base.images and im.file_name != base.images[iid].file_name
    }
    if names:  # a file an annotator renamed (``MergeResult.renamed_files``): the image follows it
        parts.append(RelocateImages(names))
    removed: list[int] = []
    added: list[Annotation] = []
    for iid in merged.images:
        now = merged.annotations_of(iid)
        before = base.annotations_of(iid) if iid in base.images else []
        same = Counter(content_key(a, cats[a.category_id]) for a in now) == Counter(
            content_key(a, base_cats[a.category_id]) for a in before
        )
        if not same:
            removed += [a.id for a in before]
            added += now
    if removed:
        parts.append(RemoveAnnotations(removed))
    if added:
        parts.append(AddAnnotations(added, "Add merged annotations"))
    for iid in merged.images:
        status = merged.app.get("image_status", {}).get(str(iid))
        if status is not None and status != base.image_status(iid):
            parts.append(SetImageStatus(iid, status))
    for iid, entry in _changed(image_reviews(merged), image_reviews(base), merged).items():
        parts.append(SetImageReview(iid, entry))  # a whole-image decision made in a shard
    shown = _changed(display_entries(merged), display_entries(base), merged)
    if shown:  # display settings an annotator saved to their shard's project
        parts.append(SetChannelDisplay(shown, "Merge display settings"))
    raters = _changed(overlap_annotators(merged), overlap_annotators(base), merged)
    if raters:  # who labelled each overlap image: agreement counts one who drew nothing too
        parts.append(SetOverlapAnnotators(raters))
    marks = _changed(consensus_marks(merged), consensus_marks(base), merged)
    if marks:  # a consensus new versions outdated is to be worked out again
        parts.append(SetConsensusMethod(marks))
    # marks annotators made or took away (``merge_marks``); the merge's own, not those AddImages renumbered
    if outside_marks(merged) != outside_marks(base) or (new_images and outside_marks(base)):
        parts.append(
            SetOutsideMarks(outside_marks(merged), next(iter(merged.images), 0), "Merge outside marks")
        )
    if merged.app.get("lint") != base.app.get("lint"):  # every shard's "not a problem" decisions
        parts.append(SetLintState(merged.app.get("lint")))
    before = time_spent_by_image(base)
    changed_time = {iid: s for iid, s in time_spent_by_image(merged).items() if s != before.get(iid)}
    if changed_time:  # what the shards' annotators recorded (RecordTime), as the CLI's merge saves it
        parts.append(SetTimeSpent(changed_time))
    return Compound(parts, result.label(), focus=[a.id for a in added] or None)


def _changed(now: dict[int, Any], before: dict[int, Any], merged: Project) -> dict[int, Any]:
    """The per-image entries that differ between the merged project and the base (None: drop it)."""
    return {iid: now.get(iid) for iid in merged.images if now.get(iid) != before.get(iid)}
