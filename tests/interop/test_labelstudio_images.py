"""Where a Label Studio export's images are when the user leaves the Images folder empty: an upload
(``/data/upload/<project>/<8 hex>-<name>``) is where Label Studio keeps it, in its media folder, which is
where label-studio-tools' own ``get_local_path`` looks; an image found nowhere is said with what to do."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.image_pairing import pair_images
from pixelproof.core.model import ImageRecord, Project
from pixelproof.interop.labelstudio import read_labelstudio

tools_io = pytest.importorskip("label_studio_tools.core.utils.io")


def _box(label: str = "cat") -> dict:
    value = {"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": [label]}
    return {"type": "rectanglelabels", "original_width": 200, "original_height": 100, "value": value}


def _export(path: Path, urls: list[str]) -> Path:
    tasks = [
        {"id": n, "data": {"image": url}, "annotations": [{"id": n, "result": [_box()]}]}
        for n, url in enumerate(urls, start=1)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tasks))
    return path


def test_uploads_are_found_in_label_studios_own_media_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Images folder left empty: an uploaded image not beside the export is read from Label Studio's
    media folder - the file label-studio-tools' get_local_path names for the same URL - and said once."""
    home = tmp_path / "home"
    for var in ("HOME", "XDG_DATA_HOME", "LOCALAPPDATA", "USERPROFILE"):
        monkeypatch.setenv(var, str(home))
    monkeypatch.delenv("LABEL_STUDIO_BASE_DATA_DIR", raising=False)
    url = "/data/upload/7/3f2a9c1b-street.jpg"
    # where get_local_path reads an upload from: <get_data_dir()>/media/upload/<project>/<file name>
    reference = Path(tools_io.get_data_dir()) / "media" / "upload" / "7" / "3f2a9c1b-street.jpg"
    assert home in reference.parents
    reference.parent.mkdir(parents=True)
    Image.new("RGB", (200, 100)).save(reference)
    export = _export(tmp_path / "export" / "project-7.json", [url, "/data/upload/7/../../../etc/passwd"])

    result = read_labelstudio(export)
    project = result.project
    first = project.images[1]
    assert project.image_path(first).resolve() == reference.resolve()
    assert (first.width, first.height) == (200, 100)
    assert any("1 task image found in Label Studio's upload folder" in p for p in result.problems)
    assert not project.image_path(project.images[2]).exists()  # a URL leaving the folder leads nowhere

    monkeypatch.setenv("LABEL_STUDIO_BASE_DATA_DIR", str(tmp_path / "elsewhere"))  # as Label Studio reads it
    (tmp_path / "elsewhere" / "media" / "upload" / "7").mkdir(parents=True)
    os.replace(reference, tmp_path / "elsewhere" / "media" / "upload" / "7" / reference.name)
    moved = read_labelstudio(export).project
    assert moved.image_path(moved.images[1]).is_file()


def test_images_found_nowhere_are_said_once_with_what_to_do(tmp_path: Path, monkeypatch) -> None:
    """Before the per-task lines, one line says where the images were looked for and what to choose as
    Images folder (Label Studio's upload folder of that project, by name); the tasks still come in."""
    monkeypatch.setenv("LABEL_STUDIO_BASE_DATA_DIR", str(tmp_path / "no-label-studio"))
    urls = [f"/data/upload/12/3f2a9c1b-{n}.jpg" for n in ("a", "b", "c")]
    result = read_labelstudio(_export(tmp_path / "export" / "e.json", urls))
    assert len(result.project.images) == 3
    hints = [p for p in result.problems if "Images folder" in p]
    assert len(hints) == 1
    hint = hints[0]
    assert "3 of 3 task images" in hint and str(tmp_path / "export") in hint
    assert str(tmp_path / "no-label-studio" / "media" / "upload" / "12") in hint
    assert "--image-dir" in hint
    first_missing = next(k for k, p in enumerate(result.problems) if "no image file named" in p)
    assert result.problems.index(hint) < first_missing  # read first, not after a thousand lines


def test_an_upload_found_nowhere_is_named_without_label_studios_prefix(tmp_path: Path, monkeypatch) -> None:
    """An upload not found (``/data/upload/12/3f2a9c1b-a.jpg``) came in as ``3f2a9c1b-a.jpg``, so a review
    reference or candidate images naming the picture ``a.jpg`` (as it was before its upload) paired with
    nothing: it is now ``a.jpg``, said in the lookup line. A name not of Label Studio's pattern exactly (8
    lower-case hex digits and a dash) keeps its name."""
    monkeypatch.setenv("LABEL_STUDIO_BASE_DATA_DIR", str(tmp_path / "no-label-studio"))
    urls = [
        "/data/upload/12/3f2a9c1b-a.jpg",
        "/data/upload/12/3f2a9c1-b.jpg",
        "/data/upload/12/3F2A9C1B-c.jpg",
    ]
    result = read_labelstudio(_export(tmp_path / "export" / "e.json", urls))
    names = sorted(i.file_name for i in result.project.images.values())
    assert names == ["3F2A9C1B-c.jpg", "3f2a9c1-b.jpg", "a.jpg"]
    (hint,) = [p for p in result.problems if "Images folder" in p]
    assert "1 upload named without Label Studio's 8-character upload prefix" in hint
    assert "(3f2a9c1b-a.jpg as a.jpg)" in hint
    reference = Project()
    reference.add_image(ImageRecord(1, "a.jpg", 200, 100))
    pairs, _, _ = pair_images(reference, result.project)
    assert [p.cand.file_name for p in pairs] == ["a.jpg"]
