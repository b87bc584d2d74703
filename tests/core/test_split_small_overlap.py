"""An overlap asked for is at least one image: ``split --overlap 0.1`` of a 4-image project (README's
team example on a small first batch) dealt none, said "0 overlap images", and ``agreement`` then had
"no image was labelled by two annotators: nothing to compare" - as a honeypot share is at least one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import save_project
from pixelproof.core.split import split_project
from tests.core.teams_data import make_project


@pytest.mark.parametrize(
    ("n_images", "overlap", "expected"), [(4, 0.1, 1), (1, 0.05, 1), (40, 0.1, 4), (4, 0.0, 0)]
)
def test_a_small_overlap_share_deals_at_least_one_overlap_image(
    tmp_path: Path, n_images: int, overlap: float, expected: int
) -> None:
    project = make_project(tmp_path, n_images)
    result = split_project(project, ["ann", "bob", "cy"], overlap=overlap)
    assert len(result.overlap) == expected
    for name in result.overlap:  # each to two annotators
        assert len(result.overlap[name]) == 2


def test_agreement_after_a_small_split_has_an_image_to_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pixelproof.cli import main

    project = make_project(tmp_path, 4)
    save_project(project)
    shards = tmp_path / "shards"
    args = ["split", str(project.path), "--annotators", "ann,bob,cy", "--overlap", "0.1", "-o", str(shards)]
    assert main(args) == 0
    assert "1 overlap image (each to 2 annotators)" in capsys.readouterr().out
    files = [str(shards / f"{n}.json") for n in ("ann", "bob", "cy")]
    assert main(["agreement", *files, "--manifest", str(shards / "lead-manifest.json")]) == 0
    out = capsys.readouterr().out
    assert "1 overlap image, raters:" in out
