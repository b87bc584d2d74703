"""``pixelproof new`` over an MVTec AD folder reads its masks as pictures to label and its defects as no
labels: it says so, with the command that imports them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from tests.ui.test_mvtec_folder_open import mvtec_object


def test_new_over_an_mvtec_folder_names_the_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plate = mvtec_object(tmp_path)
    out = tmp_path / "p.json"
    assert main(["new", str(plate), "-o", str(out), "--categories", "scratch"]) == 0
    err = capsys.readouterr().err
    assert (
        f"pixelproof: warning: {plate} is an MVTec AD dataset: new reads its ground_truth masks as images to "
        "label, and no defect as a label; to import them: "
        f"pixelproof convert {plate} {out} --from mvtec --to coco"
    ) in err
    assert len(load_project(out).images) == 4  # what it was asked: every picture, the mask too
    assert (
        main(["convert", str(plate), str(tmp_path / "q.json"), "--from", "mvtec", "--to", "coco"]) == 0
    )  # the hint works
    assert len(load_project(tmp_path / "q.json").annotations) == 1


def test_a_plain_folder_has_no_such_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plate = mvtec_object(tmp_path)
    out = tmp_path / "p.json"
    assert main(["new", str(plate / "test" / "scratch"), "-o", str(out), "--categories", "scratch"]) == 0
    assert "MVTec" not in capsys.readouterr().err
