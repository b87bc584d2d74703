"""Random sequences of edits (annotations, masks, categories, taxonomy changes, image state, review, lint,
mappings, time): each undoes and redoes exactly, the whole sequence undone gives the original file back
byte for byte, redone gives the final one, and a save / load round trip keeps it."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixelproof.core import edits, mask_edit, masks, taxonomy
from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.edits.images import AddImages, RecordTime
from pixelproof.core.edits.model_mapping import RememberMapping
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

H, W = 24, 32


def _disc(cy: int, cx: int, r: int) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2


def _project() -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", W, H))
    p.add_image(ImageRecord(2, "b.png", W, H, extra={"license": 3}))
    p.add_category(Category(1, "cat", color="#ff0000", shortcut="1"))
    p.add_category(Category(2, "dog", color="#00ff00", extra={"keep": True}))
    p.add_category(Category(3, "bird", app_extra={"description": "flies"}))
    m = _disc(10, 10, 5)
    p.add_annotation(Annotation(7, 1, 1, [5.0, 5.0, 10.0, 10.0], None, 100.0, source="manual", updated="t0"))
    p.add_annotation(Annotation(3, 1, 2, masks.bbox(m), masks.encode(m), float(m.sum()), note="n"))
    poly = [[20.0, 2.0, 30.0, 2.0, 30.0, 12.0]]
    p.add_annotation(Annotation(5, 2, 1, masks.polygons_bbox(poly), poly, 50.0, extra={"x": [1]}))
    raw = {"size": [H, W], "counts": [100, 30, H * W - 130]}  # another tool's uncompressed RLE
    p.add_annotation(Annotation(9, 2, 3, [4.0, 4.0, 2.0, 30.0], raw, 30.0, review="pending", updated="t2"))
    p.set_image_status(1, "in_progress")
    p.app["image_review"] = {"2": {"review": "accepted", "updated": "t3"}}
    p.app["model_mappings"] = {"onnx/m.onnx": {"kitty": "cat", "tree": None}}
    return p


def _edit(p: Project, rng: random.Random) -> edits.Edit | None:
    """One random edit that makes sense on ``p`` now (None when the pick does not apply)."""
    anns = list(p.annotations.values())
    cats = list(p.categories.values())
    images = list(p.images)
    ann = rng.choice(anns) if anns else None
    cat = rng.choice(cats)
    kind = rng.randrange(22)
    if kind == 0:
        x, y = rng.randrange(W - 4), rng.randrange(H - 4)
        new = Annotation(p.next_annotation_id(), rng.choice(images), cat.id, [x, y, 3.0, 3.0], None, 9.0)
        return edits.AddAnnotations([new])
    if kind == 1 and anns:
        return edits.RemoveAnnotations(a.id for a in rng.sample(anns, rng.randint(1, len(anns))))
    if kind == 2 and ann is not None:
        moved = clone(ann)
        moved.bbox = [v + 1.0 for v in moved.bbox[:2]] + moved.bbox[2:]
        moved.note = rng.choice([None, "", "check", ann.note])
        return edits.ReplaceAnnotations([moved])
    if kind == 3 and ann is not None:
        return edits.set_category(p, [ann.id], cat.id)
    if kind == 4:
        masks_ = [a for a in anns if a.kind == "mask"]
        x, y = rng.randrange(W - 6), rng.randrange(H - 6)
        if masks_ and rng.random() < 0.7:
            a = rng.choice(masks_)
            before = a.mask(H, W)[y : y + 5, x : x + 5].copy()
            patch = mask_edit.make_patch((x, y, 5, 5), before, ~before)
            return None if patch is None else edits.PaintMask(a, patch)
        a = edits.new_mask_annotation(p, rng.choice(images), cat.id)
        return edits.PaintMask(
            a, mask_edit.Patch((x, y, 4, 4), np.zeros((4, 4), bool), np.ones((4, 4), bool)), is_new=True
        )
    if kind == 5:
        cid = p.next_category_id()
        pos = rng.choice([None, 0, len(cats) // 2])
        return edits.AddCategory(Category(cid, f"c{cid}", color="#123456"), pos)
    if kind == 6:
        return taxonomy.rename_category(p, cat.name, f"{cat.name}_r")
    if kind == 7 and len(cats) > 1:
        src, dst = rng.sample(cats, 2)
        return taxonomy.merge_categories(p, src.name, dst.name)
    if kind == 8:
        return taxonomy.split_category(p, cat.name, cat.name, f"{cat.name}_s")[0]
    if kind == 9 and len(cats) > 1:
        other = rng.choice([c for c in cats if c.id != cat.id])
        return taxonomy.delete_category(p, cat.name, rng.choice([None, other.name]))
    if kind == 10:
        return taxonomy.describe_category(p, cat.name, description=rng.choice(["d", "e"]), guideline="# g")
    if kind == 11:
        order = list(p.categories)
        rng.shuffle(order)
        return edits.ReorderCategories(order)
    if kind == 12:
        return edits.SetImageStatus(rng.choice(images), rng.choice([None, "todo", "done", "reviewed"]))
    if kind == 13:
        iid = rng.choice(images)
        ids = None if rng.random() < 0.5 else [a.id for a in p.annotations_of(iid)][:1] or None
        return edits.ReviewDecision(p, iid, rng.choice(["accepted", "rejected"]), rng.choice(["", "ok"]), ids)
    if kind == 14:
        return edits.SetImageReview(rng.choice(images), None)
    if kind == 15:
        return edits.DismissProblems(p, [f"duplicate|{rng.choice(images)}|1"], rng.random() < 0.7)
    if kind == 16:
        return edits.SetLintRules(rng.choice([None, {"default": {"min_area": rng.randint(1, 9)}}]))
    if kind == 17:
        return RememberMapping(f"onnx/{rng.choice('mn')}.onnx", {"kitty": cat.name, "tree": None})
    if kind == 18:
        return RecordTime(rng.choice(images), rng.choice(["ann", "bob"]), rng.uniform(0, 9))
    if kind == 19:
        return edits.SetReference(rng.choice([None, "ref.json"]), rng.choice([None, "coco"]))
    if kind == 20:
        iid = p.next_image_id()
        return AddImages([ImageRecord(iid, f"i{iid}.png", W, H)])
    if kind == 21 and ann is not None:
        pick = rng.randrange(4)
        if pick == 0:
            return edits.to_mask(p, [ann.id])
        if pick == 1:
            return edits.to_polygons(p, [ann.id], lambda a, conv: rng.choice(["convert", "split", "cancel"]))
        if pick == 2:
            same = [a.id for a in anns if (a.image_id, a.category_id) == (ann.image_id, ann.category_id)]
            return edits.merge_masks(p, same)
        return edits.split_mask(p, ann.id) or edits.fill_holes(p, ann.id)
    return None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_random_edit_sequences_undo_redo_and_save_exactly(tmp_path_factory, seed: int) -> None:
    rng = random.Random(seed)
    p = _project()
    original = dumps_project(p)
    done: list[tuple[edits.Edit, bytes]] = []
    while len(done) < 12:
        try:
            edit = _edit(p, rng)
        except taxonomy.TaxonomyError:  # a name the sequence took already
            continue
        if edit is None:
            continue
        before = dumps_project(p)
        edit.apply(p)
        after = dumps_project(p)
        edit.revert(p)
        assert dumps_project(p) == before, f"undo of {edit.label!r} is not exact"
        edit.apply(p)
        assert dumps_project(p) == after, f"redo of {edit.label!r} is not exact"
        done.append((edit, after))
    final = dumps_project(p)
    for edit, after in reversed(done):
        assert dumps_project(p) == after
        edit.revert(p)
    assert dumps_project(p) == original
    for edit, after in done:
        edit.apply(p)
        assert dumps_project(p) == after, f"redo of {edit.label!r} in sequence is not exact"
    assert dumps_project(p) == final
    path = tmp_path_factory.mktemp("seq") / "p.json"
    save_project(p, path)
    loaded = load_project(path)
    assert dumps_project(loaded) == dumps_project(p)
    loaded.app.pop("history")  # the save records its change log head
    assert dumps_project(loaded) == final
