"""Reading images safely (issue 11): decompression bombs refused from the header (item 9), FIFOs and
folders refused without blocking (item 10), float64 RGB TIFF (item 12), EXIF orientation (item 15)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from pixelproof.core import imageio, limits
from pixelproof.core.imageio import ImageReadError, ImageTooLargeError, image_size, read_image
from tests.bombs import many_scans_jpeg, short_idat_png, write_png_bomb

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def default_limit(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(limits.ENV_MAX_PIXELS, raising=False)
    limits.set_max_pixels(None)
    yield
    limits.set_max_pixels(None)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_png_bomb(tmp_path_factory.mktemp("bomb") / "bomb.png")  # 60000 x 60000, ~0.4 MB


def test_bomb_is_refused_from_its_header_with_the_limit_named(bomb: Path) -> None:
    assert bomb.stat().st_size < 1_000_000
    for read in (image_size, read_image):
        with pytest.raises(ImageTooLargeError) as info:
            read(bomb)
        message = str(info.value)
        assert message.startswith(f"{bomb}: ") and "60000 x 60000" in message and "268,435,456" in message
        assert isinstance(info.value, ImageReadError) and isinstance(info.value, limits.LimitError)


def test_a_raised_limit_lets_the_size_through_without_decoding(bomb: Path) -> None:
    limits.set_max_pixels(4 * 10**9)
    assert image_size(bomb) == (60000, 60000)  # from the header: no 3.6 GB decode


def test_new_on_a_bomb_stays_small(bomb: Path, tmp_path: Path) -> None:
    """`pixelproof new` over a folder with the bomb, under a 200 MB address-space allowance: the bomb is
    reported with the limit and skipped, the real image kept, no MemoryError."""
    folder = tmp_path / "imgs"
    folder.mkdir()
    os.link(bomb, folder / "bomb.png")
    Image.fromarray(np.zeros((20, 30, 3), dtype=np.uint8)).save(folder / "ok.png")
    script = textwrap.dedent(
        f"""
        import resource, sys
        from pixelproof.cli import main
        import pixelproof.commands.new, pixelproof.core.imageio, PIL.PngImagePlugin, cv2  # loaded first
        with open("/proc/self/status") as f:
            vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + 200 * 2**20, resource.RLIM_INFINITY))
        sys.exit(main(["new", {str(folder)!r}, "-o", {str(tmp_path / "p.json")!r}]))
        """
    )
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure the address space")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "bomb.png" in done.stderr and "268,435,456" in done.stderr
    assert "MemoryError" not in done.stderr and "Traceback" not in done.stderr
    assert ": 1 image, " in done.stdout


def test_a_stack_of_tiff_pages_reads_its_first_page_only(tmp_path: Path) -> None:
    """600 RGBA pages of 1000 x 1000 in one series (2.4 GB decoded, 0.5 MB on disk; zstd, which OpenCV
    does not decode): the first page is read, as its header was checked, under a 300 MB allowance."""
    tifffile = pytest.importorskip("tifffile")
    pytest.importorskip("imagecodecs")
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure the address space")
    page = np.zeros((1000, 1000, 4), np.uint8)
    page[..., 0] = 7
    path = tmp_path / "stack.tif"
    stack = np.broadcast_to(page, (600, *page.shape))
    tifffile.imwrite(path, stack, photometric="rgb", extrasamples=["unassalpha"], compression="zstd")
    script = textwrap.dedent(
        f"""
        import resource
        import cv2, imagecodecs, numpy, tifffile
        from pixelproof.core.imageio import read_image
        with open("/proc/self/status") as f:
            vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + 300 * 2**20, resource.RLIM_INFINITY))
        image = read_image({str(path)!r})
        print(image.shape, int(image[..., 0].min()), int(image[..., 0].max()))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1000, 1000, 4) 7 7"


def test_a_planar_tiff_is_sized_and_limited_by_its_width_and_height(tmp_path: Path) -> None:
    """A planar page's shape is (samples, height, width); float16, which neither Pillow nor OpenCV reads,
    leaves the header to tifffile."""
    tifffile = pytest.importorskip("tifffile")
    planes = np.arange(3 * 200 * 300, dtype=np.float16).reshape(3, 200, 300)
    path = tmp_path / "planar.tif"
    tifffile.imwrite(path, planes, photometric="rgb", planarconfig="separate")
    assert image_size(path) == (300, 200)
    image = read_image(path)
    np.testing.assert_array_equal(image, np.moveaxis(planes, 0, -1))
    assert image.flags.c_contiguous
    limits.set_max_pixels(10_000)  # 60,000 pixels; its first two sides multiply to 600
    with pytest.raises(ImageTooLargeError, match=r"planar\.tif"):
        read_image(path)


