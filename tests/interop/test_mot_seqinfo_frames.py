"""A MOT sequence without its frame images (interop.mot): Datumaro (CVAT's MOT import) makes a sequence's
frames 1..seqLength from ``seqinfo.ini`` (imWidth x imHeight) without images; its own sample
``mot_seq_with_seqinfo`` (tests/data/datumaro/mot_dataset, see SOURCE.md) has no ``img1/``. Read so, the
missing folder said once by its path; a sequence whose gt.txt had no box on them was "nothing to convert"."""

from __future__ import annotations

import shutil
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.clipboard import track_of
from pixelproof.core.cvat_attributes import is_occluded
from pixelproof.interop.formats import FORMATS
from pixelproof.interop.mot import MOST_MADE

MOT = FORMATS["mot"]
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "mot_dataset" / "mot_seq_with_seqinfo"


def test_datumaros_sequence_without_img1_reads_as_datumaro_reads_it() -> None:
    """Datumaro's test_can_import_seqinfo: one 16 x 16 frame, the box (0, 4, 4, 8) of label_2 on no track,
    not occluded, visibility 1."""
    result = MOT.read(SAMPLE)
    project = result.project
    (image,) = project.images.values()
    assert (image.file_name, image.width, image.height) == ("mot_seq_with_seqinfo/img1/000001.jpg", 16, 16)
    (ann,) = project.annotations.values()
    assert ann.bbox == [0.0, 4.0, 4.0, 8.0] and track_of(ann) is None and not is_occluded(ann)
    assert project.categories[ann.category_id].name == "label_2"
    assert ann.app_extra["mot"] == {"visibility": 1.0}
    assert [
        p for p in result.problems if str(SAMPLE / "img1") in p and "no such folder" in p
    ] == result.problems
    assert len(result.problems) == 1 and not result.skipped.total()


def test_every_frame_of_seqlength_is_made_also_without_boxes(tmp_path: Path, capsys) -> None:
    seq = tmp_path / "S"
    shutil.copytree(SAMPLE, seq)
    (seq / "seqinfo.ini").write_text((seq / "seqinfo.ini").read_text().replace("seqLength=1", "seqLength=3"))
    (seq / "gt" / "gt.txt").write_text("")  # no box: frames that hold nothing
    assert main(["convert", str(seq), str(tmp_path / "out"), "--to", "mot", "--images", "copy"]) == 0
    assert "nothing to convert" not in capsys.readouterr().err
    project = MOT.read(tmp_path / "out").project
    assert sorted(i.file_name for i in project.images.values()) == [f"S/img1/00000{f}.jpg" for f in (1, 2, 3)]


def test_a_huge_seqlength_makes_only_the_frames_with_boxes(tmp_path: Path) -> None:
    seq = tmp_path / "S"
    shutil.copytree(SAMPLE, seq)
    (seq / "seqinfo.ini").write_text(
        (seq / "seqinfo.ini").read_text().replace("seqLength=1", "seqLength=999999999")
    )
    result = MOT.read(seq)
    assert len(result.project.images) == 1
    assert any(f"over {MOST_MADE:,}" in p and str(seq / "img1") in p for p in result.problems)
