"""Commands whose edit a locked object refuses (taxonomy merge/delete, consensus --accept): a clear error
line naming the project and the object, exit 1 and the file untouched - not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main


def _project(tmp_path: Path, locked: dict | None = None) -> Path:
    anns = [
        {"id": 1, "image_id": 1, "category_id": 2, "bbox": [2, 2, 5, 5], "area": 25, "iscrowd": 0},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [20, 2, 5, 5], "area": 25, "iscrowd": 0},
    ]
    if locked is not None:
        anns[0]["pixelproof"] = locked
    p = tmp_path / "p.json"
    p.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30}],
                "categories": [{"id": 1, "name": "dog"}, {"id": 2, "name": "hound"}],
                "annotations": anns,
            }
        )
    )
    return p


@pytest.mark.parametrize(
    "args",
    [
        ["taxonomy", "merge", "{p}", "hound", "dog"],
        ["taxonomy", "delete", "{p}", "hound", "--delete-objects"],
    ],
)
def test_a_command_refused_by_a_locked_object_says_so_and_leaves_the_file(tmp_path, capsys, args) -> None:
    p = _project(tmp_path, {"locked": True})
    before = p.read_bytes()
    assert main([a.format(p=p) for a in args]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(p) in err and "annotation 1 is locked" in err and "nothing changed" in err
    assert p.read_bytes() == before


def test_the_same_command_goes_through_once_unlocked(tmp_path) -> None:
    p = _project(tmp_path)
    assert main(["taxonomy", "merge", str(p), "hound", "dog"]) == 0
    assert {a["category_id"] for a in json.loads(p.read_text())["annotations"]} == {1}
