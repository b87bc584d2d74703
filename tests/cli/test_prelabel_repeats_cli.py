"""yolo11n pre-labeling LabelMe's example pictures at a low score threshold: its predictions overlap each
other, and those repeating another prediction of the run are skipped as such, not as "already labeled"
(the project had no object). Run again on its own output, every prediction repeats an existing object."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.model import ImageRecord
from tests.cli.test_qa_ap_cli import _run
from tests.core.test_qa_ap import FIXTURE, reference_data

EXISTING = "skipped: repeat an existing object"
RUN = "skipped: repeat another prediction of this run"


def _count(out: str, what: str) -> int:
    found = re.search(rf"(\d+) {re.escape(what)}", out)
    return int(found.group(1)) if found else 0


def test_repeats_of_the_run_are_not_said_to_be_already_labeled(
    capsys, tmp_path, shared_fixtures, shared_models
):
    ref = reference_data(shared_fixtures)
    work = tmp_path / "pred"
    work.mkdir()
    project = new_project([])
    for im in ref["images"]:
        name = Path(im["file_name"]).name
        shutil.copy((shared_fixtures / FIXTURE).parent / im["file_name"], work / name)
        project.add_image(ImageRecord(im["id"], name, im["width"], im["height"]))
    save_project(project, work / "project.json")
    model = ["--backend", "yolo-onnx", "--model", shared_models / "yolo11n.onnx", "--score-threshold", "0.05"]

    code, out, err = _run(capsys, "prelabel", work / "project.json", *model, "-o", work / "skip.json")
    assert code == 0, err
    added = len(load_project(work / "skip.json").annotations)
    assert "already labeled" not in out and EXISTING not in out, out  # the project had no object
    duplicates = _count(out, RUN)
    assert duplicates > 0 and f"{added} annotations added" in out, out

    code, out, err = _run(
        capsys, "prelabel", work / "project.json", *model, "--keep-overlapping", "-o", work / "all.json"
    )
    assert code == 0 and "skipped" not in out, out
    assert len(load_project(work / "all.json").annotations) == added + duplicates

    # again on its own output: what it kept is on the images now, and what it skipped repeats that
    code, out, err = _run(capsys, "prelabel", work / "skip.json", *model, "-o", work / "again.json")
    assert code == 0, err
    assert _count(out, EXISTING) == added + duplicates and RUN not in out, out
    assert len(load_project(work / "again.json").annotations) == added