def test_a_tiff_of_huge_tiles_is_refused_before_decoding_whatever_its_name(tmp_path: Path) -> None:
    """A 16 x 16 image in one tile over 8192 a side: the decoder holds the whole tile (32768^2: 3.2 GB
    from a 3 MB file). Usual tiles still read."""
    tifffile = pytest.importorskip("tifffile")
    from pixelproof.core.limits import MAX_TILE_SIDE

    pixels = np.arange(16 * 16 * 3, dtype=np.uint8).reshape(16, 16, 3)
    side = MAX_TILE_SIDE + 16
    for name in ("huge.tif", "huge.png"):  # found by its magic bytes too
        tifffile.imwrite(tmp_path / name, pixels, photometric="rgb", tile=(side, side), compression="zlib")
        with pytest.raises(ImageReadError, match=rf"{name}: tiles of {side} x {side} pixels"):
            read_image(tmp_path / name)
    tifffile.imwrite(tmp_path / "ok.tif", pixels, photometric="rgb", tile=(256, 256), compression="zlib")
    np.testing.assert_array_equal(read_image(tmp_path / "ok.tif"), pixels)


def test_a_tiff_of_many_bands_is_named_and_never_decoded(tmp_path: Path) -> None:
    """200 samples a pixel (a hyperspectral cube; 0.2 MB zlib of 52 MB), which OpenCV does not read."""
    tifffile = pytest.importorskip("tifffile")
    import tracemalloc

    path = tmp_path / "cube.tif"
    cube = np.zeros((512, 512, 200), np.uint8)
    tifffile.imwrite(path, cube, photometric="minisblack", planarconfig="contig", compression="zlib")
    tracemalloc.start()
    try:
        with pytest.raises(ImageReadError, match=r"cube\.tif: 200 samples a pixel"):
            read_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, peak


def test_a_jpeg_of_thousands_of_scans_is_refused_before_decoding(tmp_path: Path) -> None:
    """2,000 empty scans on 4 megapixels kept OpenCV's decoder busy 0.75 s (growing with scans x pixels).
    A usual progressive JPEG reads; the downsampled read of a huge one checks too."""
    from pixelproof.core.limits import MAX_JPEG_SCANS
    from pixelproof.core.reduced import inspect_huge, read_reduced

    plain = many_scans_jpeg(64, 0)
    (tmp_path / "ok.jpg").write_bytes(plain)
    assert 5 < plain.count(b"\xff\xda") < 20
    assert read_image(tmp_path / "ok.jpg").shape == (64, 64, 3)
    (tmp_path / "scans.jpg").write_bytes(many_scans_jpeg(64, MAX_JPEG_SCANS))
    with pytest.raises(ImageReadError, match=r"scans\.jpg: a JPEG of [\d,]+ scans \(at most 500\)"):
        read_image(tmp_path / "scans.jpg")
    (tmp_path / "huge.jpg").write_bytes(many_scans_jpeg(256, MAX_JPEG_SCANS))  # read as one over the limit
    with pytest.raises(ImageReadError, match=r"huge\.jpg: a JPEG of"):
        read_reduced(inspect_huge(tmp_path / "huge.jpg"), 2)


