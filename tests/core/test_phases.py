"""Stepping between the phases of a dynamic DICOM series and the time points of a TIFF time series at
one slice (core.phases), over projects made from real files: a series written with pydicom, an OME-TIFF
written with tifffile. The expected slice is read back from the files' own headers and pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
import tifffile

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.imageio import read_image
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.phases import PhaseIndex
from pixelproof.core.volume_cache import clear_cache
from tests.core.test_dicom_acquisitions import dynamic_series, expected_pixels, write_slice


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def ids_by_name(project: Project) -> dict[str, int]:
    return {im.file_name: im.id for im in project.images.values()}


def name_of(project: Project, image_id: int | None) -> str | None:
    return None if image_id is None else project.images[image_id].file_name


def test_a_dynamic_series_steps_to_the_same_position_in_each_phase(tmp_path: Path) -> None:
    files = dynamic_series(tmp_path / "data" / "dyn", phases=3, positions=3)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json")
    ids, index = ids_by_name(project), PhaseIndex(project)
    at = ids["data/dyn#phase=1&z=002"]
    assert index.where(at) == (1, 3, "phase")
    for phase in (2, 3):
        step = index.step(at, 1)
        assert step is not None and step.message == ""
        at = step.image_id
        name = name_of(project, at)
        assert name == f"data/dyn#phase={phase}&z=002"
        # the same slice: the file of that phase at that position, by its own header
        ds = pydicom.dcmread(files[phase, 2])
        assert ds.AcquisitionNumber == phase and float(ds.ImagePositionPatient[2]) == -5.0
        np.testing.assert_array_equal(read_image(tmp_path / name), expected_pixels(files[phase, 2]))
    last = index.step(at, 1)
    assert last is not None and last.image_id is None and last.message == "Last phase (3 of 3)"
    back = index.step(at, -2)
    assert back is not None and name_of(project, back.image_id) == "data/dyn#phase=1&z=002"
    first = index.step(ids["data/dyn#phase=1&z=000"], -1)
    assert first is not None and first.image_id is None and first.message == "First phase (1 of 3)"


def test_a_phase_lacking_a_position_is_matched_by_position_not_by_index(tmp_path: Path) -> None:
    """A re-acquired slice is a phase of one file, its z=000 at the second position: the same slice of
    phase 1's z=001 (same position), not of its z=000."""
    for k in range(3):
        write_slice(tmp_path / "data" / "ct" / f"a{k}.dcm", 2.0 * k, 10 * k, k + 1, AcquisitionNumber=1)
    again = write_slice(tmp_path / "data" / "ct" / "b1.dcm", 2.0, 555, 4, AcquisitionNumber=2)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json")
    ids, index = ids_by_name(project), PhaseIndex(project)
    step = index.step(ids["data/ct#phase=1&z=001"], 1)
    assert step is not None and name_of(project, step.image_id) == "data/ct#phase=2&z=000"
    np.testing.assert_array_equal(read_image(tmp_path / "data/ct#phase=2&z=000"), expected_pixels(again))
    missing = index.step(ids["data/ct#phase=1&z=000"], 1)  # phase 2 has nothing at 0 mm
    assert missing is not None and missing.image_id is None
    assert missing.message == "No later phase has a slice at 0 mm"
    back = index.step(ids["data/ct#phase=2&z=000"], -1)
    assert back is not None and name_of(project, back.image_id) == "data/ct#phase=1&z=001"


def test_a_phase_without_the_slice_is_passed_with_a_note(tmp_path: Path) -> None:
    dynamic_series(tmp_path / "data" / "dyn", phases=3, positions=3)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json")
    ids = ids_by_name(project)
    project.remove_image(ids["data/dyn#phase=2&z=001"])  # e.g. a shard that left it out
    step = PhaseIndex(project).step(ids["data/dyn#phase=1&z=001"], 1)
    assert step is not None and name_of(project, step.image_id) == "data/dyn#phase=3&z=001"
    assert step.message == "Phase 2 has no slice at -7.5 mm; showing phase 3 of 3"


