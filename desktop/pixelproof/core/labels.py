"""What counts as a label: not an object pending review (a proposal) and not one a reviewer rejected (a
label said to be wrong), and the images those rejections leave wrong. Exports, lint and QA's reference
take them alike (``interop.formats``, ``core.lint``, ``core.references``)."""

from __future__ import annotations

from collections.abc import Callable

from pixelproof.core.model import Annotation, Project, is_pending, is_rejected

# annotation app extra of a pending prediction pre-labeled skipping those that repeat an object (IoU above
# it): the object's own prediction is not among the pending ones, which lint must know (``lint.predictions``)
SKIPPED_OVERLAPPING = "skip_existing"


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
