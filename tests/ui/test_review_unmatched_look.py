"""The reference and candidate panes draw an object QA left unmatched in its Difference colour with a dashed
edge (a missed coin orange on the reference, the extra blob blue on the candidate), never in its class
colour: a missed object of a green class read as the legend's green agreement. Matched ones keep their
class colour. Driven by real clicks and keys on the demo project."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.qa_difference import DIFF_COLORS, DIFF_FN, DIFF_FP
from pixelproof.ui.review import compute
from tests.ui.test_review import demo, enter_review, image_ids, table_click, wait_image, window  # noqa: F401


def edge_colours(pane, bbox: list[float]) -> set[tuple[int, ...]]:
    """The overlay's opaque (edge) colours inside ``bbox`` of the pane."""
    x, y, w, h = (round(v) for v in bbox)
    layer = pane.overlay._buf[y : y + h, x : x + w]
    return {tuple(int(v) for v in p) for p in layer[layer[..., 3] == 255][:, :3]}


def centre(pane, bbox: list[float]) -> tuple[int, ...]:
    """The overlay's colour and alpha at the middle of ``bbox`` (inside the object: a coin, a blob)."""
    x, y, w, h = bbox
    return tuple(int(v) for v in pane.overlay._buf[int(y + h / 2), int(x + w / 2)])


def test_unmatched_objects_are_drawn_in_their_difference_colour_dashed(qtbot, window) -> None:  # noqa: F811
    view = window.review.view
    enter_review(qtbot, window)
    table_click(view.images.image_table, image_ids(view).index(1))  # coins: a missed coin, an extra blob
    wait_image(qtbot, view)
    rows = view.object_model.rows
    fn, fp = (next(r for r in rows if r.status == s) for s in ("fn", "fp"))
    match = next(r for r in rows if r.status == "match")
    orange, blue = DIFF_COLORS[DIFF_FN][:3], DIFF_COLORS[DIFF_FP][:3]
    coin = compute.category_colors(window.document.project, view.scored.reference.project)[fn.category]
    assert centre(view.ref_pane, fn.ref_bbox) == (*orange, compute.FILL_ALPHA)  # before: the coin's colour
    assert orange in edge_colours(view.ref_pane, fn.ref_bbox)  # its edge
    assert centre(view.cand_pane, fp.cand_bbox) == (*blue, compute.FILL_ALPHA)
    assert centre(view.ref_pane, match.ref_bbox) == (*coin, compute.FILL_ALPHA)  # matched: its class colour
    # Outlines (O): the missed coin's border is dashed, gaps along it, so it reads without its colour
    QTest.keyClick(view.object_table, Qt.Key.Key_O)
    qtbot.waitUntil(lambda: view.overlays_ready() and view.ref_pane.overlay is not None, timeout=10000)
    x, y, w, h = (round(v) for v in fn.ref_bbox)
    layer = view.ref_pane.overlay._buf[y : y + h, x : x + w]
    ring = (layer[..., :3] == orange).all(axis=-1) & (layer[..., 3] == 255)
    assert ring.any() and centre(view.ref_pane, fn.ref_bbox)[3] == 0  # outline only
    # dashed: the coin's orange border has gaps (a solid 1-px ring is one 8-connected component)
    assert cv2.connectedComponents(ring.astype(np.uint8), connectivity=8)[0] - 1 > 3
