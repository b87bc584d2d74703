"""CLI (DESIGN.md §7): validate exit codes, info text and --json, new over a folder of real images."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.core.docs import valid_doc, write


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    doc = valid_doc()
    doc["annotations"][1]["pixelproof"] = {"source": "model:classical/grabcut@1", "review": "accepted"}
    doc["pixelproof"] = {"format": 1, "image_status": {"1": "done"}}
    return write(tmp_path / "p.json", doc)


def test_validate_valid(project_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(project_file)]) == 0
    assert capsys.readouterr().out.strip() == f"{project_file}: valid (2 images, 3 annotations)"


def test_validate_invalid_lists_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][0]["bbox"] = [1, 2, 3]
    doc["annotations"][2]["image_id"] = 5
    path = write(tmp_path / "bad.json", doc)
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{path}: annotations[0].bbox: expected 4 numbers, got 3",
        f"{path}: annotations[2].image_id: image 5 does not exist",
    ]


def test_validate_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["validate"])
    assert e.value.code == 2
    assert "usage:" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["validate", "a.json", "--bogus"])
    assert e.value.code == 2


def test_validate_missing_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.json")]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'nope.json'}: file not found"


def test_validate_through_a_real_process(tmp_path: Path, project_file: Path) -> None:
    """``python -m pixelproof`` as a user runs it: exit codes 0, 1 and 2."""
    doc = valid_doc()
    doc["categories"][0]["id"] = "x"
    bad = write(tmp_path / "bad.json", doc)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pixelproof", *args], capture_output=True, text=True, timeout=60
        )

    ok = run("validate", str(project_file))
    assert ok.returncode == 0, ok.stderr
    invalid = run("validate", str(bad))
    assert invalid.returncode == 1
    assert f"{bad}: categories[0].id: expected an integer, got a string 'x'" in invalid.stderr.splitlines()
    assert run("validate").returncode == 2


def test_info_text(project_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(project_file)]) == 0
    out = capsys.readouterr().out
    assert "images       2" in out
    assert "categories   2" in out
    assert "annotations  3" in out
    assert "box 1, mask 1, polygon 1" in out
    assert "manual 2, model:classical 1" in out
    assert "by review    none 2, accepted 1" in out
    assert "format       1 (saved as 2); EXIF orientation not applied" in out
    assert "cat 2, dog 1" in out
    assert "  by status    done 1, todo 1" in out


def test_info_json(project_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(project_file), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    per_image = info.pop("per_image")
    assert [(r["id"], r["pixel_spacing"]) for r in per_image] == [(1, None), (2, None)]
    assert all("volume" not in r for r in per_image)  # plain images, not slices
    assert info == {
        "images": 2,
        "categories": 2,
        "annotations": 3,
        "void_regions": 0,
        "by_kind": {"polygon": 1, "mask": 1, "box": 1},
        "by_source": {"manual": 2, "model:classical": 1},
        "by_review": {"none": 2, "pending": 0, "accepted": 1, "rejected": 0},
        "by_category": {"cat": 2, "dog": 1},
        "image_status": {"done": 1, "todo": 1},
        "overlap_images": 0,
        "overlap_waiting": 0,
    }


def test_info_counts_void_regions_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["categories"].append({"id": 9, "name": "DontCare", "pixelproof": {"void": True}})
    doc["annotations"][2]["category_id"] = 9
    path = write(tmp_path / "v.json", doc)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["annotations"], info["void_regions"]) == (2, 1)
    assert "DontCare" not in info["by_category"] and sum(info["by_kind"].values()) == 2
    assert load_project(path).object_count(doc["annotations"][2]["image_id"]) == 0


def test_info_invalid_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text("[]")
    assert main(["info", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "top level: expected a JSON object, got a list" in captured.err


def _image_folder(root: Path) -> dict[str, tuple[int, int]]:
    """Real files of several kinds; returns relative path -> (width, height)."""
    root.mkdir()
    (root / "sub").mkdir()
    rng = np.random.default_rng(0)
    sizes = {}
    cv2.imwrite(str(root / "rgb.png"), rng.integers(0, 255, (30, 40, 3), dtype=np.uint8))
    sizes["rgb.png"] = (40, 30)
    cv2.imwrite(str(root / "deep16.png"), rng.integers(0, 65535, (25, 35), dtype=np.uint16))
    sizes["deep16.png"] = (35, 25)
    cv2.imwrite(str(root / "sub" / "scan.tif"), rng.integers(0, 65535, (21, 17), dtype=np.uint16))
    sizes["sub/scan.tif"] = (17, 21)
    cv2.imwrite(str(root / "sub" / "photo.jpg"), rng.integers(0, 255, (12, 50, 3), dtype=np.uint8))
    sizes["sub/photo.jpg"] = (50, 12)
    (root / "notes.txt").write_text("not an image")
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    return sizes


def test_new_over_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sizes = _image_folder(tmp_path / "imgs")
    out = tmp_path / "work" / "project.json"
    out.parent.mkdir()
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out), "--categories", "cell, nucleus"]) == 0
    captured = capsys.readouterr()
    assert f"{out}: 4 images, 2 categories" in captured.out
    warnings = captured.err.splitlines()
    assert any("notes.txt" in w and "not an image, skipped" in w for w in warnings)
    assert any("broken.png" in w and "skipped" in w for w in warnings)
    assert all(w.startswith("pixelproof: warning: ") for w in warnings)
    assert len(warnings) == 2
    project = load_project(out)
    got = {im.file_name: (im.width, im.height) for im in project.images.values()}
    assert got == {f"../imgs/{k}": v for k, v in sizes.items()}
    for im in project.images.values():
        assert project.image_path(im).is_file()
    assert [(c.id, c.name) for c in project.categories.values()] == [(1, "cell"), (2, "nucleus")]
    assert all(c.color and c.color.startswith("#") for c in project.categories.values())


def test_counts_of_one_are_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: ``new`` printed "1 images, 1 categories", and the other summaries (convert, validate,
    checkout, split, merge, taxonomy) counted one thing in the plural too."""
    (tmp_path / "imgs").mkdir()
    cv2.imwrite(str(tmp_path / "imgs" / "a.png"), np.zeros((6, 8, 3), np.uint8))
    out = tmp_path / "one.json"
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out), "--categories", "cell"]) == 0
    assert f"{out}: 1 image, 1 category\n" in capsys.readouterr().out
    assert main(["validate", str(out)]) == 0
    assert f"{out}: valid (1 image, 0 annotations)" in capsys.readouterr().out
    assert main(["convert", str(out), str(tmp_path / "masks"), "--from", "coco", "--to", "masks"]) == 0
    assert ": 1 image, 0 annotations, 1 category" in capsys.readouterr().out


