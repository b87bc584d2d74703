"""A project edited by hand whose pending predictions say anything under ``pixelproof.skip_existing`` (the
IoU above which prelabel skipped predictions repeating a label): only a number in 0..1 means they were
skipped so; anything else is not taken as such, and lint --predictions pending judges every kind."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from tests.cli.test_lint_cli import run


def project_with(tmp_path: Path, skip: list[object]) -> Path:
    """One image with a person label and a pending model prediction on it for each value in ``skip``."""
    Image.fromarray(np.full((120, 160, 3), 90, np.uint8)).save(tmp_path / "a.png")
    project = new_project(["person"])
    project.add_image(ImageRecord(1, "a.png", 160, 120))
    project.add_annotation(Annotation(1, 1, 1, [20.0, 20.0, 30.0, 60.0], None, 1800.0))
    for k, value in enumerate(skip, start=2):
        box = [20.0 + k, 20.0, 30.0, 60.0]
        project.add_annotation(
            Annotation(
                k, 1, 1, box, None, 1800.0, score=0.9, source="model:test", review="pending",
                app_extra={"skip_existing": value},
            )
        )  # fmt: skip
    path = tmp_path / "p.json"
    save_project(project, path)
    return path


@pytest.mark.parametrize(
    "skip",
    [["0.5"], [math.nan], [-1.0], [math.inf], [7], [{"iou": 0.5}], [[0.5]], [math.nan, 0.5], [0.5, math.nan]],
)
def test_a_hostile_skip_existing_is_not_taken_for_a_threshold(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, skip: list[object]
) -> None:
    """-1 and 7 were taken for thresholds: five kinds left out, 'IoU > -1' said. NaN and infinity never
    reach lint (the project refuses them on load) and must not reach its JSON report."""
    path = project_with(tmp_path, skip)
    j = tmp_path / "r.json"
    code, _, err = run(capsys, "lint", path, "--predictions", "pending", "--json", j)
    assert code in (0, 1) and "Traceback" not in err, err
    doc = json.loads(j.read_text(), parse_constant=lambda c: pytest.fail(f"{c} in the JSON report"))
    expected = 0.5 if 0.5 in skip else None
    assert doc["options"]["predictions_skipped_overlapping"] == expected
    # the geometry kinds are left out on the images a taken threshold marks, and only there
    assert doc["options"].get("images_skipped_overlapping", 0) == (0 if expected is None else 1)
    assert ("nan" in err) is False and ("IoU > -1" in err) is False
