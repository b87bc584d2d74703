"""One automatic window per volume (as 3D Slicer): a series or NIfTI volume without a Window Center/Width
opened each slice at its own percentiles, so scrolling changed the brightness of one tissue."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np

from pixelproof.core.imageio import auto_window, read_image
from pixelproof.core.sources import automatic_window, image_meta
from pixelproof.core.volume_window import SAMPLE_SLICES, sample_indices, volume_auto_window
from pixelproof.core.volumes import ImageMeta, Volume
from tests.core.test_dicom import _ct


def _two_slice_series(folder: Path) -> list[str]:
    """Slice 0 stored 0..63 (HU -1024..-961), slice 1 stored 1500..1563 (HU 476..539): no window."""
    for k, base in enumerate((0, 1500)):
        pixels = (base + np.arange(64)).astype(np.int16).tobytes()
        _ct(folder / f"im{k}.dcm", ImagePositionPatient=[0, 0, 2.5 * k], PixelData=pixels)
    return [f"{folder}#z={k:03d}" for k in range(2)]


def test_the_slices_of_a_series_without_a_window_share_one_automatic_window(tmp_path: Path) -> None:
    names = _two_slice_series(tmp_path / "ct")
    assert all(image_meta(n).window is None for n in names)  # nothing of the files' own
    pixels = [read_image(n) for n in names]
    own = [auto_window(p) for p in pixels]
    assert own[0] != own[1]  # each slice's own percentiles: two brightnesses
    shared = [automatic_window(n, p) for n, p in zip(names, pixels, strict=True)]
    assert shared[0] == shared[1]
    lo, hi = shared[0]
    assert lo < -1000 and hi > 500  # the whole volume's range, both tissues in it


def test_the_slices_of_a_nifti_volume_share_one_automatic_window(tmp_path: Path) -> None:
    vol = np.zeros((16, 16, 2), np.float32)
    vol[:, :, 0] = np.linspace(0, 1, 256).reshape(16, 16)
    vol[:, :, 1] = np.linspace(500, 900, 256).reshape(16, 16)
    nib.save(nib.Nifti1Image(vol, np.eye(4)), tmp_path / "mr.nii.gz")
    names = [f"{tmp_path / 'mr.nii.gz'}#z={k}" for k in range(2)]
    windows = [automatic_window(n, read_image(n)) for n in names]
    assert windows[0] == windows[1]
    assert windows[0][0] < 0.1 and windows[0][1] > 850


def test_a_single_image_keeps_its_own_automatic_window(tmp_path: Path) -> None:
    path = _ct(tmp_path / "one.dcm", PixelData=(2000 + np.arange(64)).astype(np.int16).tobytes())
    pixels = read_image(path)
    assert automatic_window(path, pixels) == auto_window(pixels)


class _Counted(Volume):
    """A volume of ``depth`` slices, slice k all k, counting the slices read."""

    def __init__(self, depth: int) -> None:
        self.source, self.depth, self.height, self.width = Path("v"), depth, 4, 4
        self.positions, self.meta, self.reads = np.arange(depth, dtype=np.float64), ImageMeta(), 0

    def _read(self, index: int) -> np.ndarray:
        self.reads += 1
        if index == 3:
            raise OSError("slice 3 unreadable")
        return np.full((4, 4), index, np.int16)


def test_a_big_volume_is_sampled_once_and_unreadable_slices_are_left_out() -> None:
    volume = _Counted(2000)
    window = volume_auto_window(volume)
    assert volume.reads == SAMPLE_SLICES  # not the 2,000 slices
    assert window is not None and window[0] < 100 and window[1] > 1900  # spread through the stack
    assert volume_auto_window(volume) == window and volume.reads == SAMPLE_SLICES  # kept: no second read
    picked = sample_indices(2000, 512, 512)
    assert len(picked) == SAMPLE_SLICES and picked[0] > 0 and picked[-1] < 1999
    assert sample_indices(2, 8, 8) == [0, 1]
    assert len(sample_indices(50, 8000, 8000)) == 3  # big planes: a few
    small = _Counted(5)  # slice 3 raises: the window of the others
    assert volume_auto_window(small) == auto_window(np.array([[0, 1, 2, 4]], np.int16))


def test_an_exported_slice_png_is_drawn_through_its_volumes_window(tmp_path: Path) -> None:
    """Exports write slices as PNGs "as the app shows them": the volume's window, not the slice's own
    (which stretched slice 0's -1024..-961 HU to black..white)."""
    import cv2

    from pixelproof.interop.image_placing import copied_bytes

    names = _two_slice_series(tmp_path / "ct")
    png = copied_bytes(Path(names[0]), None, True)
    assert png is not None
    shown = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    assert shown.shape == (8, 8) and shown.max() < 64  # dark: air in a window reaching +500 HU
