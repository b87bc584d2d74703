"""An export never writes over an image file of the project it writes: a mask, label or volume whose name
the format gives lands on a picture only when the output folder happens to hold it (images in ``masks/``,
NIfTI labels written into ``imagesTr``, a COCO file named like an image). Refused, the picture kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop import FORMATS


def images_in(folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A project in ``tmp/proj`` over ``folder/a.png`` (a box on it); returns (project file, image)."""
    folder.mkdir(parents=True)
    image = folder / "a.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(image)
    project = new_project(["cat"])
    project.add_image(ImageRecord(1, str(image), 50, 40))
    project.add_annotation(Annotation(1, 1, 1, [5.0, 5.0, 10.0, 10.0], area=100.0))
    path = tmp_path / "proj" / "project.json"
    path.parent.mkdir()
    save_project(project, path)
    return path, image


@pytest.mark.parametrize(
    ("fmt", "images_dir", "out"),
    [
        ("masks", "data/masks", "data"),  # masks/a.png
        ("yolo", "data/images/train", "data"),  # images/train/a.png is placed (kept), never replaced
        ("coco", "data", "data/a.png"),  # the COCO file itself (check_save_target refused it already)
    ],
)
def test_convert_refuses_to_write_over_an_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, images_dir: str, out: str
) -> None:
    project, image = images_in(tmp_path / images_dir, tmp_path)
    before = image.read_bytes()
    code = main(["convert", str(project), str(tmp_path / out), "--from", "coco", "--to", fmt])
    err = capsys.readouterr().err
    assert image.read_bytes() == before
    if fmt == "yolo":  # the image is already where YOLO wants it: linked onto itself, nothing lost
        assert code == 0
        return
    assert code == 1 and str(image) in err and "image" in err


def test_nifti_labels_are_not_written_over_the_image_volume(tmp_path: Path) -> None:
    """Export NIfTI labels into ``imagesTr``: ``<case>.nii.gz`` is the MR volume the slices come from."""
    from pixelproof.core.limits import LimitError
    from tests.interop.test_nifti import brats_case

    brats_case(tmp_path / "ds", "BRATS_001")
    project = FORMATS["nifti"].read(tmp_path / "ds").project
    volume = tmp_path / "ds" / "imagesTr" / "BRATS_001.nii.gz"
    before = volume.read_bytes()
    with pytest.raises(LimitError, match=r"BRATS_001\.nii\.gz"):
        FORMATS["nifti"].write(project, tmp_path / "ds" / "imagesTr")
    assert volume.read_bytes() == before


def test_exporting_twice_into_one_folder_still_replaces_its_own_files(tmp_path: Path) -> None:
    """The guard is on the image files, not on links to them: a second export with hard links over the
    first one's is allowed, and the masks are replaced."""
    project_file, _ = images_in(tmp_path / "data", tmp_path)
    for _ in range(2):
        args = [str(project_file), str(tmp_path / "out"), "--from", "coco", "--to", "masks"]
        assert main(["convert", *args, "--images", "link"]) == 0
    assert (tmp_path / "out" / "masks" / "a.png").is_file()


def test_worker_processes_refuse_to_write_over_an_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``convert --workers 2`` (two images: one process per image at most): the masks are drawn in other
    processes, which refuse the pictures too."""
    from pixelproof.core.coco import load_project

    project_file, image = images_in(tmp_path / "data" / "masks", tmp_path)
    other = image.with_name("b.png")
    other.write_bytes(image.read_bytes())
    project = load_project(project_file)
    project.add_image(ImageRecord(2, str(other), 50, 40))
    save_project(project, project_file)
    before = image.read_bytes()
    args = [str(project_file), str(tmp_path / "data"), "--from", "coco", "--to", "masks", "--workers", "2"]
    code = main(["convert", *args])
    err = capsys.readouterr().err
    assert image.read_bytes() == before and other.read_bytes() == before
    assert code == 1 and f"{image}: is the image" in err
