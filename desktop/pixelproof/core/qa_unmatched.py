"""The reference images the candidate lacks, scored as a model that output nothing there.

pycocotools' ``COCOeval`` takes its images from the ground truth, so a reference image without any
detection counts every one of its objects as missed; QA does the same for every object figure: AP (its
precision-recall curves, per class and overall), the ``fn`` counts with recall, F1 and PQ, and the
confusion matrix's ``background`` column. Pixel figures (Dice, IoU, boundary) stay over the image pairs
scored: there is no candidate image to measure. A reference image the reference itself says is wrong
(``labels.images_rejected``) is no ground truth and counts nowhere, as for a pair; one holding an object
QA cannot decode (a mask over the pixel limit) counts nowhere either, said as a pair that cannot be scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pixelproof.core.labels import images_rejected
from pixelproof.core.metrics import InstanceCounts
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.qa_ap import ApCollector, ImageAp, evaluate_image
from pixelproof.core.qa_objects import ImagePair, image_objects
from pixelproof.core.references import void_mask

if TYPE_CHECKING:
    from pixelproof.core.qa_cache import ScoreCache


@dataclass(frozen=True, slots=True)
class Missed:
    """What one reference image without a candidate counts: its objects' (class, crowd region) and their
    AP evaluations with no detection (None: no object)."""

    objects: list[tuple[str, bool]]
    ap: ImageAp | None


def count_unmatched_reference(
    reference: Any,
    whole: Project,
    pairs: Sequence[ImagePair],
    detections: ApCollector,
    problems: list[str] | None = None,
    cache: ScoreCache | None = None,
) -> dict[str, InstanceCounts]:
    """Per class, the reference objects on images no candidate image pairs with, counted as missed (``fn``;
    crowd regions in ``crowd_regions``, as on a scored pair); their AP evaluations and confusion cells go
    to ``detections``. ``reference``: the ``references.Reference`` scored (labels only, classes respelt);
    ``whole``: the reference as read, for its review decisions. An image whose objects cannot be decoded
    counts nothing and gets a line in ``problems``. ``cache`` (``qa_cache``) keeps each image's count for
    the next run against the same reference: a refresh after an edit decodes none of them again."""
    paired = {p.ref.id for p in pairs}
    wrong = set(images_rejected(whole))
    counts: dict[str, InstanceCounts] = {}
    project = reference.project
    kept = cache.missed if cache is not None else {}
    for image in project.images.values():
        if image.id in paired or image.id in wrong:
            continue
        found = kept.get(image.id)
        if found is None:
            try:
                found = _missed(project, image)
            except Exception as e:  # a malformed object must not stop the run, as on a pair (``qa_batch``)
                if problems is not None:
                    problems.append(
                        f"{image.file_name}: could not be counted as missed: {type(e).__name__}: {e}"
                    )
                continue
            kept[image.id] = found
        for category, crowd in found.objects:
            c = counts.setdefault(category, InstanceCounts())
            if crowd:
                c.crowd_regions += 1
            else:
                c.fn += 1
        if found.ap is not None:
            detections.add_missed(found.ap, [category for category, crowd in found.objects if not crowd])
    return counts


def _missed(project: Project, image: ImageRecord) -> Missed:
    # not ``reference.void_mask``: its cache would keep every lacking image's mask with the result
    refs = image_objects(project, image, (image.height, image.width), void_mask(project, image))
    ap = evaluate_image(refs, [], image.id) if refs else None
    return Missed([(o.category, bool(o.ann.iscrowd)) for o in refs], ap)
