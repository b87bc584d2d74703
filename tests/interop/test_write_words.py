"""``Format.write`` called from Python says how to export what it left out in that caller's words, the
keyword arguments (``unlabeled="keep"``, ``val_fraction``), not ``convert``'s flags (``--unlabeled keep``),
which a Python user has no use for; ``convert`` and the Export dialog pass their own words
(``tests/cli/test_convert_yolo_backgrounds.py``, ``tests/ui/test_export_pending.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop.format_options import Option, keyword_words
from pixelproof.interop.formats import CLI_WORDS, FORMATS


def three_images(folder: Path) -> Project:
    """im1.png with a box, marked Done; im2.png and im3.png with none, not marked: not labelled yet."""
    project = new_project(["a"])
    project.path = folder / "project.json"
    for i in range(1, 4):
        Image.fromarray(np.full((6, 8, 3), i, np.uint8)).save(folder / f"im{i}.png")
        project.add_image(ImageRecord(i, f"im{i}.png", 8, 6))
    project.add_annotation(Annotation(1, 1, 1, [1.0, 1.0, 3.0, 3.0], None, 9.0))
    project.set_image_status(1, "done")
    return project


def test_a_python_write_names_the_keyword_arguments(tmp_path: Path) -> None:
    project = three_images(tmp_path)
    warnings = FORMATS["yolo"].write(project, tmp_path / "out", val_fraction=0.2)
    text = "\n".join(warnings)
    assert "2 images left out as not labelled yet" in text and 'write them all with unlabeled="keep"' in text
    assert "a Validation share (val_fraction) of 0.2 needs at least 5 images" in text
    assert "--" not in text, warnings


def test_cli_words_keep_the_flags(tmp_path: Path) -> None:
    project = three_images(tmp_path)
    warnings = FORMATS["yolo"].write(project, tmp_path / "out", val_fraction=0.2, words=CLI_WORDS)
    text = "\n".join(warnings)
    assert "write them all with --unlabeled keep" in text and "(--val-fraction) of 0.2" in text
    assert "unlabeled=" not in text and "val_fraction" not in text


def test_keyword_words_names_values_as_python_does_and_leaves_other_flags() -> None:
    options = [
        Option("tracks", "choice", "", "auto", choices={"auto": "", "yes": "", "no": ""}),
        Option("extract_images", "bool", ""),
        Option("images", "choice", "", "keep", choices={"keep": "", "copy": ""}),
    ]
    text = "use --tracks no, --extract-images yes or --images copy; `pixelproof validate --images-csv` lists"
    assert keyword_words(text, options) == (
        'use tracks="no", extract_images=True or images="copy"; `pixelproof validate --images-csv` lists'
    )
