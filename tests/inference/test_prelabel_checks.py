"""What a pre-labeling run checks of each picture, without Qt: a flood of 1-2 px specks (a threshold cutting
noise, with min_area=1 nothing dropped, so the specks note never spoke) is refused before its objects are
made, while a slide's thousands of real nuclei pass; and how many times a picture is shrunk to a model's
fixed input, tallied as the CLI and the app name the worst one."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import new_project
from pixelproof.core.model import ImageRecord
from pixelproof.inference.apply import prelabel_project
from pixelproof.inference.classical import ThresholdBackend
from pixelproof.inference.prelabel_checks import (
    SPECK_FLOOD_OBJECTS,
    Shrunk,
    shrink_factor,
    shrink_warning,
    speck_flood,
)
from pixelproof.inference.tiling import APP_WORDS

OPTIONS = ThresholdBackend.options


def test_ten_thousand_specks_are_a_flood_named_with_what_to_set() -> None:
    areas = [1.0] * (SPECK_FLOOD_OBJECTS - 9) + [2.0] * 5 + [40.0] * 5  # 10,001 objects, 99.95 % tiny
    why = speck_flood(areas, OPTIONS)
    assert why.startswith("10,001 objects, 99% of them of 2 px or less: specks of noise, not labels; ")
    assert "not pre-labeled" in why and "threshold=LEVEL" in why and "min_area=3 or more" in why
    assert "threshold" not in speck_flood(areas, ["min_area"])  # only the options the backend has
    assert "keep them" not in why  # a caller with no override to name names none
    kept = speck_flood(areas, OPTIONS, "--keep-specks")  # the override, named as the caller calls it
    assert kept == f"{why}; if they are labels, keep them with --keep-specks"


def test_many_real_objects_or_few_specks_are_no_flood() -> None:
    assert speck_flood([1.0] * SPECK_FLOOD_OBJECTS, OPTIONS) == ""  # at the limit: not over it
    assert speck_flood([45.0] * 50_000, OPTIONS) == ""  # a slide's nuclei: many, none tiny
    mixed = [1.0] * 18_000 + [30.0] * 2_001  # 89.99 % tiny: judged by share, not count alone
    assert speck_flood(mixed, OPTIONS) == ""


def test_a_threshold_cutting_noise_refuses_the_picture_before_writing(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    noise = (rng.random((512, 1024)) < 0.03).astype(np.uint8) * 255  # ~14,000 isolated 1-px specks
    cv2.imwrite(str(tmp_path / "noise.png"), noise)
    project = new_project(["object"])
    project.add_image(ImageRecord(1, "noise.png", 1024, 512))
    project.path = tmp_path / "p.json"
    backend = ThresholdBackend()
    backend.configure(threshold="128", polarity="bright", min_area="1")
    failed: list[tuple[str, str]] = []
    report = prelabel_project(project, backend, on_failure=lambda f, r: failed.append((f, r)))
    assert not project.annotations and report.annotations == 0
    assert len(failed) == 1 and failed[0][0] == "noise.png"
    assert failed[0][1].startswith("13,835 objects, 98% of them of 2 px or less: "), failed


def test_shrink_factor_and_the_worst_picture_named() -> None:
    assert shrink_factor(8192, 1024, (640, 640)) == 12.8
    assert shrink_factor(4096, 4096, None) == 0.0  # a model taking any size: no warning
    shrunk = Shrunk()
    for name, factor in (("a.png", 1.0), ("scan1.png", 6.4), ("scan2.png", 12.8), ("b.png", 0.0)):
        shrunk.note(name, factor)
    assert (shrunk.worst, shrunk.factor, shrunk.count) == ("scan2.png", 12.8, 2)
    line = shrunk.warning((640, 640), APP_WORDS)
    assert line.startswith("scan2.png (the most of 2 pictures) was shrunk 12.8x to fit the model's 640x640")
    assert line.endswith("pre-label in tiles (Tiles 640 px)")
    assert shrunk.warning(None) == ""
    assert shrink_warning("a.png", 4.0, (640, 640)) == ""  # up to 4x: a detector still sees it
