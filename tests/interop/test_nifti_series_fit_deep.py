"""A label map named after no series, fitted to a DICOM series nested as archives and PACS exports lay them
out (``--image-dir`` naming the top: PATIENT/STUDY/SERIES/*.dcm): the search went one level down only, so
the series was never found. It goes down to ``MAX_DEPTH`` levels, bounded (no symlink loop, no FIFO opened),
and says what it searched when nothing fits."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from pixelproof.interop import nifti_series_fit
from pixelproof.interop.nifti import read_nifti
from pixelproof.interop.nifti_writer import write_nifti
from tests.interop.test_nifti_dicom_series import (
    CORONAL,
    DEPTH,
    OBLIQUE,
    masks_by_name,
    series_project,
    write_series,
)


def nested(tmp_path: Path) -> tuple[Path, Path, dict]:
    """The project's series moved to archive/PAT1/STUDY1/ct (an MR of other geometry in another study),
    and its labels written as ``ct_label.nii.gz``."""
    project, _, drawn = series_project(tmp_path, OBLIQUE)
    write_nifti(project, tmp_path / "out")
    label = tmp_path / "out" / "ct_label.nii.gz"
    (tmp_path / "out" / "ct.nii.gz").rename(label)
    archive = tmp_path / "archive"
    (archive / "PAT1" / "STUDY1").mkdir(parents=True)
    shutil.move(tmp_path / "study" / "ct", archive / "PAT1" / "STUDY1" / "ct")
    write_series(archive / "PAT1" / "STUDY2" / "mr", CORONAL, uid="1.2.3.9", number=6, prefix="MR")
    return archive, label, drawn


def test_a_series_three_levels_down_takes_the_label_map_it_fits(tmp_path: Path) -> None:
    archive, label, drawn = nested(tmp_path)
    result = read_nifti(label, image_dir=archive)
    (note,) = result.problems
    where = archive / "PAT1" / "STUDY1" / "ct"
    assert f"read onto {where}, the one series under {archive} whose size and geometry it fits" in note
    got = masks_by_name(result.project)
    assert sorted(got) == [f"ct#z={k:03d}" for k in range(DEPTH)]
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symlinks of POSIX")
def test_a_loop_and_a_fifo_end_the_search_and_the_message_says_what_was_searched(tmp_path: Path) -> None:
    archive, label, _ = nested(tmp_path)
    shutil.rmtree(archive / "PAT1" / "STUDY1")  # no series it fits
    (archive / "PAT1" / "STUDY2" / "loop").symlink_to(archive, target_is_directory=True)
    os.mkfifo(archive / "PAT1" / "STUDY2" / "mr" / "pipe")  # opened: the read would block for ever
    result = read_nifti(label, image_dir=archive)
    (note,) = result.problems
    assert f"none of the 1 series under {archive} fits its size and geometry" in note
    assert f"searched 4 folders, up to {nifti_series_fit.MAX_DEPTH} levels down" in note
    assert all(im.file_name.startswith("ct_label.nii.gz#") for im in result.project.images.values())


def test_a_search_past_its_limit_says_where_it_stopped(tmp_path: Path, monkeypatch) -> None:
    archive, label, _ = nested(tmp_path)
    deep = archive / "a" / "b" / "c" / "d" / "e" / "ct"  # past MAX_DEPTH: not entered
    shutil.move(archive / "PAT1" / "STUDY1" / "ct", deep)
    monkeypatch.setattr(nifti_series_fit, "MAX_FOLDERS", 3)
    result = read_nifti(label, image_dir=archive)
    (note,) = result.problems
    assert "no DICOM series was found under" in note or "none of the" in note
    assert "stopped after 3 folders" in note
    monkeypatch.setattr(nifti_series_fit, "MAX_FOLDERS", 2_000)
    (note,) = read_nifti(label, image_dir=archive).problems
    assert "read onto" not in note and "stopped" not in note  # 6 levels down: not searched
