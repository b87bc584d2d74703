"""A team on LabelMe's own example data: the lead changes the taxonomy while the shards are out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.cli.test_teams_shards_cli import labelme_twice, nudge


@pytest.fixture
def team(tmp_path: Path, shared_fixtures: Path) -> tuple[Path, Path]:
    """LabelMe's three annotated photographs (each twice, so every annotator has images of its own)
    converted to a project, split for ann, bob and cy. Returns the project and the shards' folder."""
    project = labelme_twice(tmp_path, shared_fixtures)
    shards = tmp_path / "shards"
    assert (
        main(["split", str(project), "--annotators", "ann,bob,cy", "--overlap", "0", "-o", str(shards)]) == 0
    )
    return project, shards


def _edit_person(shard: Path) -> str:
    """The annotator moves a person on one of their images by 2 px; returns that image's file name."""
    p = load_project(shard)
    a = next(a for a in p.annotations.values() if p.categories[a.category_id].name == "person")
    nudge(a)
    save_project(p)
    return p.images[a.image_id].file_name


def merge_into(project: Path, shards: Path, merged: Path, report: Path) -> int:
    """``pixelproof merge`` of the three shards into ``project`` with the split's manifest."""
    every = [str(shards / f"{n}.json") for n in ("ann", "bob", "cy")]
    manifest = str(shards / "lead-manifest.json")
    return main(["merge", *every, "--into", str(project), "--manifest", manifest, "-o", str(merged),
                 "--report", str(report)])  # fmt: skip


