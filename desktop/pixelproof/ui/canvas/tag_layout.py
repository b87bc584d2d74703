"""Category tags that do not cover each other.

Thinning by width (``marks.tag_fits``) left a crowd of boxes each wide enough for its tag with the tags
overlapping, each cut by the next: unreadable. ``relayout`` places every tag the thinning leaves, at each zoom
and after each change (``CanvasView.flush_tags``). What stays where it is: the selected objects' tags (lifted
over their handles) and their handles - what the user picked is always named (of more than ``MANY_SELECTED``,
those that fit and have room, as any other: Select All at fit zoom named every one). Then the larger objects'
tags first (in a crowd the big object is what is seen first; of equal ones, the one drawn on top): a tag sits
above its object's top-left corner as before; where that would cover a tag or handle already placed, below its
object (under its bottom-left corner, a polygon's or mask's lowest point); where that is taken too it is left
out, and the pointer on the object shows it. Either spot is moved left to end at the image's right edge where
it would run past it (``marks.edge_shift``; a function of the zoom only, so a pan changes no spot). The order
does not depend on the zoom, so zooming does not swap which of two objects keeps its spot. In a pile (objects
stacked on one spot: more than ``MAX_TRIES`` tags whose spots above and below fall in the same two cells of
the grid) only the first ``MAX_TRIES`` of that order are tried and the others are left out without trying: a
few dozen tags fit there at most, and trying 20,000 took 0.1 s at each zoom step.

With the tags of unselected objects off (View > Labels on Selected Objects Only: a slide's cells, each with
room at a high zoom, were each named) none of them is a candidate: only the selected objects' tags are
placed, and the hovered object's mark names it.

The hovered object's tag is not placed first: its mark draws it over every other tag where its own tag
sits; placing the tags again as the pointer moves would shuffle them under it. The layout is the whole
window's surroundings (``REACH``: half the window more on each side) at one zoom, in screen pixels from the
scene's origin: a pan moves no tag, and one out of that area places them again (``covers``); a grid of
64-pixel cells keeps it linear in the tags there that the width thinning leaves. Each layout starts from the
one before (``place``): only the tags a change reaches are placed again, the same result (a click at 1:1
among 20,000 boxes placed all ~7,000 tags around the window again, 40 ms)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QTransform

from pixelproof.ui.canvas.marks import HANDLE_SIZE, SELECTED_TAG_LIFT, edge_shift, tag_fits

if TYPE_CHECKING:
    from pixelproof.ui.canvas.aspect import Scale
    from pixelproof.ui.canvas.items import AnnotationItemMixin
    from pixelproof.ui.canvas.layers import BoxLayer
    from pixelproof.ui.canvas.view import CanvasView

ABOVE, BELOW, LEFT_OUT = 0, 1, -1
CELL = 64  # screen pixels: a tag crosses a few cells
_KEY = 1 << 32  # a cell (x, y) as one number: x * _KEY + y
MAX_TRIES = 32  # tags tried whose spots fall in the same cells (a pile); the rest are left out untried
REDO_MAX = 256  # tags (and changed rectangles) ``place`` redoes one by one before it places all again
REACH = (
    0.5  # of the window's width (height) on each side: where the tags are placed, the window in the middle
)


def visible(view: CanvasView) -> QRectF:
    """The window's area, in screen pixels from the scene's origin (as ``relayout`` places tags)."""
    zx, zy = view.scale_xy
    r = view.mapToScene(view.viewport().rect()).boundingRect()
    return QRectF(r.x() * zx, r.y() * zy, r.width() * zx, r.height() * zy)


def covers(view: CanvasView) -> bool:
    """Whether the tags were placed around what the window shows now (a pan may have left that area)."""
    region = view.tag_region
    return region is not None and region.contains(visible(view))


def place_tags(slots: np.ndarray, order: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """(n,): the slot each of n tags takes (``slots`` (n, k, 4): its rectangles x0 y0 x1 y1 in screen pixels,
    the preferred first), or ``LEFT_OUT``: in ``order`` (indices, the first placed first), the first slot
    that overlaps no tag placed before nor any ``fixed`` rectangle (m, 4). Touching edges do not overlap."""
    return _place(slots, _tried(slots, np.asarray(order, dtype=np.int64)), fixed)


def _place(slots: np.ndarray, tried: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """``place_tags`` of the tags ``tried`` (in that order; the others left out)."""
    chosen = np.full(len(slots), LEFT_OUT, dtype=np.int64)
    if not len(slots):
        return chosen
    grid = _rect_grid(fixed.tolist())
    rects = slots.tolist()
    for i in tried.tolist():
        for s, r in enumerate(rects[i]):
            if _free(grid, r):
                _take(grid, r)
                chosen[i] = s
                break
    return chosen


def _cells(r: list[float]) -> list[tuple[int, int]]:
    x0, y0 = int(r[0] // CELL), int(r[1] // CELL)
    x1, y1 = int(r[2] // CELL), int(r[3] // CELL)
    return [(cx, cy) for cx in range(x0, x1 + 1) for cy in range(y0, y1 + 1)]


def _free(grid: dict[tuple[int, int], list[list[float]]], r: list[float]) -> bool:
    """Whether ``r`` overlaps none of the rectangles in ``grid`` (touching edges do not overlap)."""
    for c in _cells(r):
        for o in grid.get(c, ()):
            if r[0] < o[2] and o[0] < r[2] and r[1] < o[3] and o[1] < r[3]:
                return False
    return True


def _take(grid: dict[tuple[int, int], list[list[float]]], r: list[float]) -> None:
    for c in _cells(r):
        grid.setdefault(c, []).append(r)


def _rect_grid(rects: list[list[float]]) -> dict[tuple[int, int], list[list[float]]]:
    grid: dict[tuple[int, int], list[list[float]]] = {}
    for r in rects:
        _take(grid, r)
    return grid


class _Grid:
    """Rectangles by the ``CELL``s they cross, each with a code (``Placement.grids``), listed at once with
    numpy and kept from layout to layout, those of new or moved tags added (``_redo``): an entry of a tag
    gone, moved or placed elsewhere since is skipped or checked again, never wrong."""

    def __init__(self, rects: np.ndarray, codes: np.ndarray) -> None:
        self.added = 0
        c = np.floor_divide(rects, CELL).astype(np.int64)
        w, h = c[:, 2] - c[:, 0] + 1, c[:, 3] - c[:, 1] + 1
        count = w * h
        owner = np.repeat(np.arange(len(c)), count)
        within = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
        cell = (c[owner, 0] + within % w[owner]) * _KEY + c[owner, 1] + within // w[owner]
        by = np.argsort(cell, kind="stable")
        cell, owner = cell[by], owner[by]
        x0, y0, x1, y1 = rects[owner].T.tolist() if owner.size else ([],) * 4
        listed = list(zip(x0, y0, x1, y1, codes[owner].tolist(), strict=True))
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if cell.size else np.zeros(0, np.int64)
        ends = [*starts[1:].tolist(), cell.size] if cell.size else []
        self.cells = {
            key: listed[a:b] for key, a, b in zip(cell[starts].tolist(), starts.tolist(), ends, strict=True)
        }

    def add(self, r: list[float], code: int) -> None:
        e = (*r, code)
        for cx, cy in _cells(r):
            listed = self.cells.setdefault(cx * _KEY + cy, [])
            if e not in listed:  # a tag placed back where it was (clicks to and fro)
                listed.append(e)
                self.added += 1

    def near(self, r: list[float]) -> list[int]:
        """The codes of the rectangles listed over ``r`` (where they were when listed), each once: in the
        cell of the top-left corner of where the two overlap."""
        x0, y0, x1, y1 = r
        return [
            e[4]
            for cx, cy in _cells(r)
            for e in self.cells.get(cx * _KEY + cy, ())
            if x0 < e[2]
            and e[0] < x1
            and y0 < e[3]
            and e[1] < y1
            and max(x0, e[0]) // CELL == cx
            and max(y0, e[1]) // CELL == cy
        ]


@dataclass
class Placement:
    """One layout's input and result (``place``), kept for the next: a click changes a few tags of 7,000."""

    keys: np.ndarray  # (n,) the candidates' object ids
    slots: np.ndarray  # (n, k, 4) as ``place_tags``'
    rank: np.ndarray  # (n,) place in the order tried; -1: left out untried (a pile)
    fixed: np.ndarray  # (m, 4)
    chosen: np.ndarray  # (n,) ``place_tags``' result
    # once a layout was redone from this one: every slot, and the slots taken (``chosen``), their codes
    # row * k + slot, a row naming an object (ids may be 64-bit: id * k overflowed), and each id's last row
    grids: tuple[_Grid, _Grid, list[int], dict[int, int]] | None = None