def test_records_without_positions_step_by_index(tmp_path: Path) -> None:
    dynamic_series(tmp_path / "data" / "dyn", phases=2, positions=3)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json")
    for image in project.images.values():
        image.extra.pop("slice_position", None)  # an older project's records
    ids = ids_by_name(project)
    project.remove_image(ids["data/dyn#phase=1&z=002"])
    index = PhaseIndex(project)
    step = index.step(ids["data/dyn#phase=2&z=001"], -1)
    assert step is not None and name_of(project, step.image_id) == "data/dyn#phase=1&z=001"
    step = index.step(ids["data/dyn#phase=2&z=002"], -1)
    assert step is not None and step.image_id is None and step.message == "No earlier phase has slice 2"


def test_a_time_series_of_z_stacks_steps_through_its_time_points(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    stack = np.arange(3 * 4, dtype=np.uint16).reshape(3, 4, 1, 1) * np.ones((1, 1, 6, 8), np.uint16)
    tifffile.imwrite(data / "live.ome.tif", stack, photometric="minisblack", metadata={"axes": "TZYX"})
    tifffile.imwrite(data / "stack.tif", stack[0], photometric="minisblack", metadata={"axes": "ZYX"})
    tifffile.imwrite(data / "movie.tif", stack[:, 0], photometric="minisblack", metadata={"axes": "TYX"})
    project = project_from_folder(data, tmp_path / "p.json")
    ids, index = ids_by_name(project), PhaseIndex(project)
    at = ids["data/live.ome.tif#t=000&z=002"]
    assert index.where(at) == (1, 3, "time point")
    truth = tifffile.imread(data / "live.ome.tif")
    for t in (1, 2):
        step = index.step(at, 1)
        assert step is not None
        at = step.image_id
        assert name_of(project, at) == f"data/live.ome.tif#t={t:03d}&z=002"
        np.testing.assert_array_equal(read_image(tmp_path / name_of(project, at)), truth[t, 2])
    end = index.step(at, 1)
    assert end is not None and end.image_id is None and end.message == "Last time point (3 of 3)"
    # a z-stack without time points, a time series without Z (PgDn steps its time points): no phases
    for name in ("data/stack.tif#z=001", "data/movie.tif#t=001"):
        assert ids[name] not in index and index.step(ids[name], 1) is None and index.where(ids[name]) is None


def test_phases_of_different_series_channels_or_sources_are_not_mixed(tmp_path: Path) -> None:
    project = Project()
    names = [
        "a#phase=1&z=000", "a#phase=2&z=000", "b#phase=1&z=000",  # b: one phase only
        "a#series=2&phase=1&z=000", "a#series=2&phase=3&z=000", "a#phase=1&c=1&z=000",
        "v.nii.gz#z=000", "a#z=000",  # a series read without phase= (an older project): no phases
    ]  # fmt: skip
    for k, name in enumerate(names, 1):
        project.add_image(ImageRecord(k, name, 4, 4))
    ids = ids_by_name(project)
    index = PhaseIndex(project)
    step = index.step(ids["a#phase=1&z=000"], 1)
    assert step is not None and name_of(project, step.image_id) == "a#phase=2&z=000"
    step = index.step(ids["a#series=2&phase=1&z=000"], 1)
    assert step is not None and name_of(project, step.image_id) == "a#series=2&phase=3&z=000"
    assert index.where(ids["a#series=2&phase=3&z=000"]) == (2, 2, "phase")
    for name in ("b#phase=1&z=000", "v.nii.gz#z=000", "a#z=000", "a#phase=1&c=1&z=000"):
        assert ids[name] not in index


def test_a_window_set_by_hand_is_kept_for_its_series_only() -> None:
    """``KeptWindow``: the window set on one slice is the one for every slice and phase of that series; an
    image of another series (or a plain image) shows its own and drops it."""
    from pixelproof.core.phases import KeptWindow

    kept, lung = KeptWindow(), (-1350.0, 150.0)
    kept.set("ct/dyn.dcm#phase=1&z=002", lung)
    assert kept.for_image("ct/dyn.dcm#phase=2&z=000", (0.0, 1.0)) == lung  # another phase and slice
    assert kept.for_image("ct/other.nii.gz#z=001", (0.0, 1.0)) == (0.0, 1.0)  # another series: its own
    assert kept.for_image("ct/dyn.dcm#phase=1&z=002", (0.0, 1.0)) == (0.0, 1.0)  # dropped by then
    kept.set("photo.png", lung)  # a plain image keeps nothing
    assert kept.for_image("photo.png", (5.0, 9.0)) == (5.0, 9.0)
