"""Consensus of several annotators' versions of an image, written as pending objects (issue 16).

Objects are grouped into units as for agreement (class-agnostic matching); void regions are grouped the
same way among themselves, never with objects. A unit becomes one consensus object when more than half of
the image's annotators drew it; its class is the most frequent label (a tie keeps the label of the first
annotator, in rater order, and the object's note names the tied classes: the reviewer decides); it is a
crowd region when more than half of the unit's objects are. A unit exactly half of the annotators drew (a
tie; with two annotators, an object one of them drew alone) becomes a consensus object too with ``ties``
"pending" (the default: a lead would rather decide than lose it): its note says "drawn by 1 of 2
annotators", ``pixelproof.consensus_tie`` holds [1, 2], and accepting the image's consensus leaves it
pending (never accepted for the reviewer); with ``ties`` "drop" it is left out as before. Its shape is
the pixels at least half of the annotators drew, whatever the method: STAPLE's posterior on the pixels of
half of the annotators hangs on their estimated performance, around 0.5, not a rule a reviewer can read.
Its shape:

- masks, ``majority``: the pixels more than half of the annotators put inside their object of the unit
  (an annotator without an object there counts as "no");
- masks, ``staple``: STAPLE (Warfield et al. 2004) on the image's object masks (any class: shapes are
  matched whatever the class, so an annotator who gave the object another class still delineated it)
  estimates each annotator's sensitivity and specificity and the prior; a unit's pixels are those whose
  posterior probability of being foreground, given the annotators' objects of the unit, exceeds 0.5;
- boxes (more than half of the unit's objects boxes): the mean of the members' corners; otherwise a box
  among masks votes with its pixels.

Consensus objects have review "pending", source ``consensus:<method>`` and ``pixelproof.consensus_of``
(the ids of the objects they summarise); the image gets ``pixelproof.consensus`` = the method, also when no
object was drawn by most annotators. Accepting the consensus of an image is one edit: the accepted objects
stay, rejected ones and the annotators' versions go (all of them when the consensus is empty), and the
image is no longer an overlap image (its ``overlap_annotators`` and ``consensus`` entries go).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pixelproof.core import metrics, reliability, rle_codec
from pixelproof.core.agreement import MAX_IMAGE_RATERS, Member, cluster_objects, raters_from_merged
from pixelproof.core.consensus_locks import locked_object, unlock_replaced
from pixelproof.core.edits import (
    AddAnnotations,
    Compound,
    Edit,
    RemoveAnnotations,
    ReplaceAnnotations,
    SetConsensusMethod,
    SetOverlapAnnotators,
)
from pixelproof.core.geometry import clone
from pixelproof.core.labels import set_review
from pixelproof.core.limits import LimitError
from pixelproof.core.model import LAST_ANNOTATION_ID, Annotation, Project
from pixelproof.core.overlap_versions import (
    ANNOTATOR_KEY,
    CONSENSUS_OF,
    CONSENSUS_TIE,
    SOURCE_PREFIX,
    consensus_marks,
    is_consensus,
    is_tie,
    overlap_annotators,
    versions_side_by_side,
)
from pixelproof.core.qa_objects import ImageObject, image_objects
from pixelproof.core.split import image_key
from pixelproof.core.wording import plural

METHODS = ("majority", "staple")
TIES = ("pending", "drop")  # what becomes of an object exactly half of the annotators drew


@dataclass
class ImageConsensus:
    file_name: str
    objects: list[tuple[Annotation, str]]  # (object with id 0, category name)
    minority: int = 0  # units drawn by too few annotators (see ``ties``): left out
    ties: int = 0  # consensus objects whose class is a tie (noted on the object)
    half: int = 0  # consensus objects exactly half of the annotators drew (ties "pending"): to decide
    performance: dict[int, tuple[float, float]] = field(default_factory=dict)  # rater -> STAPLE (p, q)


def _staple(objects: list[list[ImageObject]], shape: tuple[int, int]) -> reliability.StapleResult | None:
    """STAPLE of the annotators' masks of all these objects (None when there are none)."""
    crops = [[o.placed for o in objs if not o.placed.is_empty] for objs in objects]
    if not any(crops):
        return None
    return reliability.staple(*reliability.placed_decision_patterns(crops, shape))


