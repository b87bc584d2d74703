"""Renumbering (``core.renumber``): ids 1..N in file order and every reference to them with them, so a
project whose ids reach 2**63 - 1 goes on with nothing it knows lost (the way on before, a LabelMe round
trip, dropped statuses, colours, reviews, decisions, overlap versions and links between objects)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools.coco import COCO

from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.edits.box_masks import linked_box
from pixelproof.core.limits import ID_MAX
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_checks import MergeError
from pixelproof.core.model import LAST_ANNOTATION_ID, LAST_CATEGORY_ID, LAST_IMAGE_ID, IdsExhausted
from pixelproof.core.renumber import RENUMBERED, RenumberError, renumber
from tests.core.renumber_data import by_names, read, rich_project
from tests.core.teams_data import box_annotation

PER_IMAGE = ("image_status", "time_spent", "image_review", "overlap_annotators", "consensus")


def check_references(data: dict[str, Any]) -> None:
    """Every id-like reference of a saved project names an entity there (walked in the JSON itself)."""
    images = [im["id"] for im in data["images"]]
    cats = [c["id"] for c in data["categories"]]
    anns = {a["id"]: a for a in data["annotations"]}
    assert images == list(range(1, len(images) + 1)) and cats == list(range(1, len(cats) + 1))
    assert list(anns) == list(range(1, len(anns) + 1))
    for a in anns.values():
        assert a["image_id"] in images and a["category_id"] in cats
        mine = a.get("pixelproof", {})
        if "from_box" in mine:
            assert anns[mine["from_box"]]["image_id"] == a["image_id"]
        assert all(i in anns for i in mine.get("consensus_of", []))
    app = data["pixelproof"]
    for key in PER_IMAGE:
        assert all(int(k) in images for k in app.get(key, {})), key
    for decision in app.get("lint", {}).get("dismissed", []):
        _kind, image, tail = decision.split("|")
        assert int(image) in images
        if tail != "-" and "@" not in tail:
            assert all(anns[int(t)]["image_id"] == int(image) for t in tail.split("+"))
    for key, table in ((LAST_IMAGE_ID, images), (LAST_CATEGORY_ID, cats), (LAST_ANNOTATION_ID, anns)):
        assert app.get(key, len(table)) == len(table)
    assert "shard" not in app


def test_every_reference_follows_its_id_and_nothing_else_changes(tmp_path: Path) -> None:
    project = rich_project(tmp_path)
    with pytest.raises(IdsExhausted):  # images, classes and objects: none left
        project.next_annotation_id()
    before = dumps_project(project)
    done = renumber(project)
    assert dumps_project(project) == before  # the project renumbered is left as it was
    out = save_project(done.project, tmp_path / "new.json")
    old, new = read(project.path), read(out)  # type: ignore[arg-type]
    check_references(new)
    assert by_names(new) == by_names(old)
    # what the old file knew by ids that name nothing now is removed and counted, not carried on
    assert done.removed == {"pixelproof.lint.dismissed": 1, "annotations[].pixelproof.from_box": 1,
                            "annotations[].pixelproof.consensus_of": 7}  # fmt: skip
    assert len(old["pixelproof"]["lint"]["dismissed"]) == len(new["pixelproof"]["lint"]["dismissed"]) + 1
    assert new["pixelproof"]["image_status"] == {"2": "done", "3": "in_progress", "4": "reviewed"}
    assert new["pixelproof"]["image_review"]["4"]["note"] == "blurry"
    assert [c["pixelproof"].get("color") for c in new["categories"]] == ["#ff0000", "#00ff00", "#808080"]
    assert done.changed("images") == 4 and done.changed("categories") == 3
    assert done.marks_lowered and isinstance(new["pixelproof"][RENUMBERED]["token"], str)
    again = load_project(out)
    mask = next(a for a in again.annotations.values() if a.app_extra.get("from_box"))
    assert linked_box(again, mask) is not None  # a mask made from a box can still be accepted into it
    assert again.next_annotation_id() == len(again.annotations) + 1  # and new objects can be added
    AddAnnotations([box_annotation(again.next_annotation_id(), 1, 1, [1, 1, 4, 4])]).apply(again)
    assert again.next_image_id() == 5 and again.next_category_id() == 4


def test_pycocotools_reads_the_same_objects(tmp_path: Path) -> None:
    project = rich_project(tmp_path)
    out = save_project(renumber(project).project, tmp_path / "new.json")
    old, new = COCO(str(project.path)), COCO(str(out))

    def shapes(coco: COCO) -> list[tuple]:
        rows = []
        for a in coco.dataset["annotations"]:
            image = coco.imgs[a["image_id"]]
            pixels = coco.annToMask(a) if "segmentation" in a else np.zeros(0, bool)  # a box
            rows.append((image["file_name"], coco.cats[a["category_id"]]["name"], a["bbox"], a["area"],
                         a.get("iscrowd"), np.packbits(pixels).tobytes()))  # fmt: skip
        return rows

    assert shapes(new) == shapes(old) and len(shapes(new)) == len(project.annotations)


def test_a_second_renumber_changes_nothing(tmp_path: Path) -> None:
    out = save_project(renumber(rich_project(tmp_path)).project, tmp_path / "new.json")
    once = load_project(out)
    done = renumber(once)
    assert not done.ids_changed and not done.removed
    assert dumps_project(done.project) == out.read_bytes()


def test_old_shards_cannot_be_merged_into_the_renumbered_project(tmp_path: Path) -> None:
    """The annotators' shards number things as the file they were split from did: merged into the
    renumbered project, their images and objects would pair with others (the old ids are the new file's
    other objects, or nothing). Merge refuses, saying why; into the old file they still merge."""
    project = rich_project(tmp_path)
    new = renumber(project).project
    shard = Shard.of(load_project(tmp_path / "shards" / "ann.json"), "ann")
    with pytest.raises(MergeError, match=r"was renumbered \(pixelproof renumber, at .*\) after ann was made"):
        merge_shards([shard], base=new)
    merge_shards([shard], base=project)
    # a project split after the renumbering merges back into it
    from pixelproof.core.split import split_project

    again = split_project(new, ["cy"], overlap=0.0).shards["cy"]
    merge_shards([Shard.of(again, "cy")], base=new)


def test_what_cannot_be_renumbered_is_refused_by_name(tmp_path: Path) -> None:
    rich_project(tmp_path)
    shard = load_project(tmp_path / "shards" / "bob.json")
    with pytest.raises(RenumberError, match=r"pixelproof\.shard: it is a shard of a split \(bob's\)"):
        renumber(shard)
    project = load_project(tmp_path / "p.json")
    project.app["ids_elsewhere"] = {"5": "x"}
    project.app["image_status"]["0007"] = "done"  # "7" is there too
    with pytest.raises(RenumberError) as e:
        renumber(project)
    assert any(
        p.startswith("pixelproof.ids_elsewhere: not a key this PixelProof knows") for p in e.value.problems
    )
    assert "pixelproof.image_status: keys '7' and '0007' both name image 7; keep one" in e.value.problems


def test_marks_come_down_and_a_project_already_numbered_from_1_is_the_same(tmp_path: Path) -> None:
    from tests.core.test_id_limit import at_the_top

    project = at_the_top(tmp_path, 5)  # ids 4 and 5
    project.app[LAST_ANNOTATION_ID] = ID_MAX
    done = renumber(project)
    assert done.maps["images"] == {4: 1, 5: 2} and done.project.app[LAST_ANNOTATION_ID] == 2
    low = at_the_top(tmp_path / "low", 2)  # ids 1 and 2, no marks
    same = renumber(low)
    assert not same.ids_changed and dumps_project(same.project) == dumps_project(low)
