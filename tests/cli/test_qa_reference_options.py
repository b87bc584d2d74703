"""``pixelproof qa`` passes the reference reader's options, spelt as ``convert`` spells them: a VOC export
of LabelMe's own ``labelme2voc`` (plain corners, not 1-based) scores Dice 1.0 against the LabelMe JSONs it
came from only when read with ``--one-based no``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main


@pytest.fixture(scope="module")
def boxes(shared_fixtures: Path) -> Path:
    path = shared_fixtures / "labelme" / "bbox_detection"
    if not (path / "data_dataset_voc" / "Annotations").is_dir():
        pytest.skip(f"LabelMe bbox fixtures not found at {path}")
    return path


@pytest.fixture
def candidate(boxes: Path, tmp_path: Path) -> Path:
    """The LabelMe JSONs as a project (the candidate), through convert's LabelMe reader."""
    out = tmp_path / "cand.json"
    assert (
        main(["convert", str(boxes / "data_annotated"), str(out), "--from", "labelme", "--to", "coco"]) == 0
    )
    return out


def _dice(tmp_path: Path, *args: str) -> float:
    report = tmp_path / "qa.json"
    assert main(["qa", *args, "--json", str(report)]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"]["images"] == 3 and not data["unmatched_images"]["reference"]
    return data["summary"]["dice"]


def test_labelme_voc_export_scores_one_with_one_based_no(
    boxes: Path, candidate: Path, tmp_path: Path
) -> None:
    voc = str(boxes / "data_dataset_voc")
    assert _dice(tmp_path, voc, str(candidate), "--ref-format", "voc", "--one-based", "no") == 1.0
    assert _dice(tmp_path, voc, str(candidate), "--one-based", "no") == 1.0  # detected as VOC, same option
    assert _dice(tmp_path, voc, str(candidate), "--ref-format", "voc") < 1.0  # 1-based: a pixel off


def test_option_the_reference_format_does_not_take_is_reported(
    boxes: Path, candidate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    voc = str(boxes / "data_dataset_voc")
    assert (
        _dice(tmp_path, voc, str(candidate), "--ref-format", "voc", "--one-based", "no", "--axis", "y") == 1.0
    )
    assert "--axis does not apply to voc" in capsys.readouterr().err


def test_qa_takes_reader_options_only(capsys: pytest.CaptureFixture[str]) -> None:
    """A writer's option (``--task``) or one naming where a reader writes (``--extract-images``) is no
    qa option: qa reads the reference, it writes reports only."""
    for flag in ("--task", "--extract-images"):
        with pytest.raises(SystemExit) as e:
            main(["qa", "ref.json", "cand.json", flag, "x"])
        assert e.value.code == 2
        assert "unrecognized arguments" in capsys.readouterr().err
