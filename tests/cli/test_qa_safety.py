"""``pixelproof qa`` never reports a silent Dice of 0 (issue 11, item 13) nor crashes on an image too big to
decode (item 8)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.masks_folder import looks_like_photo

REPO = Path(__file__).resolve().parents[2]


def candidate(path, size=(64, 48), names=("a.png", "b.png")):  # type: ignore[no-untyped-def]
    p = Project()
    p.add_category(Category(1, "cat"))
    for i, name in enumerate(names, start=1):
        p.add_image(ImageRecord(i, name, *size))
        m = np.zeros(size[::-1], dtype=bool)
        m[5:20, 5:25] = True
        p.add_annotation(Annotation(i, i, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    return path


def test_every_mask_of_the_wrong_size_is_an_error_not_a_zero(tmp_path, capsys) -> None:
    ref = tmp_path / "ref"
    ref.mkdir()
    for name in ("a.png", "b.png"):
        Image.fromarray(np.zeros((30, 40), dtype=np.uint8)).save(ref / name)  # 40x30, not 64x48
    cand = candidate(tmp_path / "cand.json")
    assert main(["qa", str(ref), str(cand)]) == 1
    err = capsys.readouterr().err
    assert "nothing comparable was scored: 2 matched images, all skipped" in err
    assert "reference is 40x30, candidate 64x48" in err


def test_a_folder_of_photos_is_not_a_reference(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    ref = tmp_path / "photos"
    ref.mkdir()
    names = [f"p{i:02d}.png" for i in range(25)]
    yy, xx = np.mgrid[0:48, 0:64]
    for i, name in enumerate(names):
        gray = (xx * 3 + yy * 2 + rng.integers(0, 40, (48, 64)) + i).clip(0, 255).astype(np.uint8)
        Image.fromarray(gray).save(ref / name)
    Image.fromarray(np.zeros((48, 64, 3), dtype=np.uint8)).save(ref / "rgb.png")
    cand = candidate(tmp_path / "cand.json", names=names)
    assert main(["qa", str(ref), str(cand)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert sum("looks like a photo, not a label mask" in line for line in err) == 20  # capped
    assert any("... and 6 more like these" in line for line in err)
    assert any("no images found" in line for line in err)
    assert err[-1].endswith("does not look like a folder of label masks (26 pictures)")


def test_label_masks_do_not_look_like_photos() -> None:
    ids = np.zeros((200, 300), dtype=np.uint16)
    k = 1
    for y in range(0, 200, 10):  # 600 small instances: many values, but flat regions
        for x in range(0, 300, 10):
            ids[y : y + 8, x : x + 8] = k
            k += 1
    assert looks_like_photo(ids) is None
    dots = np.zeros((20, 40), dtype=np.uint16)
    dots[:15, ::2] = np.arange(1, 301).reshape(15, 20)  # 300 one-pixel objects: all neighbours differ
    assert looks_like_photo(dots) is None
    assert looks_like_photo(np.zeros((10, 10), dtype=np.uint8)) is None
    noise = np.random.default_rng(1).integers(0, 255, (100, 100)).astype(np.uint8)
    assert "values" in looks_like_photo(noise)


def test_declared_gigapixel_image_is_scored_in_crops_or_refused_by_name(tmp_path) -> None:
    """QA on a 100000 x 100000 slide works on the objects' crops, in bounded memory; exporting it as a
    mask folder (a whole-image PNG) is refused with the image's name and the limit, never a 10 GB array."""
    p = Project()
    p.add_category(Category(1, "cat"))
    p.add_image(ImageRecord(1, "slide.tif", 100_000, 100_000))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 50.0, 50.0], [[10, 10, 60, 10, 60, 60]], 1250.0))
    path = tmp_path / "p.json"
    save_project(p, path)
    script = textwrap.dedent(
        f"""
        import resource, sys
        from pixelproof.cli import main
        import pixelproof.commands.qa, pixelproof.commands.convert, pixelproof.core.qa, scipy.ndimage, cv2
        with open("/proc/self/status") as f:
            vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + 400 * 2**20, resource.RLIM_INFINITY))
        qa = main(["qa", {str(path)!r}, {str(path)!r}])
        out = {str(tmp_path / "masks")!r}
        convert = main(["convert", {str(path)!r}, out, "--from", "coco", "--to", "masks"])
        sys.exit(10 * qa + convert)
        """
    )
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure the address space")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 1, done.stderr  # qa 0, convert 1
    assert any(line.split()[:3] == ["cat", "px", "1.0000"] for line in done.stdout.splitlines())
    assert "slide.tif" in done.stderr and "over the limit of 268,435,456" in done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr


@pytest.fixture(autouse=True)
def default_limit():
    from pixelproof.core import limits

    yield
    limits.set_max_pixels(None)


def test_projects_without_objects_are_not_said_to_be_skipped(tmp_path, capsys) -> None:
    """Two projects over the same image, neither with an object: qa said "all 1 matched image were
    skipped", though nothing was skipped; it says there is nothing to score (exit 1 as before)."""
    p = Project()
    p.add_category(Category(1, "cat"))
    p.add_image(ImageRecord(1, "a.png", 64, 48))
    save_project(p, tmp_path / "ref.json")
    save_project(p, tmp_path / "cand.json")
    assert main(["qa", str(tmp_path / "ref.json"), str(tmp_path / "cand.json")]) == 1
    err = capsys.readouterr().err
    assert "skipped" not in err
    assert "nothing to score: neither project has an object (void regions aside)" in err