def test_a_jpeg_compressed_tiff_tile_of_thousands_of_scans_is_refused(tmp_path: Path) -> None:
    """The JPEG-in-TIFF twin: each strip or tile is counted alone; usual JPEG TIFFs read."""
    tifffile = pytest.importorskip("tifffile")
    pytest.importorskip("imagecodecs")
    with tifffile.TiffWriter(tmp_path / "scans.tif") as tif:
        tif.write(
            iter([many_scans_jpeg(256, 3000, "L")]),
            shape=(256, 256),
            dtype=np.uint8,
            tile=(256, 256),
            compression="jpeg",
            photometric="minisblack",
        )
    with pytest.raises(ImageReadError, match=r"scans\.tif: a JPEG of [\d,]+ scans \(at most 500\)"):
        read_image(tmp_path / "scans.tif")
    pixels = np.tile(np.arange(256, dtype=np.uint8), (128, 1))
    tifffile.imwrite(tmp_path / "ok.tif", pixels, tile=(64, 64), compression="jpeg", photometric="minisblack")
    assert np.abs(read_image(tmp_path / "ok.tif").astype(int) - pixels).max() < 16  # lossy, 32 tiles


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_fifo_and_folder_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    for read in (image_size, read_image):
        with pytest.raises(ImageReadError, match="FIFO"):
            read(fifo)
    folder = tmp_path / "folder.png"
    folder.mkdir()
    with pytest.raises(ImageReadError, match="folder"):
        read_image(folder)


def test_float64_rgb_tiff(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    rng = np.random.default_rng(3)
    rgb = rng.normal(size=(12, 17, 3))
    tifffile.imwrite(tmp_path / "f.tif", rgb, photometric="rgb")
    img = read_image(tmp_path / "f.tif")
    assert img.dtype == np.float64 and img.shape == (12, 17, 3)
    np.testing.assert_array_equal(img, rgb)  # values and RGB order kept
    assert image_size(tmp_path / "f.tif") == (17, 12)
    shown = imageio.to_display8(img)
    assert shown.dtype == np.uint8 and shown.shape == (12, 17, 3)


def test_a_one_bit_rgb_tiff_reads_as_0_and_255_and_shows(tmp_path: Path) -> None:
    """1-bit samples OpenCV cannot decode (three of them a pixel) came back as a bool array from
    tifffile, and showing it raised TypeError in the auto window (found by mutating a TIFF header)."""
    tifffile = pytest.importorskip("tifffile")
    bits = np.random.default_rng(5).random((9, 13, 3)) > 0.5
    tifffile.imwrite(tmp_path / "bits.tif", bits, photometric="rgb")
    assert tifffile.TiffFile(tmp_path / "bits.tif").pages.first.bitspersample == 1
    img = read_image(tmp_path / "bits.tif")
    assert img.dtype == np.uint8
    stored = tifffile.imread(tmp_path / "bits.tif")  # (tifffile's packing of 3 x 1 bit is its own)
    assert stored.dtype == np.bool_ and stored.any() and not stored.all()
    np.testing.assert_array_equal(img, stored * np.uint8(255))
    shown = imageio.to_display8(img, imageio.auto_window(img))
    assert shown.shape == (9, 13, 3)


def test_complex_samples_are_refused_by_name(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    tifffile.imwrite(tmp_path / "c.tif", np.ones((6, 7), np.complex64))
    with pytest.raises(ImageReadError, match=r"c\.tif: complex64 samples"):
        read_image(tmp_path / "c.tif")


def test_a_side_over_opencvs_limit_reads_from_tiff_and_is_named_in_a_png(tmp_path: Path) -> None:
    """OpenCV refuses a side over 2**20 pixels (a line-scan strip can be that long) by raising
    ``cv2.error``, which escaped ``read_image``; a TIFF is then read by tifffile. libpng refuses one
    over 1,000,000: such a PNG or BMP is refused by name with its size, not called corrupt."""
    tifffile = pytest.importorskip("tifffile")
    strip = (np.arange((1 << 20) + 5) % 251).astype(np.uint8)[None, :]
    tifffile.imwrite(tmp_path / "strip.tif", strip)
    np.testing.assert_array_equal(read_image(tmp_path / "strip.tif"), strip)
    Image.fromarray(strip).save(tmp_path / "strip.bmp")
    Image.fromarray(strip[:, :1_000_001].T).save(tmp_path / "strip.png")
    for name, size in (("strip.bmp", "1048581 x 1"), ("strip.png", "1 x 1000001")):
        with pytest.raises(ImageReadError, match=rf"{name}: .*{size} pixels: a side over 1,000,000"):
            read_image(tmp_path / name)


def test_damage_met_while_decoding_is_an_oserror(tmp_path: Path) -> None:
    """Pillow raises ``SyntaxError("broken PNG file")`` when a chunk length is off; every reader's
    ``except OSError`` let it through (found by fuzzing the dataset readers)."""
    path = tmp_path / "short.png"
    path.write_bytes(short_idat_png(np.random.default_rng(0).integers(0, 2, (30, 40), np.uint8) * 255))
    for use in (np.asarray, lambda im: im.convert("L"), lambda im: im.crop((0, 0, 5, 5))):
        with imageio.open_pillow(path, "short.png") as im:
            assert im.size == (40, 30)  # the header is fine
            with pytest.raises(OSError, match=r"damaged image data \(broken PNG file"):
                use(im)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_as_pillow_applies_it(tmp_path: Path, orientation: int) -> None:
    rng = np.random.default_rng(orientation)
    pixels = rng.integers(0, 255, (6, 10, 3), dtype=np.uint8)
    path = tmp_path / "o.png"
    exif = Image.Exif()
    exif[imageio.EXIF_ORIENTATION_TAG] = orientation
    Image.fromarray(pixels).save(path, exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)))
    np.testing.assert_array_equal(read_image(path), expected)
    assert image_size(path) == (expected.shape[1], expected.shape[0])
    np.testing.assert_array_equal(read_image(path, apply_exif=False), pixels)  # projects of format 1
    assert image_size(path, apply_exif=False) == (10, 6)
    assert imageio.exif_orientation(path) == orientation


