"""Names people give that become file names of written outputs: an annotator's (``split``: ``<name>.json``)
and a tag's (a named version's snapshot). Windows opens its console, printer or null device for ``CON.json``,
``nul.v1.json.gz`` ... so the file is never made and the shard or snapshot is lost without a word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project
from pixelproof.core.names import windows_device
from pixelproof.core.split import SplitError, split_project
from pixelproof.core.versions import VersionError, list_tags, tag
from pixelproof.interop.stems import file_stem


@pytest.mark.parametrize("name", ["CON", "con", "Nul.v1", "com1", "LPT9.x", "aux ", "COM\u00b9"])
def test_windows_device_names_are_told(name: str) -> None:
    assert windows_device(name)


@pytest.mark.parametrize("name", ["console", "conan", "nully", "com10", "a.con", "_CON"])
def test_names_that_merely_start_like_a_device_are_not(name: str) -> None:
    assert not windows_device(name)


def test_export_stems_still_give_a_device_name_a_leading_underscore() -> None:
    assert file_stem("images/CON.png") == "_CON"
    assert file_stem("images/nul.d_000.png") == "_nul.d_000"


def _project(tmp_path: Path) -> Path:
    images = [{"id": i, "file_name": f"{i}.png", "width": 4, "height": 4} for i in range(1, 7)]
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"images": images, "categories": [], "annotations": []}))
    return path


@pytest.mark.parametrize("name", ["CON", "nul", "com1"])
def test_split_refuses_an_annotator_named_like_a_windows_device(tmp_path: Path, name: str) -> None:
    project = load_project(_project(tmp_path))
    with pytest.raises(SplitError, match=f"{name}.*device"):
        split_project(project, ["ann", name])


@pytest.mark.parametrize("name", ["CON", "prn.v1"])
def test_a_tag_named_like_a_windows_device_is_refused_and_nothing_is_written(
    tmp_path: Path, name: str
) -> None:
    path = _project(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(VersionError, match="device"):
        tag(path, name)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list_tags(path) == []
