"""The threshold backend's Otsu level on a mostly-background 16-bit defect image cuts the noise into specks:
the run says so when the specks dropped outnumber the objects kept ten to one, and what to set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.coco import load_project
from tests.cli.test_prelabel_cli import make_project, run


def _line_scan(noise: float) -> np.ndarray:
    """16-bit background around 1000 with ``noise`` (std), and 12 defects of 8x8 px at 1300."""
    rng = np.random.default_rng(0)
    img = rng.normal(1000, noise, (200, 600))
    for k in range(12):
        y, x = 20 + (k % 4) * 45, 30 + (k // 4) * 200
        img[y : y + 8, x : x + 8] = 1300
    return np.clip(img, 0, 65535).astype(np.uint16)


def test_otsu_on_background_noise_suggests_a_threshold(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = make_project(tmp_path / "p", {"scan.png": _line_scan(40)})
    code, _, err = run(capsys, "prelabel", path, "--backend", "threshold")
    assert code == 0, err
    kept = len(load_project(path).annotations)
    notes = [line for line in err.splitlines() if "specks dropped against" in line]
    assert len(notes) == 1, err
    assert (
        f"against {kept:,} objects kept: the Otsu level 1002.8 (on values 820..1300 in the last image) "
        in notes[0]
    )
    assert "cuts background noise into specks" in notes[0]
    assert "--option threshold=VALUE" in notes[0]
    # the level it suggests setting finds the 12 defects, and says nothing more
    again = make_project(tmp_path / "q", {"scan.png": _line_scan(40)})
    code, _, err = run(capsys, "prelabel", again, "--backend", "threshold", "--option", "threshold=1200")
    assert code == 0, err
    assert len(load_project(again).annotations) == 12
    assert "specks dropped against" not in err


def test_a_few_specks_beside_the_objects_are_not_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = make_project(tmp_path / "p", {"scan.png": _line_scan(2)})
    code, _, err = run(capsys, "prelabel", path, "--backend", "threshold")
    assert code == 0, err
    assert len(load_project(path).annotations) == 12
    assert "specks dropped against" not in err


def _tiny_defects() -> np.ndarray:
    """The line scan's background (std 2) with three of its 8x8 defects and four of 1, 2, 9 and 25 px."""
    img = _line_scan(2)
    img[:, 200:] = 1000  # the defects right of the first column made background again
    img[20:28, 30:38] = 1000
    img[60, 50] = img[100, 60:62] = 1300
    img[140:143, 70:73] = img[150:155, 100:105] = 1300
    return img


def test_defects_under_min_area_are_said_with_the_option_that_keeps_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Defects of 1-25 px under the default min_area 30 were a count (``4 speckles under 30 px dropped``)
    that left the option to guess; 1-2 px defects are what a line scan's inspector labels."""
    path = make_project(tmp_path / "p", {"scan.png": _tiny_defects()})
    code, out, err = run(capsys, "prelabel", path, "--backend", "threshold", "--option", "threshold=1200")
    assert code == 0, err
    assert "4 speckles under 30 px dropped (min_area; keep them with --option min_area=1)" in out
    code, out, err = run(
        capsys,
        "prelabel",
        path,
        "--backend",
        "threshold",
        "--option",
        "threshold=1200",
        "--option",
        "min_area=1",
    )
    assert code == 0, err
    areas = sorted(a.area for a in load_project(path).annotations.values())
    assert areas == [1, 2, 9, 25, 64, 64, 64], areas  # the 8x8 ones skipped as repeats the second time


def test_with_background_radius_the_level_is_said_on_the_picture_less_its_background(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # background_radius subtracts the background before the level: the note must not ask for a level in the
    # stored values (around 1000 here, which would find nothing) nor for the background_radius already given
    path = make_project(tmp_path / "p", {"scan.png": _line_scan(40)})
    code, _, err = run(capsys, "prelabel", path, "--backend", "threshold", "--option", "background_radius=10")
    assert code == 0, err
    notes = [line for line in err.splitlines() if "specks dropped against" in line]
    assert len(notes) == 1, err
    assert (
        "on the picture less its background (background_radius=10: values -74.5..406.6 in the last image)"
        in notes[0]
    )
    assert "how far a defect stands out from the background" in notes[0]
    assert "stored values), or background_radius=R" not in notes[0]
