"""The source series a DICOM SEG is imported onto, searched for under the folders given: a candidate file
that cannot be read - a FIFO or broken link named ``*.dcm``, a file that is no DICOM, one gone between the
listing and the read - is named in the problems, and the SEG still imports onto the others."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pixelproof.interop import dicom_seg
from pixelproof.interop.dicom_seg import read_dicom_seg, write_dicom_seg
from tests.interop.test_dicom_seg import ct_project  # noqa: F401 (fixture)

SAID = "not a regular file (a FIFO, device, socket or broken link); skipped"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_candidates_that_cannot_be_read_are_named_and_the_seg_still_imports(
    ct_project,  # noqa: F811
    tmp_path: Path,
) -> None:
    """They were left out without a word (the FIFO is never opened: reading one blocks for good)."""
    project, study, _ = ct_project
    write_dicom_seg(project, study / "seg")
    ct = study / "CT2"
    (ct / "junk.dcm").write_bytes(b"no DICOM here")
    (ct / "gone.dcm").symlink_to(tmp_path / "nowhere.dcm")
    os.mkfifo(ct / "pipe.dcm")
    (ct / "folder.dcm").mkdir()  # a folder: searched, nothing to say
    result = read_dicom_seg(study / "seg")
    assert sorted(im.file_name for im in result.project.images.values()) == [
        f"../CT2#z={k:03d}" for k in range(4)
    ]
    assert f"{ct / 'gone.dcm'}: {SAID}" in result.problems
    assert f"{ct / 'pipe.dcm'}: {SAID}" in result.problems
    (junk,) = [p for p in result.problems if p.startswith(f"{ct / 'junk.dcm'}: ")]
    assert junk.endswith("; skipped")
    assert len(result.problems) == 3 and result.skipped == {"files": 3}


def test_a_source_gone_between_the_listing_and_the_read_is_named_not_raised(
    ct_project,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A series file removed after the folder was scanned made ``read_dataset`` raise out of the import;
    a single file (alone in its folder) removed so was passed over without a word."""
    project, study, _ = ct_project
    write_dicom_seg(project, study / "seg")
    series = sorted((study / "CT2").iterdir())
    single = study / "one" / "x.dcm"
    single.parent.mkdir()
    shutil.copy(series[0], single)
    scan = dicom_seg.scan_folder

    def scan_then_remove(parent: Path, files: list[Path]):  # type: ignore[no-untyped-def]
        found = scan(parent, files)
        (series[1] if parent == series[1].parent else single).unlink(missing_ok=True)
        return found

    monkeypatch.setattr(dicom_seg, "scan_folder", scan_then_remove)
    result = read_dicom_seg(study / "seg")
    assert result.problems == [f"{single}: DICOM file not found; skipped"]
    assert len(result.project.images) == 4  # the series' UIDs are those its scan read
