"""A series with a slice lost (or of two spacings) is said when a project is made over it, naming the two
files of the gap, as 3D Slicer warns on loading: its slices were listed as if nothing were missing, and
the reader scrolled past the gap without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.dicom_series_notes import SeriesNote
from pixelproof.core.image_folder import project_from_folder
from tests.core.test_dicom import _ct


def _series(folder: Path, positions: list[float], **attrs: object) -> None:
    for k, z in enumerate(positions):
        _ct(folder / f"im{k}.dcm", ImagePositionPatient=[0, 0, z], InstanceNumber=k + 1, **attrs)


def _notes(folder: Path, tmp_path: Path) -> list[str]:
    said: list[str] = []
    project = project_from_folder(folder, tmp_path / "p.json", on_skip=said.append)
    assert project.images  # a note skips nothing
    return said


def test_a_series_with_a_slice_lost_names_the_gap(tmp_path: Path) -> None:
    _series(tmp_path / "ct", [0, 2.5, 5, 10, 12.5])  # the slice at 7.5 mm was lost
    (note,) = _notes(tmp_path / "ct", tmp_path)
    assert isinstance(note, SeriesNote)  # not counted as a file skipped
    assert note == (
        f"{tmp_path / 'ct'}: the DICOM series (SeriesNumber 0) is unevenly spaced: its slices lie 2.5 mm "
        "apart, but 5 mm between im2.dcm and im3.dcm (1 slice missing?); each slice is placed at its own "
        "position (the 3D QA and the status bar's mm); check that no file was lost"
    )


def test_two_spacings_and_several_gaps_are_counted(tmp_path: Path) -> None:
    _series(tmp_path / "ct", [0, 2.5, 5, 7.5, 8.5, 9.5, 17])
    (note,) = _notes(tmp_path / "ct", tmp_path)
    assert "but 7.5 mm between im5.dcm and im6.dcm (2 slices missing?), and 2 other steps off it;" in note


def test_even_series_and_rounding_say_nothing(tmp_path: Path) -> None:
    _series(tmp_path / "even", [0, 1.25, 2.5, 3.75001, 5])  # a DS rounding is no gap
    _series(tmp_path / "falling", [10, 7.5, 5, 2.5])
    _series(tmp_path / "two", [0, 5])
    for name in ("even", "falling", "two"):
        assert _notes(tmp_path / name, tmp_path) == [], name


def test_a_file_of_another_pixel_spacing_is_not_stacked_and_the_note_says_why(tmp_path: Path) -> None:
    """One file of a series at PixelSpacing 0.5 mm among 0.8 x 0.7 mm ones was stacked as a slice whose
    record, QA and exports took the series' spacing: its pixels were measured 60 % off. It is listed on
    its own, as a file of another size or orientation is, and the note names it and why, before the gap
    it leaves (which is no lost file)."""
    folder = tmp_path / "ct"
    for k, z in enumerate([0, 2.5, 5, 7.5, 10]):
        spacing = [0.5, 0.5] if k == 2 else [0.8, 0.7]
        _ct(folder / f"im{k}.dcm", ImagePositionPatient=[0, 0, z], InstanceNumber=k + 1, PixelSpacing=spacing)
    _ct(folder / "loc.dcm", 4, 8, ImagePositionPatient=[0, 0, 20], PixelSpacing=[0.8, 0.7])  # a localizer
    said: list[str] = []
    project = project_from_folder(folder, tmp_path / "p.json", on_skip=said.append)
    spacing = {im.file_name: im.extra.get("pixel_spacing") for im in project.images.values()}
    assert spacing == {
        **{f"ct#z={k:03d}": [0.8, 0.7] for k in range(4)},
        "ct/im2.dcm": [0.5, 0.5],
        "ct/loc.dcm": [0.8, 0.7],
    }
    (note,) = said
    assert note == (
        f"{folder}: the DICOM series (SeriesNumber 0) has files not stacked with it, listed on their own: "
        "im2.dcm: PixelSpacing 0.5 x 0.5 mm (the series' 0.8 x 0.7 mm); loc.dcm: Rows x Columns 4 x 8 "
        "(the series' 8 x 8); it is unevenly spaced: its slices lie 2.5 mm apart, but 5 mm between im1.dcm "
        "and im3.dcm, where im2.dcm lies, left out of the series; each slice is placed at its own position "
        "(the 3D QA and the status bar's mm)"
    )  # the gap is im2.dcm's, said just before: no "1 slice missing?", no "check that no file was lost"


def test_a_series_slice_without_a_window_shows_at_its_nearest_slices_window(tmp_path: Path) -> None:
    """Files that carry Window Center / Width only some of the time (an export that drops it on some
    slices) made each such slice show at its own auto window: scrolling flickered between 400 / 40 and the
    percentiles, one tissue a new brightness every step. Such a slice takes the nearest slice's window."""
    from pixelproof.core.sources import image_meta

    folder = tmp_path / "ct"
    windows = {0: (40, 400), 3: (-600, 1500)}  # center, width; slices 1, 2 and 4 carry none
    for k in range(5):
        c, w = windows.get(k, (0, 0))
        window = {"WindowCenter": c, "WindowWidth": w} if w else {}
        _ct(folder / f"im{k}.dcm", ImagePositionPatient=[0, 0, 2.5 * k], **window)
    soft, lung = image_meta(folder / "im0.dcm").window, image_meta(folder / "im3.dcm").window
    assert soft == pytest.approx((-160.0, 240.0), abs=1) and lung == pytest.approx((-1350, 150), abs=1)
    got = [image_meta(f"{folder}#z={k:03d}").window for k in range(5)]
    assert got == [soft, soft, lung, lung, lung]  # slice 2 lies 1 from slice 3, 2 from slice 0


def test_a_gap_a_left_out_file_does_not_fill_is_still_a_slice_missing(tmp_path: Path) -> None:
    """A file left out for its orientation that lies in the gap explains it; one left out elsewhere (a
    localizer far off the stack) does not: that gap still asks whether a slice is missing."""
    tilted = [1, 0, 0, 0, 0.9998, 0.02]  # a re-saved slice a hair off the series' plane
    folder = tmp_path / "ct"
    _series(folder, [0, 2.5, 5, 10, 12.5])
    _ct(folder / "re7.dcm", ImagePositionPatient=[0, 0, 7.5], ImageOrientationPatient=tilted)
    (note,) = _notes(folder, tmp_path)
    assert "im2.dcm and im3.dcm, where re7.dcm lies, left out of the series;" in note
    assert "missing?" not in note and "check that no file was lost" not in note
    other = tmp_path / "mr"
    _series(other, [0, 2.5, 5, 10, 12.5])
    _ct(other / "loc.dcm", ImagePositionPatient=[0, 0, 40], ImageOrientationPatient=tilted)
    (note,) = _notes(other, tmp_path)
    assert "im2.dcm and im3.dcm (1 slice missing?);" in note and note.endswith("check that no file was lost")
