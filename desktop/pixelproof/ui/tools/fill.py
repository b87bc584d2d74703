"""Fill (F): magic wand. A click grows the region of similar colour around the pixel (OpenCV floodFill;
tolerance, 4/8 connectivity and fixed/floating range in the mask toolbar) and adds it to the selected mask,
or to a new mask of the current category; Shift+click subtracts it from the selected mask.

The wand runs on the stored pixels (16-bit included), not on the window/levelled display. The edit is one
``PaintMask`` step holding only the region's rectangle.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from pixelproof.core import mask_edit
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.view import ToolEvent
from pixelproof.ui.mask_commands import PaintMask, new_mask_annotation
from pixelproof.ui.tools.base import Tool
from pixelproof.ui.tools.brush import pixel_of
from pixelproof.ui.tools.mask_options import OPTIONS


def wand_patch(
    target: Annotation,
    image: np.ndarray,
    seed: tuple[int, int],
    *,
    subtract: bool,
    others: np.ndarray | None = None,
) -> mask_edit.Patch | None:
    """The wand's patch on ``target``'s RLE, computed inside the region's rectangle only."""
    found = mask_edit.wand_region(
        image, seed, OPTIONS.tolerance, connectivity=OPTIONS.connectivity, fixed_range=OPTIONS.fixed_range
    )
    if found is None:
        return None
    rect, region = found
    before = mask_edit.decode_rect(target.segmentation, rect)
    if subtract:
        after = before & ~region
    else:
        ys, xs = slice(rect[1], rect[1] + rect[3]), slice(rect[0], rect[0] + rect[2])
        after = before | (region if others is None else region & ~others[ys, xs])
    return mask_edit.make_patch(rect, before, after)


class FillTool(Tool):
    name = "fill"
    label = "&Fill (Magic Wand)"
    icon = "tool-fill"
    shortcut = "F"
    tooltip = "Magic wand: click adds the similar-colour region to the mask, Shift+click subtracts it"
    cursor = Qt.CursorShape.PointingHandCursor

    def press(self, e: ToolEvent) -> None:
        doc = self.document
        if doc is None:
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
        sel = [a for a in doc.selected_annotations() if a.image_id == self.canvas.image_id]
        if len(sel) == 1 and sel[0].kind == "mask":
            target, is_new = sel[0], False
        elif subtract:
            self.canvas.message.emit("Select the mask to subtract from")
            return
        elif doc.current_category_id not in doc.project.categories:
            self.canvas.message.emit("Add a category first (Categories panel)")
            return
        else:
            target, is_new = new_mask_annotation(doc, self.canvas.image_id, doc.current_category_id), True
        others = None
        if OPTIONS.preserve_others and not subtract:
            rest = [a for a in doc.project.annotations_of(self.canvas.image_id) if a.id != target.id]
            others = mask_edit.others_mask(rest, h, w)
        patch = wand_patch(target, image, pixel_of(e), subtract=subtract, others=others)
        if patch is None:
            return
        text = "Wand subtract" if subtract else "Wand fill"
        doc.push(PaintMask(doc, target, patch, text, is_new=is_new))
