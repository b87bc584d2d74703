"""Polygons of one label sharing a group are the parts of one object, in CVAT's model: CVAT's XML writes
such a group as ``group_id``, Datumaro JSON as ``group`` (the CVAT and Datumaro readers keep either as the
object's ``group_id``), and CVAT's COCO export writes the group's polygons as one annotation. Both readers
join them here, so one export read either way gives the same objects."""

from __future__ import annotations

import json
from collections.abc import Iterable

from pixelproof.core import masks as core_masks
from pixelproof.core.model import Annotation, ImageRecord, Project


def join_grouped_polygons(project: Project, image: ImageRecord, own: Iterable[str] = ()) -> None:
    """Join the image's polygons of one label in one group (as LabelMe groups shapes, and as the CVAT
    writer splits a multi-part polygon), when nothing else tells them apart: a part with its own
    ``occluded``, ``z_order``, attributes or source stays an object of its own (joined, it took the first
    part's, and the export wrote them on every part). ``own``: extras every part has its own value of (a
    Datumaro annotation's ``datumaro_id``), not told apart by; the object keeps the first part's."""
    skip = set(own)
    first: dict[tuple[int, int, str], Annotation] = {}
    for a in project.annotations_of(image.id):
        group = a.app_extra.get("group_id")
        if a.kind != "polygon" or group is None:
            continue
        same = json.dumps({k: v for k, v in a.app_extra.items() if k not in skip}, sort_keys=True)
        head = first.setdefault((a.category_id, group, same), a)
        if head is not a:
            polys = [*head.segmentation, *a.segmentation]
            box = core_masks.polygons_bbox(polys)
            head.set_geometry(polys, box, core_masks.segmentation_area(polys, box, image.height, image.width))
            project.remove_annotation(a.id)
