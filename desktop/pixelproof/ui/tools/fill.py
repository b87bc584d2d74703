"""Fill (F): magic wand. A click grows the region of similar colour around the pixel (OpenCV floodFill;
tolerance in display levels, 4/8 connectivity and fixed/floating range in the mask toolbar) and adds it to
the selected mask when the region touches it (or with Ctrl: a separate part), else makes a new mask of the
current category; Shift+click subtracts it from the selected mask (none selected: from the mask clicked, as
the eraser, which it selects).

The wand runs on the stored pixels (16-bit included), not on the window/levelled display. The edit is one
``PaintMask`` step holding only the region's rectangle.

The flood fill, the patch and the RLE splice run in a worker (a large region of an 8000x8000 image takes
~0.8 s; DESIGN.md §2): the click only snapshots what the fill needs, the cursor shows busy, further clicks
are refused until the answer is back, and the answer becomes the undo step on the UI thread — or is dropped
when any annotation of the image changed meanwhile (its patch would be stale), or on Esc. Leaving the image
(D, A, G), choosing another tool, saving or closing right after a click waits for its fill and adds it on
its own image first, as the polygon tool closes its outline (``settle``): dropped, the image was marked done
or saved without it while the status bar still said "filling".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QThreadPool

from pixelproof.core import annotation_pixels, mask_edit, paint
from pixelproof.core.edits import new_mask_annotation
from pixelproof.core.model import Annotation, Category
from pixelproof.core.sparse_mask import decode_at, is_huge, origin_of
from pixelproof.ui.canvas.tool_event import ToolEvent
from pixelproof.ui.jobs import Job
from pixelproof.ui.tools.base import Tool, refusing_when_ids_run_out
from pixelproof.ui.tools.brush import pixel_of
from pixelproof.ui.tools.paint_options import OPTIONS


@dataclass(frozen=True, slots=True)
class WandOptions:
    """The toolbar's wand settings, read on the UI thread at the click (the worker never reads OPTIONS)."""

    tolerance: float
    connectivity: int
    fixed_range: bool

    @classmethod
    def current(cls, tolerance: float | None = None) -> WandOptions:
        """The toolbar's settings; ``tolerance`` in the image's units when given (see ``raw_tolerance``)."""
        tol = float(OPTIONS.tolerance if tolerance is None else tolerance)
        return cls(tol, int(OPTIONS.connectivity), bool(OPTIONS.fixed_range))


def region_patch(
    segmentation: dict[str, Any],
    rect: mask_edit.Rect,
    region: np.ndarray,
    *,
    subtract: bool,
    others: np.ndarray | annotation_pixels.OthersMask | None = None,
    origin: list[int] | None = None,
) -> mask_edit.Patch | None:
    """The patch that adds the wand's ``region`` (a bool crop at ``rect``) to the RLE ``segmentation`` (a
    crop at ``origin`` when given) or subtracts it, computed inside the region's rectangle only."""
    before = (
        decode_at(segmentation, origin, rect)
        if origin is not None
        else mask_edit.decode_rect(segmentation, rect)
    )
    if subtract:
        after = before & ~region
    else:
        ys, xs = slice(rect[1], rect[1] + rect[3]), slice(rect[0], rect[0] + rect[2])
        after = before | (region if others is None else region & ~others[ys, xs])
    return mask_edit.make_patch(rect, before, after)


@dataclass(frozen=True, slots=True)
class _Click:
    """What one wand click needs, snapshotted on the UI thread (annotations are replaced, never mutated,
    so holding them is a stable snapshot and ``is`` tells whether one changed)."""

    request: int
    image_id: int
    annotations: dict[int, Annotation]  # the image's annotations at the click
    target_id: int
    is_new: bool
    category: Category | None  # of a new mask (None for a subtraction)
    adds_category: bool  # ``category`` is not in the project yet (it had none): added once the fill paints
    subtract: bool
    add_part: bool  # Ctrl: add to the selected mask even where the region does not touch it
    base: dict[str, Any]  # the target's RLE the patch is computed on (empty for a new mask)
    base_origin: list[int] | None  # where ``base`` lies when it is stored cropped (a slide's mask)
    others: list[Annotation] | None  # preserve others: the annotations to leave alone