def test_a_tiff_of_thousands_of_series_is_parsed_in_linear_time(tmp_path: Path, monkeypatch) -> None:
    """tifffile compared each series with every later one (looking for pyramid levels), and each generic
    page with every earlier one of its size: a 3 MB TIFF of 15,000 pages held ``image_size`` ~50 s. Past
    the bounds (lowered here so the files stay small) the series are left apart, and a file of many pages
    of no known layout is its first page; the image read is the first page, as before."""
    from pixelproof.core import tiff_guard

    tifffile = tiff_guard.import_tifffile()
    monkeypatch.setattr(tiff_guard, "MAX_PYRAMID_SERIES", 4)
    monkeypatch.setattr(tiff_guard, "MAX_GENERIC_PAGES", 8)
    shaped, generic = tmp_path / "shaped.tif", tmp_path / "generic.tif"
    with tifffile.TiffWriter(shaped) as w:  # one "shaped" series a page: 8x8, 4x4 (its reduced level) ...
        for i in range(20):
            w.write(np.full((8 >> i % 2, 8 >> i % 2), i, np.uint8), contiguous=False, subfiletype=i % 2)
    with tifffile.TiffWriter(generic) as w:  # pages of alternating sizes, no layout metadata
        for i in range(20):
            w.write(np.full((3 + i % 2, 5), i + 1, np.uint8), metadata=None)
    with tifffile.TiffFile(shaped) as tif:
        assert len(tif.series) == 20 and len(tif.series[0].levels) == 1  # not paired as levels
    with tifffile.TiffFile(generic) as tif:
        assert [s.shape for s in tif.series] == [(3, 5)] and len(tif.series[0].pages) == 1
    assert image_size(shaped) == (8, 8) and read_image(shaped).max() == 0
    assert image_size(generic) == (5, 3) and (read_image(generic) == 1).all()


@pytest.mark.parametrize("tile", [(128, 128), None])
def test_tiff_whose_table_lists_fewer_pieces_than_its_size_needs_is_refused(
    tmp_path: Path, tile: tuple[int, int] | None
) -> None:
    """A header declaring a wider image than its tile (or strip) table holds: tifffile gave the rest
    black, only logging it, and a model pre-labeled the black; it is refused, naming both counts."""
    import tifffile

    path = tmp_path / "short.tif"
    pixels = np.random.default_rng(0).integers(1, 255, (256, 512, 3), dtype=np.uint8)
    tifffile.imwrite(path, pixels, photometric="rgb", compression="zlib", tile=tile, rowsperstrip=64)
    tag, kind, listed = ("ImageWidth", "tile", 8) if tile else ("ImageLength", "strip", 4)
    with tifffile.TiffFile(path, mode="r+b") as tif:  # strips span the width: a taller image needs more
        tif.pages.first.tags[tag].overwrite(1024)
    needed = 16  # 8 x 2 tiles of 128 px; 16 strips of 64 rows
    with pytest.raises(
        ImageReadError, match=rf"short\.tif: its {kind} table lists {listed} of the {needed} {kind}s"
    ):
        read_image(path)
