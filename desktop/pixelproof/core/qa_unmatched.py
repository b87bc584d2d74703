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
from typing import Any

from pixelproof.core.labels import images_rejected
from pixelproof.core.metrics import InstanceCounts
from pixelproof.core.model import Project
from pixelproof.core.qa_ap import ApCollector, evaluate_image
from pixelproof.core.qa_objects import ImagePair, image_objects
from pixelproof.core.references import void_mask


def count_unmatched_reference(
    reference: Any,
    whole: Project,
    pairs: Sequence[ImagePair],
    detections: ApCollector,
    problems: list[str] | None = None,
) -> dict[str, InstanceCounts]:
    """Per class, the reference objects on images no candidate image pairs with, counted as missed (``fn``;
    crowd regions in ``crowd_regions``, as on a scored pair); their AP evaluations and confusion cells go
    to ``detections``. ``reference``: the ``references.Reference`` scored (labels only, classes respelt);
    ``whole``: the reference as read, for its review decisions. An image whose objects cannot be decoded
    counts nothing and gets a line in ``problems``."""
    paired = {p.ref.id for p in pairs}
    wrong = set(images_rejected(whole))
    counts: dict[str, InstanceCounts] = {}
    project = reference.project
    for image in project.images.values():
        if image.id in paired or image.id in wrong:
            continue
        shape = (image.height, image.width)
        try:
            # not ``reference.void_mask``: its cache would keep every lacking image's mask with the result
            refs = image_objects(project, image, shape, void_mask(project, image))
        except Exception as e:  # a malformed object must not stop the run, as on a pair (``qa_batch``)
            if problems is not None:
                problems.append(f"{image.file_name}: could not be counted as missed: {type(e).__name__}: {e}")
            continue
        if not refs:
            continue
        for o in refs:
            c = counts.setdefault(o.category, InstanceCounts())
            if o.ann.iscrowd:
                c.crowd_regions += 1
            else:
                c.fn += 1
        detections.add_missed(
            evaluate_image(refs, [], image.id), [o.category for o in refs if not o.ann.iscrowd]
        )
    return counts
