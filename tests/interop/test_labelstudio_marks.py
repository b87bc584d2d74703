"""Label Studio's marks on annotations and regions survive a round trip through PixelProof: the
annotation a reviewer marked ``ground_truth``, and each region's ``origin`` (``prediction``,
``prediction-changed``, ``manual``), which says whether a person drew it or took it from a model's
prediction - ``prediction-changed`` once edited here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pixelproof.core.edits import ReplaceAnnotations, SetCategory
from pixelproof.core.edits.prediction_review import accept_predictions
from pixelproof.core.geometry import clone
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


def _origins(tasks: list[dict]) -> dict[str, str]:
    """region id -> its origin, over every annotation of the tasks."""
    return {r["id"]: r.get("origin") for t in tasks for a in t.get("annotations", []) for r in a["result"]}


def _set_origins(tasks: list[dict]) -> None:
    """Task 2's first box taken from a prediction as it was, its second changed; task 1's (user 1's, the
    kept version) drawn by hand and one taken from a prediction."""
    first, second = tasks[1]["annotations"][0]["result"]
    first["origin"], second["origin"] = "prediction", "prediction-changed"
    tasks[0]["annotations"][1]["result"][1]["origin"] = "prediction"


def test_each_regions_origin_comes_back_as_read(tmp_path: Path) -> None:
    """``origin`` was not read, so every region of the annotation went back ``manual``."""
    tasks = _export(tmp_path, _set_origins)
    written = _round_trip(tmp_path)
    kept = {
        r["id"]: r["origin"]
        for t in (tasks[0]["annotations"][1], tasks[1]["annotations"][0])
        for r in t["result"]
    }
    assert _origins(written) == kept
    assert sorted(kept.values()) == ["manual", "prediction", "prediction", "prediction-changed"]


def _read(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = read_labelstudio(tmp_path / "data.json").project
    by_region = {a.app_extra["labelstudio"]["id"]: a for a in project.annotations.values()}
    return project, by_region


def _write(project, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    write_labelstudio(project, tmp_path / "out")
    return _origins(json.loads((tmp_path / "out" / "tasks.json").read_text()))


def test_a_prediction_moved_or_reclassified_in_pixelproof_goes_back_prediction_changed(
    tmp_path: Path,
) -> None:
    """A region taken from a prediction as it was, then moved here (a real edit, undoable), is
    ``prediction-changed``, as Label Studio marks a prediction a person changed; one given another
    category too; one moved and moved back is unchanged: ``prediction``."""
    tasks = _export(tmp_path, _set_origins)
    first, second = (r["id"] for r in tasks[1]["annotations"][0]["result"])
    user1 = tasks[0]["annotations"][1]["result"][1]["id"]
    project, by_region = _read(tmp_path)
    moved = clone(by_region[first])
    moved.bbox = [moved.bbox[0] + 3, *moved.bbox[1:]]
    ReplaceAnnotations([moved]).apply(project)
    other = next(c for c in project.categories if c != by_region[user1].category_id)
    SetCategory([by_region[user1].id], other).apply(project)
    origins = _write(project, tmp_path)
    assert (origins[first], origins[second], origins[user1]) == ("prediction-changed",) * 3
    back = clone(by_region[first])  # as read
    ReplaceAnnotations([back]).apply(project)
    assert _write(project, tmp_path)[first] == "prediction"


def test_an_imported_prediction_accepted_is_prediction_and_edited_prediction_changed(tmp_path: Path) -> None:
    """A ``predictions[]`` region comes in as a pending model object: accepted as it is, it goes back
    ``prediction`` (as before); accepted after a move, ``prediction-changed``."""

    def predict(tasks: list[dict]) -> None:
        boxes = json.loads(json.dumps(tasks[1]["annotations"][0]["result"]))
        for n, r in enumerate(boxes):
            r["id"] = f"p{n}"
        tasks[1]["predictions"] = [{"id": 5, "model_version": "yolo", "score": 0.9, "result": boxes}]

    _export(tmp_path, predict)
    project = read_labelstudio(tmp_path / "data.json").project
    models = sorted((a for a in project.annotations.values() if a.source == "model:yolo"), key=lambda a: a.id)
    assert len(models) == 2
    moved = clone(models[1])
    moved.bbox = [moved.bbox[0], moved.bbox[1] + 2, *moved.bbox[2:]]
    ReplaceAnnotations([moved]).apply(project)
    accept_predictions(project, [project.annotations[a.id] for a in models], "Accept").apply(project)
    origins = _write(project, tmp_path)
    assert (origins["p0"], origins["p1"]) == ("prediction", "prediction-changed")
