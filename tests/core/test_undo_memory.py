"""What an undo step keeps in memory ("Every edit can be undone, without limit", README): the bytes an edit
holds once applied, counted with tracemalloc (numpy's buffers included) against a bound proportional to
what the edit changed, not to the image, the mask or the objects it left as they were."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from pixelproof.core import annotation_pixels, edits, masks, paint, taxonomy
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


@pytest.fixture(autouse=True)
def traced():  # type: ignore[no-untyped-def]
    """Trace from the start of each test: an edit's arrays are allocated before it is applied."""
    tracemalloc.start()
    yield
    tracemalloc.stop()


def held_by(stack: list[edits.Edit], project: Project) -> int:
    """Apply the edits of ``stack`` (the only reference to them) to ``project``; the bytes freed when the
    stack is cleared: what those undo steps kept alive."""
    for edit in stack:
        edit.apply(project)
    del edit
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    stack.clear()
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


def one_image(size: int) -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", size, size))
    p.add_category(Category(1, "c"))
    return p


def test_a_long_stroke_holds_bytes_of_the_changed_pixels_not_of_its_rectangle() -> None:
    """A diagonal stroke across a 4000 x 4000 image: its rectangle is the whole image (16 M pixels, 32 MB
    as two bool crops), its pixels a 81 px band (~0.46 M)."""
    p = one_image(4000)
    ann = edits.new_mask_annotation(p, 1, 1)
    stroke = paint.Stroke(np.zeros((4000, 4000), bool), width=81)
    stroke.move_to(0, 0)
    stroke.move_to(3999, 3999)
    patch = stroke.finish()
    changed = patch.changed
    stack = [edits.paint_edit(ann, patch, "Brush stroke", is_new=True)]
    del patch, stroke
    held = held_by(stack, p)
    assert changed > 400_000
    assert held < changed / 8, f"{held} bytes held for {changed} changed pixels"


def test_a_stroke_into_a_big_mask_does_not_keep_the_masks_rle() -> None:
    """Each stroke into the same mask kept the whole RLE the mask had before it (the edit's copy of the
    annotation): every step of an hour of painting held a full copy of the mask."""
    size = 2000
    rng = np.random.default_rng(3)
    yy, xx = np.ogrid[:size, :size]
    m = (yy - 1000) ** 2 + (xx - 1000) ** 2 < 900**2
    m &= rng.random((size, size)) > 0.004  # speckled: a long RLE
    p = one_image(size)
    p.add_annotation(Annotation(1, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    rle_chars = len(p.annotations[1].segmentation["counts"])
    stroke = paint.Stroke(annotation_pixels.editable_mask(p.annotations[1], size, size), width=21)
    stroke.move_to(1000, 1000)
    stroke.move_to(1030, 1000)
    patch = stroke.finish()
    stack = [edits.paint_edit(p.annotations[1], patch, "Brush stroke")]
    del patch, stroke, m
    held = held_by(stack, p)
    assert rle_chars > 20_000
    assert held < 4_000, f"{held} bytes held by a stroke of ~700 px (the mask's RLE: {rle_chars} chars)"


def many_images(n: int) -> Project:
    p = Project()
    p.add_category(Category(1, "c"))
    for i in range(1, n + 1):
        p.add_image(ImageRecord(i, f"img{i}.png", 640, 480))
        p.set_image_status(i, "done" if i % 3 == 0 else "todo")
    return p


def test_an_image_status_change_holds_that_image_not_every_images_status() -> None:
    """Alt+3 (and the "in progress" of an image's first drawing) kept a copy of the status of every image:
    3.8 MB per step in a project of 100,000 images, 7.7 GB for 1,000 images labelled."""
    p = many_images(50_000)
    stack: list[edits.Edit] = [edits.SetImageStatus(i, "done") for i in (10, 11, 12)]
    held = held_by(stack, p)
    assert held < 3 * 2_000, f"{held} bytes held by 3 status changes"


def test_a_review_decision_holds_that_image_not_every_images_decision() -> None:
    p = many_images(20_000)
    p.app["image_review"] = {str(i): {"review": "accepted", "updated": "t"} for i in p.images}
    held = held_by([edits.SetImageReview(5, {"review": "rejected", "updated": "t2"})], p)
    assert held < 1_500, f"{held} bytes held by one review decision"


def test_a_class_merge_holds_the_old_category_of_each_object_not_copies_of_the_objects() -> None:
    """Merging a class (or 1-9 on a selection) kept every moved object whole, before and after: 1.26 kB an
    object, 63 MB for 50,000 polygons moved in a project of 100,000."""
    p = Project()
    p.add_category(Category(1, "a"))
    p.add_category(Category(2, "b"))
    p.add_image(ImageRecord(1, "a.png", 1000, 1000))
    n = 20_000
    for aid in range(1, n + 1):
        x, y = float(aid % 900), float(aid % 700)
        poly = [[x, y, x + 30, y, x + 30, y + 20, x + 10, y + 25, x, y + 20]]
        p.add_annotation(Annotation(aid, 1, 1 + aid % 2, [x, y, 30.0, 25.0], poly, 600.0, updated=f"t{aid}"))
    held = held_by([taxonomy.merge_categories(p, "a", "b")], p)
    assert all(a.category_id == 2 for a in p.annotations.values())
    assert held < 200 * n / 2, f"{held / (n / 2):.0f} bytes held per moved object"


def test_not_a_problem_holds_its_own_keys_not_every_decision() -> None:
    """X in the Problems panel kept two copies of every "not a problem" decision stored: 90 kB a press
    with 5,000 of them."""
    p = many_images(10)
    p.app["lint"] = {"dismissed": [f"overlap|{i % 10 + 1}|{i}|{i + 1}" for i in range(5_000)]}
    stack: list[edits.Edit] = [edits.DismissProblems(p, [f"small_box|1|{i}"]) for i in range(3)]
    stack.append(edits.DismissProblems(p, ["overlap|1|2500|2501"], dismiss=False))
    held = held_by(stack, p)
    assert held < 4 * 1_500, f"{held} bytes held by 4 decisions"