def test_a_class_the_lead_renamed_after_the_split_takes_the_shards_objects(
    tmp_path: Path, team: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    project, shards = team
    edited = Path(_edit_person(shards / "ann.json")).name
    assert main(["taxonomy", "rename", str(project), "person", "human"]) == 0
    capsys.readouterr()
    merged, report = tmp_path / "merged.json", tmp_path / "report.json"
    code = merge_into(project, shards, merged, report)
    # before: 'person' came back as a category of its own beside 'human' with the objects of every image an
    # annotator touched, and each such image was reported as changed in the base and the shard
    assert code == 0, capsys.readouterr().err
    result = load_project(merged)
    names = sorted(c.name for c in result.categories.values())
    assert "person" not in names and "human" in names
    assert names == sorted(c.name for c in load_project(project).categories.values())
    moved = next(im for im in result.images.values() if Path(im.file_name).name == edited)
    base = load_project(project)
    persons = sum(1 for a in base.annotations.values() if base.categories[a.category_id].name == "human")
    humans = [a for a in result.annotations.values() if result.categories[a.category_id].name == "human"]
    assert len(humans) == persons  # every person, the moved one on its image too
    assert any(a.image_id == moved.id and a.author == "ann" for a in humans)
    assert json.loads(report.read_text())["conflicts"] == []


def _edit_class(shards: Path, name: str) -> tuple[str, int]:
    """One annotator holding an object of class ``name`` moves it by 2 px; returns (their name, how many
    objects of ``name`` their shard holds)."""
    for who in ("ann", "bob", "cy"):
        p = load_project(shards / f"{who}.json")
        cat = p.category_by_name(name)
        objects = list(p.annotations_with_category(cat.id)) if cat is not None else []
        if objects:
            a = objects[0]
            nudge(a)
            save_project(p)
            return who, len(objects)
    raise AssertionError(f"no shard holds a {name}")


def test_a_class_given_the_id_of_one_the_lead_merged_away_does_not_take_its_objects(
    tmp_path: Path, team: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    project, shards = team
    base = load_project(project)
    last = base.categories[max(base.categories)].name  # its id is the one a new class gets once it is gone
    other = next(c.name for c in base.categories.values() if c.name not in (last, "__ignore__"))
    who, count = _edit_class(shards, last)
    # the lead merges `last` away, then splits `other`: the new class 'split_off' gets `last`'s id, as it did
    # before PixelProof kept `last_category_id` (and as another tool still may: the mark is dropped here)
    assert main(["taxonomy", "merge", str(project), last, other]) == 0
    data = json.loads(project.read_text())
    assert data["pixelproof"].pop("last_category_id") == max(base.categories)
    project.write_text(json.dumps(data))
    assert main(["taxonomy", "split", str(project), other, other, "split_off"]) == 0
    assert load_project(project).category_by_name("split_off").id == max(base.categories)
    capsys.readouterr()
    merged, report = tmp_path / "merged.json", tmp_path / "report.json"
    code = merge_into(project, shards, merged, report)
    # before: taken for a rename, the objects of `last` the annotator drew went silently into 'split_off'
    # (exit 0, no conflict), a class they were never meant for
    assert code == 3
    result = load_project(merged)
    assert not list(result.annotations_with_category(result.category_by_name("split_off").id))
    conflicts = json.loads(report.read_text())["conflicts"]
    (conflict,) = [c for c in conflicts if c["type"] == "category_removed"]
    assert conflict["name"] == last and conflict["objects"] == count
    assert not [c for c in conflicts if c["type"] in ("category_renamed", "category_added")]
    kept = result.category_by_name(last)
    assert kept is not None and {a.author for a in result.annotations_with_category(kept.id)} >= {who}


def test_classes_the_lead_renamed_round_take_the_shards_objects_by_id(
    tmp_path: Path, team: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    project, shards = team
    before = load_project(project)
    counts = {c.name: len(list(before.annotations_with_category(c.id))) for c in before.categories.values()}
    _edit_class(shards, "car")
    _edit_class(shards, "bus")
    # 'car' is now 'vehicle', and 'bus' took the name 'car'
    assert main(["taxonomy", "rename", str(project), "car", "vehicle"]) == 0
    assert main(["taxonomy", "rename", str(project), "bus", "car"]) == 0
    capsys.readouterr()
    merged, report = tmp_path / "merged.json", tmp_path / "report.json"
    code = merge_into(project, shards, merged, report)
    # before: the annotators' cars went into 'car' (the buses, renamed) and their buses came back as a
    # 'bus' class reported as removed
    assert code == 0, capsys.readouterr().err
    result = load_project(merged)
    assert result.category_by_name("bus") is None
    got = {c.name: len(list(result.annotations_with_category(c.id))) for c in result.categories.values()}
    assert got["vehicle"] == counts["car"] and got["car"] == counts["bus"]
    assert json.loads(report.read_text())["conflicts"] == []


def test_a_class_the_lead_merged_away_is_reported_as_removed_from_the_project(
    tmp_path: Path, team: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    project, shards = team
    assert main(["taxonomy", "merge", str(project), "person", "bus"]) == 0
    every = [str(shards / f"{n}.json") for n in ("ann", "bob", "cy")]
    manifest = ["--manifest", str(shards / "lead-manifest.json")]
    # nobody touched their images: the lead's merge stands, 'person' does not come back
    assert main(["merge", *every, "--into", str(project), *manifest, "-o", str(tmp_path / "m0.json")]) == 0
    assert load_project(tmp_path / "m0.json").category_by_name("person") is None
    edited = Path(_edit_person(shards / "bob.json")).name
    capsys.readouterr()
    report = tmp_path / "report.json"
    code = main(["merge", *every, "--into", str(project), *manifest, "-o", str(tmp_path / "m.json"),
                 "--report", str(report)])  # fmt: skip
    assert code == 3
    err = capsys.readouterr().err
    # before: "ann: adds category 'person'", as if the annotator had made it up, whoever edited the image
    assert "adds category" not in err
    (conflict,) = [c for c in json.loads(report.read_text())["conflicts"] if c["type"].startswith("category")]
    assert conflict["type"] == "category_removed" and conflict["name"] == "person"
    assert "conflict [category_removed] category 'person' was removed" in err and "since the split" in err
    # bob's persons on the image he edited are not lost: in a 'person' category, to be moved again
    result = load_project(tmp_path / "m.json")
    bob = load_project(shards / "bob.json")
    (image,) = [im for im in bob.images.values() if Path(im.file_name).name == edited]
    persons = [a for a in bob.annotations_of(image.id) if bob.categories[a.category_id].name == "person"]
    kept = result.category_by_name("person")
    assert kept is not None and conflict["objects"] == len(persons) == len(
        list(result.annotations_with_category(kept.id))
    )


def test_honeypot_classes_that_differ_only_in_case_or_spaces_are_named(
    tmp_path: Path, team: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    project, _ = team
    gold = json.loads(project.read_text())
    for c in gold["categories"]:
        c["name"] = {"person": "Person ", "car": "CAR"}.get(c["name"], c["name"])
    (tmp_path / "gold.json").write_text(json.dumps(gold))
    shards = tmp_path / "hp"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.4", "--honeypots",
                 str(tmp_path / "gold.json"), "-o", str(shards)]) == 0  # fmt: skip
    capsys.readouterr()
    code = main(["agreement", str(shards / "ann.json"), str(shards / "bob.json"), "--manifest",
                 str(shards / "lead-manifest.json"), "--json", str(tmp_path / "a.json")])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    # before: nothing said, and every person an annotator drew on a honeypot scored as a miss and a false
    # positive against the reference's 'Person '
    for ref, ours in (("Person ", "person"), ("CAR", "car")):
        line = next(x for x in err.splitlines() if repr(ref) in x)
        assert str(tmp_path / "gold.json") in line and repr(ours) in line and "ann, bob" in line
    # the same names: nothing to say
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.4", "--honeypots",
                 str(project), "-o", str(tmp_path / "hp2")]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["agreement", str(tmp_path / "hp2" / "ann.json"), str(tmp_path / "hp2" / "bob.json"),
                 "--manifest", str(tmp_path / "hp2" / "lead-manifest.json")]) == 0  # fmt: skip
    assert "differ only" not in capsys.readouterr().err


def test_an_image_an_annotator_renamed_is_merged_as_the_projects_image_under_its_new_name(
    tmp_path: Path, team: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    project, shards = team
    edited = Path(_edit_person(shards / "ann.json")).name
    # ann renames the file and points her shard at it (Locate Missing Images in the app)
    new = edited.replace(".jpg", "_ann.jpg")
    (tmp_path / "imgs" / edited).rename(tmp_path / "imgs" / new)
    data = json.loads((shards / "ann.json").read_text())
    (record,) = [im for im in data["images"] if im["file_name"].endswith(edited)]
    record["file_name"] = record["file_name"].replace(edited, new)
    (shards / "ann.json").write_text(json.dumps(data))
    capsys.readouterr()
    merged = tmp_path / "merged.json"
    every = [str(shards / f"{n}.json") for n in ("ann", "bob", "cy")]
    code = main(["merge", *every, "--into", str(project), "--manifest", str(shards / "lead-manifest.json"),
                 "-o", str(merged)])  # fmt: skip
    # before: a second image (its id and every object's id renumbered, exit 3) beside the project's, whose
    # file was gone and which kept the objects as they were before ann's work
    out = capsys.readouterr()
    assert code == 0, out.err
    result, base = load_project(merged), load_project(project)
    assert len(result.images) == len(base.images)
    names = sorted(Path(im.file_name).name for im in result.images.values())
    assert new in names and edited not in names
    (image,) = [im for im in result.images.values() if Path(im.file_name).name == new]
    assert (merged.parent / image.file_name).is_file()
    assert image.id == record["id"] and any(a.author == "ann" for a in result.annotations_of(image.id))
    assert f"renamed in its shard: {edited} -> {new}" in out.out.replace("imgs/", "")


def test_an_image_the_lead_renamed_takes_the_annotators_work(
    tmp_path: Path, team: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    project, shards = team
    edited = Path(_edit_person(shards / "bob.json")).name
    new = edited.replace(".jpg", "_checked.jpg")
    (tmp_path / "imgs" / edited).rename(tmp_path / "imgs" / new)
    data = json.loads(project.read_text())
    (record,) = [im for im in data["images"] if im["file_name"].endswith(edited)]
    record["file_name"] = record["file_name"].replace(edited, new)
    project.write_text(json.dumps(data))
    capsys.readouterr()
    merged = tmp_path / "merged.json"
    code = main(["merge", str(shards / "bob.json"), "--into", str(project), "-o", str(merged)])
    # before: only a move to another folder under the same file name was followed; a renamed file gave a
    # second image (ids renumbered, exit 3) holding bob's work, its file gone
    assert code == 0, capsys.readouterr().err
    result = load_project(merged)
    assert len(result.images) == len(data["images"])
    image = result.images[record["id"]]
    assert Path(image.file_name).name == new
    assert any(a.author == "bob" for a in result.annotations_of(image.id))


def test_a_class_the_lead_adds_after_deleting_one_never_takes_its_id(tmp_path: Path) -> None:
    """Before: after `taxonomy delete` the next class made (`taxonomy split`) took the deleted class's id,
    and so did a class an annotator added in a shard once merged: a shard of a split made while the
    deleted class was in the file knows that id as it."""
    pycoco = pytest.importorskip("pycocotools.coco")
    from pixelproof.core.model import Category
    from tests.core.teams_data import box_annotation, make_project

    project = tmp_path / "p.json"
    save_project(make_project(tmp_path, 4, "p.json"))  # cat 1, dog 2, bird 3
    shards = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0", "-o", str(shards)]) == 0
    shard = load_project(shards / "ann.json")
    shard.add_category(Category(shard.next_category_id(), "eel"))
    drawn = shard.next_annotation_id()
    shard.add_annotation(box_annotation(drawn, min(shard.images), 4, [1, 1, 4, 4]))
    save_project(shard)
    assert main(["taxonomy", "delete", str(project), "bird", "--delete-objects"]) == 0
    assert main(["taxonomy", "split", str(project), "dog", "dog", "puppy"]) == 0
    lead = load_project(project)
    assert lead.category_by_name("puppy").id == 4 and lead.app["last_category_id"] == 3
    assert main(["taxonomy", "delete", str(project), "puppy", "--delete-objects"]) == 0
    out = tmp_path / "merged.json"
    assert main(["merge", str(shards / "ann.json"), "--into", str(project), "-o", str(out)]) in (0, 3)
    merged = load_project(out)
    eel = merged.category_by_name("eel")
    assert eel.id == 5 and merged.annotations[drawn].category_id == 5  # 4 was puppy's
    assert 4 not in pycoco.COCO(str(out)).getCatIds() and merged.app["last_category_id"] == 4
