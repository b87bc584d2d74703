"""What counts as a label: not an object pending review (a proposal) and not one a reviewer rejected (a
label said to be wrong), and the images those rejections leave wrong. Exports, lint and QA's reference
take them alike (``interop.formats``, ``core.lint``, ``core.references``)."""

from __future__ import annotations

from collections.abc import Callable

from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Project, is_pending, is_rejected

# annotation app extra of a pending prediction pre-labeled skipping those that repeat an object (IoU above
# it): the object's own prediction is not among the pending ones, which lint must know (``lint.predictions``)
SKIPPED_OVERLAPPING = "skip_existing"


def set_review(ann: Annotation, review: str | None) -> None:
    """Set ``ann``'s review (a copy an edit will put in place): an object no longer pending is no proposal,
    so the mark only a pending prediction carries for lint goes (``SKIPPED_OVERLAPPING``)."""
    ann.review = review
    if review != "pending":
        ann.app_extra.pop(SKIPPED_OVERLAPPING, None)


def unmarked(project: Project) -> Project:
    """``project`` as written for another tool: a snapshot whose objects carrying the mark only lint reads
    (``SKIPPED_OVERLAPPING``) are copies without it, or ``project`` itself when none does."""
    marked = [a for a in project.annotations.values() if SKIPPED_OVERLAPPING in a.app_extra]
    if not marked:
        return project
    out = project.snapshot()
    for a in marked:
        b = clone(a)
        del b.app_extra[SKIPPED_OVERLAPPING]
        out.replace_annotation(b)
    return out


def is_label(ann: Annotation) -> bool:
    """Pending objects (a model's predictions, consensus objects, a split class's) are proposals, not
    labels, and rejected ones labels a reviewer said are wrong (``is_pending``, ``is_rejected``)."""
    return not (is_pending(ann) or is_rejected(ann))


def images_rejected(project: Project, labels: Callable[[Annotation], bool] = is_label) -> list[int]:
    """The images a reviewer's rejections leave wrong, in project order: one rejected as a whole (a missed
    object: ``pixelproof.image_review``), or whose objects (void regions aside) include a rejected one and
    none ``labels`` takes (written without them it would read as checked and found empty)."""
    from pixelproof.core.merge import image_reviews

    decided = image_reviews(project)
    void = project.void_category_ids()
    out = []
    for i in project.images:
        if decided.get(i, {}).get("review") == "rejected":
            out.append(i)
            continue
        anns = [a for a in project.annotations_of(i) if a.category_id not in void]
        if any(map(is_rejected, anns)) and not any(map(labels, anns)):
            out.append(i)
    return out
