"""Tiled inference: tiles cover the image, each backend call sees only its tile, and the merge across
seams gives each object once — one mask for an object cut by seams, two for two touching objects."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import Backend, BackendError, Prediction
from pixelproof.inference.tiling import ArrayRegions, Tiling, open_regions, predict_tiled, tile_rects


class InstanceIds(Backend):
    """Reads instance ids from the pixels (value = id): one mask per id seen in the tile, or one box
    per id with ``boxes``. Records the shape of every array it is given."""

    name = "instance-ids"
    kind = "segment"

    def __init__(self, boxes: bool = False) -> None:
        super().__init__()
        self.boxes = boxes
        self.seen: list[tuple[int, ...]] = []

    def predict(self, image: np.ndarray, prompt=None) -> list[Prediction]:
        self.seen.append(image.shape)
        out = []
        for v in np.unique(image):
            if v == 0:
                continue
            m = image == v
            ys, xs = np.nonzero(m)
            box = [
                float(xs.min()),
                float(ys.min()),
                float(xs.max() - xs.min() + 1),
                float(ys.max() - ys.min() + 1),
            ]
            category = "odd" if v % 2 else "even"
            out.append(Prediction(category, float(v) / 100, box, mask=None if self.boxes else m))
        return out


def scene() -> np.ndarray:
    """600x500: a long bar crossing every vertical seam, two rectangles touching along a seam, a disc
    inside an overlap band and a few small squares."""
    img = np.zeros((500, 600), np.uint8)
    img[40:60, 10:590] = 1  # crosses all seams
    img[200:300, 150:260] = 2  # touches 3 along x = 260
    img[200:300, 260:330] = 3
    yy, xx = np.mgrid[:500, :600]
    img[(yy - 420) ** 2 + (xx - 250) ** 2 < 15**2] = 4
    for k, (y, x) in enumerate([(120, 40), (350, 520), (450, 100)], start=5):
        img[y : y + 12, x : x + 12] = k
    return img


def test_tiles_cover_the_image_with_the_overlap() -> None:
    tiling = Tiling(256, 0.25)
    rects = tile_rects(600, 500, tiling)
    covered = np.zeros((500, 600), int)
    for x, y, w, h in rects:
        assert (w, h) == (256, 256)
        covered[y : y + h, x : x + w] += 1
    assert covered.min() >= 1
    xs = sorted({r[0] for r in rects})
    assert all(b - a <= 256 - 64 for a, b in itertools.pairwise(xs)) and xs[-1] == 600 - 256
    assert tile_rects(100, 80, tiling) == [(0, 0, 100, 80)]  # smaller than a tile: one call
    with pytest.raises(BackendError, match="--overlap"):
        Tiling(256, 0.95)


def test_masks_are_joined_across_seams_and_touching_objects_stay_two() -> None:
    img = scene()
    backend = InstanceIds()
    preds = predict_tiled(backend, ArrayRegions(img), Tiling(200, 0.25))
    assert max(s[0] for s in backend.seen) <= 200 and max(s[1] for s in backend.seen) <= 200
    assert len(backend.seen) == len(tile_rects(600, 500, Tiling(200, 0.25))) > 6
    ids = sorted(round(p.score * 100) for p in preds)
    assert ids == [1, 2, 3, 4, 5, 6, 7]  # each object once: the bar is one, 2 and 3 stay two
    for p in preds:
        v = round(p.score * 100)
        assert np.array_equal(p.full_mask(500, 600), img == v), v
        assert p.category == ("odd" if v % 2 else "even")


def test_boxes_are_deduplicated_by_nms() -> None:
    img = scene()
    img[40:60] = 0  # no object longer than the overlap: each is seen whole by some tile
    preds = predict_tiled(InstanceIds(boxes=True), ArrayRegions(img), Tiling(200, 0.5))
    whole = {round(p.score * 100): p.bbox for p in InstanceIds(boxes=True).predict(img)}
    got = {}
    for p in preds:
        got.setdefault(round(p.score * 100), []).append(p.bbox)
    assert sorted(got) == sorted(whole)
    for v, boxes in got.items():
        assert boxes == [whole[v]]  # the whole box kept, copies cut by tile edges suppressed


def test_an_uncompressed_tiff_is_read_region_by_region(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    path = tmp_path / "big.tif"
    tifffile.imwrite(path, scene())
    regions = open_regions(path)
    assert isinstance(regions.pixels, np.memmap)  # type: ignore[attr-defined]
    assert (regions.width, regions.height) == (600, 500)
    preds = predict_tiled(InstanceIds(), regions, Tiling(256, 0.3))
    assert len(preds) == 7


def test_a_tiff_of_pages_or_planes_is_read_as_read_image_reads_it(tmp_path: Path) -> None:
    """Regions of the first page (as ``read_image``): a stack of grey pages is not one colour image, and
    a planar page is not mapped as (samples, height, width)."""
    tifffile = pytest.importorskip("tifffile")
    from pixelproof.core.imageio import read_image

    grey = scene() * 30
    stack, planar = tmp_path / "stack.tif", tmp_path / "planar.tif"
    tifffile.imwrite(stack, np.stack([grey, 255 - grey, grey // 2]), photometric="minisblack")
    tifffile.imwrite(
        planar, np.stack([grey, grey + 1, 255 - grey]), photometric="rgb", planarconfig="separate"
    )
    for path in (stack, planar):
        regions = open_regions(path)
        assert (regions.width, regions.height) == (600, 500)
        np.testing.assert_array_equal(regions.read(0, 0, 600, 500), read_image(path))


def test_a_tiff_of_complex_samples_is_refused_by_name_not_mapped(tmp_path: Path) -> None:
    """An uncompressed complex TIFF memory-maps fine; a tile of it then failed in the model's input
    conversion with a bare TypeError. It is refused as ``read_image`` refuses it."""
    tifffile = pytest.importorskip("tifffile")
    from pixelproof.core.imageio import ImageReadError

    path = tmp_path / "complex.tif"
    tifffile.imwrite(path, scene().astype(np.complex64))
    with pytest.raises(ImageReadError, match=r"complex\.tif: complex64 samples"):
        open_regions(path)


def test_pieces_of_an_object_cut_by_a_tile_edge_are_joined_to_it() -> None:
    """A model may split the sliver of an object it sees at a tile's edge into several pieces (a
    watershed does): each covers a third of the object's pixels in the band, under the band IoU of 0.5,
    yet lies inside the object another tile saw whole. They are pieces of it, not three more objects
    (threshold on skimage's coins in 200-px tiles at 0.5 overlap made 31 objects of 26 coins)."""
    from pixelproof.inference.tiling import merge_tiles

    yy, xx = np.mgrid[:200, :300]
    disc = (yy - 100) ** 2 + (xx - 215) ** 2 <= 20**2  # x 195..235: tile A sees a 5-px sliver
    tile_a, tile_b = (0, 0, 200, 200), (100, 0, 200, 200)
    sliver = disc[:, :200]
    rows = np.flatnonzero(sliver.any(axis=1))
    thirds = np.array_split(rows, 3)
    pieces = []
    for part in thirds:
        m = np.zeros_like(sliver)
        m[part] = sliver[part]
        pieces.append(Prediction("coin", 0.9, [195.0, float(part[0]), 5.0, float(len(part))], mask=m))
    whole = Prediction("coin", 0.8, [195.0, 80.0, 41.0, 41.0], mask=disc[:, 100:], offset=(100, 0))
    # a neighbour touching the disc, cut by tile A's edge too: it shares a border, not pixels
    other = np.zeros((200, 200), bool)
    other[121:140, 190:200] = True
    neighbour = Prediction("coin", 0.7, [190.0, 121.0, 10.0, 19.0], mask=other)
    other_b = np.zeros((200, 300), bool)
    other_b[121:140, 190:230] = True
    neighbour_b = Prediction("coin", 0.7, [190.0, 121.0, 40.0, 19.0], mask=other_b[:, 100:], offset=(100, 0))
    merged = merge_tiles([(tile_a, [*pieces, neighbour]), (tile_b, [whole, neighbour_b])])
    assert len(merged) == 2
    by_size = sorted(merged, key=lambda p: p.full_mask(200, 300).sum())
    assert np.array_equal(by_size[0].full_mask(200, 300), other_b)
    assert np.array_equal(by_size[1].full_mask(200, 300), disc)


def test_a_plane_of_a_pyramidal_stack_is_read_tile_by_tile(tmp_path: Path) -> None:
    """A plane of a pyramidal z-stack over the pixel limit: regions come from its full-resolution tiles
    (as a slide's do), not from a whole-plane decode that the limit refuses."""
    import tifffile

    from pixelproof.core import limits
    from tests.core.test_pyramid_stack import planes, write_pyramidal_stack

    path = tmp_path / "cells.ome.tif"
    write_pyramidal_stack(path, planes())
    limits.set_max_pixels(2_000_000)
    try:
        regions = open_regions(f"{path}#z=002")
        assert (regions.width, regions.height) == (4096, 4096)
        with tifffile.TiffFile(path) as tif:
            plane = tif.series[0].levels[0].asarray()[2]
        np.testing.assert_array_equal(regions.read(3000, 100, 512, 700), plane[100:800, 3000:3512])
    finally:
        limits.set_max_pixels(None)


def test_a_box_a_tile_edge_cuts_is_dropped_when_it_matches_what_its_tile_saw_of_a_whole_box() -> None:
    """Shown half a cup at a tile's edge, a detector draws a box for the half that is taller than the cup
    (it guesses the rest): 29% of it sticks out of the cup's box and its IoU with it is 0.42, so neither
    NMS nor "lies inside" caught it, and yolo11n on a 20x6 shelf of cups in 640-px tiles kept 8
    such halves as extra cups. Compared with the cup as its own tile saw it, it is that cup. A
    neighbour touching the cup, seen whole by both tiles, stays one box."""
    from pixelproof.inference.tiling import merge_tiles

    tile_a, tile_b = (0, 0, 200, 200), (100, 0, 200, 200)
    cup = Prediction("cup", 0.8, [170.0, 50.0, 60.0, 40.0])  # x 170..230: whole in tile B
    half = Prediction("cup", 0.9, [170.0, 42.0, 30.0, 56.0])  # tile A's view, cut at x = 200
    left = Prediction("cup", 0.7, [110.0, 50.0, 60.0, 40.0])  # touches the cup at x = 170
    right = Prediction("cup", 0.6, [230.0, 50.0, 50.0, 40.0])  # touches the cup's right side, tile B only
    merged = merge_tiles([(tile_a, [half, left]), (tile_b, [cup, left, right])])
    assert sorted(p.bbox[0] for p in merged) == [110.0, 170.0, 230.0]
    assert [p.bbox for p in merged if p.bbox[0] == 170.0] == [cup.bbox]


def test_cut_extent_and_its_warning() -> None:
    """Objects no tile held clear of its inner edges, measured across the edge that cut them; the
    warning asks for an overlap that would hold them (or a larger tile when none under 0.9 would)."""
    from pixelproof.inference.tiling import cut_extent, cut_warning

    tiling = Tiling(400, 0.1)  # 1000 px wide: tiles at x 0, 300, 600; seams x 300..400, 600..700
    assert cut_extent([[10, 10, 200, 50], [420, 10, 150, 50]], 1000, 300, tiling) == 0.0  # each whole
    assert cut_extent([[250, 10, 180, 50], [10, 10, 50, 290]], 1000, 300, tiling) == 180.0
    assert cut_warning(180.0, tiling) == (
        "objects up to 180 px wide were cut by tile edges; an overlap of 0.1*400 = 40 px is smaller: "
        "use --overlap 0.45 or --tile 1800"
    )
    assert cut_warning(40.0, tiling) == ""
    assert cut_warning(300.0, Tiling(256, 0.0)).endswith("use --tile 1500 --overlap 0.2")


def test_the_cut_warning_in_the_app_names_the_model_panel_settings() -> None:
    """The app words the same advice with the Model panel's fields, never a command-line flag."""
    from pixelproof.inference.tiling import APP_WORDS, cut_warning

    assert cut_warning(180.0, Tiling(400, 0.1), APP_WORDS).endswith("use overlap 0.45 or Tiles 1800 px")
    assert cut_warning(300.0, Tiling(256, 0.0), APP_WORDS).endswith("use Tiles 1500 px with overlap 0.2")
    assert cut_warning(40.0, Tiling(400, 0.1), APP_WORDS) == ""


def test_tiled_masks_are_kept_as_their_objects_pixels_not_tile_sized() -> None:
    """A tiled run keeps every tile's predictions for the merge: the threshold backend's one tile-sized mask
    an object held 12 GB for a slide's 3,000 nuclei in 2048-px tiles. Each is cut to its pixels' box."""
    import tracemalloc

    from pixelproof.inference.classical import ThresholdBackend

    h, w = 512, 1536
    img = np.full((h, w), 30, np.uint8)
    yy, xx = np.mgrid[:h, :w]
    centres = [(y, x) for y in range(20, h - 20, 40) for x in range(20, w - 20, 40)]  # 12 x 38 nuclei
    for y, x in centres:
        img[(yy - y) ** 2 + (xx - x) ** 2 <= 100] = 220
    backend = ThresholdBackend()
    backend.configure(split=False)
    predict_tiled(backend, ArrayRegions(img[:300, :300]), Tiling(128, 0.1))  # imports, not counted
    tracemalloc.start()
    try:
        found = predict_tiled(backend, ArrayRegions(img), Tiling(512, 0.1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 120 * 2**20, f"peak {peak / 2**20:.0f} MB"  # 213 MB of tile-sized masks before
    assert len(found) == len(centres)
    got = sorted((p.offset[1] + p.mask.shape[0] // 2, p.offset[0] + p.mask.shape[1] // 2) for p in found)
    assert got == sorted(centres)
    assert all(p.mask.shape == (21, 21) and p.mask.sum() == 317 for p in found)


def test_a_speckle_two_tiles_saw_is_counted_once() -> None:
    """Speckles dropped under ``min_area`` are counted by the tile whose own part (overlaps split at their
    middle) they begin in: one in an overlap band, in the corner four tiles share, or cut by a tile's edge
    (the next tile saw it whole) counts 1, as on the untiled picture."""
    from pixelproof.inference.classical import ThresholdBackend

    pixels = np.full((300, 400), 30, np.uint8)
    specks = [
        (50, 120, 3),  # y, x, width: in the band of the first two columns (x 116..127)
        (120, 120, 3),  # in the corner four tiles share
        (60, 126, 4),  # cut by the first column's right edge (x 128): the second saw it whole
        (20, 300, 3),  # in the last column's wide overlap (x 272..359)
        (20, 20, 3),  # in one tile only
    ]
    for y, x, w in specks:
        pixels[y : y + 3, x : x + w] = 220
    backend = ThresholdBackend()
    backend.configure(threshold=100, polarity="bright")
    assert predict_tiled(backend, ArrayRegions(pixels), Tiling(128, 0.1)) == []
    assert len(tile_rects(400, 300, Tiling(128, 0.1))) == 12
    assert backend.speckles_dropped == len(specks)
    assert backend.speckle_sites is None  # recorded for the tiled run only
    whole = ThresholdBackend()
    whole.configure(threshold=100, polarity="bright")
    assert whole.predict(pixels) == [] and whole.speckles_dropped == len(specks)