def place(
    slots: np.ndarray, order: np.ndarray, fixed: np.ndarray, keys: np.ndarray, last: Placement | None
) -> Placement:
    """``place_tags``, the same result, of candidates named by ``keys`` (unique object ids): from ``last``,
    the layout before, only the tags a change reaches are placed again (a selection change at 1:1 placed
    all 7,000 tags around the window, 40 ms a click); all of them when that is many (a zoom)."""
    tried = _tried(slots, np.asarray(order, dtype=np.int64))
    rank = np.full(len(slots), -1, dtype=np.int64)
    rank[tried] = np.arange(len(tried))
    redone = _redo(last, keys, slots, rank, tried, fixed) if last is not None else None
    if redone is None:
        return Placement(keys, slots, rank, fixed, _place(slots, tried, fixed))
    return Placement(keys, slots, rank, fixed, *redone)


def _redo(
    last: Placement,
    keys: np.ndarray,
    slots: np.ndarray,
    rank: np.ndarray,
    tried: np.ndarray,
    fixed: np.ndarray,
) -> tuple[np.ndarray, tuple[_Grid, _Grid, list[int], dict[int, int]]] | None:
    """``_place``'s result from ``last``'s, or None when too much changed. A tag's place depends only on its
    slots, the fixed rectangles and the places of the tags tried before it that meet its slots: the tags
    where one of those changed are placed again, in order, and where each moves reaches tags after it."""
    n = len(slots)
    if not n or not len(last.keys) or last.slots.shape[1:] != slots.shape[1:]:
        return None
    index = dict(zip(keys.tolist(), range(n), strict=True))
    if len(index) != n:
        return None  # an object twice
    sorter = np.argsort(last.keys, kind="stable")
    at = sorter[np.searchsorted(last.keys, keys, sorter=sorter).clip(max=len(last.keys) - 1)]
    same = (last.keys[at] == keys) & (last.slots[at] == slots).all(axis=(1, 2))
    was = np.where(same, last.rank[at], -1)
    both = np.flatnonzero((rank >= 0) & (was >= 0))
    if (np.diff(was[both[np.argsort(rank[both])]]) <= 0).any():
        return None  # the tags kept are not tried in the same order: placed all again
    chosen = np.where(same, last.chosen[at], LEFT_OUT)
    gone = np.ones(len(last.keys), dtype=bool)
    gone[at[same]] = False
    untried = np.flatnonzero((rank < 0) & (chosen >= 0))  # a pile's tags now left out untried
    seeds = [_rects(last.slots, np.flatnonzero(gone), last.chosen), _rects(slots, untried, chosen)]
    chosen[untried] = LEFT_OUT
    seeds.append(_row_changes(fixed, last.fixed))
    fresh = rank[(rank >= 0) & (was < 0)].tolist()  # new, moved or newly tried
    changed = np.concatenate(seeds).tolist()
    other = np.flatnonzero(~same).tolist()
    if len(changed) + len(other) > REDO_MAX:
        return None
    k = slots.shape[1]
    if last.grids is None or last.grids[0].added + last.grids[1].added > n:
        codes = np.arange(n)[:, None] * k + np.arange(k)
        has = np.flatnonzero(chosen >= 0)
        grids = (
            _Grid(slots.reshape(-1, 4), codes.ravel()),
            _Grid(slots[has, chosen[has]], codes[has, chosen[has]]),
            keys.tolist(),
            dict(index),
        )
    else:
        grids = last.grids
        for i in other:
            grids[2].append(int(keys[i]))
            grids[3][int(keys[i])] = at_row = len(grids[2]) - 1
            for s, r in enumerate(slots[i].tolist()):
                grids[0].add(r, at_row * k + s)
    every, taken, names, row_of = grids
    ranks, sides, fixed_grid = rank.tolist(), chosen.tolist(), _rect_grid(fixed.tolist())
    rows: dict[int, list[list[float]]] = {}

    def near(grid: _Grid, r: list[float]) -> list[tuple[int, int]]:
        """(tag, slot) of the tags with a slot over ``r`` listed in ``grid``."""
        out = []
        for code in grid.near(r):
            name, s = divmod(code, k)
            j = index.get(names[name])
            if j is not None:
                row = rows.get(j)
                if row is None:
                    row = rows[j] = slots[j].tolist()
                o = row[s]
                if r[0] < o[2] and o[0] < r[2] and r[1] < o[3] and o[1] < r[3]:
                    out.append((j, s))
        return out

    def free(r: list[float], at: int) -> bool:
        """Whether a tag tried at ``at`` may take ``r``."""
        return _free(fixed_grid, r) and not any(sides[j] == s and ranks[j] < at for j, s in near(taken, r))

    heap = fresh + [ranks[j] for r in changed for j, _ in near(every, r) if ranks[j] >= 0]
    heapq.heapify(heap)
    done: set[int] = set()
    while heap:
        at = heapq.heappop(heap)
        if at in done:
            continue
        done.add(at)
        if len(done) > REDO_MAX:
            return None
        i = int(tried[at])
        mine = slots[i].tolist()
        side = next((s for s, r in enumerate(mine) if free(r, at)), LEFT_OUT)
        if side != sides[i]:
            for s in (sides[i], side):  # where it was and where it goes: the tags after it there
                for j, _ in near(every, mine[s]) if s >= 0 else ():
                    if ranks[j] > at:
                        heapq.heappush(heap, ranks[j])
            sides[i] = side
            if side >= 0:
                taken.add(mine[side], row_of[int(keys[i])] * k + side)
    return np.array(sides, dtype=np.int64), grids


