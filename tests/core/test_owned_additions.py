"""Big paste, propagate and Fill Between Slices keep their new objects uncopied (``AddAnnotations``
``owned=True``): undo and redo still give back exactly those objects, and a later edit of a pasted or
propagated object never reaches the edit's own (undoing that edit, then the paste, then redoing the paste
gives the object as pasted)."""

from __future__ import annotations

import numpy as np

from pixelproof.core import masks
from pixelproof.core.clipboard import copy_annotations, paste
from pixelproof.core.coco import new_project
from pixelproof.core.edits import AddAnnotations, ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.propagate import propagate


def video(frames: int, per_frame: int) -> Project:
    """``frames`` 100 x 120 images; image 1 holds ``per_frame`` objects: boxes, polygons and masks in turn."""
    p = new_project(["cat", "dog"])
    for i in range(1, frames + 1):
        p.add_image(ImageRecord(i, f"f{i:05d}.png", 120, 100))
    for n in range(1, per_frame + 1):
        x = float(n % 80)
        if n % 3 == 0:
            box = [x, 5.0, 20.0, 10.0]  # segmentation [] as some tools write a box: a list to share or not
            p.add_annotation(Annotation(n, 1, 1, box, [], area=200.0, extra={"track_id": n}))
        elif n % 3 == 1:
            poly = [[x, 20.0, x + 30.0, 20.0, x + 30.0, 60.0]]
            p.add_annotation(Annotation(n, 1, 2, [x, 20.0, 30.0, 40.0], poly, area=600.0, note=f"n{n}"))
        else:
            m = np.zeros((100, 120), bool)
            m[60:90, int(x) : int(x) + 30] = True
            p.add_annotation(Annotation(n, 1, 2, masks.bbox(m), masks.encode(m), float(m.sum())))
    return p


def state(p: Project, image_ids: range) -> list[tuple]:
    """Every object of ``image_ids`` as (id, image, class, bbox, segmentation, area, extra, app_extra)."""
    return [
        (
            a.id,
            a.image_id,
            a.category_id,
            list(a.bbox),
            repr(a.segmentation),
            a.area,
            dict(a.extra),
            dict(a.app_extra),
        )
        for i in image_ids
        for a in p.annotations_of(i)
    ]


def scribble(p: Project, ids: list[int]) -> None:
    """The project's objects ``ids`` changed in place, containers and all (what no edit may see)."""
    for i in ids:
        a = p.annotations[i]
        a.bbox[1] += 1.0
        a.extra["touched"] = 1
        a.app_extra["touched"] = 1
        if isinstance(a.segmentation, list):
            a.segmentation.append([0.0, 0.0, 1.0, 0.0, 1.0, 1.0])


def moved(a: Annotation) -> Annotation:
    """``a`` edited in place on a clone, its containers changed in place too (as a careless edit might)."""
    out = clone(a)
    out.bbox[0] += 7.0
    out.extra["moved"] = True
    if isinstance(out.segmentation, list) and out.segmentation:
        out.segmentation[0][0] += 7.0
    return out


def test_a_big_paste_undoes_and_redoes_exactly_and_a_later_edit_leaves_its_step_intact() -> None:
    p = video(2, 3000)
    clip = copy_annotations(p, 1, list(p.annotations))
    anns = paste(clip, p, 2).annotations
    for a, c in zip(anns, clip.annotations, strict=True):  # the paste's objects hold none of the clipboard's
        assert a.bbox is not c.bbox and a.extra is not c.extra and a.app_extra is not c.app_extra
        assert not isinstance(c.segmentation, list | dict) or a.segmentation is not c.segmentation
    edit = AddAnnotations(anns, "Paste 3,000 objects", owned=True)
    edit.apply(p)
    pasted = state(p, range(2, 3))
    scribble(p, p.annotation_ids_of(2))
    edit.revert(p)
    edit.apply(p)
    assert state(p, range(2, 3)) == pasted
    assert len(pasted) == 3000 and {a[0] for a in pasted}.isdisjoint(range(1, 3001))
    edit.revert(p)
    assert state(p, range(2, 3)) == []
    edit.apply(p)
    assert state(p, range(2, 3)) == pasted

    later = ReplaceAnnotations([moved(p.annotations[i]) for i in p.annotation_ids_of(2)])
    later.apply(p)
    scribble(p, p.annotation_ids_of(2))  # the project's objects changed in place too: ours must not follow
    later.revert(p)
    edit.revert(p)
    assert state(p, range(2, 3)) == []
    edit.apply(p)
    assert state(p, range(2, 3)) == pasted
    assert [a.bbox for a in clip.annotations] == [a.bbox for a in p.annotations_of(1)]  # the clipboard too


def test_a_big_propagate_undoes_and_redoes_exactly_and_a_later_edit_leaves_its_step_intact() -> None:
    p = video(400, 12)
    source = state(p, range(1, 2))
    done = propagate(p, 1, list(p.annotations), range(2, 401))
    assert done.edit is not None and sum(done.added.values()) == 399 * 12
    done.edit.apply(p)
    copies = state(p, range(2, 401))
    scribble(p, [i for f in range(2, 401) for i in p.annotation_ids_of(f)])
    done.edit.revert(p)
    assert state(p, range(2, 401)) == []
    done.edit.apply(p)
    assert state(p, range(2, 401)) == copies

    some = [i for f in (2, 200, 400) for i in p.annotation_ids_of(f)]
    later = ReplaceAnnotations([moved(p.annotations[i]) for i in some])
    later.apply(p)
    scribble(p, some)
    later.revert(p)
    done.edit.revert(p)
    assert state(p, range(2, 401)) == [] and state(p, range(1, 2)) == source
    done.edit.apply(p)
    assert state(p, range(2, 401)) == copies