def consensus_image(
    file_name: str,
    members: list[Member],
    method: str = "staple",
    iou_threshold: float = 0.5,
    ties: str = "pending",
) -> ImageConsensus:
    """Consensus objects of one image (see the module docstring). Pure: reads its arguments only."""
    if method not in METHODS:
        raise ValueError(f"consensus method {method!r}: one of {', '.join(METHODS)}")
    if ties not in TIES:
        raise ValueError(f"consensus ties {ties!r}: one of {', '.join(TIES)}")
    h, w = members[0].image.height, members[0].image.width
    n = len(members)
    result = ImageConsensus(file_name, [])
    kept: list[tuple[Annotation | None, list[ImageObject], str, str | None, int | None]] = []
    crops: list[tuple[rle_codec.Rect, np.ndarray]] = []
    for void_regions in (False, True):
        objects = [image_objects(m.project, m.image, (h, w), void_regions=void_regions) for m in members]
        staple = _staple(objects, (h, w)) if method == "staple" else None
        if staple is not None and not void_regions:
            result.performance = {
                members[r].rater: (float(staple.sensitivity[r]), float(staple.specificity[r]))
                for r in range(n)
            }
        for unit in cluster_objects(objects, iou_threshold):
            support = len({r for r, _ in unit})
            half = 2 * support == n
            if 2 * support < n or (half and ties == "drop"):
                result.minority += 1
                continue
            chosen = [objects[r][j] for r, j in unit]
            labels = Counter(o.category for o in chosen)  # in rater order
            tied = [c for c, k in labels.items() if k == max(labels.values())]
            notes = [f"drawn by {support} of {n} annotators"] if half else []
            notes += [f"class tie: {', '.join(tied)}"] if len(tied) > 1 else []
            found = locked_object(chosen, n) or _unit_shape(unit, chosen, n, None if half else staple, half)
            if found is None:
                continue
            result.ties += len(tied) > 1
            result.half += half
            note = "; ".join(notes) or None
            if isinstance(found, Annotation):
                kept.append((found, chosen, tied[0], note, support if half else None))
            else:
                kept.append((None, chosen, tied[0], note, support if half else None))
                crops.append(found)
    # every unit's mask encoded in one pass (one call a unit was most of a 10,000-nuclei image's time)
    geometries = iter(rle_codec.crops_rle(crops, h, w))
    for box_object, chosen, label, note, tie_support in kept:
        if box_object is None:
            seg, bbox, area = next(geometries)  # type: ignore[misc]  # a crop with pixels is never None
            box_object = Annotation(0, 0, 0, bbox, seg, area)
        ann = box_object
        ann.iscrowd = int(2 * sum(bool(o.ann.iscrowd) for o in chosen) > len(chosen))
        ann.review = "pending"
        ann.note = note
        ann.source = f"{SOURCE_PREFIX}{method}"
        ann.app_extra[CONSENSUS_OF] = [o.ann.id for o in chosen]
        if tie_support is not None:
            ann.app_extra[CONSENSUS_TIE] = [tie_support, n]
        result.objects.append((ann, label))
    return result


