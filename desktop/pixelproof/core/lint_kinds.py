"""The kinds of problem ``lint`` finds, each with its one line for help texts and the HTML report.

Outside the ``core.lint`` package, whose import brings the checks (scipy among them): the CLI's
``lint --help`` lists the kinds from here while every command's parser is built, at each ``pixelproof``
start."""

from __future__ import annotations

# kind -> one line for help texts and the HTML report
RULE_KINDS: dict[str, str] = {
    "duplicate": "two objects of one class cover the same thing (IoU at or above duplicate_iou)",
    "near_duplicate": "two objects of one class overlap almost as much (IoU from near_duplicate_iou to "
    "duplicate_iou)",
    "class_conflict": "two objects of different classes cover the same thing (IoU at or above "
    "class_conflict_iou)",
    "tiny": "smaller than the class's minimum: a box's width or height, a shape's length or area",
    "box_too_large": "larger than the class's maximum width, height or area",
    "size_outlier": "area far outside the class's own distribution",
    "aspect_outlier": "aspect ratio far outside the class's own distribution",
    "out_of_bounds": "geometry outside the image",
    "touches_border": "touches the image border where the class's rules forbid it",
    "kind_not_allowed": "a geometry kind (box/polygon/mask) the class's rules do not allow",
    "box_mask_mismatch": "the stored bbox is not the tight box of the mask or polygon",
    "invalid_polygon": "self-intersecting, fewer than 3 distinct points, or zero area",
    "fragmented_mask": "islands far from the main body, or speckle (tiny islands / holes)",
    "jagged_contour": "boundary much rougher than the class's other objects",
    "unseparated_overlap": "masks of countable objects overlap or touch with no boundary between them",
    "unlabeled_image": "an image marked done or reviewed without objects, where few such images are",
    "duplicate_image": "the image's file is listed again under another id (QA and diff pair images by file)",
    "empty_class": "a class no object of the project has (never labelled, or emptied by a merge or a delete)",
}
MODEL_KINDS: dict[str, str] = {
    "missing_object": "a confident prediction that no label covers (ObjectLab: overlooked), or only labels "
    "of other classes touch",
    "partial_box": "badly located: the label covers only part of the predicted object",
    "oversized_box": "badly located: the label box is much larger than the predicted object",
    "bad_location": "badly located: the label is shifted from the predicted object",
    "wrong_class": "a confident prediction of another class sits on the label (ObjectLab: swapped)",
    "low_mask_agreement": "Dice with the model's mask far below the class's typical agreement",
    "unsupported_label": "no prediction of any class overlaps the label while the model is confident "
    "elsewhere on the image (possibly spurious)",
}
# read every picture: only when asked (``lint --pictures``, the app's Compare pictures)
PICTURE_KINDS: dict[str, str] = {
    "duplicate_picture": "the same picture (identical pixels) or a near copy (pHash) under another name",
    "image_size_mismatch": "the picture is not the size its record declares (resized, EXIF-turned, another)",
}
KINDS: dict[str, str] = {**RULE_KINDS, **MODEL_KINDS, **PICTURE_KINDS}
