"""Box-only objects in a COCO export carry their box's outline as ``segmentation``.

A project writes a box-only object without ``segmentation``; CVAT and Datumaro write ``[]``. Neither is
read by the trainers' own code: pycocotools' ``annToRLE`` / ``annToMask`` / ``showAnns`` raise KeyError on
the first and IndexError on the second (``frPyObjects([])``), and so does torchvision's detection
reference (``ConvertCocoPolysToMask`` reads every object's ``segmentation``). The export therefore writes
the box's 4 corners as a polygon (``box_polygon``): pycocotools rasterizes it to the very pixels the
app shows for the box. The object's own segmentation (none, or ``[]`` as read from another tool) is kept
in its ``pixelproof`` extras (``"segmentation": null``) and given back when the file is read, while the
polygon is still the box's outline, so the export is still the same project: a box stays a box. An
outline another tool has since changed is read as the polygon it now is."""

from __future__ import annotations

from typing import Any

from pixelproof.core.model import Project

KEY = "segmentation"  # in an object's ``pixelproof`` extras: its own segmentation, the file's its box's
_SLACK = 0.002  # px: the file's corners and box are each rounded to 1/1000 px (core.precision)


def box_polygon(bbox: list[float]) -> list[list[float]]:
    """[x, y, w, h] -> the box's outline as COCO polygons: the shape a box's pixels are rasterized from
    (``masks`` rasterizes it; it lives here so reading a project needs neither OpenCV nor pycocotools)."""
    x, y, w, h = bbox
    return [[x, y, x + w, y, x + w, y + h, x, y + h]]


def boxes_as_outlines(project: Project) -> int:
    """Give ``project``'s box-only objects their box's outline as segmentation, each keeping its own;
    returns how many changed. Changes ``project``: give it a copy."""
    changed = 0
    for a in project.annotations.values():
        if a.kind == "box":
            a.app_extra[KEY] = a.segmentation
            a.segmentation = box_polygon(a.bbox)
            changed += 1
    return changed


def own_box_segmentations(project: Project) -> None:
    """Make the box-only objects of an export (``boxes_as_outlines``) box-only again."""
    for a in project.annotations.values():
        if KEY not in a.app_extra:
            continue
        own = a.app_extra.pop(KEY)
        if own not in (None, []) or not _is_outline(a.segmentation, a.bbox):
            if own not in (None, []):
                a.app_extra[KEY] = own  # not ours: an extra kept as it was read
            continue
        a.segmentation = own
        a.forget_pixels()


def _is_outline(segmentation: Any, bbox: list[float]) -> bool:
    """``segmentation`` is ``bbox``'s outline as ``boxes_as_outlines`` writes it (to the file's rounding)."""
    if type(segmentation) is not list or len(segmentation) != 1 or type(segmentation[0]) is not list:
        return False
    written = segmentation[0]
    outline = box_polygon(bbox)[0]
    return len(written) == len(outline) and all(
        type(v) in (int, float) and abs(v - o) <= _SLACK for v, o in zip(written, outline, strict=True)
    )