def _rects(slots: np.ndarray, idx: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """(m, 4): the rectangles the tags ``idx`` took (``chosen``), of those that took one."""
    idx = idx[chosen[idx] >= 0]
    return slots[idx, chosen[idx]].reshape(-1, 4)


def _row_changes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(m, 4): the rectangles in one of ``a`` and ``b`` only."""
    if a.shape == b.shape and (a == b).all():
        return np.zeros((0, 4))
    rows = {tuple(r) for r in a.tolist()} ^ {tuple(r) for r in b.tolist()}
    return np.array(sorted(rows), dtype=np.float64).reshape(-1, 4)


def _tried(slots: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``order`` without the tags after the first ``MAX_TRIES`` of those whose every slot starts in the same
    grid cells (``slots`` (n, k, 4)): a pile, where no more than that fit."""
    if len(order) <= MAX_TRIES:
        return order
    corners = np.floor(slots[order][:, :, :2] / CELL).astype(np.int64).reshape(len(order), -1)
    by_group = np.lexsort(corners.T[::-1])  # stable: each group's tags in ``order``'s order
    g = corners[by_group]
    starts = np.flatnonzero(np.r_[True, (g[1:] != g[:-1]).any(axis=1)])
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    keep = np.empty(len(order), dtype=bool)
    keep[by_group] = rank < MAX_TRIES
    return order[keep]


def handle_rects(spots: np.ndarray, drawn: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """(m, 4): the drawn handles (``spots`` (n, 8, 2), ``drawn`` (n, 8), ``sides`` (n,) their size) as
    rectangles, screen pixels."""
    half = np.broadcast_to((sides / 2)[:, None], drawn.shape)[drawn]
    pts = spots[drawn]
    return np.stack([pts[:, 0] - half, pts[:, 1] - half, pts[:, 0] + half, pts[:, 1] + half], axis=1)


class _Tags:
    """The tags gathered for one layout: candidates' slots and priority, the selected objects' (placed
    first, always shown), fixed rectangles (the handles)."""

    def __init__(self) -> None:
        self.slots: list[np.ndarray] = []  # (n, 2, 4) per source
        self.areas: list[np.ndarray] = []
        self.ids: list[np.ndarray] = []
        self.fixed: list[np.ndarray] = [np.zeros((0, 4))]
        self.chosen_slots: list[np.ndarray] = []  # the selected objects' tags: (n, 2, 4), lifted
        self.chosen_areas: list[np.ndarray] = []
        self.chosen_ids: list[np.ndarray] = []
        self.chosen_fits: list[np.ndarray] = []  # whether each selected one is wide enough (``tag_fits``)


def flush(view: CanvasView, changed: bool = False) -> bool:
    """Place the tags now if anything ``changed`` (the objects, the selection, the zoom, a pan out of the
    area placed) since the last time, and only then (returns whether it did): the canvas asks at the end of
    each edit and before each frame (``EventRouting.viewportEvent``: one layout for a wheel burst)."""
    layer = view.box_layer
    if not (changed or view._tags_dirty) and (layer is None or layer.tags.is_laid_out(view.scale_xy)):
        return False
    view._tags_dirty = False
    if view.document is None or view.image_id == -1:
        return False
    relayout(view)
    view.pin_tags()  # a cut tag, kept inside the window's edge, moves as its tag did
    return True


def relayout(view: CanvasView) -> None:
    """Place the tags of the box layer's boxes and of the items at the view's zoom (module docstring)."""
    from pixelproof.ui.canvas.polygon_layer import MANY_SELECTED

    scale = view.scale_xy  # across and down: pixels need not be square (``aspect``)
    v = visible(view)
    region = v.adjusted(-v.width() * REACH, -v.height() * REACH, v.width() * REACH, v.height() * REACH)
    view.tag_region = region
    near = region.left(), region.top(), region.right(), region.bottom()
    gathered = _Tags()
    layer = view.box_layer
    image_w = view.image_size()[1]  # tags end at its right edge (``edge_shift``)
    picked = _gather_layer(layer, scale, gathered, near, image_w) if layer is not None else None
    items, chosen_items = [], []
    shifts: dict[int, tuple[float, float]] = {}  # an item's tag's ``edge_shift`` above and below
    made = [item for item in view.items_by_id.values() if item._label is not None]  # made items only
    view.tag_spots.forget({item.ann_id for item in made})
    for item in made:
        if not item.isVisible():  # type: ignore[attr-defined]
            continue
        t = view.tag_spots.of(item, scale, image_w, view.tags_unselected)  # measured again if it changed
        shift = shifts[item.ann_id] = t.shifts
        ax, ay, lx, ly, w, h = t.ax, t.ay, t.lx, t.ly, t.w, t.h  # clear of the image's right edge
        if t.selected:
            lift = t.lift
            gathered.chosen_slots.append(
                np.array([[[ax, ay - lift - h, ax + w, ay - lift], [lx, ly + lift, lx + w, ly + lift + h]]])
            )
            gathered.chosen_areas.append(np.array([t.area]))
            gathered.chosen_ids.append(np.array([item.ann_id]))
            gathered.chosen_fits.append(np.array([t.fits], bool))
            chosen_items.append(item)
            if t.handles is not None:
                gathered.fixed.append(t.handles)
            continue
        if not view.tags_unselected:  # only the selected objects' (and the hovered one's: its mark)
            _settle(item, LEFT_OUT, shift)
            continue
        if not t.fits:
            _settle(item, ABOVE, shift)
            continue
        above, below = (ax, ay - h, ax + w, ay), (lx, ly, lx + w, ly + h)
        if not (_meets(above, near) or _meets(below, near)):  # no numpy per item
            _settle(item, LEFT_OUT, shift)  # out of sight: placed when a pan comes near
            continue
        gathered.slots.append(np.array([[above, below]]))
        gathered.areas.append(np.array([t.area]))
        gathered.ids.append(np.array([item.ann_id]))
        items.append(item)
    n_items = len(items)
    doc = view.document
    in_order = np.array(doc.project.annotation_ids_of(view.image_id) if doc is not None else [], np.int64)
    # the selected objects' tags first, among themselves and the handles: above, else below (clear of the
    # handles there too), else above all the same (what was picked is always named) - unless many are
    # (``MANY_SELECTED``: Select All on a slide's cells named every one, covering the picture): then one
    # with no room, or narrower than its tag (``tag_fits``), is left out, as an unselected one
    sel_slots, sel_areas, sel_ids = _joined(gathered.chosen_slots, gathered.chosen_areas, gathered.chosen_ids)
    sel_order = _by_priority(in_order, sel_ids, sel_areas)
    if len(sel_ids) > MANY_SELECTED:
        fits = np.concatenate(gathered.chosen_fits) if gathered.chosen_fits else np.zeros(0, bool)
        sel_order = sel_order[fits[sel_order]]
    sel_side = place_tags(sel_slots, sel_order, np.concatenate(gathered.fixed))
    if len(sel_ids) <= MANY_SELECTED:
        sel_side[sel_side == LEFT_OUT] = ABOVE
    named = np.flatnonzero(sel_side != LEFT_OUT)
    gathered.fixed.append(sel_slots[named, sel_side[named]].reshape(-1, 4))
    n_layer_chosen = len(sel_ids) - len(chosen_items)  # the layer's come first
    if layer is not None:
        sides = sel_side[:n_layer_chosen]
        layer.tags.set_chosen_sides(
            set(sel_ids[:n_layer_chosen][sides == BELOW].tolist()),
            set(sel_ids[:n_layer_chosen][sides == LEFT_OUT].tolist()),
        )
    for item, side in zip(chosen_items, sel_side[n_layer_chosen:].tolist(), strict=True):
        _settle(item, side, shifts[item.ann_id])
    slots, areas, ids = _joined(gathered.slots, gathered.areas, gathered.ids)
    view.tag_placement = place(
        slots, _by_priority(in_order, ids, areas), np.concatenate(gathered.fixed), ids, view.tag_placement
    )
    chosen = view.tag_placement.chosen
    if layer is not None:
        idx, x, x_low, top, bottom, h = (
            picked if picked is not None else (np.zeros(0, np.int64), *[np.zeros(0)] * 5)
        )
        side = chosen[: len(idx)]  # the layer's candidates come first
        x = np.where(side == BELOW, x_low, x)
        layer.tags.set_layout(scale, idx, side, x, np.where(side == BELOW, bottom, top - h))
    for item, side in zip(items, chosen[len(chosen) - n_items :].tolist(), strict=True):
        _settle(item, side, shifts[item.ann_id])


def _joined(
    slots: list[np.ndarray], areas: list[np.ndarray], ids: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gathered parts as one (n, 2, 4) slots, (n,) areas and (n,) ids."""
    return (
        np.concatenate(slots) if slots else np.zeros((0, 2, 4)),
        np.concatenate(areas) if areas else np.zeros(0),
        np.concatenate(ids) if ids else np.zeros(0, np.int64),
    )


def _by_priority(in_order: np.ndarray, ids: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """The order tags are placed in: larger objects first; of equal ones, the one drawn on top (later in
    the image's order ``in_order``)."""
    return np.lexsort((-_positions(in_order, ids), -areas))


def _positions(in_order: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """(n,): where each of ``ids`` is in ``in_order`` (the image's order of its objects), -1 if absent."""
    if not len(ids) or not len(in_order):
        return np.full(len(ids), -1, dtype=np.int64)
    sorter = np.argsort(in_order, kind="stable")
    at = np.searchsorted(in_order, ids, sorter=sorter).clip(max=len(in_order) - 1)
    pos = sorter[at]
    return np.where(in_order[pos] == ids, pos, -1)


def _settle(item: AnnotationItemMixin, side: int, shifts: tuple[float, float]) -> None:
    """Put the item's tag where the layout found room (``side``; ``shifts``: left of its anchor above and
    below, ``edge_shift``), if it was not there."""
    label = item._label
    if label is None:
        return
    label.set_shift(shifts[1] if side == BELOW else shifts[0])
    if label.below != (side == BELOW) or label.crowded != (side == LEFT_OUT):
        label.set_place(BELOW if side == BELOW else ABOVE, side == LEFT_OUT)
        item._place_companions()


def _meets(slot: tuple[float, float, float, float], near: tuple[float, float, float, float]) -> bool:
    """Whether a tag's ``slot`` (x0 y0 x1 y1) may show in ``near`` (plain floats: one test per item)."""
    x0, y0, x1, y1 = near
    return slot[0] < x1 and slot[2] > x0 and slot[1] < y1 and slot[3] > y0


def _gather_layer(
    layer: BoxLayer, scale: Scale, gathered: _Tags, near: tuple[float, float, float, float], image_w: int
) -> tuple[np.ndarray, ...] | None:
    """The layer's part of the layout: its selected boxes' tags and handles fixed, the others' tags that fit
    and may show ``near`` the window as candidates (before the items'). Returns (indices into ``arrays()``,
    x, top, bottom, tag height) of those candidates, screen pixels as the ``TagLayer`` rounds them."""
    from pixelproof.ui.canvas.hit_test import handle_sides, handle_spots, shown_handles
    from pixelproof.ui.canvas.polygon_layer import tag_xs

    if not layer.tags.enabled or not layer.boxes:
        return None
    _, xyxy, shown, _ = layer.arrays()
    kinds, which = np.unique(layer.tag_codes(), return_inverse=True)  # one size per tag text
    size = np.array([layer.tags.tag_size(int(c)) for c in kinds], dtype=np.float64).reshape(-1, 2)
    w, h = size[which.reshape(-1), 0], size[which.reshape(-1), 1]
    fit_w = np.array([layer.tags.fit_width(int(c)) for c in kinds], dtype=np.float64)[which.reshape(-1)]
    zoom, zoom_y = scale
    x = np.round(xyxy[:, 0] * zoom)
    x = x - edge_shift(x, w, image_w, zoom)  # clear of the image's right edge (``SelectedTags`` too)
    top_x, low_x = tag_xs(layer)  # a polygon's tag at its top (bottom) vertex, as its item's
    xa, xb = (np.round(v * zoom) for v in (top_x, low_x))
    xa, xb = xa - edge_shift(xa, w, image_w, zoom), xb - edge_shift(xb, w, image_w, zoom)
    top, bottom = np.round(xyxy[:, 1] * zoom_y), np.round(xyxy[:, 3] * zoom_y)
    x0, y0, x1, y1 = near
    near_box = (x < x1) & (np.round(xyxy[:, 2] * zoom) + 2 * HANDLE_SIZE > x0) & (top - 3 * h < y1)
    near_box &= bottom + 3 * h > y0  # its tag (lifted) and handles may reach in
    sel = shown & layer.selected_mask() & near_box
    if sel.any():  # their tags placed first (``relayout``), lifted over the handles above and below
        s = np.flatnonzero(sel)
        lift = np.where(layer.selected_mask(handled=True)[s], SELECTED_TAG_LIFT, 0)  # a polygon: no handles
        over = np.stack([xa[s], top[s] - lift - h[s], xa[s] + w[s], top[s] - lift], axis=1)  # as an item's
        under = np.stack([xb[s], bottom[s] + lift, xb[s] + w[s], bottom[s] + lift + h[s]], axis=1)
        gathered.chosen_slots.append(np.stack([over, under], axis=1))
        b = xyxy[s]
        gathered.chosen_areas.append((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
        gathered.chosen_ids.append(layer.arrays()[0][s])
        gathered.chosen_fits.append(tag_fits((xyxy[s, 2] - xyxy[s, 0]) * zoom, fit_w[s]))
        boxed = xyxy[sel & layer.selected_mask(handled=True)]  # a polygon of the layer has no resize handles
        spots = handle_spots(boxed, QTransform.fromScale(zoom, zoom_y))
        gathered.fixed.append(handle_rects(spots, shown_handles(spots), handle_sides(spots)))
    fit = tag_fits((xyxy[:, 2] - xyxy[:, 0]) * zoom, fit_w) & layer.tags.unselected
    idx = np.flatnonzero(shown & ~layer.selected_mask() & fit & near_box)
    xi, xl, wi, hi, ti, bi = xa[idx], xb[idx], w[idx], h[idx], top[idx], bottom[idx]
    above = np.stack([xi, ti - hi, xi + wi, ti], axis=1)
    below = np.stack([xl, bi, xl + wi, bi + hi], axis=1)
    gathered.slots.append(np.stack([above, below], axis=1))
    b = xyxy[idx]
    gathered.ids.append(layer.arrays()[0][idx])
    gathered.areas.append((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
    return idx, xi, xl, ti, bi, hi
