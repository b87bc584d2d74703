"""Void regions in a COCO export are crowd regions (``iscrowd: 1``), COCO's own "ignore this area".

Written as ordinary objects (``iscrowd: 0``), a trainer reading the file with pycocotools learns
``__ignore__`` as a class. As crowd regions they are ignored: detectron2 leaves crowd objects out of
training, MMDetection makes them ignore regions, Ultralytics' COCO converter skips them and pycocotools'
``COCOeval`` counts no detection on one as a false positive. The void category stays in ``categories``
(detectron2 refuses an object whose category is not listed). The object's own flag is kept in its
``pixelproof`` extras (``"iscrowd": 0``) and given back when the file is read, so the export is still the
same project."""

from __future__ import annotations

from pixelproof.core.model import Project

KEY = "iscrowd"  # in an object's ``pixelproof`` extras: its own crowd flag, the file's being 1


def void_as_crowd(project: Project) -> int:
    """Make ``project``'s void regions crowd regions, each keeping its own flag; returns how many changed.
    Changes ``project``: give it a copy."""
    void = project.void_category_ids()
    changed = 0
    for a in project.annotations.values() if void else ():
        if a.category_id in void and not a.iscrowd:
            a.iscrowd = 1
            a.app_extra[KEY] = 0
            changed += 1
    return changed


def own_crowd_flags(project: Project) -> None:
    """Give the void regions of an export (``void_as_crowd``) their own crowd flag back."""
    void = project.void_category_ids()
    for a in project.annotations.values() if void else ():
        if a.category_id in void and a.iscrowd == 1 and a.app_extra.get(KEY) == 0:
            del a.app_extra[KEY]
            a.iscrowd = 0
