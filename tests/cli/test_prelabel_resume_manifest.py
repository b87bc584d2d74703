"""The resume manifest of ``prelabel`` (``.OUT.partial/pixelproof-resume.json``): rewritten after every
part, it must grow with the parts, not with parts x categories; manifests written the older way are still
taken up."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.batch.checkpoint import MANIFEST
from pixelproof.inference import batch
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_resume import (
    EPOCH,
    NAMES,
    _argv,
    _predicted,
    _reference,
    _same_parts,
    _staging,
)
from tests.cli.test_scale_cli import coin_pictures


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "p", coin_pictures(12, side=48))


def _many_categories(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each picture's predictions go to categories of their own (``c003.png``: ``c003-0``, ``c003-1``...):
    a job creating categories all along, as a model of 80 classes on a project without them does."""
    real_predict, real_fitting, current = batch._predict, batch.predict_fitting, {}

    def predict(context, model, item, pixels):  # type: ignore[no-untyped-def]
        current["stem"] = Path(item.path).stem
        return real_predict(context, model, item, pixels)

    def fitting(model, pixels, overlap):  # type: ignore[no-untyped-def]
        predictions, tiled = real_fitting(model, pixels, overlap)
        named = [dataclasses.replace(p, category=f"{current['stem']}-{k}") for k, p in enumerate(predictions)]
        return named, tiled

    monkeypatch.setattr(batch, "_predict", predict)
    monkeypatch.setattr(batch, "predict_fitting", fitting)


def _reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _interrupt_at_picture_7(monkeypatch: pytest.MonkeyPatch, project: Path, out: Path) -> dict:
    """A job creating categories all along stopped at picture 7 (3 parts of 2 kept): its manifest."""
    _predicted(monkeypatch, stop_at="c006.png")
    _many_categories(monkeypatch)
    assert main(_argv(project, out)) == 130
    _reset(monkeypatch)
    return json.loads((_staging(out) / MANIFEST).read_text())


def test_the_manifest_records_each_created_category_once_not_once_per_part(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every part recorded the full list of the categories the job had created, and the whole manifest
    is rewritten after each part: parts x categories per write, parts^2 x categories over the job
    (gigabytes over 200k images with 80 new categories). Each category is now recorded once, by the part
    that created it, and the job still resumes to the uninterrupted run's parts."""
    out = project.parent / "parts"
    doc = _interrupt_at_picture_7(monkeypatch, project, out)
    recorded = [c["name"] for part in doc["parts"] for c in part["state"]["mapper"]["categories"]]
    kept = json.loads((_staging(out) / "part-00003.json").read_text())
    created = [c["name"] for c in kept["categories"]]  # the project had none: all the job's
    assert len(created) >= 6 and len({n.split("-")[0] for n in created}) >= 4  # made by several parts
    assert sorted(recorded) == sorted(created)  # each once
    reported = [n for part in doc["parts"] for n in part["state"]["report"]["new_categories"]]
    assert sorted(reported) == sorted(created)

    _many_categories(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert predicted == NAMES[6:]
    _reset(monkeypatch)
    _many_categories(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_manifest_written_the_older_way_with_every_created_category_in_each_part_is_resumed(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parts kept by a version recording all the categories created so far in each part (manifest format
    1) are taken up, not refused, and give the uninterrupted run's parts."""
    out = project.parent / "parts"
    doc = _interrupt_at_picture_7(monkeypatch, project, out)
    so_far: dict[int, dict] = {}
    for part in doc["parts"]:  # as the older version wrote them: all the categories created so far
        mapper = part["state"]["mapper"]
        so_far |= {c["id"]: c for c in mapper["categories"]}
        mapper["categories"] = sorted(so_far.values(), key=lambda c: c["id"])
        part.pop("sources", None)
    assert len(doc["parts"][0]["state"]["mapper"]["categories"]) < len(so_far)
    doc["format"] = 1
    (_staging(out) / MANIFEST).write_text(json.dumps(doc, indent=1))

    _many_categories(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert "resumed: 6 images were done in 3 kept parts" in capsys.readouterr().err
    assert predicted == NAMES[6:]
    _reset(monkeypatch)
    _many_categories(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)
