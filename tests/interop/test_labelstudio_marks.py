"""Label Studio's marks on annotations and regions survive a round trip through PixelProof: the
annotation a reviewer marked ``ground_truth``, and each region's ``origin`` (``prediction``,
``prediction-changed``, ``manual``), which says whether a person drew it or took it from a model's
prediction - ``prediction-changed`` once edited here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pixelproof.interop.labelstudio import read_labelstudio
from pixelproof.interop.labelstudio_writer import write_labelstudio

DATA = Path(__file__).resolve().parents[1] / "data" / "labelstudio"


def _export(tmp_path: Path, edit=None) -> list[dict]:
    """label-studio-converter's export (task 1 annotated by users 2 and 1, task 2 by user 1), edited by
    ``edit`` (the tasks), copied with its config."""
    shutil.copy(DATA / "label_config.xml", tmp_path / "label_config.xml")
    tasks = json.loads((DATA / "data.json").read_text())
    if edit is not None:
        edit(tasks)
    (tmp_path / "data.json").write_text(json.dumps(tasks))
    return tasks


def _round_trip(tmp_path: Path, **options) -> list[dict]:
    project = read_labelstudio(tmp_path / "data.json", **options).project
    write_labelstudio(project, tmp_path / "out")
    return json.loads((tmp_path / "out" / "tasks.json").read_text())


def _boxes(annotation: dict) -> list[float]:
    return sorted(round(r["value"]["x"], 6) for r in annotation["result"] if r["type"] == "rectanglelabels")


def test_the_ground_truth_annotation_is_written_back_as_ground_truth(tmp_path: Path) -> None:
    """A reviewer marked task 1's annotation 1 ground truth: the import keeps it (as before) and the export
    marks it so; it was written ``ground_truth: false``: the reviewer's choice was lost in a round trip."""
    _export(tmp_path, lambda tasks: tasks[0]["annotations"][0].update(ground_truth=True))
    written = {t["data"]["image"].rsplit("/", 1)[-1]: t for t in _round_trip(tmp_path)}
    assert {k: [a["ground_truth"] for a in t["annotations"]] for k, t in written.items()} == {
        "image1": [True],
        "image2": [False],  # nobody marked task 2's
    }


def test_the_ground_truth_version_is_the_one_marked_among_annotators_versions(tmp_path: Path) -> None:
    """With --annotator-versions each, the mark goes back on the version it came from (user 2's), not on
    the first annotation written (user 1's, the most recent)."""
    tasks = _export(tmp_path, lambda tasks: tasks[0]["annotations"][0].update(ground_truth=True))
    written = _round_trip(tmp_path, annotator_versions="each")
    task1 = next(t for t in written if t["data"]["image"].endswith("image1"))
    (truth,) = [a for a in task1["annotations"] if a["ground_truth"]]
    assert len(task1["annotations"]) == 2
    assert _boxes(truth) == _boxes(tasks[0]["annotations"][0])  # user 2's regions
