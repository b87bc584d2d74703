"""What a backend receives for medical images: stored values (HU) never windowed, the display window to
map them to 8-bit for RGB models, thresholds in stored units."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from pixelproof.core.coco import new_project
from pixelproof.core.imageio import to_display8
from pixelproof.core.model import ImageRecord
from pixelproof.inference.apply import prelabel_project
from pixelproof.inference.base import Backend, Prediction, Prompt
from pixelproof.inference.classical import ThresholdBackend
from pixelproof.inference.rgb8_input import as_rgb8


class Recorder(Backend):
    name = "recorder"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, tuple[float, float] | None, int]] = []

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        self.seen.append((str(image.dtype), self.display_window, int(image.min())))
        return []


def test_batch_backends_get_hounsfield_units_and_the_files_window(tmp_path: Path) -> None:
    for name in ("CT_small.dcm", "MR_small.dcm"):
        src = get_testdata_file(name, download=False)
        if src is None:
            pytest.skip(f"{name} not bundled")
        shutil.copy(src, tmp_path / name)
    project = new_project([])
    project.path = tmp_path / "p.json"
    project.add_image(ImageRecord(1, "CT_small.dcm", 128, 128))
    project.add_image(ImageRecord(2, "MR_small.dcm", 64, 64))
    backend = Recorder()
    report = prelabel_project(project, backend)
    assert report.failures == []
    (ct_dtype, ct_window, ct_min), (_, mr_window, _) = backend.seen
    assert ct_dtype == "int16" and ct_min < 0 and ct_window is None  # HU; CT_small has no VOI window
    assert mr_window == (-200.0, 1399.0)  # MR_small's Window Center 600 / Width 1600


def test_rgb_models_see_the_display_window() -> None:
    hu = np.array([[-1000, -160, 40], [240, 1000, 3000]], np.int16)
    rgb = as_rgb8(hu, (-160.0, 240.0))  # CT soft tissue: 400/40
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[..., 0], to_display8(hu, (-160.0, 240.0)))
    assert rgb[0, 0, 0] == 0 and rgb[0, 2, 0] == 127 and rgb[1, 0, 0] == 255
    sixteen = np.array([[0, 256 * 200]], np.uint16)
    assert as_rgb8(sixteen)[0, 1, 0] == 200  # unchanged default for plain 16-bit images


def test_threshold_backend_thresholds_in_hounsfield_units() -> None:
    hu = np.full((40, 40), -50, np.int16)  # soft tissue
    hu[10:20, 10:20] = 700  # bone
    hu[25:35, 25:35] = 200  # contrast-enhanced vessel: above soft tissue, below the bone threshold
    backend = ThresholdBackend()
    backend.configure(threshold=300, polarity="bright", split="no")
    preds = backend.predict(hu)
    assert len(preds) == 1 and preds[0].bbox == [10.0, 10.0, 10.0, 10.0]


def test_tiled_inference_reads_a_whole_slide_tile_by_tile(tmp_path: Path) -> None:
    from bench.large import write_pyramid

    from pixelproof.core.pyramid import open_pyramid
    from pixelproof.inference.tiling import open_regions

    slide = tmp_path / "slide.tif"
    write_pyramid(slide, 30_000)
    regions = open_regions(slide)
    assert (regions.width, regions.height) == (30_000, 30_000)
    before = open_pyramid(slide).stats.decoded
    piece = regions.read(20_000, 10_000, 700, 500)
    assert piece.shape == (500, 700)
    assert open_pyramid(slide).stats.decoded - before <= 4  # the file tiles under the region, no more
    np.testing.assert_array_equal(piece, open_pyramid(slide).levels[0][10_000:10_500, 20_000:20_700])


class Shown(Backend):
    """Records the 8-bit picture an RGB model makes of each image (``as_rgb8`` through ``display_window``)."""

    name = "shown"

    def __init__(self) -> None:
        super().__init__()
        self.pictures: list[np.ndarray] = []

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        self.pictures.append(as_rgb8(image, self.display_window)[..., 0])
        return []


def test_a_monochrome1_image_reaches_a_model_inverted_as_it_is_shown_and_exported(tmp_path: Path) -> None:
    """MONOCHROME1 (common for CR/DX radiographs: low values white) is shown and exported inverted, but a
    batch gave RGB models the stored picture through the window uninverted: bone black, air white, the
    negative of what they were trained on and of the exported PNGs. With a window, without one, 8-bit."""
    from pixelproof.interop.image_placing import _new_pixels
    from tests.core.test_dicom import _ct

    files = {
        "win16.dcm": dict(WindowCenter="32", WindowWidth="40"),
        "auto16.dcm": {},
        "eight.dcm": dict(
            BitsAllocated=8, BitsStored=8, HighBit=7, PixelData=np.arange(64, dtype=np.uint8).tobytes()
        ),
    }
    project = new_project([])
    project.path = tmp_path / "p.json"
    for k, (name, attrs) in enumerate(files.items(), start=1):
        attrs = (
            dict(
                PhotometricInterpretation="MONOCHROME1",
                PixelRepresentation=0,
                RescaleSlope=None,
                RescaleIntercept=None,
            )
            | attrs
        )
        _ct(tmp_path / name, **attrs)
        project.add_image(ImageRecord(k, name, 8, 8))
    backend = Shown()
    assert prelabel_project(project, backend).failures == []
    for name, picture in zip(files, backend.pictures, strict=True):
        exported = _new_pixels(tmp_path / name, "copy", True)
        np.testing.assert_array_equal(picture, exported)
        assert picture[0, 0] > picture[7, 7]  # the lowest stored value is the whitest


@pytest.mark.parametrize("background_radius", [0, 15])
def test_threshold_sets_nan_and_infinite_pixels_aside(background_radius: int) -> None:
    """A float slide's NaN padding and infinite values take no part in the Otsu level and are never an
    object (made 0 and 3.4e38 they overflowed Otsu's bins and the image failed)."""
    img = np.random.default_rng(0).random((200, 200)).astype(np.float32) * 10
    img[:40] = np.nan
    img[150:, :60] = np.inf
    img[150:, 60:120] = -np.inf
    img[80:120, 80:120] = 500.0  # the one object
    backend = ThresholdBackend()
    backend.configure(polarity="bright", background_radius=background_radius)
    found = backend.predict(img)
    assert [p.bbox for p in found] == [[80.0, 80.0, 40.0, 40.0]]
    assert backend.predict(np.full((64, 64), np.nan, np.float32)) == []