def _compute(
    click: _Click, image: np.ndarray, seed: tuple[int, int], options: WandOptions, h: int, w: int
) -> tuple[mask_edit.Patch, dict[str, Any] | None, bool] | None:
    """Worker side: the patch, the spliced RLE and whether it makes a new mask (a region that does not touch
    the selected mask starts another object); None when the click changes nothing."""
    found = paint.wand_region(
        image, seed, options.tolerance, connectivity=options.connectivity, fixed_range=options.fixed_range
    )
    if found is None:
        return None
    rect, region = found
    base, origin, others, is_new = click.base, click.base_origin, click.others, click.is_new
    if not (is_new or click.subtract or click.add_part or paint.touches(base, rect, region, origin)):
        base, origin, is_new = mask_edit.empty_rle(h, w), None, True
        if others is not None:
            others = [*others, click.annotations[click.target_id]]
    others_mask = None if others is None else annotation_pixels.OthersMask(others, h, w)
    patch = region_patch(base, rect, region, subtract=click.subtract, others=others_mask, origin=origin)
    if patch is None:
        return None
    if origin is not None or is_huge(h, w):
        return patch, None, is_new  # PaintMask applies it to the crop
    return patch, mask_edit.patch_rle(base, patch), is_new


class FillTool(Tool):
    name = "fill"
    icon = "tool-fill"
    tooltip = (
        "Magic wand: click adds the similar-colour region to the mask, Shift+click subtracts it; [ ] or"
        " Shift+wheel change the tolerance"
    )
    cursor = Qt.CursorShape.PointingHandCursor
    sized = True  # [ / ], Shift+wheel: the tolerance

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        # own one-thread pool: a wand click never waits behind image prefetches in the global pool
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._request = 0
        self._running: int | None = None  # the request of the fill in progress
        self._pending: tuple[Job, _Click] | None = None  # its job and click, for ``settle``

    def raw_tolerance(self) -> float:
        """The toolbar's tolerance is in display levels (0-255 across the shown window). An 8-bit image's
        levels are its values; a 16-bit or float image's window maps them to its units, so the same setting
        selects pixels that look alike at any bit depth (16 raw units of 65,535 would select one line)."""
        loaded, item = self.canvas.loaded, self.canvas.image_item
        if loaded is None or item is None or not loaded.needs_window:
            return float(OPTIONS.tolerance)
        lo, hi = item.image.window
        return float(OPTIONS.tolerance) * max(hi - lo, 0.0) / 255.0

    def is_busy(self) -> bool:
        return self._running is not None

    def busy(self) -> bool:
        return self.is_busy()

    def press(self, e: ToolEvent) -> None:
        doc = self.document
        if doc is None:
            return
        if self.is_busy():
            self.canvas.message.emit("Wand: still filling the previous click…")
            return
        image = self.canvas.loaded.raw if self.canvas.loaded is not None else None
        if image is None:
            self.canvas.message.emit("The image is not loaded: the wand needs its pixels")
            return
        h, w = self.canvas.image_size()
        if image.shape[:2] != (h, w):
            self.canvas.message.emit("The image's size differs from the project's; the wand cannot run")
            return
        subtract = bool(e.modifiers & Qt.KeyboardModifier.ShiftModifier)
        image_id = self.canvas.image_id
        selected = self.selected_mask()
        if subtract and selected is None:  # as the eraser: the mask under the pointer, selected
            selected = self.mask_under(e)
            if selected is None:
                self.canvas.message.emit("Select the mask to subtract from, or Shift+click on one")
                return
            doc.set_selection([selected.id])
        category = None if subtract else self.category_to_draw()  # added once the fill paints a pixel
        if not subtract and category is None:
            return
        if selected is not None:
            target, is_new = selected, False
        else:
            target, is_new = new_mask_annotation(doc.project, image_id, category.id), True
        annotations = {a.id: a for a in doc.project.annotations_of(image_id)}
        others = None
        if OPTIONS.preserve_others and not subtract:
            others = [a for a in annotations.values() if a.id != target.id]
        self._request += 1
        click = _Click(
            self._request,
            image_id,
            annotations,
            target.id,
            is_new,
            category,
            category is not None and self.adds(category),
            subtract,
            bool(e.modifiers & Qt.KeyboardModifier.ControlModifier),
            target.segmentation,
            None if is_new else origin_of(target),
            others,
        )
        seed, options = pixel_of(e), WandOptions.current(self.raw_tolerance())
        job = Job(lambda _job: _compute(click, image, seed, options, h, w), self)
        job.finished.connect(lambda result: self._answered(click, result))
        job.failed.connect(lambda reason: self._failed(click, reason))
        self._running = click.request
        self._pending = (job, click)
        self.canvas.viewport().setCursor(Qt.CursorShape.BusyCursor)
        self.canvas.message.emit("Wand: filling…")
        job.start(self._pool)

    def double_click(self, e: ToolEvent) -> None:
        """Qt delivers a quick second click's press as a double-click: it is a click like any other."""
        self.press(e)

    def _finish(self, click: _Click) -> bool:
        """The fill of ``click`` is over; True when it is still the one wanted (not cancelled)."""
        if self._running != click.request:
            return False
        self._idle()
        self.canvas.message.emit("")
        return True

    def _idle(self) -> None:
        self._running = None
        self._pending = None
        if self.canvas.tool is self:
            self.canvas.viewport().setCursor(self.cursor)

    @refusing_when_ids_run_out  # a new mask's id is taken here, when the fill answers
    def _answered(
        self, click: _Click, result: tuple[mask_edit.Patch, dict[str, Any] | None, bool] | None
    ) -> None:
        if not self._finish(click):
            return
        doc = self.document
        if doc is None or self.canvas.image_id != click.image_id or result is None:
            return
        now = {a.id: a for a in doc.project.annotations_of(click.image_id)}
        if now.keys() != click.annotations.keys() or any(
            now[i] is not a for i, a in click.annotations.items()
        ):
            self.canvas.message.emit("Wand: the masks changed while filling; click again")
            return
        patch, after, is_new = result
        if is_new:
            category = click.category  # one taken away while the fill ran (an undo) is not made again
            if category is None or not (click.adds_category or category.id in doc.project.categories):
                return
            doc.project.next_annotation_id()  # before a class is added for it: refused, nothing added
            category_id = self.add_drawn_category(category, click.adds_category)
            if category_id is None:
                return
            target = new_mask_annotation(doc.project, click.image_id, category_id)
        else:
            target = now[click.target_id]
        text = "Wand subtract" if click.subtract else "Wand fill"
        self.push_paint(target, patch, text, is_new=is_new, after_rle=after)

    def step_size(self, direction: int) -> None:
        """[ / ] and Shift+wheel with the wand in hand: its tolerance one step (the brush width is the
        wand's to leave alone: no width is seen while the wand is in hand), said in the status bar as the
        toolbar's box shows it."""
        OPTIONS.step_tolerance(direction)
        self.canvas.message.emit(f"Wand tolerance: {OPTIONS.tolerance:g} ([ / ] or Shift+wheel)")

    def target_text(self) -> str:
        mask = self.selected_mask()
        new = f"a new {self.category_name()} mask"
        if mask is None:
            return f"Wand: fills {new}; Shift+click subtracts from the mask clicked"
        return f"Wand: adds to {self.describe(mask)} where it touches it (Ctrl: a separate part); else {new}"

    def _failed(self, click: _Click, reason: str) -> None:
        if self._finish(click):
            self.canvas.message.emit(f"Wand: {reason}")

    def settle(self) -> None:
        """The fill still running is waited for (a large region of an 8000x8000 image: ~0.8 s) and its
        answer added now, on the image still shown; its queued answer is then ignored (``_finish``)."""
        if self._running is None or self._pending is None:
            return
        job, click = self._pending
        self._pool.waitForDone()
        kind, payload = job.outcome or ("cancelled", None)  # set by the worker before it says it ended
        if kind == "finished":
            self._answered(click, payload)
        elif kind == "failed":
            self._failed(click, str(payload))

    def leave_image(self) -> None:
        self.settle()

    def deactivate(self) -> None:
        self.settle()
        super().deactivate()

    def finish_pending(self, why: str) -> None:
        self.settle()

    def cancel(self) -> None:
        """Esc, or the document closed: a fill still running is dropped when it answers, and said."""
        self._request += 1
        if self._running is not None:
            self._idle()
            self.canvas.message.emit("Wand: the fill of the last click was dropped")
