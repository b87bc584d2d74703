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
    ("args", "doing"),
    [
        (["taxonomy", "merge", "{p}", "hound", "dog"], "merge class 'hound' into 'dog'"),
        (["taxonomy", "delete", "{p}", "hound", "--delete-objects"], "delete class 'hound' and its objects"),
        (
            ["taxonomy", "delete", "{p}", "hound", "--reassign", "dog"],
            "delete class 'hound' (its objects to 'dog')",
        ),
    ],
)
def test_a_command_refused_by_a_locked_object_says_so_and_leaves_the_file(
    tmp_path, capsys, args, doing
) -> None:
    """The line names the class, how many of its objects are locked and the command that unlocks them."""
    p = _project(tmp_path, {"locked": True})
    before = p.read_bytes()
    assert main([a.format(p=p) for a in args]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"pixelproof: error: {p}: cannot {doing}: it has 1 locked object; unlock it first: "
        f"pixelproof unlock {p} --category hound"
    ]
    assert p.read_bytes() == before
    assert main(["unlock", str(p), "--category", "hound"]) == 0  # the command said, as said, unlocks it
    assert main([a.format(p=p) for a in args]) == 0


def test_the_count_of_locked_objects_is_pluralised_and_a_name_quoted_for_the_shell(tmp_path, capsys) -> None:
    p = _project(tmp_path, {"locked": True})
    data = json.loads(p.read_text())
    data["categories"][1]["name"] = "grey hound"
    data["annotations"][1].update(category_id=2, pixelproof={"locked": True})
    p.write_text(json.dumps(data))
    assert main(["taxonomy", "merge", str(p), "grey hound", "dog"]) == 1
    err = capsys.readouterr().err
    assert ": it has 2 locked objects; unlock them first: " in err
    assert err.rstrip().endswith(f"pixelproof unlock {p} --category 'grey hound'")


def test_the_same_command_goes_through_once_unlocked(tmp_path) -> None:
    p = _project(tmp_path)
    assert main(["taxonomy", "merge", str(p), "hound", "dog"]) == 0
    assert {a["category_id"] for a in json.loads(p.read_text())["annotations"]} == {1}
