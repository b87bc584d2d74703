"""Void regions (objects of a void category: LabelMe's ``__ignore__``, KITTI's ``DontCare``) in a format
that has no regions to ignore.

Written as an ordinary class, a YOLO or VOC dataset would train a detector to find ``__ignore__``; so such
writers leave the void categories and their objects out and say how many (formats with ignore regions keep
them: LabelMe ``__ignore__``, masks' 255, KITTI ``DontCare``, Cityscapes' ``unlabeled``)."""

from __future__ import annotations

from pixelproof.core.model import Project
from pixelproof.core.wording import plural


def without_void(project: Project, title: str) -> tuple[Project, list[str]]:
    """``project`` without its void categories and their objects (the same project when it has none) and
    the warning naming what was left out (``title``: the format, as the warning names it)."""
    void = project.void_category_ids()
    if not void:
        return project, []
    gone = [a for a in project.annotations.values() if a.category_id in void]
    kept = project.snapshot(without=[a.id for a in gone])
    for cid in void:
        del kept.categories[cid]
    names = ", ".join(sorted(project.categories[c].name for c in void))
    if not gone:
        return kept, [
            f"{plural(len(void), 'void category')} ({names}) left out ({title} has no regions to ignore)"
        ]
    images = len({a.image_id for a in gone})
    return kept, [
        f"{plural(len(gone), 'void region')} on {plural(images, 'image')} left out ({names}: {title} has no "
        "regions to ignore, so as a class they would be trained as objects)"
    ]
