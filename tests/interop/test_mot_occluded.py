"""MOT visibility and the occluded flag (interop.mot, mot_writer): read as Datumaro (CVAT's MOT import) reads
it - occluded when visibility is 0 or less - into the flag CVAT's reader and Q use; written back as read
unless the flag was changed since (Q), then 0 or 1 as CVAT's MOT export writes it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pixelproof.core.clipboard import track_of
from pixelproof.core.cvat_attributes import is_occluded, with_occluded
from pixelproof.interop.formats import FORMATS

MOT = FORMATS["mot"]
# track 1 seen, 2 hidden (0), 3 partly seen (0.4: not occluded by Datumaro's rule), 4 with no visibility
GT = "1,1,10,10,20,30,1,1,1\n1,2,40,10,20,30,1,1,0\n1,3,70,10,20,30,1,1,0.4\n1,4,5,40,10,10,1,1\n"


def _sequence(root: Path) -> Path:
    seq = root / "S"
    (seq / "img1").mkdir(parents=True)
    (seq / "gt").mkdir()
    Image.new("RGB", (120, 80)).save(seq / "img1" / "000001.png")
    (seq / "gt" / "gt.txt").write_text(GT)
    return seq


def _written(project, out: Path) -> dict[int, str]:
    MOT.write(project, out, images="copy")
    lines = (out / "S" / "gt" / "gt.txt").read_text().splitlines()
    return {int(line.split(",")[1]): line.split(",")[8] for line in lines}


def test_visibility_sets_the_occluded_flag_as_datumaro_reads_it(tmp_path: Path) -> None:
    project = MOT.read(_sequence(tmp_path)).project
    occluded = {track_of(a): is_occluded(a) for a in project.annotations.values()}
    assert occluded == {1: False, 2: True, 3: False, 4: False}


def test_visibility_follows_the_flag_changed_since_read_and_is_kept_otherwise(tmp_path: Path) -> None:
    project = MOT.read(_sequence(tmp_path)).project
    assert _written(project, tmp_path / "same") == {1: "1", 2: "0", 3: "0.4", 4: "1"}  # as read
    for ann in list(project.annotations.values()):  # Q on each: seen ones occluded, the hidden one not
        project.replace_annotation(with_occluded(ann, not is_occluded(ann)))
    assert _written(project, tmp_path / "toggled") == {1: "0", 2: "1", 3: "0", 4: "0"}


def test_an_object_read_before_the_flag_was_kept_writes_its_visibility(tmp_path: Path) -> None:
    """A project read by an earlier PixelProof holds the visibility and no flag: written as read."""
    project = MOT.read(_sequence(tmp_path)).project
    for ann in project.annotations.values():
        del ann.app_extra["occluded"]
    assert _written(project, tmp_path / "old") == {1: "1", 2: "0", 3: "0.4", 4: "1"}
