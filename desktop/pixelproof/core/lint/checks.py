"""First pass of lint, one image at a time: the rule checks that need nothing but the image's own objects,
and the per-object figures (area, aspect, roughness, Dice with the model) the second pass compares with
the class's distribution over the whole project.

``collect(work, context)`` is a pure function of its arguments (no shared mutable state), so images can
be spread over workers and give exactly the serial result. The checks live by family: object_checks.py
(one object), fragments.py, pairs.py (two objects), model_facts.py (with a model).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pixelproof.core.limits import LimitError
from pixelproof.core.lint import fixes
from pixelproof.core.lint.facts import CheckedObject, Context, Emit, ImageFacts, ImageWork, ObjectFacts
from pixelproof.core.lint.fragments import fragments
from pixelproof.core.lint.model_facts import model_facts
from pixelproof.core.lint.object_checks import (
    bbox_matches,
    bounds,
    kind_allowed,
    polygon_valid,
    roughness,
    size_limits,
)
from pixelproof.core.lint.pairs import duplicates, overlaps
from pixelproof.core.lint.problems import Problem
from pixelproof.core.model import ImageRecord
from pixelproof.core.object_types import object_type
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.qa_objects import image_spacing

__all__ = ["Context", "ImageFacts", "ImageWork", "ObjectFacts", "collect"]

# the checks of one object, each with the kinds it can report (skipped when none is asked for)
OBJECT_CHECKS: list[tuple[tuple[str, ...], Callable[[CheckedObject, ImageRecord, Emit], None]]] = [
    (("out_of_bounds", "touches_border"), bounds),
    (("kind_not_allowed",), kind_allowed),
    (("box_mask_mismatch",), bbox_matches),
    (("invalid_polygon",), polygon_valid),
    (("tiny", "box_too_large"), size_limits),
]
UNLABELED_PRIOR = 10  # labelled done images assumed besides the project's when scoring unlabeled_image
# a crowd region (iscrowd) is a group, not one object of its class: only its geometry is checked
CROWD_CHECKS = (bounds, bbox_matches, polygon_valid)


def collect(work: ImageWork, ctx: Context) -> ImageFacts:
    """Rule checks and per-object figures of one image."""
    ctx = ctx.judging(work.predictions)
    image = work.image
    out = ImageFacts(image.id, image.file_name, image.width, image.height, spacing=image_spacing(image))
    emit = Emit(ctx, image, out)
    checks = [check for kinds, check in OBJECT_CHECKS if ctx.wants(*kinds)]
    objs = []
    for ann in work.labels:
        cr = ctx.class_rules.get(ann.category_id) or ctx.rules.for_class("")
        name = ctx.categories.get(ann.category_id, str(ann.category_id))
        objs.append(CheckedObject(ann, name, cr, image.height, image.width))
    for o in objs:
        try:
            out.objects.append(_object_checks(o, image, ctx, emit, checks, objs))
        except LimitError as e:  # pixels over the limit, wherever a check met them: name the object
            raise LimitError(f"annotation {o.ann.id}", e.message) from None
    scored = [o for o in objs if not o.ann.iscrowd]
    for version in _versions(scored):  # annotators' versions of an overlap image are not pairs
        if ctx.wants("duplicate", "near_duplicate", "class_conflict"):
            duplicates(version, ctx, emit)
        if ctx.wants("unseparated_overlap"):
            overlaps(version, image, emit)
    if work.status in ("done", "reviewed"):
        out.marked = work.status
    if work.listed_before is not None and ctx.wants("duplicate_image"):
        emit(
            "duplicate_image",
            0.7,
            None,
            f"{image.file_name} is listed again: image {work.listed_before} is the same file; labels of "
            "one picture are split over two records (QA, agreement and diff see only one of them)",
            None,
        )
    if work.predictions is not None:
        crowd = [o for o in objs if o.ann.iscrowd]
        model_facts(scored, work.predictions, image, ctx, out, crowd, work.void)
    return out


def unlabeled_image(facts: ImageFacts, marked: int, empty: int) -> Problem:
    """``facts``' image is marked done or reviewed without objects: a label forgotten or lost, or a
    checked negative (a defect-free part). Scored by how rare such images are among the ``marked`` done
    or reviewed images of the run (``empty`` of them): 0.7 - 2 x their share, counted as if
    ``UNLABELED_PRIOR`` more labelled ones were marked (a handful of images tells nothing), so one among
    hundreds of labelled ones is listed and those of a project where a tenth or more are empty are not."""
    share = empty / max(marked, 1)
    percent = f"{100 * share:.1f}".rstrip("0").rstrip(".")
    return Problem(
        "unlabeled_image",
        max(0.05, 0.7 - 2 * empty / (marked + UNLABELED_PRIOR)),
        facts.image_id,
        facts.file_name,
        None,
        None,
        [0.0, 0.0, float(facts.width), float(facts.height)],
        f"image is marked {facts.marked} but has no objects; {empty} of the {marked} images marked done or "
        f"reviewed have none ({percent}%)",
        fixes.set_image_status(facts.image_id, "todo"),
        figures={"share": share, "marked": marked, "empty": empty},
    )


def _versions(objs: list[CheckedObject]) -> list[list[CheckedObject]]:
    """An image's objects by the annotator whose version of the image they belong to (a merged project's
    overlap images keep each annotator's version side by side: ``pixelproof.annotator``), the untagged
    ones together: two annotators drawing the same nucleus is agreement, not a duplicate."""
    groups: dict[str, list[CheckedObject]] = {}
    for o in objs:
        groups.setdefault(str(o.ann.app_extra.get(ANNOTATOR_KEY, "")), []).append(o)
    return list(groups.values())


def _object_checks(
    o: CheckedObject,
    image: ImageRecord,
    ctx: Context,
    emit: Emit,
    checks: list[Callable],
    on_image: list[CheckedObject],
) -> ObjectFacts:
    facts = ObjectFacts(
        o.ann.id, o.ann.category_id, list(o.ann.bbox), kind=o.kind, object_type=object_type(o.ann.app_extra)
    )
    for check in checks:
        if not o.ann.iscrowd or check in CROWD_CHECKS:
            check(o, image, emit)
    if o.ann.iscrowd:  # nor does it count in the class's figures
        return facts
    w, h = o.tight()[2:]
    area = o.area()
    if area > 0:
        facts.log_area = math.log(area)
    if w > 0 and h > 0:
        facts.log_aspect = math.log(w / h)
    if o.shaped and ctx.wants("jagged_contour"):
        facts.log_roughness = math.log(roughness(o))
    if o.shaped and ctx.wants("fragmented_mask"):
        fragments(o, image, emit, on_image)  # o is of its own class: never taken for its occluder
    return facts
