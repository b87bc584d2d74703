"""CVAT for images 1.1 read, written and read again: what a team moving a CVAT project to PixelProof and
back must find as it was (subsets, image names, each shape's own attributes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from pixelproof.interop.cvat import read_cvat, write_cvat

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_images"


def _images(xml: Path) -> list[dict[str, str]]:
    return [dict(el.attrib) for el in ET.parse(xml).getroot().iter("image")]


def test_a_project_exports_subsets_and_image_names_come_back(tmp_path: Path) -> None:
    """Datumaro's project export: img0.jpg and img1.jpg in each of Train/Test/Validation. The export
    dropped ``subset`` and renamed the images ``img0_1.jpg``... in one ``images/``: CVAT then put every
    image in one subset, and an upload to the original task matched no frame by name."""
    source = read_cvat(DATA / "export_project").project
    write_cvat(source, tmp_path / "out", images="copy")
    written = _images(tmp_path / "out" / "annotations.xml")
    original = _images(DATA / "export_project" / "annotations.xml")
    assert [(im["name"], im.get("subset")) for im in written] == [
        (im["name"], im["subset"]) for im in original
    ]
    for im in written:  # CVAT's project layout, which our reader and Datumaro's look in
        assert (tmp_path / "out" / "images" / im["subset"] / im["name"]).is_file()
    back = read_cvat(tmp_path / "out").project
    assert [im.extra["pixelproof"]["cvat"]["subset"] for im in back.images.values()] == [
        im["subset"] for im in original
    ]
    assert [(im.width, im.height) for im in back.images.values()] == [
        (im.width, im.height) for im in source.images.values()
    ]


def test_a_subset_that_is_no_folder_name_never_leaves_the_images_folder(tmp_path: Path) -> None:
    """A subset is a folder of the export: one naming a path (``../x``, ``/tmp``) stays an attribute
    and the image goes to ``images/`` as before."""
    (tmp_path / "src").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "src" / "a.png")
    images = "".join(
        f'<image id="{k}" name="a.png" subset="{s}" width="4" height="4"/>'
        for k, s in enumerate(["../up", "/abs", "..", "ok"])
    )
    (tmp_path / "src" / "annotations.xml").write_text(
        f"<annotations><version>1.1</version>{images}</annotations>", encoding="utf-8"
    )
    project = read_cvat(tmp_path / "src").project
    write_cvat(project, tmp_path / "out" / "x", images="copy")
    written = _images(tmp_path / "out" / "x" / "annotations.xml")
    assert [im.get("subset") for im in written] == ["../up", "/abs", "..", "ok"]
    files = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.png"))
    assert all(p.parts[:2] == ("x", "images") for p in files)
    assert Path("x/images/ok/a.png") in files
    assert not (tmp_path / "up").exists() and not (tmp_path / "out" / "up").exists()