def _unit_shape(
    unit: list[tuple[int, int]],
    chosen: list[ImageObject],
    n: int,
    staple: reliability.StapleResult | None,
    half: bool = False,
) -> Annotation | tuple[rle_codec.Rect, np.ndarray] | None:
    """A unit's box object (mean corners) or its polygon every annotator kept unchanged, else its mask as
    (rect, crop) to encode with the image's others; None when no pixel is kept. ``half``: a tie unit,
    whose pixels are those at least half of the annotators drew."""
    if 2 * sum(o.is_box for o in chosen) > len(chosen):
        corners = np.array([[x, y, x + bw, y + bh] for x, y, bw, bh in (o.ann.bbox for o in chosen)], float)
        x0, y0, x1, y1 = corners.mean(axis=0)
        return Annotation(
            0,
            0,
            0,
            [float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
            None,
            float((x1 - x0) * (y1 - y0)),
        )
    first = chosen[0].ann
    if (
        (len(chosen) == n or half)
        and isinstance(first.segmentation, list)
        and all(o.ann.segmentation == first.segmentation and o.ann.bbox == first.bbox for o in chosen)
    ):  # every annotator kept the very same polygon (e.g. one already there before the split): kept as is
        return Annotation(0, 0, 0, list(first.bbox), copy.deepcopy(first.segmentation), first.area)
    box = metrics.union_box([o.placed for o in chosen])
    if box is None:
        return None
    y0, x0, y1, x1 = box
    frames = [o.placed.in_frame(y0, x0, y1 - y0, x1 - x0) for o in chosen]
    if half:  # exactly half of the annotators drew it: the pixels at least half of them drew
        crop = np.sum([np.asarray(f, dtype=np.uint16) for f in frames], axis=0) * 2 >= n
    elif staple is None:
        crop = reliability.majority_vote(frames, raters=n)
    else:
        decisions = np.zeros((n, *frames[0].shape), bool)
        for (r, _), f in zip(unit, frames, strict=True):
            decisions[r] = f
        patterns, _, inverse = reliability.decision_patterns(list(decisions))
        crop = (
            reliability.posterior(patterns, staple.sensitivity, staple.specificity, staple.prior)[inverse]
            > 0.5
        )
    if not crop.any():
        return None
    return (x0, y0, x1 - x0, y1 - y0), crop


def overlap_images(project: Project) -> dict[int, list[Member]]:
    """Image id -> the annotators' versions kept side by side on it (two or more)."""
    raters = raters_from_merged(project)
    out: dict[int, list[Member]] = {}
    for r, rater in enumerate(raters):
        for i, im in rater.project.images.items():
            out.setdefault(i, []).append(Member(r, rater.project, im))
    return {i: out[i] for i in project.images if len(out.get(i, [])) >= 2}


def consensus_edit(
    project: Project,
    method: str = "staple",
    iou_threshold: float = 0.5,
    check: Callable[[], None] | None = None,
    ties: str = "pending",
) -> tuple[Edit, dict[str, Any]]:
    """The edit adding pending consensus objects to every overlap image without one yet, and a summary.
    ``check`` is called before each image (a background job's cancel); a ``LimitError`` names the image.
    ``ties``: what becomes of an object exactly half of the annotators drew (``TIES``)."""
    if ties not in TIES:  # said before any image, also when every image has its consensus already
        raise ValueError(f"consensus ties {ties!r}: one of {', '.join(TIES)}")
    cats = {c.name: c.id for c in project.categories.values()}
    new_ids = project.id_counter(LAST_ANNOTATION_ID)
    added: list[Annotation] = []
    summary: dict[str, Any] = {
        "images": 0,
        "objects": 0,
        "minority": 0,
        "ties": 0,
        "half": 0,
        "tie_rule": ties,
        "skipped": [],
    }
    marked = consensus_marks(project)
    worked_out: dict[int, str | None] = {}
    for image_id, members in overlap_images(project).items():
        image = project.images[image_id]
        if has_consensus(project, image_id, marked):
            summary["skipped"].append(image.file_name)
            continue
        if len(members) > MAX_IMAGE_RATERS:  # 10,000 versions of a Label Studio task ran for minutes
            summary.setdefault("crowded", []).append((image.file_name, len(members)))
            continue
        if check is not None:
            check()
        try:
            result = consensus_image(image.file_name, members, method, iou_threshold, ties)
        except LimitError as e:  # e.g. a crafted mask box over the pixel limit: say on which image
            raise LimitError(image.file_name, str(e)) from e
        except MemoryError:
            raise LimitError(image.file_name, "not enough memory to work out its consensus") from None
        worked_out[image_id] = method
        summary["images"] += 1
        summary["minority"] += result.minority
        summary["ties"] += result.ties
        summary["half"] += result.half
        for ann, label in result.objects:
            ann.id, ann.image_id, ann.category_id = new_ids.take(), image_id, cats[label]
            added.append(ann)
    summary["objects"] = len(added)
    # one annotator's version so far (a shard merged as it came): the others' shards are still to come
    summary["waiting"] = sum(len(who) == 1 for who in versions_side_by_side(project).values())
    label = f"Consensus ({method})"
    parts: list[Edit] = [AddAnnotations(added, label)] if added else []
    if worked_out:
        parts.append(SetConsensusMethod(worked_out, label))
    return Compound(parts, label, focus=[a.id for a in added] or None), summary


def unchanged_for_consensus(before: Project, now: Project) -> bool:
    """Whether ``now`` still holds what ``consensus_edit`` read from ``before`` (a snapshot of it), so the
    edit worked out there applies here: the same objects (edits replace them, never change them in
    place), classes, images, overlap lists, consensus marks and next object id."""
    return (
        now.annotations.keys() == before.annotations.keys()
        and all(now.annotations[i] is a for i, a in before.annotations.items())
        and now.categories == before.categories
        and now.images.keys() == before.images.keys()
        and overlap_annotators(now) == overlap_annotators(before)
        and consensus_marks(now) == consensus_marks(before)
        and now.given_out(LAST_ANNOTATION_ID) == before.given_out(LAST_ANNOTATION_ID)
    )


def waiting_note(summary: dict[str, Any]) -> str:
    """``consensus_edit``'s count of images holding one annotator's version so far, as words ("" if none)."""
    n = summary.get("waiting", 0)
    return f"{n} images hold one annotator's version so far (merge the other shards first)" if n else ""


def summary_line(summary: dict[str, Any]) -> str:
    """What ``consensus_edit`` did, in one line (the CLI prints it, the app's status bar shows it)."""
    fewer = "fewer than half" if summary.get("tie_rule", "drop") == "pending" else "half or fewer"
    notes = [f"{plural(summary['minority'], 'object')} drawn by {fewer} of the annotators left out"]
    if n := summary.get("half"):  # what to do with them: ``ties_advice``
        what = "an object" if n == 1 else "objects"
        notes.insert(0, f"{plural(n, 'tie')} among them, {what} drawn by exactly half of the annotators")
    if summary.get("ties"):
        notes.append(f"{summary['ties']} with a class tie (named in their note)")
    if summary["skipped"]:
        n = len(summary["skipped"])
        notes.append(f"{plural(n, 'image')} already {'has' if n == 1 else 'have'} a consensus")
    if summary.get("crowded"):
        (name, n), more = summary["crowded"][0], len(summary["crowded"]) - 1
        also = f" (and {plural(more, 'image')} more)" if more else ""
        notes.append(
            f"{name}: {n:,} annotators' versions, more than the {MAX_IMAGE_RATERS} an image is worked out "
            f"with; skipped{also}"
        )
    if summary.get("waiting"):
        notes.append(waiting_note(summary))
    objects = plural(summary["objects"], "pending consensus object")
    return f"{objects} on {plural(summary['images'], 'image')} ({'; '.join(notes)})"


def ties_advice(summary: dict[str, Any], decide_all: str, accept: str) -> str:
    """What to do with the ties ``consensus_edit`` proposed ("" if none), in words the user can act on:
    ``decide_all`` names the way to decide every tie at once, ``accept`` the accept that leaves them be
    (the CLI's flags, the app's buttons). Before, "kept pending for you to decide (a tie: their note says
    so; accepting the consensus leaves them pending)" said neither how nor where."""
    n = summary.get("half", 0)
    if not n:
        return ""
    it, them = ("The tie", "it") if n == 1 else (f"The {n} ties", "them")
    each = "it" if n == 1 else "each"
    return (
        f"{it} {'stays' if n == 1 else 'stay'} pending until you decide: accept or reject {each} in the "
        f"Review mode (its note says how many drew it), or every tie at once with "
        f"{decide_all}; {accept} does not decide {them}"
    )


def has_consensus(project: Project, image_id: int, marked: dict[int, str] | None = None) -> bool:
    """Whether the image's consensus was worked out (``pixelproof.consensus``; ``marked``: those marks,
    read once by a caller going over every image), or it holds consensus objects (a file from before
    that mark)."""
    if image_id in (consensus_marks(project) if marked is None else marked):
        return True
    return any(is_consensus(a) for a in project.annotations_of(image_id))


class AcceptConsensus(Compound):
    """Accept Consensus's edit, knowing the objects it accepts and those it deletes: two counts the CLI and
    the app say apart (one sum of both read as objects accepted)."""

    def __init__(self, parts: list[Edit], accepted: list[int], removed: list[int]) -> None:
        super().__init__(parts, "Accept consensus", focus=accepted or None)
        self.accepted = accepted
        self.removed = removed

    def counts_text(self) -> str:
        """ "20 objects accepted, 5 objects removed": how the CLI's line and the app's status say it."""
        return (
            f"{plural(len(self.accepted), 'object')} accepted, {plural(len(self.removed), 'object')} removed"
        )


def accept_consensus(project: Project, image_ids: list[int] | None = None) -> AcceptConsensus:
    """Accept the consensus of these images (default: all with one): consensus objects not rejected
    become accepted, rejected ones and the annotators' tagged versions are deleted. One edit. A tie object
    still pending stays pending (it holds what its annotator drew, so nothing is lost): a reviewer
    decides it, as a model's prediction."""
    parts: list[Edit] = []
    wanted = set(project.images if image_ids is None else image_ids)
    marked = consensus_marks(project)
    listed = overlap_annotators(project)
    drop: list[int] = []
    keep: list[Annotation] = []
    kept_consensus: list[Annotation] = []  # kept consensus objects (locked ones replace locked copies)
    accepted: list[int] = []
    for image_id in project.images:
        anns = project.annotations_of(image_id)
        consensus = [a for a in anns if is_consensus(a)]
        if image_id not in wanted or not (consensus or image_id in marked):
            continue
        accepted.append(image_id)
        drop += [a.id for a in anns if a.app_extra.get(ANNOTATOR_KEY) is not None]
        for a in consensus:
            if a.review == "rejected":
                drop.append(a.id)
            else:
                kept_consensus.append(a)
                if a.review != "accepted" and not is_tie(a):
                    b = clone(a)
                    b.review = "accepted"
                    keep.append(b)
    if keep:
        parts.append(ReplaceAnnotations(keep, "Accept consensus"))
    of = {a.id: list(a.app_extra.get(CONSENSUS_OF) or ()) for a in kept_consensus}
    unlocked = unlock_replaced(project, kept_consensus, of)
    if unlocked:  # copies of a locked object the consensus object is: unlocked, then deleted with the rest
        parts.append(ReplaceAnnotations(unlocked, "Accept consensus", touch=False))
    if drop:
        parts.append(RemoveAnnotations(drop))
    if any(i in marked for i in accepted):
        parts.append(SetConsensusMethod({i: None for i in accepted if i in marked}, "Accept consensus"))
    if any(i in listed for i in accepted):
        parts.append(SetOverlapAnnotators({i: None for i in accepted if i in listed}, "Accept consensus"))
    return AcceptConsensus(parts, [a.id for a in keep], list(dict.fromkeys(drop)))


def dropped_by_accept(project: Project, image_ids: list[int] | None = None) -> dict[int, int]:
    """Image id -> how many annotators' objects accepting its consensus deletes with no consensus object
    kept in their place (drawn by too few annotators, or summarised by a rejected one): with two
    annotators and ties "drop", every object one of them drew alone. ``accept_consensus`` deletes them;
    said, so the lead knows to look (and undo) rather than find them gone."""
    wanted = set(project.images if image_ids is None else image_ids)
    marked = consensus_marks(project)
    out: dict[int, int] = {}
    for image_id in project.images:
        anns = project.annotations_of(image_id)
        consensus = [a for a in anns if is_consensus(a)]
        if image_id not in wanted or not (consensus or image_id in marked):
            continue
        kept = {i for a in consensus if a.review != "rejected" for i in a.app_extra.get(CONSENSUS_OF) or ()}
        n = sum(a.app_extra.get(ANNOTATOR_KEY) is not None and a.id not in kept for a in anns)
        if n:
            out[image_id] = n
    return out


def undecided_ties(project: Project, image_ids: list[int] | None = None) -> list[Annotation]:
    """The tie objects (``is_tie``) nobody accepted or rejected yet, on these images (default: all)."""
    wanted = None if image_ids is None else set(image_ids)
    return [
        a
        for a in project.annotations.values()
        if (wanted is None or a.image_id in wanted) and is_tie(a) and a.review not in ("accepted", "rejected")
    ]


def ties_left_pending(project: Project, image_ids: list[int] | None = None) -> int:
    """How many tie objects accepting these images' consensus leaves pending: said with the accept, so the
    lead knows what is still to decide."""
    return len(undecided_ties(project, image_ids))


def decide_ties(project: Project, decision: str) -> Edit | None:
    """Accept or reject every undecided tie object of the project in one edit (None when there is none): a
    lead who trusts, or distrusts, what one of two annotators drew alone need not decide hundreds one by
    one. Each gets the review the Review mode's Accept / Reject Object gives it (``set_review``), so
    Accept Consensus later keeps the accepted ones and deletes the rejected ones as it does theirs."""
    if decision not in ("accepted", "rejected"):
        raise ValueError(f"tie decision {decision!r}: accepted or rejected")
    ties = undecided_ties(project)
    if not ties:
        return None
    decided = []
    for a in ties:
        b = clone(a)
        set_review(b, decision)
        decided.append(b)
    label = f"{'Accept' if decision == 'accepted' else 'Reject'} {plural(len(decided), 'tie')}"
    return Compound([ReplaceAnnotations(decided, label)], label, focus=[a.id for a in decided])


def ties_text(n: int) -> str:
    """``ties_left_pending`` in words ("" when none)."""
    if not n:
        return ""
    return (
        f"{plural(n, 'object')} drawn by half of the annotators (a tie) left pending: accept or reject "
        "each (Review mode)"
    )


def dropped_text(project: Project, dropped: dict[int, int]) -> str:
    """``dropped_by_accept`` in words ("" when none), naming the first images."""
    if not dropped:
        return ""
    names = [project.images[i].file_name for i in list(dropped)[:3]]
    more = ", ..." if len(dropped) > 3 else ""
    return (
        f"{plural(sum(dropped.values()), 'object')} of the annotators no consensus object keeps (drawn "
        "by too few of the annotators, or in a rejected one) deleted with the versions, on "
        f"{plural(len(dropped), 'image')}: {', '.join(names)}{more}"
    )


def image_key_of(project: Project, image_id: int) -> str:
    return image_key(project, project.images[image_id])
