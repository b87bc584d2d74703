"""What QA scores of a team's merged project (``pixelproof split`` / ``merge``), so a defect counts once.

On an overlap image holding several annotators' versions side by side, scoring every version counts each
object once per annotator (one match and the copies as extra objects). By default (``versions="agreed"``)
QA scores what the team agreed: the image's consensus objects (``pixelproof consensus``; those a reviewer
rejected aside) and what is no annotator's version; an image without a consensus yet has nothing agreed to
score and is left out. ``versions="all"`` scores every version, as before. A honeypot image the merge
marked (``overlap_versions.HONEYPOT_KEY``) and nobody labelled in the project is left out too: every
annotator labelled it in their shard to be scored against the reference (agreement's scorecards), never
in the project, where it would top the worst list at Dice 0. Each leaving-out is one line of the run's
problems."""

from __future__ import annotations

from pixelproof.core.labels import is_label
from pixelproof.core.model import DONE_STATES, Annotation, Project, is_rejected
from pixelproof.core.overlap_versions import (
    ANNOTATOR_KEY,
    consensus_marks,
    honeypot_images,
    is_consensus,
    versions_side_by_side,
)
from pixelproof.core.wording import plural

VERSIONS = ("agreed", "all")  # QAOptions.versions, qa --versions
VERSIONS_FLAG = "--versions all"  # what scores every version, in the command's words


def scored_candidate(
    candidate: Project, versions: str = "agreed", switch: str | None = None
) -> tuple[Project, set[int], list[str]]:
    """The candidate QA scores (a snapshot without the objects left out, or ``candidate`` itself), the ids
    of its images left out of scoring, and the problem lines saying what was left out and why. ``switch``:
    what the lines name as scoring every version (``VERSIONS_FLAG``; the app names its menu item)."""
    switch = switch or VERSIONS_FLAG
    if versions not in VERSIONS:
        raise ValueError(f"versions must be one of {', '.join(VERSIONS)}, got {versions!r}")
    where = str(candidate.path) if candidate.path else "the candidate"
    unscored: set[int] = set()
    notes: list[str] = []
    marked = honeypot_images(candidate)
    honeypots = [i for i in candidate.images if i in marked and not _labelled(candidate, i)]
    if honeypots:
        unscored.update(honeypots)
        notes.append(
            f"{where}: {_images(candidate, honeypots)} {_be(honeypots, 'is a honeypot', 'are honeypots')} "
            "of the split, labelled by every annotator in their shard and by no one in this project: not "
            "scored (agreement --manifest scores the annotators on them)"
        )
    several = _several(candidate)
    if not several:
        return candidate, unscored, notes
    if versions == "all":
        notes.append(
            f"{where}: {plural(len(several), 'image')} {_hold(several)} several annotators' versions side by "
            f"side (a merged project before its consensus is accepted); every version there is scored "
            f"({switch})"
        )
        return candidate, unscored, notes
    drop: list[int] = []
    agreed: list[int] = []
    waiting: list[int] = []
    worked_out = consensus_marks(candidate)  # a consensus worked out: its objects scored, even none
    for image_id in several:
        objects = list(candidate.annotations_of(image_id))
        if image_id not in worked_out and not any(map(is_consensus, objects)):  # a file from before the mark
            waiting.append(image_id)
            continue
        agreed.append(image_id)
        drop += [a.id for a in objects if _not_agreed(a)]
    if agreed:
        versions_left = sum(candidate.annotations[i].app_extra.get(ANNOTATOR_KEY) is not None for i in drop)
        notes.append(
            f"{where}: {plural(len(agreed), 'image')} {_hold(agreed)} several annotators' versions side by "
            f"side: {_be(agreed, 'its', 'their')} consensus objects scored, the "
            f"{plural(versions_left, 'object')} of the annotators' versions left out ({switch} scores "
            "every version)"
        )
    if waiting:
        unscored.update(waiting)
        notes.append(
            f"{where}: {_images(candidate, waiting)} {_hold(waiting)} several annotators' versions side by "
            "side and no consensus yet: not scored (pixelproof consensus on it gives what the team agreed; "
            f"{switch} scores every version)"
        )
    return (candidate.snapshot(without=drop) if drop else candidate), unscored, notes


def holds_versions(candidate: Project) -> bool:
    """Whether ``versions`` changes what QA scores of ``candidate``: an image of it holds several
    annotators' versions side by side (the review view's Score Every Annotator's Version acts only then)."""
    return bool(_several(candidate))


def _several(candidate: Project) -> list[int]:
    """The ids of the images holding several annotators' versions side by side, in image order."""
    held = versions_side_by_side(candidate)
    return [i for i in candidate.images if len(held.get(i, ())) > 1]


def _labelled(project: Project, image_id: int) -> bool:
    """Whether someone labelled the image in the project: marked Done or Reviewed, or holding a label (no
    void region, pending proposal or rejected object)."""
    if project.image_status(image_id) in DONE_STATES:
        return True
    void = project.void_category_ids()
    return any(is_label(a) and a.category_id not in void for a in project.annotations_of(image_id))


def _not_agreed(a: Annotation) -> bool:
    """An annotator's version, or a consensus object a reviewer rejected."""
    return a.app_extra.get(ANNOTATOR_KEY) is not None or (is_consensus(a) and is_rejected(a))


def _images(project: Project, ids: list[int]) -> str:
    """'2 images (a.png, b.png)': up to five named, then how many more."""
    names = [project.images[i].file_name for i in ids]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{plural(len(ids), 'image')} ({', '.join(names[:5])}{more})"


def _hold(ids: list[int]) -> str:
    return "holds" if len(ids) == 1 else "hold"


def _be(ids: list[int], one: str = "is", many: str = "are") -> str:
    return one if len(ids) == 1 else many
