"""A 3D Slicer scene folder made hostile, read by ``pixelproof new`` / ``add`` (interop.slicer_seg_folder):
a segment name with control characters (a terminal escape sequence, a bell) is said naming the file, as
``convert --from slicer-seg`` says it, and kept whole; before, it came in silently. Added again (nothing
read), nothing is said."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import nrrd
import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.slicer_seg_folder import images_and_segmentations_to_add, project_with_segmentations

GRID = {
    "space": "left-posterior-superior",
    "space directions": np.diag([-2.0, -2.0, 3.0]),
    "space origin": np.array([10.0, 20.0, -5.0]),
    "kinds": ["domain"] * 3,
    "encoding": "gzip",
}
HOSTILE = "red\x1b[31mevil\x07"  # a terminal colour escape and a bell


def _scene(folder: Path) -> Path:
    """ct.nrrd (6 x 5 x 4) and ct.seg.nrrd on its grid, one segment named ``HOSTILE``."""
    folder.mkdir()
    nrrd.write(str(folder / "ct.nrrd"), np.zeros((6, 5, 4), np.int16), GRID)
    labels = np.zeros((6, 5, 4), np.uint8)
    labels[1:3, 1:3, :] = 1
    seg = folder / "ct.seg.nrrd"
    nrrd.write(str(seg), labels, {**GRID, "Segment0_Name": "NAME", "Segment0_LabelValue": "1"})
    seg.write_bytes(seg.read_bytes().replace(b"NAME", HOSTILE.encode()))
    return seg


def test_new_says_a_segment_name_with_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clear_cache()
    seg = _scene(tmp_path / "scene")
    out = tmp_path / "p.json"
    assert main(["new", str(tmp_path / "scene"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    names = [c.name for c in load_project(out).categories.values()]
    assert any("\x1b" in n for n in names)  # kept whole, as the file names its class
    (line,) = [m for m in err.splitlines() if "category" in m]
    assert line.startswith(f"pixelproof: warning: {seg}: category “") and "kept whole" in line
    assert "\x1b" not in line and "\x07" not in line  # shown escaped, never a terminal's escape


def test_add_says_it_too_and_adding_again_does_not(tmp_path: Path) -> None:
    clear_cache()
    photos = tmp_path / "photos"
    photos.mkdir()
    project = project_with_segmentations(photos, tmp_path / "p.json")
    seg = _scene(tmp_path / "scene")
    said: list[str] = []
    found, edit = images_and_segmentations_to_add(project, [tmp_path / "scene"], said.append)
    assert edit is not None and [m for m in said if m.startswith(f"{seg}: category")]
    edit.apply(project)
    said.clear()
    found, edit = images_and_segmentations_to_add(project, [seg], said.append)
    assert edit is None and found.already == [str(seg)] and not said


@pytest.mark.parametrize("link", [os.symlink, os.link])
def test_new_reads_one_segmentation_under_two_names_once(
    tmp_path: Path, link: Callable[[Path, Path], None]
) -> None:
    """``Segmentation.seg.nrrd`` a link to ``ct.seg.nrrd``: one file, its masks put on the slices once, as
    ``add`` reads it; before, ``new`` put every mask there twice."""
    clear_cache()
    seg = _scene(tmp_path / "scene")
    link(seg, seg.parent / "Segmentation.seg.nrrd")
    read: list[str] = []
    project = project_with_segmentations(seg.parent, tmp_path / "p.json", on_read=read.append)
    assert len(read) == 1 and len(project.annotations) == 4  # a 2 x 2 mask on each of the 4 slices