def test_new_project_inside_the_image_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _image_folder(tmp_path / "imgs")
    out = tmp_path / "imgs" / "project.json"
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out)]) == 0
    names = sorted(im.file_name for im in load_project(out).images.values())
    assert names == ["deep16.png", "rgb.png", "sub/photo.jpg", "sub/scan.tif"]
    # running again (--force: it replaces the project): the project file itself is no non-image
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out), "--force"]) == 0
    assert "project.json" not in capsys.readouterr().err.replace(str(out), "")


def test_new_does_not_replace_a_labelled_project_unless_forced(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Before: ``new DIR -o labelled.json`` replaced a labelled project with an empty one (its objects
    only in the .bak, the change log carrying on as if they were deleted)."""
    _image_folder(tmp_path / "imgs")
    out = tmp_path / "labelled.json"
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out), "--categories", "cell"]) == 0
    project = load_project(out)
    image = next(iter(project.images.values()))
    project.add_annotation(Annotation(1, image.id, 1, [1.0, 1.0, 4.0, 4.0], None, 16.0))
    save_project(project, out)
    before = out.read_bytes()
    capsys.readouterr()
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out)]) == 1
    assert "exists" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out), "--force"]) == 0
    assert not load_project(out).annotations and out.with_name("labelled.json.bak").read_bytes() == before


def test_new_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", str(tmp_path / "missing"), "-o", str(tmp_path / "p.json")]) == 1
    assert "not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["new", str(tmp_path / "empty"), "-o", str(tmp_path / "p.json")]) == 1
    assert "no images found" in capsys.readouterr().err
    _image_folder(tmp_path / "imgs")
    assert main(["new", str(tmp_path / "imgs"), "-o", str(tmp_path / "p.json"), "--categories", "a,a"]) == 1
    assert "names must be unique" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["new", str(tmp_path / "imgs")])
    assert e.value.code == 2


def test_info_after_save_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = load_project(write(tmp_path / "p.json", valid_doc()))
    project.annotations[3].review = "rejected"
    save_project(project)
    assert main(["info", str(tmp_path / "p.json"), "--json"]) == 0
    by_review = json.loads(capsys.readouterr().out)["by_review"]
    assert by_review == {"none": 2, "pending": 0, "accepted": 0, "rejected": 1}
